"""Natural language -> Schedule (cadence/language/parse.py): what a user would notice.

Cron answers are compared after `normalise_cron`, which expands every field to its set of
values and renders it canonically, so '1,2,3' and '1-3' compare equal. One-offs resolve
against NOW, a Thursday afternoon, unless a case says otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agentcron.cadence.cron import normalise_cron
from agentcron.cadence.language.parse import MAX_TEXT_LENGTH, parse_schedule
from agentcron.errors import ScheduleError
from agentcron.models import Schedule

NOW = datetime(2026, 5, 14, 14, 20, tzinfo=timezone.utc)  # Thursday
MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 604800


def parse(text: str, tz: str = "UTC", now: datetime = NOW) -> Schedule:
    return parse_schedule(text, timezone=tz, now=now)


# --- every N minutes / hours -------------------------------------------------------------------

SUB_DAILY = [
    ("every minute", "* * * * *"),
    ("once every minute", "* * * * *"),
    ("each 1 minute", "* * * * *"),
    ("every 2 minutes", "*/2 * * * *"),
    ("every four minutes", "*/4 * * * *"),
    ("run every 6 min", "*/6 * * * *"),
    ("every 12 mins please", "*/12 * * * *"),
    ("every twenty minutes", "*/20 * * * *"),
    ("every 20m", "*/20 * * * *"),
    ("every thirty mins", "*/30 * * * *"),
    ("every half hour", "*/30 * * * *"),
    ("every half-hour", "*/30 * * * *"),
    ("every quarter hour", "*/15 * * * *"),
    ("every quarter of an hour", "*/15 * * * *"),
    ("every 0.5 hours", "*/30 * * * *"),
    ("every sixty minutes", "0 * * * *"),
    ("every 60 min", "0 * * * *"),
    ("every 180 minutes", "0 */3 * * *"),
    ("every 120 seconds", "*/2 * * * *"),
    ("twice an hour", "*/30 * * * *"),
    ("4 times per hour", "*/15 * * * *"),
    ("hourly", "0 * * * *"),
    ("every hour", "0 * * * *"),
    ("once an hour", "0 * * * *"),
    ("each hour", "0 * * * *"),
    ("every 1 hour", "0 * * * *"),
    ("every 1 hr", "0 * * * *"),
    ("every three hours", "0 */3 * * *"),
    ("every 4 hrs", "0 */4 * * *"),
    ("every 8h", "0 */8 * * *"),
    ("every twelve hours", "0 0,12 * * *"),
    ("every alternate hour", "0 */2 * * *"),
    ("every second hour", "0 */2 * * *"),
    ("every couple of hours", "0 */2 * * *"),
    ("every 3rd hour", "0 */3 * * *"),
    ("bihourly", "0 */2 * * *"),
    ("every hour at :30", "30 * * * *"),
    ("hourly at :05", "5 * * * *"),
    ("every hour at :15 and :45", "15,45 * * * *"),
    ("every hour at 20 minutes past", "20 * * * *"),
    ("every hour at 10 minutes past the hour", "10 * * * *"),
    ("hourly, 5 minutes after the hour", "5 * * * *"),
    ("every hour at quarter past", "15 * * * *"),
    ("every hour at half past", "30 * * * *"),
    ("every hour at a quarter to", "45 * * * *"),
    ("every hour at 50", "50 * * * *"),
    ("every hour on the hour", "0 * * * *"),
    ("on the hour, every hour", "0 * * * *"),
    ("every hour on the half hour", "30 * * * *"),
    ("hourly on the half-hour", "30 * * * *"),
    ("every hour at the top of the hour", "0 * * * *"),
    ("every 2 hours at :10", "10 */2 * * *"),
    ("every three hours on the half hour", "30 */3 * * *"),
    ("every 15 minutes on weekdays", "*/15 * * * 1-5"),
    ("on weekdays every 10 minutes", "*/10 * * * 1-5"),
    ("every hour on sundays", "0 * * * 0"),
    ("every 2 hours on saturdays and sundays", "0 */2 * * 0,6"),
    ("every 30 minutes in december", "*/30 * * 12 *"),
    ("every hour on the 1st of the month", "0 * 1 * *"),
    ("half-hourly", "*/30 * * * *"),
    ("half hourly on weekends", "*/30 * * * 0,6"),
    ("quarter-hourly", "*/15 * * * *"),
    ("at 40 past the hour", "40 * * * *"),
    ("25 minutes past every hour", "25 * * * *"),
    ("every 35 minutes past each hour", "35 * * * *"),
    ("on the hour on weekdays", "0 * * * 1-5"),
]


@pytest.mark.parametrize(("text", "cron"), SUB_DAILY)
def test_every_n_minutes_and_hours(text: str, cron: str) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.cron, schedule.timezone) == (
        "cron",
        normalise_cron(cron),
        "UTC",
    )


# --- windows -----------------------------------------------------------------------------------

WINDOWS = [
    ("every 3 hours between 9am and 9pm", "0 9-21/3 * * *"),
    ("every 2 hours from 6am to 6pm on weekdays", "0 6-18/2 * * 1-5"),
    ("every hour from 8 to 20", "0 8-20 * * *"),
    ("every hour between 10am and 4pm", "0 10-16 * * *"),
    ("hourly from 9am until 5pm", "0 9-17 * * *"),
    ("hourly 9am-5pm", "0 9-17 * * *"),
    ("every hour 7am to 11pm", "0 7-23 * * *"),
    ("every 20 minutes between 9am and 5pm", "*/20 9-16 * * *"),
    ("every 30 minutes from 10 to 14", "*/30 10-13 * * *"),
    ("every 10 minutes between 7 and 9 pm", "*/10 19-20 * * *"),
    ("every 5 minutes from 1 to 3 pm", "*/5 13-14 * * *"),
    ("every 15 minutes from 9 to 5", "*/15 9-16 * * *"),
    ("every 15 minutes between 9am and 17:00 on weekdays", "*/15 9-16 * * 1-5"),
    ("every 15 minutes during business hours", "*/15 9-16 * * 1-5"),
    ("every 30 minutes within working hours", "*/30 9-16 * * 1-5"),
    ("every 20 minutes in office hours", "*/20 9-16 * * 1-5"),
    ("every hour during business hours", "0 9-17 * * 1-5"),
    ("every 30 minutes during business hours on saturdays", "*/30 9-16 * * 6"),
    ("every 10 minutes between 11pm and 1am", "*/10 23,0 * * *"),
    ("every hour from 10pm to 2am", "0 22,23,0,1,2 * * *"),
    ("every 2 hours from 9pm to 5am", "0 21,23,1,3,5 * * *"),
    ("every 4 hours between 2am and 11pm", "0 2,6,10,14,18,22 * * *"),
    ("every 5 hours from 7am to 9pm", "0 7,12,17 * * *"),
    ("every hour from 9:30 to 16:30", "30 9-16 * * *"),
    ("every hour at :45 from 9 to 17", "45 9-16 * * *"),
    ("every 3 hours starting at 2am", "0 2-23/3 * * *"),
    ("every hour starting from 6am", "0 6-23 * * *"),
    ("every 30 minutes until 8am", "*/30 0-7 * * *"),
    ("every 20 minutes starting at 8am until 11am", "*/20 8-10 * * *"),
    ("every minute between 3 and 4 am", "* 3 * * *"),
    ("every 15 minutes from 9am to 5pm except fridays", "*/15 9-16 * * 0-4,6"),
    ("every hour 8-20", "0 8-20 * * *"),
    ("every 10 minutes 9-12 on mondays", "*/10 9-11 * * 1"),
    ("every 30 minutes 9am-1pm", "*/30 9-12 * * *"),
    ("between 8 and 16 every 2 hours", "0 8-16/2 * * *"),
    ("on the hour from 9 to 5", "0 9-17 * * *"),
]


@pytest.mark.parametrize(("text", "cron"), WINDOWS)
def test_windows(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- times of day ------------------------------------------------------------------------------

DAILY = [
    ("daily", "0 0 * * *"),
    ("every day", "0 0 * * *"),
    ("everyday", "0 0 * * *"),
    ("once a day", "0 0 * * *"),
    ("every single day at 6", "0 6 * * *"),
    ("every 24 hours", "0 0 * * *"),
    ("every 1 day", "0 0 * * *"),
    ("nightly", "0 0 * * *"),
    ("every night", "0 0 * * *"),
    ("each day at 7", "0 7 * * *"),
    ("daily at 7", "0 7 * * *"),
    ("at 7 daily", "0 7 * * *"),
    ("everyday at 21", "0 21 * * *"),
    ("every day at 5am", "0 5 * * *"),
    ("every day at 5 am", "0 5 * * *"),
    ("every day at 5 a.m.", "0 5 * * *"),
    ("every day at 5 A.M.", "0 5 * * *"),
    ("every day at 5PM", "0 17 * * *"),
    ("every day at 5 p.m", "0 17 * * *"),
    ("every day at 5:45 p.m.", "45 17 * * *"),
    ("every day at 11.15pm", "15 23 * * *"),
    ("every day at 11.15", "15 11 * * *"),
    ("every day at 07:05", "5 7 * * *"),
    ("every day at 7:05:00", "5 7 * * *"),
    ("every day at 16h45", "45 16 * * *"),
    ("every day at 16h", "0 16 * * *"),
    ("every day at 2215", "15 22 * * *"),
    ("every day at 0600 hours", "0 6 * * *"),
    ("daily at 1130pm", "30 23 * * *"),
    ("daily 6:30am", "30 6 * * *"),
    ("6:30am daily", "30 6 * * *"),
    ("every day @ 13:00", "0 13 * * *"),
    ("every day @13:00", "0 13 * * *"),
    ("every day at noon", "0 12 * * *"),
    ("daily at midday", "0 12 * * *"),
    ("every day at 12 noon", "0 12 * * *"),
    ("at midnight every day", "0 0 * * *"),
    ("every day at 12 midnight", "0 0 * * *"),
    ("every day at 12am", "0 0 * * *"),
    ("every day at 12pm", "0 12 * * *"),
    ("every day at 12:30am", "30 0 * * *"),
    ("every day at 7 o'clock", "0 7 * * *"),
    ("every day at seven o'clock", "0 7 * * *"),
    ("every day at 7 oclock in the evening", "0 19 * * *"),
    ("every day at seven", "0 7 * * *"),
    ("every day at seven pm", "0 19 * * *"),
    ("every day at eleven thirty", "30 11 * * *"),
    ("every day at nine fifteen pm", "15 21 * * *"),
    ("every day at six oh five", "5 6 * * *"),
    ("every day at half past seven", "30 7 * * *"),
    ("every day at half past 7 pm", "30 19 * * *"),
    ("every day at quarter past 8", "15 8 * * *"),
    ("every day at a quarter past eight in the evening", "15 20 * * *"),
    ("every day at quarter to 9", "45 8 * * *"),
    ("every day at quarter to midnight", "45 23 * * *"),
    ("every day at quarter to noon", "45 11 * * *"),
    ("every day at 25 past 4", "25 4 * * *"),
    ("every day at ten past six pm", "10 18 * * *"),
    ("every day at 5 minutes to 10", "55 9 * * *"),
    ("every day at 9 in the morning", "0 9 * * *"),
    ("every day at 4 in the afternoon", "0 16 * * *"),
    ("every day at 9 at night", "0 21 * * *"),
    ("every morning at 6", "0 6 * * *"),
    ("every morning at 7:30", "30 7 * * *"),
    ("mornings at 10", "0 10 * * *"),
    ("every afternoon at 2", "0 14 * * *"),
    ("every afternoon at 12:30", "30 12 * * *"),
    ("every evening at 7:45", "45 19 * * *"),
    ("evenings at 8", "0 20 * * *"),
    ("every evening at 21:00", "0 21 * * *"),
    ("every night at 10", "0 22 * * *"),
    ("every night at 1", "0 1 * * *"),
    ("every night at midnight", "0 0 * * *"),
    ("nightly at 11:30", "30 23 * * *"),
    ("every night at 11pm", "0 23 * * *"),
    ("each evening at 6pm", "0 18 * * *"),
    ("every day at 6am and 6pm", "0 6,18 * * *"),
    ("every day at 8, 12 and 16", "0 8,12,16 * * *"),
    ("every day at 08:30, 12:30 and 16:30", "30 8,12,16 * * *"),
    ("every day at 7am, 3pm, and 11pm", "0 7,15,23 * * *"),
    ("every day at 10 and 11 am", "0 10,11 * * *"),
    ("every day at 2, 4 and 6 pm", "0 14,16,18 * * *"),
    ("every day at 10 and 2pm", "0 10,14 * * *"),
    ("every day at 9am & 9pm", "0 9,21 * * *"),
    ("every day at 9am and at 9pm", "0 9,21 * * *"),
    ("every day at noon and midnight", "0 0,12 * * *"),
    ("twice a day at 6 and 18", "0 6,18 * * *"),
    ("twice daily at 10am and 10pm", "0 10,22 * * *"),
    ("three times daily at 8am, 2pm and 8pm", "0 8,14,20 * * *"),
    ("4 times a day at 0, 6, 12 and 18", "0 0,6,12,18 * * *"),
    ("twice a day", "0 0,12 * * *"),
    ("three times a day", "0 0,8,16 * * *"),
    ("six times a day", "0 */4 * * *"),
]


@pytest.mark.parametrize(("text", "cron"), DAILY)
def test_daily_times(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- days of the week --------------------------------------------------------------------------

WEEKLY = [
    ("weekly", "0 0 * * 0"),
    ("every week", "0 0 * * 0"),
    ("once a week", "0 0 * * 0"),
    ("every monday", "0 0 * * 1"),
    ("every sunday", "0 0 * * 0"),
    ("on tuesdays", "0 0 * * 2"),
    ("tuesdays at 14:00", "0 14 * * 2"),
    ("every thurs at 8am", "0 8 * * 4"),
    ("every thu at 8am", "0 8 * * 4"),
    ("every tues at 8am", "0 8 * * 2"),
    ("every weds at 8am", "0 8 * * 3"),
    ("every sat at 8am", "0 8 * * 6"),
    ("every Sun. at 8am", "0 8 * * 0"),
    ("every week on thursday at 9", "0 9 * * 4"),
    ("weekly on wednesdays at 15:30", "30 15 * * 3"),
    ("once a week on friday at noon", "0 12 * * 5"),
    ("every weekday", "0 0 * * 1-5"),
    ("weekdays at 7", "0 7 * * 1-5"),
    ("on weekdays at 7:15am", "15 7 * * 1-5"),
    ("every week day at 8", "0 8 * * 1-5"),
    ("every workday at 17:30", "30 17 * * 1-5"),
    ("workdays at 9", "0 9 * * 1-5"),
    ("every business day at noon", "0 12 * * 1-5"),
    ("on business days at 8pm", "0 20 * * 1-5"),
    ("every working day at 6", "0 6 * * 1-5"),
    ("on work days at 6", "0 6 * * 1-5"),
    ("every weekend", "0 0 * * 0,6"),
    ("weekends at 10", "0 10 * * 0,6"),
    ("on the weekend at 9:30", "30 9 * * 0,6"),
    ("every weekend day at 8", "0 8 * * 0,6"),
    ("saturday and sunday at 11", "0 11 * * 0,6"),
    ("saturdays & sundays at 11", "0 11 * * 0,6"),
    ("mon-fri at 6:45", "45 6 * * 1-5"),
    ("mon - fri at 6:45", "45 6 * * 1-5"),
    ("monday to friday at 6:45", "45 6 * * 1-5"),
    ("monday thru friday at 6:45", "45 6 * * 1-5"),
    ("from monday to thursday at 18:00", "0 18 * * 1-4"),
    ("between tuesday and thursday at 18:00", "0 18 * * 2-4"),
    ("wednesday through sunday at 10", "0 10 * * 0,3-6"),
    ("friday to monday at 10", "0 10 * * 0,1,5,6"),
    ("sun-thu at 22:00", "0 22 * * 0-4"),
    ("every monday and wednesday at 10am", "0 10 * * 1,3"),
    ("every monday, wednesday and friday at 10am", "0 10 * * 1,3,5"),
    ("mondays, wednesdays, and fridays at 10am", "0 10 * * 1,3,5"),
    ("mon, wed and fri at 10am", "0 10 * * 1,3,5"),
    ("mon/wed/fri at 10am", "0 10 * * 1,3,5"),
    ("tuesday thursday at 10am", "0 10 * * 2,4"),
    ("every tuesday and every thursday at 10am", "0 10 * * 2,4"),
    ("every weekday morning at 8", "0 8 * * 1-5"),
    ("weekday evenings at 7", "0 19 * * 1-5"),
    ("friday evenings at 6", "0 18 * * 5"),
    ("every saturday morning at 9", "0 9 * * 6"),
    ("every sunday night at 11", "0 23 * * 0"),
    ("every day except saturday at 9", "0 9 * * 0-5"),
    ("daily except weekends at 7", "0 7 * * 1-5"),
    ("every day but not on sundays at 10", "0 10 * * 1-6"),
    ("every weekday except monday at 9", "0 9 * * 2-5"),
    ("every day excluding fridays", "0 0 * * 0-4,6"),
    ("twice a week on tuesday and friday at 9", "0 9 * * 2,5"),
    ("every Monday At 9AM", "0 9 * * 1"),
    ("EVERY FRIDAY AT 16:00", "0 16 * * 5"),
    ("every monday at 9 am sharp", "0 9 * * 1"),
    ("run this every monday at 9am please", "0 9 * * 1"),
    ("please remind me on mondays at 9am", "0 9 * * 1"),
    ("can you schedule it for every tuesday at 3pm", "0 15 * * 2"),
    ("repeat every wednesday at 4pm", "0 16 * * 3"),
    ("every monday, at 9am!", "0 9 * * 1"),
]


@pytest.mark.parametrize(("text", "cron"), WEEKLY)
def test_weekdays(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- days of the month, months, years ----------------------------------------------------------

MONTHLY = [
    ("monthly", "0 0 1 * *"),
    ("every month", "0 0 1 * *"),
    ("once a month", "0 0 1 * *"),
    ("each month at 8am", "0 8 1 * *"),
    ("on the 2nd", "0 0 2 * *"),
    ("on the 2nd at 10", "0 10 2 * *"),
    ("the 20th at 9pm", "0 21 20 * *"),
    ("on the twentieth at 9pm", "0 21 20 * *"),
    ("on the twenty-first at 9pm", "0 21 21 * *"),
    ("on the 28th of every month", "0 0 28 * *"),
    ("on the 5th of each month at 7:30", "30 7 5 * *"),
    ("5th of the month at 7:30", "30 7 5 * *"),
    ("every 12th of the month", "0 0 12 * *"),
    ("on the first of the month at noon", "0 12 1 * *"),
    ("the first day of every month", "0 0 1 * *"),
    ("on the 10th day of the month", "0 0 10 * *"),
    ("on day 3 of every month", "0 0 3 * *"),
    ("on day 3 at 4pm", "0 16 3 * *"),
    ("days 1 and 16 at 9", "0 9 1,16 * *"),
    ("on the 1st and the 16th", "0 0 1,16 * *"),
    ("on the 5th, 15th and 25th at 6", "0 6 5,15,25 * *"),
    ("from the 1st to the 7th at 9", "0 9 1-7 * *"),
    ("on the 1st-3rd at 9", "0 9 1-3 * *"),
    ("monthly on the 15th", "0 0 15 * *"),
    ("monthly on the 3rd at 8:15", "15 8 3 * *"),
    ("every month on the 9th at 9", "0 9 9 * *"),
    ("on the last day of the month", "0 0 L * *"),
    ("the last day of every month at 22:00", "0 22 L * *"),
    ("every month on the last day at 5pm", "0 17 L * *"),
    ("twice a month on the 1st and 15th", "0 0 1,15 * *"),
    ("on the 31st", "0 0 31 * *"),
    ("first tuesday of the month", "0 0 * * 2#1"),
    ("the first tuesday of every month at 10", "0 10 * * 2#1"),
    ("on the 1st tuesday of each month at 10", "0 10 * * 2#1"),
    ("every first tuesday at 10", "0 10 * * 2#1"),
    ("the second wednesday of the month at 14:00", "0 14 * * 3#2"),
    ("every 2nd wednesday of the month", "0 0 * * 3#2"),
    ("third thursday of every month", "0 0 * * 4#3"),
    ("the 4th friday of each month at 16:00", "0 16 * * 5#4"),
    ("the fifth sunday of the month", "0 0 * * 0#5"),
    ("last monday of the month", "0 0 * * L1"),
    ("the last saturday of every month at noon", "0 12 * * L6"),
    ("every last saturday at noon", "0 12 * * L6"),
    ("the final friday of the month", "0 0 * * L5"),
    ("first and third wednesday of the month at 9", "0 9 * * 3#1,3#3"),
    ("every 1st and 3rd tuesday at 7pm", "0 19 * * 2#1,2#3"),
    ("monthly on the first monday at 9", "0 9 * * 1#1"),
    ("every month on the last thursday", "0 0 * * L4"),
    ("at the end of every month at 6pm", "0 18 L * *"),
    ("end of the month", "0 0 L * *"),
    ("on the last of the month", "0 0 L * *"),
    ("the last thursday in the month", "0 0 * * L4"),
    ("3rd monday monthly", "0 0 * * 1#3"),
]


@pytest.mark.parametrize(("text", "cron"), MONTHLY)
def test_days_of_the_month(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


MONTHS_AND_YEARS = [
    ("every 2 months", "0 0 1 */2 *"),
    ("every other month", "0 0 1 */2 *"),
    ("every 3 months", "0 0 1 */3 *"),
    ("every third month", "0 0 1 */3 *"),
    ("every 4 months", "0 0 1 */4 *"),
    ("quarterly", "0 0 1 */3 *"),
    ("every quarter", "0 0 1 */3 *"),
    ("quarterly on the 10th at 9", "0 9 10 */3 *"),
    ("every 6 months", "0 0 1 */6 *"),
    ("semiannually", "0 0 1 */6 *"),
    ("half-yearly", "0 0 1 */6 *"),
    ("twice a year", "0 0 1 */6 *"),
    ("four times a year", "0 0 1 */3 *"),
    ("every 2 months on the 5th", "0 0 5 */2 *"),
    ("every other month on the last day", "0 0 L */2 *"),
    ("every 3 months on the first monday", "0 0 * */3 1#1"),
    ("every 12 months", "0 0 1 1 *"),
    ("yearly", "0 0 1 1 *"),
    ("annually", "0 0 1 1 *"),
    ("once a year", "0 0 1 1 *"),
    ("every year", "0 0 1 1 *"),
    ("every year on march 3", "0 0 3 3 *"),
    ("every year on the 3rd of march at 8", "0 8 3 3 *"),
    ("yearly on 3 march", "0 0 3 3 *"),
    ("annually on march 3rd at 8am", "0 8 3 3 *"),
    ("every march 3rd", "0 0 3 3 *"),
    ("every 3 march at 8:00", "0 8 3 3 *"),
    ("each october 31 at 18:00", "0 18 31 10 *"),
    ("every oct 31st", "0 0 31 10 *"),
    ("on october 31 every year", "0 0 31 10 *"),
    ("on the 31st of october each year", "0 0 31 10 *"),
    ("every year on feb 29", "0 0 29 2 *"),
    ("every year on the last day of december", "0 0 L 12 *"),
    ("every year on jan 1 and jul 1", "0 0 1 1,7 *"),
    ("every year on june 1 and 15", "0 0 1,15 6 *"),
    ("every year in june", "0 0 1 6 *"),
    ("every june", "0 0 1 6 *"),
    ("every day in august", "0 0 * 8 *"),
    ("every day in august at 7", "0 7 * 8 *"),
    ("daily during november at noon", "0 12 * 11 *"),
    ("every weekday in january", "0 0 * 1 1-5"),
    ("weekdays from june to august at 8", "0 8 * 6-8 1-5"),
    ("weekdays between june and august at 8", "0 8 * 6-8 1-5"),
    ("every monday in march and april", "0 0 * 3,4 1"),
    ("every day in january and july at 9", "0 9 * 1,7 *"),
    ("every day from november to february", "0 0 * 1,2,11,12 *"),
    ("every day nov-feb at 6", "0 6 * 1,2,11,12 *"),
    ("every day except in august", "0 0 * 1-7,9-12 *"),
    ("every month except december on the 1st", "0 0 1 1-11 *"),
    ("semi-annually", "0 0 1 */6 *"),
    ("bi-annually on the 15th", "0 0 15 */6 *"),
]


@pytest.mark.parametrize(("text", "cron"), MONTHS_AND_YEARS)
def test_months_and_years(text: str, cron: str) -> None:
    assert parse(text).cron == normalise_cron(cron)


# --- time zones --------------------------------------------------------------------------------

ZONED = [
    ("every day at 9am Europe/Berlin", "0 9 * * *", "Europe/Berlin"),
    ("every day at 9am europe/berlin", "0 9 * * *", "Europe/Berlin"),
    ("Europe/Berlin: every day at 9am", "0 9 * * *", "Europe/Berlin"),
    (
        "every day at 9am (America/Argentina/Buenos_Aires)",
        "0 9 * * *",
        "America/Argentina/Buenos_Aires",
    ),
    ("every day at 9am in the Asia/Tokyo time zone", "0 9 * * *", "Asia/Tokyo"),
    ("weekdays at 8 Paris time", "0 8 * * 1-5", "Europe/Paris"),
    ("weekdays at 8 in paris", "0 8 * * 1-5", "Europe/Paris"),
    ("weekdays at 8 in New York", "0 8 * * 1-5", "America/New_York"),
    ("at 8 every weekday, New York time", "0 8 * * 1-5", "America/New_York"),
    ("daily at 6pm london time", "0 18 * * *", "Europe/London"),
    ("daily at 6pm in los angeles", "0 18 * * *", "America/Los_Angeles"),
    ("daily at 6pm in San Francisco", "0 18 * * *", "America/Los_Angeles"),
    ("daily at 6pm seattle time", "0 18 * * *", "America/Los_Angeles"),
    ("daily at 6pm boston time", "0 18 * * *", "America/New_York"),
    ("daily at 6pm in Houston", "0 18 * * *", "America/Chicago"),
    ("daily at 6pm in mumbai", "0 18 * * *", "Asia/Kolkata"),
    ("daily at 6pm beijing time", "0 18 * * *", "Asia/Shanghai"),
    ("daily at 6pm in Munich", "0 18 * * *", "Europe/Berlin"),
    ("daily at 6pm in são paulo", "0 18 * * *", "America/Sao_Paulo"),
    ("daily at 6pm Sydney time", "0 18 * * *", "Australia/Sydney"),
    ("daily at 6pm in Hong Kong", "0 18 * * *", "Asia/Hong_Kong"),
    ("daily at 6pm in mexico city", "0 18 * * *", "America/Mexico_City"),
    ("every monday at 10 EST", "0 10 * * 1", "America/New_York"),
    ("every monday at 10 EDT", "0 10 * * 1", "America/New_York"),
    ("every monday at 10 ET", "0 10 * * 1", "America/New_York"),
    ("every monday at 10 eastern", "0 10 * * 1", "America/New_York"),
    ("every monday at 10 Eastern Standard Time", "0 10 * * 1", "America/New_York"),
    ("every monday at 10 CST", "0 10 * * 1", "America/Chicago"),
    ("every monday at 10 central time", "0 10 * * 1", "America/Chicago"),
    ("every monday at 10 MST", "0 10 * * 1", "America/Denver"),
    ("every monday at 10 mountain time", "0 10 * * 1", "America/Denver"),
    ("every monday at 10 PDT", "0 10 * * 1", "America/Los_Angeles"),
    ("every monday at 10 pacific time", "0 10 * * 1", "America/Los_Angeles"),
    ("every monday at 10 CET", "0 10 * * 1", "Europe/Berlin"),
    ("every monday at 10 CEST", "0 10 * * 1", "Europe/Berlin"),
    ("every monday at 10 BST", "0 10 * * 1", "Europe/London"),
    ("every monday at 10 IST", "0 10 * * 1", "Asia/Kolkata"),
    ("every monday at 10 JST", "0 10 * * 1", "Asia/Tokyo"),
    ("every monday at 10 KST", "0 10 * * 1", "Asia/Seoul"),
    ("every monday at 10 AEDT", "0 10 * * 1", "Australia/Sydney"),
    ("every monday at 10 NZST", "0 10 * * 1", "Pacific/Auckland"),
    ("every monday at 10 GMT", "0 10 * * 1", "UTC"),
    ("every monday at 10 UTC", "0 10 * * 1", "UTC"),
    ("every monday at 10 Zulu", "0 10 * * 1", "UTC"),
    ("every monday at 1000Z", "0 10 * * 1", "UTC"),
    ("every monday at 10 UTC+3", "0 10 * * 1", "Etc/GMT-3"),
    ("every monday at 10 GMT-7", "0 10 * * 1", "Etc/GMT+7"),
    ("every monday at 10 UTC+00:00", "0 10 * * 1", "UTC"),
    ("0 10 * * 1 Asia/Tokyo", "0 10 * * 1", "Asia/Tokyo"),
    ("@daily in Berlin", "0 0 * * *", "Europe/Berlin"),
]


@pytest.mark.parametrize(("text", "cron", "zone"), ZONED)
def test_zone_named_in_text(text: str, cron: str, zone: str) -> None:
    schedule = parse(text, tz="America/Chicago")
    assert (schedule.cron, schedule.timezone) == (normalise_cron(cron), zone)


def test_default_zone_applies_when_text_names_none() -> None:
    schedule = parse("every day at 7:40am", tz="Asia/Tokyo")
    assert (schedule.cron, schedule.timezone) == ("40 7 * * *", "Asia/Tokyo")


def test_default_zone_is_canonicalised() -> None:
    assert parse("every day at 7:40am", tz="europe/berlin").timezone == "Europe/Berlin"


# --- raw cron and macros -----------------------------------------------------------------------

RAW_CRON = [
    ("*/10 * * * *", "*/10 * * * *"),
    ("30 6 * * 1-5", "30 6 * * 1-5"),
    ("0 12 * * SAT,SUN", "0 12 * * 0,6"),
    ("0 9 * * mon-fri", "0 9 * * 1-5"),
    ("0 0 1 JAN *", "0 0 1 1 *"),
    ("0 0 * * 7", "0 0 * * 0"),
    ("0 6 ? * TUE", "0 6 * * 2"),
    ("0 18 L * *", "0 18 L * *"),
    ("0 18 * * 5L", "0 18 * * L5"),
    ("0 8 * * 1#3", "0 8 * * 1#3"),
    ("  0   8  *  *  *  ", "0 8 * * *"),
    ("@hourly", "0 * * * *"),
    ("@daily", "0 0 * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@DAILY", "0 0 * * *"),
]


@pytest.mark.parametrize(("text", "cron"), RAW_CRON)
def test_raw_cron_and_macros(text: str, cron: str) -> None:
    assert parse(text).cron == cron


# --- intervals ---------------------------------------------------------------------------------

INTERVALS = [
    ("every 7 minutes", 7 * MINUTE),
    ("every 9 mins", 9 * MINUTE),
    ("every forty minutes", 40 * MINUTE),
    ("every 45 minutes", 45 * MINUTE),
    ("every 25m", 25 * MINUTE),
    ("every 75 minutes", 75 * MINUTE),
    ("every 100 minutes", 100 * MINUTE),
    ("every hour and a half", 90 * MINUTE),
    ("every one and a half hours", 90 * MINUTE),
    ("every 1.5 hrs", 90 * MINUTE),
    ("every 1h30", 90 * MINUTE),
    ("every 1h 30m", 90 * MINUTE),
    ("every 1 hour 30 minutes", 90 * MINUTE),
    ("every 2 hours and 15 minutes", 135 * MINUTE),
    ("every 3.5 hours", 210 * MINUTE),
    ("every 1.25 hours", 75 * MINUTE),
    ("every five hours", 5 * HOUR),
    ("every 9 hours", 9 * HOUR),
    ("every 10h", 10 * HOUR),
    ("every 18 hours", 18 * HOUR),
    ("every 30 hours", 30 * HOUR),
    ("every 72 hours", 3 * DAY),
    ("every 2 days", 2 * DAY),
    ("every other day", 2 * DAY),
    ("every second day", 2 * DAY),
    ("every 2nd day", 2 * DAY),
    ("every 3 days", 3 * DAY),
    ("every ten days", 10 * DAY),
    ("every 1.5 days", 36 * HOUR),
    ("every 7 days", WEEK),
    ("every 2 weeks", 2 * WEEK),
    ("every other week", 2 * WEEK),
    ("every second week", 2 * WEEK),
    ("biweekly", 2 * WEEK),
    ("bi-weekly", 2 * WEEK),
    ("fortnightly", 2 * WEEK),
    ("every fortnight", 2 * WEEK),
    ("every 3 weeks", 3 * WEEK),
    ("every 4 weeks", 4 * WEEK),
]


@pytest.mark.parametrize(("text", "seconds"), INTERVALS)
def test_intervals(text: str, seconds: int) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.interval_seconds, schedule.cron) == ("interval", seconds, None)


# --- one-offs ----------------------------------------------------------------------------------

ONCE = [
    ("in 15 minutes", "2026-05-14T14:35:00+00:00"),
    ("in fifteen minutes", "2026-05-14T14:35:00+00:00"),
    ("in 15 mins", "2026-05-14T14:35:00+00:00"),
    ("in 1 minute", "2026-05-14T14:21:00+00:00"),
    ("in a minute", "2026-05-14T14:21:00+00:00"),
    ("in one hour", "2026-05-14T15:20:00+00:00"),
    ("in an hr", "2026-05-14T15:20:00+00:00"),
    ("in half an hour", "2026-05-14T14:50:00+00:00"),
    ("in a quarter of an hour", "2026-05-14T14:35:00+00:00"),
    ("in 2 hours and 10 minutes", "2026-05-14T16:30:00+00:00"),
    ("in an hour and a half", "2026-05-14T15:50:00+00:00"),
    ("in 2.5 hours", "2026-05-14T16:50:00+00:00"),
    ("in 3h", "2026-05-14T17:20:00+00:00"),
    ("in 1h30", "2026-05-14T15:50:00+00:00"),
    ("in a couple of hours", "2026-05-14T16:20:00+00:00"),
    ("20 minutes from now", "2026-05-14T14:40:00+00:00"),
    ("an hour from now", "2026-05-14T15:20:00+00:00"),
    ("3 hours later", "2026-05-14T17:20:00+00:00"),
    ("after 45 minutes", "2026-05-14T15:05:00+00:00"),
    ("remind me in 10 minutes", "2026-05-14T14:30:00+00:00"),
    ("in 3 days", "2026-05-17T14:20:00+00:00"),
    ("in a day", "2026-05-15T14:20:00+00:00"),
    ("in a week", "2026-05-21T14:20:00+00:00"),
    ("in 2 weeks", "2026-05-28T14:20:00+00:00"),
    ("in 2 months", "2026-07-14T14:20:00+00:00"),
    ("in a year", "2027-05-14T14:20:00+00:00"),
    ("in 3 days at 8am", "2026-05-17T08:00:00+00:00"),
    ("today at 5pm", "2026-05-14T17:00:00+00:00"),
    ("today at 17:45", "2026-05-14T17:45:00+00:00"),
    ("later today at 8pm", "2026-05-14T20:00:00+00:00"),
    ("this evening at 8", "2026-05-14T20:00:00+00:00"),
    ("this afternoon at 4", "2026-05-14T16:00:00+00:00"),
    ("tonight at 10", "2026-05-14T22:00:00+00:00"),
    ("tonight at 10:30pm", "2026-05-14T22:30:00+00:00"),
    ("tonight at midnight", "2026-05-15T00:00:00+00:00"),
    ("tonight at 2", "2026-05-15T02:00:00+00:00"),
    ("tomorrow", "2026-05-15T00:00:00+00:00"),
    ("tomorrow at 9", "2026-05-15T09:00:00+00:00"),
    ("tomorrow at 9am", "2026-05-15T09:00:00+00:00"),
    ("tomorrow 9am", "2026-05-15T09:00:00+00:00"),
    ("9am tomorrow", "2026-05-15T09:00:00+00:00"),
    ("at 9:30 tomorrow", "2026-05-15T09:30:00+00:00"),
    ("tomorrow morning at 7", "2026-05-15T07:00:00+00:00"),
    ("tomorrow evening at 7", "2026-05-15T19:00:00+00:00"),
    ("tomorrow at noon", "2026-05-15T12:00:00+00:00"),
    ("tmrw at 11", "2026-05-15T11:00:00+00:00"),
    ("day after tomorrow at 10", "2026-05-16T10:00:00+00:00"),
    ("the day after tomorrow at 10am", "2026-05-16T10:00:00+00:00"),
    ("next monday at 9am", "2026-05-18T09:00:00+00:00"),
    ("next monday", "2026-05-18T00:00:00+00:00"),
    ("next thursday at 9am", "2026-05-21T09:00:00+00:00"),
    ("next wednesday at 8", "2026-05-20T08:00:00+00:00"),
    ("next friday at 17:00", "2026-05-15T17:00:00+00:00"),
    ("this friday at 5pm", "2026-05-15T17:00:00+00:00"),
    ("this thursday at 6pm", "2026-05-14T18:00:00+00:00"),
    ("this coming saturday at 10", "2026-05-16T10:00:00+00:00"),
    ("on saturday at 10", "2026-05-16T10:00:00+00:00"),
    ("saturday at 10am", "2026-05-16T10:00:00+00:00"),
    ("on thursday at 6pm", "2026-05-14T18:00:00+00:00"),
    ("on thursday at 9am", "2026-05-21T09:00:00+00:00"),
    ("on monday", "2026-05-18T00:00:00+00:00"),
    ("friday morning at 8", "2026-05-15T08:00:00+00:00"),
    ("on june 1 at 9am", "2026-06-01T09:00:00+00:00"),
    ("june 1st at 9", "2026-06-01T09:00:00+00:00"),
    ("1 june at 9", "2026-06-01T09:00:00+00:00"),
    ("on the 1st of june at 9", "2026-06-01T09:00:00+00:00"),
    ("on jun 1, at 21:00", "2026-06-01T21:00:00+00:00"),
    ("on christmas eve", None),
    ("on december 24 at 6pm", "2026-12-24T18:00:00+00:00"),
    ("on may 14 at 3pm", "2026-05-14T15:00:00+00:00"),
    ("on may 14 at 2pm", "2027-05-14T14:00:00+00:00"),
    ("on may 1", "2027-05-01T00:00:00+00:00"),
    ("on february 29", "2028-02-29T00:00:00+00:00"),
    ("on 3 january 2027 at 08:00", "2027-01-03T08:00:00+00:00"),
    ("on january 3, 2027 at 8am", "2027-01-03T08:00:00+00:00"),
    ("on the 3rd of january 2027", "2027-01-03T00:00:00+00:00"),
    ("2026-06-01", "2026-06-01T00:00:00+00:00"),
    ("2026-06-01 at 7pm", "2026-06-01T19:00:00+00:00"),
    ("2026-06-01 19:30", "2026-06-01T19:30:00+00:00"),
    ("2026-06-01T19:30", "2026-06-01T19:30:00+00:00"),
    ("2026-06-01T19:30:15", "2026-06-01T19:30:15+00:00"),
    ("2026-06-01T19:30:00+02:00", "2026-06-01T17:30:00+00:00"),
    ("2026-06-01T19:30Z", "2026-06-01T19:30:00+00:00"),
    ("2026/06/01 07:00", "2026-06-01T07:00:00+00:00"),
    ("on 2026-06-01 at 7", "2026-06-01T07:00:00+00:00"),
    ("once at 6pm today", "2026-05-14T18:00:00+00:00"),
    ("just once, tomorrow at 8", "2026-05-15T08:00:00+00:00"),
    ("one time on friday at 9", "2026-05-15T09:00:00+00:00"),
]


@pytest.mark.parametrize(("text", "run_at"), [c for c in ONCE if c[1] is not None])
def test_one_offs(text: str, run_at: str) -> None:
    schedule = parse(text)
    assert (schedule.kind, schedule.run_at, schedule.cron) == ("once", run_at, None)


ZONED_ONCE = [
    ("tomorrow at 9am", "Asia/Tokyo", "2026-05-15T09:00:00+09:00"),
    ("tomorrow at 9am Tokyo time", "UTC", "2026-05-15T09:00:00+09:00"),
    ("today at 11pm in new york", "UTC", "2026-05-14T23:00:00-04:00"),
    ("in 30 minutes", "Europe/Berlin", "2026-05-14T16:50:00+02:00"),
    ("next monday at 8 PST", "UTC", "2026-05-18T08:00:00-07:00"),
    ("2026-06-01 10:00", "Europe/Paris", "2026-06-01T10:00:00+02:00"),
]


@pytest.mark.parametrize(("text", "zone", "run_at"), ZONED_ONCE)
def test_one_offs_resolve_in_the_schedules_zone(text: str, zone: str, run_at: str) -> None:
    schedule = parse(text, tz=zone)
    assert schedule.run_at == run_at
    assert (
        datetime.fromisoformat(run_at).utcoffset()
        == datetime.fromisoformat(schedule.run_at or "").utcoffset()
    )


def test_today_resolves_in_the_zone_not_in_utc() -> None:
    # 14:20 UTC is already Friday 00:20 in Auckland: 'today' is Friday there.
    assert parse("today at 9pm", tz="Pacific/Auckland").run_at == "2026-05-15T21:00:00+12:00"


def test_relative_days_keep_the_clock_time_across_dst() -> None:
    now = datetime(2026, 3, 7, 15, 0, tzinfo=timezone.utc)  # Sat 10:00 EST
    assert parse("in two days", tz="America/New_York", now=now).run_at == "2026-03-09T10:00:00-04:00"
    assert (
        parse("in 48 hours", tz="America/New_York", now=now).run_at == "2026-03-09T11:00:00-04:00"
    )


def test_wall_time_in_a_dst_gap_runs_at_the_end_of_the_gap() -> None:
    now = datetime(2026, 3, 7, 15, 0, tzinfo=timezone.utc)
    schedule = parse("tomorrow at 2:30am", tz="America/New_York", now=now)
    assert schedule.run_at == "2026-03-08T03:00:00-04:00"


def test_repeated_wall_time_runs_at_its_first_occurrence() -> None:
    now = datetime(2026, 10, 31, 15, 0, tzinfo=timezone.utc)
    schedule = parse("tomorrow at 1:30am", tz="America/New_York", now=now)
    assert schedule.run_at == "2026-11-01T01:30:00-04:00"


def test_relative_time_drops_microseconds() -> None:
    now = NOW + timedelta(microseconds=123456)
    assert parse("in five minutes", now=now).run_at == "2026-05-14T14:25:00+00:00"


# --- refusals ----------------------------------------------------------------------------------

ERRORS = [
    # words the grammar does not know, named in the message
    ("banana", "'banana'"),
    ("every blue moon", "'blue'"),
    ("every few minutes", "'few'"),
    ("sometime next week", "'sometime'"),
    ("every monday or friday", "'or'"),
    ("remind me to call mum every day", "'call'"),
    ("every 5", "'5'"),
    ("10 minutes", "'10'"),
    ("every", "needs a cadence"),
    ("please", "no schedule"),
    ("Tokyo time", "no schedule"),
    ("", "empty"),
    ("   ", "empty"),
    ("every day at 9 in Atlantis/Lost_City", "'Atlantis/Lost_City'"),
    ("every day at 9 Europe/Atlantis", "'Europe/Atlantis'"),
    ("daily at 9 in tokyo and in london", "more than one time zone"),
    ("daily at noon UTC+5:30", "Asia/Kolkata"),
    ("daily at noon UTC+15", "does not exist"),
    # impossible times
    ("every day at 26:00", "'26:00'"),
    ("every day at 24:00", "'24:00'"),
    ("every day at 24:15", "'24:15'"),
    ("every day at 7:60", "'7:60'"),
    ("every day at 10:99", "'10:99'"),
    ("every day at 14pm", "'14pm'"),
    ("every day at 19 pm", "'19pm'"),
    ("every day at 0 am", "'0am'"),
    ("every day at 00am", "'00am'"),
    ("every day at 7:30:20", "seconds"),
    ("every morning at 7pm", "contradicts"),
    ("every evening at 7am", "contradicts"),
    ("every morning", "needs a time"),
    ("every afternoon", "needs a time"),
    ("every day at 8:15 and 20:45", "different minutes"),
    ("every day at 9:00 and 9:30", "different minutes"),
    ("three times a day at 8 and 16", "does not match"),
    ("seven times a day", "cannot be spread evenly"),
    ("twice a week on monday", "needs the days"),
    ("twice a month on the 1st", "needs the days"),
    ("4 times a week", "no even spread"),
    ("3 times a month", "no even spread"),
    # impossible dates and days
    ("every year on february 30", "February 30 does not exist"),
    ("every year on june 31", "June 31 does not exist"),
    ("on september 31", "September 31 does not exist"),
    ("on the 32nd", "'32nd'"),
    ("on the 0th of every month", "'0th'"),
    ("day 40 of every month", "'day 40'"),
    ("on february 29 2027", "not a leap year"),
    ("sixth monday of the month", "at most 5"),
    ("every 31st of april", "April 31 does not exist"),
    ("on the 31st in april", "never fires"),
    # cadences cron cannot express and an interval would lose information
    ("every 0 minutes", "greater than zero"),
    ("every 0 hrs", "greater than zero"),
    ("every -10 minutes", "greater than zero"),
    ("every zero days", "greater than zero"),
    ("in 0 minutes", "not in the future"),
    ("every 30 seconds", "one minute"),
    ("every 90 seconds", "one minute"),
    ("every 5 months", "needs the day it runs on"),
    ("every 7 months", "needs the day it runs on"),
    ("every 2 years", "needs the day it runs on"),
    ("every 3 days on mondays", "cannot be combined"),
    ("every 3 days at 9 on mondays", "counts days"),
    ("every 2 weeks on the 1st", "cannot be combined"),
    ("every 2 weeks on the 1st at 9", "counts weeks"),
    ("every 14 days until december 15", "elapsed time"),
    ("tomorrow at 9am until friday", "needs a repeating schedule"),
    ("every day at 9am until 2026-01-01", "already past"),
    ("the first monday of january and july", "names several days"),
    ("every second friday", "ambiguous"),
    ("every 90 minutes between 9 and 5", "cannot be combined"),
    ("every 7 minutes on weekdays", "cannot be combined"),
    ("every 48 hours in june", "cannot be combined"),
    ("every 3 weeks on the 1st", "cannot be combined"),
    ("bimonthly", "ambiguous"),
    ("semimonthly", "ambiguous"),
    ("every second tuesday at 10", "ambiguous"),
    ("every month on mondays", "ambiguous"),
    ("every 15 minutes at 9am", "cannot also be"),
    ("every hour at 9am", "cannot also be"),
    ("every hour at 7", "cannot also be"),
    ("every 15 minutes in the evening", "no clear hours"),
    ("every 15 minutes from 8:30 to 17:00", "on the hour"),
    ("every 90 minutes starting at 9", "cannot be combined"),
    ("every hour from 9 to 9", "empty"),
    ("every day between 9 and 5", "needs a cadence inside it"),
    ("daily at :30", "hourly cadence"),
    # contradictions and combinations cron would get wrong
    ("every monday at 9 and every friday at 5", "names days twice"),
    ("every evening at noon", "not in the evening"),
    ("every morning at midnight", "not in the morning"),
    ("on june 2 in march", "only makes sense for a repeating schedule"),
    (":15", "does not say which day or how often"),
    ("bi-monthly", "ambiguous"),
    ("every 5 minutes and every hour", "two different cadences"),
    ("every morning at 8 and every evening at 6", "two parts of the day"),
    ("on the 1st and every monday", "cannot be combined"),
    ("on the 13th if it is a friday", "'if'"),
    ("every year on jan 1 and jun 15", "one task per date"),
    ("every weekday except weekdays", "every day of the week"),
    ("every day except public holidays", "Holidays"),
    ("every 15 minutes outside business hours", "outside business hours"),
    ("the first weekday of the month", "nearest working day"),
    ("every day at 9 tomorrow", "repeats"),
    # one-offs that are in the past, vague, or say too much
    ("yesterday at noon", "in the past"),
    ("last month", "in the past"),
    ("last week", "in the past"),
    ("last friday", "in the past"),
    ("10 minutes ago", "in the past"),
    ("today at 9am", "in the past"),
    ("today", "in the past"),
    ("this thursday at 8am", "in the past"),
    ("on 1 january 2026", "in the past"),
    ("2025-12-31 23:59", "in the past"),
    ("2026-05-14T14:20:00Z", "in the past"),
    ("now", "not a future time"),
    ("right now", "not a future time"),
    ("next week", "not a specific time"),
    ("next month", "not a specific time"),
    ("this weekend at 10", "does not name one day"),
    ("tomorrow at 9 and 5", "runs once"),
    ("tomorrow evening", "needs a time"),
    ("at 9am and 6pm", "which day or how often"),
    ("in july", "which day or how often"),
    ("on june 1 and june 2", "give one date"),
    ("tomorrow on friday", "two ways"),
    ("in 2 hours at 5pm", "already fixes the time"),
    ("2026-06-01 10:00 at 11am", "already has a time"),
    ("on 6/1 at 9", "ambiguous"),
    ("in 1.5 months", "whole numbers"),
    # raw cron shapes
    ("* */2 *", "5 fields"),
    ("0 9 * *", "5 fields"),
    ("0 0 9 * * *", "5 fields"),
    ("0 0 9 * * * 2026", "5 fields"),
    ("61 * * * *", "minute"),
    ("0 25 * * *", "hour"),
    ("0 0 32 * *", "day-of-month"),
    ("0 0 * 0 *", "month"),
    ("0 0 * * 8", "day-of-week"),
    ("0 0 30 2 *", "never fires"),
    ("@every_5m", "macro"),
    ("@reboot", "macro"),
]


@pytest.mark.parametrize(("text", "fragment"), ERRORS)
def test_refusals_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    assert fragment.lower() in str(caught.value).lower()


@pytest.mark.parametrize("text", [t for t, _ in ERRORS if len(t) > 3 and "'" not in t])
def test_refusals_show_a_way_forward(text: str) -> None:
    """Every refusal either shows an example in quotes or names a concrete fix."""
    with pytest.raises(ScheduleError) as caught:
        parse(text)
    message = str(caught.value)
    assert "'" in message and len(message) > 40


def test_unknown_zone_is_quoted_as_written() -> None:
    with pytest.raises(ScheduleError, match="'Gondor/Minas_Tirith'"):
        parse("weekly at 8 Gondor/Minas_Tirith")


def test_refusal_names_the_first_unknown_word_even_in_a_long_text() -> None:
    with pytest.raises(ScheduleError, match="'gorgonzola'"):
        parse("every weekday at 9am gorgonzola in Berlin")


def test_text_longer_than_the_limit_is_refused_with_the_limit() -> None:
    text = "every day at 7:40am " + "please " * 80
    assert len(text) > MAX_TEXT_LENGTH
    with pytest.raises(ScheduleError, match=str(MAX_TEXT_LENGTH)):
        parse(text)


def test_text_at_the_limit_is_accepted() -> None:
    text = "every day at 7:40am" + " " * (MAX_TEXT_LENGTH - len("every day at 7:40am"))
    assert parse(text).cron == "40 7 * * *"


def test_naive_reference_time_is_refused() -> None:
    with pytest.raises(ScheduleError, match="offset"):
        parse_schedule("tomorrow at 9", now=datetime(2026, 5, 14, 12, 0))


# --- properties across many phrasings ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "every monday at 9am",
        "Every Monday at 9 AM",
        "every monday @ 9:00",
        "mondays at 09:00",
        "on mondays at nine in the morning",
        "each monday, 9am",
        "weekly on monday at 9",
        "every week on mondays at 9am",
        "at 9am every monday",
        "9am every monday",
        "monday mornings at 9",
    ],
)
def test_paraphrases_agree(text: str) -> None:
    assert parse(text).cron == "0 9 * * 1"


@pytest.mark.parametrize(
    "text",
    [
        "every weekday every 30 minutes between 9am and 5pm",
        "every 30 minutes from 9 to 5 on weekdays",
        "weekdays, every half hour from 9am until 5pm",
        "every 30 min during business hours",
        "every thirty minutes, monday to friday, 9am-5pm",
    ],
)
def test_window_paraphrases_agree(text: str) -> None:
    assert parse(text).cron == normalise_cron("*/30 9-16 * * 1-5")


def test_parsed_crons_never_use_the_day_of_month_or_weekday_trap() -> None:
    texts = [c[0] for c in MONTHLY] + [c[0] for c in MONTHS_AND_YEARS] + [c[0] for c in WEEKLY]
    for text in texts:
        schedule = parse(text)
        if schedule.kind != "cron":
            continue
        fields = (schedule.cron or "").split()
        assert fields[2] == "*" or fields[4] == "*", text
