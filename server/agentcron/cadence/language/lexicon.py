"""Word tables of the schedule grammar: numbers, ordinals, days, months, units, filler.

Kept as plain dicts so the parser looks words up in O(1) and a new synonym is one line.
"""

from __future__ import annotations

# --- numbers -----------------------------------------------------------------------------------

UNIT_NUMBERS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS_NUMBERS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
UNIT_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}
TENS_ORDINALS: dict[str, int] = {"twentieth": 20, "thirtieth": 30}
# Words that mean "2" in "every other hour" / "every second week".
OTHER_WORDS = frozenset({"other", "alternate"})

# --- calendar ----------------------------------------------------------------------------------

WEEKDAY_NAMES: dict[str, int] = {
    "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2,
    "wednesday": 3, "wed": 3, "weds": 3, "thursday": 4, "thu": 4, "thur": 4, "thurs": 4,
    "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
}
WEEKDAY_PLURALS: dict[str, int] = {
    "sundays": 0, "mondays": 1, "tuesdays": 2, "wednesdays": 3, "thursdays": 4, "fridays": 5,
    "saturdays": 6, "suns": 0, "mons": 1, "fris": 5, "sats": 6,
}
WEEKDAY_LABELS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
WORKDAYS = frozenset(range(1, 6))
WEEKEND = frozenset({0, 6})
ALL_DAYS = frozenset(range(7))
# One word naming a group of days ("weekdays"); two-word forms are in DAY_GROUP_PAIRS.
DAY_GROUP_WORDS: dict[str, frozenset[int]] = {
    "weekday": WORKDAYS, "weekdays": WORKDAYS, "workday": WORKDAYS, "workdays": WORKDAYS,
    "weekend": WEEKEND, "weekends": WEEKEND,
}
# (first word, second word) -> days: "business days", "week days", "weekend days".
DAY_GROUP_PAIRS: dict[tuple[str, str], frozenset[int]] = {
    (first, second): days
    for first, days in (
        ("business", WORKDAYS), ("working", WORKDAYS), ("work", WORKDAYS),
        ("week", WORKDAYS), ("school", WORKDAYS), ("weekend", WEEKEND),
    )
    for second in ("day", "days")
}

MONTH_NAMES: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
MONTH_LABELS = (
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# Longest length of each month (February counts its leap day: Feb 29 is a real date).
MONTH_LENGTHS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# --- durations ---------------------------------------------------------------------------------

UNIT_WORDS: dict[str, str] = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "mo": "month", "mos": "month", "mth": "month", "mths": "month", "month": "month",
    "months": "month",
    "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year",
}
SECONDS_PER_UNIT: dict[str, int] = {
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
}
CALENDAR_UNITS = frozenset({"month", "year"})

# "hourly" -> (1, "hour"); the period word "nightly" also sets the night context.
FREQUENCY_ADVERBS: dict[str, tuple[int, str]] = {
    "minutely": (1, "minute"), "hourly": (1, "hour"), "daily": (1, "day"), "nightly": (1, "day"), "everyday": (1, "day"),
    "weekly": (1, "week"), "monthly": (1, "month"), "yearly": (1, "year"),
    "annually": (1, "year"), "annual": (1, "year"), "quarterly": (3, "month"),
    "biweekly": (2, "week"), "fortnightly": (2, "week"), "semiannually": (6, "month"),
    "semiannual": (6, "month"), "biannually": (6, "month"), "biannual": (6, "month"),
    "bihourly": (2, "hour"), "halfhourly": (30, "minute"), "quarterhourly": (15, "minute"),
    "halfyearly": (6, "month"), "semiyearly": (6, "month"),
}
# Words whose meaning is split in everyday use: refused rather than guessed.
AMBIGUOUS_ADVERBS: dict[str, str] = {
    "bimonthly": "'every 2 months' or 'on the 1st and 15th'",
    "semimonthly": "'on the 1st and 15th'",
    "biyearly": "'every 6 months' or 'every year on march 1'",
}

# --- times of day ------------------------------------------------------------------------------

MERIDIEM_WORDS: dict[str, str] = {"am": "am", "pm": "pm"}
PERIOD_WORDS: dict[str, str] = {
    "morning": "morning", "mornings": "morning", "afternoon": "afternoon",
    "afternoons": "afternoon", "evening": "evening", "evenings": "evening", "night": "night",
    "nights": "night", "tonight": "night",
}
FIXED_TIMES: dict[str, tuple[int, int]] = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}

# --- filler ------------------------------------------------------------------------------------

# Words that carry no schedule meaning once the grammar has had its chance at them.
FILLER_WORDS = frozenset({
    "please", "pls", "plz", "kindly", "run", "runs", "running", "rerun", "execute", "trigger",
    "fire", "do", "it", "this", "that", "the", "a", "an", "to", "me", "us", "remind",
    "reminder", "schedule", "scheduled", "set", "task", "job", "can", "could", "would", "you",
    "i", "want", "need", "should", "will", "be", "go", "make", "so", "just", "only", "also",
    "and", "then", "at", "on", "of", "in", "repeat", "repeating", "repeatedly", "recurring",
    "sharp", "exactly", "precisely", "time", "times", "hey", "ok", "okay", "is", "are", "wake",
    "up", "check", "send", "ping", "notify", "alert", "everything", "cron", "with", "my",
    "our", "there", "again", "thanks", "thank", "by", "for", "around", "about",
    "during", "later",
    # Nouns and verbs of requests people post ('run my script at 2am', 'I'd like the cronjob
    # to execute ...'): they name what runs, never when.
    "script", "scripts", "command", "commands", "cronjob", "crontab", "program", "process",
    "like", "id", "automatically", "let", "lets", "have", "has", "get", "gets", "executed",
    "triggered", "started", "called", "invoked", "which", "must",
    # ... and of questions ('how do I run a job every 5 minutes?', 'cron expression for ...').
    "how", "what", "whats", "expression", "syntax", "create", "write", "add", "entry", "setup",
    "configure", "define", "use", "using", "way", "where", "runs", "setting",
})
