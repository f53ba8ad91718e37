"""Helpers for the emulator's /v2 tests: a raw Bearer client, our SDK's client, a project to work in."""
from __future__ import annotations

from typing import Any, Dict, Optional

import requests

from support.emulator import Api, error_of

from scaleapi import ScaleClient


class V2Wire(Api):
    """Plain ``requests`` against ``/v2`` with Bearer auth (what the v2 clients send)."""

    def __init__(self, base: str, key: Optional[str]) -> None:
        super().__init__(f"{base}/v2", None)
        if key is not None:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        """GET ``/v2/path`` with the query ``params`` (a dict or a list of pairs)."""
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        """POST a JSON body to ``/v2/path``."""
        return self.request("POST", path, json=body, **kwargs)

    def ok_get(self, path: str, params: Any = None) -> Any:
        """GET and assert a 200; the JSON."""
        response = self.get(path, params)
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()

    def ok_post(self, path: str, body: Any = None) -> Any:
        """POST and assert a 200; the JSON."""
        response = self.post(path, body)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()


def v2_error_of(response: requests.Response, status: int) -> str:
    """Assert the v2 error body ``{"status_code": status, "error": "..."}``; return the message."""
    message = error_of(response, status)
    body = response.json()
    assert set(body) == {"status_code", "error"}, body
    return message


def sdk_client(url: str, key: str) -> ScaleClient:
    """Our SDK's client of an emulator (``url`` is its ``/v1`` base; v2 is derived from it), no retries."""
    return ScaleClient(api_key=key, api_instance_url=url, source="pytest", max_retries=0)


def v1_project(api_session: Any, name: str, task_type: str = "imageannotation",
               params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Create a project through v1 (``api_session`` is tests/support/emulator.Api); its JSON."""
    body: Dict[str, Any] = {"type": task_type, "name": name}
    if params is not None:
        body["params"] = params
    result: Dict[str, Any] = api_session.ok("POST", "projects", json=body)
    return result
