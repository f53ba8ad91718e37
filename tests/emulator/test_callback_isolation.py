"""Callback delivery per destination: a hung receiver delays only its own callbacks, order is kept
per destination, the pool is bounded and shuts down cleanly; loopback names are never resolved."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import socket
import threading
import time
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest

from support.callback_receiver import Receiver
from support.emulator import IMAGE_TASK, OTHER_KEY, TEST_KEY, Api
from support.silent_listener import SilentListener
from support.waiting import wait_for, wait_until

from scaleapi.emulator import Emulator
from scaleapi.emulator.rules.callback_delivery import CallbackDispatcher, CallbackJob


class HungReceiver(SilentListener):
    """A loopback TCP server that accepts connections and never answers (nor closes them)."""

    def __init__(self) -> None:
        super().__init__(keep_open=True)

    def url(self, path: str = "/hang") -> str:
        """A URL on this receiver."""
        return f"{self.base}{path}"

    def wait_accepted(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` connections were accepted."""
        arrived = wait_for(lambda: len(self.accepted) >= count, timeout)
        assert arrived, f"expected {count} connections, got {len(self.accepted)}"


@pytest.fixture
def hung() -> Iterator[HungReceiver]:
    """A receiver that never answers."""
    server = HungReceiver()
    yield server
    server.close()


def _job(url: str, task_id: str) -> CallbackJob:
    return CallbackJob(kind="task", account="acct", url=url, body={"task_id": task_id}, task_id=task_id)


def test_a_hung_receiver_does_not_delay_another_accounts_callback(
    emu: Emulator, api: Api, api_for: Any, hung: HungReceiver, receiver: Receiver
) -> None:
    other = api_for(OTHER_KEY)
    # The hung receiver holds each attempt for the full delivery timeout (5 s, four attempts).
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": hung.url()})
    hung.wait_accepted(1)
    task = other.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": receiver.url()})
    (got,) = receiver.wait_for(1, timeout=3.0)  # one delivery thread would hold it for 20 s
    assert got["body"]["task_id"] == task["task_id"]
    wait_until(lambda: bool([r for r in emu.callbacks() if r["task_id"] == task["task_id"]]), timeout=3.0)
    assert not emu.wait_for_callbacks(0.05), "the hung delivery is still in progress"
    emu.reset()  # cuts the hung delivery off
    assert emu.wait_for_callbacks(3.0)
    assert TEST_KEY not in str(emu.callbacks())


def test_a_destination_keeps_its_order_through_retries(emu: Emulator, api: Api, receiver: Receiver) -> None:
    receiver.script = [500, 503]
    ids = [
        api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": receiver.url()})["task_id"]
        for _ in range(4)
    ]
    got = receiver.wait_for(6)
    assert [item["body"]["task_id"] for item in got] == [ids[0]] * 3 + ids[1:]
    assert emu.wait_for_callbacks()
    assert [record["task_id"] for record in emu.callbacks()] == ids


def _workers() -> Set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "scale-emulator-callbacks"}


def test_callbacks_behind_a_hung_receiver_wait_for_it(hung: HungReceiver, receiver: Receiver) -> None:
    before = _workers()
    dispatcher = CallbackDispatcher("cb-key", backoff=(), timeout=30.0)
    dispatcher.start()
    try:
        dispatcher.submit(_job(hung.url("/1"), "first"))
        dispatcher.submit(_job(hung.url("/2"), "second"))
        dispatcher.submit(_job(receiver.url("/ok"), "healthy"))
        assert receiver.wait_for(1, timeout=3.0)[0]["body"] == {"task_id": "healthy"}
        hung.wait_accepted(1)
        time.sleep(0.2)  # deliberate: a bounded look for a second connection that must not come
        assert len(hung.accepted) == 1, "the second callback waits behind the first, in order"
        assert not dispatcher.wait_idle(0.05)
        workers = _workers() - before
        assert workers
    finally:
        dispatcher.close(timeout=5.0)
    # close() cut the hung delivery off instead of waiting out its 30 s timeout.
    assert not [worker for worker in workers if worker.is_alive()]
    assert dispatcher.wait_idle(0.1)


def test_the_worker_pool_is_bounded() -> None:
    receivers = [HungReceiver() for _ in range(5)]
    before = _workers()
    dispatcher = CallbackDispatcher("cb-key", backoff=(), timeout=30.0, max_workers=2)
    dispatcher.start()
    try:
        for n, server in enumerate(receivers):
            dispatcher.submit(_job(server.url(), f"t{n}"))
        wait_until(lambda: sum(len(server.accepted) for server in receivers) >= 2)
        time.sleep(0.2)  # deliberate: a bounded look for a third worker that must not start
        assert len(_workers() - before) == 2
        assert sum(len(server.accepted) for server in receivers) == 2
    finally:
        dispatcher.close(timeout=5.0)
        for server in receivers:
            server.close()
    assert dispatcher.wait_idle(0.1)


def test_the_queue_is_bounded(hung: HungReceiver) -> None:
    results: List[Any] = []
    dispatcher = CallbackDispatcher(
        "cb-key", backoff=(), timeout=30.0, max_pending=2,
        on_result=lambda job, delivered: results.append((job.task_id, delivered)),
    )
    dispatcher.start()
    try:
        dispatcher.submit(_job(hung.url(), "in-flight"))
        hung.wait_accepted(1)
        for name in ("queued-1", "queued-2", "overflow"):
            dispatcher.submit(_job(hung.url(), name))
        assert results == [("overflow", False)]
        (record,) = dispatcher.records()
        assert record["task_id"] == "overflow" and "queue is full" in record["reason"]
    finally:
        dispatcher.close(timeout=5.0)


def _deliver_one(
    monkeypatch: pytest.MonkeyPatch, key: str, callback_url: str
) -> Tuple[Dict[str, Any], List[str]]:
    """Create one task with ``callback_url`` on a fresh emulator; its delivery record once the queue is
    drained, and every name looked up meanwhile (``socket.getaddrinfo`` is spied on)."""
    looked_up: List[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def spy(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    with Emulator() as emu:
        client = Api(emu.url, key)
        monkeypatch.setattr(socket, "getaddrinfo", spy)
        try:
            client.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "callback_url": callback_url})
            assert emu.wait_for_callbacks()
            (record,) = emu.callbacks()
        finally:
            monkeypatch.undo()
            client.close()
    return record, looked_up


@pytest.mark.parametrize("name", ["hooks.localhost", "localhost.", "LocalHost.", "hooks.localhost."])
def test_a_localhost_name_with_a_trailing_dot_is_connected_without_a_lookup(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """``localhost`` and ``*.localhost`` callbacks, trailing dot or not, go to 127.0.0.1 directly:
    the name is never resolved (no DNS), and it still goes in the Host header."""
    port = receiver.server.server_address[1]
    record, looked_up = _deliver_one(monkeypatch, "test_trailing_dot", f"http://{name}:{port}/cb")
    (received,) = receiver.wait_for(1)
    assert record["delivered"] is True
    assert received["path"] == "/cb"
    assert received["headers"]["Host"] == f"{name.lower()}:{port}"
    assert not [host for host in looked_up if "localhost" in host.lower()], looked_up


@pytest.mark.parametrize("host", ["127.0.0.1.", "localhost..", "a..localhost", "localhost.localdomain"])
def test_names_that_need_a_resolver_are_never_contacted(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    port = receiver.server.server_address[1]
    record, looked_up = _deliver_one(monkeypatch, "test_needs_dns", f"http://{host}:{port}/cb")
    assert record["delivered"] is False and "not allowed" in record["reason"]
    assert not receiver.received
    assert looked_up == [h for h in looked_up if h == "127.0.0.1"], looked_up
