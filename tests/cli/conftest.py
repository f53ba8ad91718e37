"""Fixtures for the tests of the command line (``scaleapi ...``): see support.longwork_fixtures."""
from support.longwork_fixtures import client, emu, emulator, live_client

__all__ = ["client", "emu", "emulator", "live_client"]
