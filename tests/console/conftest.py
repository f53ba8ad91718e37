"""Fixtures for the console tests.

* ``console_emulator`` / ``emu``: one emulator for the session (fast callback retries), reset per test;
* ``page``: a small HTTP client of the console that keeps the last page's token;
* ``browser``: one headless Chromium for the whole session (selenium with the system chromedriver);
  the browser tests skip, saying what to install, when Chromium, chromedriver or selenium is missing.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from typing import Any, Iterator

import pytest
from support.browser import BrowserSession, browser_problem, start_browser
from support.callback_receiver import Receiver
from support.console import ConsolePage

from scaleapi.emulator import Emulator


@pytest.fixture(scope="session")
def console_emulator() -> Iterator[Emulator]:
    """The session's emulator."""
    with Emulator(callback_backoff=(0.01, 0.02, 0.04)) as emulator:
        yield emulator


@pytest.fixture
def emu(console_emulator: Emulator) -> Emulator:
    """The emulator, reset for this test."""
    console_emulator.reset()
    return console_emulator


@pytest.fixture
def page(emu: Emulator) -> Iterator[ConsolePage]:
    """A plain HTTP client of the console."""
    client = ConsolePage(emu.base)
    yield client
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running loopback callback receiver."""
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture(scope="session")
def browser_session() -> Iterator[Any]:
    """One headless Chromium for every browser test of the session."""
    problem = browser_problem()
    if problem is not None:
        pytest.skip(problem)
    session = start_browser()
    yield session
    session.quit()


@pytest.fixture
def browser(browser_session: BrowserSession, emu: Emulator) -> BrowserSession:
    """The browser, pointed at this test's (reset) emulator."""
    browser_session.base = emu.base
    return browser_session
