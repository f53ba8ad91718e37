"""Callbacks: delivery to a loopback receiver, retries, refusal of other hosts, batch callbacks,
and the lifecycle policy that completes live tasks."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import socket
import time
from typing import Any, Callable, List, Optional

import pytest

from support.callback_receiver import Receiver
from support.emulator import IMAGE_TASK, Api
from support.waiting import wait_until

from scaleapi.emulator import Emulator
from scaleapi._net import loopback_address
from scaleapi.emulator.rules.callback_delivery import destination_of, destination_problem, is_loopback_host


def test_completed_task_callback_reaches_a_loopback_receiver(
    emu: Emulator, api: Api, receiver: Receiver
) -> None:
    body = {**IMAGE_TASK, "callback_url": receiver.url("/cb?x=1")}
    task = api.ok("POST", "task/imageannotation", json=body)
    (got,) = receiver.wait_for(1)
    assert got["path"] == "/cb?x=1"
    assert got["headers"]["scale-callback-auth"] == emu.callback_auth_key
    assert got["headers"]["Content-Type"] == "application/json"
    body = got["body"]
    assert body["task_id"] == task["task_id"] and body["status"] == "completed"
    assert body["response"] == task["response"] and body["task"]["task_id"] == task["task_id"]
    assert emu.wait_for_callbacks()
    assert api.ok("GET", f"task/{task['task_id']}")["callback_succeeded"] is True
    (record,) = emu.callbacks()
    assert record["delivered"] is True and record["status_code"] == 200 and record["attempts"] == 1


def test_non_2xx_is_retried_then_recorded(emu: Emulator, api: Api, receiver: Receiver) -> None:
    receiver.script = [500, 503]
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": receiver.url()})
    receiver.wait_for(3)
    assert emu.wait_for_callbacks()
    (record,) = emu.callbacks()
    assert record["delivered"] is True and record["attempts"] == 3
    assert [a["status_code"] for a in record["attempt_log"]] == [500, 503, 200]
    assert api.ok("GET", f"task/{task['task_id']}")["callback_succeeded"] is True
    receiver.script = [500] * 10
    failing = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": receiver.url()})
    assert emu.wait_for_callbacks()
    last = emu.callbacks()[-1]
    assert last["delivered"] is False and last["attempts"] == 4 and "HTTP 500" in last["reason"]
    assert api.ok("GET", f"task/{failing['task_id']}")["callback_succeeded"] is False


@pytest.mark.parametrize("url", [
    "http://10.255.255.1/cb",
    "http://example.invalid/cb",
    "https://www.example.com/callback",
    "http://127.0.0.1.nip.io/cb",
    "http://2130706433/cb",
    "http://[fe80::1]/cb",
])
def test_other_hosts_are_never_contacted(
    emu: Emulator, api: Api, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    attempts: List[Any] = []
    real_connect = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def spy_connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(("connect", address))
        return real_connect(address, *args, **kwargs)

    def spy_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(("resolve", host))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy_connect)
    monkeypatch.setattr(socket, "getaddrinfo", spy_getaddrinfo)
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": url})
    assert emu.wait_for_callbacks()
    (record,) = emu.callbacks()
    assert record["delivered"] is False and record["attempts"] == 0
    assert "not allowed" in record["reason"]
    assert api.ok("GET", f"task/{task['task_id']}")["callback_succeeded"] is False
    # Only the test client's own connections to the emulator, on loopback.
    assert all(target in ("127.0.0.1", ("127.0.0.1", emu.port)) for _kind, target in attempts), attempts


def test_email_callbacks_are_recorded_not_sent(emu: Emulator, api: Api) -> None:
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": "ops@example.com"})
    assert emu.wait_for_callbacks()
    (record,) = emu.callbacks()
    assert record["delivered"] is False and "email" in record["reason"]


def test_allow_listed_host_is_contacted(receiver: Receiver) -> None:
    port = receiver.server.server_address[1]
    # "localhost" is loopback anyway; allow-listing a name proves the list is consulted.
    with Emulator(allow_callback_hosts=["LocalHost"]) as emu:
        client = Api(emu.url, "test_allow")
        try:
            client.ok("POST", "task/imageannotation",
                      json={**IMAGE_TASK, "callback_url": f"http://localhost:{port}/allowed"})
            assert receiver.wait_for(1)[0]["path"] == "/allowed"
        finally:
            client.close()
    assert destination_problem("http://partner.test/cb", {"partner.test"}) is None
    assert destination_problem("http://partner.test/cb", set()) == "host not allowed: partner.test"
    assert destination_problem("ftp://127.0.0.1/cb", set()) == "invalid callback URL"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("api.localhost", True), ("LOCALHOST.", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("192.168.1.1", False), ("example.com", False), ("localhost.example.com", False),
    ("0.0.0.0", False), ("169.254.169.254", False),
    ("localhost.", True), ("a.b.localhost.", True), ("[::ffff:127.0.0.1]", True),
    ("127.0.0.1.", False), ("localhost..", False), ("a..localhost", False), (".localhost", False),
    ("-a.localhost", False), ("a b.localhost", False), ("", False), ("[]", False),
])
def test_loopback_check_without_dns(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(("host", "address"), [
    ("localhost", "127.0.0.1"), ("LOCALHOST.", "127.0.0.1"), ("hooks.localhost", "127.0.0.1"),
    ("127.8.9.10", "127.8.9.10"), ("[::1]", "::1"), ("::ffff:127.0.0.2", "127.0.0.2"),
    ("127.0.0.1.", None), ("example.com", None), (None, None),
])
def test_loopback_address_is_what_a_callback_connects_to(host: Optional[str], address: Optional[str]) -> None:
    assert loopback_address(host) == address
    assert is_loopback_host(host) is (address is not None)


def test_allow_listed_names_match_with_or_without_a_trailing_dot() -> None:
    assert destination_problem("http://Partner.Test./cb", {"partner.test"}) is None
    assert destination_of("http://LOCALHOST.:8080/x") == ("127.0.0.1", 8080)
    assert destination_of("https://partner.test./x") == ("partner.test", 443)


def test_callbacks_on_live_completion_failure_and_audit(emu: Emulator, live: Api, receiver: Receiver) -> None:
    url = receiver.url()
    first = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": url})
    second = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": url})
    assert emu.wait_for_callbacks(timeout=5)  # anything queued by the creates has been delivered by now
    assert not receiver.received, "pending live tasks send no callback"
    emu.complete_task(first["task_id"], {"annotations": ["done"]})
    emu.fail_task(second["task_id"], "unreadable attachment")
    got = receiver.wait_for(2)
    by_id = {item["body"]["task_id"]: item["body"] for item in got}
    assert by_id[first["task_id"]]["response"] == {"annotations": ["done"]}
    assert by_id[second["task_id"]]["status"] == "error"
    assert by_id[second["task_id"]]["error"] == "unreadable attachment"
    live.ok("POST", f"task/{first['task_id']}/audit", json={"accepted": True, "comments": None})
    audit = receiver.wait_for(3)[2]["body"]
    assert audit["task"]["customer_review_status"] == "accepted"


def test_batch_callback_when_all_tasks_are_done(emu: Emulator, live: Api, receiver: Receiver) -> None:
    live.ok("POST", "projects", json={"type": "imageannotation", "name": "p"})
    live.ok("POST", "batches", json={"project": "p", "name": "b", "callback": receiver.url("/batch")})
    in_batch = {**IMAGE_TASK, "batch": "b"}
    ids = [live.ok("POST", "task/imageannotation", json=in_batch)["task_id"] for _ in range(2)]
    emu.complete_task(ids[0])
    assert emu.wait_for_callbacks() and not receiver.received
    live.ok("POST", f"task/{ids[1]}/cancel")
    (got,) = receiver.wait_for(1)
    assert got["path"] == "/batch" and got["body"]["batch"]["name"] == "b"
    assert got["body"]["status"] == "completed"
    assert got["headers"]["scale-callback-auth"] == emu.callback_auth_key
    assert emu.wait_for_callbacks()
    assert live.ok("GET", "batches/b")["callback_succeeded"] is True


def test_lifecycle_policy_completes_live_tasks(
    emu: Emulator, live: Api, api: Api, receiver: Receiver
) -> None:
    emu.set_lifecycle(complete_after=0.1)
    task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": receiver.url()})
    assert task["status"] == "pending"
    (got,) = receiver.wait_for(1, timeout=5)
    assert got["body"]["task_id"] == task["task_id"] and got["body"]["status"] == "completed"
    refreshed = live.ok("GET", f"task/{task['task_id']}")
    assert refreshed["status"] == "completed" and refreshed["response"]["annotations"]
    emu.set_lifecycle(None)
    later = live.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    time.sleep(0.3)  # deliberate: three times the cleared policy's delay, and the task stays pending
    assert live.ok("GET", f"task/{later['task_id']}")["status"] == "pending"
    assert api.ok("GET", "teams")


def test_complete_after_at_construction(api_for: Callable[[Optional[str]], Api]) -> None:
    del api_for
    with Emulator(complete_after=0.05) as emu:
        client = Api(emu.url, "live_lifecycle")
        try:
            task = client.ok("POST", "task/imageannotation", json=IMAGE_TASK)
            wait_until(lambda: client.ok("GET", f"task/{task['task_id']}")["status"] == "completed")
        finally:
            client.close()


def test_reset_drops_records_and_pending_state(emu: Emulator, api: Api) -> None:
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": "http://example.invalid/x"})
    assert emu.wait_for_callbacks() and emu.callbacks()
    emu.reset()
    assert emu.callbacks() == [] and emu.requests() == []
