"""The retry policy as pure functions: which failures are worth another attempt, and how long to wait.

``Api`` runs the loop; everything here is arithmetic and classification, so the tests pin it with tables.
"""
import email.utils
import enum
import math
import random
from datetime import datetime, timezone
from typing import Callable, NamedTuple, Optional

from . import _constants as C


class CallKind(enum.Enum):
    """How safe a call is to repeat."""

    #: Reads, and writes that only set state (cancel, tags, metadata, ...): repeating changes nothing.
    IDEMPOTENT = "idempotent"
    #: A create with a natural key (unique_id, batch or project name): a repeat can only hit 409,
    #: which is then reconciled by fetching what the earlier attempt created.
    KEYED_CREATE = "keyed_create"
    #: A create without a natural key: repeated only when the server provably never saw it.
    CREATE = "create"


class RetryPolicy(NamedTuple):
    """The numbers of the policy; defaults come from ``_constants``.

    A NamedTuple rather than a dataclass: immutable all the same, and ``import scaleapi`` stays clear
    of ``dataclasses`` (and the ``inspect`` it imports).
    """

    max_retries: int = C.DEFAULT_MAX_RETRIES
    initial_delay: float = C.INITIAL_RETRY_DELAY
    max_delay: float = C.MAX_RETRY_DELAY
    jitter: float = C.RETRY_JITTER
    max_retry_after: float = C.MAX_RETRY_AFTER
    #: Seconds a call may go on retrying past ``max_retries``; None (ordinary calls): no further.
    budget: Optional[float] = None

    def may_repeat(self, retry_number: int, elapsed: float, wait: float) -> bool:
        """Whether retry ``retry_number`` may be made, ``elapsed`` seconds into the call, after ``wait``.

        The first ``max_retries`` retries are always allowed; with a ``budget`` more follow as long as
        the wait before them ends within the budget, so no call sleeps past it.
        """
        if retry_number <= self.max_retries:
            return True
        return self.budget is not None and elapsed + wait <= self.budget

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry).

        Exponential, capped, then shortened by a random share of at most ``jitter`` of itself:
        with the defaults retry 1 waits 0.375-0.5 s, retry 2 0.75-1 s, retry 3 1.5-2 s.
        """
        base = min(self.max_delay, self.initial_delay * (2.0 ** max(0, retry_number - 1)))
        return base * (1.0 - self.jitter * rand())

    def server_wait(self, retry_after: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
        """The wait a ``Retry-After`` header asks for, capped; None when it asks for nothing usable."""
        asked = parse_retry_after(retry_after, now)
        return None if asked is None else min(asked, self.max_retry_after)

    def delay(
        self,
        retry_number: int,
        retry_after: Optional[str] = None,
        rand: Callable[[], float] = random.random,
        now: Optional[datetime] = None,
    ) -> float:
        """The wait before a retry: the server's ``Retry-After`` when usable (capped), else backoff."""
        asked = self.server_wait(retry_after, now)
        return self.backoff(retry_number, rand) if asked is None else asked


def check_budget(value: Optional[float]) -> float:
    """A retry budget in seconds: ``value``, or ``DEFAULT_RETRY_BUDGET`` when None.

    Raises:
        ValueError: ``value`` is not a finite number of seconds, 0 or more.
    """
    if value is None:
        return C.DEFAULT_RETRY_BUDGET
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"retry_budget must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"retry_budget must be a finite number of seconds, 0 or more, got {value!r}")
    return float(value)


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date), or None.

    Garbage, negative numbers and non-finite values give None, so the caller falls back to backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds: Optional[float]
    try:
        seconds = float(text)
    except ValueError:
        seconds = _seconds_until_http_date(text, now)
    if seconds is None:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _seconds_until_http_date(text: str, now: Optional[datetime]) -> Optional[float]:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def may_retry_status(kind: CallKind, status: int) -> bool:
    """Whether an HTTP status is worth another attempt for this kind of call.

    429 means the server turned the request away before doing anything, so even a create without a
    natural key may repeat it. A 5xx may come after the work was done (a gateway timing out on a
    committed create), so only calls whose repetition cannot duplicate anything are retried.
    """
    if status not in C.RETRYABLE_STATUSES:
        return False
    if status == 429:
        return True
    return kind is not CallKind.CREATE


def may_retry_transport(kind: CallKind, reached_server: bool) -> bool:
    """Whether a failure below HTTP is worth another attempt.

    Args:
        kind: how safe the call is to repeat.
        reached_server: False only when the request provably never left (connection refused,
            connect timeout); True when it may have been processed.
    """
    if not reached_server:
        return True
    return kind is not CallKind.CREATE
