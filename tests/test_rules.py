"""Calendar rules (DESIGN.md §11): what the parser makes of every-N and bounded wordings, the
issue-13 families that used to come out wrong, raw RRULE lines, the compiled rule the runner
uses, and the cron-or-refuse rule for hosted backends.

Reference: Saturday 2026-11-28 13:00 in Berlin (12:00 UTC), zone Europe/Berlin.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from agentcron.backends.hosted.common import rule_as_cron_schedule
from agentcron.cadence.api import translate_text
from agentcron.cadence.language.parse import parse_schedule
from agentcron.cadence.rrule.cron_bridge import cron_rule_parts, rule_as_cron
from agentcron.cadence.rrule.evaluate import compile_rule, join_rule
from agentcron.cadence.timeline import next_runs
from agentcron.errors import CapabilityError, ScheduleError
from agentcron.models import Schedule

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
TZ = "Europe/Berlin"


def parse(text: str, now: datetime = NOW) -> Schedule:
    return parse_schedule(text, timezone=TZ, now=now)


def runs(text: str, count: int = 4) -> list[str]:
    return translate_text(text, TZ, NOW).next_runs[:count]


# --- every N weeks / days / months / years ------------------------------------------------------

EVERY_N = [
    ("every other monday at 9am", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
    ("every 2 weeks on friday at 5pm", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=17;BYMINUTE=0",
     "2026-12-04T17:00:00+01:00"),
    ("biweekly on fridays at 9", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=9;BYMINUTE=0",
     "2026-12-04T09:00:00+01:00"),
    ("every alternate tuesday at 14:15", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=14;BYMINUTE=15",
     "2026-12-01T14:15:00+01:00"),
    ("every 3 weeks on wednesday at noon", "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE;BYHOUR=12;BYMINUTE=0",
     "2026-12-02T12:00:00+01:00"),
    ("every other week on monday and thursday at 10:30",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=10;BYMINUTE=30", "2026-11-30T10:30:00+01:00"),
    ("every other day at 9am", "FREQ=DAILY;INTERVAL=2;BYHOUR=9;BYMINUTE=0",
     "2026-11-29T09:00:00+01:00"),
    ("every 3 days at 7pm", "FREQ=DAILY;INTERVAL=3;BYHOUR=19;BYMINUTE=0",
     "2026-11-28T19:00:00+01:00"),
    ("every second day at 9", "FREQ=DAILY;INTERVAL=2;BYHOUR=9;BYMINUTE=0",
     "2026-11-29T09:00:00+01:00"),
    ("every 5 months on the first monday", "FREQ=MONTHLY;INTERVAL=5;BYDAY=+1MO;BYHOUR=0;BYMINUTE=0",
     "2026-12-07T00:00:00+01:00"),
    ("every 3 years on march 1",
     "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYMONTHDAY=1;BYHOUR=0;BYMINUTE=0",
     "2027-03-01T00:00:00+01:00"),
    ("every other year on july 4 at 9",
     "FREQ=YEARLY;INTERVAL=2;BYMONTH=7;BYMONTHDAY=4;BYHOUR=9;BYMINUTE=0",
     "2027-07-04T09:00:00+02:00"),
]


@pytest.mark.parametrize(("text", "rule", "starts_at"), EVERY_N)
def test_every_n_becomes_a_rule_phased_on_its_first_run(text: str, rule: str, starts_at: str) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.rrule, schedule.starts_at) == ("rrule", rule, starts_at)
    assert schedule.cron is None and schedule.interval_seconds is None
    assert next_runs(schedule, NOW, 1)[0].isoformat() == starts_at


def test_every_other_monday_fires_every_fourteen_days_at_nine_berlin_time() -> None:
    assert runs("every other monday at 9am") == [
        "2026-11-30T09:00:00+01:00", "2026-12-14T09:00:00+01:00",
        "2026-12-28T09:00:00+01:00", "2027-01-11T09:00:00+01:00",
    ]


def test_every_n_without_a_day_or_time_stays_an_interval() -> None:
    assert parse("every other week").kind == "interval"
    assert parse("every 14 days").interval_seconds == 14 * 86400


def test_months_that_divide_a_year_stay_cron() -> None:
    assert parse("every 2 months on the 5th").cron == "0 0 5 */2 *"


# --- starts, ends and counts --------------------------------------------------------------------

BOUNDED = [
    ("every day at 8am for the next 2 weeks",
     "FREQ=DAILY;UNTIL=20261212T120000Z;BYHOUR=8;BYMINUTE=0", "2026-11-29T08:00:00+01:00"),
    ("every weekday at 9am until december 15",
     "FREQ=WEEKLY;UNTIL=20261215T225959Z;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
    ("every day at 9am starting december 1", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0",
     "2026-12-01T09:00:00+01:00"),
    ("every day at 6pm from december 1 until december 24",
     "FREQ=DAILY;UNTIL=20261224T225959Z;BYHOUR=18;BYMINUTE=0", "2026-12-01T18:00:00+01:00"),
    ("every day at 7am 5 times", "FREQ=DAILY;COUNT=5;BYHOUR=7;BYMINUTE=0",
     "2026-11-29T07:00:00+01:00"),
    ("every monday at 9am, 3 times", "FREQ=WEEKLY;COUNT=3;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
    ("every day at 8, 10 runs", "FREQ=DAILY;COUNT=10;BYHOUR=8;BYMINUTE=0",
     "2026-11-29T08:00:00+01:00"),
    ("every monday at 9 for 6 occurrences", "FREQ=WEEKLY;COUNT=6;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
    ("every tuesday until april", "FREQ=WEEKLY;UNTIL=20270430T215959Z;BYDAY=TU;BYHOUR=0;BYMINUTE=0",
     "2026-12-01T00:00:00+01:00"),
    ("every day at 9 until 2026-12-31", "FREQ=DAILY;UNTIL=20261231T225959Z;BYHOUR=9;BYMINUTE=0",
     "2026-11-29T09:00:00+01:00"),
    ("every weekday at 9 until the end of the year",
     "FREQ=WEEKLY;UNTIL=20261231T225959Z;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
    ("every day at 8 until the end of the month",
     "FREQ=DAILY;UNTIL=20261130T225959Z;BYHOUR=8;BYMINUTE=0", "2026-11-29T08:00:00+01:00"),
    ("every other monday at 9am until december 15",
     "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261215T225959Z;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
     "2026-11-30T09:00:00+01:00"),
]


@pytest.mark.parametrize(("text", "rule", "starts_at"), BOUNDED)
def test_starts_ends_and_counts_become_rules(text: str, rule: str, starts_at: str) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.rrule, schedule.starts_at) == ("rrule", rule, starts_at)


def test_an_end_date_includes_that_whole_local_day() -> None:
    fires = next_runs(parse("every day at 11:30pm until december 2"), NOW, 10)
    assert [f.isoformat() for f in fires] == [
        "2026-11-28T23:30:00+01:00", "2026-11-29T23:30:00+01:00",
        "2026-11-30T23:30:00+01:00", "2026-12-01T23:30:00+01:00", "2026-12-02T23:30:00+01:00",
    ]


def test_a_count_ends_the_rule_and_then_it_has_no_next_run() -> None:
    schedule = parse("every monday at 9am, 3 times")
    fires = next_runs(schedule, NOW, 10)
    assert len(fires) == 3
    rule = compile_rule(schedule.rrule or "", schedule.starts_at or "", TZ)
    assert rule.next_after(fires[-1]) is None


def test_an_every_other_span_keeps_its_phase_when_bounded() -> None:
    fires = [f.isoformat() for f in next_runs(parse("every other monday at 9am until december 15"), NOW, 5)]
    assert fires == ["2026-11-30T09:00:00+01:00", "2026-12-14T09:00:00+01:00"]


def test_description_names_cadence_bounds_and_zone() -> None:
    description = translate_text("every other monday at 9am until december 15", TZ, NOW).description
    assert description == (
        "At 09:00, every 2 weeks on Monday, from 2026-11-30 until 2026-12-15 (Europe/Berlin time)"
    )


def test_translation_fields_for_a_rule() -> None:
    result = translate_text("every other day at 9am", TZ, NOW)
    assert result.kind == "rrule" and result.portable is False
    assert result.rrule == "FREQ=DAILY;INTERVAL=2;BYHOUR=9;BYMINUTE=0"
    assert result.starts_at == "2026-11-29T09:00:00+01:00"
    assert result.next_runs[:2] == ["2026-11-29T09:00:00+01:00", "2026-12-01T09:00:00+01:00"]


# --- issue 13: the four families that came out wrong ------------------------------------------


@pytest.mark.parametrize(
    ("text", "run_at"),
    [
        ("the 3rd thursday in april at 10", "2027-04-15T10:00:00+02:00"),
        ("the first monday in may at 9", "2027-05-03T09:00:00+02:00"),
        ("the last friday of june at 5pm", "2027-06-25T17:00:00+02:00"),
        ("second tuesday of november", "2027-11-09T00:00:00+01:00"),
        ("the last day of february", "2027-02-28T00:00:00+01:00"),
        ("the second to last friday of march at 9", "2027-03-19T09:00:00+01:00"),
        ("the first sunday in december at 10", "2026-12-06T10:00:00+01:00"),
        ("third thursday of april 2028 at 10", "2028-04-20T10:00:00+02:00"),
    ],
)
def test_family_a_a_weekday_of_a_named_month_without_every_is_a_one_off(text: str, run_at: str) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.run_at) == ("once", run_at)


def test_family_a_with_every_it_is_still_yearly() -> None:
    assert parse("every 3rd thursday in april at 10").cron == "0 10 * 4 4#3"
    assert parse("first monday of january every year").cron == "0 0 * 1 1#1"
    assert parse("the first monday in every april").cron == "0 0 * 4 1#1"
    assert parse("the 3rd thursday in april at 10 each year").cron == "0 10 * 4 4#3"


def test_family_b_a_month_span_is_bounded_and_agrees_with_until() -> None:
    span = parse("every tuesday from october until april except in december")
    assert span.kind == "rrule" and span.starts_at == "2027-10-05T00:00:00+02:00"
    assert "UNTIL=20280430T215959Z" in (span.rrule or "")
    fires = next_runs(span, NOW, 40)
    assert fires[0].isoformat() == "2027-10-05T00:00:00+02:00"  # never before the span starts
    assert all(f.month != 12 for f in fires)
    assert fires[-1] <= datetime(2028, 4, 30, 22, 0, tzinfo=timezone.utc)
    alone = parse("every tuesday until april")
    assert alone.kind == "rrule" and "UNTIL=20270430T215959Z" in (alone.rrule or "")


def test_family_b_a_season_said_with_to_is_every_year() -> None:
    assert parse("every day from november to february").cron == "0 0 * 1,2,11,12 *"


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("daily at 12a", "0 0 * * *"),
        ("daily at 12p", "0 12 * * *"),
        ("every day at 3p", "0 15 * * *"),
        ("every day at 9:30p", "30 21 * * *"),
        ("daily at 12 a", "0 0 * * *"),
        ("daily at 12 p", "0 12 * * *"),
        ("at 3 p every day", "0 15 * * *"),
        ("every day at 1230a", "30 0 * * *"),
        ("weekdays at 7a", "0 7 * * 1-5"),
    ],
)
def test_family_c_one_letter_meridiem_is_read(text: str, cron: str) -> None:
    assert parse(text).cron == cron


def test_family_c_a_bare_time_is_its_next_occurrence() -> None:
    # NOW is 13:00 in Berlin: 3pm is still ahead today (a bare time is read as reminder bots do).
    schedule = parse("3p")
    assert schedule.kind == "once"
    assert schedule.run_at == "2026-11-28T15:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("every 2nd day of the month", "0 0 2 * *"),
        ("every second day of every month", "0 0 2 * *"),
        ("every 2nd day in the month at 8", "0 8 2 * *"),
        ("every 15th day of the month at 9", "0 9 15 * *"),
    ],
)
def test_family_d_nth_day_of_the_month_is_a_day_not_an_interval(text: str, cron: str) -> None:
    assert parse(text).cron == cron


def test_family_d_every_second_day_alone_is_still_every_two_days() -> None:
    assert parse("every 2nd day").interval_seconds == 2 * 86400


# --- shared readings and honest refusals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("minutely", "* * * * *"),
        ("beginning of each month", "0 0 1 * *"),
        ("start of the month", "0 0 1 * *"),
        ("at the start of each month at 9am", "0 9 1 * *"),
        ("each month at the end", "0 0 L * *"),
        ("monthly at the beginning", "0 0 1 * *"),
        ("end of each month at 6pm", "0 18 L * *"),
        ("every month start", "0 0 1 * *"),
        ("each month end", "0 0 L * *"),
    ],
)
def test_shared_readings(text: str, cron: str) -> None:
    assert parse(text).cron == cron


@pytest.mark.parametrize(
    "text", ["every month on the 2nd last friday", "the penultimate friday of every month",
             "every month on the second-to-last friday"],
)
def test_ordinal_from_the_end_is_a_rule(text: str) -> None:
    schedule = parse(text)
    assert schedule.kind == "rrule" and "BYDAY=-2FR" in (schedule.rrule or "")
    assert next_runs(schedule, NOW, 1)[0].isoformat() == "2026-12-18T00:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("every 2 years", "needs the day it runs on"),
        ("every 90 minutes until friday", "elapsed time"),
        ("tomorrow at 9 until friday", "needs a repeating schedule"),
        ("every day at 9am until 2026-11-01", "already past"),
        ("every day at 9 for 1.5 days", "whole number"),
        ("every day at 9am until further notice", "could not read a time of day or a date"),
        ("every third thursday of april 2027", "names one year"),
        ("every 3rd week of the month", "inside a longer period"),
        ("every 2nd day of the week", "inside a longer period"),
    ],
)
def test_refusals_name_the_real_reason(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    message = str(caught.value)
    assert fragment in message and "'" in message


# --- raw RRULE lines --------------------------------------------------------------------------------


def test_raw_rrule_with_dtstart_and_tzid() -> None:
    text = "DTSTART;TZID=America/New_York:20261201T090000\nRRULE:FREQ=DAILY;COUNT=3"
    schedule = parse(text)
    assert (schedule.kind, schedule.timezone, schedule.rrule, schedule.starts_at) == (
        "rrule", "America/New_York", "FREQ=DAILY;COUNT=3", "2026-12-01T09:00:00-05:00")
    assert len(next_runs(schedule, NOW, 10)) == 3


def test_raw_rrule_without_dtstart_starts_now_and_local_until_becomes_utc() -> None:
    schedule = parse("rrule:freq=monthly;byday=-2fr;byhour=9;byminute=0;until=20270601")
    assert schedule.rrule == "FREQ=MONTHLY;UNTIL=20270601T215959Z;BYDAY=-2FR;BYHOUR=9;BYMINUTE=0"
    assert schedule.starts_at == "2026-11-28T13:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("RRULE:FREQ=SECONDLY", "FREQ"),
        ("RRULE:FREQ=DAILY;BYDAY=XX", "not valid"),
        ("RRULE:FREQ=DAILY;FOO=1", "'FOO'"),
        ("DTSTART:20200101T090000Z RRULE:FREQ=DAILY;COUNT=2", "already ended"),
        ("RRULE:FREQ=DAILY;BYSECOND=30", "whole minutes"),
        ("RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("DTSTART:19700101T000000Z RRULE:FREQ=MINUTELY", "closer to now"),
    ],
)
def test_raw_rrule_refusals(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleError, match=fragment):
        parse(text)


# --- the compiled rule the runner uses ------------------------------------------------------------


def test_compiled_rules_are_cached_and_answer_strictly_after() -> None:
    schedule = parse("every other monday at 9am")
    rule = compile_rule(schedule.rrule or "", schedule.starts_at or "", TZ)
    assert compile_rule(schedule.rrule or "", schedule.starts_at or "", TZ) is rule
    first = rule.next_after(NOW)
    assert first is not None and first.isoformat() == "2026-11-30T09:00:00+01:00"
    assert rule.next_after(first) == first + timedelta(days=14)
    assert rule.next_after(first - timedelta(seconds=1)) == first
    far = rule.next_after(datetime(2030, 6, 1, tzinfo=timezone.utc))
    assert far is not None and (far - first).days % 14 == 0
    assert rule.next_after(NOW) == first  # going back in time still answers from the cache


def test_until_ends_the_rule() -> None:
    schedule = parse("every day at 9am until december 1")
    rule = compile_rule(schedule.rrule or "", schedule.starts_at or "", TZ)
    last = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    assert rule.next_after(last - timedelta(minutes=1)) == last
    assert rule.next_after(last) is None


# --- cron <-> rule, and hosted backends ---------------------------------------------------------


@pytest.mark.parametrize(
    "expr", ["0 9 * * 1-5", "*/15 * * * *", "0 9 * * 1#2", "0 18 L * *", "0 0 1 */2 *",
             "0 10 * 4 4#3", "0 20 * * L0", "30 8 1,15 * *"],
)
def test_a_cron_restated_as_a_rule_converts_back(expr: str) -> None:
    rule = join_rule(cron_rule_parts(expr))
    assert rule_as_cron(rule, "2026-11-28T00:00:00+01:00", TZ, NOW) == expr


def test_hosted_backends_get_cron_for_a_rule_that_is_exactly_cron() -> None:
    schedule = parse("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=30")
    converted = rule_as_cron_schedule(schedule, "toolhouse", NOW)
    assert (converted.kind, converted.cron, converted.timezone) == ("cron", "30 9 * * 1,3", TZ)


@pytest.mark.parametrize(
    "text", ["every other monday at 9am", "every weekday at 9am until december 15",
             "every day at 9am starting december 1", "every month on the 2nd last friday"],
)
def test_hosted_backends_refuse_other_rules_naming_the_backend(text: str) -> None:
    with pytest.raises(CapabilityError, match="The unique backend does not support calendar rules"):
        rule_as_cron_schedule(parse(text), "unique", NOW)


def test_task_service_refuses_before_any_request() -> None:
    from agentcron.backends.base import Capabilities
    from agentcron.tasks import TaskService

    class Hosted:
        name = "handinger"
        capabilities = Capabilities()

        def __getattr__(self, item: str) -> object:
            raise AssertionError(f"no request expected, got {item}")

    service = TaskService(Hosted(), TZ, lambda: NOW)  # type: ignore[arg-type]
    with pytest.raises(CapabilityError, match="handinger"):
        service.parse_schedule("every other monday at 9am", None)
    assert service.parse_schedule("RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=0", None).cron == "0 9 * * *"
    asyncio.run(asyncio.sleep(0))


def test_an_ordinal_from_the_end_keeps_its_place_in_every_n_months() -> None:
    assert parse("every 5 months on the 2nd last friday").rrule == (
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=-2FR;BYHOUR=0;BYMINUTE=0")


@pytest.mark.parametrize("text", ["every monday 3 times", "every weekday 3 times"])
def test_n_times_that_could_be_a_rate_is_refused_with_both_readings(text: str) -> None:
    with pytest.raises(ScheduleError, match="ambiguous.*a day at 9am.*in total"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "cron"),
    [("every day 3 times", "0 */8 * * *"),
     ("every day 3 times at 9am, 1pm and 6pm", "0 9,13,18 * * *")],
)
def test_n_times_right_after_the_period_is_a_rate(text: str, cron: str) -> None:
    assert parse(text).cron == cron  # issue 20: 'each day 3 times' is 3 times a day


def test_a_month_step_with_a_start_is_phased_on_the_start() -> None:
    schedule = parse("every 3 months starting february")
    assert schedule.rrule == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;BYHOUR=0;BYMINUTE=0"
    assert [f.month for f in next_runs(schedule, NOW, 4)] == [2, 5, 8, 11]


def test_an_interval_with_a_start_is_refused_with_a_pinned_wording() -> None:
    with pytest.raises(ScheduleError, match="every 2 weeks on monday at 9am starting"):
        parse("every 10 days starting monday")


def test_every_n_weeks_from_a_start_day_runs_on_that_weekday() -> None:
    # Issue 20: a week cadence that names no weekday takes it from its start (start_day.py).
    schedule = parse("every 2 weeks starting monday")
    assert schedule.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=0;BYMINUTE=0"


def test_an_end_with_a_clock_time_is_described_with_it() -> None:
    description = translate_text("every 30 minutes for 3 hours", TZ, NOW).description
    assert description.endswith("until 2026-11-28 16:00 (Europe/Berlin time)")
    assert len(translate_text("every 30 minutes for 3 hours", TZ, NOW).next_runs) == 5


def test_a_long_running_rule_keeps_bounded_memory_and_still_answers_earlier_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agentcron.cadence.rrule import evaluate as rules

    monkeypatch.setattr(rules, "MAX_KEPT", 200)
    rule = rules.CompiledRule("FREQ=HOURLY;BYMINUTE=0,30", "2026-11-28T13:00:00+01:00", TZ)
    later = datetime(2026, 12, 28, 12, 0, tzinfo=timezone.utc)
    assert rule.next_after(later) == later + timedelta(minutes=30)
    assert len(rule._walls) <= 400
    assert rule.next_after(NOW) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "bymonthday", "first"),
    [
        ("the 2nd last day of the month", "-2", "2026-11-29T00:00:00+01:00"),
        ("every month on the 3rd last day at 9", "-3", "2026-12-29T09:00:00+01:00"),
        ("the penultimate day of every month at 18:00", "-2", "2026-11-29T18:00:00+01:00"),
    ],
)
def test_days_counted_from_the_month_end_are_rules(text: str, bymonthday: str, first: str) -> None:
    schedule = parse(text)
    assert f"BYMONTHDAY={bymonthday}" in (schedule.rrule or "")
    assert next_runs(schedule, NOW, 1)[0].isoformat() == first


def test_a_day_from_the_end_of_a_named_month_is_a_one_off() -> None:
    schedule = parse("the second to last day of february")
    assert (schedule.kind, schedule.run_at) == ("once", "2027-02-27T00:00:00+01:00")


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("DTSTART;TZID=Europe/Berlin:20261202T083000 RRULE:FREQ=WEEKLY;INTERVAL=3",
         "At 08:30, every 3 weeks on Wednesday, from 2026-12-02 (Europe/Berlin time)"),
        ("DTSTART;TZID=Europe/Berlin:20261202T083000 RRULE:FREQ=YEARLY",
         "At 08:30, every year on December 2, from 2026-12-02 (Europe/Berlin time)"),
        ("RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=17;BYMINUTE=0",
         "At 17:00, as the RRULE 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=17;BYMINUTE=0;"
         "BYSETPOS=-1' says, from 2026-11-28 (Europe/Berlin time)"),
    ],
)
def test_raw_rules_are_described_with_their_implicit_day_or_quoted(text: str, description: str) -> None:
    assert translate_text(text, TZ, NOW).description == description
