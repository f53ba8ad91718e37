"""The examples run as a user runs them: a fresh interpreter, on the embedded emulator."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
from support.silent_listener import SilentListener

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    name: str, env: Optional[Dict[str, str]] = None, args: Optional[List[str]] = None
) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """Run ``examples/<name>`` with ``env`` (default: ours without any Scale settings)."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in ("SCALE_API_KEY", "SCALE_API_BASE_URL")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *(args or [])],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(name="tripwire")
def tripwire_fixture() -> Iterator[SilentListener]:
    """A listener that must stay untouched."""
    wire = SilentListener(keep_open=False, poll=0.2)
    yield wire
    wire.close()


def test_quickstart_runs_the_whole_job_on_the_emulator() -> None:
    done = run_example("quickstart.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Scale API emulator at http://127.0.0.1:")
    assert any(line.startswith("3. Created 3 tasks, all pending") for line in lines)
    completed = [line for line in lines if line.startswith("   ") and " completed: " in line]
    assert len(completed) == 3 and all("x Cow" in line for line in completed)
    assert any(line.startswith("6. Callbacks received at http://127.0.0.1:") and line.endswith(": 3")
               for line in lines)
    assert sum(line.endswith("-> completed") for line in lines) == 3
    assert any(line.startswith("7. Exported 3 tasks to JSON Lines") for line in lines)


def test_quickstart_ignores_a_configured_account_unless_asked(tripwire: SilentListener) -> None:
    """With SCALE_API_KEY, SCALE_API_BASE_URL and proxies all set, nothing goes anywhere but the emulator."""
    env = dict(os.environ)
    env.update(
        SCALE_API_KEY="live_realaccountkey", SCALE_API_BASE_URL=f"{tripwire.base}/v1",
        HTTP_PROXY=tripwire.base, HTTPS_PROXY=tripwire.base, ALL_PROXY=tripwire.base,
        NO_PROXY="127.0.0.1,localhost",
    )  # fmt: skip
    done = run_example("quickstart.py", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Scale API emulator at http://127.0.0.1:")
    assert tripwire.connections == 0
    assert "live_realaccountkey" not in done.stdout + done.stderr


def test_quickstart_real_mode_says_what_it_will_create_and_needs_a_key() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SCALE_API_KEY", "SCALE_API_BASE_URL")}
    done = run_example("quickstart.py", env=env, args=["--real"])
    assert done.returncode == 1
    assert "--real needs SCALE_API_KEY" in done.stderr


def test_quickstart_real_mode_against_a_server_of_our_choosing() -> None:
    """``--real`` uses SCALE_API_KEY/SCALE_API_BASE_URL; here they point at an emulator of the test's."""
    from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator() as emulator:
        env = dict(os.environ, SCALE_API_KEY="test_quickstart_real", SCALE_API_BASE_URL=emulator.url)
        done = run_example("quickstart.py", env=env, args=["--real"])
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(
            f"This creates, on {emulator.url}: one project, one batch and 3 image-annotation tasks."
        )
        created = [r for r in emulator.requests() if r["method"] == "POST" and "/task/" in r["path"]]
        assert len(created) == 3


def test_cancel_batch_cancels_every_pending_task_concurrently() -> None:
    done = run_example("cancel_batch.py")
    assert done.returncode == 0, done.stderr
    assert "demo-batch: 25 pending, 25 canceled, 0 no longer pending, 0 failed" in done.stdout
    assert "'canceled': 25" in done.stdout
