"""Scale's official ``scaleapi`` client against our emulator (the acceptance check of docs/compat.md).

The official client is never a dependency of this project: it lives in a throwaway venv, and this
test runs only when ``SCALEAPI_OFFICIAL_CLIENT_PYTHON`` names that venv's python, e.g.::

    python -m venv /tmp/official-venv && /tmp/official-venv/bin/pip install scaleapi
    SCALEAPI_OFFICIAL_CLIENT_PYTHON=/tmp/official-venv/bin/python python -m pytest tests/compat

It starts emulators in this process (plain HTTP, and HTTPS with a throwaway CA when ``trustme`` is
installed), runs ``official_client_flow.py`` with that python in a subprocess, and requires exit 0.
Nothing here needs the network: all traffic is loopback.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from scaleapi.emulator import Emulator

ENV_VAR = "SCALEAPI_OFFICIAL_CLIENT_PYTHON"
DRIVER = Path(__file__).with_name("official_client_flow.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _official_python() -> Tuple[Optional[str], str]:
    """The interpreter named by ``ENV_VAR`` and its official client version, or a skip reason."""
    python = os.environ.get(ENV_VAR)
    if not python:
        return None, f"set {ENV_VAR} to a python that has Scale's official scaleapi client installed"
    if not os.access(python, os.X_OK):
        return None, f"{ENV_VAR}={python!r} is not an executable"
    probe = subprocess.run(
        [python, "-c", "import os, scaleapi as s; print(s.__version__, os.path.abspath(s.__file__))"],
        cwd=str(Path(python).resolve().parent),  # never the repo root, whose scaleapi would shadow it
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if probe.returncode != 0:
        return None, f"{ENV_VAR}={python!r} cannot import scaleapi: {probe.stderr.strip()[-300:]}"
    version, location = probe.stdout.split()[:2]
    if str(Path(location).resolve()).startswith(str(REPO_ROOT) + os.sep):
        return None, f"{ENV_VAR}={python!r} imports this repository's scaleapi, not the official client"
    return python, version


def _clean_env() -> Dict[str, str]:
    """The environment for the subprocess: no PYTHONPATH, proxies or CA-bundle overrides."""
    drop = {
        "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    return env


OFFICIAL_PYTHON, OFFICIAL_INFO = _official_python()

pytestmark = pytest.mark.skipif(OFFICIAL_PYTHON is None, reason=OFFICIAL_INFO)


@pytest.fixture(scope="module")
def https_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Optional[Tuple[Emulator, Path]]]:
    """An HTTPS emulator and the PEM of its CA, or None when trustme is missing."""
    try:
        import trustme  # pylint: disable=import-outside-toplevel
    except ImportError:
        yield None
        return
    folder = tmp_path_factory.mktemp("compat-tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_pem.write_to_path(str(key_path))
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(cert_path), append=True)
    with Emulator(certfile=str(cert_path), keyfile=str(key_path)) as emu:
        yield emu, ca_path


def test_official_client_flow(tmp_path: Path, https_emulator: Optional[Tuple[Emulator, Path]]) -> None:
    """Every step of the flow passes with the official client (see the JSON report on failure)."""
    assert OFFICIAL_PYTHON is not None
    report_path = tmp_path / "report.json"
    with Emulator() as emu:
        command: List[str] = [OFFICIAL_PYTHON, str(DRIVER), emu.url, "--report", str(report_path)]
        if https_emulator is not None:
            https_emu, ca_path = https_emulator
            command += ["--https-url", https_emu.url, "--ca-bundle", str(ca_path)]
        proc = subprocess.run(
            command,
            cwd=str(tmp_path),
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
    assert report_path.exists(), f"no report; exit {proc.returncode}\n{proc.stderr[-3000:]}"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    failed = [step for step in report["steps"] if step["result"] == "fail"]
    summary = json.dumps(failed, indent=2)[-6000:]
    assert proc.returncode == 0 and not failed, (
        f"official client {OFFICIAL_INFO}: {summary}\n{proc.stderr[-2000:]}"
    )
    sys.stdout.write(f"official scaleapi {OFFICIAL_INFO}: {report['summary']}\n")
