"""The /v2 routes for deliveries, datasets and schemas, and the control routes that create them.

``DATA_QUERY_OPERATIONS`` and ``DATA_HANDLER_OPERATIONS`` join the /v2 operation table (routes and
OpenAPI entries alike, see ``routes_v2``); ``DATA_CONTROL_ROUTES`` joins the control API under
``/_emulator/v2/`` (no authentication: the body names the ``api_key`` whose account is meant).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple
from urllib.parse import quote

from werkzeug.wrappers import Response

from ..rules import v2_datasets, v2_deliveries, v2_schemas
from ..rules.context import ServiceContext
from ..rules.control import Controller
from ..rules.errors import invalid_param
from ..rules.identity import Account
from ..rules.v2_common import OPTIONS
from ..rules.v2_tasks import V2_TASK_STATUSES
from ..rules.validation import require_object
from .openapi import V2_PAGE_QUERY
from .request import ApiRequest
from .router import Handler

JsonDict = Dict[str, Any]
Service = Callable[[ServiceContext, Account, Any], Any]

_STR: JsonDict = {"type": "string"}
_TIME: JsonDict = {"type": "string", "format": "date-time"}


def _expand(*values: str) -> Tuple[str, JsonDict]:
    return ("expand", {"type": "array", "items": {"type": "string", "enum": list(values)}})


def _attachment_path(task_id: str, attachment_id: str) -> str:
    return v2_datasets.ATTACHMENT_PATH.format(
        task_id=quote(task_id, safe=""), attachment_id=quote(attachment_id, safe="")
    )


def response_url(ctx: ServiceContext, req: ApiRequest, task_id: str, attachment_id: str) -> Response:
    """GET /v2/datasets/task/{taskId}/response_url/{attachmentId}: 302 to where the bytes are served."""
    v2_datasets.attachment(ctx, req.authenticated(), task_id, attachment_id)
    response = Response(b"", status=302)
    response.headers["Location"] = req.request.host_url.rstrip("/") + _attachment_path(task_id, attachment_id)
    return response


def attachment_content(ctx: ServiceContext, req: ApiRequest, task_id: str, attachment_id: str) -> Response:
    """GET the bytes of a dataset task attachment (the target of ``response_url``)."""
    found = v2_datasets.attachment(ctx, req.authenticated(), task_id, attachment_id)
    response = Response(found.data, status=200, content_type=found.content_type)
    if found.filename:
        encoded = quote(found.filename, safe="")
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{encoded}"
    return response


#: ``(method, path under /v2, service(ctx, account, query), summary, query parameters)``: the
#: /v2 route table wraps each service in its query handler.
DATA_QUERY_OPERATIONS: List[Tuple[str, str, Service, str, List[Tuple[str, JsonDict]]]] = [
    ("get", "/deliveries", v2_deliveries.get_deliveries, "List a project's deliveries (newest first)",
     [("project_id", _STR), ("project_name", _STR), ("delivered_after", _TIME), ("delivered_before", _TIME),
      _expand(*v2_deliveries.DELIVERIES_EXPAND)]),
    ("get", "/delivery", v2_deliveries.get_delivery, "Get a delivery's tasks (cursor pages)",
     [("delivery_id", _STR), ("delivery_name", _STR), ("project_id", _STR), ("project_name", _STR),
      *V2_PAGE_QUERY, _expand(*v2_deliveries.DELIVERY_EXPAND),
      ("opts", {"type": "array", "items": {"type": "string", "enum": list(OPTIONS)}})]),
    ("get", "/delivery/tasks", v2_deliveries.get_delivery_tasks, "List delivered tasks (cursor pages)",
     [("delivery_id", _STR), ("project_id", _STR), ("project_name", _STR),
      ("status", {"type": "string", "enum": list(V2_TASK_STATUSES)}), ("completed_after", _TIME),
      ("completed_before", _TIME), *V2_PAGE_QUERY]),
    ("get", "/datasets", v2_datasets.get_datasets, "List datasets", []),
    ("get", "/datasets/deliveries", v2_datasets.get_dataset_deliveries,
     "List dataset deliveries (newest first)",
     [("dataset_id", _STR), ("delivered_after", _TIME), ("delivered_before", _TIME),
      _expand(*v2_datasets.DELIVERIES_EXPAND)]),
    ("get", "/datasets/delivery", v2_datasets.get_dataset_delivery,
     "Get a dataset delivery's tasks (cursor pages)",
     [("delivery_id", _STR), *V2_PAGE_QUERY, _expand(*v2_datasets.TASK_EXPAND)]),
    ("get", "/datasets/tasks", v2_datasets.get_dataset_tasks, "List dataset tasks (cursor pages)",
     [("dataset_id", _STR), ("delivery_id", _STR), ("delivered_after", _TIME), ("delivered_before", _TIME),
      *V2_PAGE_QUERY, _expand(*v2_datasets.TASK_EXPAND)]),
    ("get", "/datasets/task", v2_datasets.get_dataset_task, "Get a dataset task",
     [("task_id", _STR), _expand(*v2_datasets.TASK_EXPAND)]),
    ("get", "/schema", v2_schemas.get_schema, "Get a response schema", [("schema_id", _STR)]),
]

#: ``(method, path under /v2, handler, summary)``: routes whose handler reads the path itself.
DATA_HANDLER_OPERATIONS: List[Tuple[str, str, Handler, str]] = [
    ("get", "/datasets/task/{task_id}/response_url/{attachment_id}", response_url,
     "Redirect (302) to an attachment of a dataset task"),
    ("get", "/datasets/task/{task_id}/attachments/{attachment_id}/content", attachment_content,
     "The bytes of an attachment of a dataset task (where response_url points)"),
]


# Control API ---------------------------------------------------------------------------------

def _control_body(req: ApiRequest, allowed: Sequence[str]) -> Any:
    body = req.json()
    body = require_object({} if body is None else body)
    unknown = sorted(set(body) - {"api_key", *allowed})
    if unknown:
        fields = ", ".join(("api_key", *allowed))
        raise invalid_param(unknown[0], f"is not a field of this call (fields: {fields})")
    return body


def control_deliver(ctl: Controller, req: ApiRequest) -> Any:
    """POST /_emulator/v2/deliveries  {"api_key", "project", "name"?, "task_ids"?, "response_schema_id"?}"""
    body = _control_body(req, ("project", "name", "task_ids", "response_schema_id"))
    account = ctl.account(body.get("api_key"))
    return v2_deliveries.create_delivery(
        ctl.ctx, account, body.get("project"), body.get("name"), body.get("task_ids"),
        response_schema_id=body.get("response_schema_id"),
    )


def control_create_dataset(ctl: Controller, req: ApiRequest) -> Any:
    """POST /_emulator/v2/datasets  {"api_key", "name"}"""
    body = _control_body(req, ("name",))
    return v2_datasets.create_dataset(ctl.ctx, ctl.account(body.get("api_key")), body.get("name"))


def control_deliver_dataset(ctl: Controller, req: ApiRequest, dataset_id: str) -> Any:
    """POST /_emulator/v2/datasets/{id}/deliveries  {"api_key", "name", "tasks": [...]}"""
    body = _control_body(req, ("name", "tasks"))
    account = ctl.account(body.get("api_key"))
    return v2_datasets.deliver_dataset(ctl.ctx, account, dataset_id, body.get("name"), body.get("tasks"))


def control_create_schema(ctl: Controller, req: ApiRequest) -> Any:
    """POST /_emulator/v2/schemas  {"api_key", "json_schema"}"""
    body = _control_body(req, ("json_schema",))
    return v2_schemas.create_schema(ctl.ctx, ctl.account(body.get("api_key")), body.get("json_schema"))


POST = ("POST",)

DATA_CONTROL_ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/_emulator/v2/deliveries", POST, control_deliver),
    ("/_emulator/v2/datasets", POST, control_create_dataset),
    ("/_emulator/v2/datasets/<dataset_id>/deliveries", POST, control_deliver_dataset),
    ("/_emulator/v2/schemas", POST, control_create_schema),
]
