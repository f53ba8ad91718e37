"""v2 errors over real HTTP: each status in both exception families, transport failures, retries."""
import socket
import threading
import time
from typing import Any, Iterator

import pytest
from support.recording_server import RecordingServer
from support.v2_errors import STATUS_EXCEPTIONS

import scaleapi
from scaleapi.api_client.v2 import exceptions as v2exc
from scaleapi.api_client.v2.models import GetBatch500Response, GetSchema404Response



@pytest.mark.parametrize("status, v2_name, official, scale_class", STATUS_EXCEPTIONS)
def test_error_status_in_both_families(
    status: int, v2_name: str, official: str, scale_class: type, wire: Any, v2_client: Any
) -> None:
    body = {"status_code": status, "error": f"boom {status}"}
    wire.reset(lambda request: (status, body, {"X-Trace": "t1"}))
    with pytest.raises(getattr(v2exc, official)) as caught:
        v2_client.v2.get_project(project_name="p")
    err = caught.value
    assert type(err).__name__ == v2_name
    assert isinstance(err, scale_class) and isinstance(err, v2exc.ApiException)
    assert err.status == status and err.code == status
    assert err.reason and err.headers is not None and err.headers["X-Trace"] == "t1"
    assert err.body == '{"status_code": %d, "error": "boom %d"}' % (status, status)
    if status == 500:
        assert isinstance(err.data, GetBatch500Response) and err.data.error == "boom 500"
    else:
        assert err.data is None
    assert "test_v2wirekey" not in str(err) and "test_v2wirekey" not in repr(err.args)
    assert len(wire.seen) == 1  # max_retries=0


def test_error_model_of_the_endpoint_and_a_body_that_does_not_fit(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (404, {"status_code": 404, "error": "no schema"}))
    with pytest.raises(v2exc.NotFoundException) as caught:
        v2_client.v2.get_schema("s1")
    assert isinstance(caught.value.data, GetSchema404Response)
    wire.reset(lambda request: (500, b"<h1>bad gateway</h1>", {"Content-Type": "text/html"}))
    with pytest.raises(v2exc.ServiceException) as failed:
        v2_client.v2.get_schema("s1")
    assert failed.value.data is None and failed.value.body == "<h1>bad gateway</h1>"


def test_without_preload_content_does_not_raise(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (404, {"status_code": 404, "error": "x"}))
    raw = v2_client.v2.get_project_without_preload_content(project_name="p")
    assert raw.status_code == 404 and raw.json()["error"] == "x"


def test_gets_are_retried_on_503_and_creates_are_not(wire: Any) -> None:
    answers = iter([(503, {"status_code": 503, "error": "busy"}, {"Retry-After": "0"})])
    wire.reset(
        lambda request: next(answers, (200, {"id": "p", "name": "n", "created_at": "2025-01-01T00:00:00Z"}))
    )
    with scaleapi.ScaleClient("test_k", api_instance_url=wire.url, max_retries=2) as client:
        assert client.v2.get_project(project_name="p").name == "n"
        assert len(wire.seen) == 2
        wire.reset(lambda request: (503, {"status_code": 503, "error": "busy"}, {"Retry-After": "0"}))
        with pytest.raises(v2exc.ServiceException):
            client.v2.create_batch({"name": "b", "project_name": "p"})
        assert len(wire.seen) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_our_connection_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with scaleapi.ScaleClient("test_k", api_instance_url=url, max_retries=0) as client:
        with pytest.raises(scaleapi.ScaleConnectionError) as caught:
            client.v2.get_task("t1")
    assert not isinstance(caught.value, v2exc.ApiException)
    assert "urllib3" not in type(caught.value).__module__


@pytest.fixture
def stalling() -> Iterator[RecordingServer]:
    server = RecordingServer()
    release = threading.Event()

    def stall(_request: Any) -> Any:
        release.wait(10)
        return 200, {}

    server.reset(stall)
    yield server
    release.set()
    server.close()


def test_a_stalling_server_is_our_client_timeout(stalling: RecordingServer) -> None:
    with scaleapi.ScaleClient("test_k", api_instance_url=stalling.url, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(scaleapi.ScaleClientTimeout):
            client.v2.get_task("t1", _request_timeout=0.5)
        with pytest.raises(scaleapi.ScaleClientTimeout):
            client.v2.create_batch({"name": "b", "project_name": "p"}, _request_timeout=(1, 0.5))
        assert time.monotonic() - started < 9  # bounded: no hang
    with scaleapi.ScaleClient("test_k", api_instance_url=stalling.url, max_retries=0, timeout=0.5) as client:
        with pytest.raises(scaleapi.ScaleClientTimeout):
            client.v2.get_projects()  # the client's own timeout applies to v2 too


def test_debug_log_of_a_v2_call_holds_no_secret(wire: Any, v2_client: Any, caplog: Any) -> None:
    import logging  # pylint: disable=import-outside-toplevel

    wire.reset(lambda request: (404, {"status_code": 404, "error": "x"}))
    with caplog.at_level(logging.DEBUG, logger="scaleapi"):
        with pytest.raises(v2exc.NotFoundException):
            v2_client.v2.get_project(project_name="private name")
    text = caplog.text
    assert "GET /v2/project -> 404" in text
    assert "test_v2wirekey" not in text and "private" not in text
