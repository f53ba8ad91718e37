"""Fixtures for the SDK tests.

* ``emulator``: one local Scale emulator for the whole session (real HTTP on 127.0.0.1), reset before
  every test that uses ``emu``/``client``.
* ``client``: a ``ScaleClient`` with a ``test_`` key (test mode: tasks complete at creation).
* ``live_client``: a ``live_`` key (tasks stay pending, so they can be canceled).
* ``recorder``/``wire_client``: a loopback server that records requests and answers from a function,
  for exact wire checks and for pages the emulator would never send.

The emulator comes from the emulator's own pytest plugin (``scale_emulator_session``/``scale_emulator``);
the clients are this tier's own, with its keys.
"""
from typing import Any, Callable, Iterator

import pytest
from support.recording_server import RecordingServer
from support.sdk import LIVE_KEY, TEST_KEY, image_task_payload

from scaleapi import ScaleClient, TaskType


@pytest.fixture(scope="session")
def emulator(scale_emulator_session: Any) -> Any:
    """The session's emulator: the shipped plugin's ``scale_emulator_session``."""
    return scale_emulator_session


@pytest.fixture
def emu(scale_emulator: Any) -> Any:
    """The emulator, reset to a clean state for this test (the plugin's ``scale_emulator``)."""
    return scale_emulator


@pytest.fixture
def client(emu: Any) -> Iterator[ScaleClient]:
    """A test-mode client on the emulator."""
    with ScaleClient(api_key=TEST_KEY, api_instance_url=emu.url, source="pytest") as scale:
        yield scale


@pytest.fixture
def live_client(emu: Any) -> Iterator[ScaleClient]:
    """A live-mode client on the emulator (tasks stay pending)."""
    with ScaleClient(api_key=LIVE_KEY, api_instance_url=emu.url) as scale:
        yield scale


@pytest.fixture(scope="session")
def recording_server() -> Iterator[RecordingServer]:
    """The session's recording loopback server."""
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def recorder(recording_server: RecordingServer) -> RecordingServer:
    """The recording server, emptied, answering ``{}`` until the test sets ``responder``."""
    recording_server.reset()
    return recording_server


@pytest.fixture
def wire_client(recorder: RecordingServer) -> Iterator[ScaleClient]:
    """A client of the recording server, without retries so every call is one request."""
    with ScaleClient(api_key=TEST_KEY, api_instance_url=recorder.url, max_retries=0) as scale:
        yield scale


@pytest.fixture
def project(client: ScaleClient) -> str:
    """An imageannotation project's name, created on the emulator."""
    return client.create_project("sdk project", TaskType.ImageAnnotation).name


@pytest.fixture
def make_task(client: ScaleClient, project: str) -> Callable[..., Any]:
    """Create an imageannotation task in ``project`` (overrides go into the payload)."""

    def make(**overrides: Any) -> Any:
        payload = image_task_payload(**{"project": project, **overrides})
        return client.create_task(TaskType.ImageAnnotation, **payload)

    return make
