"""A real loopback HTTP server that records every request and answers from a Python function.

Used where a test needs answers the emulator would never give (pages that break the paging rules) or
must see exactly what went over the wire. It is a real server on 127.0.0.1: the SDK under test runs
unchanged, through its own ``Api`` and requests.
"""
import http.server
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str  # raw path, still percent-encoded, without the query
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes = b""
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


Answer = Tuple[int, Any]
Responder = Callable[[Seen], Answer]


class RecordingServer:
    """Serve ``responder`` on 127.0.0.1:0; ``url`` ends in ``/v1`` like a Scale base URL."""

    def __init__(self, responder: Optional[Responder] = None) -> None:
        self.responder: Responder = responder or (lambda seen: (200, {}))
        self.seen: List[Seen] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urllib.parse.urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=urllib.parse.parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                outer.seen.append(seen)
                status, payload = outer.responder(seen)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Forget what was seen and answer ``{}`` again."""
        self.seen.clear()
        self.responder = lambda seen: (200, {})

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def last(self) -> Seen:
        """The most recent request."""
        return self.seen[-1]
