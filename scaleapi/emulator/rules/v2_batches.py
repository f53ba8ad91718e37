"""``/v2/batch``, ``/v2/batches`` and the batch operations: the state table of v2 batches.

States: ``staging`` → ``in_progress`` → ``completed``, plus ``paused`` and ``cancelled``. The same
documents are v1's batches (v1 shows the status as stored, so ``paused`` and ``cancelled`` appear there
too). Each operation's answer per state:

============  ===========  ===========  ======  =========  =========
operation     staging      in_progress  paused  cancelled  completed
============  ===========  ===========  ======  =========  =========
finalize      in_progress  unchanged    400     400        400
pause         unchanged*   paused       same    400        400
resume        400          400          in_prog 400        400
cancel        cancelled    cancelled    cancel  unchanged  400
============  ===========  ===========  ======  =========  =========

(* with a message saying a staging batch has nothing running to pause.) Pausing holds the batch's
pending tasks (the lifecycle policy leaves them alone); cancelling cancels them.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from ..storage.v2_store import BatchPageQuery
from .batches import new_batch_doc
from .context import ServiceContext
from .errors import ApiError
from .identity import Account
from .task_state import refresh_batch
from .timeutil import iso_from_ms
from .v2_common import (
    Query, body_bool, body_object, body_object_field, body_str, decode_page_token, deep_merge,
    encode_page_token, find_batch, find_project, fingerprint, parse_expand, parse_limit, query_str,
    time_range, v2_error,
)
from .v2_projects import project_v2
from .validation import check_metadata, resource_name

JsonDict = Dict[str, Any]

BATCH_EXPANDS = ("project",)
V2_BATCH_STATUSES = ("staging", "in_progress", "completed", "paused", "cancelled")
OPERATIONS = ("finalize", "pause", "resume", "cancel")


def batch_v2(doc: Mapping[str, Any], project: Any) -> JsonDict:
    """A stored batch as a v2 ``Batch``; ``project`` is the project's v2 id or its Project object."""
    batch: JsonDict = {
        "id": doc["id"], "name": doc["name"], "project": project, "created_at": doc["created_at"],
    }
    if doc.get("completed_at"):
        batch["completed_at"] = doc["completed_at"]
    batch["status"] = doc["status"]
    if isinstance(doc.get("callback"), str) and doc["callback"]:
        batch["callback"] = doc["callback"]
    batch["metadata"] = doc.get("metadata") or {}
    return batch


def _shaped(ctx: ServiceContext, account: Account, doc: Mapping[str, Any], expand: bool = False) -> JsonDict:
    project = ctx.store.projects.get(account.id, str(doc["project"]))
    if project is None:
        return batch_v2(doc, "")
    return batch_v2(doc, project_v2(project) if expand else project["id"])


def create_batch(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST /v2/batch``: ``staging`` with ``staging_batch: true``, else ``in_progress``."""
    body = body_object(body)
    name = resource_name(body, "name")
    callback = body_str(body, "callback") or ""
    staging = body_bool(body, "staging_batch")
    metadata = check_metadata(body_object_field(body, "metadata"))
    with ctx.store.transaction():
        project = find_project(ctx, account, body_str(body, "project_id"), body_str(body, "project_name"))
        if ctx.store.batches.get(account.id, name) is not None:
            raise v2_error(409, f"A batch named {name!r} already exists.")
        now = ctx.now()
        doc = new_batch_doc(name, project["name"], staging, now, callback=callback, metadata=metadata)
        ctx.store.batches.insert(account.id, doc, now)
        return batch_v2(doc, project["id"])


def _target(ctx: ServiceContext, account: Account, body: Mapping[str, Any]) -> JsonDict:
    return find_batch(ctx, account, body_str(body, "batch_id"), body_str(body, "batch_name"))


def get_batch(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/batch?batch_id|batch_name&expand=project``."""
    expand = parse_expand(query, BATCH_EXPANDS)
    with ctx.store.transaction():
        doc = find_batch(ctx, account, query_str(query, "batch_id"), query_str(query, "batch_name"))
        return _shaped(ctx, account, doc, "project" in expand)


def get_batches(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/batches``: a project's batches, newest first, cursor-paged."""
    limit = parse_limit(query)
    expand = parse_expand(query, BATCH_EXPANDS)
    status = query_str(query, "status")
    if status is not None and status not in V2_BATCH_STATUSES:
        raise v2_error(400, f"status must be one of {', '.join(V2_BATCH_STATUSES)} (got {status!r}).")
    created = time_range(query, "created_after", "created_before")
    done_low, done_high = time_range(query, "completed_after", "completed_before")
    project_id, project_name = query_str(query, "project_id"), query_str(query, "project_name")
    if project_id is None and project_name is None:
        raise v2_error(400, "A project filter (project_id or project_name) is required.")
    with ctx.store.transaction():
        project = find_project(ctx, account, project_id, project_name)
        batch_query = BatchPageQuery(
            project=project["name"], status=status, created=created,
            completed=(None if done_low is None else iso_from_ms(done_low),
                       None if done_high is None else iso_from_ms(done_high)),
        )
        mark = fingerprint(account, batch_query)
        token = query_str(query, "next_token")
        after = decode_page_token(token, "batches", mark, 1)[0] if token is not None else None
        rows = ctx.store.v2.batch_page(account.id, batch_query, after, limit + 1)
    reference: Any = project_v2(project) if "project" in expand else project["id"]
    page = rows[:limit]
    result: JsonDict = {"batches": [batch_v2(doc, reference) for _seq, doc in page]}
    if len(rows) > limit:
        result["next_token"] = encode_page_token("batches", (page[-1][0],), mark)
    return result


def _refuse(doc: Mapping[str, Any], operation: str) -> ApiError:
    return v2_error(400, f"Batch {doc['name']!r} is {doc['status']}; it cannot be {operation}d.")


#: The module's state table: each operation's new status, from each status it moves a batch out of.
_MOVES: Dict[str, Dict[str, str]] = {
    "finalize": {"staging": "in_progress"},
    "pause": {"in_progress": "paused"},
    "resume": {"paused": "in_progress"},
    "cancel": {"staging": "cancelled", "in_progress": "cancelled", "paused": "cancelled"},
}
#: The rest of the table that is not a 400: the batch stays as it is, and the answer says why.
_UNCHANGED: Dict[Tuple[str, str], str] = {
    ("finalize", "in_progress"): "Batch is already in progress.",
    ("pause", "staging"): "Batch is staging: nothing is running yet, so there is nothing to pause.",
    ("pause", "paused"): "Batch is already paused.",
    ("cancel", "cancelled"): "Batch is already cancelled.",
}


def _transition(doc: JsonDict, operation: str) -> Tuple[bool, str]:
    """What one operation does to a batch: (changes it, new status or message); 400 where refused."""
    status = doc["status"]
    target = _MOVES.get(operation, {}).get(status)
    if target is not None:
        return True, target
    message = _UNCHANGED.get((operation, status))
    if message is None:
        raise _refuse(doc, operation)
    return False, message


_MESSAGES = {
    "pause": "Batch paused; its pending tasks are held until it is resumed.",
    "resume": "Batch resumed.",
    "cancel": "Batch cancelled; its pending tasks were canceled.",
}


def _cancel_pending(ctx: ServiceContext, account: Account, name: str, now: int) -> int:
    rows: List[Tuple[int, JsonDict]] = ctx.store.v2.pending_tasks_of_batch(account.id, name)
    for _seq, task in rows:
        task["status"] = "canceled"
        task["updated_at"] = iso_from_ms(now)
    ctx.store.v2.save_task_docs(rows, now)
    return len(rows)


def batch_operation(ctx: ServiceContext, account: Account, operation: str, body: Any) -> JsonDict:
    """``POST /v2/batch/{finalize,pause,resume,cancel}`` (see the module's state table).

    finalize answers the Batch; the others ``{"batch": Batch, "message": text}``.
    """
    if operation not in OPERATIONS:
        raise v2_error(404, f"No batch operation {operation!r}.")
    body = body_object(body)
    with ctx.store.transaction():
        doc = _target(ctx, account, body)
        changed, outcome = _transition(doc, operation)
        message = outcome
        if changed:
            now = ctx.now()
            doc["status"] = outcome
            doc["updated_at"] = iso_from_ms(now)
            ctx.store.batches.save(account.id, doc)
            if outcome == "cancelled":
                _cancel_pending(ctx, account, doc["name"], now)
            else:
                refresh_batch(ctx, account.id, doc["name"])
            doc = ctx.store.batches.get(account.id, doc["name"]) or doc
            message = _MESSAGES.get(operation, "")
        shaped = _shaped(ctx, account, doc)
    if operation == "finalize":
        return shaped
    return {"batch": shaped, "message": message or _MESSAGES[operation]}


def set_batch_metadata(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST /v2/batch/metadata``: replace the metadata, or deep-merge it with ``merge: true``."""
    body = body_object(body)
    metadata = body_object_field(body, "metadata", required=True) or {}
    merge = body_bool(body, "merge")
    with ctx.store.transaction():
        doc = _target(ctx, account, body)
        current = doc.get("metadata") or {}
        doc["metadata"] = check_metadata(deep_merge(current, metadata) if merge else metadata)
        doc["updated_at"] = iso_from_ms(ctx.now())
        ctx.store.batches.save(account.id, doc)
        return _shaped(ctx, account, doc)
