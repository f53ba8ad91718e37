"""pytest plugin (entry point ``pytest11``): ``scale_emulator`` and ``scale_client`` fixtures.

One emulator serves the whole test session; ``scale_emulator`` resets its state before each test.
Nothing here imports werkzeug or the SDK until a fixture is used, because pytest loads this module
in every project that has scaleapi installed.
"""
# pytest injects fixtures by parameter name, so parameters shadowing fixtures are the norm here.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from .facade import Emulator

TEST_API_KEY = "test_scale_emulator_key"


@pytest.fixture(scope="session")
def scale_emulator_session() -> Iterator["Emulator"]:
    """The session-wide emulator (state is shared; prefer ``scale_emulator``)."""
    # pylint: disable=import-outside-toplevel
    try:
        from .facade import Emulator
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] != "werkzeug":
            raise
        from .._hints import EMULATOR_INSTALL_HINT

        pytest.fail(
            "the scale_emulator and scale_client fixtures need the emulator extra (werkzeug), which "
            f"is not installed; from a checkout of this SDK run: {EMULATOR_INSTALL_HINT}",
            pytrace=False,
        )

    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def scale_emulator(scale_emulator_session: "Emulator") -> Iterator["Emulator"]:
    """The session's emulator, freshly reset for this test."""
    scale_emulator_session.reset()
    yield scale_emulator_session


@pytest.fixture
def scale_client(scale_emulator: "Emulator") -> Iterator[Any]:
    """A ``scaleapi.ScaleClient`` with a test-mode key pointed at the emulator."""
    yield from _client(scale_emulator, TEST_API_KEY)


#: The key of ``scale_live_client``: a live-mode account, apart from ``scale_client``'s.
LIVE_API_KEY = "live_scale_emulator_key"


@pytest.fixture
def scale_live_client(scale_emulator: "Emulator") -> Iterator[Any]:
    """A ``scaleapi.ScaleClient`` with a live-mode key pointed at the emulator: its tasks stay
    pending until the test completes them, e.g. ``scale_emulator.complete_task(task.id)``."""
    yield from _client(scale_emulator, LIVE_API_KEY)


def _client(emulator: "Emulator", api_key: str) -> Iterator[Any]:
    import scaleapi  # pylint: disable=import-outside-toplevel

    client = scaleapi.ScaleClient(api_key=api_key, api_instance_url=emulator.url)
    yield client
    close = getattr(client, "close", None)
    if callable(close):
        close()
