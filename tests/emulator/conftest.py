"""Fixtures for the emulator tests: real HTTP with ``requests`` against an emulator on port 0.

* ``emulator``: one emulator for the session (fast callback retries);
* ``emu``: the same emulator, reset before the test;
* ``api`` / ``api_for``: a small JSON client bound to a key (test-mode ``test_…`` by default);
* ``receiver``: a loopback HTTP server that records callback POSTs and answers with scripted codes;
* ``client``: our SDK on the emulator with the test-mode key (its v2 base derived from the /v1 URL);
* ``v2http``: the small JSON client for ``/v2`` (Basic auth with the test-mode key);
* ``wire``: a raw ``/v2`` client (support.v2_emulator's ``V2Wire``) and ``scale``: our SDK without retries,
  both with the key ``v2_key`` gives: the test-mode key, unless a module overrides ``v2_key`` (the
  live-mode modules do, so that tasks stay pending until completed).
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from typing import Callable, Iterator, List, Optional

import pytest
from support.callback_receiver import Receiver
from support.emulator import LIVE_KEY, TEST_KEY, Api
from support.fixtures import emu
from support.v2_emulator import V2Wire, sdk_client

from scaleapi import ScaleClient
from scaleapi.emulator import Emulator

__all__ = ["emu"]  # support.fixtures' emu, on this tier's own emulator (fast callback retries)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The session's emulator."""
    with Emulator(callback_backoff=(0.01, 0.02, 0.04)) as server:
        yield server


@pytest.fixture
def api_for(emu: Emulator) -> Iterator[Callable[..., Api]]:
    """Factory of clients by key (None: no credentials) and API root (``v1`` unless given)."""
    made: List[Api] = []

    def make(key: Optional[str], root: str = "v1") -> Api:
        client = Api(f"{emu.base}/{root}", key)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def api(api_for: Callable[[Optional[str]], Api]) -> Api:
    """A test-mode client."""
    return api_for(TEST_KEY)


@pytest.fixture
def live(api_for: Callable[[Optional[str]], Api]) -> Api:
    """A live-mode client (tasks stay pending)."""
    return api_for(LIVE_KEY)


@pytest.fixture
def control(api_for: Callable[..., Api]) -> Api:
    """A client for the control API (no credentials)."""
    return api_for(None, "_emulator")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running loopback callback receiver."""
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[ScaleClient]:
    """Our SDK on the emulator, test-mode key (the v2 base is derived from its /v1 URL)."""
    with ScaleClient(api_key=TEST_KEY, api_instance_url=emu.url) as scale:
        yield scale


@pytest.fixture
def v2http(api_for: Callable[..., Api]) -> Api:
    """A plain JSON client for /v2 (Basic auth with the test-mode key)."""
    return api_for(TEST_KEY, "v2")


@pytest.fixture
def v2_key() -> str:
    """The key of ``wire`` and ``scale``: test mode here; a live-mode module overrides this fixture."""
    return TEST_KEY


@pytest.fixture
def wire(emu: Emulator, v2_key: str) -> Iterator[V2Wire]:
    """A raw /v2 client with ``v2_key``."""
    client = V2Wire(emu.base, v2_key)
    yield client
    client.close()


@pytest.fixture
def scale(emu: Emulator, v2_key: str) -> Iterator[ScaleClient]:
    """Our SDK without retries, with ``v2_key``."""
    with sdk_client(emu.url, v2_key) as client:
        yield client
