"""The tier fixtures, built once on the shipped pytest plugin (``scaleapi.emulator.pytest_plugin``).

A tier's conftest imports the ones it uses, and pytest finds them there:

* ``emulator``: the session's emulator, the plugin's ``scale_emulator_session`` (real HTTP on
  127.0.0.1); a tier that needs other emulator settings defines its own ``emulator`` instead;
* ``emu``: that emulator, reset for this test: no accounts, no tasks, no fault rules;
* ``recording_server`` / ``recorder``: a loopback server that records each request and answers from a
  function (the session's, then emptied for each test and answering 200 ``{}``).
"""
# pytest hands a fixture to its dependants as a parameter of its own name.
# pylint: disable=redefined-outer-name
from typing import Iterator

import pytest
from support.recording_server import RecordingServer

from scaleapi.emulator import Emulator


@pytest.fixture(scope="session")
def emulator(scale_emulator_session: Emulator) -> Emulator:
    """The session's emulator: the shipped plugin's ``scale_emulator_session``."""
    return scale_emulator_session


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The emulator, reset for this test (every account, task and fault rule forgotten)."""
    emulator.reset()
    return emulator


@pytest.fixture(scope="session")
def recording_server() -> Iterator[RecordingServer]:
    """The session's recording loopback server."""
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def recorder(recording_server: RecordingServer) -> RecordingServer:
    """The recording server, emptied, answering 200 ``{}`` until the test sets a responder."""
    recording_server.reset()
    return recording_server
