"""The WSGI application: control API, authentication, the v1 and v2 routers, errors, the request log.

Pipeline for a v1 request: latency → authentication → route → service function → JSON (fault
injection is a WSGI layer around this app, see :mod:`.faults`). Any ApiError becomes
``{"status_code": N, "error": ...}``; an unexpected exception becomes a JSON 500 and the server
keeps serving. ``/`` and everything under ``/_emulator/console`` go to the console
(:mod:`..console`), HTML pages for people that are not in the request log.
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Any, Callable, Dict, Iterable, Optional, Sequence

from werkzeug.wrappers import Response

from ..rules.control import Controller
from ..rules.errors import ApiError
from ..rules.identity import KeyPolicy
from .request import BODY_BROKEN, BODY_CONSUMED, ApiRequest, error_response, json_response
from .router import Handler, Router
from .routes_control import CONTROL_ROUTES
from .routes_v1 import ROUTES
from .routes_v2 import V2_ROUTES, v2_api_key

StartResponse = Callable[..., Any]

DEFAULT_MAX_JSON_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
CONTROL_PREFIX = "/_emulator/"
CONSOLE_PREFIX = "/_emulator/console"

_AUTH_HEADERS = {"WWW-Authenticate": 'Basic realm="Scale API emulator"'}


class EmulatorApp:
    """The emulator as a WSGI callable."""

    def __init__(
        self,
        controller: Controller,
        keys: KeyPolicy,
        latency_ms: float = 0,
        max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    ) -> None:
        self.controller = controller
        self.ctx = controller.ctx
        self.keys = keys
        self.latency_ms = latency_ms
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.v1 = Router(ROUTES)
        self.v2 = Router(V2_ROUTES)
        self.control = Router(CONTROL_ROUTES)
        # The console is built when first asked for; the facade adds bind_host and faults here.
        self.console: Optional[Callable[..., Iterable[bytes]]] = None
        self.console_options: Dict[str, Any] = {}
        self._console_lock = threading.Lock()

    def console_app(self) -> Callable[..., Iterable[bytes]]:
        """The console's WSGI app (see :mod:`..console`), built on first use."""
        with self._console_lock:  # one console per emulator: its token secret must not change
            if self.console is None:
                from ..console import console_app  # pylint: disable=import-outside-toplevel  # needs jinja2

                self.console = console_app(self.controller, **self.console_options)
            return self.console

    def add_control_route(self, rule: str, methods: Sequence[str], handler: Handler) -> None:
        """Extend the control API, e.g. ``/_emulator/faults``; handlers get ``(controller, request)``."""
        self.control.add(rule, methods, handler)

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/" or path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/"):
            # The console (and the start page at /) is HTML for people; it is not in the request log.
            return self.console_app()(environ, start_response)
        response = self.handle(environ)
        return response(environ, start_response)

    def handle(self, environ: Dict[str, Any]) -> Response:
        """Answer one request; never raises."""
        started = time.perf_counter()
        req: Optional[ApiRequest] = None
        try:
            req = ApiRequest(environ, self.max_json_bytes, self.max_upload_bytes)
            response = self._dispatch(req)
        except ApiError as err:
            headers = _AUTH_HEADERS if err.status == 401 else None
            response = error_response(err.status, err.message, headers)
        except Exception as err:  # pylint: disable=broad-exception-caught  # the server must survive
            traceback.print_exc(file=sys.stderr)
            response = error_response(500, f"Internal emulator error: {type(err).__name__}")
        if req is not None:
            self._finish_body(req)
            self.controller.log.add({
                "time": time.time(), "method": req.method, "path": req.path, "query": req.query_string,
                "status": response.status_code, "account": req.account.id if req.account else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            })
        return response

    def _dispatch(self, req: ApiRequest) -> Response:
        if req.path.startswith(CONTROL_PREFIX):
            handler, args = self.control.match(req.method, req.path)
            return json_response(handler(self.controller, req, **args))
        # A host ending in "/" makes the v2 clients send "//v2/..." (the router collapses the rest).
        path = "/" + req.path.lstrip("/")
        surface = path[:3]
        if surface not in ("/v1", "/v2") or path[3:4] not in ("", "/"):
            raise ApiError(
                404, f"No such endpoint: {req.method} {req.path} (the API lives under /v1 and /v2)"
            )
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        api_key = req.api_key if surface == "/v1" else self._v2_key(req)
        account = self.keys.authenticate(api_key)
        if account is None:
            raise ApiError(401, self.keys.refusal(api_key))
        req.account = account
        self.ctx.ensure_account(account)
        handler, args = (self.v1 if surface == "/v1" else self.v2).match(req.method, req.path)
        return json_response(handler(self.ctx, req, **args))

    @staticmethod
    def _v2_key(req: ApiRequest) -> Optional[str]:
        """A /v2 request's key: Bearer (what the v2 clients send) or Basic."""
        try:
            return v2_api_key(req)
        except ValueError as err:
            raise ApiError(401, "Invalid API key: the Authorization header is not valid Bearer or Basic "
                                "credentials.") from err

    @staticmethod
    def _finish_body(req: ApiRequest) -> None:
        """Read an unread body so the connection can serve the next request.

        Multipart bodies that were never parsed, bodies over the limit and bodies that could not
        be read (a malformed chunked encoding) stay unread: the server then closes the connection
        instead.
        """
        if req.environ.get(BODY_CONSUMED) or req.environ.get(BODY_BROKEN) or req.is_multipart():
            return
        try:
            req.read_body()
        except ApiError:
            pass
