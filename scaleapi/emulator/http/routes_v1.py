"""The v1 API routes: parse the request, call one service function."""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from ..rules import batches, files, projects, quality, studio, task_list, tasks, teams
from ..rules.context import ServiceContext
from ..rules.validation import parse_bool
from .openapi import openapi_document
from .handlers import account_only, with_body
from .request import ApiRequest
from .router import Handler

# Tasks ---------------------------------------------------------------------------------------

def create_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST task/{type}"""
    body = req.json()
    return tasks.create_task(ctx, req.authenticated(), task_type, {} if body is None else body)


def cancel_task(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST task/{id}/cancel[?clear_unique_id=true]"""
    values = req.query.get("clear_unique_id") or []
    clear = parse_bool(values[-1], "clear_unique_id") if values else False
    return tasks.cancel_task(ctx, req.authenticated(), task_id, clear)


def task_tags(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST (set), PUT (add) or DELETE (remove) task/{id}/tags"""
    mode = {"POST": "set", "PUT": "add", "DELETE": "delete"}[req.method]
    return tasks.change_tags(ctx, req.authenticated(), task_id, req.json(), mode)


def list_tasks(ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET tasks"""
    return task_list.list_tasks(ctx, req.authenticated(), req.query)


def create_evaluation_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST evaluation_tasks/{type}"""
    return quality.create_quality_task(ctx, req.authenticated(), "evaluation", task_type, req.json())


def create_training_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST training_tasks/{type}"""
    return quality.create_quality_task(ctx, req.authenticated(), "training", task_type, req.json())


# Batches -------------------------------------------------------------------------------------

def list_batches(ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET batches"""
    return batches.list_batches(ctx, req.authenticated(), req.query)


# Files ---------------------------------------------------------------------------------------

def upload_file(ctx: ServiceContext, req: ApiRequest) -> Any:
    """POST files/upload (multipart/form-data)"""
    if not req.is_multipart():
        req.read_body()
        return files.upload_file(ctx, req.authenticated(), None, {})
    upload, fields = req.multipart()
    return files.upload_file(ctx, req.authenticated(), upload, fields)


# Teams and Studio ----------------------------------------------------------------------------

def project_groups(ctx: ServiceContext, req: ApiRequest, project: str) -> Any:
    """GET (list) or POST (create) studio/projects/{project}/groups"""
    if req.method == "POST":
        return studio.create_group(ctx, req.authenticated(), project, req.json())
    return studio.list_groups(ctx, req.authenticated(), project)


def update_project_group(ctx: ServiceContext, req: ApiRequest, project: str, group: str) -> Any:
    """PUT studio/projects/{project}/groups/{group}"""
    return studio.update_group(ctx, req.authenticated(), project, group, req.json())


def openapi_spec(_ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET openapi.json: the OpenAPI 3 description of these routes (see http/openapi.py)."""
    return openapi_document(req.request.host_url.rstrip("/") + "/v1")


GET, POST, PUT, DELETE = ("GET",), ("POST",), ("PUT",), ("DELETE",)

ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/v1/task/<task_type>", POST, create_task),
    ("/v1/task/<task_id>", GET, account_only(tasks.get_task)),
    ("/v1/task/<task_id>/cancel", POST, cancel_task),
    ("/v1/task/<task_id>/audit", POST, with_body(tasks.audit_task)),
    ("/v1/task/<task_id>/unique_id", POST, with_body(tasks.set_unique_id)),
    ("/v1/task/<task_id>/unique_id", DELETE, account_only(tasks.clear_unique_id)),
    ("/v1/task/<task_id>/setMetadata", POST, with_body(tasks.set_metadata)),
    ("/v1/task/<task_id>/tags", ("POST", "PUT", "DELETE"), task_tags),
    ("/v1/tasks", GET, list_tasks),
    ("/v1/evaluation_tasks/<task_type>", POST, create_evaluation_task),
    ("/v1/training_tasks/<task_type>", POST, create_training_task),
    ("/v1/batches", POST, with_body(batches.create_batch)),
    ("/v1/batches", GET, list_batches),
    ("/v1/batches/<name>", GET, account_only(batches.get_batch)),
    ("/v1/batches/<name>/finalize", POST, account_only(batches.finalize_batch)),
    ("/v1/batches/<name>/status", GET, account_only(batches.batch_status)),
    ("/v1/batches/<name>/setMetadata", POST, with_body(batches.set_batch_metadata)),
    ("/v1/projects", POST, with_body(projects.create_project)),
    ("/v1/projects", GET, account_only(projects.list_projects)),
    ("/v1/projects/<name>", GET, account_only(projects.get_project)),
    ("/v1/projects/<name>/setParams", POST, with_body(projects.set_params)),
    ("/v1/projects/<name>/taskTemplates", GET, account_only(projects.get_template)),
    ("/v1/files/upload", POST, upload_file),
    ("/v1/files/import", POST, with_body(files.import_file)),
    ("/v1/teams", GET, account_only(teams.list_teammates)),
    ("/v1/teams/invite", POST, with_body(teams.invite_teammates)),
    ("/v1/teams/set_role", POST, with_body(teams.set_roles)),
    ("/v1/studio/assignments", GET, account_only(studio.list_assignments)),
    ("/v1/studio/assignments/add", POST, with_body(studio.add_assignments)),
    ("/v1/studio/assignments/remove", POST, with_body(studio.remove_assignments)),
    ("/v1/studio/projects/<project>/groups", ("GET", "POST"), project_groups),
    ("/v1/studio/projects/<project>/groups/<group>", PUT, update_project_group),
    ("/v1/studio/batches", GET, account_only(studio.list_studio_batches)),
    ("/v1/studio/batches/<name>", PUT, with_body(studio.assign_batch)),
    ("/v1/studio/batches/set_priorities", POST, with_body(studio.set_priorities)),
    ("/v1/studio/batches/reset_priorities", POST, account_only(studio.reset_priorities)),
    ("/v1/openapi.json", GET, openapi_spec),
]
