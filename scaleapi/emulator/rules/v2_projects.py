"""``/v2/project`` and ``/v2/projects``: the v1 projects in the v2 ``Project`` shape."""
from __future__ import annotations

from typing import Any, Dict, Mapping

from .context import ServiceContext
from .identity import Account
from .v2_common import Query, find_project, query_str, time_range

JsonDict = Dict[str, Any]


def project_v2(doc: Mapping[str, Any]) -> JsonDict:
    """A stored project as a v2 ``Project``: ``types`` holds its v1 task type."""
    return {
        "id": doc["id"], "name": doc["name"], "created_at": doc["created_at"],
        "types": [doc["type"]] if isinstance(doc.get("type"), str) else [], "models": [],
    }


def get_project(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/project?project_id|project_name``."""
    with ctx.store.transaction():
        doc = find_project(ctx, account, query_str(query, "project_id"), query_str(query, "project_name"))
    return project_v2(doc)


def get_projects(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/projects``: every project created in the window, oldest first (not paged)."""
    low, high = time_range(query, "created_after", "created_before")
    with ctx.store.transaction():
        docs = ctx.store.v2.projects_created(account.id, low, high)
    return {"projects": [project_v2(doc) for doc in docs]}
