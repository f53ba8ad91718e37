"""Fixtures of the long-work and CLI tests (tests/longwork, tests/cli); their conftests import them.

``emu`` is support.fixtures' (the shipped pytest plugin's emulator, real HTTP on 127.0.0.1, reset for
each test: no accounts and no fault rules); the clients have the test project created.
"""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
from typing import Iterator

import pytest
from support.fixtures import emu, emulator
from support.longwork import LIVE_KEY, PROJECT, TEST_KEY, Client

from scaleapi.emulator import Emulator

__all__ = ["client", "emu", "emulator", "live_client"]


def _client_with_project(key: str, emu: Emulator) -> Iterator[Client]:
    scale = Client(key, source="pytest-scale", api_instance_url=emu.url)
    scale.create_project(PROJECT, "imageannotation")
    yield scale
    scale.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[Client]:
    """A test-mode client (tasks complete at creation) with the test project created."""
    yield from _client_with_project(TEST_KEY, emu)


@pytest.fixture
def live_client(emu: Emulator) -> Iterator[Client]:
    """A live-mode client (tasks stay pending) with the test project created."""
    yield from _client_with_project(LIVE_KEY, emu)
