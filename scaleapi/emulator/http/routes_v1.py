"""The v1 API routes (API reference §2): parse the request, call one service function."""
from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple

from ..rules import batches, files, projects, quality, studio, task_list, tasks, teams
from ..rules.context import ServiceContext
from ..rules.identity import Account
from ..rules.validation import parse_bool
from .openapi import openapi_document
from .request import ApiRequest
from .router import Handler


def _account(req: ApiRequest) -> Account:
    assert req.account is not None, "v1 routes run only after authentication"
    return req.account


def with_body(service: Callable[[ServiceContext, Account, Any], Any]) -> Handler:
    """A handler that passes the account and the JSON body to ``service``."""
    def handler(ctx: ServiceContext, req: ApiRequest) -> Any:
        return service(ctx, _account(req), req.json())
    return handler


def account_only(service: Callable[[ServiceContext, Account], Any]) -> Handler:
    """A handler that passes only the account to ``service``."""
    def handler(ctx: ServiceContext, req: ApiRequest) -> Any:
        return service(ctx, _account(req))
    return handler


# Tasks ---------------------------------------------------------------------------------------

def create_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST task/{type}"""
    body = req.json()
    return tasks.create_task(ctx, _account(req), task_type, {} if body is None else body)


def get_task(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """GET task/{id}"""
    return tasks.get_task(ctx, _account(req), task_id)


def cancel_task(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST task/{id}/cancel[?clear_unique_id=true]"""
    values = req.query.get("clear_unique_id") or []
    clear = parse_bool(values[-1], "clear_unique_id") if values else False
    return tasks.cancel_task(ctx, _account(req), task_id, clear)


def audit_task(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST task/{id}/audit"""
    return tasks.audit_task(ctx, _account(req), task_id, req.json())


def set_unique_id(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST task/{id}/unique_id"""
    return tasks.set_unique_id(ctx, _account(req), task_id, req.json())


def clear_unique_id(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """DELETE task/{id}/unique_id"""
    return tasks.clear_unique_id(ctx, _account(req), task_id)


def set_task_metadata(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST task/{id}/setMetadata"""
    return tasks.set_metadata(ctx, _account(req), task_id, req.json())


def task_tags(ctx: ServiceContext, req: ApiRequest, task_id: str) -> Any:
    """POST (set), PUT (add) or DELETE (remove) task/{id}/tags"""
    mode = {"POST": "set", "PUT": "add", "DELETE": "delete"}[req.method]
    return tasks.change_tags(ctx, _account(req), task_id, req.json(), mode)


def list_tasks(ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET tasks"""
    return task_list.list_tasks(ctx, _account(req), req.query)


def create_evaluation_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST evaluation_tasks/{type}"""
    return quality.create_quality_task(ctx, _account(req), "evaluation", task_type, req.json())


def create_training_task(ctx: ServiceContext, req: ApiRequest, task_type: str) -> Any:
    """POST training_tasks/{type}"""
    return quality.create_quality_task(ctx, _account(req), "training", task_type, req.json())


# Batches -------------------------------------------------------------------------------------

def list_batches(ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET batches"""
    return batches.list_batches(ctx, _account(req), req.query)


def get_batch(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """GET batches/{name}"""
    return batches.get_batch(ctx, _account(req), name)


def finalize_batch(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """POST batches/{name}/finalize"""
    return batches.finalize_batch(ctx, _account(req), name)


def batch_status(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """GET batches/{name}/status"""
    return batches.batch_status(ctx, _account(req), name)


def set_batch_metadata(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """POST batches/{name}/setMetadata"""
    return batches.set_batch_metadata(ctx, _account(req), name, req.json())


# Projects ------------------------------------------------------------------------------------

def get_project(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """GET projects/{name}"""
    return projects.get_project(ctx, _account(req), name)


def set_project_params(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """POST projects/{name}/setParams"""
    return projects.set_params(ctx, _account(req), name, req.json())


def get_project_template(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """GET projects/{name}/taskTemplates"""
    return projects.get_template(ctx, _account(req), name)


# Files ---------------------------------------------------------------------------------------

def upload_file(ctx: ServiceContext, req: ApiRequest) -> Any:
    """POST files/upload (multipart/form-data)"""
    if not req.is_multipart():
        req.read_body()
        return files.upload_file(ctx, _account(req), None, {})
    upload, fields = req.multipart()
    return files.upload_file(ctx, _account(req), upload, fields)


# Teams and Studio ----------------------------------------------------------------------------

def project_groups(ctx: ServiceContext, req: ApiRequest, project: str) -> Any:
    """GET (list) or POST (create) studio/projects/{project}/groups"""
    if req.method == "POST":
        return studio.create_group(ctx, _account(req), project, req.json())
    return studio.list_groups(ctx, _account(req), project)


def update_project_group(ctx: ServiceContext, req: ApiRequest, project: str, group: str) -> Any:
    """PUT studio/projects/{project}/groups/{group}"""
    return studio.update_group(ctx, _account(req), project, group, req.json())


def assign_studio_batch(ctx: ServiceContext, req: ApiRequest, name: str) -> Any:
    """PUT studio/batches/{batch}"""
    return studio.assign_batch(ctx, _account(req), name, req.json())


def openapi_spec(_ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET openapi.json: the OpenAPI 3 description of these routes (see http/openapi.py)."""
    return openapi_document(req.request.host_url.rstrip("/") + "/v1")


GET, POST, PUT, DELETE = ("GET",), ("POST",), ("PUT",), ("DELETE",)

ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/v1/task/<task_type>", POST, create_task),
    ("/v1/task/<task_id>", GET, get_task),
    ("/v1/task/<task_id>/cancel", POST, cancel_task),
    ("/v1/task/<task_id>/audit", POST, audit_task),
    ("/v1/task/<task_id>/unique_id", POST, set_unique_id),
    ("/v1/task/<task_id>/unique_id", DELETE, clear_unique_id),
    ("/v1/task/<task_id>/setMetadata", POST, set_task_metadata),
    ("/v1/task/<task_id>/tags", ("POST", "PUT", "DELETE"), task_tags),
    ("/v1/tasks", GET, list_tasks),
    ("/v1/evaluation_tasks/<task_type>", POST, create_evaluation_task),
    ("/v1/training_tasks/<task_type>", POST, create_training_task),
    ("/v1/batches", POST, with_body(batches.create_batch)),
    ("/v1/batches", GET, list_batches),
    ("/v1/batches/<name>", GET, get_batch),
    ("/v1/batches/<name>/finalize", POST, finalize_batch),
    ("/v1/batches/<name>/status", GET, batch_status),
    ("/v1/batches/<name>/setMetadata", POST, set_batch_metadata),
    ("/v1/projects", POST, with_body(projects.create_project)),
    ("/v1/projects", GET, account_only(projects.list_projects)),
    ("/v1/projects/<name>", GET, get_project),
    ("/v1/projects/<name>/setParams", POST, set_project_params),
    ("/v1/projects/<name>/taskTemplates", GET, get_project_template),
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
    ("/v1/studio/batches/<name>", PUT, assign_studio_batch),
    ("/v1/studio/batches/set_priorities", POST, with_body(studio.set_priorities)),
    ("/v1/studio/batches/reset_priorities", POST, account_only(studio.reset_priorities)),
    ("/v1/openapi.json", GET, openapi_spec),
]
