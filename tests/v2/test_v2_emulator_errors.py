"""v2 errors from a real emulator: each status in both exception families; a transport failure; a timeout.

Every error the emulator answers on /v2 must arrive as the v2 class of its status (from
``scaleapi.api_client.v2.exceptions``, with ``status``, ``reason``, ``body``, ``headers`` and ``data``)
that is also the matching ``ScaleException``; a refused connection and a client-side timeout on a v2
call are the SDK's transport errors, never urllib3's or requests'.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
import json
import socket
import time
from typing import Any, Callable, Iterator, Type

import pytest
from support.v2_world import V2World, build_world
from support.waiting import wait_until

import scaleapi
from scaleapi import ScaleClient
from scaleapi.api_client.v2 import exceptions as v2exc
from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
from scaleapi.emulator import Emulator

KEY = "test_v2_emulator_errors"


@pytest.fixture(scope="module")
def emulator(scale_emulator_session: Emulator) -> Emulator:
    """The session's emulator (the plugin's; nothing resets it within this module)."""
    return scale_emulator_session


@pytest.fixture(scope="module")
def world(emulator: Emulator) -> V2World:
    """The v2 world on it."""
    return build_world(emulator, KEY, tasks=2)


@pytest.fixture
def client(world: V2World) -> Iterator[ScaleClient]:
    """Our client of the world's account, without retries."""
    with world.client(max_retries=0) as scale:
        yield scale


def _cancelled_batch(world: V2World, client: ScaleClient) -> str:
    batch = client.v2.create_batch(CreateBatchRequest(name=world.unique("c"), project_name=world.project))
    client.v2.cancel_batch(BatchOperationRequest(batch_id=batch.id))
    return str(batch.id)


#: (status, v2 class, ScaleException class, a call that makes the emulator answer that status)
CASES = [
    (400, v2exc.BadRequestException, scaleapi.ScaleInvalidRequest,
     lambda w, c: c.v2.get_batch()),  # neither id nor name
    (400, v2exc.BadRequestException, scaleapi.ScaleInvalidRequest,
     lambda w, c: c.v2.resume_batch(BatchOperationRequest(batch_id=_cancelled_batch(w, c)))),
    (401, v2exc.UnauthorizedException, scaleapi.ScaleUnauthorized,
     lambda w, c: c.v2.get_projects(_request_auth={"in": "header", "key": "Authorization",
                                                   "value": "Bearer not-a-scale-key"})),
    (404, v2exc.NotFoundException, scaleapi.ScaleResourceNotFound,
     lambda w, c: c.v2.get_task("0" * 24)),
    (404, v2exc.NotFoundException, scaleapi.ScaleResourceNotFound,
     lambda w, c: c.v2.get_project(project_name="no such project")),
    (409, v2exc.ConflictException, scaleapi.ScaleDuplicateResource,
     lambda w, c: c.v2.create_batch(CreateBatchRequest(name=w.batch, project_name=w.project))),
]


@pytest.mark.parametrize("status, v2_class, scale_class, call", CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_error_status_in_both_families(status: int, v2_class: Type[Exception], scale_class: Type[Exception],
                                       call: Callable[[V2World, ScaleClient], Any], world: V2World,
                                       client: ScaleClient) -> None:
    """The emulator's error answer is the v2 class of its status and the matching ScaleException."""
    with pytest.raises(v2_class) as caught:
        call(world, client)
    err: Any = caught.value
    assert isinstance(err, scale_class) and isinstance(err, v2exc.ApiException)
    assert isinstance(err, scaleapi.ScaleException)
    assert err.status == status and err.code == status
    assert isinstance(err.reason, str) and err.reason
    assert err.headers is not None and err.body is not None
    assert "application/json" in {k.lower(): v for k, v in err.headers.items()}["content-type"]
    body = json.loads(err.body)
    assert body["status_code"] == status and isinstance(body["error"], str) and body["error"]
    assert err.data is None  # only 500 (everywhere) and get_schema's 400/404 have error models
    assert KEY not in str(err) and KEY not in repr(err.args)


def test_error_model_of_get_schema(world: V2World, client: ScaleClient) -> None:
    """get_schema's 404 carries its error model in ``data``."""
    del world
    with pytest.raises(v2exc.NotFoundException) as caught:
        client.v2.get_schema("no-such-schema")
    err: Any = caught.value
    assert isinstance(caught.value, scaleapi.ScaleResourceNotFound)
    assert type(err.data).__name__ == "GetSchema404Response" and err.data.status_code == 404


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _transport_failure(kind: Type[Exception], scale: ScaleClient, call: Callable[[ScaleClient], Any]) -> None:
    """``call`` raises ``kind``, a ScaleTransportError and no v2 HTTP error, within a bounded wait."""
    started = time.monotonic()
    with pytest.raises(kind) as caught:
        call(scale)
    assert time.monotonic() - started < 20  # bounded: no hang
    assert isinstance(caught.value, scaleapi.ScaleTransportError)
    assert not isinstance(caught.value, v2exc.ApiException)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.args)


def test_refused_connection_is_a_scale_connection_error() -> None:
    """A closed loopback port: ScaleConnectionError, not a urllib3 or requests exception."""
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with ScaleClient(api_key=KEY, api_instance_url=url, max_retries=0) as scale:
        _transport_failure(scaleapi.ScaleConnectionError, scale, lambda c: c.v2.get_projects())


def test_refused_connection_in_a_generator_is_a_scale_connection_error() -> None:
    """The same from a v2 generator once its retry budget is spent."""
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with ScaleClient(api_key=KEY, api_instance_url=url, max_retries=0, retry_budget=0) as scale:
        with pytest.raises(scaleapi.ScaleConnectionError):
            next(scale.v2_get_tasks(project_name="p"))


def _served(emulator: Emulator, path: str, since: float) -> int:
    """How many requests for ``path`` made from ``since`` (epoch seconds) the emulator has answered."""
    return sum(entry["path"] == path and entry["time"] >= since for entry in emulator.requests())


def test_slow_answer_is_a_client_timeout(emulator: Emulator, world: V2World) -> None:
    """An answer delayed by a fault rule past the client's timeout: ScaleClientTimeout."""
    rule = emulator.add_fault(method="GET", path="/v2/projects", action="delay", delay_ms=3000, count=1)
    since = time.time()
    try:
        with world.client(max_retries=0, timeout=0.5) as scale:
            _transport_failure(scaleapi.ScaleClientTimeout, scale, lambda c: c.v2.get_projects())
            fired = {r["id"]: r["fired"] for r in emulator.faults()}
            assert fired[rule["id"]] == 1
        # The delayed answer is still on its way: let it finish here, not in the log of the next test.
        wait_until(lambda: _served(emulator, "/v2/projects", since) == 1, timeout=10)
    finally:
        emulator.clear_faults()


def test_per_call_timeout_on_a_v2_call(emulator: Emulator, world: V2World) -> None:
    """``_request_timeout`` applies to one call; the next call has the client's timeout."""
    emulator.add_fault(method="GET", path="/v2/project", action="delay", delay_ms=3000, count=1)
    since = time.time()
    try:
        with world.client(max_retries=0) as scale:
            _transport_failure(scaleapi.ScaleClientTimeout, scale,
                               lambda c: c.v2.get_project(project_name=world.project, _request_timeout=0.5))
            assert scale.v2.get_project(project_name=world.project).name == world.project
        wait_until(lambda: _served(emulator, "/v2/project", since) == 2, timeout=10)  # the delayed one too
    finally:
        emulator.clear_faults()
