"""``/v2/task``, ``/v2/tasks``, ``/v2/task/chat``, ``/v2/task/metadata`` and ``/v2/annotation``.

Every stored task (whichever surface made it) has a v2 form built from its v1 document: the project
and batch are referenced by their v2 ids (or expanded to objects), a completed task carries the
synthetic content of :mod:`.v2_content`, an errored one its ``errors``. Each task's JSON is encoded
once per stored version and cached (:class:`PartsCache`).
Lists page with an opaque cursor over the ``(created_ms, seq)`` index, newest first.
"""
from __future__ import annotations

import json
import re
import threading
from typing import Any, Collection, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Union

from ..storage.task_store import TaskFilter, TaskRecord
from .context import ServiceContext
from .identity import Account, new_object_id
from .jsontext import EncodedJson, encode
from .projects import inherited_params
from .task_state import after_change
from .timeutil import iso_from_ms
from .v2_batches import batch_v2
from .v2_common import (
    Query, body_bool, body_object, body_object_field, body_str, decode_page_token, deep_merge,
    encode_page_token, find_batch, find_project, fingerprint, parse_expand, parse_limit,
    parse_opts, query_str, time_range, v2_error,
)
from .v2_content import CHAT_TYPES, build_threads, find_annotation, task_of_annotation
from .v2_projects import project_v2
from .validation import check_metadata

JsonDict = Dict[str, Any]

TASK_EXPANDS = ("project", "batch")
V2_TASK_STATUSES = ("pending", "completed", "canceled", "error", "deleted")
#: The v2 ``ErrorType`` given to the ``errors`` of a task in ``error``.
ERROR_TYPE = "PROMPT_INFEASIBLE"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
TEMPLATE_PARAM = "chat_template"
#: How many tasks' encoded v2 parts the cache keeps before it starts over (about 1 KB each).
MAX_CACHED = 40_000


class TaskRefs:
    """The project and batch documents a set of tasks refers to, loaded in two queries."""

    def __init__(self, ctx: ServiceContext, account: Account, projects: Collection[str],
                 batches: Collection[str]) -> None:
        self.projects = ctx.store.v2.projects_named(account.id, list(projects))
        self.batches = ctx.store.v2.batches_named(account.id, list(batches))
        self._project_ids = {name: str(doc["id"]) for name, doc in self.projects.items()}

    def project(self, name: Optional[str], expand: bool) -> Any:
        """A task's ``project`` value: the v2 id, or the Project object ("" for a task without one)."""
        doc = self.projects.get(name) if name is not None else None
        if doc is None:
            return ""
        return project_v2(doc) if expand else doc["id"]

    def batch(self, name: Optional[str], expand: bool) -> Any:
        """A task's ``batch`` value (None when it has no batch): the v2 id, or the Batch object."""
        doc = self.batches.get(name) if name is not None else None
        if doc is None:
            return None
        return batch_v2(doc, self._project_ids.get(doc["project"], "")) if expand else doc["id"]


class TaskParts:
    """One task's v2 JSON, split where the project and batch references go.

    ``rest`` is everything after them (status, times, metadata, errors, threads and the closing
    brace), already encoded; it depends only on the stored document and the options, so it is
    cached, and a page is assembled by joining strings.
    """

    __slots__ = ("task_id", "project", "batch", "rest")

    def __init__(self, doc: Mapping[str, Any], opts: FrozenSet[str]) -> None:
        self.task_id = encode(doc["task_id"])
        self.project: Optional[str] = doc["project"] if isinstance(doc.get("project"), str) else None
        self.batch: Optional[str] = doc["batch"] if isinstance(doc.get("batch"), str) else None
        fields: JsonDict = {"status": doc["status"], "created_at": doc["created_at"]}
        if doc.get("completed_at"):
            fields["completed_at"] = doc["completed_at"]
        fields["metadata"] = doc.get("metadata") or {}
        if doc["status"] == "error":
            fields["errors"] = [{"type": ERROR_TYPE, "message": str(doc.get("error") or "Task failed.")}]
        threads = encode(build_threads(doc, opts)) if doc["status"] == "completed" else "[]"
        self.rest = f',{encode(fields)[1:-1]},"threads":{threads}}}'

    def text(self, refs: TaskRefs, expand: Collection[str]) -> str:
        """The Task JSON text with the references filled in from ``refs``."""
        batch = refs.batch(self.batch, "batch" in expand)
        batch_text = "" if batch is None else ',"batch":' + encode(batch)
        project = encode(refs.project(self.project, "project" in expand))
        return f'{{"task_id":{self.task_id},"project":{project}{batch_text}{self.rest}'



class PartsCache:
    """:class:`TaskParts` per (stored document text, options), bounded, thread-safe.

    Keyed by the text itself (its hash, then equality), so any change to a task is a new key.
    """

    def __init__(self, max_entries: int = MAX_CACHED) -> None:
        self._max = max_entries
        self._items: Dict[Tuple[str, FrozenSet[str]], TaskParts] = {}
        self._lock = threading.Lock()

    def parts(self, doc_text: str, opts: FrozenSet[str]) -> TaskParts:
        """The parts of a stored task, from its stored JSON text."""
        key = (doc_text, opts)
        with self._lock:
            found = self._items.get(key)
        if found is None:
            found = TaskParts(json.loads(doc_text), opts)
            with self._lock:
                if len(self._items) >= self._max:
                    self._items.clear()
                self._items[key] = found
        return found


#: The parts are a pure function of the stored text, so one cache serves every emulator in the process.
PARTS_CACHE = PartsCache()


def tasks_v2_texts(ctx: ServiceContext, account: Account, docs: Sequence[Union[str, Mapping[str, Any]]],
                   expand: Collection[str] = (), opts: Collection[str] = ()) -> List[str]:
    """The v2 Task JSON texts of stored tasks (references loaded once).

    Each task is given as its stored JSON text (what ``TaskStore.page_docs`` returns, the fast path)
    or as its decoded document.
    """
    frozen = frozenset(opts)
    parts = [PARTS_CACHE.parts(doc if isinstance(doc, str) else encode(doc), frozen) for doc in docs]
    refs = TaskRefs(ctx, account, {p.project for p in parts if p.project is not None},
                    {p.batch for p in parts if p.batch is not None})
    return [part.text(refs, expand) for part in parts]


def task_v2(ctx: ServiceContext, account: Account, task: Union[TaskRecord, Mapping[str, Any]],
            expand: Collection[str] = (), opts: Collection[str] = ()) -> JsonDict:
    """The v2 Task JSON (as a dict) of one stored task record or document."""
    doc = task.doc if isinstance(task, TaskRecord) else task
    part = TaskParts(doc, frozenset(opts))
    refs = TaskRefs(ctx, account, [part.project] if part.project else [], [part.batch] if part.batch else [])
    result: JsonDict = json.loads(part.text(refs, expand))
    return result


def _load_task(ctx: ServiceContext, account: Account, task_id: Optional[str]) -> TaskRecord:
    if task_id is None:
        raise v2_error(400, "task_id is required.")
    rec = ctx.store.tasks.get(account.id, task_id)
    if rec is None:
        raise v2_error(404, f"Task {task_id!r} not found.")
    return rec


def get_task(ctx: ServiceContext, account: Account, query: Query) -> EncodedJson:
    """``GET /v2/task?task_id=&expand=&opts=``."""
    expand = parse_expand(query, TASK_EXPANDS)
    opts = parse_opts(query)
    with ctx.store.transaction():
        rec = _load_task(ctx, account, query_str(query, "task_id"))
        text = tasks_v2_texts(ctx, account, [rec.doc], expand, opts)[0]
    return EncodedJson(text.encode("utf-8"))


def _task_filter(ctx: ServiceContext, account: Account, query: Query) -> TaskFilter:
    project_id, project_name = query_str(query, "project_id"), query_str(query, "project_name")
    batch_id, batch_name = query_str(query, "batch_id"), query_str(query, "batch_name")
    if not any((project_id, project_name, batch_id, batch_name)):
        raise v2_error(400, "A project (project_id or project_name) or batch (batch_id or batch_name) "
                            "filter is required.")
    flt = TaskFilter(completed=time_range(query, "completed_after", "completed_before"))
    if project_id or project_name:
        flt.project = find_project(ctx, account, project_id, project_name)["name"]
    if batch_id or batch_name:
        flt.batch = find_batch(ctx, account, batch_id, batch_name)["name"]
    status = query_str(query, "status")
    if status is not None:
        if status not in V2_TASK_STATUSES:
            raise v2_error(400, f"status must be one of {', '.join(V2_TASK_STATUSES)} (got {status!r}).")
        flt.statuses = [status]
    return flt


def get_tasks(ctx: ServiceContext, account: Account, query: Query) -> EncodedJson:
    """``GET /v2/tasks``: one page, newest first; ``next_token`` only while more remain."""
    limit = parse_limit(query)
    expand = parse_expand(query, TASK_EXPANDS)
    opts = parse_opts(query)
    with ctx.store.transaction():
        flt = _task_filter(ctx, account, query)
        mark = fingerprint(account, flt)
        token = query_str(query, "next_token")
        after = None
        if token is not None:
            created, seq = decode_page_token(token, "tasks", mark, 2)
            after = (created, seq)
        rows = ctx.store.tasks.page_docs(account.id, flt, after, limit + 1)
        page = rows[:limit]
        texts = tasks_v2_texts(ctx, account, [row[2] for row in page], expand, opts)
    tail = ""
    if len(rows) > limit:
        tail = ',"next_token":' + encode(encode_page_token("tasks", (page[-1][0], page[-1][1]), mark))
    return EncodedJson(f'{{"tasks":[{",".join(texts)}]{tail}}}'.encode("utf-8"))


def render_template(template: Optional[str], variables: Mapping[str, Any]) -> str:
    """The first user message: ``{{name}}`` placeholders filled from ``variables``.

    Without a template, one ``name: value`` line per variable. Strings go in as they are, other
    values as compact JSON; an unknown placeholder is left as written.
    """
    def text(value: Any) -> str:
        return value if isinstance(value, str) else encode(value)

    if template is None:
        return "\n".join(f"{name}: {text(value)}" for name, value in variables.items())

    def fill(match: "re.Match[str]") -> str:
        name = match.group(1)
        return text(variables[name]) if name in variables else match.group(0)

    return _PLACEHOLDER.sub(fill, template)


def create_chat_task(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST /v2/task/chat``: a pending chat task in a project (and optionally one of its batches)."""
    body = body_object(body)
    variables = body_object_field(body, "template_variables") or {}
    metadata = check_metadata(body_object_field(body, "metadata"))
    callback = body_str(body, "callback_url")
    with ctx.store.transaction():
        project = find_project(ctx, account, body_str(body, "project_id"), body_str(body, "project_name"))
        batch = None
        if body.get("batch_id") is not None or body.get("batch_name") is not None:
            batch = find_batch(ctx, account, body_str(body, "batch_id"), body_str(body, "batch_name"))
            if batch["project"] != project["name"]:
                raise v2_error(400, f"Batch {batch['name']!r} is not in project {project['name']!r}.")
            if batch["status"] == "cancelled":
                raise v2_error(400, f"Batch {batch['name']!r} is cancelled; it takes no new tasks.")
        params, version, _instruction = inherited_params(project, None)
        template = params.get(TEMPLATE_PARAM)
        first = render_template(template if isinstance(template, str) else None, variables)
        now = ctx.now()
        doc: JsonDict = {
            "task_id": new_object_id(), "created_at": iso_from_ms(now), "updated_at": iso_from_ms(now),
            "type": project["type"] if project.get("type") in CHAT_TYPES else "chat", "status": "pending",
            "is_test": account.is_test,
            "params": {"template_variables": variables, "first_message": first},
            "metadata": metadata, "project": project["name"], "project_param_version": version,
        }
        if callback is not None:
            doc["callback_url"] = callback
        if batch is not None:
            doc["batch"] = batch["name"]
        rec = TaskRecord(account=account.id, doc=doc, is_test=account.is_test, created_ms=now, updated_ms=now)
        ctx.store.tasks.insert(rec)
        after_change(ctx, rec, notify=False)
        return task_v2(ctx, account, rec)


def set_task_metadata(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST /v2/task/metadata``: replace the metadata, or deep-merge it with ``merge: true``."""
    body = body_object(body)
    task_id = body_str(body, "task_id")
    metadata = body_object_field(body, "metadata", required=True) or {}
    merge = body_bool(body, "merge")
    with ctx.store.transaction():
        rec = _load_task(ctx, account, task_id)
        current = rec.doc.get("metadata") or {}
        rec.doc["metadata"] = check_metadata(deep_merge(current, metadata) if merge else metadata)
        now = ctx.now()
        rec.updated_ms = now
        rec.doc["updated_at"] = iso_from_ms(now)
        ctx.store.tasks.save(rec)
        return task_v2(ctx, account, rec)


def get_annotation(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/annotation?annotation_id=``: one annotation of a completed task, with its details."""
    annotation = query_str(query, "annotation_id")
    if annotation is None:
        raise v2_error(400, "annotation_id is required.")
    task_id = task_of_annotation(annotation)
    missing = v2_error(404, f"Annotation {annotation!r} not found.")
    if task_id is None:
        raise missing
    with ctx.store.transaction():
        rec = ctx.store.tasks.get(account.id, task_id)
    found = find_annotation(rec.doc, annotation) if rec is not None and rec.status == "completed" else None
    if found is None:
        raise missing
    return found
