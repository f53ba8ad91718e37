"""A loopback callback receiver: records each POST (path, headers, JSON body and raw bytes) and answers
with scripted status codes."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

from support import waiting


class Receiver:
    """A loopback callback receiver; answers each POST with the next scripted status (then 200)."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.script: List[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Records the request and answers."""

            def do_POST(self) -> None:  # pylint: disable=invalid-name  # http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append({
                        "path": self.path, "headers": dict(self.headers),
                        "body": json.loads(body), "raw": body,
                    })
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/callback") -> str:
        """A URL on this receiver."""
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> List[Dict[str, Any]]:
        """Wait until ``count`` callbacks arrived."""
        def arrived() -> bool:
            with self.lock:
                return len(self.received) >= count

        if not waiting.wait_for(arrived, timeout):
            raise AssertionError(f"expected {count} callbacks, got {len(self.received)}")
        with self.lock:
            return list(self.received)

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
