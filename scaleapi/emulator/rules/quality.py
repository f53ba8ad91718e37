"""Evaluation and training tasks (Scale Rapid quality tasks)."""
from __future__ import annotations

from typing import Any, Dict

from .context import ServiceContext
from .errors import bad_request, missing_param
from .identity import Account, new_object_id
from .projects import inherited_params, load_project
from .timeutil import iso_from_ms
from .validation import (
    COMMON_TASK_KEYS, check_task_params, check_task_type, optional_str, require_object,
)

JsonDict = Dict[str, Any]
QUALITY_KEYS = frozenset({"expected_response", "initial_response"})


def create_quality_task(
    ctx: ServiceContext, account: Account, kind: str, task_type: str, body: Any
) -> JsonDict:
    """``POST evaluation_tasks/{type}`` or ``training_tasks/{type}``.

    Needs ``expected_response``; when a ``project`` is named it must exist and be a Rapid project,
    whose params the task inherits. Per-type required parameters are not enforced: on Rapid they
    usually come from the project (the SDK README's example sends ``attachments`` without
    ``fields``); shapes of known parameters still are.
    """
    check_task_type(task_type)
    body = require_object(body if body is not None else {})
    if body.get("expected_response") is None:
        raise missing_param("expected_response")
    project_name = optional_str(body, "project", allow_empty=False)
    params = {k: v for k, v in body.items() if k not in COMMON_TASK_KEYS and k not in QUALITY_KEYS}
    with ctx.store.transaction():
        if project_name is not None:
            project = load_project(ctx, account, project_name)
            if not project.get("rapid"):
                raise bad_request(f'{kind.capitalize()} tasks need a Rapid project; "{project_name}" is not.')
            inherited, _version, _instruction = inherited_params(project, None)
            params = {**inherited, **params}
        check_task_params(task_type, params, require=False)
        now = ctx.now()
        doc: JsonDict = {
            "id": new_object_id(), "type": task_type, "kind": kind, "created_at": iso_from_ms(now),
            "expected_response": body["expected_response"], "params": params,
        }
        if body.get("initial_response") is not None:
            doc["initial_response"] = body["initial_response"]
        if project_name is not None:
            doc["project"] = project_name
        ctx.store.quality.insert(account.id, kind, doc, now)
        return doc
