"""ISO-8601 times as epoch milliseconds: the one reader and writer that the SDK and the emulator share.

Read: ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM[:SS[.fraction]]`` with ``T`` or a space, and an optional
``Z`` or ``±HH[:MM]`` zone; a time without a zone is UTC. Written: ``YYYY-MM-DDTHH:MM:SS.mmmZ``, the API's
own shape. Only ``re`` and ``datetime`` are imported, so ``import scaleapi`` stays light.
"""
import re
from datetime import datetime, timedelta, timezone
from typing import Union

__all__ = ["BadTime", "format_ms", "parse_ms", "parse_time_ms", "shown"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


class BadTime(ValueError):
    """A text that is not a time; ``str()`` names the text, ``why`` says what is wrong with it in words
    that follow a parameter's name (``"created_after" must be an ISO-8601 date or time``)."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


def format_ms(ms: int) -> str:
    """Epoch milliseconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def shown(value: object) -> str:
    """A value for an error message, cut short if long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_ms(text: str) -> int:
    """An ISO-8601 date or time (read as the module docstring says) as epoch milliseconds.

    Raises:
        BadTime: (a ``ValueError``) not that shape, no such date or time of day, a zone offset
            beyond 23:59, or a moment outside years 1-9999 in UTC.
    """
    match = _ISO.match(text.strip())
    if match is None:
        raise BadTime(f"not an ISO-8601 date or time: {shown(text)}", "must be an ISO-8601 date or time")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc,
        )  # fmt: skip
    except ValueError as err:
        raise BadTime(f"not a valid date: {shown(text)} ({err})", f"is not a valid date ({err})") from None
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise BadTime(f"not a valid UTC offset in {shown(text)}", f'has an invalid UTC offset "{zone}"')
        try:
            moment -= (-1 if zone[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            # e.g. 0001-01-01T00:00:00+05:00 is a moment in the year 0, which datetime cannot hold.
            raise BadTime(f"not a time between years 1 and 9999: {shown(text)}",
                          "must be between years 1 and 9999 in UTC") from None
    return _epoch_ms(moment)


def _epoch_ms(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def parse_time_ms(value: Union[str, datetime]) -> int:
    """An ISO-8601 time (a value without a zone is UTC) or a ``datetime`` as epoch milliseconds.

    Raises:
        ValueError: the text is not an ISO-8601 date or time, or names a moment outside years 1-9999.
    """
    if isinstance(value, datetime):
        return _epoch_ms(value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc))
    return parse_ms(value)
