"""Between cron and calendar rules: a cron restated as an RRULE (for schedules that gain a
start or an end, or repeat every N weeks/days/months), and an RRULE that is exactly a cron
restated as that cron (for backends that only run cron).

Why the check by fires: a rule and a cron are only interchangeable when they fire at the
same instants, so `rule_as_cron` compares the first CHECK_RUNS fires of both and returns
nothing rather than a near miss.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice

from agentcron.cadence.cron import _parse_field, iter_fires, normalise_cron
from agentcron.cadence.rrule.evaluate import compile_rule, local_wall, split_rule
from agentcron.cadence.zones import zone
from agentcron.errors import ScheduleError

DAY_CODES = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
CHECK_RUNS = 60
NTH_MAX = 5


def cron_rule_parts(expr: str, freq: str | None = None, interval: int = 1) -> dict[str, str]:
    """The RRULE parts that fire where the normalised cron `expr` fires, repeated every
    `interval` units of `freq` (default: the natural unit of the cron)."""
    fields = [_parse_field(i, part) for i, part in enumerate(expr.split(" "))]
    minute, hour, dom, month, dow = fields
    parts: dict[str, str] = {}
    all_hours = hour.values == frozenset(range(24)) and not hour.specials
    days: list[str] = [DAY_CODES[d] for d in sorted(dow.values)] if len(dow.values) < 7 else []
    for special in dow.specials:
        if special.startswith("L"):
            days.append(f"-1{DAY_CODES[int(special[1:])]}")
        else:
            day, nth = special.split("#")
            days.append(f"+{nth}{DAY_CODES[int(day)]}")
    nth_days = any(d[0] in "+-" for d in days)
    month_days: list[str] = []
    if len(dom.values) < 31 or dom.specials:
        month_days = [str(v) for v in sorted(dom.values)] if len(dom.values) < 31 else []
        month_days += ["-1"] if "L" in dom.specials else []
    if freq is None:
        if all_hours and not nth_days:
            freq = "HOURLY"
        elif month_days or nth_days:
            freq = "MONTHLY"
        elif days:
            freq = "WEEKLY"
        else:
            freq = "DAILY"
    parts["FREQ"] = freq
    parts["INTERVAL"] = str(interval)
    if len(month.values) < 12:
        parts["BYMONTH"] = ",".join(str(v) for v in sorted(month.values))
    if month_days:
        parts["BYMONTHDAY"] = ",".join(month_days)
    if days:
        parts["BYDAY"] = ",".join(days)
    if not (all_hours and freq in ("HOURLY", "MINUTELY")):
        parts["BYHOUR"] = ",".join(str(v) for v in sorted(hour.values))
    parts["BYMINUTE"] = ",".join(str(v) for v in sorted(minute.values))
    return parts


def rule_as_cron(rule_value: str, starts_at: str, timezone_name: str, now: datetime) -> str | None:
    """The cron that fires exactly where the rule fires from `now` on, or None.

    Only a rule with INTERVAL=1, no COUNT or UNTIL, no start still ahead, and parts cron has
    can be one; the first CHECK_RUNS fires of both are compared to be sure.
    """
    parts = split_rule(rule_value)
    if parts.get("INTERVAL", "1") != "1" or {"COUNT", "UNTIL", "BYSETPOS", "BYWEEKNO",
                                              "BYYEARDAY"} & set(parts):
        return None
    if parts.get("BYSECOND", "0") != "0":
        return None
    start = local_wall(starts_at, zone(timezone_name))
    freq = parts["FREQ"]
    minute = parts.get("BYMINUTE") or ("*" if freq == "MINUTELY" else str(start.minute))
    hour = parts.get("BYHOUR") or ("*" if freq in ("HOURLY", "MINUTELY") else str(start.hour))
    month = parts.get("BYMONTH", "*")
    dom = _cron_month_days(parts.get("BYMONTHDAY"))
    dow = _cron_days(parts.get("BYDAY"), freq, month != "*")
    if dom is None or dow is None or (dom != "*" and dow != "*"):
        return None
    if dom == "*" and dow == "*":
        if freq == "WEEKLY":
            dow = str((start.weekday() + 1) % 7)
        elif freq in ("MONTHLY", "YEARLY"):
            dom = str(start.day)
            if freq == "YEARLY" and month == "*":
                month = str(start.month)
    try:
        expr = normalise_cron(f"{minute} {hour} {dom} {month} {dow}")
    except ScheduleError:
        return None
    tz = zone(timezone_name)
    rule_fires = list(islice(compile_rule(rule_value, starts_at, timezone_name).iter_after(now),
                             CHECK_RUNS))
    cron_fires = [instant for instant, _ in islice(iter_fires(expr, tz, now), CHECK_RUNS)]
    if len(rule_fires) < CHECK_RUNS or rule_fires != cron_fires:
        return None
    return expr


def _cron_month_days(value: str | None) -> str | None:
    """BYMONTHDAY as a cron day-of-month ('*', '1,15', 'L'); None when cron has no such day."""
    if value is None:
        return "*"
    items = value.split(",")
    if items == ["-1"]:
        return "L"
    if all(item.isdigit() and 1 <= int(item) <= 31 for item in items):
        return ",".join(items)
    return None


def _cron_days(value: str | None, freq: str, has_months: bool) -> str | None:
    """BYDAY as a cron day-of-week ('1-5', '1#2', 'L5'); None when cron has no such day."""
    if value is None:
        return "*"
    out: list[str] = []
    for item in value.split(","):
        code, prefix = item[-2:], item[:-2].lstrip("+")
        if code not in DAY_CODES:
            return None
        day = DAY_CODES.index(code)
        if not prefix:
            out.append(str(day))
            continue
        if freq not in ("MONTHLY", "YEARLY") or (freq == "YEARLY" and not has_months):
            return None
        try:
            nth = int(prefix)
        except ValueError:
            return None
        if nth == -1:
            out.append(f"L{day}")
        elif 1 <= nth <= NTH_MAX:
            out.append(f"{day}#{nth}")
        else:
            return None
    return ",".join(out)
