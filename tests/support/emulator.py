"""Helpers shared by the emulator tests: keys, a small JSON client, error checks.

Kept out of conftest.py so that the test files import it by name.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

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
