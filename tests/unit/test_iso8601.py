"""The one ISO-8601 reader and writer shared by the SDK and the emulator, pinned with a table."""
from datetime import datetime, timedelta, timezone
from typing import Optional

import pytest

from scaleapi._iso8601 import BadTime, format_ms, parse_ms, parse_time_ms
from scaleapi.emulator.rules import timeutil
from scaleapi.export import format_ms as export_format_ms
from scaleapi.export import parse_time_ms as export_parse_time_ms


@pytest.mark.parametrize(
    "text, ms",
    [
        ("1970-01-01", 0),
        ("1970-01-01T00:00:01.5", 1500),
        ("1970-01-01 00:00:01,25", 1250),
        ("1970-01-01T00:00", 0),
        ("1970-01-01T00:00:00.123456789Z", 123),
        ("1970-01-01T00:00:00z", 0),
        ("1970-01-01 01:00:00+01:00", 0),
        ("1970-01-01T01:00:00+0100", 0),
        ("1970-01-01T01:00:00+01", 0),
        ("1969-12-31T19:00:00-05:00", 0),
        ("  2019-03-10T08:55:26.624Z  ", 1_552_208_126_624),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ],
)
def test_accepted_shapes(text: str, ms: int) -> None:
    assert parse_ms(text) == ms
    assert parse_time_ms(text) == ms


@pytest.mark.parametrize(
    "text, why",
    [
        ("yesterday", "must be an ISO-8601 date or time"),
        ("2024-05-01T", "must be an ISO-8601 date or time"),
        ("2024-02-30", "is not a valid date (day is out of range for month)"),
        ("2024-05-01T24:00:00Z", "is not a valid date (hour must be in 0..23)"),
        ("2024-05-01T00:00:00+24:00", 'has an invalid UTC offset "+24:00"'),
        ("2024-05-01T00:00:00+05:60", 'has an invalid UTC offset "+05:60"'),
        ("0001-01-01T00:00:00+05:00", "must be between years 1 and 9999 in UTC"),
        ("9999-12-31T23:59:59-01:00", "must be between years 1 and 9999 in UTC"),
    ],
)
def test_refused_texts_say_why(text: str, why: str) -> None:
    with pytest.raises(BadTime) as info:
        parse_ms(text)
    assert info.value.why == why
    assert isinstance(info.value, ValueError) and repr(text.strip())[:20] in str(info.value)


@pytest.mark.parametrize("ms", [0, 1, 999, 1_552_208_126_624, 253_402_300_799_999])
def test_format_round_trips(ms: int) -> None:
    assert parse_ms(format_ms(ms)) == ms
    assert len(format_ms(ms)) == 24 and format_ms(ms).endswith("Z")


def test_datetimes_are_read_as_given_and_naive_means_utc() -> None:
    assert parse_time_ms(datetime(1970, 1, 1, 0, 0, 2, tzinfo=timezone.utc)) == 2000
    assert parse_time_ms(datetime(1970, 1, 1, 0, 0, 3)) == 3000
    assert parse_time_ms(datetime(1970, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) == 0


def test_the_export_module_and_the_emulator_use_this_module() -> None:
    assert export_parse_time_ms is parse_time_ms and export_format_ms is format_ms
    assert timeutil.iso_from_ms is format_ms


@pytest.mark.parametrize(
    "text, ms, message",
    [
        ("2024-05-01", 1_714_521_600_000, None),
        ("yesterday", None, 'Parameter is invalid, reason: "created_after" must be an ISO-8601 date or time'),
        ("2024-02-30", None,
         'Parameter is invalid, reason: "created_after" is not a valid date (day is out of range for month)'),
        ("2024-05-01T00:00:00+99:00", None,
         'Parameter is invalid, reason: "created_after" has an invalid UTC offset "+99:00"'),
    ],
)
def test_the_emulator_answers_a_400_naming_the_parameter(text: str, ms: Optional[int],
                                                        message: Optional[str]) -> None:
    if message is None:
        assert timeutil.parse_time(text, "created_after") == ms
        return
    with pytest.raises(Exception) as info:  # the emulator's ApiError, answered as a 400
        timeutil.parse_time(text, "created_after")
    assert getattr(info.value, "status") == 400 and getattr(info.value, "message") == message
