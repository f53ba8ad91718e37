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
import math
import os
import re
import shutil
import socket
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Deque, Dict, List, Optional, Set, Tuple, Union

from ._progress import ProgressArg, ProgressSink
from ._task_query import filters_in, task_query
from .bulk import shared_client
from .exceptions import ExportError
from .pagination import Tasklist, walk_cursor_pages

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = ["ExportError", "export_tasks", "format_ms", "parse_time_ms"]

logger = logging.getLogger("scaleapi")

#: Windows hold about this many tasks at least and at most (the target is chosen in between so
#: that every worker gets several windows).
MIN_WINDOW_TASKS = 200
MAX_WINDOW_TASKS = 5000
WINDOWS_PER_WORKER = 4
#: The first probe reaches this far back from the newest task; each next probe 4 times further.
FIRST_PROBE_MS = 1000
PROBE_GROWTH = 4
PAGE_LIMIT = 100
PLAN_VERSION = 2

#: Every line is written by this one encoder (compact, UTF-8 kept as is): ``json.dumps`` with
#: these options would build a new encoder for every task.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
#: ``created_at`` as the API writes it (and ``format_ms`` does): such times order as text.
_FIXED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)

TimeArg = Optional[Union[str, datetime]]


def format_ms(ms: int) -> str:
    """Epoch milliseconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time_ms(value: Union[str, datetime]) -> int:
    """An ISO-8601 time (a value without a zone is UTC) or a ``datetime`` as epoch milliseconds.

    Raises:
        ValueError: the text is not an ISO-8601 date or time, or names a moment outside years 1-9999.
    """
    try:
        return _parse_time_ms(value)
    except OverflowError:
        raise ValueError(f"not a time between years 1 and 9999: {_shown(value)}") from None


def _shown(value: object) -> str:
    """A value for an error message, cut short if long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _parse_time_ms(value: Union[str, datetime]) -> int:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    else:
        match = _ISO.match(value.strip())
        if match is None:
            raise ValueError(f"not an ISO-8601 date or time: {_shown(value)}")
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc,
        )  # fmt: skip
        if zone and zone not in ("Z", "z"):
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            moment = moment - offset if zone[0] == "+" else moment + offset
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


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
        """A plan read back from its file (version 1 files hold a complete plan)."""
        windows = [Window(*triple) for triple in saved["windows"]]
        if saved["version"] == 1:
            return cls(sum(w.count for w in windows), windows, complete=True)
        probe = saved.get("probe")
        return cls(
            int(saved["total"]), windows, [Window(*triple) for triple in saved.get("pending", [])],
            Probe(*probe) if probe else None, bool(saved.get("complete")),
        )  # fmt: skip


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
        self.plan = Plan(0)
        self.limit = 0  # the most tasks a final window holds
        # Guarded by `cond`: planning jobs not yet taken, how many are being run, final windows
        # not yet taken (as (-count, -start, index)).
        self.cond = threading.Condition()
        self.jobs: Deque[PlanJob] = deque()
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

    def target(self, total: int) -> int:
        """The most tasks a window should hold."""
        if self.window_size is not None:
            return max(1, self.window_size)
        wanted = math.ceil(total / (self.workers * WINDOWS_PER_WORKER))
        return max(MIN_WINDOW_TASKS, min(MAX_WINDOW_TASKS, wanted))

    # -- planning (everything below that touches the plan runs under `cond`) ---------------------

    def _start_plan(self) -> None:
        """The first count: the total and the newest task give the range's end, then its start."""
        user_lo, user_hi = self.bounds
        total, newest = self._page1(user_lo, user_hi)
        if total == 0 or newest is None:
            self.plan = Plan(0)
            return
        self.plan = Plan(total)
        self.limit = self.target(total)
        hi = _created_ms(newest.as_dict()) + 1
        if user_hi is not None:
            hi = min(hi, user_hi)
        if user_lo is not None:
            self._place(Window(user_lo, hi, total))
        else:
            self.plan.probe = Probe(hi, FIRST_PROBE_MS, 0, hi)
            self.jobs.append(self.plan.probe)

    def _place(self, window: Window) -> None:
        """A window is final, or pending a cut if it is too dense and wider than 1 ms."""
        if window.count > self.limit and window.end - window.start > 1:
            self.plan.pending.append(window)
            self.jobs.append(window)
        else:
            self.plan.windows.append(window)

    def _run_job(self, job: PlanJob) -> None:
        """Count for a planning job (outside the lock), then fold the answer into the plan."""
        if isinstance(job, Probe):
            start = max(0, job.hi - job.span)
            found = self.count(start, job.hi)
        else:
            mid = job.start + (job.end - job.start) // 2
            left = self.count(job.start, mid)
        with self.cond:
            known = len(self.plan.windows)
            if isinstance(job, Probe):
                self._probed(job, start, found)
            else:
                self.plan.pending.remove(job)
                if left > 0:  # counted, so an empty left half can go
                    self._place(Window(job.start, mid, left))
                # The right half's count is derived; keep it even at 0 so nothing can be lost.
                self._place(Window(mid, job.end, max(0, job.count - left)))
            self.running -= 1
            self._settle(known)

    def _probed(self, probe: Probe, start: int, found: int) -> None:
        seen, edge = probe.seen, probe.edge
        if found > seen:
            self._place(Window(start, edge, found - seen))
            seen, edge = found, start
        if found >= self.plan.total or start == 0:
            self.plan.probe = None
        else:
            self.plan.probe = Probe(probe.hi, probe.span * PROBE_GROWTH, seen, edge)
            self.jobs.append(self.plan.probe)

    def _settle(self, known: int, save: bool = False) -> None:
        """Save the plan if it gained final windows (``known`` was their number before) or is now
        complete, then offer the new windows to the workers."""
        if not self.jobs and self.running == 0 and not self.plan.complete:
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
                    if self.jobs:
                        job = self.jobs.popleft()
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
        if not self.jobs:  # unlocked peek: a job missed here is taken by the next idle look
            return
        with self.cond:
            if not self.jobs:
                return
            job = self.jobs.popleft()
            self.running += 1
        self._run_job(job)

    # -- the plan on disk ----------------------------------------------------------------------

    def fingerprint(self) -> str:
        """Identifies the filters (a plan made for other filters is not reused)."""
        text = json.dumps([self.query, list(self.bounds)], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def _save_plan(self) -> None:
        _write_atomically(os.path.join(self.parts, "plan.json"), self.plan.to_json(self.fingerprint()))

    def load_or_start_plan(self) -> None:
        """Reuse ``<path>.parts/plan.json`` from an interrupted run, or count the total and save it.

        An unfinished plan goes on where it stopped: its pending windows and probe are queued again.
        """
        plan_file = os.path.join(self.parts, "plan.json")
        if os.path.exists(plan_file):
            saved = _read_plan(plan_file)
            version, fingerprint = saved.get("version"), saved.get("fingerprint")
            if version not in (1, PLAN_VERSION) or fingerprint != self.fingerprint():
                raise ExportError(
                    f"{self.parts} holds an unfinished export with other filters; delete it, or "
                    "rerun with the same filters to resume"
                )
            try:
                self.plan = Plan.from_json(saved)
            except (KeyError, TypeError, ValueError) as err:
                raise ExportError(
                    f"{plan_file} is damaged ({type(err).__name__}); delete {self.parts}"
                ) from None
            self.limit = self.target(self.plan.total)
            self.jobs.extend(self.plan.pending)
            if self.plan.probe is not None:
                self.jobs.append(self.plan.probe)
            fresh = False
        else:
            os.makedirs(self.parts, exist_ok=True)
            _remove_stale_parts(self.parts)
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
        temporary = self.path + ".joining"
        order = sorted(range(len(self.plan.windows)), key=lambda i: self.plan.windows[i].start, reverse=True)
        lines = 0
        with open(temporary, "wb") as out:
            for index in order:
                with open(self.part_path(index), "rb") as part:
                    while True:
                        chunk = part.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
                        lines += chunk.count(b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
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


#: A lock file that cannot be read yet (its holder is still writing it) counts as held this long.
_LOCK_BEING_WRITTEN_S = 10.0


class OutputLock:
    """``<path>.lock``: while an export writes ``path``, a second export into it is refused.

    The lock file is created with ``O_CREAT | O_EXCL`` (so exactly one export gets it) and holds the
    holder's pid and host name; it is removed when the export ends, however it ends. A lock left by a
    process that no longer exists (killed, crashed) on this host is stale: it is replaced. A lock from
    another host, or one whose process cannot be checked, counts as held.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock_file = path + ".lock"

    def __enter__(self) -> "OutputLock":
        directory = os.path.dirname(os.path.abspath(self.lock_file))
        os.makedirs(directory, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(self.lock_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._refuse_unless_stale()
                continue
            except OSError as err:
                raise ExportError(f"cannot create the lock file {self.lock_file}: {err.strerror}") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}) + "\n")
            return self
        raise ExportError(f"cannot take the lock file {self.lock_file}: other exports keep replacing it")

    def _refuse_unless_stale(self) -> None:
        """Raise ExportError if the existing lock is held; remove it if its holder is gone."""
        holder = _lock_holder(self.lock_file)
        if holder == "gone":
            return  # removed meanwhile: try again
        if holder is None:
            try:
                age = time.time() - os.stat(self.lock_file).st_mtime
            except FileNotFoundError:
                return
            if age < _LOCK_BEING_WRITTEN_S:
                holder = {}
        if holder is not None and _holder_alive(holder):
            who = f"process {holder.get('pid')} on {holder.get('host')}" if holder else "an export starting"
            raise ExportError(
                f"{self.path} is being written by another export ({who}); wait for it to finish, "
                f"or delete {self.lock_file} if no export is running"
            )
        logger.info("export: replacing the stale lock %s (%s)", self.lock_file, holder)
        if _lock_holder(self.lock_file) == holder:  # not replaced by a live export meanwhile
            try:
                os.remove(self.lock_file)
            except FileNotFoundError:
                pass

    def __exit__(self, *exc_info: object) -> None:
        try:
            os.remove(self.lock_file)
        except FileNotFoundError:
            pass


def _lock_holder(lock_file: str) -> Any:
    """The lock's ``{"pid", "host"}``, None if unreadable, ``"gone"`` if the file no longer exists."""
    try:
        with open(lock_file, encoding="utf-8") as handle:
            holder = json.loads(handle.read() or "null")
    except FileNotFoundError:
        return "gone"
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _holder_alive(holder: Dict[str, Any]) -> bool:
    pid = holder.get("pid")
    if not holder or holder.get("host") != socket.gethostname() or os.name != "posix":
        return True  # cannot tell: keep out
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    return True


def _write_atomically(path: str, text: str) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


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
        raise ExportError(f"task {_shown(task.get('task_id'))} has no created_at, so it cannot be placed "
                          "in a time window; the server's answer is not usable for an export")
    try:
        ms = parse_time_ms(created) if isinstance(created, str) else None
    except ValueError:
        ms = None
    if ms is None or not 0 <= ms <= _LATEST_MS:
        raise ExportError(f"task {_shown(task.get('task_id'))} has created_at {_shown(created)}, which is "
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


def _remove_stale_parts(parts: str) -> None:
    """Part files left without a plan (a plan is always saved before its windows are paged)."""
    for name in os.listdir(parts):
        if re.fullmatch(r"w\d{6}\.jsonl(\.partial)?", name):
            os.remove(os.path.join(parts, name))


def export_tasks(  # pylint: disable=unused-argument,too-many-arguments,too-many-locals
    client: "ScaleClient",
    path: Union[str, "os.PathLike[str]"],
    *,
    project_name: Optional[str] = None,
    batch_name: Optional[str] = None,
    task_type: Optional[Any] = None,
    status: Optional[Any] = None,
    review_status: Optional[Any] = None,
    unique_id: Optional[Union[List[str], str]] = None,
    completed_after: Optional[str] = None,
    completed_before: Optional[str] = None,
    updated_after: Optional[str] = None,
    updated_before: Optional[str] = None,
    created_after: TimeArg = None,
    created_before: TimeArg = None,
    tags: Optional[Union[List[str], str]] = None,
    include_attachment_url: bool = False,
    limited_response: Optional[bool] = None,
    workers: int = 4,
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
