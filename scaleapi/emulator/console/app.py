"""The console's WSGI app: routing, the guard, rendering, and the answers to errors.

Every page is rendered on the server from ``templates/`` with Jinja2, autoescaping on, so every
value from tasks, metadata and logs is shown as text. Responses carry a Content-Security-Policy
that allows scripts and styles from the console itself only, and no framing.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Mapping, Optional

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..rules.control import Controller
from ..rules.errors import ApiError
from .guard import PREFIX, Guard

StartResponse = Callable[..., Any]
View = Callable[..., Response]

#: Largest form body a console action reads (a task response is the biggest field).
MAX_FORM_BYTES = 2 * 1024 * 1024
#: The only files under ``/_emulator/console/static/``, with their types.
STATIC_FILES = {"console.js": "text/javascript", "console.css": "text/css", "favicon.svg": "image/svg+xml"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_STATIC_DIR = Path(__file__).parent / "static"


class ConsoleRequest(Request):
    """A request with the console's body limits."""

    max_content_length = MAX_FORM_BYTES
    max_form_memory_size = MAX_FORM_BYTES


class ConsoleApp:
    """The console as a WSGI callable, mounted at :data:`PREFIX` (and ``/``) by the emulator app.

    Args:
        controller: the control operations (and, through ``controller.ctx``, the services).
        bind_host: the ``--host`` the emulator listens on; its name is accepted in ``Host``.
        faults: the fault-injection layer (:class:`~..http.faults.FaultInjector`).
    """

    def __init__(self, controller: Controller, bind_host: str = "127.0.0.1", faults: Any = None) -> None:
        from . import pages  # pylint: disable=import-outside-toplevel  # pages import this module

        self.controller = controller
        self.ctx = controller.ctx
        self.faults = faults
        self.guard = Guard(bind_host)
        self.env = Environment(
            loader=PackageLoader("scaleapi.emulator.console", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["prefix"] = PREFIX
        self.env.filters["isotime"] = pages.when
        self.views: Dict[str, View] = pages.views(self)
        self.urls = Map([Rule(rule, endpoint=name, methods=methods) for rule, name, methods in pages.RULES],
                        strict_slashes=False, merge_slashes=True)

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        response = self.handle(ConsoleRequest(environ))
        return response(environ, start_response)

    def handle(self, req: ConsoleRequest) -> Response:
        """Answer one console request; never raises."""
        if not self.guard.host_allowed(req.environ):
            return self.error(req, 421, "This console answers only on the emulator's own host names "
                                        "(127.0.0.1, localhost, [::1] or the --host value).", token=False)
        path = req.path
        if path == "/" and req.method not in ("GET", "HEAD"):
            return self.error(req, 405, "The start page is read with GET.")
        if path == "/":
            endpoint: Any = "start"
            args: Mapping[str, Any] = {}
        else:
            try:
                endpoint, args = self.urls.bind("console").match(path[len(PREFIX):] or "/", method=req.method)
            except NotFound:
                return self.error(req, 404, "There is no such console page.")
            except HTTPException as err:
                return self.error(req, err.code or 400, err.description or "Bad request.")
        try:
            if req.method == "POST":
                refusal = self._refusal(req)
                if refusal is not None:
                    return refusal
            return self.views[str(endpoint)](req, **args)
        except ApiError as err:
            return self.error(req, err.status, err.message)
        except HTTPException as err:  # e.g. a form body over the limit
            return self.error(req, err.code or 400, err.description or "Bad request.")

    def _refusal(self, req: ConsoleRequest) -> Optional[Response]:
        if not self.guard.origin_allowed(req.environ):
            return self.error(req, 403, "This action came from a page of another origin and was refused.")
        if not self.guard.token_valid(req.form.get("token")):
            return self.error(req, 403, "This action needs the token of a console page; reload the page "
                                        "and try again.")
        return None

    # -- answers -------------------------------------------------------------------------------

    def render(self, req: ConsoleRequest, template: str, status: int = 200, **values: Any) -> Response:
        """Render ``template`` with a fresh page token."""
        values.setdefault("token", self.guard.new_token())
        values.setdefault("notice", NOTICES.get(req.args.get("done", "")))
        values.setdefault("nav", "")
        values.setdefault("account", None)
        html = self.env.get_template(template).render(**values)
        return Response(html, status=status, content_type="text/html; charset=utf-8",
                        headers=SECURITY_HEADERS)

    def error(self, req: ConsoleRequest, status: int, message: str, token: bool = True) -> Response:
        """An error page (it carries no token when the request was refused for its host).

        A client that does not ask for HTML (no ``text/html`` in ``Accept``: scripts, curl) gets the
        emulator's JSON error shape ``{"status_code": N, "error": ...}`` instead.
        """
        if "text/html" not in req.headers.get("Accept", ""):
            body = json.dumps({"status_code": status, "error": message})
            return Response(body, status=status, content_type="application/json", headers=SECURITY_HEADERS)
        page_token = self.guard.new_token() if token else ""
        return self.render(req, "error.html", status=status, message=message, token=page_token,
                           title=f"Error {status}")

    @staticmethod
    def redirect(location: str, done: str) -> Response:
        """303 to a console page, telling it what was done (one of :data:`NOTICES`)."""
        separator = "&" if "?" in location else "?"
        response = Response("", status=303, headers=SECURITY_HEADERS)
        response.headers["Location"] = f"{location}{separator}done={done}"
        return response

    @staticmethod
    def static(name: str) -> Response:
        """One of :data:`STATIC_FILES`."""
        kind = STATIC_FILES.get(name)
        if kind is None:
            raise ApiError(404, "There is no such console file.")
        body = (_STATIC_DIR / name).read_bytes()
        return Response(body, content_type=f"{kind}; charset=utf-8", headers=SECURITY_HEADERS)


#: What a page says after an action redirected to it.
NOTICES: Dict[str, str] = {
    "completed": "The task was completed.",
    "failed": "The task was failed.",
    "canceled": "The task was canceled.",
    "delivered": "The delivery was created.",
    "fault-added": "The fault rule was added.",
    "fault-removed": "The fault rule was removed.",
    "faults-cleared": "Every fault rule was removed.",
    "lifecycle": "The lifecycle policy was set.",
    "account-reset": "The account was reset.",
    "reset": "The emulator was reset.",
}
