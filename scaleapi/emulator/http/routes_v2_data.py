"""The /v2 routes for deliveries, datasets and schemas, and the control routes that create them.

``DATA_ROUTES`` joins the /v2 route table; ``DATA_CONTROL_ROUTES`` joins the control API under
``/_emulator/v2/`` (no authentication: the body names the ``api_key`` whose account is meant).
"""
from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple
from urllib.parse import quote

from werkzeug.wrappers import Response

from ..rules import v2_datasets, v2_deliveries, v2_schemas
from ..rules.context import ServiceContext
from ..rules.control import Controller
from ..rules.errors import invalid_param
from ..rules.identity import Account
from ..rules.validation import require_object
from .request import ApiRequest
from .router import Handler

GET, POST = ("GET",), ("POST",)


def _account(req: ApiRequest) -> Account:
    assert req.account is not None, "v2 routes run only after authentication"
    return req.account


def with_query(service: Callable[..., Any]) -> Handler:
    """A handler calling ``service(ctx, account, query)``."""
    def handler(ctx: ServiceContext, req: ApiRequest) -> Any:
        return service(ctx, _account(req), req.query)
    handler.__doc__ = service.__doc__
    return handler


def _attachment_path(task_id: str, attachment_id: str) -> str:
    return v2_datasets.ATTACHMENT_PATH.format(
        task_id=quote(task_id, safe=""), attachment_id=quote(attachment_id, safe="")
    )


def response_url(ctx: ServiceContext, req: ApiRequest, task_id: str, attachment_id: str) -> Response:
    """GET /v2/datasets/task/{taskId}/response_url/{attachmentId}: 302 to where the bytes are served."""
    v2_datasets.attachment(ctx, _account(req), task_id, attachment_id)
    location = req.request.host_url.rstrip("/") + _attachment_path(task_id, attachment_id)
    response = Response(b"", status=302)
    response.headers["Location"] = location
    return response


def attachment_content(ctx: ServiceContext, req: ApiRequest, task_id: str, attachment_id: str) -> Response:
    """GET the bytes of a dataset task attachment (the target of ``response_url``)."""
    found = v2_datasets.attachment(ctx, _account(req), task_id, attachment_id)
    response = Response(found.data, status=200, content_type=found.content_type)
    if found.filename:
        encoded = quote(found.filename, safe="")
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{encoded}"
    return response


DATA_ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/v2/deliveries", GET, with_query(v2_deliveries.get_deliveries)),
    ("/v2/delivery", GET, with_query(v2_deliveries.get_delivery)),
    ("/v2/delivery/tasks", GET, with_query(v2_deliveries.get_delivery_tasks)),
    ("/v2/datasets", GET, with_query(v2_datasets.get_datasets)),
    ("/v2/datasets/deliveries", GET, with_query(v2_datasets.get_dataset_deliveries)),
    ("/v2/datasets/delivery", GET, with_query(v2_datasets.get_dataset_delivery)),
    ("/v2/datasets/tasks", GET, with_query(v2_datasets.get_dataset_tasks)),
    ("/v2/datasets/task", GET, with_query(v2_datasets.get_dataset_task)),
    ("/v2/datasets/task/<task_id>/response_url/<attachment_id>", GET, response_url),
    ("/v2/datasets/task/<task_id>/attachments/<attachment_id>/content", GET, attachment_content),
    ("/v2/schema", GET, with_query(v2_schemas.get_schema)),
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


DATA_CONTROL_ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/_emulator/v2/deliveries", POST, control_deliver),
    ("/_emulator/v2/datasets", POST, control_create_dataset),
    ("/_emulator/v2/datasets/<dataset_id>/deliveries", POST, control_deliver_dataset),
    ("/_emulator/v2/schemas", POST, control_create_schema),
]
