"""The /v2 API routes: parse the request, call one v2 service function.

One table, :data:`CORE_OPERATIONS`, gives each operation's route, handler and OpenAPI description;
:data:`V2_ROUTES` (for the router) and ``/v2/openapi.json`` are both derived from
:data:`V2_OPERATIONS`, so the two cannot drift apart. Other /v2 modules add their own list of
:class:`V2Operation` to ``V2_OPERATIONS``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from ..rules import v2_batches, v2_projects, v2_tasks
from ..rules.context import ServiceContext
from ..rules.v2_common import OPTIONS
from .openapi import V2_PAGE_QUERY, JsonDict, Operation, openapi_v2_document
from .request import ApiRequest, basic_username
from .handlers import with_body, with_query
from .router import Handler
from .routes_v2_data import DATA_HANDLER_OPERATIONS, DATA_QUERY_OPERATIONS



def v2_api_key(req: ApiRequest) -> Optional[str]:
    """The API key of a /v2 request: the Bearer token, or the HTTP Basic username; None without one.

    Raises:
        ValueError: Basic credentials that are not base64 of UTF-8 text.
    """
    header = str(req.environ.get("HTTP_AUTHORIZATION") or "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip(" \t") or None
    return basic_username(req.environ)


def batch_operation(operation: str) -> Handler:
    """A handler for ``POST /v2/batch/<operation>``."""
    def handler(ctx: ServiceContext, req: ApiRequest) -> Any:
        return v2_batches.batch_operation(ctx, req.authenticated(), operation, req.json())
    return handler


@dataclass(frozen=True)
class V2Operation:
    """One /v2 operation: its route and handler, and what its OpenAPI entry says."""

    method: str
    path: str
    handler: Handler
    summary: str
    query: Sequence[Tuple[str, JsonDict]] = ()
    body: Optional[JsonDict] = None


_STR: JsonDict = {"type": "string"}
_BOOL: JsonDict = {"type": "boolean"}
_OBJ: JsonDict = {"type": "object", "additionalProperties": True}
_TIME: JsonDict = {"type": "string", "format": "date-time"}


def enum_list(*values: str) -> JsonDict:
    """A repeated query key whose values come from ``values``."""
    return {"type": "array", "items": {"type": "string", "enum": list(values)}}


def body(required: Tuple[str, ...] = (), **props: JsonDict) -> JsonDict:
    """A JSON object body schema."""
    schema: JsonDict = {"type": "object", "properties": props, "additionalProperties": True}
    if required:
        schema["required"] = list(required)
    return schema


OPTS: Tuple[str, JsonDict] = ("opts", enum_list(*OPTIONS))
TASK_EXPAND: Tuple[str, JsonDict] = ("expand", enum_list(*v2_tasks.TASK_EXPANDS))
BATCH_EXPAND: Tuple[str, JsonDict] = ("expand", enum_list(*v2_batches.BATCH_EXPANDS))
_BATCH_REF = body(batch_id=_STR, batch_name=_STR)

CORE_OPERATIONS: List[V2Operation] = [
    V2Operation("get", "/task", with_query(v2_tasks.get_task), "Get a task",
                [("task_id", _STR), TASK_EXPAND, OPTS]),
    V2Operation("get", "/tasks", with_query(v2_tasks.get_tasks), "List tasks (cursor pages, newest first)",
                [("project_id", _STR), ("project_name", _STR), ("batch_id", _STR), ("batch_name", _STR),
                 ("status", {"type": "string", "enum": list(v2_tasks.V2_TASK_STATUSES)}),
                 ("completed_after", _TIME), ("completed_before", _TIME), *V2_PAGE_QUERY, TASK_EXPAND, OPTS]),
    V2Operation("post", "/task/chat", with_body(v2_tasks.create_chat_task), "Create a chat task", (),
                body(project_id=_STR, project_name=_STR, batch_id=_STR, batch_name=_STR,
                     template_variables=_OBJ, metadata=_OBJ, callback_url=_STR)),
    V2Operation("post", "/task/metadata", with_body(v2_tasks.set_task_metadata), "Set a task's metadata", (),
                body(("task_id", "metadata"), task_id=_STR, metadata=_OBJ, merge=_BOOL)),
    V2Operation("get", "/annotation", with_query(v2_tasks.get_annotation), "Get an annotation",
                [("annotation_id", _STR)]),
    V2Operation("post", "/batch", with_body(v2_batches.create_batch), "Create a batch", (),
                body(("name",), name=_STR, project_id=_STR, project_name=_STR, callback=_STR,
                     staging_batch=_BOOL, metadata=_OBJ)),
    V2Operation("get", "/batch", with_query(v2_batches.get_batch), "Get a batch",
                [("batch_id", _STR), ("batch_name", _STR), BATCH_EXPAND]),
    V2Operation("get", "/batches", with_query(v2_batches.get_batches),
                "List batches (cursor pages, newest first)",
                [("project_id", _STR), ("project_name", _STR),
                 ("status", {"type": "string", "enum": list(v2_batches.V2_BATCH_STATUSES)}),
                 ("created_after", _TIME), ("created_before", _TIME), ("completed_after", _TIME),
                 ("completed_before", _TIME), *V2_PAGE_QUERY, BATCH_EXPAND]),
    *[V2Operation("post", f"/batch/{name}", batch_operation(name), f"{name.capitalize()} a batch", (),
                  _BATCH_REF) for name in v2_batches.OPERATIONS],
    V2Operation("post", "/batch/metadata", with_body(v2_batches.set_batch_metadata),
                "Set a batch's metadata", (),
                body(("metadata",), batch_id=_STR, batch_name=_STR, metadata=_OBJ, merge=_BOOL)),
    V2Operation("get", "/project", with_query(v2_projects.get_project), "Get a project",
                [("project_id", _STR), ("project_name", _STR)]),
    V2Operation("get", "/projects", with_query(v2_projects.get_projects), "List projects",
                [("created_after", _TIME), ("created_before", _TIME)]),
]

#: Every /v2 operation served; other /v2 modules extend it (``CORE_OPERATIONS + THEIRS``).
V2_OPERATIONS: List[V2Operation] = [
    *CORE_OPERATIONS,
    *(V2Operation(method, path, with_query(service), summary, query)
      for method, path, service, summary, query in DATA_QUERY_OPERATIONS),
    *(V2Operation(method, path, handler, summary)
      for method, path, handler, summary in DATA_HANDLER_OPERATIONS),
]


def as_openapi(operations: Sequence[V2Operation]) -> List[Operation]:
    """The operations as rows of the OpenAPI table."""
    return [(op.method, op.path, op.summary, list(op.query), op.body) for op in operations]


def openapi_spec(_ctx: ServiceContext, req: ApiRequest) -> Any:
    """GET /v2/openapi.json: the OpenAPI 3 description of the /v2 routes."""
    return openapi_v2_document(req.request.host_url.rstrip("/"), as_openapi(V2_OPERATIONS))


def v2_routes(operations: Sequence[V2Operation]) -> List[Tuple[str, Sequence[str], Handler]]:
    """Router rules for the operations (werkzeug syntax: ``{x}`` becomes ``<x>``), plus the spec."""
    routes: List[Tuple[str, Sequence[str], Handler]] = [
        ("/v2" + op.path.replace("{", "<").replace("}", ">"), (op.method.upper(),), op.handler)
        for op in operations
    ]
    routes.append(("/v2/openapi.json", ("GET",), openapi_spec))
    return routes


V2_ROUTES: List[Tuple[str, Sequence[str], Handler]] = v2_routes(V2_OPERATIONS)
"""The router table of /v2, like ``routes_v1.ROUTES``."""
