"""A thin layer over werkzeug's ``Map``: rules to handlers, matched on the raw (encoded) path."""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Sequence, Tuple
from urllib.parse import unquote_to_bytes

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from ..rules.errors import ApiError, bad_request

Handler = Callable[..., Any]
_SLASHES = re.compile(r"/{2,}")


class Router:
    """Maps ``(method, raw path)`` to a handler and its percent-decoded path arguments."""

    def __init__(self, routes: Sequence[Tuple[str, Sequence[str], Handler]] = ()) -> None:
        self._routes: List[Tuple[str, Sequence[str], Handler]] = []
        self._handlers: Dict[str, Handler] = {}
        self._map = Map(strict_slashes=False, merge_slashes=False)
        self._adapter = self._map.bind("emulator")
        for rule, methods, handler in routes:
            self.add(rule, methods, handler)

    def add(self, rule: str, methods: Sequence[str], handler: Handler) -> None:
        """Register a handler; rules use werkzeug syntax, e.g. ``/v1/task/<task_id>``."""
        endpoint = f"{len(self._routes)}:{rule}"
        self._routes.append((rule, methods, handler))
        self._handlers[endpoint] = handler
        self._map.add(Rule(rule, endpoint=endpoint, methods=list(methods)))
        self._adapter = self._map.bind("emulator")

    def match(self, method: str, path: str) -> Tuple[Handler, Dict[str, str]]:
        """The handler and decoded arguments; ApiError 404/405 when nothing matches."""
        # A base URL ending in "/" makes clients send "//" (API reference §1.1); empty segments never
        # carry meaning here, so collapse them rather than answer 404.
        path = _SLASHES.sub("/", path)
        try:
            endpoint, args = self._adapter.match(path, method=method)
        except MethodNotAllowed as err:
            allowed = ", ".join(sorted(err.valid_methods or []))
            raise ApiError(405, f"Method {method} is not allowed here; use {allowed}.") from err
        except (NotFound, HTTPException) as err:
            raise ApiError(404, f"No such endpoint: {method} {path}") from err
        return self._handlers[str(endpoint)], {key: decode_segment(str(value)) for key, value in args.items()}


def decode_segment(segment: str) -> str:
    """Percent-decode one path segment (``b%201%2Fx`` → ``b 1/x``) as UTF-8."""
    try:
        # The server hands the raw request line over as latin-1 text; get the bytes back first.
        return unquote_to_bytes(segment.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError) as err:
        raise bad_request("Path segment is not valid percent-encoded UTF-8.") from err
