"""Fixtures for the tests of bulk operations and their journal, waiting, export, callbacks, outages.

They are defined in support.longwork_fixtures.
"""

from support.longwork_fixtures import client, emu, emulator, live_client

__all__ = ["client", "emu", "emulator", "live_client"]
