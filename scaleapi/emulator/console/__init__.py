"""The emulator console: pages at ``/_emulator/console/`` to see and drive the emulator from a browser.

Rendered on the server with Jinja2 (the ``emulator`` extra), autoescaped; the small script in
``static/`` only refreshes lists and checks JSON as it is typed, and every action is a plain form.
See docs/console.md.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from ..rules.control import Controller
from .guard import PREFIX

WsgiApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]

__all__ = ["PREFIX", "console_app"]


def console_app(controller: Controller, bind_host: str = "127.0.0.1", faults: Any = None) -> WsgiApp:
    """The console WSGI app; without Jinja2 installed, an app that says how to install it."""
    try:
        from .app import ConsoleApp  # pylint: disable=import-outside-toplevel  # needs jinja2
    except ImportError as err:
        return _missing(str(err))
    return ConsoleApp(controller, bind_host=bind_host, faults=faults)


def _missing(reason: str) -> WsgiApp:
    body = (f"The emulator console needs Jinja2: from a checkout of this SDK run "
            f'python -m pip install -e ".[emulator]" ({reason})\n').encode("utf-8")

    def app(_environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("501 Not Implemented", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ])
        return [body]

    return app
