"""Deliveries: named, timestamped handovers of a project's completed tasks (``/v2/deliveries`` ...).

:func:`create_delivery` makes one (the control API, the :class:`Emulator` and the console call it);
the three ``get_*`` functions answer ``GET /v2/deliveries``, ``/v2/delivery`` and
``/v2/delivery/tasks``. A delivery keeps each task's response as it was when delivered.
"""
from __future__ import annotations

import json
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from ..storage.v2_data_store import DeliveredTask, DeliveryTaskQuery
from .context import ServiceContext
from .errors import bad_request, conflict, invalid_param, not_found
from .identity import Account, new_object_id
from .jsontext import EncodedJson, splice_object
from .timeutil import iso_from_ms
from .v2_common import (
    Query, find_project, parse_expand, parse_limit, parse_opts, query_str, time_range, v2_error,
)
from .v2_data_query import Pager, check_name
from .v2_projects import project_v2
from .v2_tasks import V2_TASK_STATUSES, tasks_v2_texts

JsonDict = Dict[str, Any]

DELIVERIES_EXPAND = ("project",)
DELIVERY_EXPAND = ("project", "batch", "delivery")
TASK_EXPAND = ("project", "batch")


def delivery_not_found() -> Exception:
    """The 404 for an unknown delivery id or name."""
    return not_found("Delivery not found.")


def create_delivery(  # pylint: disable=too-many-arguments
    ctx: ServiceContext, account: Account, project: str, name: Optional[str] = None,
    task_ids: Optional[Sequence[str]] = None, *, response_schema_id: Optional[str] = None,
) -> JsonDict:
    """Deliver completed tasks of ``project`` (a name or an id) as one named delivery.

    Args:
        project: the project's name or v2 id.
        name: the delivery's name, unique in the project; None picks ``delivery-<n>``.
        task_ids: the tasks to deliver, each a completed task of the project (repeats count once);
            None delivers every completed task of the project not delivered before.
        response_schema_id: a stored schema the delivered responses follow (``/v2/schema``).

    Returns:
        The v2 ``Delivery`` (``project`` as an id).

    Raises:
        ApiError: 400 for a bad argument, a task that is not completed or not in the project, or
            nothing to deliver; 404 for an unknown project or schema; 409 for a taken name.
    """
    if not isinstance(project, str) or not project:
        raise invalid_param("project", "must be a project name or id")
    if name is not None:
        check_name(name, "name")
    wanted = _task_id_list(task_ids)
    if response_schema_id is not None and (not isinstance(response_schema_id, str) or not response_schema_id):
        raise invalid_param("response_schema_id", "must be a schema id")
    store = ctx.store
    with store.transaction():
        doc = store.projects.get(account.id, project) or find_project(ctx, account, project, None)
        if response_schema_id is not None and store.v2data.schema(account.id, response_schema_id) is None:
            raise not_found(f'Schema "{response_schema_id}" not found.')
        chosen = _deliverable(ctx, account, doc["name"], wanted)
        if not chosen:
            raise bad_request(f'Project "{doc["name"]}" has no completed task that is not delivered yet.')
        if name is None:
            name = _free_name(ctx, account, doc["name"])
        if store.v2data.delivery_by_name(account.id, doc["name"], name) is not None:
            raise conflict(f'A delivery named "{name}" already exists in project "{doc["name"]}".')
        now = ctx.now()
        delivery: JsonDict = {
            "id": new_object_id(), "name": name, "task_count": len(chosen), "delivered_at": iso_from_ms(now),
            "project": doc["id"],
        }
        seq = store.v2data.insert_delivery(account.id, doc["name"], delivery, now)
        store.v2data.add_delivery_tasks(
            account.id, seq, doc["name"], now,
            [(task["task_id"], response_schema_id, task.get("response") or {}) for task in chosen],
        )
        return delivery


def _free_name(ctx: ServiceContext, account: Account, project: str) -> str:
    """``delivery-<n>``: n one more than the project's deliveries, or the next free one."""
    number = len(ctx.store.v2data.deliveries(account.id, project, (None, None))) + 1
    while ctx.store.v2data.delivery_by_name(account.id, project, f"delivery-{number}") is not None:
        number += 1
    return f"delivery-{number}"


def _task_id_list(task_ids: Optional[Sequence[str]]) -> Optional[List[str]]:
    if task_ids is None:
        return None
    if isinstance(task_ids, (str, bytes)) or not isinstance(task_ids, (list, tuple)):
        raise invalid_param("task_ids", "must be a list of task ids")
    if not task_ids:
        raise invalid_param("task_ids", "must not be empty")
    if not all(isinstance(task_id, str) and task_id for task_id in task_ids):
        raise invalid_param("task_ids", "must hold task ids (non-empty strings)")
    return list(dict.fromkeys(task_ids))


def _deliverable(
    ctx: ServiceContext, account: Account, project: str, wanted: Optional[List[str]]
) -> List[JsonDict]:
    """The task documents to deliver, oldest first (checked when named)."""
    store = ctx.store
    if wanted is None:
        return store.v2data.undelivered_completed_tasks(account.id, project)
    chosen: List[JsonDict] = []
    for task_id in wanted:
        rec = store.tasks.get(account.id, task_id)
        if rec is None or rec.doc.get("project") != project:
            raise bad_request(f'Task "{task_id}" is not a task of project "{project}".')
        if rec.status != "completed":
            raise bad_request(f'Task "{task_id}" is {rec.status}; only completed tasks can be delivered.')
        chosen.append(rec.doc)
    return chosen


def _delivery_json(ctx: ServiceContext, account: Account, doc: JsonDict, expand: Collection[str]) -> JsonDict:
    if "project" not in expand:
        return doc
    return {**doc, "project": project_v2(find_project(ctx, account, doc["project"], None))}


def _project(ctx: ServiceContext, account: Account, query: Query) -> Optional[JsonDict]:
    """The project named by ``project_id``/``project_name`` (404 when unknown), or None with neither."""
    project_id, name = query_str(query, "project_id"), query_str(query, "project_name")
    return None if project_id is None and name is None else find_project(ctx, account, project_id, name)


def get_deliveries(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/deliveries``: a project's deliveries, newest first (a project filter is required)."""
    expand = parse_expand(query, DELIVERIES_EXPAND)
    delivered = time_range(query, "delivered_after", "delivered_before")
    with ctx.store.transaction():
        project = find_project(ctx, account, query_str(query, "project_id"), query_str(query, "project_name"))
        docs = ctx.store.v2data.deliveries(account.id, project["name"], delivered)
        return {"deliveries": [_delivery_json(ctx, account, doc, expand) for doc in docs]}


def _find_delivery(ctx: ServiceContext, account: Account, query: Query) -> Tuple[int, str, JsonDict]:
    """``(row number, project name, document)`` named by delivery_id, or delivery_name in a project."""
    delivery_id = query_str(query, "delivery_id")
    if delivery_id is not None:
        found = ctx.store.v2data.delivery(account.id, delivery_id)
    else:
        name = query_str(query, "delivery_name")
        if name is None:
            raise v2_error(400, "Either delivery_id, or delivery_name with project_id or project_name, "
                                "is required.")
        project = _project(ctx, account, query)
        if project is None:
            raise v2_error(400, "delivery_name needs project_id or project_name (names are unique per "
                                "project).")
        found = ctx.store.v2data.delivery_by_name(account.id, project["name"], name)
    if found is None:
        raise delivery_not_found()
    return found


def get_delivery(ctx: ServiceContext, account: Account, query: Query) -> EncodedJson:
    """``GET /v2/delivery``: one delivery's tasks (v2 Task shape), a page at a time."""
    expand = parse_expand(query, DELIVERY_EXPAND)
    opts = parse_opts(query)
    limit = parse_limit(query)
    with ctx.store.transaction():
        seq, _project, doc = _find_delivery(ctx, account, query)
        pager = Pager(query, account, "delivery", doc["id"])
        rows = ctx.store.v2data.delivered_tasks(account.id, DeliveryTaskQuery(delivery_seq=seq), pager.after,
                                                limit + 1)
        task_expand = [item for item in expand if item in TASK_EXPAND]
        texts = tasks_v2_texts(ctx, account, [row.doc_text for row in rows[:limit]], task_expand, opts)
        rest: JsonDict = {"delivery": _delivery_json(ctx, account, doc, expand) if "delivery" in expand
                          else doc["id"]}
        pager.finish(rest, [row.cursor for row in rows], limit)
    return splice_object("tasks", texts, rest)


def _delivered_doc(row: DeliveredTask) -> JsonDict:
    return {
        "task_id": row.task_id, "created_at": iso_from_ms(row.created_ms), "delivery_id": row.delivery_id,
        "delivered_at": None if row.delivered_ms is None else iso_from_ms(row.delivered_ms),
        "response_schema_id": row.schema_id,
        "response": None if row.response_text is None else json.loads(row.response_text),
    }


def get_delivery_tasks(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/delivery/tasks``: tasks of a delivery, or of a project, with what was delivered.

    A project's tasks that no delivery included carry null delivery fields. ``total`` is the number
    of docs in this page.
    """
    status = query_str(query, "status")
    if status is not None and status not in V2_TASK_STATUSES:
        raise v2_error(400, f"status must be one of {', '.join(V2_TASK_STATUSES)} (got {status!r}).")
    completed = time_range(query, "completed_after", "completed_before")
    limit = parse_limit(query)
    with ctx.store.transaction():
        delivery_id = query_str(query, "delivery_id")
        if delivery_id is not None:
            found = ctx.store.v2data.delivery(account.id, delivery_id)
            if found is None:
                raise delivery_not_found()
            listing = DeliveryTaskQuery(delivery_seq=found[0], status=status, completed=completed)
        else:
            project = _project(ctx, account, query)
            if project is None:
                raise v2_error(400, "One of delivery_id, project_id or project_name is required.")
            listing = DeliveryTaskQuery(project=project["name"], status=status, completed=completed)
        pager = Pager(query, account, "delivery-tasks", listing)
        rows = ctx.store.v2data.delivered_tasks(account.id, listing, pager.after, limit + 1)
        docs = [_delivered_doc(row) for row in rows[:limit]]
        return pager.finish({"docs": docs, "total": len(docs)}, [row.cursor for row in rows], limit)
