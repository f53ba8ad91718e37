"""Task state changes shared by the API, the control API and the lifecycle policy.

Every change that ends a task (completed, error) triggers the task's callback; every change of a
batch's task can complete (or re-open) the batch.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..storage.task_store import TaskRecord
from .callback_delivery import CallbackJob
from .context import ServiceContext
from .errors import TASK_NOT_FOUND, bad_request, not_found
from .synthetic import synthetic_response
from .timeutil import iso_from_ms

JsonDict = Dict[str, Any]


def task_callback(ctx: ServiceContext, rec: TaskRecord) -> None:
    """Queue the §1.12 callback for a task, if it has a callback URL."""
    url = rec.doc.get("callback_url")
    if not isinstance(url, str) or not url:
        return
    body: JsonDict = {
        "task": rec.doc, "response": rec.doc.get("response"), "task_id": rec.task_id,
        "status": rec.status,
    }
    if rec.status == "error":
        body["error"] = rec.doc.get("error")
    ctx.send_callback(CallbackJob(kind="task", account=rec.account, url=url, body=body, task_id=rec.task_id))


def mark_completed(ctx: ServiceContext, rec: TaskRecord, response: Optional[JsonDict] = None) -> None:
    """Set a (new or pending) task's fields to completed, without saving."""
    now = ctx.now()
    if response is None:
        response = synthetic_response(str(rec.doc["type"]), rec.task_id, rec.doc.get("params") or {})
    rec.doc["status"] = "completed"
    rec.doc["completed_at"] = iso_from_ms(now)
    rec.doc["updated_at"] = iso_from_ms(now)
    rec.doc["response"] = response
    rec.completed_ms = now
    rec.updated_ms = now
    # "pending" review: what the customer_review_status filter matches for unaudited tasks.
    rec.review_status = "pending"


def after_change(ctx: ServiceContext, rec: TaskRecord, notify: bool) -> None:
    """Side effects of a status change: the task callback, then the batch's completion check."""
    if notify:
        task_callback(ctx, rec)
    batch = rec.doc.get("batch")
    if isinstance(batch, str):
        refresh_batch(ctx, rec.account, batch)


def refresh_batch(ctx: ServiceContext, account: str, name: str) -> None:
    """Complete a batch whose tasks are all done, or re-open one that got a new pending task."""
    doc = ctx.store.batches.get(account, name)
    # Staging batches have not started; paused and cancelled ones (v2) change only by an operation.
    if doc is None or doc["status"] in ("staging", "paused", "cancelled"):
        return
    if ctx.store.tasks.batch_is_empty(account, name):
        return
    pending = ctx.store.tasks.batch_has_pending(account, name)
    now = iso_from_ms(ctx.now())
    if not pending and doc["status"] != "completed":
        doc["status"] = "completed"
        doc["completed_at"] = now
        doc["updated_at"] = now
        ctx.store.batches.save(account, doc)
        url = doc.get("callback")
        if isinstance(url, str) and url:
            body = {"batch": doc, "batch_name": name, "status": "completed"}
            ctx.send_callback(CallbackJob(kind="batch", account=account, url=url, body=body, batch=name))
    elif pending and doc["status"] == "completed":
        doc["status"] = "in_progress"
        doc.pop("completed_at", None)
        doc["updated_at"] = now
        ctx.store.batches.save(account, doc)


def _pending_task_of_any_account(ctx: ServiceContext, task_id: str, verb: str) -> TaskRecord:
    """The task the control API acts on: 404 if no account has it, 400 unless it is pending."""
    rec = ctx.store.tasks.get_any(task_id)
    if rec is None:
        raise not_found(TASK_NOT_FOUND)
    if rec.status != "pending":
        raise bad_request(f"Only pending tasks can be {verb}; this task is {rec.status}.")
    return rec


def complete_task(ctx: ServiceContext, task_id: str, response: Optional[JsonDict] = None) -> JsonDict:
    """Complete a pending task of any account (control API / lifecycle)."""
    with ctx.store.transaction():
        rec = _pending_task_of_any_account(ctx, task_id, "completed")
        mark_completed(ctx, rec, response)
        ctx.store.tasks.save(rec)
        after_change(ctx, rec, notify=True)
        return rec.doc


def fail_task(ctx: ServiceContext, task_id: str, error: str) -> JsonDict:
    """Put a pending task of any account into ``error`` with the given message (control API)."""
    with ctx.store.transaction():
        rec = _pending_task_of_any_account(ctx, task_id, "failed")
        now = ctx.now()
        rec.doc["status"] = "error"
        rec.doc["error"] = error
        rec.doc["updated_at"] = iso_from_ms(now)
        rec.updated_ms = now
        ctx.store.tasks.save(rec)
        after_change(ctx, rec, notify=True)
        return rec.doc


def complete_due_tasks(ctx: ServiceContext, batch_size: int = 500) -> int:
    """Apply the lifecycle policy: complete live tasks older than ``complete_after`` seconds."""
    after = ctx.complete_after
    if after is None:
        return 0
    with ctx.store.transaction():
        cutoff = ctx.now() - int(after * 1000)
        due = ctx.store.tasks.due_live_tasks(cutoff, batch_size)
        for rec in due:
            mark_completed(ctx, rec)
            ctx.store.tasks.save(rec)
            after_change(ctx, rec, notify=True)
        return len(due)


def record_callback_result(ctx: ServiceContext, job: CallbackJob, delivered: bool) -> None:
    """Store ``callback_succeeded`` on the task or batch once a delivery has finished."""
    with ctx.store.transaction():
        if job.kind == "task" and job.task_id:
            rec = ctx.store.tasks.get(job.account, job.task_id)
            if rec is not None:
                rec.doc["callback_succeeded"] = delivered
                ctx.store.tasks.save(rec)
        elif job.kind == "batch" and job.batch:
            doc = ctx.store.batches.get(job.account, job.batch)
            if doc is not None:
                doc["callback_succeeded"] = delivered
                ctx.store.batches.save(job.account, doc)
