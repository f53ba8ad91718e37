"""Parallel, resumable export of tasks to a JSON Lines file (one task per line).

How an export runs (docs/export.md has the long version):

1. **Count and bound.** One ``GET tasks?limit=1`` with the filters gives the number of matching tasks
   and the newest one; the range ends 1 ms after it (or at ``created_before``). The start is
   ``created_after`` when given; otherwise windows reaching back 1 s, 4 s, 16 s, ... are counted
   until they hold every task, and each ring between two probes becomes a first window.
2. **Split where dense.** A window holding more than the target number of tasks is cut in half by
   time; one count of the left half gives both halves' counts. Splitting stops at the target or at
   1 ms (a burst of tasks created in one millisecond stays one window and is paged whole).
3. **Page each window.** Workers page their own windows with ``start_time``/``end_time`` (start
   inclusive, end exclusive) and stream every task to a part file. A task whose ``created_at`` falls
   outside its window is dropped there, so a server that treats ``end_time`` as inclusive still
   yields every task exactly once; within a window repeated ids are dropped as well.
4. **Resume and finish.** The plan and the finished part files live in ``<path>.parts/``. A rerun
   with the same filters reuses the plan and skips finished windows; at the end the parts are joined
   into ``<path>`` (written to a temporary name, then renamed) and the directory is removed.

Memory stays flat: one page per worker, and the ids of the current window.
"""
import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple, Union

from .bulk import ProgressArg, ProgressSink, shared_client
from .exceptions import ScaleException
from .pagination import walk_cursor_pages

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
PLAN_VERSION = 1

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)

TimeArg = Optional[Union[str, datetime]]


class ExportError(ScaleException):
    """An export cannot go on (e.g. ``<path>.parts/`` holds a plan made with other filters)."""


def format_ms(ms: int) -> str:
    """Epoch milliseconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time_ms(value: Union[str, datetime]) -> int:
    """An ISO-8601 time (a value without a zone is UTC) or a ``datetime`` as epoch milliseconds.

    Raises:
        ValueError: the text is not an ISO-8601 date or time.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    else:
        match = _ISO.match(value.strip())
        if match is None:
            raise ValueError(f"not an ISO-8601 date or time: {value!r}")
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


class _Exporter:  # pylint: disable=too-many-instance-attributes
    """One export: plan, page, join."""

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

    # -- planning ------------------------------------------------------------------------------

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

    def plan(self, pool: ThreadPoolExecutor) -> List[Window]:
        """Count, bound and split the created-at range into windows, newest first."""
        user_lo, user_hi = self.bounds
        total, newest = self._page1(user_lo, user_hi)
        if total == 0 or newest is None:
            return []
        hi = parse_time_ms(str(newest.as_dict()["created_at"])) + 1
        if user_hi is not None:
            hi = min(hi, user_hi)
        if user_lo is not None:
            windows = [Window(user_lo, hi, total)]
        else:
            windows = self._probe_back(hi, total)
        return self._split(pool, windows, self.target(total))

    def _probe_back(self, hi: int, total: int) -> List[Window]:
        windows: List[Window] = []
        span, seen, edge = FIRST_PROBE_MS, 0, hi
        while True:
            start = max(0, hi - span)
            found = self.count(start, hi)
            if found > seen:
                windows.append(Window(start, edge, found - seen))
                seen, edge = found, start
            if found >= total or start == 0:
                return windows
            span *= PROBE_GROWTH

    def _split(self, pool: ThreadPoolExecutor, windows: List[Window], target: int) -> List[Window]:
        final: List[Window] = []
        todo = windows
        while todo:
            dense = [w for w in todo if w.count > target and w.end - w.start > 1]
            final.extend(w for w in todo if not (w.count > target and w.end - w.start > 1))
            mids = [w.start + (w.end - w.start) // 2 for w in dense]
            lefts = list(pool.map(self.count, [w.start for w in dense], mids))
            todo = []
            for window, mid, left in zip(dense, mids, lefts):
                if left > 0:  # counted, so an empty left half can go
                    todo.append(Window(window.start, mid, left))
                # The right half's count is derived; keep it even at 0 so nothing can be lost.
                todo.append(Window(mid, window.end, max(0, window.count - left)))
        return sorted(final, key=lambda w: w.start, reverse=True)

    # -- the plan on disk ----------------------------------------------------------------------

    def fingerprint(self) -> str:
        """Identifies the filters (a plan made for other filters is not reused)."""
        text = json.dumps([self.query, list(self.bounds)], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def load_or_make_plan(self, pool: ThreadPoolExecutor) -> List[Window]:
        """Reuse ``<path>.parts/plan.json`` from an interrupted run, or plan and save it."""
        plan_file = os.path.join(self.parts, "plan.json")
        if os.path.exists(plan_file):
            with open(plan_file, encoding="utf-8") as handle:
                saved = json.load(handle)
            if saved.get("version") != PLAN_VERSION or saved.get("fingerprint") != self.fingerprint():
                raise ExportError(
                    f"{self.parts} holds an unfinished export with other filters; delete it, or "
                    "rerun with the same filters to resume"
                )
            return [Window(*triple) for triple in saved["windows"]]
        windows = self.plan(pool)
        os.makedirs(self.parts, exist_ok=True)
        _write_atomically(
            plan_file,
            json.dumps({
                "version": PLAN_VERSION,
                "fingerprint": self.fingerprint(),
                "windows": [[w.start, w.end, w.count] for w in windows],
            }),
        )  # fmt: skip
        return windows

    def part_path(self, index: int) -> str:
        """Where window ``index``'s tasks are kept once it is finished."""
        return os.path.join(self.parts, f"w{index:06d}.jsonl")

    # -- paging --------------------------------------------------------------------------------

    def export_window(self, index: int, window: Window) -> int:
        """Page one window into its part file; returns the number of tasks written."""
        params = {k: v for k, v in self.query.items() if v is not None}
        params["start_time"] = format_ms(window.start)
        params["end_time"] = format_ms(window.end)
        params["limit"] = PAGE_LIMIT
        final = self.part_path(index)
        partial = final + ".partial"
        seen: Set[str] = set()
        written = dropped = 0
        tasks = walk_cursor_pages(lambda token: self.client.tasks(**params, next_token=token))
        with open(partial, "w", encoding="utf-8") as out:
            for task in tasks:
                if self.stop.is_set():
                    raise _Stopped()
                doc = task.as_dict()
                task_id = str(doc.get("task_id"))
                created = doc.get("created_at")
                if created is not None and not window.start <= parse_time_ms(str(created)) < window.end:
                    dropped += 1
                    continue
                if task_id in seen:
                    dropped += 1
                    continue
                seen.add(task_id)
                out.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
                written += 1
                self._advance(1)
        os.replace(partial, final)
        if written != window.count or dropped:
            logger.debug("export window %s: planned %d, wrote %d, dropped %d",
                         format_ms(window.start), window.count, written, dropped)
        return written

    def _advance(self, n: int) -> None:
        with self.lock:
            self.written += n
            done = self.written
        if self.sink is not None and (done % PAGE_LIMIT == 0):
            self.sink.update(done)

    def run(self, progress: ProgressArg) -> int:
        """Plan (or resume), page every unfinished window, join the parts; returns the line count."""
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="scaleapi-export") as pool:
            windows = self.load_or_make_plan(pool)
            todo = [(i, w) for i, w in enumerate(windows) if not os.path.exists(self.part_path(i))]
            self.written = sum(w.count for i, w in enumerate(windows) if os.path.exists(self.part_path(i)))
            self.sink = ProgressSink(progress, sum(w.count for w in windows), "export tasks", "task")
            try:
                self._page_all(pool, todo)
            finally:
                self.sink.close()
        return self._join(len(windows))

    def _page_all(self, pool: ThreadPoolExecutor, todo: List[Tuple[int, Window]]) -> None:
        futures: List["Future[int]"] = [pool.submit(self.export_window, i, w) for i, w in todo]
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()  # re-raise a worker's error here
            if self.sink is not None:
                self.sink.update(self.written)
        except BaseException:
            # Ctrl-C, a failed window or a progress callback that raised: stop the other workers
            # at their next task; finished windows stay on disk for the rerun.
            self.stop.set()
            wait([future for future in futures if not future.cancel()])
            raise

    def _join(self, count: int) -> int:
        temporary = self.path + ".joining"
        lines = 0
        with open(temporary, "wb") as out:
            for index in range(count):
                with open(self.part_path(index), "rb") as part:
                    for line in part:
                        out.write(line)
                        lines += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)
        return lines


class _Stopped(Exception):
    """Raised in a worker when the export is being interrupted."""


def _write_atomically(path: str, text: str) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def export_tasks(  # pylint: disable=too-many-arguments,too-many-locals
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
        progress: ``None``, ``True`` (a tqdm bar if installed) or a callable ``(done, total)``.
        window_size: the most tasks per window (default: chosen from the total and ``workers``).

    Returns:
        the number of tasks (lines) written.

    Raises:
        ValueError: neither ``project_name`` nor ``batch_name`` is given, or ``workers`` < 1.
        ExportError: ``<path>.parts/`` holds an unfinished export made with other filters.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    # pylint: disable-next=protected-access
    query = client._process_tasks_endpoint_args(
        project_name, batch_name, task_type, status, review_status, unique_id,
        completed_after, completed_before, updated_after, updated_before,
        None, None, tags, include_attachment_url, limited_response,
    )  # fmt: skip
    query.pop("start_time", None)
    query.pop("end_time", None)
    bounds = (
        parse_time_ms(created_after) if created_after is not None else None,
        parse_time_ms(created_before) if created_before is not None else None,
    )
    target = os.fspath(path)
    exporter = _Exporter(shared_client(client), target, query, bounds, workers, window_size)
    return exporter.run(progress)
