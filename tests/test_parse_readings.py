"""Issue 20: wordings people write that the grammar now reads, each with the reading stated
in the description, and the near misses it must still refuse (a wrong schedule is worse than
an error). One-offs resolve against NOW, a Wednesday morning in UTC."""

from __future__ import annotations

import ast
import pathlib
from datetime import UTC, datetime

import pytest
from agentcron.cadence.api import translate_text
from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.language import spelling
from agentcron.cadence.language.parse import parse_schedule
from agentcron.errors import ScheduleError
from agentcron.models import Schedule

NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # Wednesday
LANGUAGE = pathlib.Path(spelling.__file__).parent


def parse(text: str, tz: str = "UTC") -> Schedule:
    return parse_schedule(text, timezone=tz, now=NOW)


def describe(text: str, tz: str = "UTC") -> str:
    return translate_text(text, tz, NOW).description


def refused(text: str) -> str:
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    return str(caught.value)


# --- misspelt day and month names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron", "reading"),
    [
        ("every thrusday at 9am", "0 9 * * 4", "'thrusday' as Thursday"),
        ("every satruday", "0 0 * * 6", "'satruday' as Saturday"),
        ("wendesday and frday at 17:00", "0 17 * * 3,5", "'frday' as Friday"),
        ("every mondy at 8", "0 8 * * 1", "'mondy' as Monday"),
        ("tuseday mornings at 7", "0 7 * * 2", "'tuseday' as Tuesday"),
        ("first wedensday of the month at 10am", "0 10 * * 3#1", "'wedensday' as Wednesday"),
        ("every day in agust at noon", "0 12 * 8 *", "'agust' as August"),
        ("every year on decmber 31 at 23:00", "0 23 31 12 *", "'decmber' as December"),
        ("sundya at 6pm", None, "'sundya' as Sunday"),
    ],
)
def test_one_edit_from_one_name_is_read_and_stated(
    text: str, cron: str | None, reading: str
) -> None:
    if cron is not None:
        assert parse(text).cron == normalise_cron(cron)
    assert reading in describe(text)


def test_a_misspelt_month_in_a_date_is_read() -> None:
    schedule = parse("on septmber 3 at 9am")
    assert schedule.run_at == "2026-09-03T09:00:00+00:00"


@pytest.mark.parametrize(
    "text",
    [
        "every match at 9am",  # one edit from 'march', but an everyday word
        "every juy at 9am",  # too short to guess from
        "every juli",  # one edit from 'july' and from 'julie'
        "every mayo",  # one edit from 'may', a name too short to be a target
        "every sundae",  # an everyday word
        "every fridges",  # two edits
    ],
)
def test_words_that_are_not_surely_a_name_are_refused_by_name(text: str) -> None:
    word = text.split()[1]
    assert f"Could not understand {word!r}" in refused(text)


def test_no_word_the_grammar_knows_is_ever_repaired() -> None:
    """'thru' is one edit from 'thur': every word the grammar uses must stay itself."""
    words = set()
    for module in LANGUAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            value = getattr(node, "value", None)
            if isinstance(node, ast.Constant) and isinstance(value, str) and value.isalpha():
                words.add(value.lower())
    assert [w for w in sorted(words) if spelling.repair_word(w) is not None] == []
    assert parse("monday thru friday at 6:45").cron == normalise_cron("45 6 * * 1-5")


# --- a bare time of day, numeric dates --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "run_at", "day"),
    [
        ("at 9am", "2026-03-12T09:00:00+00:00", "tomorrow"),
        ("09:30", "2026-03-12T09:30:00+00:00", "tomorrow"),
        ("remind me at 11:30am", "2026-03-11T11:30:00+00:00", "today"),
        ("at 5 in the evening", "2026-03-11T17:00:00+00:00", "today"),
        ("at noon", "2026-03-11T12:00:00+00:00", "today"),
        ("at 21:15", "2026-03-11T21:15:00+00:00", "today"),
    ],
)
def test_a_bare_time_is_its_next_occurrence_and_says_so(text: str, run_at: str, day: str) -> None:
    assert parse(text).run_at == run_at
    assert f"as its next occurrence, {day}" in describe(text)


def test_a_bare_time_follows_the_zone_and_dst() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29: it runs at the first instant after the gap.
    schedule = parse_schedule("at 02:30", timezone="Europe/Berlin",
                              now=datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert schedule.run_at == "2026-03-29T03:00:00+02:00"


@pytest.mark.parametrize(("text", "readings"), [("at 7", ("07:00", "19:00")),
                                              ("9:30", ("09:30", "21:30")),
                                              ("half past 3", ("03:30", "15:30")),
                                              ("at 12", ("12:00", "00:00"))])
def test_a_bare_twelve_hour_time_names_both_readings(text: str, readings: tuple) -> None:
    message = refused(text)
    assert "names no day" in message and all(r in message for r in readings)


def test_two_bare_times_are_still_refused() -> None:
    assert "which day or how often" in refused("at 9am and 6pm")


@pytest.mark.parametrize(
    ("text", "run_at", "reading"),
    [
        ("on 25/12 at 9am", "2026-12-25T09:00:00+00:00", "'25/12' as 25 December"),
        ("13/04 at 8:00", "2026-04-13T08:00:00+00:00", "'13/04' as 13 April"),
        ("on 04/13 at 8:00", "2026-04-13T08:00:00+00:00", "'04/13' as 13 April"),
        ("on 31/12/2026 at 23:59", "2026-12-31T23:59:00+00:00", "31 December 2026"),
        ("on 5/5 at 10:00", "2026-05-05T10:00:00+00:00", "'5/5' as 5 May"),
    ],
)
def test_a_numeric_date_with_one_real_reading_is_read(text: str, run_at: str, reading: str) -> None:
    assert parse(text).run_at == run_at
    assert reading in describe(text)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("on 05/06 at 9am", ("5 June", "May 6")),
        ("on 1/2", ("1 February", "January 2")),
        ("every year on 3/4 at noon", ("3 April", "March 4")),
    ],
)
def test_a_numeric_date_with_two_readings_names_both(text: str, readings: tuple[str, str]) -> None:
    message = refused(text)
    assert "ambiguous" in message and all(r in message for r in readings)


def test_a_numeric_date_real_in_neither_order_is_refused() -> None:
    assert "not a real date" in refused("on 13/13 at 9am")


def test_24_7_means_all_the_time() -> None:
    assert parse("every hour 24/7").cron == "0 * * * *"


# --- minutes and hours by their number ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("on the hour and at half past", "0,30 * * * *"),
        ("every hour on the hour and at half past", "0,30 * * * *"),
        ("at quarter past and quarter to every hour", "15,45 * * * *"),
        ("on the hour, at quarter past, at half past and at quarter to", "*/15 * * * *"),
        ("5 minutes to the hour", "55 * * * *"),
        ("every hour at 10 minutes before the hour", "50 * * * *"),
        ("the last minute of every hour", "59 * * * *"),
        ("every minute during the last 10 minutes of each hour", "50-59 * * * *"),
        ("every minute in the first 10 minutes of every hour", "0-9 * * * *"),
        ("every 2 minutes during the first 20 minutes of the hour", "0-18/2 * * * *"),
        ("every even hour", "0 */2 * * *"),
        ("at even hours", "0 */2 * * *"),
        ("every odd hour", "0 1-23/2 * * *"),
        ("odd-numbered hours", "0 1-23/2 * * *"),
        ("every even hour at :15", "15 */2 * * *"),
        ("every odd minute", "1-59/2 * * * *"),
        ("on even minutes", "*/2 * * * *"),
        ("every odd hour between 9am and 5pm", "0 9,11,13,15,17 * * *"),
        ("every even hour between 9am and 5pm on weekdays", "0 10,12,14,16 * * 1-5"),
    ],
)
def test_minutes_and_hours_by_their_number(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


def test_odd_hours_say_which_hours() -> None:
    assert "hours 1, 3, .. 23" in describe("every odd hour")


@pytest.mark.parametrize(("text", "cron", "reading"), [
    ("the last 5 minutes of every hour", "55-59 * * * *", "every minute from :55 to :59"),
    ("the first 10 minutes of each hour on weekdays", "0-9 * * * 1-5",
     "every minute from :00 to :09"),
])
def test_a_span_of_minutes_alone_is_each_of_its_minutes_and_says_so(
    text: str, cron: str, reading: str
) -> None:
    assert parse(text).cron == normalise_cron(cron)
    assert reading in describe(text)


def test_a_span_of_minutes_with_an_hourly_cadence_names_both_readings() -> None:
    message = refused("every hour in the last 5 minutes of the hour")
    assert "ambiguous" in message and "'every minute during the last 5" in message
    assert "'every hour at :55'" in message


@pytest.mark.parametrize(("text", "cron"), [("every day at 10 minutes to 6pm", "50 17 * * *"),
                                          ("every day at quarter to 6pm", "45 17 * * *")])
def test_minutes_to_a_named_hour_stay_a_time_of_day(text: str, cron: str) -> None:
    assert parse(text).cron == cron


@pytest.mark.parametrize(
    "text", ["every 30 seconds", "every second", "twice a minute", "every 0.5 minutes",
             "3 times per minute", "every 90 seconds"],
)
def test_sub_minute_cadences_name_the_one_minute_floor(text: str) -> None:
    message = refused(text)
    assert "floor is one minute" in message and "'every minute'" in message


# --- 'twice' after the period -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cron", "reading"),
    [
        ("every day twice", "0 0,12 * * *", "as twice per day"),
        ("daily twice", "0 0,12 * * *", "as twice per day"),
        ("each day 3 times", "0 0,8,16 * * *", "as 3 times per day"),
        ("every day 4 times", "0 0,6,12,18 * * *", "as 4 times per day"),
        ("every hour twice", "0,30 * * * *", "as twice per hour"),
        ("every day twice at 9am and 5pm", "0 9,17 * * *", "as twice per day"),
        ("every week twice on monday and thursday at 9am", "0 9 * * 1,4", "as twice per week"),
        ("every month twice on the 1st and 15th", "0 0 1,15 * *", "as twice per month"),
    ],
)
def test_a_count_after_the_period_is_a_rate_with_stated_defaults(
    text: str, cron: str, reading: str
) -> None:
    assert parse(text).cron == normalise_cron(cron)
    description = describe(text)
    assert reading in description


DEFAULT_DAYS_NOTE = "(the default; name the days to choose others)"


@pytest.mark.parametrize(
    ("text", "cron", "reading"),
    [
        ("every week twice", "0 0 * * 1,4", "twice per week, on Monday and Thursday"),
        ("twice a week", "0 0 * * 1,4", "'twice a week' as Monday and Thursday"),
        ("twice weekly at 9am", "0 9 * * 1,4", "'twice weekly' as Monday and Thursday"),
        ("remind me twice every week at 18:30", "30 18 * * 1,4", "as Monday and Thursday"),
        ("each week 3 times", "0 0 * * 1,3,5", "3 times per week, on Monday, Wednesday and"),
        ("three times a week at 7am", "0 7 * * 1,3,5", "as Monday, Wednesday and Friday"),
        ("3x per week at noon", "0 12 * * 1,3,5", "as Monday, Wednesday and Friday"),
        ("7 times a week at 8", "0 8 * * *", "'7 times a week' as every day"),
        ("twice a month", "0 0 1,15 * *", "'twice a month' as the 1st and the 15th"),
        ("every month twice at 10am", "0 10 1,15 * *", "twice per month, on the 1st and the"),
        ("twice monthly at 17:00", "0 17 1,15 * *", "as the 1st and the 15th"),
        ("twice a week in july", "0 0 * 7 1,4", "as Monday and Thursday"),
    ],
)
def test_a_count_per_week_or_month_without_days_takes_stated_even_defaults(
    text: str, cron: str, reading: str
) -> None:
    assert parse(text).cron == normalise_cron(cron)
    description = describe(text)
    assert reading in description
    assert DEFAULT_DAYS_NOTE in description


def test_a_count_per_week_with_a_bound_keeps_its_default_days_in_the_rule() -> None:
    schedule = parse("twice a week for the next month at 9am")
    assert "BYDAY=MO,TH" in (schedule.rrule or "")
    assert DEFAULT_DAYS_NOTE in describe("twice a week for the next month at 9am")


def test_a_default_day_in_a_dst_gap_fires_once_after_the_gap() -> None:
    """DESIGN §3: Jerusalem springs forward on Friday 2027-03-26 at 02:00, one of the default
    days of '3 times a week', so 02:30 that day fires at 03:00, once."""
    from agentcron.cadence.timeline import next_runs

    now = datetime(2027, 3, 21, 12, tzinfo=UTC)
    schedule = parse_schedule("3 times a week at 2:30am", timezone="Asia/Jerusalem", now=now)
    runs = [run.isoformat() for run in next_runs(schedule, now, 4)]
    assert runs == ["2027-03-22T02:30:00+02:00", "2027-03-24T02:30:00+02:00",
                    "2027-03-26T03:00:00+03:00", "2027-03-29T02:30:00+03:00"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("twice a week on tuesday and friday at 9", "0 9 * * 2,5"),
        ("every week twice on monday and thursday at 9am", "0 9 * * 1,4"),
        ("3 times a week on mon, tue and sat", "0 0 * * 1,2,6"),
        ("twice a month on the 5th and 20th", "0 0 5,20 * *"),
    ],
)
def test_named_days_win_over_the_default_spread(text: str, written: str) -> None:
    assert parse(text).cron == normalise_cron(written)
    assert DEFAULT_DAYS_NOTE not in describe(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4 times a week", "'4 times a week on monday, tuesday, thursday and friday at 9am'"),
        ("every week 5 times", "'5 times a week on weekdays at 9am'"),
        ("6 times a week", "'6 times a week on monday to saturday at 9am'"),
        ("10 times a week", "'every day at 9am and 5pm'"),
        ("3 times a month", "'on the 1st, 11th and 21st at 9am'"),
        ("every month 5 times", "'on the 1st, 11th and 21st at 9am'"),
        ("twice a week at 9am and 5pm", "which times on which days"),
        ("twice a week except mondays", "do not fit together"),
        ("twice a month on the last day", "needs the days"),
        ("twice a week on monday", "needs the days"),
    ],
)
def test_a_count_without_an_even_spread_is_refused_saying_what_to_write(
    text: str, message: str
) -> None:
    assert message in refused(text)


@pytest.mark.parametrize(
    "suggestion",
    ["4 times a week on monday, tuesday, thursday and friday at 9am",
     "5 times a week on weekdays at 9am", "6 times a week on monday to saturday at 9am",
     "every day at 9am and 5pm", "on the 1st, 11th and 21st at 9am"],
)
def test_what_the_refusals_suggest_is_read(suggestion: str) -> None:
    assert parse(suggestion).cron


@pytest.mark.parametrize("text", ["every day 3 times in total", "every day, 3 times",
                                  "every day at 9am 3 times"])
def test_a_count_that_closes_the_schedule_stays_a_number_of_runs(text: str) -> None:
    assert "COUNT=3" in (parse(text).rrule or "")


# --- counting from the end, ordinal lists, month edges ------------------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("the second-to-last thursday of the month at 9am", "BYDAY=-2TH"),
        ("2nd from last friday of every month", "BYDAY=-2FR"),
        ("the last but one friday of the month", "BYDAY=-2FR"),
        ("3rd from the last day of the month", "BYMONTHDAY=-3"),
        ("the 3rd from the end of the month at 9am", "BYMONTHDAY=-3"),
        ("the last but one day of the month", "BYMONTHDAY=-2"),
        ("the last but two day of each month", "BYMONTHDAY=-3"),
    ],
)
def test_counting_from_the_end_is_a_rule(text: str, part: str) -> None:
    schedule = parse(text)
    assert schedule.kind == "rrule" and part in (schedule.rrule or "")


def test_counting_from_the_end_fires_on_the_right_days() -> None:
    runs = translate_text("3rd from the last day of the month", "UTC", NOW).next_runs
    assert [r[:10] for r in runs[:3]] == ["2026-03-29", "2026-04-28", "2026-05-29"]
    assert "third-to-last day" in describe("3rd from the last day of the month")


@pytest.mark.parametrize(
    ("text", "cron", "words"),
    [
        ("the 2nd and 4th wednesday at 10am", "0 10 * * 3#2,3#4",
         "the second and fourth Wednesday of the month"),
        ("the last monday and the first friday of each month", "0 0 * * L1,5#1",
         "the first Friday and the last Monday"),
        ("first monday and last friday of the month", "0 0 * * 1#1,L5",
         "the first Monday and the last Friday"),
        ("the first and third monday and the last friday of every month at 9am",
         "0 9 * * 1#1,1#3,L5", "the first and third Monday and the last Friday"),
    ],
)
def test_ordinal_lists_are_one_schedule_described_in_words(
    text: str, cron: str, words: str
) -> None:
    assert parse(text).cron == normalise_cron(cron)
    assert words in describe(text)


def test_an_ordinal_list_of_days_in_a_named_month_asks_once_or_yearly() -> None:
    assert "every year" in refused("the first monday and the last monday of march at 9")


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("at the start of every month", "0 0 1 * *"),
        ("month beginning", "0 0 1 * *"),
        ("every month beginning at 9am", "0 9 1 * *"),
        ("the close of each month", "0 0 L * *"),
        ("at the close of every month at 5pm", "0 17 L * *"),
        ("every month at the close", "0 0 L * *"),
        ("month end", "0 0 L * *"),
    ],
)
def test_month_start_and_end_in_words(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


def test_close_of_business_is_not_a_month_end() -> None:
    assert "Could not understand 'close'" in refused("every day at close of business")


# --- spans and counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("every day at 9am no more than 5 times", 5),
        ("every day at 9am at most 5 times", 5),
        ("every day at 9am up to 5 times", 5),
        ("every day at 9am for a maximum of 5 times", 5),
        ("every day at 9am max 5 times", 5),
        ("every day at 9am for a total of 10 times", 10),
        ("every day at 9am, not more than 4 times", 4),
    ],
)
def test_an_upper_bound_on_the_runs_is_a_count(text: str, count: int) -> None:
    schedule = parse(text)
    assert f"COUNT={count}" in (schedule.rrule or "")
    assert f"{count} times in all" in describe(text)


@pytest.mark.parametrize(
    ("text", "until", "last_run"),
    [
        ("every day at 9am for at most 6 months", "UNTIL=20260911T100000Z", "2026-09-11"),
        ("every day at 9am for up to 6 months", "UNTIL=20260911T100000Z", "2026-09-11"),
        ("every day at 9am for the coming 3 weeks", "UNTIL=20260401T100000Z", "2026-04-01"),
        ("tue and thu for the next fortnight", "UNTIL=20260325T100000Z", "2026-03-24"),
        ("every monday for a fortnight", "UNTIL=20260325T100000Z", "2026-03-23"),
        ("every day at 9am for the rest of the month", "UNTIL=20260331T235959Z", "2026-03-31"),
    ],
)
def test_a_span_ends_the_schedule(text: str, until: str, last_run: str) -> None:
    from agentcron.cadence.timeline import next_runs

    schedule = parse(text)
    assert until in (schedule.rrule or "")
    runs = next_runs(schedule, NOW, 400)
    assert runs[-1].date().isoformat() == last_run


def test_a_fortnight_is_two_weeks_in_every_phrase() -> None:
    assert parse("in a fortnight").run_at == "2026-03-25T10:00:00+00:00"
    assert parse("every fortnight").interval_seconds == 14 * 86400


def test_up_to_a_time_is_still_a_window() -> None:
    assert parse("every hour up to 5pm").cron == normalise_cron("0 0-17 * * *")


def test_a_qualifier_before_something_else_is_refused() -> None:
    assert "Could not understand" in refused("every day at 9am at most tomato")


# --- every N weekends, ISO week numbers ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "interval"),
    [("every other weekend", 2), ("every 2 weekends", 2), ("every second weekend", 2),
     ("every 3 weekends at 9am", 3), ("every third weekend at 9am", 3)],
)
def test_every_n_weekends_is_saturday_and_sunday_every_n_weeks(text: str, interval: int) -> None:
    from agentcron.cadence.timeline import next_runs

    schedule = parse(text)
    assert f"INTERVAL={interval};WKST=MO;BYDAY=SU,SA" in (schedule.rrule or "")
    days = [r.date().isoformat() for r in next_runs(schedule, NOW, 4)]
    later = {2: ["2026-03-28", "2026-03-29"], 3: ["2026-04-04", "2026-04-05"]}[interval]
    assert days == ["2026-03-14", "2026-03-15", *later]


def test_a_weekend_of_the_month_is_refused() -> None:
    assert "straddle two months" in refused("every second weekend of the month")


def test_weekends_on_saturday_names_days_twice() -> None:
    assert "names days twice" in refused("every 2 weekends on saturday")


@pytest.mark.parametrize(
    ("text", "rule", "first_runs", "words"),
    [
        ("mondays in week 20", "FREQ=YEARLY;WKST=MO;BYWEEKNO=20;BYDAY=MO;BYHOUR=0;BYMINUTE=0",
         ["2026-05-11", "2027-05-17", "2028-05-15"], "on Monday in ISO week 20"),
        ("every monday of the 20th week of the year at 9am",
         "FREQ=YEARLY;WKST=MO;BYWEEKNO=20;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
         ["2026-05-11", "2027-05-17", "2028-05-15"], "in ISO week 20"),
        ("fridays in calendar weeks 1-4 at 17:00",
         "FREQ=YEARLY;WKST=MO;BYWEEKNO=1,2,3,4;BYDAY=FR;BYHOUR=17;BYMINUTE=0",
         ["2027-01-08", "2027-01-15", "2027-01-22"], "in ISO weeks 1, 2, 3 and 4"),
        ("every weekday in iso week 53", None, ["2026-12-28", "2026-12-29", "2026-12-30"],
         "in ISO week 53"),
    ],
)
def test_iso_week_numbers_are_byweekno(
    text: str, rule: str | None, first_runs: list[str], words: str
) -> None:
    result = translate_text(text, "UTC", NOW)
    if rule is not None:
        assert result.rrule == rule
    assert [r[:10] for r in result.next_runs[:3]] == first_runs
    assert words in result.description


def test_one_day_in_a_week_number_asks_once_or_yearly() -> None:
    assert "every year" in refused("monday in week 20")


def test_a_week_number_out_of_range_is_refused() -> None:
    assert "1 to 53" in refused("mondays in week 54")


# --- exceptions of single dates: refused with what to write instead -----------------------


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        ("every day except on july 4", "july 4"),
        ("every weekday except december 25", "december 25"),
        ("every day but not on the 4th of july", "4th of july"),
        ("every day except on 2026-07-04", "2026-07-04"),
        ("every day except 25/12", "25 december"),
        ("every day at 9am except christmas", "christmas"),
        ("every day except the 1st", "1st"),
    ],
)
def test_an_exception_of_one_date_is_refused_with_a_way_forward(text: str, skipped: str) -> None:
    message = refused(text)
    assert f"({skipped!r}) is not supported" in message
    assert "enabled=false" in message and "until july 3" in message


@pytest.mark.parametrize(("text", "cron"), [("every day except sundays", "0 0 * * 1-6"),
                                            ("every day except in august", "0 0 * 1-7,9-12 *")])
def test_exceptions_of_weekdays_and_months_still_work(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- which day 'every week' runs on ---------------------------------------------------------


def test_every_week_without_a_day_or_start_runs_on_sundays_and_says_so() -> None:
    result = translate_text("every week for 20 times", "UTC", NOW)
    assert result.rrule == "FREQ=WEEKLY;COUNT=20;BYDAY=SU;BYHOUR=0;BYMINUTE=0"
    assert "every week on Sunday" in result.description
    assert "runs on Sundays (as cron's @weekly does)" in result.description


@pytest.mark.parametrize(
    ("text", "rule", "reading"),
    [
        ("every week starting friday for 20 times",
         "FREQ=WEEKLY;COUNT=20;BYDAY=FR;BYHOUR=0;BYMINUTE=0", "from the start 'friday': Friday"),
        ("every 2 weeks starting next friday",
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=0;BYMINUTE=0", "Friday"),
        ("every month starting march 15", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=0;BYMINUTE=0",
         "day 15"),
        ("every year starting 2026-07-01",
         "FREQ=MONTHLY;BYMONTH=7;BYMONTHDAY=1;BYHOUR=0;BYMINUTE=0", "July 1"),
    ],
)
def test_a_start_day_gives_the_day_a_bare_cadence_runs_on(
    text: str, rule: str, reading: str
) -> None:
    result = translate_text(text, "UTC", NOW)
    assert result.rrule == rule
    assert reading in result.description


def test_a_named_day_wins_over_the_start_day() -> None:
    assert "BYDAY=MO" in (parse("every week on monday starting friday").rrule or "")


def test_a_monthly_start_on_a_day_some_months_lack_is_refused() -> None:
    assert "some months do not have" in refused("monthly starting april 30")


# --- DST (DESIGN §3) for the new families with times ------------------------------------


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
@pytest.mark.parametrize("text", ["every odd hour", "every even hour at :30",
                                  "every day 3 times", "on the hour and at half past",
                                  "every minute during the last 10 minutes of each hour"])
def test_new_families_fire_per_the_dst_oracle(text: str, zone_name: str) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from agentcron.cadence.timeline import next_runs

    from tests.test_dst_oracle import oracle, transitions

    zone = ZoneInfo(zone_name)
    schedule = parse(text, zone_name)
    assert schedule.kind == "cron" and schedule.cron is not None
    for change in transitions(zone, 2026):
        start, end = change - timedelta(hours=5), change + timedelta(hours=5)
        expected = oracle(schedule.cron, zone, start, end)
        got = [r for r in next_runs(schedule, start, len(expected) + 1) if r <= end]
        assert [r.astimezone(UTC) for r in got] == expected, (text, zone_name, change)


def test_a_week_number_rule_in_a_dst_gap_fires_after_the_gap() -> None:
    # 2026-03-29 (Sunday of ISO week 13) has no 02:30 in Berlin: it fires at 03:00 CEST.
    result = translate_text("sundays in week 13 at 2:30", "Europe/Berlin", NOW)
    assert result.next_runs[0] == "2026-03-29T03:00:00+02:00"


def test_a_week_number_rule_on_a_repeated_hour_fires_once() -> None:
    # 2026-10-25 (Sunday of ISO week 43) has 02:30 twice in Berlin: the first one only.
    result = translate_text("sundays in week 43 at 2:30", "Europe/Berlin", NOW)
    assert result.next_runs[0] == "2026-10-25T02:30:00+02:00"
    assert result.next_runs[1].startswith("2027-10-31")


@pytest.mark.parametrize(
    ("text", "until"),
    [("daily at 8 for the next month", "UNTIL=20260411T100000Z"),
     ("every day at noon for the coming week", "UNTIL=20260318T100000Z")],
)
def test_for_the_next_unit_is_one_unit(text: str, until: str) -> None:
    assert until in (parse(text).rrule or "")


@pytest.mark.parametrize(("text", "cron"), [("every day once", "0 0 * * *"),
                                            ("every week once", "0 0 * * 0")])
def test_once_right_after_the_period_adds_nothing(text: str, cron: str) -> None:
    assert parse(text).cron == cron


def test_a_limit_of_runs_is_a_count() -> None:
    assert "COUNT=5" in (parse("every monday at 9am limit 5 times").rrule or "")


@pytest.mark.parametrize(
    ("text", "days", "runs"),
    [("on the 15th and last day of each month", "BYMONTHDAY=15,-1",
      ["2026-03-15", "2026-03-31", "2026-04-15", "2026-04-30"]),
     ("the 1st, 15th and last day of the month at 9am", "BYMONTHDAY=1,15,-1",
      ["2026-03-15", "2026-03-31", "2026-04-01", "2026-04-15"])],
)
def test_days_of_the_month_with_the_last_day_are_a_rule(text: str, days: str,
                                                        runs: list[str]) -> None:
    result = translate_text(text, "UTC", NOW)
    assert days in (result.rrule or "")
    assert [r[:10] for r in result.next_runs[:4]] == runs
    assert "the last day of the month" in result.description


def test_days_of_one_named_month_with_the_last_day_ask_once_or_yearly() -> None:
    assert "a one-off runs once" in refused("on the 15th and last day of march")


@pytest.mark.parametrize("text", ["run a script at 2:30am every day",
                                  "I'd like my cronjob to run every day at 2:30"])
def test_words_naming_what_runs_are_not_part_of_the_schedule(text: str) -> None:
    assert parse(text).cron == "30 2 * * *"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("every 1/2 hour", ("cron", "*/30 * * * *")), ("every 1/4 hour", ("cron", "*/15 * * * *")),
     ("every 1 1/2 hours", ("interval", 5400)),
     ("in 1/2 hour", ("once", "2026-03-11T10:30:00+00:00"))],
)
def test_a_fraction_before_a_unit_is_a_number_not_a_date(text: str, expected: tuple) -> None:
    schedule = parse(text)
    kind, value = expected
    assert schedule.kind == kind
    got = {"cron": schedule.cron, "interval": schedule.interval_seconds, "once": schedule.run_at}
    assert got[kind] == (normalise_cron(value) if kind == "cron" else value)


def test_a_fraction_with_no_exact_decimal_is_refused() -> None:
    assert "fraction '1/3'" in refused("every 1/3 hour")


@pytest.mark.parametrize(
    ("text", "part"),
    [("the next to last friday of the month", "BYDAY=-2FR"),
     ("the next-to-last day of the month", "BYMONTHDAY=-2"),
     ("the third last day of the month", "BYMONTHDAY=-3")],
)
def test_more_ways_of_counting_from_the_end(text: str, part: str) -> None:
    assert part in (parse(text).rrule or "")


@pytest.mark.parametrize(("text", "cron"), [("1st/3rd monday of the month", "0 0 * * 1#1,1#3"),
                                            ("2nd & 4th wednesdays at 6pm", "0 18 * * 3#2,3#4"),
                                            ("every 2nd, 4th wednesday", "0 0 * * 3#2,3#4")])
def test_more_ways_of_listing_ordinals(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


@pytest.mark.parametrize(
    ("text", "until"),
    [("every day at 9am over the next 2 weeks", "UNTIL=20260325T100000Z"),
     ("every day at 9am during the next 3 days", "UNTIL=20260314T100000Z"),
     ("every day at 9am within the next month", "UNTIL=20260411T100000Z")],
)
def test_over_during_within_the_next_span(text: str, until: str) -> None:
    assert until in (parse(text).rrule or "")


def test_during_the_morning_is_still_a_part_of_the_day() -> None:
    assert parse("every day during the morning at 8").cron == "0 8 * * *"


@pytest.mark.parametrize(("text", "cron"), [("on month-end", "0 0 L * *"),
                                            ("end-of-month at 6pm", "0 18 L * *"),
                                            ("every month-end at 6pm", "0 18 L * *"),
                                            ("start-of-month at 7", "0 7 1 * *")])
def test_hyphenated_month_edges(text: str, cron: str) -> None:
    assert parse(text).cron == cron


@pytest.mark.parametrize(
    ("text", "run_at"),
    [("on 25.12.2026 at 9", "2026-12-25T09:00:00+00:00"),
     ("on 25.12. at 9", "2026-12-25T09:00:00+00:00")],
)
def test_dotted_dates_with_one_real_reading(text: str, run_at: str) -> None:
    assert parse(text).run_at == run_at


def test_a_dotted_pair_without_a_year_stays_a_time() -> None:
    assert parse("every day at 9.30").cron == "30 9 * * *"
    assert "ambiguous" in refused("on 05.06.2026 at 9")


def test_starting_now_starts_now() -> None:
    schedule = parse("every 5 minutes starting now")
    assert schedule.starts_at == "2026-03-11T10:05:00+00:00"


def test_a_word_where_a_persons_name_stands_is_not_repaired() -> None:
    # 'marci' is one edit from 'march', but it stands after 'remind', not where a date goes.
    assert "Could not understand 'marci'" in refused("remind marci every day at 9")
    assert "'thrusday' as Thursday" in describe("remind me thrusday at 9")


@pytest.mark.parametrize(("text", "readings"), [
    ("every even day", ("even-numbered dates", "every other day")),
    ("on odd days at 9", ("odd-numbered dates", "every other day")),
    ("even weeks", ("even-numbered ISO weeks", "every other week")),
    ("every odd month", ("odd-numbered months", "every other month")),
])
def test_even_or_odd_days_weeks_months_name_both_readings(text: str, readings: tuple) -> None:
    message = refused(text)
    assert "ambiguous" in message and all(r in message for r in readings)


@pytest.mark.parametrize(("text", "cron"), [
    ("each day every 2 hours from 6:00 to 18:00", "0 6-18/2 * * *"),
    ("every minute of every day", "* * * * *"),
    ("daily every 30 minutes", "*/30 * * * *"),
    ("every week every 2 hours", "0 */2 * * *"),
])
def test_a_finer_cadence_inside_every_day_is_that_cadence(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


@pytest.mark.parametrize(("text", "cron"), [("mon-fri 9-5 every hour", "0 9-17 * * 1-5"),
                                            ("9-5 weekdays hourly", "0 9-17 * * 1-5"),
                                            ("every hr", "0 * * * *"),
                                            ("every wk", "0 0 * * 0")])
def test_shorthand_windows_and_units(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


def test_a_one_letter_unit_alone_stays_refused() -> None:
    assert "Could not understand 'm'" in refused("every m")  # minute or month?


@pytest.mark.parametrize(("text", "cron"), [("every day of the week", "0 0 * * *"),
                                            ("each day of the week except sunday", "0 0 * * 1-6"),
                                            ("every day of the year at 9", "0 9 * * *")])
def test_every_day_of_the_week_is_every_day(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- times left out of an hourly schedule ---------------------------------------------------


@pytest.mark.parametrize(("text", "cron", "words"), [
    ("run job every hour except midnight", "0 1-23 * * *", None),
    ("hourly but not at noon", "0 0-11,13-23 * * *", "At :00 past hours 0 through 11 and 13"),
    ("every 2 hours except at 2am and 4am", "0 0,6-22/2 * * *", None),
    ("every hour from 9am to 5pm except at noon", "0 9-11,13-17 * * *",
     "hours 9 through 11 and 13 through 17"),
    ("every 2 hours on weekdays except at 2am", "0 0,4-22/2 * * 1-5", None),
])
def test_a_time_left_out_of_an_hourly_schedule(text: str, cron: str, words: str | None) -> None:
    assert parse(text).cron == normalise_cron(cron)
    if words is not None:
        assert words in describe(text)


@pytest.mark.parametrize(("text", "message"), [
    ("every hour except at 5", "ambiguous: 05:00 or 17:00"),
    ("every hour except 3:30am", "not one of the runs"),
    ("every day at 9 except at noon", "hourly schedule only"),
    ("every 30 minutes except between 1am and 5am", "say the hours it runs instead"),
])
def test_time_exceptions_that_cannot_be_exact_are_refused(text: str, message: str) -> None:
    assert message in refused(text)


@pytest.mark.parametrize(("text", "run_at"), [("on 25-12-2026 at 9am", "2026-12-25T09:00:00+00:00"),
    ("on 12-25-2026 at 9am", "2026-12-25T09:00:00+00:00"),
])
def test_dash_dates_with_a_year_and_one_real_reading(text: str, run_at: str) -> None:
    assert parse(text).run_at == run_at
    assert "ambiguous" in refused("on 05-06-2026 at 9am")


def test_last_but_one_with_hyphens_and_n_more_weeks() -> None:
    assert "BYDAY=-2MO" in (parse("the last-but-one monday of the month").rrule or "")
    assert "UNTIL=20260325T100000Z" in (parse("every day at 9am for 2 more weeks").rrule or "")


# --- the new rules in the iCalendar export (DESIGN §10, §11) --------------------------------


@pytest.mark.parametrize("text", ["every 2 weekends at 10am", "mondays in weeks 12 and 14 at 9",
                                  "on the 15th and last day of each month at 8",
                                  "the 2nd and 4th wednesday at 10am"])
def test_new_schedules_export_to_icalendar_and_expand_to_their_runs(text: str) -> None:
    from datetime import timedelta

    from agentcron.views.calendar_export import build_calendar

    from tests.test_calendar_export import expand, expected_runs, make_task

    schedule = parse_schedule(text, timezone="Europe/Berlin", now=NOW)
    task = make_task("t1", schedule)
    start = NOW
    calendar = build_calendar([task], start, 60)
    got = expand(calendar, start, start + timedelta(days=60))
    want = expected_runs(task, start, start + timedelta(days=60))
    assert want and got.get("t1", []) == want
