"""Project rules: creation, lookup, ``setParams`` versions, and task templates."""
from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Tuple

from .context import ServiceContext
from .errors import bad_request, conflict, invalid_param, not_found
from .identity import Account, new_object_id
from .timeutil import iso_from_ms
from .validation import (
    TASK_TYPES, TEMPLATE_PROJECT_TYPES, optional_bool, optional_str, require_object, required_str,
    resource_name,
)

JsonDict = Dict[str, Any]

# Keys of a param_history entry that are bookkeeping, not parameters a task inherits.
_ENTRY_KEYS = ("version", "created_at")


def project_not_found(name: str) -> Exception:
    """The 404 for an unknown project name."""
    return not_found(f'Project "{name}" not found.')


def _entry_params(entry: JsonDict) -> JsonDict:
    return {key: value for key, value in entry.items() if key not in _ENTRY_KEYS}


def inherited_params(
    project: JsonDict, version: Optional[int]
) -> Tuple[JsonDict, Optional[int], Optional[str]]:
    """What a task inherits from its project: (params, version used, instruction).

    ``version`` pins an older ``param_history`` entry; ``-1`` skips inheritance (API reference §2.3).
    """
    history: List[JsonDict] = project.get("param_history") or []
    if version == -1 or not history:
        return {}, None, None
    if version is None:
        entry = history[-1]
    else:
        matches = [item for item in history if item.get("version") == version]
        if not matches:
            raise invalid_param("project_version", f"does not exist for project {project['name']}")
        entry = matches[0]
    params = _entry_params(entry)
    instruction = params.pop("instruction", None)
    return params, entry.get("version"), instruction if isinstance(instruction, str) else None


def load_project(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """The project document or a 404."""
    doc = ctx.store.projects.get(account.id, name)
    if doc is None:
        raise project_not_found(name)
    return doc


def create_project(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST projects``: 400 for a missing/unknown type or name, 409 for a taken name."""
    body = require_object(body if body is not None else {})
    task_type = required_str(body, "type")
    if task_type not in TASK_TYPES:
        raise invalid_param("type", f'must be a known task type (got "{task_type}")')
    name = resource_name(body, "name")
    params = body.get("params")
    if params is not None and not isinstance(params, dict):
        raise invalid_param("params", "must be an object")
    rapid = optional_bool(body, "rapid")
    studio = optional_bool(body, "studio")
    dataset_id = optional_str(body, "datasetId")
    with ctx.store.transaction():
        if ctx.store.projects.get(account.id, name) is not None:
            raise conflict(f'A project named "{name}" already exists.')
        now = ctx.now()
        doc: JsonDict = {
            "id": new_object_id(), "name": name, "type": task_type, "created_at": iso_from_ms(now),
            "param_history": [{"version": 0, "created_at": iso_from_ms(now), **(params or {})}],
            "rapid": rapid, "studio": studio, "archived": False,
        }
        if dataset_id is not None:
            doc["datasetId"] = dataset_id
        ctx.store.projects.insert(account.id, doc, now)
        return doc


def get_project(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """``GET projects/{name}``."""
    with ctx.store.transaction():
        return load_project(ctx, account, name)


def list_projects(ctx: ServiceContext, account: Account) -> List[JsonDict]:
    """``GET projects``: every project, oldest first."""
    with ctx.store.transaction():
        return ctx.store.projects.list(account.id)


def set_params(ctx: ServiceContext, account: Account, name: str, body: Any) -> JsonDict:
    """``POST projects/{name}/setParams``: append a ``param_history`` version.

    ``patch: true`` merges the new params over the previous version's; otherwise they replace it.
    """
    body = dict(require_object(body if body is not None else {}))
    patch = optional_bool(body, "patch")
    body.pop("patch", None)
    if "instruction" in body and body["instruction"] is not None and not isinstance(body["instruction"], str):
        raise invalid_param("instruction", "must be a string")
    with ctx.store.transaction():
        doc = load_project(ctx, account, name)
        history: List[JsonDict] = doc.setdefault("param_history", [])
        previous = _entry_params(history[-1]) if history else {}
        params = {**previous, **body} if patch else body
        version = (history[-1]["version"] + 1) if history else 0
        history.append({"version": version, "created_at": iso_from_ms(ctx.now()), **params})
        ctx.store.projects.save(account.id, doc)
        return doc


def get_template(ctx: ServiceContext, account: Account, name: str) -> JsonDict:
    """``GET projects/{name}/taskTemplates``: only textcollection and chat projects have one."""
    with ctx.store.transaction():
        doc = load_project(ctx, account, name)
    if doc["type"] not in TEMPLATE_PROJECT_TYPES:
        raise bad_request(
            f'Project "{name}" is a {doc["type"]} project; task templates exist only for '
            "textcollection and chat projects."
        )
    history: List[JsonDict] = doc.get("param_history") or []
    latest = history[-1] if history else {"version": 0, "created_at": doc["created_at"]}
    variables = latest.get("template_variables")
    template: JsonDict = {
        "id": hashlib.sha256(f"template:{doc['id']}".encode()).hexdigest()[:24],
        "version": latest.get("version", 0), "created_at": doc["created_at"],
        "updated_at": latest.get("created_at", doc["created_at"]),
        "template_variables": variables if isinstance(variables, dict) else {},
        "auto_onboard_enabled": bool(latest.get("auto_onboard_enabled", False)),
    }
    if "response_schema" in latest:
        template["response_schema"] = latest["response_schema"]
    return template
