"""Time-zone names: strict IANA lookup (case-insensitive) backed by zoneinfo + tzdata, and
recognition of a zone named anywhere in free text ('Tokyo time', 'in New York', 'PST',
'Europe/Berlin', 'UTC+2').

Fixed offsets ('UTC+2', 'GMT-5') map to the IANA fixed zones 'Etc/GMT-2' / 'Etc/GMT+5' (whose
sign is inverted by POSIX convention); offsets with minutes ('UTC+05:30') are refused with a
pointer to a city zone, because no IANA fixed zone exists for them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from agentcron.errors import ScheduleError

UTC_NAME = "UTC"
# Areas of current IANA names; legacy areas (US/, Canada/, ...) are reached through ALIASES.
CITY_AREAS = frozenset({
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
})
# Last components of IANA names that are also everyday words, so never read as a place.
NOT_PLACES = frozenset({
    "east", "west", "north", "south", "wake", "christmas", "easter", "general", "center",
    "midway", "continental", "factory", "resolute", "oral", "virgin", "acre", "victoria",
    "troll", "knox", "davis", "casey", "palmer", "localtime", "marengo", "vevay", "monticello",
})
# Abbreviations, region words and big cities that are not IANA city names.
ALIASES: dict[str, str] = {
    # UTC
    "utc": UTC_NAME, "gmt": UTC_NAME, "zulu": UTC_NAME, "uct": UTC_NAME, "universal": UTC_NAME,
    "greenwich": UTC_NAME, "greenwich mean": UTC_NAME, "coordinated universal": UTC_NAME,
    # North America
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "eastern": "America/New_York", "us eastern": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago",
    "central": "America/Chicago", "us central": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver",
    "mountain": "America/Denver", "us mountain": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "us pacific": "America/Los_Angeles",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "alaska": "America/Anchorage",
    "hst": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu", "arizona": "America/Phoenix",
    "atlantic": "America/Halifax", "ast": "America/Halifax", "adt": "America/Halifax",
    "nst": "America/St_Johns", "ndt": "America/St_Johns", "newfoundland": "America/St_Johns",
    "st johns": "America/St_Johns", "st john": "America/St_Johns",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles", "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles", "san jose": "America/Los_Angeles",
    "sacramento": "America/Los_Angeles", "silicon valley": "America/Los_Angeles",
    "boston": "America/New_York", "washington": "America/New_York",
    "washington dc": "America/New_York", "dc": "America/New_York", "miami": "America/New_York",
    "atlanta": "America/New_York", "philadelphia": "America/New_York",
    "pittsburgh": "America/New_York", "baltimore": "America/New_York",
    "charlotte": "America/New_York", "orlando": "America/New_York", "nyc": "America/New_York",
    "new york city": "America/New_York",
    "new jersey": "America/New_York", "cleveland": "America/New_York",
    "dallas": "America/Chicago", "houston": "America/Chicago", "austin": "America/Chicago",
    "san antonio": "America/Chicago", "minneapolis": "America/Chicago",
    "new orleans": "America/Chicago", "kansas city": "America/Chicago",
    "st louis": "America/Chicago", "nashville": "America/Chicago",
    "milwaukee": "America/Chicago", "salt lake city": "America/Denver",
    "albuquerque": "America/Denver", "calgary": "America/Edmonton",
    "ottawa": "America/Toronto", "quebec": "America/Toronto",
    # Europe
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "met": "Europe/Berlin",
    "mest": "Europe/Berlin", "central european": "Europe/Berlin",
    "wet": "Europe/Lisbon", "western european": "Europe/Lisbon",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "eastern european": "Europe/Athens",
    "bst": "Europe/London", "british": "Europe/London", "uk": "Europe/London",
    "msk": "Europe/Moscow", "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin", "cologne": "Europe/Berlin", "dusseldorf": "Europe/Berlin",
    "stuttgart": "Europe/Berlin", "germany": "Europe/Berlin", "manchester": "Europe/London",
    "edinburgh": "Europe/London", "glasgow": "Europe/London", "birmingham": "Europe/London",
    "barcelona": "Europe/Madrid", "spain": "Europe/Madrid", "milan": "Europe/Rome",
    "naples": "Europe/Rome", "florence": "Europe/Rome", "italy": "Europe/Rome",
    "geneva": "Europe/Zurich", "basel": "Europe/Zurich", "bern": "Europe/Zurich",
    "lyon": "Europe/Paris", "marseille": "Europe/Paris", "france": "Europe/Paris",
    "rotterdam": "Europe/Amsterdam", "the hague": "Europe/Amsterdam",
    "netherlands": "Europe/Amsterdam", "krakow": "Europe/Warsaw", "poland": "Europe/Warsaw",
    "st petersburg": "Europe/Moscow", "saint petersburg": "Europe/Moscow",
    "ireland": "Europe/Dublin", "eire": "Europe/Dublin", "portugal": "Europe/Lisbon",
    "istanbul": "Europe/Istanbul", "turkey": "Europe/Istanbul", "kiev": "Europe/Kyiv",
    # Asia, Oceania, Africa, South America
    "ist": "Asia/Kolkata", "india": "Asia/Kolkata", "indian": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata", "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata", "hyderabad": "Asia/Kolkata", "pune": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata", "pkt": "Asia/Karachi", "jst": "Asia/Tokyo",
    "japan": "Asia/Tokyo", "osaka": "Asia/Tokyo", "kyoto": "Asia/Tokyo", "kst": "Asia/Seoul",
    "korea": "Asia/Seoul", "busan": "Asia/Seoul", "hkt": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore", "singapore": "Asia/Singapore", "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai", "shenzhen": "Asia/Shanghai", "guangzhou": "Asia/Shanghai",
    "hangzhou": "Asia/Shanghai", "taiwan": "Asia/Taipei", "gst": "Asia/Dubai",
    "abu dhabi": "Asia/Dubai", "ict": "Asia/Bangkok", "hanoi": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh", "ho chi minh city": "Asia/Ho_Chi_Minh",
    "wib": "Asia/Jakarta", "pht": "Asia/Manila", "israel": "Asia/Jerusalem",
    "tel aviv": "Asia/Jerusalem", "nicosia": "Asia/Nicosia", "rangoon": "Asia/Yangon",
    "katmandu": "Asia/Kathmandu", "awst": "Australia/Perth", "acst": "Australia/Adelaide",
    "acdt": "Australia/Adelaide", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "australian eastern": "Australia/Sydney", "canberra": "Australia/Sydney",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "new zealand": "Pacific/Auckland",
    "nz": "Pacific/Auckland", "wellington": "Pacific/Auckland", "sast": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg", "egypt": "Africa/Cairo", "brt": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo", "rio": "America/Sao_Paulo",
}
# Words around a zone name that belong to it: 'in Tokyo', 'Eastern Standard Time', '(UTC)'.
_TRAILER = re.compile(
    r"\s*(?:(?:daylight savings? |standard |daylight |summer |mean )?time(?: ?zone)?"
    r"|timezone|tz|zone)\b\)?"
)
_LEADER = re.compile(r"(?:\bin\s+(?:the\s+)?|\(\s*)$")
MAX_NAME_WORDS = 4

_IANA_LIKE = re.compile(r"(?<![\w/])[a-z][a-z_\-]*(?:/[a-z0-9_+\-]+)+", re.IGNORECASE)
_OFFSET = re.compile(r"\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?![\d:])", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
MAX_EAST_OFFSET = 14
MAX_WEST_OFFSET = 12


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    """Every IANA name keyed by its lower-case spelling (built once, on first use)."""
    return {name.lower(): name for name in available_timezones() if name != "localtime"}


def resolve_zone(name: str) -> str:
    """Return the canonical IANA spelling of `name`, or raise ScheduleError."""
    cleaned = name.strip()
    if cleaned == "UTC":  # the default zone: no need to list every zone on disk at start-up
        return cleaned
    canonical = _iana_by_lower().get(cleaned.lower())
    if canonical is None:
        raise ScheduleError(
            f"Unknown time zone {name!r}. Use an IANA name such as 'Europe/Berlin', "
            "'America/New_York', 'Asia/Tokyo' or 'UTC'."
        )
    return canonical


def zones_starting_with(prefix: str) -> list[str]:
    """IANA names a user typing `prefix` may mean: the whole name or its city part starts with
    it, case-insensitively, spaces read as underscores ('berl' and 'europe/be' both give
    'Europe/Berlin', 'new y' gives 'America/New_York'). Whole-name matches come first."""
    typed = prefix.strip().lower().replace(" ", "_")
    names = sorted(_iana_by_lower().values())
    whole = [name for name in names if name.lower().startswith(typed)]
    city = [name for name in names if name not in whole
            and any(part.lower().startswith(typed) for part in name.split("/")[1:])]
    return whole + city


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name that resolve_zone has accepted."""
    return ZoneInfo(resolve_zone(name))


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Lower-case place or zone word(s) -> IANA name: IANA city names plus ALIASES.

    Built lazily: scanning the ~600 IANA names costs about a millisecond, once.
    """
    names: dict[str, str] = {}
    for full in sorted(available_timezones()):
        parts = full.split("/")
        if len(parts) < 2 or parts[0] not in CITY_AREAS:
            continue
        key = " ".join(_WORD.findall(parts[-1].lower()))
        if not key or key in NOT_PLACES:
            continue
        current = names.get(key)
        if current is None or current.count("/") < full.count("/"):
            names[key] = full
    names.update(ALIASES)
    return names


@lru_cache(maxsize=1)
def _phrase_starters() -> frozenset[str]:
    """First words of multi-word place names ('new' of 'new york'): only these need n-grams."""
    return frozenset(key.split(" ")[0] for key in place_names() if " " in key)


def find_zone_in_text(text: str) -> tuple[str | None, str]:
    """Find the time zone named in `text`; return (IANA name or None, lower-cased rest).

    Recognises IANA names anywhere, 'UTC+2' style offsets, abbreviations (PST, CET), region
    words (Eastern, Pacific) and city names ('Tokyo time', 'in New York'), with a trailing
    'time' / 'time zone' and a leading 'in'. Two different zones, or an IANA-looking name that
    does not exist, raise ScheduleError.
    """
    folded = _fold_accents(text)
    lowered = folded.lower()
    same_length = len(folded) == len(lowered)
    found: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for match in _IANA_LIKE.finditer(lowered):
        written = folded[match.start() : match.end()] if same_length else match.group()
        name = _iana_or_none(match.group(), written)
        if name is not None:
            found.append((name, match.group()))
            spans.append(match.span())
    for match in _OFFSET.finditer(lowered):
        if _inside(match.span(), spans):
            continue  # the 'GMT+5' of 'Etc/GMT+5'
        found.append((_offset_zone(match), match.group()))
        spans.append(match.span())
    for name, written, span in _named_zones(lowered, spans):
        found.append((name, written))
        spans.append(span)
    spans = [_widen(lowered, span) for span in spans]
    if not found:
        return None, lowered
    names = {name for name, _ in found}
    if len(names) > 1:
        written = " and ".join(repr(w) for _, w in found)
        raise ScheduleError(
            f"The text names more than one time zone ({written}). Name one, e.g. "
            "'every day at 9am Europe/Berlin'."
        )
    return names.pop(), _remove(lowered, spans)


def _iana_or_none(candidate: str, written: str) -> str | None:
    """An IANA name, or None for a slash word that is not zone-shaped ('mon/wed'); a
    zone-shaped name that does not exist ('Narnia/Cair_Paravel') is an error."""
    known = _iana_by_lower().get(candidate)
    if known is not None:
        return known
    area = candidate.split("/")[0]
    if "_" in candidate or area.capitalize() in CITY_AREAS or area in ("etc", "us", "canada"):
        raise ScheduleError(
            f"Unknown time zone {written!r}. Use an IANA name such as 'Europe/Berlin', "
            "'America/New_York', 'Asia/Tokyo' or 'UTC', or a city such as 'Tokyo time'."
        )
    return None


def _offset_zone(match: re.Match[str]) -> str:
    """'UTC+2' -> 'Etc/GMT-2' (POSIX sign); 'UTC+0' -> 'UTC'; minutes -> error."""
    sign, hours_text, minutes_text = match.groups()
    hours = int(hours_text)
    if minutes_text and int(minutes_text) != 0:
        raise ScheduleError(
            f"The offset {match.group()!r} has minutes; no fixed IANA zone exists for it. Name "
            "the place instead, e.g. 'Asia/Kolkata' for UTC+05:30."
        )
    limit = MAX_EAST_OFFSET if sign == "+" else MAX_WEST_OFFSET
    if hours > limit:
        raise ScheduleError(
            f"The offset {match.group()!r} does not exist (UTC-12 to UTC+14). "
            "Use e.g. 'UTC+2' or 'Europe/Berlin'."
        )
    if hours == 0:
        return UTC_NAME
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def _named_zones(
    lowered: str, taken: list[tuple[int, int]]
) -> list[tuple[str, str, tuple[int, int]]]:
    """Zones named by words: longest known phrase first, with leading 'in' and trailing
    'time' words folded into the span that gets removed."""
    words = [m for m in _WORD.finditer(lowered) if not _inside(m.span(), taken)]
    table, starters = place_names(), _phrase_starters()
    hits: list[tuple[str, str, tuple[int, int]]] = []
    pos = 0
    while pos < len(words):
        first = words[pos].group()
        size = 0
        if first in starters:
            for length in range(min(MAX_NAME_WORDS, len(words) - pos), 1, -1):
                key = " ".join(m.group() for m in words[pos : pos + length])
                if key in table:
                    size = length
                    break
        if not size and (first in table or first == "z"):
            size = 1
        start, end = words[pos].start(), words[pos + size - 1].end() if size else 0
        if not size or not _is_whole_word(lowered, start, end):
            pos += 1
            continue
        if first == "z" and size == 1:
            if not _z_ok(lowered, start):
                pos += 1
                continue
            name = UTC_NAME
        else:
            name = table[" ".join(m.group() for m in words[pos : pos + size])]
        hits.append((name, lowered[start:end], (start, end)))
        pos += size
    return hits


def _z_ok(lowered: str, start: int) -> bool:
    """'z' counts as Zulu after a digit ('0800z') or standing alone."""
    before = lowered[start - 1] if start > 0 else " "
    after = lowered[start + 1] if start + 1 < len(lowered) else " "
    return (before.isdigit() or not before.isalnum()) and not after.isalnum()


def _is_whole_word(lowered: str, start: int, end: int) -> bool:
    """A place name must not be glued to letters (the 'et' in 'set' is not Eastern Time)."""
    before = lowered[start - 1] if start > 0 else " "
    after = lowered[end] if end < len(lowered) else " "
    return not before.isalpha() and not after.isalpha() and before != "_" and after != "_"


def _widen(lowered: str, span: tuple[int, int]) -> tuple[int, int]:
    """Extend a zone's span over a leading 'in (the)' and a trailing 'time (zone)'."""
    start, end = span
    trailer = _TRAILER.match(lowered, end)
    if trailer:
        end = trailer.end()
    leader = _LEADER.search(lowered, 0, start)
    if leader:
        start = leader.start()
    return start, end


def _fold_accents(text: str) -> str:
    """'São Paulo' -> 'Sao Paulo' (IANA names are ASCII)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in taken)


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out the zone spans, keeping the rest of the text in place."""
    pieces: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(" ")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
