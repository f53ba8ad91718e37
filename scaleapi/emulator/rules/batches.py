"""Batch rules: creation, finalize, status counts, lookup, offset-paged listing, metadata."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

from ..storage.resource_stores import BatchQuery
from .context import ServiceContext
from .errors import conflict, not_found
from .identity import Account, new_object_id
from .projects import load_project
from .task_state import refresh_batch
from .timeutil import iso_from_ms, parse_time
from .validation import (
    BATCH_STATUSES, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, check_metadata, choice_list, optional_bool,
    optional_str, parse_bool, parse_int, require_object, required_str, resource_name,
)

JsonDict = Dict[str, Any]
Query = Mapping[str, Sequence[str]]


def load_batch(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """The batch document or a 404."""
    doc = ctx.store.batches.get(account.id, name)
    if doc is None:
        raise not_found(f'Batch "{name}" not found.')
    return doc


def new_batch_doc(name: str, project: str, staged: bool, now_ms: int, *, callback: str,
                  metadata: JsonDict, calibration: bool = False, self_label: bool = False) -> JsonDict:
    """A new batch document (v1's and v2's creation write the same fields)."""
    return {
        "id": new_object_id(), "name": name, "project": project,
        "status": "staging" if staged else "in_progress", "created_at": iso_from_ms(now_ms),
        "updated_at": iso_from_ms(now_ms), "callback": callback, "metadata": metadata,
        "calibration_batch": calibration, "self_label_batch": self_label, "archived": False,
    }


def create_batch(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST batches``: standard projects start ``in_progress``, Rapid/Studio ones ``staging``."""
    body = require_object(body if body is not None else {})
    project_name = required_str(body, "project")
    name = resource_name(body, "name")
    callback = optional_str(body, "callback") or ""
    calibration = optional_bool(body, "calibration_batch")
    self_label = optional_bool(body, "self_label_batch")
    metadata = check_metadata(body.get("metadata"))
    with ctx.store.transaction():
        project = load_project(ctx, account, project_name)
        if ctx.store.batches.get(account.id, name) is not None:
            raise conflict(f'A batch named "{name}" already exists.')
        now = ctx.now()
        staged = bool(project.get("rapid") or project.get("studio"))
        doc = new_batch_doc(name, project["name"], staged, now, callback=callback, metadata=metadata,
                            calibration=calibration, self_label=self_label)
        ctx.store.batches.insert(account.id, doc, now)
        return doc


def finalize_batch(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """``POST batches/{name}/finalize``: staging → in_progress; a no-op (200) otherwise."""
    with ctx.store.transaction():
        doc = load_batch(ctx, account, name)
        if doc["status"] == "staging":
            doc["status"] = "in_progress"
            doc["updated_at"] = iso_from_ms(ctx.now())
            ctx.store.batches.save(account.id, doc)
            refresh_batch(ctx, account.id, name)
            doc = load_batch(ctx, account, name)
        return doc


def batch_status(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """``GET batches/{name}/status``: the batch status and task counts per status."""
    with ctx.store.transaction():
        doc = load_batch(ctx, account, name)
        counts = ctx.store.tasks.status_counts(account.id, name)
    result: JsonDict = {"status": doc["status"]}
    for status in ("pending", "completed", "error", "canceled"):
        result[status] = counts.get(status, 0)
    return result


def get_batch(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """``GET batches/{name}``."""
    with ctx.store.transaction():
        return load_batch(ctx, account, name)


def _first(query: Query, name: str) -> Optional[str]:
    values = query.get(name)
    return values[-1] if values else None


def list_batches(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET batches``: offset pages, newest first, with ``totalDocs`` and ``total``."""
    limit_raw = _first(query, "limit")
    limit = DEFAULT_PAGE_LIMIT if limit_raw is None else parse_int(limit_raw, "limit", 1, MAX_PAGE_LIMIT)
    offset_raw = _first(query, "offset")
    offset = 0 if offset_raw is None else parse_int(offset_raw, "offset", 0)
    statuses = choice_list(query.get("status") or [], BATCH_STATUSES, "status")
    start = _first(query, "start_time")
    end = _first(query, "end_time")
    archived_raw = _first(query, "exclude_archived")
    if archived_raw is not None:
        # Nothing is ever archived in the emulator, so the flag only needs to be well-formed.
        parse_bool(archived_raw, "exclude_archived")
    batch_query = BatchQuery(
        project=_first(query, "project"),
        status=statuses[-1] if statuses else None,
        created_from=parse_time(start, "start_time") if start else None,
        created_to=parse_time(end, "end_time") if end else None,
    )
    with ctx.store.transaction():
        docs, total = ctx.store.batches.page(account.id, batch_query, offset, limit)
    return {
        "docs": docs, "totalDocs": total, "total": total, "limit": limit, "offset": offset,
        "has_more": offset + len(docs) < total,
    }


def set_batch_metadata(ctx: ServiceContext, account: Account, name: str, body: Any) -> JsonDict:
    """``POST batches/{name}/setMetadata``: replace the metadata (empty body means ``{}``)."""
    metadata = check_metadata({} if body is None else body)
    with ctx.store.transaction():
        doc = load_batch(ctx, account, name)
        doc["metadata"] = metadata
        doc["updated_at"] = iso_from_ms(ctx.now())
        ctx.store.batches.save(account.id, doc)
        return doc
