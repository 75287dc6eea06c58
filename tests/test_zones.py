"""Time-zone names (cadence/zones.py): strict IANA lookup and zones named in free text."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from agentcron.cadence.zones import find_zone_in_text, place_names, resolve_zone, zone
from agentcron.errors import ScheduleError


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  AMERICA/NEW_YORK ", "America/New_York"),
        ("utc", "UTC"),
        ("Etc/GMT-2", "Etc/GMT-2"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_resolve_zone_accepts_iana_names_in_any_case(name: str, canonical: str) -> None:
    assert resolve_zone(name) == canonical


@pytest.mark.parametrize("name", ["Narnia/Cair_Paravel", "Berlin", "PST", "", "localtime"])
def test_resolve_zone_is_strict(name: str) -> None:
    with pytest.raises(ScheduleError, match="IANA"):
        resolve_zone(name)


def test_zone_returns_zoneinfo() -> None:
    assert zone("asia/tokyo") == ZoneInfo("Asia/Tokyo")


FOUND = [
    # IANA names, anywhere, with the words around them that belong to them
    ("every day at 9 Europe/Berlin", "Europe/Berlin", "every day at 9"),
    ("Europe/Berlin every day at 9", "Europe/Berlin", "every day at 9"),
    ("at 9 in the Asia/Tokyo time zone", "Asia/Tokyo", "at 9"),
    ("at 9 (America/Sao_Paulo)", "America/Sao_Paulo", "at 9"),
    ("at 9 Etc/GMT+5", "Etc/GMT+5", "at 9"),
    ("at 9 US/Pacific", "US/Pacific", "at 9"),
    # fixed offsets, POSIX sign inverted
    ("at 9 UTC+2", "Etc/GMT-2", "at 9"),
    ("at 9 utc -03:00", "Etc/GMT+3", "at 9"),
    ("at 9 GMT+0", "UTC", "at 9"),
    ("at 9 UTC+14", "Etc/GMT-14", "at 9"),
    # abbreviations and region words
    ("at 9 UTC", "UTC", "at 9"),
    ("at 9 gmt", "UTC", "at 9"),
    ("at 0900Z", "UTC", "at 0900"),
    ("at 9 zulu time", "UTC", "at 9"),
    ("at 9 EST", "America/New_York", "at 9"),
    ("at 9 Eastern Daylight Time", "America/New_York", "at 9"),
    ("at 9 CDT", "America/Chicago", "at 9"),
    ("at 9 Central", "America/Chicago", "at 9"),
    ("at 9 MDT", "America/Denver", "at 9"),
    ("at 9 PT", "America/Los_Angeles", "at 9"),
    ("at 9 Pacific Standard Time", "America/Los_Angeles", "at 9"),
    ("at 9 AKST", "America/Anchorage", "at 9"),
    ("at 9 HST", "Pacific/Honolulu", "at 9"),
    ("at 9 CET", "Europe/Berlin", "at 9"),
    ("at 9 central european time", "Europe/Berlin", "at 9"),
    ("at 9 EET", "Europe/Athens", "at 9"),
    ("at 9 british summer time", "Europe/London", "at 9"),
    ("at 9 IST", "Asia/Kolkata", "at 9"),
    ("at 9 JST", "Asia/Tokyo", "at 9"),
    ("at 9 AEST", "Australia/Sydney", "at 9"),
    ("at 9 NZDT", "Pacific/Auckland", "at 9"),
    # IANA city names (last component) and big cities that are not IANA names
    ("at 9 Tokyo time", "Asia/Tokyo", "at 9"),
    ("at 9 in Tokyo", "Asia/Tokyo", "at 9"),
    ("at 9 in new york", "America/New_York", "at 9"),
    ("at 9 New York City time", "America/New_York", "at 9"),
    ("at 9 in Los Angeles", "America/Los_Angeles", "at 9"),
    ("at 9 Buenos Aires time", "America/Argentina/Buenos_Aires", "at 9"),
    ("at 9 in Port-au-Prince", "America/Port-au-Prince", "at 9"),
    ("at 9 in Ho Chi Minh", "Asia/Ho_Chi_Minh", "at 9"),
    ("at 9 in São Paulo", "America/Sao_Paulo", "at 9"),
    ("at 9 Zürich time", "Europe/Zurich", "at 9"),
    ("at 9 in san francisco", "America/Los_Angeles", "at 9"),
    ("at 9 in Washington DC", "America/New_York", "at 9"),
    ("at 9 Dallas time", "America/Chicago", "at 9"),
    ("at 9 in Bangalore", "Asia/Kolkata", "at 9"),
    ("at 9 in Beijing", "Asia/Shanghai", "at 9"),
    ("at 9 in Frankfurt", "Europe/Berlin", "at 9"),
    ("at 9 in St. Petersburg", "Europe/Moscow", "at 9"),
    ("at 9 calcutta time", "Asia/Kolkata", "at 9"),
]


@pytest.mark.parametrize(("text", "name", "rest"), FOUND)
def test_find_zone_in_text(text: str, name: str, rest: str) -> None:
    found, remaining = find_zone_in_text(text)
    assert found == name
    assert " ".join(remaining.split()).rstrip(" )") == rest


@pytest.mark.parametrize(
    "text",
    [
        "every day at 9",
        "every monday at 9am",
        "mon/wed/fri at 9",
        "remind me to set the alarm",
        "every weekday at 8:30 a.m.",
        "in 10 minutes",
        "in december",
        "every first monday of the month",
        "wake me up at 7 every day",
        "on christmas day",
        "every easter",
        "east side standup",
        "2026-04-01 08:30",
        "at 9 pizza",
    ],
)
def test_text_without_a_zone(text: str) -> None:
    found, remaining = find_zone_in_text(text)
    assert found is None
    assert remaining == text.lower()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("daily at 9 Narnia/Cair_Paravel", "'narnia/cair_paravel'"),
        ("daily at 9 Europe/Gotham", "'europe/gotham'"),
        ("daily at 9 America/Nowhere_City", "'america/nowhere_city'"),
        ("daily at 9 Tokyo time or Berlin time", "more than one time zone"),
        ("daily at 9 PST in London", "more than one time zone"),
        ("daily at 9 UTC+5:30", "Asia/Kolkata"),
        ("daily at 9 UTC+13:45", "minutes"),
        ("daily at 9 UTC-13", "does not exist"),
    ],
)
def test_zone_refusals(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        find_zone_in_text(text)
    assert fragment.lower() in str(caught.value).lower()


def test_same_zone_named_twice_is_fine() -> None:
    assert find_zone_in_text("9am Tokyo time (Asia/Tokyo)")[0] == "Asia/Tokyo"


def test_place_table_covers_iana_cities_and_skips_everyday_words() -> None:
    names = place_names()
    assert names["tokyo"] == "Asia/Tokyo"
    assert names["kolkata"] == "Asia/Kolkata"
    assert names["indianapolis"] == "America/Indiana/Indianapolis"
    for word in ("east", "wake", "christmas", "easter", "monday", "march", "may", "day"):
        assert word not in names
    for full in set(names.values()):
        assert resolve_zone(full) == full
