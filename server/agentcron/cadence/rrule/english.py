"""A calendar rule in plain English (24-hour clock, naming the zone), e.g.
'At 09:00, every 2 weeks on Monday, from 2026-11-30 until 2026-12-15 (Europe/Berlin time)'.

Written by hand rather than with a library because the description must say what agentcron
does with the rule (local wall time, the zone, the inclusive end date), not RFC wording.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from agentcron.cadence.language.lexicon import MONTH_LABELS, WEEKDAY_LABELS
from agentcron.cadence.rrule.evaluate import local_wall, parse_until, split_rule
from agentcron.cadence.zones import zone

DAY_CODES = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
UNITS = {"YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "DAILY": "day",
         "HOURLY": "hour", "MINUTELY": "minute"}
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second-to-last", -3: "third-to-last", -4: "fourth-to-last", -5: "fifth-to-last"}
MAX_LISTED_TIMES = 8


def describe_rule(rule_value: str, starts_at: str, timezone_name: str) -> str:
    """Plain English for a rule, its start and its end."""
    tz = zone(timezone_name)
    parts = _with_start_defaults(split_rule(rule_value), local_wall(starts_at, tz))
    start = local_wall(starts_at, tz)
    if {"BYSETPOS", "BYYEARDAY"} & set(parts) or (
            "BYWEEKNO" in parts and ({"BYMONTH", "BYMONTHDAY"} & set(parts)
                                     or parts["FREQ"] != "YEARLY")):
        # Rare raw parts: quote the rule rather than describe it half right.
        return f"{_times(parts, start)}, as the RRULE '{rule_value}' says, " + _bounds(
            parts, start, tz) + f" ({timezone_name} time)"
    times = _times(parts, start)
    cadence = "" if times.endswith("past every hour") and parts.get("INTERVAL", "1") == "1" \
        else _cadence(parts)
    months = parts.get("BYMONTH", "").split(",") if "BYMONTH" in parts else []
    month_days = parts.get("BYMONTHDAY", "").split(",") if "BYMONTHDAY" in parts else []
    one_date = len(months) == 1 and len(month_days) == 1 and int(month_days[0]) > 0
    if one_date and "BYDAY" not in parts:
        if parts["FREQ"] == "MONTHLY" and parts.get("INTERVAL", "1") == "1":
            cadence = "every year"  # one month of every month's cycle: once a year
        cadence += f" on {MONTH_LABELS[int(months[0])]} {int(month_days[0])}"  # 'on March 1'
        months = []
    else:
        cadence += _days(parts)
    pieces = [times, cadence.strip()]
    if months:
        pieces.append("only in " + join_words([MONTH_LABELS[int(m)] for m in months]))
    pieces.append(_bounds(parts, start, tz))
    return ", ".join(p for p in pieces if p) + f" ({timezone_name} time)"


def _bounds(parts: dict[str, str], start: datetime, tz: tzinfo) -> str:
    """'from 2026-11-30 until 2026-12-15', ', 4 times in all'."""
    bounds = f"from {start:%Y-%m-%d}"
    if "UNTIL" in parts:
        until = parse_until(parts["UNTIL"]).astimezone(tz)
        whole_day = (until.hour, until.minute, until.second) == (23, 59, 59)
        bounds += f" until {until:%Y-%m-%d}" if whole_day else f" until {until:%Y-%m-%d %H:%M}"
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        bounds += f", {count} time{'s' if count != 1 else ''} in all"
    return bounds


def _with_start_defaults(parts: dict[str, str], start: datetime) -> dict[str, str]:
    """Spell out the day RFC 5545 takes from DTSTART when the rule names none (raw rules)."""
    filled = dict(parts)
    has_day = {"BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"} & set(parts)
    if parts["FREQ"] == "WEEKLY" and not has_day:
        filled["BYDAY"] = DAY_CODES[(start.weekday() + 1) % 7]
    elif parts["FREQ"] in ("MONTHLY", "YEARLY") and not has_day:
        filled["BYMONTHDAY"] = str(start.day)
        if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts:
            filled["BYMONTH"] = str(start.month)
    return filled


def _times(parts: dict[str, str], start: datetime) -> str:
    """'At 09:00 and 17:00', 'At :00 and :30 past every hour' (defaults from DTSTART)."""
    minutes = [int(m) for m in parts.get("BYMINUTE", str(start.minute)).split(",")]
    if parts["FREQ"] == "MINUTELY" and "BYMINUTE" not in parts:
        return ""
    if "BYHOUR" not in parts and parts["FREQ"] in ("HOURLY", "MINUTELY"):
        return "At " + join_words([f":{m:02d}" for m in minutes]) + " past every hour"
    hours = [int(h) for h in parts.get("BYHOUR", str(start.hour)).split(",")]
    times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes]
    if len(times) > MAX_LISTED_TIMES:
        return (f"At {join_words([f':{m:02d}' for m in minutes])} past the hour, "
                f"hours {join_words([str(h) for h in hours])}")
    return "At " + join_words(times)


def _cadence(parts: dict[str, str]) -> str:
    """'every week', 'every 2 weeks'."""
    unit = UNITS[parts["FREQ"]]
    interval = int(parts.get("INTERVAL", "1"))
    return f"every {unit}" if interval == 1 else f"every {interval} {unit}s"


def _days(parts: dict[str, str]) -> str:
    """' on Monday through Friday', ' on the second-to-last Friday', ' on day 1 of the month'."""
    text = ""
    if "BYDAY" in parts:
        names = []
        items = sorted(parts["BYDAY"].split(","), key=lambda i: (DAY_CODES.index(i[-2:]) + 6) % 7)
        for item in items:
            label = WEEKDAY_LABELS[DAY_CODES.index(item[-2:])]
            prefix = item[:-2].lstrip("+")
            names.append(f"the {NTH_WORDS.get(int(prefix), prefix)} {label}" if prefix else label)
        order = [(DAY_CODES.index(i) + 6) % 7 for i in items if len(i) == 2]
        if len(order) == len(items) >= 3 and order == list(range(order[0], order[0] + len(order))):
            names = [f"{names[0]} through {names[-1]}"]  # 'Monday through Friday'
        text += " on " + join_words(names)
    if "BYWEEKNO" in parts:
        weeks = parts["BYWEEKNO"].split(",")
        label = "ISO week" if len(weeks) == 1 else "ISO weeks"
        text += f" in {label} " + join_words(weeks)
    if "BYMONTHDAY" in parts:
        days = []
        for item in parts["BYMONTHDAY"].split(","):
            value = int(item)
            days.append(f"day {value}" if value > 0 else f"the {NTH_WORDS.get(value, item)} day")
        text += " on " + join_words(days) + " of the month"
    return text


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' (no Oxford comma); '' for none."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
