"""Fault rules from the command line: ``python -m scaleapi.emulator --fault JSON``."""
import json
import subprocess
import sys

import requests

RULE = {"method": "GET", "path": "/v1/tasks", "action": "status", "status": 503, "count": 1}


def test_a_fault_flag_is_applied_from_the_first_request() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "scaleapi.emulator", "--port", "0", "--fault", json.dumps(RULE)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
            first = requests.get(f"{url}/tasks", auth=("test_cli_fault", ""), timeout=10)
            second = requests.get(f"{url}/tasks", auth=("test_cli_fault", ""), timeout=10)
            rules = requests.get(url[: -len("/v1")] + "/_emulator/faults", timeout=10).json()["faults"]
        finally:
            proc.terminate()
            proc.wait(10)
    assert first.status_code == 503 and first.json()["status_code"] == 503
    assert second.status_code == 200
    assert [rule["fired"] for rule in rules] == [1]


def test_a_bad_fault_flag_is_refused_before_serving() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scaleapi.emulator", "--port", "0", "--fault", '{"action": "explode"}'],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode == 2
    assert "unknown fault action 'explode'" in done.stderr and done.stdout == ""
