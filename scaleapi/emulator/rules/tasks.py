"""Task rules: creation per type, lookup, cancel, audit, unique_id, metadata and tags."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..storage.task_store import TaskRecord
from .context import ServiceContext, owner_email
from .errors import TASK_NOT_FOUND, bad_request, conflict, invalid_param, not_found
from .identity import Account, new_object_id
from .jsontext import EncodedJson
from .projects import inherited_params
from .task_state import after_change, mark_completed, task_callback
from .timeutil import iso_from_ms
from .validation import (
    COMMON_TASK_KEYS, TASK_STATUSES, CommonParams, check_key_length, check_metadata, check_tags,
    check_task_params, check_task_type, common_params, optional_str, require_object,
)

JsonDict = Dict[str, Any]


def _placement(
    ctx: ServiceContext, account: Account, common: CommonParams
) -> Tuple[Optional[JsonDict], Optional[JsonDict]]:
    """Resolve the task's project and batch documents (404 when named but missing)."""
    batch = None
    if common.batch is not None:
        batch = ctx.store.batches.get(account.id, common.batch)
        if batch is None:
            raise not_found(f'Batch "{common.batch}" not found.')
    project_name = common.project or (batch["project"] if batch else None)
    project = None
    if project_name is not None:
        project = ctx.store.projects.get(account.id, project_name)
        if project is None:
            raise not_found(f'Project "{project_name}" not found.')
    if batch is not None and common.project is not None and batch["project"] != common.project:
        raise bad_request(f'Batch "{common.batch}" does not belong to project "{common.project}".')
    if project is not None and project.get("rapid") and batch is None:
        raise bad_request(f'Tasks of the Rapid project "{project["name"]}" must be created in a batch.')
    return project, batch


def build_task(
    ctx: ServiceContext, account: Account, task_type: str, body: JsonDict
) -> TaskRecord:
    """Validate a creation body and build the (unsaved) task record."""
    check_task_type(task_type)
    body = require_object(body)
    common = common_params(body)
    project, batch = _placement(ctx, account, common)
    params = {key: value for key, value in body.items() if key not in COMMON_TASK_KEYS}
    instruction = common.instruction
    version = None
    if project is not None:
        inherited, version, project_instruction = inherited_params(project, common.project_version)
        params = {**inherited, **params}
        instruction = instruction if instruction is not None else project_instruction
    check_task_params(task_type, params)
    if common.unique_id is not None:
        existing = ctx.store.tasks.find_unique(account.id, common.unique_id)
        if existing is not None:
            raise conflict(
                f'A task with unique_id "{common.unique_id}" already exists ({existing.task_id}).'
            )
    now = ctx.now()
    doc: JsonDict = {
        "task_id": new_object_id(), "created_at": iso_from_ms(now), "updated_at": iso_from_ms(now),
        "type": task_type, "status": "pending", "is_test": account.is_test,
    }
    if instruction is not None:
        doc["instruction"] = instruction
    if common.callback_url is not None:
        doc["callback_url"] = common.callback_url
    doc["params"] = params
    doc["metadata"] = common.metadata
    if project is not None:
        doc["project"] = project["name"]
        doc["project_param_version"] = version
    if batch is not None:
        doc["batch"] = batch["name"]
    if common.unique_id is not None:
        doc["unique_id"] = common.unique_id
    if common.tags is not None:
        doc["tags"] = common.tags
    return TaskRecord(account=account.id, doc=doc, is_test=account.is_test, created_ms=now, updated_ms=now)


def create_task(ctx: ServiceContext, account: Account, task_type: str, body: JsonDict) -> JsonDict:
    """``POST task/{type}``: create a task; test-mode tasks complete at once."""
    with ctx.store.transaction():
        rec = build_task(ctx, account, task_type, body)
        if account.is_test:
            mark_completed(ctx, rec)
        ctx.store.tasks.insert(rec)
        after_change(ctx, rec, notify=account.is_test)
        return rec.doc


def _load(ctx: ServiceContext, account: Account, task_id: str) -> TaskRecord:
    rec = ctx.store.tasks.get(account.id, task_id)
    if rec is None:
        raise not_found(TASK_NOT_FOUND)
    return rec


def _touch(ctx: ServiceContext, rec: TaskRecord) -> None:
    now = ctx.now()
    rec.updated_ms = now
    rec.doc["updated_at"] = iso_from_ms(now)


def get_task(ctx: ServiceContext, account: Account, task_id: str) -> EncodedJson:
    """``GET task/{id}``: the stored document as written, without decoding it."""
    text = ctx.store.tasks.get_doc_text(account.id, task_id)
    if text is None:
        raise not_found(TASK_NOT_FOUND)
    return EncodedJson(text.encode("utf-8"))


def cancel_task(ctx: ServiceContext, account: Account, task_id: str, clear_unique: bool) -> JsonDict:
    """``POST task/{id}/cancel``: pending → canceled; repeating is a no-op; done tasks → 400."""
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        if rec.status not in ("pending", "canceled"):
            raise bad_request(f"Task cannot be canceled because it is {rec.status}; only pending tasks can.")
        changed = rec.status == "pending"
        if changed:
            rec.doc["status"] = "canceled"
        if clear_unique and "unique_id" in rec.doc:
            del rec.doc["unique_id"]
            changed = True
        if changed:
            _touch(ctx, rec)
            ctx.store.tasks.save(rec)
            after_change(ctx, rec, notify=False)
        return rec.doc


def audit_task(ctx: ServiceContext, account: Account, task_id: str, body: Any) -> JsonDict:
    """``POST task/{id}/audit``: accept or reject a completed task."""
    body = require_object(body if body is not None else {})
    accepted = body.get("accepted")
    if not isinstance(accepted, bool):
        raise invalid_param("accepted", "is required and must be a boolean")
    comments = optional_str(body, "comments")
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        if rec.status != "completed":
            raise bad_request(f"Only completed tasks can be audited; this task is {rec.status}.")
        result = "accepted" if accepted else "rejected"
        now = ctx.now()
        audit: JsonDict = {
            "audited_by": owner_email(account), "audited_at": iso_from_ms(now), "audit_time_secs": 0,
            "audit_result": result, "audit_source": "customer",
        }
        if comments is not None:
            audit["comments"] = comments
        rec.doc.setdefault("audits", []).append(audit)
        rec.doc["customer_review_status"] = result
        rec.review_status = result
        _touch(ctx, rec)
        ctx.store.tasks.save(rec)
        task_callback(ctx, rec)
        return rec.doc


def set_unique_id(ctx: ServiceContext, account: Account, task_id: str, body: Any) -> JsonDict:
    """``POST task/{id}/unique_id``: 409 when another task of the account holds the id."""
    body = require_object(body if body is not None else {})
    unique_id = body.get("unique_id")
    if not isinstance(unique_id, str) or not unique_id:
        raise invalid_param("unique_id", "is required and must be a non-empty string")
    check_key_length(unique_id, "unique_id")
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        holder = ctx.store.tasks.find_unique(account.id, unique_id)
        if holder is not None and holder.seq != rec.seq:
            raise conflict(f'The unique_id "{unique_id}" is already used by task {holder.task_id}.')
        rec.doc["unique_id"] = unique_id
        _touch(ctx, rec)
        ctx.store.tasks.save(rec)
        return rec.doc


def clear_unique_id(ctx: ServiceContext, account: Account, task_id: str) -> JsonDict:
    """``DELETE task/{id}/unique_id``: the returned task has no ``unique_id`` key."""
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        if rec.doc.pop("unique_id", None) is not None:
            _touch(ctx, rec)
            ctx.store.tasks.save(rec)
        return rec.doc


def set_metadata(ctx: ServiceContext, account: Account, task_id: str, body: Any) -> JsonDict:
    """``POST task/{id}/setMetadata``: replace the metadata (an empty body means ``{}``)."""
    metadata = check_metadata({} if body is None else body)
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        rec.doc["metadata"] = metadata
        _touch(ctx, rec)
        ctx.store.tasks.save(rec)
        return rec.doc


def change_tags(ctx: ServiceContext, account: Account, task_id: str, body: Any, mode: str) -> JsonDict:
    """Tags: ``set`` replaces, ``add`` appends new ones, ``delete`` removes the listed ones.

    An empty body means an empty list (the official client drops falsy bodies).
    """
    tags = check_tags([] if body is None else body)
    with ctx.store.transaction():
        rec = _load(ctx, account, task_id)
        current: List[str] = list(rec.doc.get("tags") or [])
        if mode == "set":
            new = tags
        elif mode == "add":
            new = current + [tag for tag in tags if tag not in current]
        else:
            new = [tag for tag in current if tag not in tags]
        rec.doc["tags"] = new
        _touch(ctx, rec)
        ctx.store.tasks.save(rec, tags_changed=True)
        return rec.doc


def seed_tasks(
    ctx: ServiceContext,
    account: Account,
    count: int,
    task_type: str = "imageannotation",
    project: Optional[str] = None,
    batch: Optional[str] = None,
    status: str = "completed",
    chunk: int = 5000,
) -> int:
    """Insert ``count`` minimal tasks fast (for benchmarks and pagination tests); no callbacks."""
    check_task_type(task_type)
    if count < 0:
        raise bad_request("count must not be negative")
    if status not in TASK_STATUSES:
        raise bad_request(f"status must be one of {', '.join(TASK_STATUSES)}")
    ctx.ensure_account(account)
    inserted = 0
    while inserted < count:
        with ctx.store.transaction():
            common = CommonParams(project=project, batch=batch)
            project_doc, batch_doc = _placement(ctx, account, common)
            recs = []
            for _ in range(min(chunk, count - inserted)):
                now = ctx.now()
                doc: JsonDict = {
                    "task_id": new_object_id(), "created_at": iso_from_ms(now),
                    "updated_at": iso_from_ms(now), "type": task_type, "status": status,
                    "is_test": account.is_test, "params": {"attachment": "https://example.com/seed.png"},
                    "metadata": {},
                }
                if project_doc is not None:
                    doc["project"] = project_doc["name"]
                if batch_doc is not None:
                    doc["batch"] = batch_doc["name"]
                rec = TaskRecord(account=account.id, doc=doc, is_test=account.is_test,
                                 created_ms=now, updated_ms=now)
                if status == "completed":
                    doc["completed_at"] = doc["created_at"]
                    doc["response"] = {"annotations": []}
                    rec.completed_ms = now
                    rec.review_status = "pending"
                recs.append(rec)
            ctx.store.tasks.insert_many(recs)
            inserted += len(recs)
            if batch_doc is not None and inserted >= count:
                after_change(ctx, recs[-1], notify=False)
    return inserted
