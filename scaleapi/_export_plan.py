"""Export planning, without threads or I/O: the windows of creation time an export pages, found by
counting (docs/export.md describes the steps).

A ``Planner`` is driven by one ``count(start, end)`` callable (matching tasks created in
``[start, end)``, epoch ms). Its jobs are either a ``Probe`` (look further back while the range's
start is unknown) or a ``Window`` too dense to page whole (cut it in half: one count of the left half
gives both). ``measure`` runs a job's count and touches nothing, ``fold`` takes the answer into the
plan, so a threaded runner can count outside its lock and fold inside it; ``run_all`` does both in
turn until the plan is complete.
"""
import json
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple, Union

__all__ = ["Plan", "PlanJob", "Planner", "Probe", "Window", "window_target"]

#: Windows hold about this many tasks at least and at most (the target is chosen in between so
#: that every worker gets several windows).
MIN_WINDOW_TASKS = 200
MAX_WINDOW_TASKS = 5000
WINDOWS_PER_WORKER = 4
#: The first probe reaches this far back from the newest task; each next probe 4 times further.
FIRST_PROBE_MS = 1000
PROBE_GROWTH = 4
PLAN_VERSION = 2

#: How many matching tasks were created in ``[start, end)`` (epoch ms).
Counter = Callable[[int, int], int]


@dataclass(frozen=True)
class Window:
    """Tasks created in ``[start, end)`` (epoch ms); ``count`` as planned."""

    start: int
    end: int
    count: int


@dataclass(frozen=True)
class Probe:
    """The next look back while the range's start is unknown: count ``[hi - span, hi)``.

    ``seen`` tasks were found between ``edge`` and ``hi`` by the probes so far.
    """

    hi: int
    span: int
    seen: int
    edge: int


#: Work for the planning: cut a dense window, or look further back.
PlanJob = Union[Window, Probe]


@dataclass
class Plan:
    """The windows as far as they are known; what ``<path>.parts/plan.json`` holds.

    At every moment ``windows`` (final: their index names their part file, and never changes),
    ``pending`` (too dense, waiting to be cut) and, while ``probe`` is set, ``[0, probe.edge)``
    cover the range exactly once, so a saved plan can be resumed from wherever it stopped.
    """

    total: int
    windows: List[Window] = field(default_factory=list)
    pending: List[Window] = field(default_factory=list)
    probe: Optional[Probe] = None
    complete: bool = False

    def to_json(self, fingerprint: str) -> str:
        """The plan file's text."""
        return json.dumps({
            "version": PLAN_VERSION,
            "fingerprint": fingerprint,
            "total": self.total,
            "complete": self.complete,
            "windows": [[w.start, w.end, w.count] for w in self.windows],
            "pending": [[w.start, w.end, w.count] for w in self.pending],
            "probe": None if self.probe is None else [
                self.probe.hi, self.probe.span, self.probe.seen, self.probe.edge],
        })  # fmt: skip

    @classmethod
    def from_json(cls, saved: Dict[str, Any]) -> "Plan":
        """A plan read back from its file (of version ``PLAN_VERSION``, the only one ever written).

        Raises:
            KeyError, TypeError, ValueError: the object does not hold a plan.
        """
        probe = saved.get("probe")
        return cls(
            int(saved["total"]), [Window(*triple) for triple in saved["windows"]],
            [Window(*triple) for triple in saved.get("pending", [])],
            Probe(*probe) if probe else None, bool(saved.get("complete")),
        )  # fmt: skip


def window_target(total: int, workers: int, window_size: Optional[int]) -> int:
    """The most tasks a final window should hold: ``window_size``, else about ``total / (4 × workers)``."""
    if window_size is not None:
        return max(1, window_size)
    wanted = math.ceil(total / (workers * WINDOWS_PER_WORKER))
    return max(MIN_WINDOW_TASKS, min(MAX_WINDOW_TASKS, wanted))


class Planner:
    """A plan and its planning jobs not yet taken. Not thread-safe: a threaded caller holds a lock
    around everything but ``measure``.

    Args:
        count: the counter every job asks.
        plan: the plan to go on with (its pending windows and probe are queued as jobs).
        limit: the most tasks a final window holds (``window_target``).
    """

    def __init__(self, count: Counter, plan: Plan, limit: int) -> None:
        self.count = count
        self.plan = plan
        self.limit = limit
        self.jobs: Deque[PlanJob] = deque(plan.pending)
        if plan.probe is not None:
            self.jobs.append(plan.probe)

    def start(self, newest_ms: int, bounds: Tuple[Optional[int], Optional[int]]) -> None:
        """Begin the plan of ``plan.total`` tasks, the newest created at ``newest_ms``, within the
        caller's ``bounds`` (start inclusive, end exclusive; None where not given)."""
        low, high = bounds
        hi = newest_ms + 1 if high is None else min(newest_ms + 1, high)
        if low is not None:
            self.place(Window(low, hi, self.plan.total))
        else:
            self.plan.probe = Probe(hi, FIRST_PROBE_MS, 0, hi)
            self.jobs.append(self.plan.probe)

    def place(self, window: Window) -> None:
        """A window is final, or pending a cut if it is too dense and wider than 1 ms."""
        if window.count > self.limit and window.end - window.start > 1:
            self.plan.pending.append(window)
            self.jobs.append(window)
        else:
            self.plan.windows.append(window)

    def measure(self, job: PlanJob) -> int:
        """The count a job needs (the probe's span, or the window's left half); changes nothing."""
        if isinstance(job, Probe):
            return self.count(max(0, job.hi - job.span), job.hi)
        return self.count(job.start, job.start + (job.end - job.start) // 2)

    def fold(self, job: PlanJob, counted: int) -> None:
        """Take ``measure(job)``'s answer into the plan (new windows, jobs, or the probe's end)."""
        if isinstance(job, Probe):
            start = max(0, job.hi - job.span)
            seen, edge = job.seen, job.edge
            if counted > seen:
                self.place(Window(start, edge, counted - seen))
                seen, edge = counted, start
            if counted >= self.plan.total or start == 0:
                self.plan.probe = None
            else:
                self.plan.probe = Probe(job.hi, job.span * PROBE_GROWTH, seen, edge)
                self.jobs.append(self.plan.probe)
            return
        mid = job.start + (job.end - job.start) // 2
        self.plan.pending.remove(job)
        if counted > 0:  # counted, so an empty left half can go
            self.place(Window(job.start, mid, counted))
        # The right half's count is derived; keep it even at 0 so nothing can be lost.
        self.place(Window(mid, job.end, max(0, job.count - counted)))

    def run_all(self) -> Plan:
        """Run every job in turn until the plan is complete; returns it."""
        while self.jobs:
            job = self.jobs.popleft()
            self.fold(job, self.measure(job))
        self.plan.complete = True
        return self.plan
