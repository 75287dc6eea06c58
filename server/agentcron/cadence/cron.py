"""Cron validation, normalisation, dialect and next-run maths with the DST rules of DESIGN.md §3.

Why not plain croniter: croniter on aware datetimes fires a fixed-time job twice on a
fall-back day. Here croniter only walks *wall-clock* (naive) times; this module maps each
wall time to real instants with zoneinfo:

* a wall time that exists once maps to that instant;
* a wall time inside a spring-forward gap maps to the first instant after the gap
  (fired once, however many gap times matched) - unless the cron runs every hour, whose
  occurrences are real hours: the missing hour simply has none;
* a wall time that occurs twice on a fall-back day maps to its first occurrence - unless the
  cron runs every hour, which fires in both passes of the repeated hour.
"""

from __future__ import annotations

import calendar
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from croniter import croniter

from agentcron.errors import ScheduleError

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
FIELD_EXAMPLES = ("0-59", "0-23", "1-31", "1-12 or JAN-DEC", "0-6 (0 = Sunday) or SUN-SAT")
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
DAY_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
# Longest month length, leap years included: decides whether a day-of-month can ever match.
MAX_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MAX_SCAN = 200_000
UTC = timezone.utc

_QUARTZ_LAST_DOW = re.compile(r"^([0-7])L$", re.IGNORECASE)
_ITEM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")
_NTH = re.compile(r"^([0-7])#([1-5])$")
_LAST_DOW = re.compile(r"^L([0-7])$", re.IGNORECASE)

Note = tuple[Literal["gap-shifted", "gap-skipped", "repeat-first", "repeat-both"], datetime]

GENERIC_CRON_HELP = (
    "Use 5 fields 'minute hour day-of-month month day-of-week', e.g. '0 9 * * 1-5' "
    "(09:00 Monday to Friday) or '*/15 * * * *' (every 15 minutes)."
)


@dataclass(frozen=True)
class _Field:
    """One parsed field: its plain values and croniter's special items (L, #)."""

    values: frozenset[int]
    specials: tuple[str, ...] = ()


def normalise_cron(expr: str) -> str:
    """Validate a cron expression or macro and return it with numeric, canonical fields.

    Accepts month and day names, 7 for Sunday, `?` for an unrestricted day field, croniter's
    `L` (last day of month), `d#n` (n-th weekday) and `Ld` (last weekday d), and Quartz's
    `dL`. Refuses what croniter would silently misread (`W`), and expressions that can
    never fire (`0 0 31 2 *`).
    """
    text = " ".join(expr.strip().split())
    if not text:
        raise ScheduleError(f"The cron expression is empty. {GENERIC_CRON_HELP}")
    if text.startswith("@"):
        macro = MACROS.get(text.lower())
        if macro is None:
            known = ", ".join(MACROS)
            raise ScheduleError(f"Unknown cron macro {text!r}. Known macros: {known}.")
        text = macro
    parts = text.split(" ")
    if len(parts) != 5:
        raise ScheduleError(
            f"A cron expression needs exactly 5 fields, got {len(parts)} in {expr.strip()!r} "
            f"(seconds and years are not supported). {GENERIC_CRON_HELP}"
        )
    fields = [_parse_field(i, part) for i, part in enumerate(parts)]
    rendered = " ".join(_render_field(i, f) for i, f in enumerate(fields))
    _refuse_never_firing(fields, rendered)
    if not croniter.is_valid(rendered):
        raise ScheduleError(f"Invalid cron expression {expr.strip()!r}. {GENERIC_CRON_HELP}")
    return rendered


def is_portable(expr: str) -> bool:
    """True for classic 5-field cron that every backend accepts (no L, #, W)."""
    return not any(ch in expr for ch in "L#W")


def fires_every_hour(expr: str) -> bool:
    """True when the hour field is unrestricted: such crons follow real hours across DST."""
    return expr.split(" ")[1] == "*"


def both_days_restricted(expr: str) -> bool:
    """True when day-of-month and day-of-week are both set: cron then fires when EITHER matches."""
    parts = expr.split(" ")
    return parts[2] != "*" and parts[4] != "*"


def _parse_field(index: int, raw: str) -> _Field:
    """Parse one field into numbers (names resolved) and L/# specials, with clear errors."""
    low, high = FIELD_RANGES[index]
    values: set[int] = set()
    specials: list[str] = []
    for item in raw.split(","):
        token = item.strip()
        if not token:
            raise _field_error(index, raw, "has an empty list item")
        token = _names_to_numbers(index, token)
        if "w" in token.lower():
            raise _field_error(index, raw, "uses 'W' (nearest weekday), which is not supported")
        if index in (2, 4) and token == "?":
            token = "*"
        special = _special_item(index, token, raw)
        if special is not None:
            specials.append(special)
            continue
        values |= _expand_item(index, token, raw, low, high)
    if index == 4:
        values = {0 if v == 7 else v for v in values}
    return _Field(frozenset(values), tuple(sorted(set(specials))))


def _names_to_numbers(index: int, token: str) -> str:
    """Replace JAN..DEC and SUN..SAT (any case) with numbers."""
    names = MONTH_NAMES if index == 3 else DAY_NAMES if index == 4 else None
    if names is None:
        return token
    return re.sub(
        r"[A-Za-z]{3}",
        lambda m: str(names[m.group(0).lower()]) if m.group(0).lower() in names else m.group(0),
        token,
    )


def _special_item(index: int, token: str, raw: str) -> str | None:
    """Return croniter's canonical spelling of an L / # item, or None for a plain item."""
    if index == 2 and token.upper() == "L":
        return "L"
    if index != 4:
        return None
    quartz = _QUARTZ_LAST_DOW.match(token)
    if quartz:
        token = f"L{quartz.group(1)}"
    last = _LAST_DOW.match(token)
    if last:
        return f"L{int(last.group(1)) % 7}"
    nth = _NTH.match(token)
    if nth:
        return f"{int(nth.group(1)) % 7}#{nth.group(2)}"
    if "#" in token or "l" in token.lower():
        raise _field_error(index, raw, "uses '#' or 'L' wrongly (write '1#2' or 'L5')")
    return None


def _expand_item(index: int, token: str, raw: str, low: int, high: int) -> set[int]:
    """Expand '*', 'a', 'a-b', each optionally '/step', into the set of values it matches."""
    match = _ITEM.match(token)
    if not match:
        raise _field_error(index, raw, f"has {token!r}, which is not a number, range or step")
    base, step_text = match.group(1), match.group(2)
    top = 7 if index == 4 else high
    if base == "*":
        start, end = low, high
    elif "-" in base:
        start, end = (int(x) for x in base.split("-"))
    else:
        start = end = int(base)
        if step_text is not None:
            end = high
    for value in (start, end):
        if not low <= value <= top:
            raise _field_error(index, raw, f"has {value}, outside {FIELD_EXAMPLES[index]}")
    if start > end:
        raise _field_error(index, raw, f"has the backwards range {base!r}")
    step = int(step_text) if step_text is not None else 1
    if step < 1:
        raise _field_error(index, raw, "has a step of 0")
    return set(range(start, end + 1, step))


def _field_error(index: int, raw: str, why: str) -> ScheduleError:
    return ScheduleError(
        f"The {FIELD_NAMES[index]} field {raw!r} {why}; allowed: {FIELD_EXAMPLES[index]}. "
        f"{GENERIC_CRON_HELP}"
    )


def _render_field(index: int, field: _Field) -> str:
    """Render a field canonically: '*', '*/n', 'a-b/n', 'a-b', lists; specials last."""
    low, high = FIELD_RANGES[index]
    values = sorted(field.values)
    parts: list[str] = []
    if values == list(range(low, high + 1)):
        if not field.specials:
            return "*"
        parts.append("*")
    elif values:
        parts.append(_render_values(values, low, high))
    parts.extend(field.specials)
    return ",".join(parts)


def _render_values(values: list[int], low: int, high: int) -> str:
    """Compact a sorted list of ints into cron syntax: steps (3+ values), ranges, lists."""
    if len(values) >= 3:
        step = values[1] - values[0]
        is_progression = step > 1 and all(b - a == step for a, b in zip(values, values[1:]))
        if is_progression and values[0] == low and values[-1] + step > high:
            return f"*/{step}"
        if is_progression and len(values) >= 4:
            return f"{values[0]}-{values[-1]}/{step}"
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    pieces: list[str] = []
    for run in runs:
        if len(run) >= 3:
            pieces.append(f"{run[0]}-{run[-1]}")
        else:
            pieces.extend(str(v) for v in run)
    return ",".join(pieces)


def _refuse_never_firing(fields: list[_Field], rendered: str) -> None:
    """Refuse day-of-month/month combinations that never occur (when day-of-week can't rescue)."""
    dom, month, dow = fields[2], fields[3], fields[4]
    dow_unrestricted = not dow.specials and len(dow.values) == 7
    if "L" in dom.specials or not dow_unrestricted:
        return
    if any(day <= MAX_DAYS_IN_MONTH[m] for m in month.values for day in dom.values):
        return
    raise ScheduleError(
        f"The cron expression {rendered!r} never fires: no month it names has the day it names "
        "(e.g. February has no 30th or 31st). Use 'L' for the last day of the month, "
        "e.g. '0 0 L 2 *'."
    )


# --- next runs -------------------------------------------------------------------------------


def next_fire(expr: str, tz: timezone | object, after: datetime) -> datetime:
    """The first instant strictly after `after` at which `expr` fires in zone `tz`."""
    return next(iter_fires(expr, tz, after))[0]


def iter_fires(
    expr: str, tz: object, after: datetime
) -> Iterator[tuple[datetime, list[Note]]]:
    """Yield fire instants after `after` (aware, in zone `tz`), each with the DST notes met."""
    every_hour = fires_every_hour(expr)
    current = after
    while True:
        instant, notes = _next_with_notes(expr, tz, current, every_hour)
        yield instant, notes
        current = instant


def walk_fires(expr: str, tz: object, after: datetime) -> Iterator[datetime]:
    """Yield fire instants strictly after `after` (UTC), in order, from ONE croniter walk.

    The same DST rules as `iter_fires`, without its notes, and without building a cron parser
    per fire: the hot path of the runner (compiled schedules cache what this yields).
    Wall times are walked in order; their instants are not quite in order on a fall-back day
    (an every-hour cron fires both passes of the repeated hour), so they go through a small
    heap and leave it only once no later wall time can produce an earlier instant.
    """
    every_hour = fires_every_hour(expr)
    local = after.astimezone(tz)  # type: ignore[arg-type]
    wall = local.replace(tzinfo=None, fold=0)
    start = wall
    if local.fold == 0:
        start = wall - _fold_length(wall, tz)  # wall times of a second pass are still ahead
    walker = croniter(expr, start)
    pending: list[datetime] = []
    last = after.astimezone(UTC)
    while True:
        candidate = walker.get_next(datetime)
        instants, _ = _instants_of(candidate, tz, every_hour)
        for instant in instants:
            heapq.heappush(pending, instant)
        # No later wall time maps before the earlier of its own two readings.
        first = candidate.replace(tzinfo=tz, fold=0).astimezone(UTC)  # type: ignore[arg-type]
        second = candidate.replace(tzinfo=tz, fold=1).astimezone(UTC)  # type: ignore[arg-type]
        bound = min(first, second)
        while pending and pending[0] < bound:
            instant = heapq.heappop(pending)
            if instant > last:
                last = instant
                yield instant


def _next_with_notes(
    expr: str, tz: object, after: datetime, every_hour: bool
) -> tuple[datetime, list[Note]]:
    """Find the next fire after `after` and the DST notes that concern it."""
    local = after.astimezone(tz)  # type: ignore[arg-type]
    wall = local.replace(tzinfo=None, fold=0)
    start = wall
    if local.fold == 0:
        fold_length = _fold_length(wall, tz)
        if fold_length:
            # `after` is in the first pass of a repeated hour: wall times before it still
            # occur again, later, in the second pass.
            start = wall - fold_length
    walker = croniter(expr, start)
    best: datetime | None = None
    seen: list[tuple[datetime, list[datetime], Note | None]] = []
    for _ in range(MAX_SCAN):
        candidate = walker.get_next(datetime)
        instants, note = _instants_of(candidate, tz, every_hour)
        seen.append((candidate, instants, note))
        for instant in instants:
            if instant > after and (best is None or instant < best):
                best = instant
        if instants and instants[0] > after:
            break
    if best is None:
        raise ScheduleError(f"The cron expression {expr!r} has no upcoming run.")
    notes = [
        note
        for candidate, instants, note in seen
        if note is not None and (best in instants or (not instants and candidate > wall))
    ]
    return best.astimezone(tz), notes  # type: ignore[arg-type]


def _instants_of(
    wall: datetime, tz: object, every_hour: bool
) -> tuple[list[datetime], Note | None]:
    """Map one wall-clock time to the real instants it fires at, per DESIGN.md §3."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # type: ignore[arg-type]
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # type: ignore[arg-type]
    if first == second:
        return [first], None
    if first < second:  # the wall time occurs twice (fall back)
        if every_hour:
            return [first, second], ("repeat-both", wall)
        return [first], ("repeat-first", wall)
    # first > second: the wall time falls in a spring-forward gap
    if every_hour:
        return [], ("gap-skipped", wall)
    return [_transition_instant(second, first, tz)], ("gap-shifted", wall)


def _fold_length(wall: datetime, tz: object) -> timedelta:
    """How long the repeated stretch is when `wall` occurs twice; zero otherwise."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # type: ignore[arg-type]
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # type: ignore[arg-type]
    return second - first if second > first else timedelta(0)


def _transition_instant(before: datetime, after: datetime, tz: object) -> datetime:
    """Binary-search the UTC second where the offset changes: the first instant after a gap."""
    offset_before = before.astimezone(tz).utcoffset()  # type: ignore[arg-type]
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_before:  # type: ignore[arg-type]
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)
