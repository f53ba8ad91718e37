"""Fixtures of the long-work and CLI tests (tests/longwork, tests/cli); their conftests import them.

One emulator serves the session (the shipped pytest plugin's; real HTTP on 127.0.0.1) with the emulator's
fault-injection layer in front of it; every test starts from an empty emulator with no fault rules.
"""

# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
from typing import Any, Iterator

import pytest

from support.longwork import LIVE_KEY, PROJECT, TEST_KEY, Client


@pytest.fixture(scope="session")
def emulator_session(scale_emulator_session: Any) -> Any:
    """The session's emulator, the shipped plugin's (fault rules are added with ``emu.add_fault``)."""
    return scale_emulator_session


@pytest.fixture
def emu(scale_emulator: Any) -> Any:
    """The emulator, reset (the plugin's ``scale_emulator``), with no fault rules."""
    scale_emulator.clear_faults()
    return scale_emulator


@pytest.fixture
def client(emu: Any) -> Iterator[Client]:
    """A test-mode client (tasks complete at creation) with the test project created."""
    scale = Client(TEST_KEY, source="pytest-scale", api_instance_url=emu.url)
    scale.create_project(PROJECT, "imageannotation")
    yield scale
    scale.close()


@pytest.fixture
def live_client(emu: Any) -> Iterator[Client]:
    """A live-mode client (tasks stay pending) with the test project created."""
    scale = Client(LIVE_KEY, source="pytest-scale", api_instance_url=emu.url)
    scale.create_project(PROJECT, "imageannotation")
    yield scale
    scale.close()
