"""Throwaway virtual environments under ``bench/.venv-*`` for what only the bench needs.

* ``.venv-existing``: the existing client, ``scaleapi==2.15.1``, with the same ``requests`` and
  ``urllib3`` versions as ours where pip can get them, so the comparison is between the clients.
* ``.venv-plot``: matplotlib, when the running interpreter cannot import it (it can see this
  interpreter's packages, so numpy and friends are reused when present).

Every step fails soft: the caller gets ``None`` and a message, and skips what needed the venv.
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import List, Optional, Tuple

from .procs import BENCH_DIR, child_env

EXISTING_VERSION = "2.15.1"
EXISTING_VENV = BENCH_DIR / ".venv-existing"
#: The existing client with the v2 API (its models validate with pydantic), for the v2 scenario.
EXISTING_V2_VERSION = "2.18.4"
EXISTING_V2_VENV = BENCH_DIR / ".venv-existing-v2"
PLOT_VENV = BENCH_DIR / ".venv-plot"
INSTALL_TIMEOUT = 600.0


@dataclass(frozen=True)
class ExistingClient:
    """The existing client's interpreter and the versions it runs with."""

    python: str
    version: str
    requests_version: str
    urllib3_version: str


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _run(command: List[str], cwd: Optional[Path] = None) -> Tuple[bool, str]:
    # pip may need the proxy variables that child_env() removes; only PYTHONPATH must go.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False, env=env,
            cwd=str(cwd or tempfile.gettempdir()),  # never this repo: '' is on sys.path
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, str(err)
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
    return done.returncode == 0, tail[0]


def _make_venv(root: Path, system_site_packages: bool) -> Optional[str]:
    """Create the venv (unless it exists); returns an error message or None."""
    if _venv_python(root).exists():
        return None
    try:
        venv.EnvBuilder(with_pip=True, system_site_packages=system_site_packages, clear=True).create(root)
    except (OSError, subprocess.CalledProcessError) as err:
        return f"cannot create {root.name}: {err}"
    return None


def _pip_install(root: Path, requirements: List[str]) -> Tuple[bool, str]:
    return _run([str(_venv_python(root)), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", *requirements])


def _probe_existing(python: Path, wanted: str = EXISTING_VERSION) -> Optional[ExistingClient]:
    # Run from a neutral directory so that '' on sys.path cannot be this repository.
    code = (
        "import json, scaleapi, requests, urllib3;"
        "print(json.dumps([scaleapi.__version__, requests.__version__, urllib3.__version__]))"
    )
    try:
        done = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False,
            env=child_env(ours=False), cwd=str(python.parent),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    version, requests_version, urllib3_version = json.loads(done.stdout.strip().splitlines()[-1])
    if version != wanted:
        return None
    return ExistingClient(str(python), version, requests_version, urllib3_version)


def existing_client(
    version: str = EXISTING_VERSION, root: Path = EXISTING_VENV
) -> Tuple[Optional[ExistingClient], str]:
    """The existing client's venv, made on first use. Returns (client or None, a note for the report).

    ``version`` and ``root``: which release and where (2.18.4 in ``.venv-existing-v2`` for v2).
    """
    python = _venv_python(root)
    found = _probe_existing(python, version) if python.exists() else None
    if found is not None:
        return found, f"reused {root.name}"
    error = _make_venv(root, system_site_packages=False)
    if error:
        return None, error
    pinned = [f"scaleapi=={version}", f"requests=={metadata.version('requests')}",
              f"urllib3=={metadata.version('urllib3')}"]
    ok, message = _pip_install(root, pinned)
    note = "installed with the same requests and urllib3 as ours"
    if not ok:
        ok, message = _pip_install(root, [f"scaleapi=={version}"])
        note = "installed (pip could not match our requests/urllib3 versions)"
    if not ok:
        return None, f"pip install scaleapi=={version} failed: {message}"
    found = _probe_existing(python, version)
    if found is None:
        return None, f"scaleapi=={version} installed but cannot be imported"
    return found, note


def plot_python() -> Tuple[Optional[str], str]:
    """An interpreter that can import matplotlib (this one, or ``.venv-plot``), and a note."""
    if importlib.util.find_spec("matplotlib") is not None:
        return sys.executable, "matplotlib from the running interpreter"
    python = _venv_python(PLOT_VENV)
    if python.exists() and _imports_matplotlib(python):
        return str(python), f"matplotlib from {PLOT_VENV.name}"
    error = _make_venv(PLOT_VENV, system_site_packages=True)
    if error:
        return None, error
    ok, message = _pip_install(PLOT_VENV, ["-r", str(BENCH_DIR / "requirements.txt")])
    if not ok or not _imports_matplotlib(python):
        return None, f"cannot install matplotlib ({message}); no plot"
    return str(python), f"matplotlib installed into {PLOT_VENV.name}"


def _imports_matplotlib(python: Path) -> bool:
    ok, _ = _run([str(python), "-c", "import matplotlib"], cwd=python.parent)
    return ok
