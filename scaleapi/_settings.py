"""The transport settings a caller gives (``timeout``, ``max_retries``), checked before any request."""
import math
from typing import Tuple, Union

from .exceptions import ScaleConfigurationError

__all__ = ["Timeout", "checked_max_retries", "checked_timeout", "timeout_pair"]

Timeout = Union[float, Tuple[float, float]]

#: The longest timeout accepted: sockets and threading refuse waits much beyond a few centuries.
_LONGEST_TIMEOUT = 7 * 24 * 3600.0


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScaleConfigurationError(
            f"{name} must be a number of seconds, not {type(value).__name__}"
        )
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= _LONGEST_TIMEOUT:
        raise ScaleConfigurationError(
            f"{name} must be more than 0 and at most {_LONGEST_TIMEOUT:g} seconds, not {value!r}"
        )
    return seconds


def timeout_pair(timeout: object) -> Tuple[float, float]:
    """``timeout`` checked and spelled as ``(connect, read)`` seconds.

    Raises:
        ScaleConfigurationError: (a ``ValueError``) the value is not a positive, finite number of
            seconds or a pair of them; ``None`` inside a pair is refused, every request keeps a timeout.
    """
    if isinstance(timeout, (tuple, list)):
        if len(timeout) != 2:
            raise ScaleConfigurationError(
                f"timeout must be seconds or a (connect, read) pair, not a sequence of {len(timeout)}"
            )
        return _seconds(timeout[0], "timeout (connect)"), _seconds(timeout[1], "timeout (read)")
    seconds = _seconds(timeout, "timeout")
    return seconds, seconds


def checked_timeout(timeout: object) -> Timeout:
    """A valid ``timeout`` as given (a pair stays a tuple), or ScaleConfigurationError."""
    pair = timeout_pair(timeout)
    return pair if isinstance(timeout, (tuple, list)) else pair[0]


def checked_max_retries(max_retries: object) -> int:
    """``max_retries`` checked: a whole number, 0 or more.

    Raises:
        ScaleConfigurationError: (a ``ValueError``) anything else, booleans and floats included.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise ScaleConfigurationError(
            f"max_retries must be a whole number (int), not {type(max_retries).__name__}"
        )
    if max_retries < 0:
        raise ScaleConfigurationError(f"max_retries must be 0 or more, not {max_retries}")
    return max_retries
