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
import sys
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest

from support.official_client import official_python, run_flow

from scaleapi.emulator import Emulator

ENV_VAR = "SCALEAPI_OFFICIAL_CLIENT_PYTHON"
DRIVER = Path(__file__).with_name("official_client_flow.py")


OFFICIAL_PYTHON, OFFICIAL_INFO = official_python(
    ENV_VAR, "python -m venv /tmp/official-venv && /tmp/official-venv/bin/pip install scaleapi")

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
        report = run_flow(command, tmp_path, report_path, 100, OFFICIAL_INFO)
    sys.stdout.write(f"official scaleapi {OFFICIAL_INFO}: {report['summary']}\n")
