"""Fault rules scoped to an account fire for that account's requests only."""
import requests

from scaleapi.emulator import Emulator


def test_a_rule_given_an_api_key_matches_only_that_account() -> None:
    with Emulator() as emu:
        rule = emu.add_fault(
            method="GET", path="/v1/tasks", action="status", status=503, api_key="test_target"
        )
        assert "test_target" not in str(rule)  # only the account hash is kept
        other = requests.get(f"{emu.url}/tasks", auth=("test_bystander", ""), timeout=10)
        target = requests.get(f"{emu.url}/tasks", auth=("test_target", ""), timeout=10)
        fired = emu.faults()[0]["fired"]
    assert other.status_code == 200
    assert target.status_code == 503
    assert fired == 1
