"""Helpers shared by the emulator tests: keys, a small JSON client, error checks, a callback receiver.

Kept out of conftest.py under a name of its own, so that test directories collected together in one
pytest run never import each other's helpers.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

import requests

TEST_KEY = "test_emulator_alpha"
OTHER_KEY = "test_emulator_beta"
LIVE_KEY = "live_emulator_gamma"


class Api:
    """A JSON client for one API key; every call returns the raw ``requests.Response``."""

    def __init__(self, base: str, key: Optional[str]) -> None:
        self.base = base
        self.session = requests.Session()
        # Never let proxy or CA-bundle environment variables steer loopback test traffic.
        self.session.trust_env = False
        if key is not None:
            self.session.auth = (key, "")

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send ``method`` to ``base/path``."""
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, f"{self.base}/{path}", **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        """POST."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        """PUT."""
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        """DELETE."""
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send and assert a 200; return the JSON."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


def error_of(response: requests.Response, status: int) -> str:
    """Assert the error shape of API reference §1.6 with ``status``; return the message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["status_code"] == status
    assert isinstance(body["error"], str) and body["error"]
    return str(body["error"])


IMAGE_TASK: Dict[str, Any] = {
    "instruction": "Draw boxes",
    "attachment_type": "image",
    "attachment": "https://example.com/image.png",
    "geometries": {"box": {"objects_to_annotate": ["car", "person"], "min_height": 10, "min_width": 10}},
}


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
                        "path": self.path, "headers": dict(self.headers), "body": json.loads(body),
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} callbacks, got {len(self.received)}")

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


