"""The OpenAPI 3 descriptions of the emulator's surfaces: ``/v1/openapi.json`` and ``/v2/openapi.json``.

Built from one table of operations so it stays short and in step with the routes; the fuzz tests
(tests/faults/test_fuzz.py) generate requests from it.
"""
from typing import Any, Dict, List, Optional, Tuple

from ..._task_query import TASK_QUERY_NAMES
from ..._version import __version__
from ..rules.validation import MAX_KEY_LENGTH, MAX_PAGE_LIMIT, MAX_SQL_INT

JsonDict = Dict[str, Any]

_STR: JsonDict = {"type": "string"}
_BOOL: JsonDict = {"type": "boolean"}
_OBJ: JsonDict = {"type": "object", "additionalProperties": True}
_STRS: JsonDict = {"type": "array", "items": _STR}
# A unique_id or a resource name: it must fit in a lookup URL.
_KEY: JsonDict = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH}
_EMAILS: JsonDict = {"type": "array", "items": {"type": "string", "format": "email"}}
#: ``limit`` of every listing, v1 and v2.
PAGE_LIMIT: JsonDict = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_LIMIT}
#: The page parameters of every /v2 listing.
V2_PAGE_QUERY: List[Tuple[str, JsonDict]] = [("limit", PAGE_LIMIT), ("next_token", _STR)]


def _object(required: Tuple[str, ...] = (), **props: JsonDict) -> JsonDict:
    schema: JsonDict = {"type": "object", "properties": props, "additionalProperties": True}
    if required:
        schema["required"] = list(required)
    return schema


_TASK_BODY = _object(
    project=_STR, batch=_STR, instruction=_STR, callback_url=_STR, metadata=_OBJ, unique_id=_KEY,
    attachment=_STR, attachment_type=_STR, geometries=_OBJ, objects_to_annotate=_STRS,
)
_TASK_QUERY_SCHEMAS: Dict[str, JsonDict] = {
    "limit": PAGE_LIMIT,
    "include_attachment_url": _BOOL,
    "limited_response": _BOOL,
}
# The names come from the SDK's one list of them; every value not listed above is text.
_TASK_LIST_QUERY = [(name, _TASK_QUERY_SCHEMAS.get(name, _STR)) for name in TASK_QUERY_NAMES]
_BATCH_LIST_QUERY: List[Tuple[str, JsonDict]] = [
    ("start_time", _STR), ("end_time", _STR), ("exclude_archived", _BOOL), ("status", _STR),
    ("project", _STR), ("limit", PAGE_LIMIT),
    ("offset", {"type": "integer", "minimum": 0, "maximum": MAX_SQL_INT}),
]
_EMAILS_ROLE = _object(("emails", "team_role"), emails=_EMAILS, team_role=_STR)
_EMAILS_PROJECTS = _object(("emails", "projects"), emails=_EMAILS, projects=_STRS)

# (method, path, summary, query parameters, JSON body schema or "multipart")
Operation = Tuple[str, str, str, List[Tuple[str, JsonDict]], Optional[Any]]
OPERATIONS: List[Operation] = [
    ("post", "/task/{task_type}", "Create a task", [], _TASK_BODY),
    ("get", "/task/{task_id}", "Get a task", [], None),
    ("post", "/task/{task_id}/cancel", "Cancel a task", [("clear_unique_id", _STR)], None),
    ("post", "/task/{task_id}/audit", "Audit a task", [],
     _object(("accepted",), accepted=_BOOL, comments=_STR)),
    ("post", "/task/{task_id}/unique_id", "Set a task's unique_id", [],
     _object(("unique_id",), unique_id=_KEY)),
    ("delete", "/task/{task_id}/unique_id", "Clear a task's unique_id", [], None),
    ("post", "/task/{task_id}/setMetadata", "Replace a task's metadata", [], _OBJ),
    ("post", "/task/{task_id}/tags", "Replace a task's tags", [], _STRS),
    ("put", "/task/{task_id}/tags", "Add tags to a task", [], _STRS),
    ("delete", "/task/{task_id}/tags", "Remove tags from a task", [], _STRS),
    ("get", "/tasks", "List tasks (cursor pages, newest first)", _TASK_LIST_QUERY, None),
    ("post", "/evaluation_tasks/{task_type}", "Create an evaluation task", [],
     _object(("expected_response",), expected_response=_OBJ, initial_response=_OBJ)),
    ("post", "/training_tasks/{task_type}", "Create a training task", [],
     _object(("expected_response",), expected_response=_OBJ)),
    ("post", "/batches", "Create a batch", [],
     _object(("project", "name"), project=_STR, name=_KEY, callback=_STR, calibration_batch=_BOOL,
             self_label_batch=_BOOL, metadata=_OBJ)),
    ("get", "/batches", "List batches (offset pages, newest first)", _BATCH_LIST_QUERY, None),
    ("get", "/batches/{batch_name}", "Get a batch", [], None),
    ("post", "/batches/{batch_name}/finalize", "Finalize a batch", [], None),
    ("get", "/batches/{batch_name}/status", "Task counts of a batch", [], None),
    ("post", "/batches/{batch_name}/setMetadata", "Replace a batch's metadata", [], _OBJ),
    ("post", "/projects", "Create a project", [],
     _object(("type", "name"), type=_STR, name=_KEY, params=_OBJ, rapid=_BOOL, studio=_BOOL,
             datasetId=_STR)),
    ("get", "/projects", "List projects", [], None),
    ("get", "/projects/{project_name}", "Get a project", [], None),
    ("post", "/projects/{project_name}/setParams", "Add a version of a project's parameters", [],
     _object(patch=_BOOL, instruction=_STR)),
    ("get", "/projects/{project_name}/taskTemplates", "Get a project's task template", [], None),
    ("post", "/files/upload", "Upload a file (multipart)", [], "multipart"),
    ("post", "/files/import", "Import a file by URL (never fetched)", [],
     _object(("file_url",), file_url=_STR, project_name=_STR)),
    ("get", "/teams", "List teammates", [], None),
    ("post", "/teams/invite", "Invite teammates", [], _EMAILS_ROLE),
    ("post", "/teams/set_role", "Change teammates' role", [], _EMAILS_ROLE),
    ("get", "/studio/assignments", "List Studio assignments", [], None),
    ("post", "/studio/assignments/add", "Assign projects", [], _EMAILS_PROJECTS),
    ("post", "/studio/assignments/remove", "Unassign projects", [], _EMAILS_PROJECTS),
    ("get", "/studio/projects/{project_name}/groups", "List project groups", [], None),
    ("post", "/studio/projects/{project_name}/groups", "Create a project group", [],
     _object(("emails", "name"), emails=_EMAILS, name=_KEY)),
    ("put", "/studio/projects/{project_name}/groups/{group_name}", "Change a project group", [],
     _object(add_emails=_EMAILS, remove_emails=_EMAILS)),
    ("get", "/studio/batches", "List pending Studio batches", [], None),
    ("put", "/studio/batches/{batch_name}", "Set a Studio batch's groups", [],
     _object(("groups",), groups=_STRS)),
    ("post", "/studio/batches/set_priorities", "Order pending Studio batches", [],
     _object(("batches",), batches={"type": "array", "items": _object(("name",), name=_STR)})),
    ("post", "/studio/batches/reset_priorities", "Restore the default Studio order", [], None),
]

_ERROR = {
    "type": "object",
    "properties": {"status_code": {"type": "integer"}, "error": {"type": "string"}},
    "required": ["status_code", "error"],
}


def _operation(
    method: str, path: str, summary: str, query: List[Tuple[str, JsonDict]], body: Any
) -> JsonDict:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    parameters = [{"name": n, "in": "path", "required": True, "schema": _STR} for n in names]
    parameters += [{"name": n, "in": "query", "required": False, "schema": s} for n, s in query]
    op: JsonDict = {
        "summary": summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "parameters": parameters,
        "responses": {
            "200": {"description": "Success (always 200)", "content": {"application/json": {"schema": _OBJ}}},
            "default": {"description": "An error", "content": {"application/json": {"schema": _ERROR}}},
        },
    }
    if body == "multipart":
        op["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": _object(
                ("file",), file={"type": "string", "format": "binary"}, project_name=_STR,
                display_name=_STR, reference_id=_STR, metadata=_STR,
            )}},
        }
    elif body is not None:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    return op


def openapi_document(server_url: str = "/v1") -> JsonDict:
    """The OpenAPI 3.0 document for the v1 routes, with ``server_url`` as the server."""
    paths: Dict[str, JsonDict] = {}
    for method, path, summary, query, body in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, summary, query, body)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Scale v1 API (scaleapi emulator)", "version": __version__},
        "servers": [{"url": server_url}],
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
        "security": [{"basic": []}],
        "paths": paths,
    }


def openapi_v2_document(server_url: str, operations: List[Operation]) -> JsonDict:
    """The OpenAPI 3.0 document for the /v2 routes (paths carry ``/v2``; ``server_url`` is the host).

    ``operations`` comes from the /v2 route table (``routes_v2.V2_OPERATIONS``), so the document
    and the routes are one list. List-valued query parameters repeat their key.
    """
    paths: Dict[str, JsonDict] = {}
    for method, path, summary, query, body in operations:
        op = _operation(method, "/v2" + path, summary, query, body)
        for parameter in op["parameters"]:
            if parameter["schema"].get("type") == "array":
                parameter.update(style="form", explode=True)
        paths.setdefault("/v2" + path, {})[method] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Scale v2 API (scaleapi emulator)", "version": __version__},
        "servers": [{"url": server_url}],
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "basicAuth": {"type": "http", "scheme": "basic"},
        }},
        "security": [{"bearerAuth": []}, {"basicAuth": []}],
        "paths": paths,
    }
