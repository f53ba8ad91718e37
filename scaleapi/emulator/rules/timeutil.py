"""Timestamps: the wire format (ISO-8601 UTC, milliseconds, ``Z``) and parsing of time filters."""
from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

from .errors import bad_request

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Clock:
    """Wall-clock milliseconds that never go backwards.

    Creation order is kept by a sequence number, but a clock that jumps back would still make
    ``updated_at`` precede ``created_at``; clamping to the last value avoids that.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def now_ms(self) -> int:
        """Current UTC time in milliseconds since the epoch, non-decreasing."""
        now = int(time.time() * 1000)
        with self._lock:
            now = max(now, self._last)
            self._last = now
            return now


def iso_from_ms(ms: int) -> str:
    """Format epoch milliseconds as ``2019-03-10T08:55:26.624Z``."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(value: str, name: str) -> int:
    """Parse a time filter into epoch milliseconds.

    Accepts ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with ``T`` or a space, and an
    optional ``Z`` or ``±HH:MM`` zone; a value without a zone is UTC (the official tests send naive
    ``utcnow().isoformat()`` strings). Raises a 400 naming the parameter otherwise.
    """
    match = _ISO_RE.match(value.strip())
    if match is None:
        raise bad_request(f'Parameter is invalid, reason: "{name}" must be an ISO-8601 date or time')
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            micros, tzinfo=timezone.utc,
        )
    except ValueError as err:
        raise bad_request(f'Parameter is invalid, reason: "{name}" is not a valid date ({err})') from err
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise bad_request(f'Parameter is invalid, reason: "{name}" has an invalid UTC offset "{zone}"')
        try:
            moment -= sign * timedelta(hours=hours, minutes=minutes)
        except OverflowError as err:
            # e.g. 0001-01-01T00:00:00+05:00 is a moment in the year 0, which datetime cannot hold.
            raise bad_request(
                f'Parameter is invalid, reason: "{name}" must be between years 1 and 9999 in UTC'
            ) from err
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
