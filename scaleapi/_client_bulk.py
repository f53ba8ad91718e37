"""``ScaleClient`` methods for work at scale: bulk creates and updates, waiting, export.

Every bulk method runs on ``scaleapi.bulk.run_bulk``: a bounded thread pool sharing the client's one
connection pool and one rate limiter that slows every thread down when the server answers 429. See
docs/bulk.md, docs/export.md.

The engines (``bulk``, ``export`` and what they import) are loaded on a bulk method's first call, not
at ``import scaleapi``: most programs never use them, and the import-time budget is shared by all.
"""
# pylint: disable=import-outside-toplevel
from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from ._client_base import ClientBase
from ._models import enum_value
from ._signatures import LazyFunction, same_signature_as
from .exceptions import ScaleDuplicateResource
from .tasks import Task, TaskType
from ._constants import (
    DEFAULT_CONCURRENCY,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from .waiting import wait_for_tasks

if TYPE_CHECKING:  # pragma: no cover
    from ._progress import ProgressArg
    from .bulk import BulkResult, ItemContext, JournalArg
    from .client import ScaleClient
    from .export import export_tasks as _export_tasks
else:
    _export_tasks = LazyFunction(".export", "export_tasks")

__all__ = ["BulkMixin"]

V = TypeVar("V")
_MISSING: Any = object()

#: Input of the bulk updates: ``(task_id, value)`` pairs, a mapping ``{task_id: value}``, or plain
#: task ids when one value is given for all.
UpdateItems = Union[Mapping[str, V], Iterable[Union[str, Tuple[str, V], Sequence[Any]]]]


def _pairs(items: Any, value: Any) -> Iterable[Any]:
    """The items to run: ``(task_id, value)`` pairs, or raw ids paired with one shared ``value``."""
    if value is not _MISSING:
        return ((task_id, value) for task_id in items)
    if isinstance(items, Mapping):
        return iter(items.items())
    pairs: Iterable[Any] = items
    return pairs


def _unpack(item: Any, what: str) -> Tuple[str, Any]:
    if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
        return item[0], item[1]
    raise TypeError(f"each {what} item must be a (task_id, value) pair")


def _task_json(task: Task) -> Any:
    return task.as_dict()


class BulkMixin(ClientBase):
    """Bulk, waiting and export methods of ``ScaleClient``."""

    def _decode_task(self, doc: Any) -> Task:
        return Task(doc, self._self())

    def _mine(self, fn: Callable[[Any, ItemContext], Task]) -> Callable[[Any, ItemContext], Task]:
        """``fn`` with its task bound to this client, not to the workers' long-work copy."""
        return lambda item, ctx: self._decode_task(fn(item, ctx).as_dict())

    def create_tasks(  # pylint: disable=too-many-arguments
        self,
        task_type: Union[TaskType, str],
        payloads: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[Mapping[str, Any], Task]:
        """Create many tasks of one type in parallel, reporting every payload's outcome.

        Payloads with a ``unique_id`` are safe to retry on server errors (a 409 after an ambiguous
        attempt, in this run or a journaled earlier one, counts as success only when the task
        holding the ``unique_id`` matches the payload; see docs/retries.md). With ``journal``, a
        payload without ``unique_id`` gets the deterministic ``unique_id``
        ``"bulk-<run_id>-<index>"`` (``run_id`` is kept in the journal), so a rerun after a crash
        never creates a second task for a payload that was in flight.

        Args:
            task_type: the task type, e.g. ``TaskType.ImageAnnotation``.
            payloads: the task parameters, one mapping per task (read lazily).
            concurrency: how many creates run at once.
            progress: ``None`` (a bar when stderr is a terminal or in a notebook), ``True``,
                ``False`` or a callable ``(done, total)``; the total is ``len(payloads)`` if any.
            journal: a file recording progress; rerun with the same file to skip what is done.
            retry_budget: seconds each call goes on retrying through server trouble (default:
                the client's ``retry_budget``).

        Returns:
            a ``BulkResult`` whose ``succeeded`` holds the created ``Task`` objects in input order and
            whose ``failed`` holds ``(index, payload, error)`` for the rest.

        Raises:
            JournalMismatch: the journal file was written by another kind of bulk run.
        """
        from .bulk import run_bulk, shared_client

        client = shared_client(self._self(), retry_budget)
        type_value = str(enum_value(task_type))
        keyed = journal is not None

        def create(payload: Mapping[str, Any], ctx: ItemContext) -> Task:
            body = dict(payload)
            if keyed and not body.get("unique_id"):
                body["unique_id"] = f"bulk-{ctx.run_id}-{ctx.index}"
            try:
                return client.create_task(task_type, **body)
            except ScaleDuplicateResource:
                # Only an attempt this journal saw begin (and never saw succeed) may own the key,
                # and only a task that matches this payload in every field it sets is that attempt's.
                if not ctx.resumed or not body.get("unique_id"):
                    raise
                # pylint: disable-next=protected-access
                return Task(client._reconcile_task(type_value, body), client)

        return run_bulk(
            payloads, self._mine(create), concurrency=concurrency, progress=progress, journal=journal,
            operation=f"create_tasks:{type_value}", encode=_task_json, decode=self._decode_task,
            desc="create tasks", throttle=client.api.throttle,
        )  # fmt: skip

    def cancel_tasks(  # pylint: disable=too-many-arguments
        self,
        task_ids: Iterable[str],
        *,
        clear_unique_id: bool = False,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[str, Task]:
        """Cancel many tasks in parallel (cancelling is idempotent, so errors are retried).

        Args:
            task_ids: the tasks' ids.
            clear_unique_id: also remove each task's ``unique_id``.
            concurrency, progress, journal, retry_budget: as for ``create_tasks``.

        Returns:
            a ``BulkResult`` with the canceled tasks in ``succeeded`` (a task that is not pending
            any more fails with ``ScaleInvalidRequest``).
        """
        from .bulk import run_bulk, shared_client

        client = shared_client(self._self(), retry_budget)

        def cancel(task_id: str, _ctx: ItemContext) -> Task:
            return client.cancel_task(task_id, clear_unique_id=clear_unique_id)

        return run_bulk(
            task_ids, self._mine(cancel), concurrency=concurrency, progress=progress, journal=journal,
            operation=f"cancel_tasks:clear_unique_id={clear_unique_id}", encode=_task_json,
            decode=self._decode_task, desc="cancel tasks", throttle=client.api.throttle,
        )  # fmt: skip

    def _bulk_update(  # pylint: disable=too-many-arguments
        self,
        name: str,
        items: Any,
        value: Any,
        call: Any,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[Any, Task]:
        from ._progress import size_of
        from .bulk import run_bulk, shared_client

        client = shared_client(self._self(), retry_budget)

        def update(item: Any, _ctx: ItemContext) -> Task:
            task_id, argument = _unpack(item, name)
            result: Task = call(client, task_id, argument)
            return result

        return run_bulk(
            _pairs(items, value), self._mine(update), concurrency=concurrency, progress=progress,
            journal=journal, operation=name, encode=_task_json, decode=self._decode_task,
            desc=name.replace("_", " "), throttle=client.api.throttle, total=size_of(items),
        )  # fmt: skip

    def set_tasks_tags(  # pylint: disable=too-many-arguments
        self,
        items: UpdateItems[List[str]],
        tags: Optional[List[str]] = _MISSING,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[Tuple[str, List[str]], Task]:
        """Replace the tags of many tasks in parallel.

        Either give ``(task_id, tags)`` pairs (or a ``{task_id: tags}`` mapping), or task ids plus
        one ``tags`` list for all of them.

        Args:
            items: pairs, a mapping, or task ids (with ``tags``).
            tags: the tags every listed task gets.
            concurrency, progress, journal, retry_budget: as for ``create_tasks``.

        Returns:
            a ``BulkResult`` with the updated tasks; the failed items are ``(task_id, tags)`` pairs.
        """
        return self._bulk_update(
            "set_tasks_tags", items, tags, lambda c, i, v: c.set_task_tags(i, list(v)),
            concurrency=concurrency, progress=progress, journal=journal, retry_budget=retry_budget,
        )  # fmt: skip

    @same_signature_as(set_tasks_tags)
    def add_tasks_tags(
        self, items: Any, tags: Any = _MISSING, **options: Any
    ) -> BulkResult[Tuple[str, List[str]], Task]:
        """Add tags to many tasks in parallel (tags a task already has are ignored).

        The arguments are those of ``set_tasks_tags``; the failed items are ``(task_id, tags)`` pairs.
        """
        return self._bulk_update(
            "add_tasks_tags", items, tags, lambda c, i, v: c.add_task_tags(i, list(v)), **options
        )

    @same_signature_as(set_tasks_tags)
    def delete_tasks_tags(
        self, items: Any, tags: Any = _MISSING, **options: Any
    ) -> BulkResult[Tuple[str, List[str]], Task]:
        """Remove tags from many tasks in parallel (tags a task does not have are ignored).

        The arguments are those of ``set_tasks_tags``, ``tags`` being the tags to remove; the failed
        items are ``(task_id, tags)`` pairs.
        """
        return self._bulk_update(
            "delete_tasks_tags", items, tags, lambda c, i, v: c.delete_task_tags(i, list(v)), **options
        )

    def set_tasks_metadata(  # pylint: disable=too-many-arguments
        self,
        items: UpdateItems[Dict[str, Any]],
        metadata: Optional[Dict[str, Any]] = _MISSING,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[Tuple[str, Dict[str, Any]], Task]:
        """Replace the metadata of many tasks in parallel.

        Args:
            items: ``(task_id, metadata)`` pairs, a ``{task_id: metadata}`` mapping, or task ids
                (with ``metadata``).
            metadata: the metadata every listed task gets.
            concurrency, progress, journal, retry_budget: as for ``create_tasks``.

        Returns:
            a ``BulkResult`` with the updated tasks.
        """
        return self._bulk_update(
            "set_tasks_metadata", items, metadata, lambda c, i, v: c.set_task_metadata(i, dict(v)),
            concurrency=concurrency, progress=progress, journal=journal, retry_budget=retry_budget,
        )  # fmt: skip

    def audit_tasks(  # pylint: disable=too-many-arguments
        self,
        items: Iterable[Any],
        accepted: Optional[bool] = _MISSING,
        comments: Optional[str] = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: ProgressArg = None,
        journal: JournalArg = None,
        retry_budget: Optional[float] = None,
    ) -> BulkResult[Any, str]:
        """Accept or reject many completed tasks in parallel.

        Either give task ids plus ``accepted`` (and optional ``comments``) for all of them, or
        ``(task_id, accepted)`` / ``(task_id, accepted, comments)`` tuples.

        Args:
            items: task ids (with ``accepted``) or tuples as above.
            accepted: True to accept, False to reject every listed task.
            comments: the comment sent with every audit given by id.
            concurrency, progress, journal, retry_budget: as for ``create_tasks``.

        Returns:
            a ``BulkResult`` whose ``succeeded`` holds the audited task ids.
        """
        from ._progress import size_of
        from .bulk import run_bulk, shared_client

        client = shared_client(self._self(), retry_budget)
        source: Iterable[Any] = items
        if accepted is not _MISSING:
            source = ((task_id, accepted, comments) for task_id in items)

        def audit(item: Any, _ctx: ItemContext) -> str:
            if not isinstance(item, (tuple, list)) or len(item) not in (2, 3) or not isinstance(item[0], str):
                raise TypeError("each audit item must be (task_id, accepted[, comments])")
            if not isinstance(item[1], bool):
                raise TypeError("accepted must be True or False")
            client.audit_task(item[0], item[1], item[2] if len(item) == 3 else None)
            return item[0]

        return run_bulk(
            source, audit, concurrency=concurrency, progress=progress, journal=journal,
            operation="audit_tasks", encode=lambda task_id: task_id, decode=str, desc="audit tasks",
            throttle=client.api.throttle, total=size_of(items),
        )  # fmt: skip

    def wait_for_tasks(
        self,
        task_ids: Iterable[str],
        *,
        timeout: Optional[float] = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
        retry_budget: Optional[float] = None,
    ) -> List[Task]:
        """Wait until every task is completed, canceled or in error, polling with backoff.

        Args:
            task_ids: the tasks' ids.
            timeout: seconds to wait at most (None: no limit).
            poll: the first pause between polls; pauses grow 1.5x up to 30 s.
            retry_budget: seconds a poll goes on retrying through server trouble (default: the
                client's ``retry_budget``), never past the wait's deadline.

        Returns:
            the finished tasks, in input order.

        Raises:
            WaitTimeout: (a ``ScaleWaitTimeout``) some tasks were unfinished at the deadline;
                ``.pending`` lists them.
        """
        return wait_for_tasks(self._self(), task_ids, timeout, poll, retry_budget=retry_budget)

    #: ``scaleapi.export.export_tasks`` as a method (the client is its first argument); the export
    #: engine is imported at the first lookup.
    export_tasks = _export_tasks
