"""The bulk engine: run one call per item on a bounded thread pool, and account for every item.

``run_bulk`` is generic; ``ScaleClient.create_tasks``, ``cancel_tasks`` and the other bulk methods
(``scaleapi/_client_bulk.py``) are thin wrappers around it. What it guarantees:

* every input item ends up in exactly one of ``succeeded``, ``failed`` or ``skipped``, reported in
  input order; nothing is dropped, whatever fails;
* at most ``concurrency`` calls run at once and at most ``2 * concurrency`` items are held in flight,
  so a huge input (a generator over a file, say) is read lazily and memory stays bounded;
* with ``journal=PATH`` each item's progress is appended to a file as it happens, and a rerun with the
  same file skips the items already done (see ``scaleapi/_journal.py`` and docs/bulk.md);
* the workers share one ``RateLimiter`` and ride out outages: each call that is safe to repeat goes
  on retrying until the client's retry budget runs out (``retry_budget``, 10 minutes by default),
  a 429 slows every worker rather than failing an item, and when the API fails for everyone the
  workers pause together while one probe at a time finds out whether it is back; a progress bar
  (``scaleapi/_progress.py``: on by default where a person is watching) shows the total when the
  input has a length, and says when the workers are waiting and why (see docs/retries.md);
* Ctrl-C stops feeding new items, gives the calls in flight a short grace period to finish and be
  journaled, closes the journal and re-raises ``KeyboardInterrupt``.
"""
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Generic,
    Iterable,
    List,
    Optional,
    Tuple,
    TypeVar,
    Union,
)

from ._constants import DEFAULT_CONCURRENCY, INTERRUPT_GRACE
from ._journal import DONE, Journal, JournalEntry, item_hash
from ._progress import ProgressArg, ProgressSink, size_of
from ._ratelimit import RateLimiter
from .exceptions import BulkError, JournalMismatch, ScaleException, ScaleTransportError

if TYPE_CHECKING:  # pragma: no cover
    import os

    from .client import ScaleClient

__all__ = [
    "BulkError",
    "BulkFailure",
    "BulkResult",
    "ItemContext",
    "JournalMismatch",
    "ProgressArg",
    "ProgressSink",
    "run_bulk",
]

I = TypeVar("I")  # pylint: disable=invalid-name
R = TypeVar("R")

JournalArg = Union[None, str, "os.PathLike[str]"]

@dataclass(frozen=True)
class ItemContext:
    """What a bulk call knows about the item it is working on.

    Attributes:
        index: the item's position in the input (0-based).
        run_id: the journal's run id (stable across reruns with the same journal), else a fresh id.
        resumed: a journal shows an earlier attempt at this item that may have taken effect (it was
            in flight when the process died, or failed ambiguously), so a 409 on a keyed create is
            that earlier attempt's work rather than a genuine duplicate.
    """

    index: int
    run_id: str
    resumed: bool = False


@dataclass
class BulkFailure(Generic[I]):
    """One item that failed: its input position, the item itself, and the exception."""

    index: int
    item: I
    error: BaseException

    def __str__(self) -> str:
        # "#3: ScaleInvalidRequest (HTTP 400): message": the status once, not a "<Response>" per item.
        error = self.error
        if isinstance(error, ScaleException):
            status = "" if error.code is None else f" (HTTP {error.code})"
            return f"#{self.index}: {type(error).__name__}{status}: {error.message}"
        return f"#{self.index}: {type(error).__name__}: {error}"


@dataclass
class BulkResult(Generic[I, R]):
    """The outcome of a bulk run; every input item is in exactly one of the three lists.

    Attributes:
        succeeded: results of the items that succeeded, in input order, including results restored
            from the journal for items done by an earlier run.
        succeeded_indices: the input positions of ``succeeded`` (same order and length).
        failed: the items that failed, in input order.
        skipped: input positions done by an earlier run whose result the journal does not hold.
        resumed: how many of ``succeeded`` were done by an earlier run (not redone now).
        total: the number of input items.
        run_id: the run id (the journal's, when a journal is used).
    """

    succeeded: List[R] = field(default_factory=list)
    succeeded_indices: List[int] = field(default_factory=list)
    failed: List[BulkFailure[I]] = field(default_factory=list)
    skipped: List[int] = field(default_factory=list)
    resumed: int = 0
    total: int = 0
    run_id: str = ""

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not self.failed

    def raise_for_failures(self) -> "BulkResult[I, R]":
        """Raise ``BulkError`` if any item failed; otherwise return this result.

        Raises:
            BulkError: summarising the counts and the first few errors.
        """
        if self.failed:
            raise BulkError(self)
        return self

    def __repr__(self) -> str:
        return (
            f"BulkResult(total={self.total}, succeeded={len(self.succeeded)}, failed={len(self.failed)}, "
            f"skipped={len(self.skipped)}, resumed={self.resumed})"
        )


def is_ambiguous(error: BaseException) -> bool:
    """Whether a failed call may nevertheless have taken effect on the server.

    No for answers that prove the server refused the request (4xx, including 429); yes for 5xx,
    transport failures and anything unexpected.
    """
    if isinstance(error, ScaleTransportError):
        return True
    if isinstance(error, ScaleException) and error.code is not None:
        return error.code >= 500 or error.code == 200
    return True


def shared_client(client: "ScaleClient", retry_budget: Optional[float] = None) -> "ScaleClient":
    """A shallow copy of ``client`` for long work on many threads.

    Its Api paces every thread with one shared ``RateLimiter`` and retries each call that is safe
    to repeat until the retry budget runs out (``retry_budget`` seconds; default the client's).
    The copy shares the original's connection pool. A client already set up this way is returned
    as is (unless another budget is asked for), so nested bulk calls share its limiter too.
    """
    if client.api.throttle is not None and client.api.policy.budget is not None and retry_budget is None:
        return client
    return client.with_options(retry_budget=retry_budget, _long_work=True, _threads=True)


class _Run(Generic[I, R]):  # pylint: disable=too-many-instance-attributes
    """The state of one ``run_bulk`` call."""

    def __init__(
        self,
        fn: Callable[[I, ItemContext], R],
        journal: Optional[Journal],
        encode: Optional[Callable[[R], Any]],
        decode: Optional[Callable[[Any], R]],
        sink: ProgressSink,
    ) -> None:
        self.fn = fn
        self.journal = journal
        self.encode = encode
        self.decode = decode
        self.sink = sink
        self.run_id = journal.run_id if journal is not None else uuid.uuid4().hex[:12]
        self.results: Dict[int, R] = {}
        self.failures: Dict[int, BulkFailure[I]] = {}
        self.skipped: List[int] = []
        self.resumed = 0
        self.total = 0
        self.done = 0

    def call(self, index: int, item: I, digest: str, resumed: bool) -> R:
        """Run one item on a worker thread, journaling its start and end."""
        journal = self.journal
        if journal is not None:
            journal.started(index, digest)
        try:
            result = self.fn(item, ItemContext(index, self.run_id, resumed))
        except Exception as err:
            if journal is not None:
                journal.failed(index, digest, err, ambiguous=is_ambiguous(err))
            raise
        if journal is not None:
            encoded = self.encode(result) if self.encode is not None else None
            journal.done(index, digest, encoded, keep_result=self.encode is not None)
        return result

    def settle_from_journal(self, index: int, item: I, digest: str, entry: JournalEntry) -> bool:
        """Account for an item the journal already knows; False when it must run (again)."""
        if entry.item_hash != digest:
            error = JournalMismatch(
                f"the journal records a different item at index {index}; the input changed since "
                "the journaled run (use a new journal file for new input)"
            )
            self.failures[index] = BulkFailure(index, item, error)
            return True
        if entry.state != DONE:
            return False
        if entry.has_result and self.decode is not None:
            self.results[index] = self.decode(entry.result)
            self.resumed += 1
        else:
            self.skipped.append(index)
        return True

    def finish_one(self) -> None:
        """Count one more item as accounted for and report progress."""
        self.done += 1
        self.sink.update(self.done)

    def result(self) -> BulkResult[I, R]:
        """The final report, in input order."""
        order = sorted(self.results)
        return BulkResult(
            succeeded=[self.results[i] for i in order],
            succeeded_indices=order,
            failed=[self.failures[i] for i in sorted(self.failures)],
            skipped=sorted(self.skipped),
            resumed=self.resumed,
            total=self.total,
            run_id=self.run_id,
        )


def run_bulk(  # pylint: disable=too-many-arguments,too-many-locals,too-many-statements
    items: Iterable[I],
    fn: Callable[[I, ItemContext], R],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: ProgressArg = None,
    journal: JournalArg = None,
    operation: str = "bulk",
    encode: Optional[Callable[[R], Any]] = None,
    decode: Optional[Callable[[Any], R]] = None,
    desc: str = "",
    grace: float = INTERRUPT_GRACE,
    throttle: Optional[RateLimiter] = None,
    total: Optional[int] = None,
) -> BulkResult[I, R]:
    """Call ``fn(item, context)`` for every item on a thread pool and report each item's outcome.

    Args:
        items: any iterable; read lazily, at most ``2 * concurrency`` items ahead of completion.
        fn: does the work for one item; an ``Exception`` it raises makes the item a failure
            (``KeyboardInterrupt`` and ``SystemExit`` stop the run).
        concurrency: the number of worker threads (at least 1).
        progress: ``None`` (a bar when stderr is a terminal or in a notebook), ``True`` (a bar),
            ``False`` (none) or a callable ``(done, total)``; see ``scaleapi._progress``.
        journal: a file recording progress; a rerun with the same file skips finished items.
        operation: names the operation in the journal header; a journal written for another
            operation is refused.
        encode: turns a result into JSON for the journal (results are not journaled without it).
        decode: turns a journaled result back into a result, for items done by an earlier run.
        desc: the progress bar's label.
        grace: seconds an interrupted run waits for the calls in flight.
        throttle: the limiter the calls share (``shared_client(...).api.throttle``); the progress
            bar shows its pauses.
        total: the number of items, for the progress bar, when ``items`` has no ``len()`` (a
            generator); default ``len(items)``, or no total.

    Returns:
        a ``BulkResult``; call ``raise_for_failures()`` on it to turn failures into an exception.

    Raises:
        JournalMismatch: the journal file belongs to another operation.
        KeyboardInterrupt: re-raised after the journal has been flushed and closed.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if total is None:
        total = size_of(items)
    elif isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError("total must be a non-negative int")
    opened = Journal(journal, operation) if journal is not None else None
    sink = ProgressSink(progress, total, desc, throttle=throttle)
    run: _Run[I, R] = _Run(fn, opened, encode, decode, sink)
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scaleapi-bulk")
    in_flight: Dict["Future[R]", Tuple[int, I]] = {}
    source = iter(items)
    exhausted = False
    try:
        while True:
            while not exhausted and len(in_flight) < 2 * concurrency:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                index = run.total
                run.total += 1
                digest = item_hash(item) if opened is not None else ""
                entry = opened.lookup(index) if opened is not None else None
                if entry is not None and run.settle_from_journal(index, item, digest, entry):
                    run.finish_one()
                    continue
                resumed = entry is not None and entry.ambiguous
                in_flight[executor.submit(run.call, index, item, digest, resumed)] = (index, item)
            if not in_flight:
                break
            finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in finished:
                index, item = in_flight.pop(future)
                error = future.exception()
                if error is None:
                    run.results[index] = future.result()
                elif isinstance(error, Exception):
                    run.failures[index] = BulkFailure(index, item, error)
                else:
                    raise error  # KeyboardInterrupt or SystemExit inside a worker
                run.finish_one()
    except BaseException:
        # Ctrl-C, or an error from the input iterator or the progress callback: stop feeding,
        # let what is in flight finish (and be journaled) for a moment, then give up on it.
        # (A future cancelled before it started never counts as done for wait(): leave it out.)
        running = [future for future in in_flight if not future.cancel()]
        executor.shutdown(wait=False, cancel_futures=True)
        wait(running, timeout=grace)
        raise
    finally:
        executor.shutdown(wait=False)
        if opened is not None:
            opened.close()
        sink.close()
    return run.result()
