"""A real loopback HTTP server that records every request and answers from a Python function.

Used where a test needs answers the emulator would never give (pages that break the paging rules) or
must see exactly what went over the wire. It keeps each request target as sent (path and query string,
in order, still percent-encoded), the headers and the body. The responder returns ``(status, body)`` or
``(status, body, headers)``; a body is a JSON value or bytes, and the responder may sleep (to stall)
before answering. It serves as an HTTP proxy too: a proxied request arrives with an absolute URL as its
target. It is a real server on 127.0.0.1: the SDK under test runs unchanged, through its own ``Api``
and requests.
"""
import http.server
import json
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str  # as sent: path?query (or an absolute URL through a proxy)
    headers: Dict[str, str]  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        """The path, still percent-encoded, without the query."""
        return urllib.parse.urlsplit(self.target).path

    @property
    def raw_query(self) -> str:
        """The query string, still percent-encoded, in the order sent."""
        return urllib.parse.urlsplit(self.target).query

    @property
    def query(self) -> Dict[str, List[str]]:
        """The query parameters, decoded (blank values kept)."""
        return urllib.parse.parse_qs(self.raw_query, keep_blank_values=True)

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


Responder = Callable[[Seen], Tuple[Any, ...]]


def _ok(seen: Seen) -> Tuple[Any, ...]:  # pylint: disable=unused-argument
    return (200, {})


class RecordingServer:
    """Serve ``responder`` on 127.0.0.1:0; ``url`` ends in ``/v1`` like a Scale base URL."""

    def __init__(self, responder: Optional[Responder] = None) -> None:
        self.responder: Responder = responder or _ok
        self.seen: List[Seen] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            """Record each request and answer it from the server's responder."""

            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                outer.seen.append(seen)
                answer = outer.responder(seen)
                status, payload = answer[0], answer[1]
                headers: Dict[str, Optional[str]] = {"Content-Type": "application/json"}
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

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def reset(self, responder: Optional[Responder] = None) -> None:
        """Forget what was seen; answer with ``responder`` (default: 200 ``{}``)."""
        self.seen.clear()
        self.responder = responder or _ok

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def last(self) -> Seen:
        """The most recent request."""
        return self.seen[-1]
