"""Fixtures for the emulator tests: real HTTP with ``requests`` against an emulator on port 0.

* ``emulator``: one emulator for the session (fast callback retries);
* ``emu``: the same emulator, reset before the test;
* ``api`` / ``api_for``: a small JSON client bound to a key (test-mode ``test_…`` by default);
* ``receiver``: a loopback HTTP server that records callback POSTs and answers with scripted codes;
* ``client``: our SDK on the emulator with the test-mode key (its v2 base derived from the /v1 URL);
* ``v2http``: the small JSON client for ``/v2`` (Basic auth with the test-mode key);
* ``wire`` / ``live_wire``: a raw ``/v2`` client (support.v2_emulator's ``V2Wire``) with the test-mode /
  live-mode key; ``scale`` / ``live_scale``: our SDK without retries, with the same keys.
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
def api_for(emu: Emulator) -> Iterator[Callable[[Optional[str]], Api]]:
    """Factory of clients by key (None: no credentials)."""
    made: List[Api] = []

    def make(key: Optional[str]) -> Api:
        client = Api(emu.url, key)
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
def control(api_for: Callable[[Optional[str]], Api], emu: Emulator) -> Api:
    """A client for the control API (no credentials)."""
    client = api_for(None)
    client.base = f"{emu.base}/_emulator"
    return client


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
def v2http(api_for: Callable[[Optional[str]], Api], emu: Emulator) -> Api:
    """A plain JSON client for /v2 (Basic auth with the test-mode key)."""
    plain = api_for(TEST_KEY)
    plain.base = f"{emu.base}/v2"
    return plain


def _wire_of(emu: Emulator, key: str) -> Iterator[V2Wire]:
    client = V2Wire(emu.base, key)
    yield client
    client.close()


def _scale_of(emu: Emulator, key: str) -> Iterator[ScaleClient]:
    with sdk_client(emu.url, key) as client:
        yield client


@pytest.fixture
def wire(emu: Emulator) -> Iterator[V2Wire]:
    """A raw /v2 client with the test-mode key."""
    yield from _wire_of(emu, TEST_KEY)


@pytest.fixture
def live_wire(emu: Emulator) -> Iterator[V2Wire]:
    """A raw /v2 client with the live-mode key (tasks stay pending until completed)."""
    yield from _wire_of(emu, LIVE_KEY)


@pytest.fixture
def scale(emu: Emulator) -> Iterator[ScaleClient]:
    """Our SDK without retries, test-mode key."""
    yield from _scale_of(emu, TEST_KEY)


@pytest.fixture
def live_scale(emu: Emulator) -> Iterator[ScaleClient]:
    """Our SDK without retries, live-mode key."""
    yield from _scale_of(emu, LIVE_KEY)
