"""Datasets, their deliveries and tasks, and the bytes of task attachments (``/v2/datasets...``).

:func:`create_dataset` and :func:`deliver_dataset` make them (control API, :class:`Emulator`,
console); the ``get_*`` functions answer the GET endpoints. A dataset task's ``response`` is
free-form JSON; its attachments are stored bytes, reached through a redirect to
:data:`ATTACHMENT_PATH`.
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from ..storage.v2_data_store import Attachment, DatasetTaskRow
from .context import ServiceContext
from .errors import bad_request, invalid_param, not_found
from .identity import Account, new_object_id
from .timeutil import iso_from_ms
from .v2_common import Query, parse_expand, parse_limit, query_str, time_range, v2_error
from .v2_data_query import Pager, check_name

JsonDict = Dict[str, Any]

TASK_EXPAND = ("dataset", "delivery")
DELIVERIES_EXPAND = ("dataset",)
#: Where the bytes of an attachment are served (``{task_id}``, ``{attachment_id}`` percent-encoded).
ATTACHMENT_PATH = "/v2/datasets/task/{task_id}/attachments/{attachment_id}/content"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
#: Most tasks one dataset delivery may hold.
MAX_DELIVERY_TASKS = 10_000
# A media type as a header carries it: printable ASCII, a type and a subtype, optional parameters.
_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(;[\x20-\x7e]*)?")
_ATTACHMENT_KEYS = frozenset({"id", "content_type", "filename", "data", "data_base64", "text"})
_TASK_KEYS = frozenset({"task_id", "response", "attachments", "turn_count"})


def dataset_not_found() -> Exception:
    """The 404 for an unknown dataset."""
    return not_found("Dataset not found.")


def create_dataset(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """Create a dataset; returns the v2 ``Dataset`` (``{"id", "name"}``)."""
    doc = {"id": new_object_id(), "name": check_name(name, "name")}
    with ctx.store.transaction():
        ctx.store.v2data.insert_dataset(account.id, doc)
    return doc


def deliver_dataset(
    ctx: ServiceContext, account: Account, dataset_id: str, name: str, tasks: Sequence[Mapping[str, Any]]
) -> JsonDict:
    """Deliver ``tasks`` of a dataset as one named dataset delivery.

    Args:
        dataset_id: the dataset's id.
        name: the delivery's name.
        tasks: one mapping per task: ``response`` (a JSON object, default ``{}``), ``task_id``
            (default: a new id), ``turn_count`` (default 1) and ``attachments``, a list of
            ``{"id"?, "content_type"?, "filename"?, and one of "data" (bytes), "data_base64",
            "text"}``.

    Returns:
        ``{"delivery": <DatasetDelivery>, "tasks": [{"task_id", "attachment_ids": [...]}]}``.

    Raises:
        ApiError: 400 for a malformed argument or a task id already taken; 404 for an unknown dataset.
    """
    if not isinstance(dataset_id, str) or not dataset_id:
        raise invalid_param("dataset_id", "must be a dataset id")
    check_name(name, "name")
    if not isinstance(tasks, (list, tuple)) or not tasks:
        raise invalid_param("tasks", "must be a non-empty list")
    if len(tasks) > MAX_DELIVERY_TASKS:
        raise invalid_param("tasks", f"must hold at most {MAX_DELIVERY_TASKS} tasks")
    parsed = [_task_input(item, index) for index, item in enumerate(tasks)]
    ids = [task_id for task_id, _response, _turns, _files in parsed]
    if len(set(ids)) != len(ids):
        raise invalid_param("tasks", "must not repeat a task_id")
    store = ctx.store.v2data
    with ctx.store.transaction():
        if store.dataset(account.id, dataset_id) is None:
            raise dataset_not_found()
        for task_id in ids:
            if store.dataset_task(account.id, task_id) is not None:
                raise bad_request(f'A dataset task "{task_id}" already exists.')
        now = ctx.now()
        delivery: JsonDict = {
            "id": new_object_id(), "name": name, "delivered_at": iso_from_ms(now), "dataset": dataset_id,
            "metadata": {"task_count": len(parsed), "turn_count": sum(turns for _i, _r, turns, _f in parsed)},
        }
        store.insert_dataset_delivery(account.id, delivery, now)
        for task_id, response, _turns, files in parsed:
            row = DatasetTaskRow(0, task_id, dataset_id, delivery["id"], now, response)
            store.insert_dataset_task(account.id, row, files)
    return {
        "delivery": delivery,
        "tasks": [{"task_id": task_id, "attachment_ids": [ident for ident, _ in files]}
                  for task_id, _response, _turns, files in parsed],
    }


def _task_input(item: Any, index: int) -> Tuple[str, JsonDict, int, List[Tuple[str, Attachment]]]:
    where = f"tasks[{index}]"
    if not isinstance(item, Mapping):
        raise invalid_param(where, "must be an object")
    unknown = sorted(set(item) - _TASK_KEYS)
    if unknown:
        raise invalid_param(where, f"has unknown keys: {', '.join(unknown)}")
    task_id = item.get("task_id", new_object_id())
    check_name(task_id, f"{where}.task_id")
    response = item.get("response", {})
    if not isinstance(response, dict):
        raise invalid_param(f"{where}.response", "must be an object")
    turns = item.get("turn_count", 1)
    if isinstance(turns, bool) or not isinstance(turns, int) or not 0 <= turns <= 1_000_000:
        raise invalid_param(f"{where}.turn_count", "must be an integer from 0 to 1000000")
    raw = item.get("attachments", [])
    if not isinstance(raw, (list, tuple)):
        raise invalid_param(f"{where}.attachments", "must be a list")
    files = [_attachment(entry, f"{where}.attachments[{number}]") for number, entry in enumerate(raw)]
    if len({ident for ident, _ in files}) != len(files):
        raise invalid_param(f"{where}.attachments", "must not repeat an id")
    return task_id, response, turns, files


def _attachment(entry: Any, where: str) -> Tuple[str, Attachment]:
    if not isinstance(entry, Mapping):
        raise invalid_param(where, "must be an object")
    unknown = sorted(set(entry) - _ATTACHMENT_KEYS)
    if unknown:
        raise invalid_param(where, f"has unknown keys: {', '.join(unknown)}")
    given = [key for key in ("data", "data_base64", "text") if key in entry]
    if len(given) != 1:
        raise invalid_param(where, "needs exactly one of data, data_base64 or text")
    value = entry[given[0]]
    data: bytes
    if given[0] == "data" and isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif given[0] == "text" and isinstance(value, str):
        data = value.encode("utf-8")
    elif given[0] == "data_base64" and isinstance(value, str):
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as err:
            raise invalid_param(f"{where}.data_base64", "must be base64") from err
    else:
        raise invalid_param(
            f"{where}.{given[0]}", "has the wrong type (data: bytes, data_base64/text: string)"
        )
    ident = check_name(entry.get("id", new_object_id()), f"{where}.id")
    content_type = entry.get("content_type", DEFAULT_CONTENT_TYPE)
    filename = entry.get("filename")
    if not isinstance(content_type, str) or not _MEDIA_TYPE.fullmatch(content_type):
        raise invalid_param(f"{where}.content_type", "must be a media type such as text/plain")
    if filename is not None:
        check_name(filename, f"{where}.filename")
    return ident, Attachment(content_type, filename, data)


# Answers -------------------------------------------------------------------------------------

def _dataset_ref(ctx: ServiceContext, account: Account, dataset_id: str, expand: Collection[str]) -> Any:
    if "dataset" not in expand:
        return dataset_id
    doc = ctx.store.v2data.dataset(account.id, dataset_id)
    return doc if doc is not None else dataset_id


def _delivery_json(ctx: ServiceContext, account: Account, doc: JsonDict, expand: Collection[str]) -> JsonDict:
    return {**doc, "dataset": _dataset_ref(ctx, account, doc["dataset"], expand)}


def _task_json(
    ctx: ServiceContext, account: Account, row: DatasetTaskRow, expand: Collection[str]
) -> JsonDict:
    delivery: Any = row.delivery_id
    if "delivery" in expand:
        doc = ctx.store.v2data.dataset_delivery(account.id, row.delivery_id)
        if doc is not None:
            delivery = _delivery_json(ctx, account, doc, expand)
    return {
        "task_id": row.task_id, "dataset": _dataset_ref(ctx, account, row.dataset_id, expand),
        "delivery": delivery, "response": row.response,
    }


def get_datasets(ctx: ServiceContext, account: Account, _query: Query) -> JsonDict:
    """``GET /v2/datasets``: every dataset, oldest first."""
    with ctx.store.transaction():
        return {"datasets": ctx.store.v2data.datasets(account.id)}


def get_dataset_deliveries(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/datasets/deliveries``: dataset deliveries (of one dataset, or all), newest first."""
    expand = parse_expand(query, DELIVERIES_EXPAND)
    delivered = time_range(query, "delivered_after", "delivered_before")
    dataset_id = query_str(query, "dataset_id")
    with ctx.store.transaction():
        if dataset_id is not None and ctx.store.v2data.dataset(account.id, dataset_id) is None:
            raise dataset_not_found()
        docs = ctx.store.v2data.dataset_deliveries(account.id, dataset_id, delivered)
        return {"deliveries": [_delivery_json(ctx, account, doc, expand) for doc in docs]}


def get_dataset_delivery(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/datasets/delivery``: one dataset delivery's tasks, a page at a time."""
    expand = parse_expand(query, TASK_EXPAND)
    limit = parse_limit(query)
    delivery_id = query_str(query, "delivery_id")
    if delivery_id is None:
        raise v2_error(400, "delivery_id is required.")
    pager = Pager(query, account, "dataset-delivery", delivery_id)
    with ctx.store.transaction():
        doc = ctx.store.v2data.dataset_delivery(account.id, delivery_id)
        if doc is None:
            raise not_found("Dataset delivery not found.")
        rows = ctx.store.v2data.dataset_task_page(
            account.id, None, delivery_id, (None, None), pager.after, limit + 1
        )
        body: JsonDict = {
            "delivery": _delivery_json(ctx, account, doc, expand) if "delivery" in expand else delivery_id,
            "tasks": [_task_json(ctx, account, row, expand) for row in rows[:limit]],
        }
        return pager.finish(body, [row.seq for row in rows], limit)


def get_dataset_tasks(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/datasets/tasks``: dataset tasks by dataset and/or delivery, in handover order."""
    expand = parse_expand(query, TASK_EXPAND)
    limit = parse_limit(query)
    delivered = time_range(query, "delivered_after", "delivered_before")
    dataset_id, delivery_id = query_str(query, "dataset_id"), query_str(query, "delivery_id")
    if dataset_id is None and delivery_id is None:
        raise v2_error(400, "One of dataset_id or delivery_id is required.")
    pager = Pager(query, account, "dataset-tasks", dataset_id, delivery_id, delivered)
    store = ctx.store.v2data
    with ctx.store.transaction():
        if dataset_id is not None and store.dataset(account.id, dataset_id) is None:
            raise dataset_not_found()
        if delivery_id is not None and store.dataset_delivery(account.id, delivery_id) is None:
            raise not_found("Dataset delivery not found.")
        rows = store.dataset_task_page(account.id, dataset_id, delivery_id, delivered, pager.after, limit + 1)
        body: JsonDict = {"tasks": [_task_json(ctx, account, row, expand) for row in rows[:limit]]}
        return pager.finish(body, [row.seq for row in rows], limit)


def _load_task(ctx: ServiceContext, account: Account, task_id: Optional[str]) -> DatasetTaskRow:
    if not task_id:
        raise v2_error(400, "task_id is required.")
    row = ctx.store.v2data.dataset_task(account.id, task_id)
    if row is None:
        raise not_found("Dataset task not found.")
    return row


def get_dataset_task(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/datasets/task``: one dataset task."""
    expand = parse_expand(query, TASK_EXPAND)
    with ctx.store.transaction():
        return _task_json(ctx, account, _load_task(ctx, account, query_str(query, "task_id")), expand)


def attachment(ctx: ServiceContext, account: Account, task_id: str, attachment_id: str) -> Attachment:
    """The bytes of one attachment of a dataset task; 404 for an unknown task or attachment."""
    with ctx.store.transaction():
        _load_task(ctx, account, task_id)
        found = ctx.store.v2data.attachment(account.id, task_id, attachment_id)
    if found is None:
        raise not_found("Attachment not found.")
    return found
