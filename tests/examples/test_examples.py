"""The examples run as a user runs them: a fresh interpreter, no key set, on the embedded emulator."""
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if k not in ("SCALE_API_KEY", "SCALE_API_BASE_URL")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_quickstart_runs_the_main_flow_on_the_emulator() -> None:
    done = run_example("quickstart.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Using the local emulator at http://127.0.0.1:")
    assert sum(line.startswith("Created task ") for line in lines) == 3
    assert "3 tasks in the batch:" in lines


def test_cancel_batch_cancels_every_pending_task_concurrently() -> None:
    done = run_example("cancel_batch.py")
    assert done.returncode == 0, done.stderr
    assert "demo-batch: 25 pending, 25 canceled, 0 no longer pending, 0 failed" in done.stdout
    assert "'canceled': 25" in done.stdout
