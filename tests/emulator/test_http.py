"""HTTP behaviour: auth, routing, malformed input, limits, keep-alive, TCP_NODELAY, HTTPS, 500s."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests
import trustme

from support.emulator import IMAGE_TASK, TEST_KEY, Api, error_of
from support.waiting import wait_until

from scaleapi.emulator import Emulator


def test_missing_and_invalid_keys_are_401(api_for: Callable[[Optional[str]], Api]) -> None:
    for key in (None, "dummy_api_key", "test_", "live_", "|test", "test_ has space"):
        response = api_for(key).get("batches", params={"limit": 1})
        error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    for key in ("test_abc", "live_abc", "abc|test"):
        assert api_for(key).get("teams").status_code == 200


def test_bearer_or_garbage_authorization_is_401(emu: Emulator) -> None:
    for header in ("Bearer test_abc", "Basic !!!notbase64", "Basic"):
        response = requests.get(f"{emu.url}/teams", headers={"Authorization": header}, timeout=5)
        error_of(response, 401)


def test_pinned_keys_only() -> None:
    with Emulator(api_keys=["exact-key-1", "test_pinned"]) as emu:
        assert Api(emu.url, "exact-key-1").get("teams").status_code == 200
        # A pinned key outside the test_ pattern is a live-mode account.
        task = Api(emu.url, "exact-key-1").ok("POST", "task/imageannotation", json=IMAGE_TASK)
        assert task["status"] == "pending"
        error_of(Api(emu.url, "test_other").get("teams"), 401)
        assert Api(emu.url, "test_pinned").ok("POST", "task/imageannotation", json=IMAGE_TASK)["is_test"]


def test_unknown_routes_and_methods(api: Api, emu: Emulator) -> None:
    assert "No such endpoint" in error_of(api.get("nothing/here"), 404)
    error_of(api.get("task/abc/unknown"), 404)
    assert "not allowed" in error_of(api.put("batches"), 405)
    error_of(api.delete("task/abc/cancel"), 405)
    error_of(requests.get(f"{emu.base}/v3/tasks", timeout=5), 404)
    error_of(requests.get(f"{emu.base}/", timeout=5), 404)
    # A base URL with a trailing slash yields "//"; it still reaches the endpoint.
    assert api.get("/teams").status_code == 200


def test_empty_json_body_accepted_on_every_method(api: Api) -> None:
    headers = {"Content-Type": "application/json"}
    task = api.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    assert api.request("GET", f"task/{task['task_id']}", headers=headers).status_code == 200
    assert api.request("DELETE", f"task/{task['task_id']}/unique_id", headers=headers).status_code == 200
    assert api.request("GET", "tasks", headers=headers, data=b"").status_code == 200


@pytest.mark.parametrize(("data", "content_type", "fragment"), [
    (b"{not json", "application/json", "not valid JSON"),
    (b"\xff\xfe{}", "application/json", "UTF-8"),
    (b'{"a": NaN}', "application/json", "not valid JSON"),
    (b"[" * 5000 + b"]" * 5000, "application/json", "nested"),
    (b"[" * 100 + b"]" * 100, "application/json", "nested"),
    (b'{"attachment": "x"}', "text/plain", "Content-Type"),
    (b'{"attachment": "x"}', "application/x-www-form-urlencoded", "Content-Type"),
])
def test_malformed_bodies_are_400(api: Api, data: bytes, content_type: str, fragment: str) -> None:
    response = api.post("task/imageannotation", data=data, headers={"Content-Type": content_type})
    assert fragment in error_of(response, 400)
    assert api.get("teams").status_code == 200


def test_body_over_limit_is_413_and_server_survives() -> None:
    with Emulator(max_body_bytes=4096) as emu:
        client = Api(emu.url, TEST_KEY)
        try:
            huge = {**IMAGE_TASK, "padding": "x" * 10_000}
            error_of(client.post("task/imageannotation", json=huge), 413)
            assert client.ok("POST", "task/imageannotation", json=IMAGE_TASK)["status"] == "completed"
        finally:
            client.close()


def test_keep_alive_reuses_one_connection_with_nodelay(emu: Emulator, api: Api) -> None:
    before = emu.server.accepted
    api.ok("GET", "teams")
    sockets = emu.server.open_connections()
    assert sockets, "the connection should still be open between requests"
    for sock in sockets:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    for i in range(200):
        response = api.get("teams")
        assert response.status_code == 200
        assert response.headers.get("Connection", "").lower() != "close"
        if i % 50 == 0:
            assert int(response.headers["Content-Length"]) == len(response.content)
    # Bodies on POST/PUT/DELETE (and on a GET) are consumed, so the connection survives them too.
    task = api.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    api.ok("PUT", f"task/{task['task_id']}/tags", json=["a"])
    api.ok("DELETE", f"task/{task['task_id']}/tags", json=["a"])
    api.request("GET", "teams", data=b'{"ignored": true}', headers={"Content-Type": "application/json"})
    error_of(api.post("task/imageannotation", data=b"{bad"), 400)
    api.ok("GET", "teams")
    assert emu.server.accepted - before == 1


def test_raw_http_pipelined_requests_on_one_socket(emu: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/_emulator/health")
            response = conn.getresponse()
            assert response.status == 200 and json.loads(response.read())["status"] == "ok"
        conn.request("GET", "/v1/teams", headers={"Authorization": "Basic dGVzdF94eXo6"})
        response = conn.getresponse()
        assert response.status == 200 and json.loads(response.read())[0]["role"] == "admin"
    finally:
        conn.close()


def test_unexpected_exception_is_json_500_and_serving_continues(
    emu: Emulator, control: Api, api: Api
) -> None:
    def explode(_ctl: Any, _req: Any) -> Any:
        raise RuntimeError("boom")

    emu.app.add_control_route("/_emulator/test-explode", ("GET",), explode)
    error_of(control.get("test-explode"), 500)
    assert api.get("teams").status_code == 200


def test_control_api_over_http(control: Api, live: Api) -> None:
    health = control.ok("GET", "health")
    assert health["status"] == "ok"
    task = live.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    done = control.ok("POST", f"tasks/{task['task_id']}/complete", json={"response": {"annotations": []}})
    assert done["status"] == "completed" and done["response"] == {"annotations": []}
    assert "pending" in error_of(control.post(f"tasks/{task['task_id']}/complete"), 400)
    other = live.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    assert control.ok("POST", f"tasks/{other['task_id']}/fail", json={"error": "nope"})["status"] == "error"
    third = live.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    assert control.ok("POST", f"tasks/{third['task_id']}/complete")["status"] == "completed"
    error_of(control.post("tasks/unknown/complete"), 404)
    error_of(control.post(f"tasks/{task['task_id']}/complete", json={"response": [1]}), 400)
    assert control.ok("POST", "lifecycle", json={"complete_after": 5}) == {"complete_after": 5.0}
    assert control.ok("GET", "lifecycle") == {"complete_after": 5.0}
    error_of(control.post("lifecycle", json={"complete_after": "soon"}), 400)
    error_of(control.post("lifecycle", json={"complete_after": -1}), 400)
    assert control.ok("POST", "lifecycle", json={"complete_after": None}) == {"complete_after": None}
    assert isinstance(control.ok("GET", "callbacks"), list)
    logged = control.ok("GET", "requests")
    assert any(entry["path"] == "/v1/task/imageannotation" and entry["status"] == 200 for entry in logged)
    assert control.ok("POST", "reset") == {"status": "reset"}
    error_of(live.get(f"task/{task['task_id']}"), 404)
    assert control.ok("GET", "health")["tasks"] == 0
    error_of(control.get("nothing"), 404)


def test_request_log_never_holds_the_key(emu: Emulator, api: Api) -> None:
    api.get("teams")
    api.get("tasks", params={"limit": 1})
    entries = emu.requests()
    assert [entry["path"] for entry in entries] == ["/v1/teams", "/v1/tasks"]
    assert entries[1]["query"] == "limit=1"
    assert entries[0]["account"] == emu.account_id(TEST_KEY)
    assert TEST_KEY not in json.dumps(entries)


def test_latency_is_added_to_v1_requests_only() -> None:
    with Emulator(latency_ms=30) as emu:
        client = Api(emu.url, TEST_KEY)
        try:
            client.ok("GET", "teams")
            entry = emu.requests()[-1]
            assert entry["duration_ms"] >= 30
        finally:
            client.close()


def test_https_with_a_trusted_ca(tmp_path: Path) -> None:
    authority = trustme.CA()
    cert = authority.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile, cafile = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    authority.cert_pem.write_to_path(str(cafile))
    with Emulator(certfile=str(certfile), keyfile=str(keyfile)) as emu:
        assert emu.url.startswith("https://127.0.0.1:") and emu.url.endswith("/v1")
        session = requests.Session()
        session.trust_env = False
        try:
            for _ in range(3):
                response = session.get(f"{emu.url}/teams", auth=(TEST_KEY, ""), verify=str(cafile), timeout=5)
                assert response.status_code == 200
            assert emu.server.accepted == 1
            with pytest.raises(requests.exceptions.SSLError):
                session.get(f"{emu.url}/teams", auth=(TEST_KEY, ""), verify=True, timeout=5)
        finally:
            session.close()


def test_middleware_wraps_the_app_and_may_cut_a_response_short() -> None:
    seen: List[str] = []

    def recorder(app: Any) -> Any:
        def wrapped(environ: Dict[str, Any], start_response: Any) -> Any:
            seen.append(environ["PATH_INFO"])
            return app(environ, start_response)
        return wrapped

    def truncate_projects(app: Any) -> Any:
        def wrapped(environ: Dict[str, Any], start_response: Any) -> Iterator[bytes]:
            if environ["PATH_INFO"] != "/v1/projects":
                yield from app(environ, start_response)
                return
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "100")])
            yield b'[{"name": '
            raise ConnectionAbortedError("cut on purpose")
        return wrapped

    with Emulator(middleware=[recorder, truncate_projects]) as emu:
        assert len(emu.layers) == 2
        client = Api(emu.url, TEST_KEY)
        try:
            assert client.ok("GET", "teams")
            with pytest.raises(requests.exceptions.RequestException):
                client.get("projects")
            assert client.ok("GET", "teams")
        finally:
            client.close()
    # Layers wrap innermost first: the outer truncating layer answered /v1/projects by itself.
    assert seen == ["/v1/teams", "/v1/teams"]


def test_fault_rules_through_the_emulator(emu: Emulator, api: Api, control: Api) -> None:
    rule = emu.add_fault(method="GET", path="/v1/teams", action="status", status=503, count=1)
    error_of(api.get("teams"), 503)
    assert api.get("teams").status_code == 200
    assert emu.faults()[0]["id"] == rule["id"] and emu.faults()[0]["fired"] == 1
    emu.add_fault(path="/v1/tasks", action="status", status=429)
    control.ok("POST", "reset")
    assert emu.faults() == [] and api.get("tasks").status_code == 200


def test_stop_waits_for_a_request_still_being_served(capfd: pytest.CaptureFixture[str]) -> None:
    """A request the fault layer holds up is answered before the connection and database close."""
    emu = Emulator().start()
    emu.add_fault(method="GET", path="/v1/tasks", action="delay", delay_ms=400)
    outcome: List[Any] = []

    def slow_request() -> None:
        try:
            outcome.append(requests.get(f"{emu.url}/tasks", auth=(TEST_KEY, ""), timeout=5).status_code)
        except requests.RequestException as err:
            outcome.append(type(err).__name__)

    thread = threading.Thread(target=slow_request)
    thread.start()
    wait_until(lambda: emu.faults()[0]["fired"] == 1)  # the request is now inside the delay
    emu.stop()
    thread.join(5)
    assert outcome == [200]
    assert "closed database" not in capfd.readouterr().err
