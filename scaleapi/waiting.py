"""Waiting for tasks and batches to finish: polling with backoff and a clear timeout.

Each waiter polls, and sleeps between polls for ``poll`` seconds at first, then 1.5 times longer
each round up to ``MAX_POLL_INTERVAL``; it never sleeps past the deadline, and polls one last time
at it. When time runs out it raises ``WaitTimeout`` (a ``ScaleWaitTimeout``) naming what was still
pending. ``sleep`` and ``clock`` are injectable so tests run without waiting.

A wait is long work: each poll rides out server trouble (5xx, 429, dropped connections) for up to
the retry budget (``retry_budget``, default the client's), but never past the wait's deadline. A
poll that still fails then raises its error.
"""
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple, TypeVar

from ._constants import (
    DEFAULT_CONCURRENCY,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    MAX_POLL_INTERVAL,
    POLL_BACKOFF,
)
from ._models import Model
from .exceptions import WaitTimeout

if TYPE_CHECKING:  # pragma: no cover
    from .batches import Batch
    from .client import ScaleClient
    from .tasks import Task

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "DEFAULT_POLL_INTERVAL",
    "MAX_POLL_INTERVAL",
    "TASK_DONE_STATUSES",
    "BATCH_DONE_STATUSES",
    "WaitTimeout",
    "Poller",
    "wait_for_task",
    "wait_for_tasks",
    "wait_for_batch",
]

#: Worker threads ``wait_for_tasks`` uses to poll many tasks.
DEFAULT_WAIT_CONCURRENCY = DEFAULT_CONCURRENCY

#: A task in one of these statuses will not change by itself any more.
TASK_DONE_STATUSES: FrozenSet[str] = frozenset({"completed", "canceled", "error"})
#: A batch in one of these statuses is finished (``cancelled`` is Scale's spelling for batches).
BATCH_DONE_STATUSES: FrozenSet[str] = frozenset({"completed", "canceled", "cancelled"})

Sleep = Callable[[float], None]
Clock = Callable[[], float]
M = TypeVar("M", bound=Model)
T = TypeVar("T")


class Poller:
    """The pacing of one wait: growing pauses, never past the deadline.

    Args:
        timeout: seconds until the deadline, or None for none.
        poll: the first pause, in seconds (must be positive).
        sleep: the sleep function.
        clock: a monotonic clock in seconds.
    """

    def __init__(self, timeout: Optional[float], poll: float, *, sleep: Sleep = time.sleep,
                 clock: Clock = time.monotonic) -> None:
        if poll <= 0:
            raise ValueError("poll must be a positive number of seconds")
        if timeout is not None and timeout < 0:
            raise ValueError("timeout must be 0 or more seconds, or None")
        self._sleep = sleep
        self._clock = clock
        self.timeout = timeout
        self.started = clock()
        self.deadline = None if timeout is None else self.started + timeout
        self.interval = poll

    def elapsed(self) -> float:
        """Seconds since the wait began."""
        return self._clock() - self.started

    def remaining(self) -> Optional[float]:
        """Seconds until the deadline (0 once it has passed), or None without a deadline."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self._clock())

    def pause(self) -> bool:
        """Sleep before the next poll; False when the deadline has passed (no sleep then)."""
        now = self._clock()
        if self.deadline is not None and now >= self.deadline:
            return False
        delay = self.interval
        if self.deadline is not None:
            delay = min(delay, self.deadline - now)
        self._sleep(delay)
        self.interval = min(self.interval * POLL_BACKOFF, max(MAX_POLL_INTERVAL, self.interval))
        return True


def _poll_client(client: "ScaleClient", poller: Poller) -> "ScaleClient":
    """``client`` (a long-work copy), with its retry budget cut to what is left of the wait."""
    remaining = poller.remaining()
    budget = client.api.policy.budget
    if remaining is None or (budget is not None and budget <= remaining):
        return client
    return client.with_options(retry_budget=remaining, _long_work=True)


def _yours(model: M, client: "ScaleClient") -> M:
    """``model`` bound to the caller's client rather than to the polling copy."""
    return type(model)(model.as_dict(), client)


def _finished(status: Any, done: FrozenSet[str]) -> bool:
    """Whether a status read from the server is one of ``done`` (anything but a string is not)."""
    return isinstance(status, str) and status in done


def _list_ids(ids: List[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def wait_for_task(client: "ScaleClient", task_id: str, timeout: Optional[float] = DEFAULT_WAIT_TIMEOUT,
                  poll: float = DEFAULT_POLL_INTERVAL, *, sleep: Sleep = time.sleep,
                  clock: Clock = time.monotonic, retry_budget: Optional[float] = None) -> "Task":
    """Poll a task until it is completed, canceled or in error.

    Args:
        client: the client to poll with.
        task_id: the task's id.
        timeout: seconds to wait at most (None: no limit).
        poll: the first pause between polls; pauses grow 1.5x up to 30 s.
        sleep: injectable sleep (tests).
        clock: injectable monotonic clock (tests).
        retry_budget: seconds a poll goes on retrying through server trouble (default: the
            client's ``retry_budget``), never past the deadline.

    Returns:
        the finished ``Task``.

    Raises:
        WaitTimeout: the task was still unfinished at the deadline.
    """
    poller = Poller(timeout, poll, sleep=sleep, clock=clock)
    _polling, task = _poll_until(
        client, poller, retry_budget, task_id,
        lambda polling: polling.get_task(task_id),
        lambda task: _finished(task.as_dict().get("status"), TASK_DONE_STATUSES),
        lambda task: f"task {task_id} is still {task.as_dict().get('status')}",
    )  # fmt: skip
    return _yours(task, client)


def wait_for_tasks(  # pylint: disable=too-many-arguments
    client: "ScaleClient",
    task_ids: Iterable[str],
    timeout: Optional[float] = DEFAULT_WAIT_TIMEOUT,
    poll: float = DEFAULT_POLL_INTERVAL,
    *,
    concurrency: int = DEFAULT_WAIT_CONCURRENCY,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    retry_budget: Optional[float] = None,
) -> List["Task"]:
    """Poll many tasks until every one is completed, canceled or in error.

    Each round fetches only the tasks still unfinished, ``concurrency`` at a time.

    Args:
        client: the client to poll with.
        task_ids: the tasks' ids (repeats are allowed and polled once).
        timeout: seconds to wait at most for all of them (None: no limit).
        poll: the first pause between rounds; pauses grow 1.5x up to 30 s.
        concurrency: worker threads fetching tasks in one round (they share one rate limiter).
        sleep, clock, retry_budget: as for ``wait_for_task``.

    Returns:
        the finished tasks, in the order of ``task_ids``.

    Raises:
        WaitTimeout: some were still unfinished at the deadline (``.pending`` lists them and
            ``.finished`` holds the tasks that did finish).
    """
    ids = [str(task_id) for task_id in task_ids]
    poller = Poller(timeout, poll, sleep=sleep, clock=clock)
    polling = client.with_options(retry_budget=retry_budget, _long_work=True, _threads=True)
    done: Dict[str, "Task"] = {}
    status: Dict[str, Any] = {}
    pending = list(dict.fromkeys(ids))
    # Imported here: only waits on many tasks need a pool, and `import scaleapi` stays light.
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="scaleapi-wait") as pool:
        while pending:
            get_task = _poll_client(polling, poller).get_task
            for task_id, task in zip(pending, pool.map(get_task, pending)):
                status[task_id] = task.as_dict().get("status")
                if _finished(status[task_id], TASK_DONE_STATUSES):
                    done[task_id] = _yours(task, client)
            pending = [task_id for task_id in pending if task_id not in done]
            if pending and not poller.pause():
                named = [f"{task_id} ({status[task_id]})" for task_id in pending]
                raise WaitTimeout(
                    f"{len(pending)} of {len(set(ids))} tasks still unfinished after "
                    f"{poller.elapsed():.1f} s (timeout {timeout} s): {_list_ids(named)}",
                    pending,
                    [done[task_id] for task_id in dict.fromkeys(ids) if task_id in done],
                    waited=poller.elapsed(),
                )
    return [done[task_id] for task_id in ids]


def wait_for_batch(client: "ScaleClient", batch_name: str, timeout: Optional[float] = DEFAULT_WAIT_TIMEOUT,
                   poll: float = DEFAULT_POLL_INTERVAL, *, sleep: Sleep = time.sleep,
                   clock: Clock = time.monotonic, retry_budget: Optional[float] = None) -> "Batch":
    """Poll a batch's status until the batch is completed (or cancelled).

    Args:
        client: the client to poll with.
        batch_name: the batch's name.
        timeout, poll, sleep, clock, retry_budget: as for ``wait_for_task``.

    Returns:
        the finished ``Batch``, with its ``tasks_*`` counters filled from the last status poll.

    Raises:
        WaitTimeout: the batch was still unfinished at the deadline.
    """
    poller = Poller(timeout, poll, sleep=sleep, clock=clock)
    polling, status = _poll_until(
        client, poller, retry_budget, batch_name,
        lambda polling: polling.batch_status(batch_name),
        lambda status: _finished(status.get("status"), BATCH_DONE_STATUSES),
        lambda status: f"batch {batch_name} is still {status.get('status')} ({_counts(status)})",
    )  # fmt: skip
    batch = _yours(_poll_client(polling, poller).get_batch(batch_name), client)
    batch.tasks_pending = status.get("pending", 0)
    batch.tasks_completed = status.get("completed", 0)
    batch.tasks_error = status.get("error", 0)
    batch.tasks_canceled = status.get("canceled", 0)
    return batch


def _counts(status: Dict[str, Any]) -> str:
    counts = ", ".join(f"{key} {value}" for key, value in status.items() if key != "status")
    return counts or "no task counts"


def _poll_until(  # pylint: disable=too-many-arguments,too-many-positional-arguments
    client: "ScaleClient",
    poller: Poller,
    retry_budget: Optional[float],
    name: str,
    look: Callable[["ScaleClient"], T],
    done: Callable[[T], bool],
    still: Callable[[T], str],
) -> Tuple["ScaleClient", T]:
    """Poll ``look`` until ``done``; return the polling client and what it saw last.

    Raises:
        WaitTimeout: not done at the deadline; the message is ``still(last seen)`` and the time.
    """
    polling = client.with_options(retry_budget=retry_budget, _long_work=True)
    while True:
        seen = look(_poll_client(polling, poller))
        if done(seen):
            return polling, seen
        if not poller.pause():
            raise WaitTimeout(
                f"{still(seen)} after {poller.elapsed():.1f} s (timeout {poller.timeout} s)",
                [name],
                waited=poller.elapsed(),
            )
