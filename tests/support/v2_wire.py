"""A loopback HTTP server for the v2 endpoint tests: records each request exactly as received.

It keeps the raw request target (path and query string, in order, still percent-encoded), the
headers and the body, and answers from a function: ``(status, body)`` or ``(status, body, headers)``;
a body may be a JSON value or bytes, and the function may sleep (to stall) before answering. Used as
an HTTP proxy too: a proxied request arrives with an absolute URL as its target.
"""
import http.server
import json
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    target: str  # as sent: path?query (or an absolute URL through a proxy)
    headers: Dict[str, str]  # lower-case names
    body: bytes

    @property
    def path(self) -> str:
        """The path, still percent-encoded."""
        return urllib.parse.urlsplit(self.target).path

    @property
    def raw_query(self) -> str:
        """The query string, still percent-encoded, in the order sent."""
        return urllib.parse.urlsplit(self.target).query

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


Responder = Callable[[Request], Tuple[Any, ...]]


class WireServer:
    """Serve ``responder`` on 127.0.0.1:0; ``url`` ends in ``/v1`` like a Scale base URL."""

    def __init__(self) -> None:
        self.responder: Responder = lambda request: (200, {})
        self.seen: List[Request] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                outer.seen.append(request)
                answer = outer.responder(request)
                status, payload = answer[0], answer[1]
                headers: Dict[str, str] = {"Content-Type": "application/json"}
                if len(answer) > 2:
                    headers.update(answer[2])
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    if value is not None:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def reset(self, responder: Optional[Responder] = None) -> None:
        """Forget what was seen; answer with ``responder`` (default: 200 ``{}``)."""
        self.seen.clear()
        self.responder = responder or (lambda request: (200, {}))

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()
