"""Datetimes of the v2 models, read laxly (as the API sends them) and written as ISO 8601."""
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from ._invalid import _kind

# Datetimes (lax, as the API sends them): ISO 8601 with Z or an offset, with or without fractions,
# date only, or Unix seconds. Naive values are taken as UTC, so every parsed datetime is aware.

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?"
)


def _from_iso_z(value: str) -> datetime:
    """``value`` (ending in Z) as read by ``datetime.fromisoformat``, in UTC."""
    if _FROM_ISO_READS_Z:
        return datetime.fromisoformat(value)  # gives timezone.utc itself
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=timezone.utc)


_FROM_ISO_READS_Z = sys.version_info >= (3, 11)


def parse_datetime(value: Any) -> datetime:
    """Read a datetime the way the API sends one; raises ``ValueError`` when it is not one."""
    if value.__class__ is str and value[-1:] == "Z" and (
            value[4:20:3] == "--T::." if len(value) in (24, 27)
            else len(value) == 20 and value[4:17:3] == "--T::"):
        # The common shape (2026-11-01T10:00:00.000Z, milli- or microseconds, or none): read in C.
        # Anything it refuses (digits other than ASCII, say) goes the long way below.
        try:
            return _from_iso_z(value)
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError("the Unix time is out of range") from None
    if not isinstance(value, str):
        raise ValueError(f"expected a datetime, got {_kind(value)}")
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise ValueError("expected an ISO 8601 datetime")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    tz = timezone.utc
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    del zulu  # Z and no offset both mean UTC
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                    int(second or 0), micro, tzinfo=tz)


def format_datetime(value: datetime) -> str:
    """ISO 8601 text for a datetime; UTC is written with ``Z``, naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
