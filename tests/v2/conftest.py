"""Fixtures for the v2 endpoint tests (tests/v2/test_v2_api_*.py): a loopback server that records the
exact wire request (support.fixtures' recording server, named ``wire`` here), and a client of it."""
# pytest hands a fixture to its dependants as a parameter of its own name.
# pylint: disable=redefined-outer-name
from typing import Iterator

import pytest
from support.fixtures import recorder, recording_server
from support.recording_server import RecordingServer

from scaleapi import ScaleClient

__all__ = ["recorder", "recording_server"]  # the shared fixtures this tier uses

V2_KEY = "test_v2wirekey"


@pytest.fixture
def wire(recorder: RecordingServer) -> RecordingServer:
    """The recording server, emptied, answering 200 ``{}`` until the test sets a responder."""
    return recorder


@pytest.fixture
def v2_client(wire: RecordingServer) -> Iterator[ScaleClient]:
    """A ScaleClient of the recording server, without retries so every call is one request."""
    with ScaleClient(api_key=V2_KEY, api_instance_url=wire.url, source="pytest", max_retries=0) as scale:
        yield scale
