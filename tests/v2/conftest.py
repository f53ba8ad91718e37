"""Fixtures for the v2 endpoint tests (tests/v2/test_v2_api_*.py): a loopback server that records the
exact wire request, and a client of it."""
from typing import Iterator

import pytest
from support.recording_server import RecordingServer

V2_KEY = "test_v2wirekey"


@pytest.fixture(scope="session")
def wire_server() -> Iterator[RecordingServer]:
    """The session's recording server."""
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def wire(wire_server: RecordingServer) -> RecordingServer:
    """The recording server, emptied, answering 200 ``{}`` until the test sets a responder."""
    wire_server.reset()
    return wire_server


@pytest.fixture
def v2_client(wire: RecordingServer) -> Iterator[object]:
    """A ScaleClient of the recording server, without retries so every call is one request."""
    from scaleapi import ScaleClient  # pylint: disable=import-outside-toplevel

    with ScaleClient(api_key=V2_KEY, api_instance_url=wire.url, source="pytest", max_retries=0) as scale:
        yield scale
