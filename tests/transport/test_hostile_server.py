"""The Api against servers that answer slowly, oddly or deceptively: every failure is a ScaleException.

Dripped answers are cut at the read timeout (in all, not per byte), a read timeout at any point is a
ScaleClientTimeout, a write is never redirected into another request, and bodies too deep to parse are
a clear error. Bad settings are refused when the client is built.
"""
import math
import time
from typing import Any, Dict, List

import pytest
import requests
import urllib3.exceptions
from support.scripted_server import ScriptedServer

import scaleapi
from scaleapi import exceptions as E
from scaleapi._http_errors import transport_exception
from scaleapi._session import _Session
from scaleapi.api import Api

KEY = "test_hostilekey0123456789"


def make_api(url: str, sleeps: List[float], **kwargs: Any) -> Api:
    return Api(KEY, api_instance_url=url, sleep=sleeps.append, rand=lambda: 0.0, **kwargs)


def ok(doc: Any = None, **extra: Any) -> Dict[str, Any]:
    return {"status": 200, "body": doc if doc is not None else {"ok": True}, **extra}


# -- one request's whole answer is bounded ---------------------------------------------------------

DRIP = 0.25  # seconds between two bytes: never a gap as long as the read timeout below
BODY = {"docs": ["x" * 10] * 10}  # about 150 bytes: 40 s when dripped


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers-and-body"])
def test_a_dripping_answer_is_cut_at_the_read_timeout(drip_headers: bool) -> None:
    """One byte every 0.25 s never trips a 1 s gap timeout, but the whole answer gets 1 s only."""
    with ScriptedServer([ok(BODY, drip=DRIP, drip_headers=drip_headers)]) as srv:
        api = make_api(srv.url, [], timeout=(2.0, 1.0), max_retries=0)
        started = time.monotonic()
        with pytest.raises(E.ScaleClientTimeout, match="read timeout"):
            api.request("GET", "tasks")
        waited = time.monotonic() - started
    assert waited < 15.0, f"the call was held {waited:.1f} s"  # a bound on "no hang", not a speed test


def test_a_slow_answer_to_a_read_is_retried_and_each_attempt_is_bounded() -> None:
    sleeps: List[float] = []
    with ScriptedServer([ok(BODY, drip=DRIP), ok({"fine": 1})]) as srv:
        api = make_api(srv.url, sleeps, timeout=(2.0, 1.0), max_retries=1)
        assert api.request("GET", "tasks") == {"fine": 1}
    assert len(srv.seen) == 2 and sleeps == [0.5]


def test_a_slow_answer_to_a_create_is_not_repeated() -> None:
    with ScriptedServer([ok(BODY, drip=DRIP), ok({"task_id": "again"})]) as srv:
        with pytest.raises(E.ScaleClientTimeout):
            make_api(srv.url, [], timeout=(2.0, 1.0)).request("POST", "task/x", body={})
    assert len(srv.seen) == 1


def test_a_fast_answer_on_a_reused_connection_is_untouched_by_an_earlier_deadline() -> None:
    """Deadlines of finished calls never cut the pooled connection that later calls reuse."""
    with ScriptedServer([ok({"n": 1})]) as srv:
        api = make_api(srv.url, [], timeout=(2.0, 0.2), max_retries=0)
        for _ in range(5):
            assert api.request("GET", "tasks") == {"n": 1}
        time.sleep(0.4)  # every deadline above has expired by now
        assert api.request("GET", "tasks") == {"n": 1}
    assert len({s["port"] for s in srv.seen}) == 1


def test_a_read_timeout_while_reading_the_body_is_a_client_timeout() -> None:
    """Headers and a few bytes arrive, then nothing: ScaleClientTimeout, not ScaleConnectionError."""
    with ScriptedServer([ok(BODY, stall=3.0, stall_after=5)]) as srv:
        with pytest.raises(E.ScaleClientTimeout):
            make_api(srv.url, [], timeout=(2.0, 0.5), max_retries=0).request("GET", "tasks")


def test_requests_reports_a_body_read_timeout_as_a_connection_error_and_it_is_mapped() -> None:
    """What requests raises when the read timeout expires inside the body, and what it becomes."""
    inner = urllib3.exceptions.ReadTimeoutError(
        None, "http://127.0.0.1/v1/tasks", "Read timed out."  # type: ignore[arg-type]
    )
    assert isinstance(transport_exception(requests.exceptions.ConnectionError(inner)), E.ScaleClientTimeout)
    refused = urllib3.exceptions.MaxRetryError(
        None, "http://127.0.0.1/", urllib3.exceptions.NewConnectionError(None, "refused")  # type: ignore[arg-type]
    )
    mapped = transport_exception(requests.exceptions.ConnectionError(refused))
    assert type(mapped) is E.ScaleConnectionError


# -- redirects --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_redirected_write_is_an_error_and_is_not_sent_again(method: str, status: int) -> None:
    script = [
        {"status": status, "body": b"", "headers": {"Location": "/v1/task/old-one"}},
        ok({"task_id": "old-one"}),
    ]
    with ScriptedServer(script) as srv:
        with pytest.raises(E.ScaleException) as info:
            make_api(srv.url, []).request(method, "task/imageannotation", body={"a": 1})
    assert len(srv.seen) == 1 and srv.seen[0]["method"] == method
    assert info.value.code == status
    assert "/v1/task/old-one" in info.value.message and method in info.value.message


def test_a_get_follows_a_redirect_with_its_key_to_the_same_origin_only() -> None:
    with ScriptedServer([ok({"elsewhere": True})]) as other:
        script = [
            {"status": 302, "body": b"", "headers": {"Location": "/v1/tasks-moved"}},
            {"status": 302, "body": b"", "headers": {"Location": other.url + "/tasks"}},
        ]
        with ScriptedServer(script) as srv:
            assert make_api(srv.url, []).request("GET", "tasks") == {"elsewhere": True}
    assert [s["path"] for s in srv.seen] == ["/v1/tasks", "/v1/tasks-moved"]
    assert all(s["headers"]["Authorization"].startswith("Basic ") for s in srv.seen)
    assert "Authorization" not in other.seen[0]["headers"]


@pytest.mark.parametrize(
    "new_url, keeps_key",
    [
        ("https://api.example.com/v1/other", True),
        ("https://api.example.com:443/v1/other", True),
        ("http://api.example.com/v1/other", False),  # downgrade
        ("https://api.example.com:8443/v1/other", False),
        ("https://evil.example.com/v1/other", False),
    ],
)
def test_the_key_goes_to_the_same_scheme_host_and_port_only(new_url: str, keeps_key: bool) -> None:
    assert _Session().should_strip_auth("https://api.example.com/v1/tasks", new_url) is not keeps_key


def test_http_to_https_on_the_same_host_is_another_origin() -> None:
    """requests would keep the key on this upgrade; the SDK sends it only where it was first sent."""
    plain = requests.Session()
    assert plain.should_strip_auth("http://h.example/v1", "https://h.example/v1") is False  # type: ignore[no-untyped-call]
    assert _Session().should_strip_auth("http://h.example/v1", "https://h.example/v1") is True


# -- bodies -----------------------------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_json_nested_too_deeply_is_a_clear_error() -> None:
    with ScriptedServer([{"status": 200, "body": DEEP}]) as srv:
        with pytest.raises(E.ScaleConnectionError, match="nested too deeply") as info:
            make_api(srv.url, [], max_retries=0).request("GET", "tasks")
    assert info.value.code == 200


def test_a_deep_error_body_still_gives_the_status_class() -> None:
    with ScriptedServer([{"status": 400, "body": DEEP}]) as srv:
        with pytest.raises(E.ScaleInvalidRequest) as info:
            make_api(srv.url, []).request("GET", "tasks")
    assert len(info.value.message) < 400


# -- settings refused when the client is built ------------------------------------------------------

BAD_TIMEOUTS = [-1, 0, 0.0, -0.5, math.nan, math.inf, -math.inf, "5", b"5", True, False, 1e12,
                (None, None), (5, None), (None, 5), (1,), (1, 2, 3), (), (0, 5), (5, math.nan),
                ("1", "2"), [1, -1], {"connect": 1}, object()]  # fmt: skip
BAD_RETRIES = [-1, True, False, 1.0, 2.5, "3", math.nan, [1]]


BAD_OPTIONS = ([("timeout", value) for value in BAD_TIMEOUTS]
               + [("max_retries", value) for value in BAD_RETRIES])


@pytest.mark.parametrize("option, value", BAD_OPTIONS, ids=repr)
def test_bad_timeouts_and_retries_are_refused_everywhere(option: str, value: Any) -> None:
    for build in (
        lambda: Api(KEY, **{option: value}),
        lambda: Api(KEY).with_options(**{option: value}),
        lambda: scaleapi.ScaleClient(KEY, **{option: value}),
        lambda: scaleapi.ScaleClient(KEY).with_options(**{option: value}),
    ):
        with pytest.raises(ValueError, match=option) as info:
            build()
        assert isinstance(info.value, E.ScaleConfigurationError)


@pytest.mark.parametrize("timeout", [5, 2.5, (1, 30), [1, 30], (0.1, 1e5)])
def test_good_timeouts_are_accepted_and_used(timeout: Any) -> None:
    with ScriptedServer([ok()]) as srv:
        api = make_api(srv.url, [], timeout=timeout)
        assert api.request("GET", "tasks") == {"ok": True}
        assert api.with_options(timeout=timeout).request("GET", "tasks") == {"ok": True}


def test_zero_retries_is_accepted() -> None:
    assert Api(KEY, max_retries=0).policy.max_retries == 0
