"""Parallel, resumable export of tasks to a JSON Lines file (one task per line).

How an export runs (docs/export.md has the long version):

1. **Count and bound.** One ``GET tasks?limit=1`` with the filters gives the number of matching tasks
   and the newest one; the range ends 1 ms after it (or at ``created_before``). The start is
   ``created_after`` when given; otherwise windows reaching back 1 s, 4 s, 16 s, ... are counted
   until they hold every task, and each ring between two probes becomes a first window.
2. **Split where dense.** A window holding more than the target number of tasks is cut in half by
   time; one count of the left half gives both halves' counts. Splitting stops at the target or at
   1 ms (a burst of tasks created in one millisecond stays one window and is paged whole).
3. **Page each window as soon as it is final.** Planning and paging overlap: the same ``workers``
   threads run the counts (first, whenever one is waiting, also between two pages of a window)
   and otherwise page the largest final window not yet taken, which keeps the tail short. Windows
   are paged with ``start_time``/``end_time`` (start inclusive, end exclusive) and streamed to a
   part file. A task whose ``created_at`` falls outside its window is dropped there, so a server
   that treats ``end_time`` as inclusive still yields every task exactly once; within a window
   repeated ids are dropped as well.
4. **Resume and finish.** The plan and the finished part files live in ``<path>.parts/``. The plan
   is saved whenever it gains final windows, before any of them can be paged, together with the
   windows still to be cut, so it can be resumed even if it was not finished. A rerun with the same
   filters goes on with that plan and skips finished windows; at the end the parts are joined into
   ``<path>`` newest window first (written to a temporary name, then renamed) and the directory is
   removed.

Memory stays flat: one page per worker, and the ids of the current window.
"""
import hashlib
import heapq
import json
import logging
import os
import re
import shutil
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple, Union

from ._constants import DEFAULT_EXPORT_WORKERS
from ._export_files import PathLock, join_parts, remove_stale_parts, write_atomically
from ._export_plan import PLAN_VERSION, Plan, PlanJob, Planner, Window, window_target
from ._iso8601 import format_ms, parse_time_ms, shown
from ._progress import ProgressArg, ProgressSink
from ._task_query import ReviewStatusArg, StrOrList, filters_in, task_query
from .bulk import shared_client
from .exceptions import ExportError
from .pagination import Tasklist, walk_cursor_pages
from .tasks import TaskStatus, TaskType

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = ["ExportError", "export_tasks", "format_ms", "parse_time_ms"]

logger = logging.getLogger("scaleapi")

PAGE_LIMIT = 100

#: Every line is written by this one encoder (compact, UTF-8 kept as is): ``json.dumps`` with
#: these options would build a new encoder for every task.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
#: ``created_at`` as the API writes it (and ``format_ms`` does): such times order as text.
_FIXED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")

TimeArg = Optional[Union[str, datetime]]




class _Exporter:  # pylint: disable=too-many-instance-attributes
    """One export: plan and page at once, then join.

    The workers share one queue of planning jobs (counts) and a heap of final windows, largest
    first. A worker takes a planning job whenever there is one (also between two pages of the
    window it is paging), so the plan is finished within a page's time of a count being possible,
    and otherwise pages the largest final window. A window is saved in the plan file before any
    worker can take it, so its part file never exists without it.
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        client: "ScaleClient",
        path: str,
        query: Dict[str, Any],
        bounds: Tuple[Optional[int], Optional[int]],
        workers: int,
        window_size: Optional[int],
    ) -> None:
        self.client = client
        self.path = path
        self.parts = path + ".parts"
        self.query = query
        self.bounds = bounds
        self.workers = workers
        self.window_size = window_size
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.written = 0
        self.sink: Optional[ProgressSink] = None
        # Planning needs created_at on every task, which limited_response leaves out.
        self.count_query = {k: v for k, v in query.items() if k != "limited_response"}
        # Guarded by `cond`: the plan and its planning jobs not yet taken, how many jobs are being
        # run, final windows not yet taken (as (-count, -start, index)).
        self.planner = Planner(self.count, Plan(0), 0)
        self.cond = threading.Condition()
        self.running = 0
        self.ready: List[Tuple[int, int, int]] = []

    # -- counting --------------------------------------------------------------------------------

    def _page1(self, start: Optional[int], end: Optional[int]) -> Tuple[int, Any]:
        params = dict(self.count_query)
        params["start_time"] = format_ms(start) if start is not None else None
        params["end_time"] = format_ms(end) if end is not None else None
        page = self.client.tasks(**{k: v for k, v in params.items() if v is not None}, limit=1)
        return page.total, (page.docs[0] if page.docs else None)

    def count(self, start: int, end: int) -> int:
        """How many matching tasks were created in ``[start, end)``."""
        return self._page1(start, end)[0]

    # -- planning (everything below that touches the plan runs under `cond`) ---------------------

    def _target(self, total: int) -> int:
        return window_target(total, self.workers, self.window_size)

    @property
    def plan(self) -> Plan:
        """The plan as far as it is known."""
        return self.planner.plan

    def _start_plan(self) -> None:
        """The first count: the total and the newest task give the range's end, then its start."""
        total, newest = self._page1(*self.bounds)
        if total == 0 or newest is None:
            return
        self.planner = Planner(self.count, Plan(total), self._target(total))
        self.planner.start(_created_ms(newest.as_dict()), self.bounds)

    def _run_job(self, job: PlanJob) -> None:
        """Count for a planning job (outside the lock), then fold the answer into the plan."""
        counted = self.planner.measure(job)
        with self.cond:
            known = len(self.plan.windows)
            self.planner.fold(job, counted)
            self.running -= 1
            self._settle(known)

    def _settle(self, known: int, save: bool = False) -> None:
        """Save the plan if it gained final windows (``known`` was their number before) or is now
        complete, then offer the new windows to the workers."""
        if not self.planner.jobs and self.running == 0 and not self.plan.complete:
            self.plan.complete = True
            save = True
        if save or known < len(self.plan.windows):
            self._save_plan()
        for index in range(known, len(self.plan.windows)):
            if not os.path.exists(self.part_path(index)):
                window = self.plan.windows[index]
                heapq.heappush(self.ready, (-window.count, -window.start, index))
        self.cond.notify_all()

    def _take(self) -> Optional[int]:
        """The next window to page (largest first), after any planning jobs; None when all is taken."""
        while True:
            with self.cond:
                while True:
                    if self.stop.is_set():
                        return None
                    if self.planner.jobs:
                        job = self.planner.jobs.popleft()
                        self.running += 1
                        break
                    if self.ready:
                        return heapq.heappop(self.ready)[2]
                    if self.running == 0:
                        return None
                    self.cond.wait()
            self._run_job(job)

    def _help_plan(self) -> None:
        """Run one waiting planning job, if there is one (called between two pages)."""
        if not self.planner.jobs:  # unlocked peek: a job missed here is taken by the next idle look
            return
        with self.cond:
            if not self.planner.jobs:
                return
            job = self.planner.jobs.popleft()
            self.running += 1
        self._run_job(job)

    # -- the plan on disk ----------------------------------------------------------------------

    def fingerprint(self) -> str:
        """Identifies the filters (a plan made for other filters is not reused)."""
        text = json.dumps([self.query, list(self.bounds)], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def _save_plan(self) -> None:
        write_atomically(os.path.join(self.parts, "plan.json"), self.plan.to_json(self.fingerprint()))

    def load_or_start_plan(self) -> None:
        """Reuse ``<path>.parts/plan.json`` from an interrupted run, or count the total and save it.

        An unfinished plan goes on where it stopped: its pending windows and probe are queued again.
        """
        plan_file = os.path.join(self.parts, "plan.json")
        if os.path.exists(plan_file):
            saved = _read_plan(plan_file)
            version, fingerprint = saved.get("version"), saved.get("fingerprint")
            if version != PLAN_VERSION or fingerprint != self.fingerprint():
                raise ExportError(
                    f"{self.parts} holds an unfinished export with other filters; delete it, or "
                    "rerun with the same filters to resume"
                )
            try:
                plan = Plan.from_json(saved)
            except (KeyError, TypeError, ValueError) as err:
                raise ExportError(
                    f"{plan_file} is damaged ({type(err).__name__}); delete {self.parts}"
                ) from None
            self.planner = Planner(self.count, plan, self._target(plan.total))
            fresh = False
        else:
            os.makedirs(self.parts, exist_ok=True)
            remove_stale_parts(self.parts)
            self._start_plan()
            fresh = True
        with self.cond:
            self._settle(0, save=fresh)

    def part_path(self, index: int) -> str:
        """Where window ``index``'s tasks are kept once it is finished."""
        return os.path.join(self.parts, f"w{index:06d}.jsonl")

    # -- paging --------------------------------------------------------------------------------

    def export_window(self, index: int) -> int:
        """Page window ``index`` into its part file; returns the number of tasks written."""
        window = self.plan.windows[index]
        params = {k: v for k, v in self.query.items() if v is not None}
        params["start_time"] = format_ms(window.start)
        params["end_time"] = format_ms(window.end)
        params["limit"] = PAGE_LIMIT
        inside = _created_in(window)
        final = self.part_path(index)
        partial = final + ".partial"
        seen: Set[str] = set()
        written = dropped = reported = 0

        def fetch(token: Optional[str]) -> "Tasklist":
            nonlocal reported
            self._advance(written - reported)
            reported = written
            if self.stop.is_set():
                raise _Stopped()
            self._help_plan()
            return self.client.tasks(**params, next_token=token)

        encode = _ENCODER.encode
        with open(partial, "w", encoding="utf-8") as out:
            for task in walk_cursor_pages(fetch):
                doc = task.as_dict()
                if doc.get("created_at") is not None and not inside(doc):
                    dropped += 1
                    continue
                task_id = str(doc.get("task_id"))
                if task_id in seen:
                    dropped += 1
                    continue
                seen.add(task_id)
                out.write(encode(doc) + "\n")
                written += 1
        os.replace(partial, final)
        self._advance(written - reported)
        if written != window.count or dropped:
            logger.debug("export window %s: planned %d, wrote %d, dropped %d",
                         params["start_time"], window.count, written, dropped)
        return written

    def _advance(self, n: int) -> None:
        if n <= 0:
            return
        with self.lock:
            before = self.written
            self.written += n
            done = self.written
        # Report at every multiple of PAGE_LIMIT passed (windows end with partial pages).
        if self.sink is not None and done // PAGE_LIMIT > before // PAGE_LIMIT:
            self.sink.update(done)

    def _work(self) -> None:
        """One worker: plan when there is planning to do, else page the largest final window."""
        while True:
            index = self._take()
            if index is None:
                return
            self.export_window(index)

    def run(self, progress: ProgressArg) -> int:
        """Plan (or resume) while paging every unfinished window, join the parts; returns the line count."""
        self.load_or_start_plan()
        windows = self.plan.windows
        self.written = sum(w.count for i, w in enumerate(windows) if os.path.exists(self.part_path(i)))
        self.sink = ProgressSink(progress, self.plan.total, "export tasks", "task", self.client.api.throttle)
        try:
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="scaleapi-export") as pool:
                self._page_all(pool)
        finally:
            self.sink.close()
        return self._join()

    def _page_all(self, pool: ThreadPoolExecutor) -> None:
        futures: List["Future[None]"] = [pool.submit(self._work) for _ in range(self.workers)]
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()  # re-raise a worker's error here
            if self.sink is not None:
                self.sink.update(self.written)
        except BaseException:
            # Ctrl-C, a failed window or count, or a progress callback that raised: stop the other
            # workers at their next page; finished windows and the plan stay on disk for the rerun.
            self.stop.set()
            with self.cond:
                self.cond.notify_all()
            wait(futures)
            raise

    def _join(self) -> int:
        """Concatenate the part files, newest window first, into ``path``."""
        order = sorted(range(len(self.plan.windows)), key=lambda i: self.plan.windows[i].start, reverse=True)
        lines = join_parts([self.part_path(index) for index in order], self.path)
        shutil.rmtree(self.parts, ignore_errors=True)
        return lines


class _Stopped(Exception):
    """Raised in a worker when the export is being interrupted."""


def _read_plan(plan_file: str) -> Dict[str, Any]:
    try:
        with open(plan_file, encoding="utf-8") as handle:
            saved = json.load(handle)
    except (OSError, ValueError) as err:
        raise ExportError(
            f"cannot read {plan_file} ({type(err).__name__}); delete it to start over"
        ) from None
    if not isinstance(saved, dict):
        raise ExportError(f"{plan_file} is damaged (not a JSON object); delete it to start over")
    return saved


class OutputLock(PathLock):
    """``<path>.lock``: while an export writes ``path``, a second export into it is refused with
    ``ExportError`` (see ``PathLock``)."""

    refused = ExportError


#: The latest moment a window can end at (format_ms must still be able to write it).
_LATEST_MS = parse_time_ms("9999-12-31T23:59:59.998Z")


def _created_ms(task: Dict[str, Any]) -> int:
    """A task's ``created_at`` as epoch milliseconds.

    Raises:
        ExportError: the task has no ``created_at``, or one that is not an ISO-8601 time from 1970
            to 9999; the message names the task and the value.
    """
    created = task.get("created_at")
    if created is None:
        raise ExportError(f"task {shown(task.get('task_id'))} has no created_at, so it cannot be placed "
                          "in a time window; the server's answer is not usable for an export")
    try:
        ms = parse_time_ms(created) if isinstance(created, str) else None
    except ValueError:
        ms = None
    if ms is None or not 0 <= ms <= _LATEST_MS:
        raise ExportError(f"task {shown(task.get('task_id'))} has created_at {shown(created)}, which is "
                          "not an ISO-8601 time between 1970 and 9999")
    return ms


def _created_in(window: Window) -> Callable[[Any], bool]:
    """Whether a ``created_at`` value falls in ``[window.start, window.end)``.

    Times in the fixed ``YYYY-MM-DDTHH:MM:SS.mmmZ`` shape (as the API writes them) are compared as
    text with the bounds written the same way, which orders them alike; others are parsed.
    """
    low, high = format_ms(window.start), format_ms(window.end)
    by_text = _FIXED_TIME.fullmatch(low) is not None and _FIXED_TIME.fullmatch(high) is not None
    fixed = _FIXED_TIME.fullmatch

    def inside(task: Dict[str, Any]) -> bool:
        created = task["created_at"]
        if by_text and isinstance(created, str) and fixed(created) is not None:
            return low <= created < high
        return window.start <= _created_ms(task) < window.end

    return inside


def export_tasks(  # pylint: disable=unused-argument,too-many-arguments,too-many-locals
    client: "ScaleClient",
    path: Union[str, "os.PathLike[str]"],
    *,
    project_name: Optional[str] = None,
    batch_name: Optional[str] = None,
    task_type: Optional[Union[TaskType, str]] = None,
    status: Optional[Union[TaskStatus, str]] = None,
    review_status: ReviewStatusArg = None,
    unique_id: StrOrList = None,
    completed_after: Optional[str] = None,
    completed_before: Optional[str] = None,
    updated_after: Optional[str] = None,
    updated_before: Optional[str] = None,
    created_after: TimeArg = None,
    created_before: TimeArg = None,
    tags: StrOrList = None,
    include_attachment_url: bool = False,
    limited_response: Optional[bool] = None,
    workers: int = DEFAULT_EXPORT_WORKERS,
    progress: ProgressArg = None,
    window_size: Optional[int] = None,
    retry_budget: Optional[float] = None,
) -> int:
    """Write every task matching the filters to ``path`` as JSON Lines, paging windows in parallel.

    The filters are those of ``ScaleClient.get_tasks``; ``created_after`` is inclusive and
    ``created_before`` exclusive. Lines are grouped by creation-time window, newest window first.
    An interrupted export (Ctrl-C, a crash, an error) resumes when rerun with the same path and
    filters: finished windows are kept in ``<path>.parts/``.

    Args:
        client: the client to export with.
        path: the output file; replaced atomically when the export finishes.
        project_name: the project's name.
        batch_name: the batch's name (at least one of the two is required).
        task_type: only tasks of this type.
        status: only tasks in this status.
        review_status: one customer review status or a list of them.
        unique_id: one ``unique_id`` or a list of them.
        completed_after: ISO-8601 time.
        completed_before: ISO-8601 time.
        updated_after: ISO-8601 time.
        updated_before: ISO-8601 time.
        created_after: ISO-8601 time or ``datetime`` (inclusive).
        created_before: ISO-8601 time or ``datetime`` (exclusive).
        tags: one tag or a list of tags.
        include_attachment_url: ask for pre-signed attachment URLs (off by default: they expire).
        limited_response: export only ``task_id``, ``status``, ``metadata`` and ``project``.
        workers: threads paging windows in parallel (they share the client's connection pool).
        progress: ``None`` (a bar when stderr is a terminal or in a notebook), ``True``, ``False``
            or a callable ``(done, total)``; the bar's total is the first count of matching tasks.
        window_size: the most tasks per window (default: chosen from the total and ``workers``).
        retry_budget: seconds each request goes on retrying through server trouble (5xx, 429,
            dropped connections), default the client's ``retry_budget``; the workers share one
            rate limiter and pause together when the API is down for all of them.

    Returns:
        the number of tasks (lines) written.

    Raises:
        ValueError: neither ``project_name`` nor ``batch_name`` is given, or ``workers`` < 1.
        ExportError: ``<path>.parts/`` holds an unfinished export made with other filters; another
            export is writing ``path`` (see ``OutputLock``); or a task's ``created_at`` is missing
            or not a time.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    # The created-at bounds become the windows, not a filter of the query.
    query = task_query({**filters_in(locals()), "created_after": None, "created_before": None})
    query.pop("start_time", None)
    query.pop("end_time", None)
    bounds = (
        parse_time_ms(created_after) if created_after is not None else None,
        parse_time_ms(created_before) if created_before is not None else None,
    )
    target = os.fspath(path)
    exporter = _Exporter(shared_client(client, retry_budget), target, query, bounds, workers, window_size)
    with OutputLock(target):
        return exporter.run(progress)
