"""Find a throwaway interpreter that has Scale's official ``scaleapi`` client (the compat tests)."""
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]


def clean_env() -> Dict[str, str]:
    """The environment for the official client's subprocess: no PYTHONPATH, proxies or CA-bundle overrides."""
    drop = {
        "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    return env


def official_python(env_var: str, make_one: str, wanted: Optional[str] = None) -> Tuple[Optional[str], str]:
    """The interpreter named by ``env_var`` and its official client version, or None and a skip reason.

    ``make_one`` is the command that makes such an interpreter (shown in the skip reason); ``wanted``:
    the version it must have (any when None).
    """
    python = os.environ.get(env_var)
    if not python:
        return None, f"set {env_var} to a python that has Scale's official scaleapi client, e.g. {make_one}"
    if not os.access(python, os.X_OK):
        return None, f"{env_var}={python!r} is not an executable"
    probe = subprocess.run(
        [python, "-c", "import os, scaleapi as s; print(s.__version__, os.path.abspath(s.__file__))"],
        cwd=str(Path(python).resolve().parent),  # never the repo root, whose scaleapi would shadow it
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if probe.returncode != 0:
        return None, f"{env_var}={python!r} cannot import scaleapi: {probe.stderr.strip()[-300:]}"
    version, location = probe.stdout.split()[:2]
    if str(Path(location).resolve()).startswith(str(REPO_ROOT) + os.sep):
        return None, f"{env_var}={python!r} imports this repository's scaleapi, not the official client"
    if wanted is not None and version != wanted:
        return None, f"{env_var}={python!r} has scaleapi {version}, not {wanted}; {make_one}"
    return python, version


def run_flow(command: List[str], cwd: Path, report_path: Path, timeout: float, label: str) -> Dict[str, Any]:
    """Run a flow driver (``command`` writes its JSON report to ``report_path``); require no failed step.

    Returns the report. ``label`` names the client in the failure message.
    """
    proc = subprocess.run(command, cwd=str(cwd), env=clean_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert report_path.exists(), f"no report; exit {proc.returncode}\n{proc.stderr[-3000:]}"
    report: Dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    failed = [step for step in report["steps"] if step["result"] == "fail"]
    summary = json.dumps(failed, indent=2)[-6000:]
    assert proc.returncode == 0 and not failed, f"official client {label}: {summary}\n{proc.stderr[-2000:]}"
    return report
