"""The control API under ``/_emulator/`` (no authentication; a test-harness surface)."""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from ..rules.control import Controller
from ..rules.validation import require_object
from .request import ApiRequest
from .router import Handler
from .routes_v2_data import DATA_CONTROL_ROUTES


def _body(req: ApiRequest) -> Any:
    body = req.json()
    return require_object({} if body is None else body)


def health(ctl: Controller, _req: ApiRequest) -> Any:
    """GET /_emulator/health"""
    return ctl.health()


def reset(ctl: Controller, req: ApiRequest) -> Any:
    """POST /_emulator/reset"""
    req.read_body()
    return ctl.reset()


def complete(ctl: Controller, req: ApiRequest, task_id: str) -> Any:
    """POST /_emulator/tasks/{id}/complete  body: {"response": {...}} (optional)"""
    return ctl.complete_task(task_id, _body(req).get("response"))


def fail(ctl: Controller, req: ApiRequest, task_id: str) -> Any:
    """POST /_emulator/tasks/{id}/fail  body: {"error": "..."} (optional)"""
    body = _body(req)
    return ctl.fail_task(task_id, body.get("error", "Task failed (emulated)"))


def lifecycle(ctl: Controller, req: ApiRequest) -> Any:
    """GET or POST /_emulator/lifecycle  body: {"complete_after": seconds | null}"""
    if req.method == "POST":
        return ctl.set_lifecycle(_body(req).get("complete_after"))
    return ctl.lifecycle()


def callbacks(ctl: Controller, _req: ApiRequest) -> Any:
    """GET /_emulator/callbacks"""
    return ctl.callbacks()


def requests_log(ctl: Controller, _req: ApiRequest) -> Any:
    """GET /_emulator/requests"""
    return ctl.requests()


CONTROL_ROUTES: List[Tuple[str, Sequence[str], Handler]] = [
    ("/_emulator/health", ("GET",), health),
    ("/_emulator/reset", ("POST",), reset),
    ("/_emulator/tasks/<task_id>/complete", ("POST",), complete),
    ("/_emulator/tasks/<task_id>/fail", ("POST",), fail),
    ("/_emulator/lifecycle", ("GET", "POST"), lifecycle),
    ("/_emulator/callbacks", ("GET",), callbacks),
    ("/_emulator/requests", ("GET",), requests_log),
    *DATA_CONTROL_ROUTES,
]
