"""Timestamps: the wire format (ISO-8601 UTC, milliseconds, ``Z``) and parsing of time filters."""
from __future__ import annotations

import threading
import time

from scaleapi._iso8601 import BadTime, parse_ms
from scaleapi._iso8601 import format_ms as iso_from_ms

from .errors import bad_request

__all__ = ["Clock", "iso_from_ms", "parse_time"]


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


def parse_time(value: str, name: str) -> int:
    """Parse a time filter into epoch milliseconds, as ``scaleapi._iso8601`` reads times.

    A value without a zone is UTC (the official tests send naive ``utcnow().isoformat()`` strings).
    Raises a 400 naming the parameter otherwise.
    """
    try:
        return parse_ms(value)
    except BadTime as err:
        raise bad_request(f'Parameter is invalid, reason: "{name}" {err.why}') from err
