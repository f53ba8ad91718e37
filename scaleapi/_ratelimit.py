"""A client-side rate limiter shared by every thread of a long job: all of them slow down together.

Two things make every thread wait, not only the one that saw the trouble:

* **429.** Unlimited until the server first says 429; then every thread pauses for the server's
  Retry-After and the allowed rate is halved from what was being achieved. Each success afterwards
  raises it by a fixed share (10 % by default), so a brief burst of 429s costs a few dozen requests'
  worth of pacing, not minutes, and the limit lifts again once the rate is high enough.
* **An outage.** After ``outage_after`` failures in a row (a retryable 5xx, or no answer at all) with
  no success between them, the API is taken to be down for everyone: every thread pauses for the
  policy's backoff, then a single request (the probe) goes out while the others keep waiting. A probe
  that fails makes the next pause longer (the backoff of one call's retries, up to its 4th step,
  ``OUTAGE_MAX_STEP``, so the end of an outage is seen within about 4 s); any success
  ends the outage and lets everyone through at once. So during an outage the server sees about one
  request per backoff step, however many threads are waiting, instead of one per thread.

Whoever watches the job (a progress bar) can ``listen`` for the reason of each shared pause.
"""
import logging
import random
import threading
import time
from collections import deque
from typing import Callable, Deque, List, Optional

from . import _constants as C
from ._retry import RetryPolicy

logger = logging.getLogger("scaleapi")

#: How often a thread held back by a probe looks again (seconds).
PROBE_POLL = C.PROBE_POLL

Listener = Callable[[str], None]


def _seconds(value: float) -> str:
    return f"{value:.0f}s" if value >= 1.0 else f"{value:.1f}s"


class RateLimiter:  # pylint: disable=too-many-instance-attributes
    """Paces requests from many threads.

    Args:
        min_rate: the floor, in requests per second, that a series of 429s cannot go below.
        recovery: the factor the allowed rate grows by after each success.
        lift_at: once the allowed rate climbs past this, the limit is removed.
        policy: gives the backoff of the shared pauses during an outage.
        outage_after: failures in a row (with no success between them) that mean an outage.
        probe_timeout: seconds after which a probe that never reported back stops holding the
            others (a probe always reports, unless its thread was interrupted).
        clock, sleep, rand: injectable for tests.
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        min_rate: float = 2.0,
        recovery: float = 1.1,
        lift_at: float = 1000.0,
        *,
        policy: Optional[RetryPolicy] = None,
        outage_after: int = C.OUTAGE_AFTER_FAILURES,
        probe_timeout: float = C.PROBE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.min_rate = min_rate
        self.recovery = recovery
        self.lift_at = lift_at
        self.policy = policy or RetryPolicy()
        self.outage_after = max(1, outage_after)
        self.probe_timeout = probe_timeout
        self.rate: Optional[float] = None  # requests per second; None means unlimited
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0  # a 429's Retry-After
        self._outage_until = 0.0  # the current outage pause (lifted by any success)
        self._recent: Deque[float] = deque()  # completion times within the last second
        self._listeners: List[Listener] = []
        self.throttled = 0  # how many 429s were seen
        self.failures = 0  # failures in a row, across threads, since the last success
        self.outage_level = 0  # 0: no outage; n: the n-th shared pause of the current outage
        self._probe_since: Optional[float] = None  # when the current probe was let through

    # -- watching ---------------------------------------------------------------------------------

    def listen(self, listener: Listener) -> None:
        """Call ``listener(message)`` whenever every thread is made to wait, e.g. "waiting 4s: server 503"."""
        with self._lock:
            self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _tell(self, message: Optional[str]) -> None:
        if message is None:
            return
        logger.info("all workers are %s", message)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(message)

    # -- pacing -----------------------------------------------------------------------------------

    def acquire(self) -> None:
        """Block until this thread may send its next request."""
        while True:
            with self._lock:
                now = self._clock()
                hold = self._hold(now)
                if hold <= 0.0:
                    if self.outage_level:
                        self._probe_since = now  # this request is the probe
                    start = now
                    if self.rate is not None:
                        start = max(start, self._next_slot)
                        self._next_slot = start + 1.0 / self.rate
                    break
            self._sleep(hold)
        if start > now:
            self._sleep(start - now)

    def _hold(self, now: float) -> float:
        """How long a thread must wait before it may look again (0: it may go). Lock held."""
        until = max(self._paused_until, self._outage_until)
        if now < until:
            return until - now
        if self.outage_level and self._probe_since is not None:
            expires = self._probe_since + self.probe_timeout
            if now < expires:
                return min(PROBE_POLL, expires - now)
        return 0.0

    def record(self, status: Optional[int], pause: float = 0.0) -> None:
        """Tell the limiter how a request ended.

        Args:
            status: the HTTP status, or None when no answer came (connection failure, timeout).
            pause: the wait the server asked for on a 429.
        """
        with self._lock:
            now = self._clock()
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 1.0:
                self._recent.popleft()
            message: Optional[str]
            if status == 429:
                message = self._throttle(now, pause)
            elif status is None or status in C.RETRYABLE_STATUSES:
                message = self._failed(now, "no connection" if status is None else f"server {status}")
            else:
                message = None
                self._succeeded(now)
        self._tell(message)

    def _throttle(self, now: float, pause: float) -> str:
        self._answered(now)  # a 429 is the server turning requests away, not an outage
        self.throttled += 1
        achieved = float(len(self._recent))
        current = self.rate if self.rate is not None else achieved
        self.rate = max(self.min_rate, min(current, achieved) / 2.0)
        self._paused_until = max(self._paused_until, now + pause)
        self._next_slot = max(self._next_slot, self._paused_until)
        if pause > 0:
            return f"waiting {_seconds(pause)}: rate limited (429)"
        return f"slowed to {self.rate:.0f} requests/s: rate limited (429)"

    def _failed(self, now: float, reason: str) -> Optional[str]:
        self.failures += 1
        if self.outage_level == 0:
            if self.failures < self.outage_after:
                return None
        elif now < self._outage_until:
            return None  # sent before the current pause began: nothing new is learned
        # The outage begins, or its probe failed: everyone waits longer.
        self.outage_level += 1
        self._probe_since = None
        wait = self.policy.backoff(min(self.outage_level, C.OUTAGE_MAX_STEP), self._rand)
        self._outage_until = now + wait
        self._next_slot = max(self._next_slot, self._outage_until)
        return f"waiting {_seconds(wait)}: {reason}"

    def _answered(self, now: float) -> None:
        """The server answered: whatever outage there was is over."""
        self.failures = 0
        self.outage_level = 0
        self._probe_since = None
        self._outage_until = min(self._outage_until, now)

    def _succeeded(self, now: float) -> None:
        self._answered(now)
        if self.rate is None:
            return
        self.rate *= self.recovery
        if self.rate >= self.lift_at:
            self.rate = None
            self._next_slot = now
        else:
            # Slots handed out at the slower rate are pulled in to the new spacing.
            self._next_slot = min(self._next_slot, max(now, self._paused_until) + 1.0 / self.rate)
