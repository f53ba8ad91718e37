"""Fixtures for the SDK tests.

* ``emulator``: one local Scale emulator for the whole session (real HTTP on 127.0.0.1), reset before
  every test that uses ``emu``/``client``.
* ``client``: a ``ScaleClient`` with a ``test_`` key (test mode: tasks complete at creation).
* ``live_client``: a ``live_`` key (tasks stay pending, so they can be canceled).
* ``recorder``/``wire_client``: a loopback server that records requests and answers from a function,
  for exact wire checks and for pages the emulator would never send.

``emulator``, ``emu`` and the recording server are the shared ones of support.fixtures (on the emulator's
own pytest plugin); the clients are this tier's own, with its keys.
"""
from typing import Any, Callable, Iterator

import pytest
from support.fixtures import emu, emulator, recorder, recording_server
from support.recording_server import RecordingServer
from support.sdk import LIVE_KEY, TEST_KEY, image_task_payload

from scaleapi import ScaleClient, TaskType

__all__ = ["emu", "emulator", "recorder", "recording_server"]  # the shared fixtures this tier uses


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
