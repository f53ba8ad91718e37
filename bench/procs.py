"""Child processes: environments for each client under test, and running a driver for its JSON."""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DRIVERS_DIR = BENCH_DIR / "drivers"
CLIENT_DRIVER = DRIVERS_DIR / "client_driver.py"
RPS_DRIVER = DRIVERS_DIR / "rps_driver.py"
PLOT_DRIVER = DRIVERS_DIR / "plot_driver.py"

# Variables that would make requests send loopback traffic elsewhere or trust another CA bundle.
_SCRUBBED = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class ChildFailed(RuntimeError):
    """A child process exited with an error or printed no JSON."""


def child_env(ours: bool, cafile: Optional[str] = None) -> Dict[str, str]:
    """The environment of a child process.

    Args:
        ours: put this repository first on ``PYTHONPATH`` (our SDK); otherwise drop ``PYTHONPATH``
            entirely so the existing client's venv imports only its own ``scaleapi``.
        cafile: the CA bundle for HTTPS. The existing client can only be pointed at it through
            ``REQUESTS_CA_BUNDLE`` (its ``verify=`` loses to the variable), so every child gets it.
    """
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # import times are measured with cached bytecode
    env.pop("PYTHONPATH", None)
    if ours:
        env["PYTHONPATH"] = str(REPO_ROOT)
    if cafile:
        env["REQUESTS_CA_BUNDLE"] = env["CURL_CA_BUNDLE"] = cafile
    return env


def run_json(
    command: Sequence[str], env: Dict[str, str], timeout: float, cwd: Optional[str] = None
) -> Dict[str, Any]:
    """Run ``command`` and return the JSON object on the last line of its stdout.

    Raises:
        ChildFailed: non-zero exit, a timeout, or no JSON on stdout (stderr's tail is in the message).
    """
    try:
        done = subprocess.run(
            list(command), env=env, cwd=cwd or str(REPO_ROOT), capture_output=True, text=True,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise ChildFailed(f"{Path(command[1]).name if len(command) > 1 else command[0]}: "
                          f"no answer within {timeout:.0f} s") from err
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ChildFailed(f"exit {done.returncode}: {' | '.join(tail) or 'no output'}")
    try:
        result: Dict[str, Any] = json.loads(lines[-1])
    except ValueError as err:
        raise ChildFailed(f"not JSON: {lines[-1][:200]}") from err
    return result


def run_driver(
    python: str, job: Dict[str, Any], ours: bool, timeout: float, cafile: Optional[str] = None
) -> Dict[str, Any]:
    """Run ``client_driver.py`` under ``python`` (by path, so ``bench`` is never importable there)."""
    command: List[str] = [python, str(CLIENT_DRIVER), json.dumps(job)]
    return run_json(command, child_env(ours, cafile), timeout)


def our_python() -> str:
    """The interpreter running the bench (it runs our SDK and the emulators)."""
    return sys.executable
