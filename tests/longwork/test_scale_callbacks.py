"""Callback verification and parsing, and the example receiver fed by the emulator's real callbacks."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import importlib.util
import json
import threading
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import requests

from support.longwork import Client, payload
from scaleapi.callbacks import (
    InvalidCallback,
    callback_auth_from_headers,
    parse_callback,
    verify_callback_auth,
)
from scaleapi.exceptions import ScaleInvalidRequest
from scaleapi.tasks import Task

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "callback_receiver.py"

TASK = {"task_id": "t1", "status": "completed", "type": "imageannotation", "params": {}}


def test_verify_callback_auth() -> None:
    """Verify callback auth."""
    assert verify_callback_auth("s3cret", "s3cret")
    assert not verify_callback_auth("s3cret ", "s3cret")
    assert not verify_callback_auth("S3cret", "s3cret")
    assert not verify_callback_auth(None, "s3cret")
    assert not verify_callback_auth("", "")  # an unset key must not accept everything
    assert verify_callback_auth("clé-ü", "clé-ü")  # non-ASCII keys compare as UTF-8 bytes


def test_header_lookup_is_case_insensitive() -> None:
    """Header lookup is case insensitive."""
    assert callback_auth_from_headers({"Scale-Callback-Auth": "k"}) == "k"
    assert callback_auth_from_headers({"scale-callback-auth": "k"}) == "k"
    assert callback_auth_from_headers({"other": "k"}) is None


def test_parse_the_envelope_a_bare_task_and_decoded_json() -> None:
    """Parse the envelope a bare task and decoded json."""
    envelope = {"task": dict(TASK), "response": {"annotations": [1]}, "task_id": "t1"}
    task = parse_callback(json.dumps(envelope).encode())
    assert isinstance(task, Task) and task.id == "t1" and task.status == "completed"
    assert task.response == {"annotations": [1]}  # filled in from the envelope
    assert parse_callback(json.dumps(TASK)).id == "t1"
    assert parse_callback(envelope).id == "t1"
    assert parse_callback({"task": {"status": "error"}, "task_id": "t9"}).id == "t9"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe", b"[1, 2]", b'{"task": "t1"}', b'{"status": "completed"}',
     b'{"task": {"task_id": "t1"}, "task_id": "t2"}', b"{}"],
)
def test_malformed_bodies_raise_a_clear_error(body: bytes) -> None:
    """Malformed bodies raise a clear error."""
    with pytest.raises(InvalidCallback) as caught:
        parse_callback(body)
    assert isinstance(caught.value, ScaleInvalidRequest) and isinstance(caught.value, ValueError)


def _load_example() -> Any:
    """Import examples/callback_receiver.py by path."""
    spec = importlib.util.spec_from_file_location("callback_receiver_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def receiver(emu: Any) -> Iterator[Any]:
    """The example receiver on a free loopback port, keyed with the emulator's callback key."""
    module = _load_example()
    received: List[Task] = []
    server = module.make_server(emu.callback_auth_key, on_task=received.append)
    server.received = received
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_example_receiver_gets_the_emulators_callbacks(client: Client, emu: Any, receiver: Any) -> None:
    """The example receiver gets the emulators callbacks."""
    url = f"http://127.0.0.1:{receiver.server_address[1]}/scale-callback"
    created = client.create_tasks("imageannotation", [payload(i, callback_url=url) for i in range(3)])
    assert created.ok
    assert emu.wait_for_callbacks(10)
    assert sorted(task.id for task in receiver.received) == sorted(t.id for t in created.succeeded)
    assert all(task.as_dict()["status"] == "completed" for task in receiver.received)


def test_the_example_receiver_refuses_bad_keys_and_bodies(emu: Any, receiver: Any) -> None:
    """The example receiver refuses bad keys and bodies."""
    url = f"http://127.0.0.1:{receiver.server_address[1]}/"
    assert requests.post(url, data=json.dumps(TASK), timeout=5).status_code == 401
    wrong = {"scale-callback-auth": "wrong"}
    assert requests.post(url, data=json.dumps(TASK), headers=wrong, timeout=5).status_code == 401
    right = {"scale-callback-auth": emu.callback_auth_key}
    assert requests.post(url, data=b"[]", headers=right, timeout=5).status_code == 400
    assert requests.post(url, data=json.dumps({"task": TASK}), headers=right, timeout=5).status_code == 200
    assert [task.id for task in receiver.received] == ["t1"]
