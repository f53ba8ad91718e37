"""The Api transport against a scripted loopback server: timeouts, retries, errors, pooling, secrets."""
import base64
import io
import json
import logging
import pickle
import socket
import time
import warnings
from typing import Any, Dict, List, Type

import pytest
from support.scripted_server import ScriptedServer

from scaleapi import exceptions as E
from scaleapi._ratelimit import RateLimiter
from scaleapi._retry import CallKind
from scaleapi.api import Api

KEY = "test_supersecretkey0123456789"


def make_api(url: str, sleeps: List[float], **kwargs: Any) -> Api:
    return Api(KEY, api_instance_url=url, sleep=sleeps.append, rand=lambda: 0.0, **kwargs)


def ok(doc: Any = None, **extra: Any) -> Dict[str, Any]:
    return {"status": 200, "body": doc if doc is not None else {"ok": True}, **extra}


def err(status: int, message: str = "boom", **extra: Any) -> Dict[str, Any]:
    return {"status": status, "body": {"status_code": status, "error": message}, **extra}


def test_get_returns_json_and_sends_auth_and_user_agent() -> None:
    sleeps: List[float] = []
    with ScriptedServer([ok({"task_id": "abc"})]) as srv:
        api = make_api(srv.url, sleeps, source="pytest")
        assert api.request("GET", "task/abc") == {"task_id": "abc"}
    seen = srv.seen[0]
    assert seen["path"] == "/v1/task/abc"
    assert seen["headers"]["Authorization"].startswith("Basic ")
    assert seen["headers"]["User-Agent"].startswith("scaleapi/") and seen["headers"]["User-Agent"].endswith(
        " pytest"
    )
    assert "Content-Type" not in seen["headers"]  # no JSON content type on a body-less call


def test_falsy_bodies_are_sent_as_json() -> None:
    with ScriptedServer([ok()]) as srv:
        api = make_api(srv.url, [])
        api.request("POST", "task/x/setMetadata", body={}, kind=CallKind.IDEMPOTENT)
        api.request("POST", "task/x/tags", body=[], kind=CallKind.IDEMPOTENT)
    assert [s["body"] for s in srv.seen] == [b"{}", b"[]"]
    assert all(s["headers"]["Content-Type"] == "application/json" for s in srv.seen)


def test_connections_are_reused() -> None:
    with ScriptedServer([ok()]) as srv:
        api = make_api(srv.url, [])
        for _ in range(20):
            api.request("GET", "tasks")
    assert len({s["port"] for s in srv.seen}) == 1


def test_idempotent_call_is_retried_with_backoff_until_success() -> None:
    sleeps: List[float] = []
    with ScriptedServer([err(503), err(502), err(500), ok({"n": 1})]) as srv:
        assert make_api(srv.url, sleeps).request("GET", "tasks") == {"n": 1}
    assert len(srv.seen) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_stop_after_max_retries_with_the_last_error() -> None:
    sleeps: List[float] = []
    with ScriptedServer([err(503, "queue timeout")]) as srv:
        with pytest.raises(E.ScaleServiceUnavailable) as info:
            make_api(srv.url, sleeps, max_retries=2).request("GET", "tasks")
    assert len(srv.seen) == 3 and len(sleeps) == 2
    assert info.value.code == 503 and info.value.message == "queue timeout"


def test_retry_after_is_honoured_and_capped() -> None:
    sleeps: List[float] = []
    script = [err(429, headers={"Retry-After": "2"}), err(503, headers={"Retry-After": "9999"}), ok()]
    with ScriptedServer(script) as srv:
        make_api(srv.url, sleeps).request("GET", "tasks")
    assert sleeps == [2.0, 60.0]


def test_create_without_natural_key_is_not_repeated_after_a_500() -> None:
    with ScriptedServer([err(500), ok({"task_id": "t1"})]) as srv:
        with pytest.raises(E.ScaleInternalError):
            make_api(srv.url, []).request("POST", "task/imageannotation", body={"a": 1})
    assert len(srv.seen) == 1


def test_create_without_natural_key_is_repeated_after_a_429() -> None:
    with ScriptedServer([err(429), ok({"task_id": "t1"})]) as srv:
        assert make_api(srv.url, []).request("POST", "task/x", body={})["task_id"] == "t1"
    assert len(srv.seen) == 2


def test_keyed_create_reconciles_a_409_that_follows_an_ambiguous_failure() -> None:
    fetched: List[str] = []

    def reconcile() -> Any:
        fetched.append("yes")
        return {"task_id": "the-original"}

    with ScriptedServer([err(500), err(409, "unique_id already used")]) as srv:
        result = make_api(srv.url, []).request(
            "POST", "task/x", body={"unique_id": "u"}, kind=CallKind.KEYED_CREATE, reconcile=reconcile
        )
    assert result == {"task_id": "the-original"} and fetched == ["yes"]


def test_keyed_create_409_on_first_attempt_is_a_duplicate() -> None:
    with ScriptedServer([err(409, "unique_id already used")]) as srv:
        with pytest.raises(E.ScaleDuplicateResource) as info:
            make_api(srv.url, []).request(
                "POST", "task/x", body={}, kind=CallKind.KEYED_CREATE, reconcile=pytest.fail
            )
    assert info.value.message == "unique_id already used"


def test_keyed_create_409_after_only_a_429_is_a_duplicate() -> None:
    # A 429 means the first attempt was turned away, so a 409 afterwards is a genuine duplicate.
    with ScriptedServer([err(429), err(409)]) as srv:
        with pytest.raises(E.ScaleDuplicateResource):
            make_api(srv.url, []).request(
                "POST", "task/x", body={}, kind=CallKind.KEYED_CREATE, reconcile=pytest.fail
            )


def test_read_timeout_raises_client_timeout_quickly() -> None:
    with ScriptedServer([{"delay": 3.0, **ok()}]) as srv:
        api = make_api(srv.url, [], timeout=(1.0, 0.3), max_retries=0)
        started = time.monotonic()
        with pytest.raises(E.ScaleClientTimeout):
            api.request("GET", "tasks")
        assert time.monotonic() - started < 2.0


def test_dropped_connection_on_create_is_not_repeated() -> None:
    with ScriptedServer([{"drop": True}, ok()]) as srv:
        with pytest.raises(E.ScaleConnectionError):
            make_api(srv.url, []).request("POST", "task/x", body={})
    assert len(srv.seen) == 1


def test_dropped_connection_on_read_is_retried() -> None:
    with ScriptedServer([{"drop": True}, ok({"fine": 1})]) as srv:
        assert make_api(srv.url, []).request("GET", "tasks") == {"fine": 1}
    assert len(srv.seen) == 2


def test_refused_connection_is_retried_even_for_a_create() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    sleeps: List[float] = []
    api = make_api(f"http://127.0.0.1:{port}/v1", sleeps, max_retries=2)
    with pytest.raises(E.ScaleConnectionError) as info:
        api.request("POST", "task/x", body={})
    assert len(sleeps) == 2 and info.value.code is None


def test_truncated_200_is_retried_for_reads() -> None:
    with ScriptedServer([{"status": 200, "body": b'{"docs": [', "length": 40}, ok({"docs": []})]) as srv:
        assert make_api(srv.url, []).request("GET", "tasks") == {"docs": []}


def test_html_error_page_gives_the_right_class_and_a_short_message() -> None:
    page = b"<html><body>" + b"x" * 5000 + b"</body></html>"
    with ScriptedServer([{"status": 502, "body": page, "headers": {"Content-Type": "text/html"}}]) as srv:
        with pytest.raises(E.ScaleException) as info:
            make_api(srv.url, [], max_retries=0).request("GET", "tasks")
    assert type(info.value) is E.ScaleException and info.value.code == 502
    assert len(info.value.message) < 100 and isinstance(info.value.message, str)


@pytest.mark.parametrize(
    "body, cls",
    [
        (b"[1, 2]", E.ScaleInvalidRequest),
        (b'"just a string"', E.ScaleInvalidRequest),
        (b"not json", E.ScaleInvalidRequest),
        (b"", E.ScaleInvalidRequest),
        (b'{"status_code": 400}', E.ScaleInvalidRequest),
    ],
)
def test_odd_error_bodies_still_pick_the_class_by_status(body: bytes, cls: Type[E.ScaleException]) -> None:
    with ScriptedServer([{"status": 400, "body": body}]) as srv:
        with pytest.raises(cls) as info:
            make_api(srv.url, []).request("GET", "tasks")
    assert isinstance(info.value.message, str) and info.value.message


@pytest.mark.parametrize("status", [201, 204, 301, 403, 413, 422])
def test_other_statuses_raise_a_plain_scale_exception(status: int) -> None:
    with ScriptedServer([{"status": status, "body": b"{}"}]) as srv:
        with pytest.raises(E.ScaleException) as info:
            make_api(srv.url, []).request("GET", "tasks")
    assert type(info.value) is E.ScaleException and info.value.code == status


def test_upload_stream_is_rewound_before_a_retry() -> None:
    stream = io.BytesIO(b"PNGDATA")
    with ScriptedServer([err(429), ok({"id": "f"})]) as srv:
        make_api(srv.url, []).request("POST", "files/upload", files={"file": stream}, data={"p": "x"})
    assert b"PNGDATA" in srv.seen[0]["body"] and b"PNGDATA" in srv.seen[1]["body"]


def test_key_never_appears_in_logs_reprs_errors_or_pickles(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with ScriptedServer([err(500, "x"), err(401, "bad key"), ok()]) as srv:
        api = make_api(srv.url, [], max_retries=0)
        texts = [repr(api)]
        for _ in range(2):
            with pytest.raises(E.ScaleException) as info:
                api.request("GET", "tasks")
            texts += [str(info.value), repr(info.value), info.value.message]
        api.request("GET", "tasks")
    blob = pickle.dumps(api)
    assert KEY.encode() not in blob
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "expected DEBUG log lines"
    assert not [text for text in texts if KEY in text]


def test_pickled_api_recovers_its_key_in_the_same_process() -> None:
    with ScriptedServer([ok()]) as srv:
        api = pickle.loads(pickle.dumps(make_api(srv.url, [])))
        api.request("GET", "tasks")
    assert srv.seen[0]["headers"]["Authorization"] == make_auth_header(KEY)


def make_auth_header(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def test_with_options_shares_the_pool_but_not_the_settings() -> None:
    with ScriptedServer([ok()]) as srv:
        api = make_api(srv.url, [])
        quick = api.with_options(timeout=1.5, max_retries=0)
        api.request("GET", "a")
        quick.request("GET", "b")
        assert quick.timeout == 1.5 and quick.policy.max_retries == 0
        assert api.timeout != 1.5 and api.policy.max_retries == 3
    assert len({s["port"] for s in srv.seen}) == 1


def test_warnings_for_insecure_setups() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Api(KEY, api_instance_url="http://scale.example.com/v1")
        Api(KEY, api_instance_url="https://127.0.0.1:9/v1", verify=False)
        Api(KEY, api_instance_url="http://127.0.0.1:9/v1")
    messages = [str(w.message) for w in caught]
    assert any("plain http" in m for m in messages)
    assert any("verify=False" in m for m in messages)
    assert len(messages) == 2 and not [m for m in messages if KEY in m]


def test_missing_key_is_a_clear_error() -> None:
    with pytest.raises(E.ScaleException, match="valid API Key"):
        Api("")


def test_trailing_slash_in_base_url_gives_no_double_slash() -> None:
    with ScriptedServer([ok()]) as srv:
        make_api(srv.url + "/", []).request("GET", "tasks")
    assert srv.seen[0]["path"] == "/v1/tasks"
    assert json.loads(b"{}") == {}


class _PauseSpy(RateLimiter):
    """A real limiter that also remembers the shared pause each 429 asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: List[float] = []

    def record(self, status: Any, pause: float = 0.0) -> None:
        if status == 429:
            self.pauses.append(pause)
        super().record(status, pause)


def test_only_a_retry_after_pauses_every_thread() -> None:
    """A 429 without Retry-After slows the shared rate, which paces the retry (no backoff of its own);
    only the server's own wait pauses everyone."""
    with ScriptedServer([err(429), err(429, headers={"Retry-After": "2"}), ok()]) as srv:
        spy = _PauseSpy()
        sleeps: List[float] = []
        assert make_api(srv.url, sleeps, throttle=spy).request("GET", "tasks") == {"ok": True}
    assert spy.pauses == [0.0, 2.0]
    assert spy.throttled == 2
    assert sleeps == [0.0, pytest.approx(2.0)]
