"""``python -m scaleapi.emulator`` and the pytest plugin, run as real subprocesses."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import requests

ROOT = Path(__file__).resolve().parents[2]


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def test_cli_prints_url_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    with subprocess.Popen(
        [sys.executable, "-m", "scaleapi.emulator", "--port", "0", "--db", str(db),
         "--callback-auth-key", "cb-secret", "--api-key", "live_cli_key"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    ) as proc:
        try:
            assert proc.stdout is not None
            banner = []
            for line in proc.stdout:  # the start-up lines end with the Ctrl-C one
                banner.append(line)
                if "Ctrl-C" in line:
                    break
            url = banner[0].strip()
            assert "cb-secret" in "".join(banner)
            assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
            session = requests.Session()
            session.trust_env = False
            response = session.get(f"{url}/teams", auth=("live_cli_key", ""), timeout=5)
            assert response.status_code == 200
            assert session.get(f"{url}/teams", auth=("test_not_pinned", ""), timeout=5).status_code == 401
            health = session.get(url[: -len("/v1")] + "/_emulator/health", timeout=5).json()
            assert health["database"] == str(db)
            session.close()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
            assert proc.returncode == 0, err
            assert "live_cli_key" not in "".join(banner) + out + err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert db.exists()


def test_cli_rejects_half_a_certificate(tmp_path: Path) -> None:
    certfile = tmp_path / "x.pem"
    certfile.write_text("not checked before the pair is complete\n")
    result = subprocess.run(
        [sys.executable, "-m", "scaleapi.emulator", "--port", "0", "--certfile", str(certfile)],
        capture_output=True, text=True, env=_env(), timeout=30, check=False,
    )
    assert result.returncode == 2 and "keyfile" in result.stderr


def test_importing_the_package_and_plugin_does_not_load_werkzeug() -> None:
    code = (
        "import sys, scaleapi.emulator, scaleapi.emulator.pytest_plugin; "
        "assert 'werkzeug' not in sys.modules, 'werkzeug imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), timeout=30)


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_uses_plugin.py").write_text(textwrap.dedent('''
        import pytest
        import requests
        from scaleapi.exceptions import ScaleResourceNotFound

        def test_first(scale_emulator):
            s = requests.Session()
            s.trust_env = False
            r = s.post(scale_emulator.url + "/projects", auth=("test_x", ""),
                       json={"type": "imageannotation", "name": "only-in-first"})
            assert r.status_code == 200
            s.close()

        def test_state_is_reset_between_tests(scale_emulator):
            s = requests.Session()
            s.trust_env = False
            r = s.get(scale_emulator.url + "/projects/only-in-first", auth=("test_x", ""))
            assert r.status_code == 404
            s.close()

        def test_same_server_for_the_session(scale_emulator, scale_emulator_session):
            assert scale_emulator is scale_emulator_session

        def test_client(scale_client):
            assert len(scale_client.list_teammates()) == 1

        def test_live_client(scale_live_client, scale_client, scale_emulator):
            task = scale_live_client.create_task("imageannotation", attachment="https://example.com/a.png",
                                                 geometries={"box": {"objects_to_annotate": ["car"]}})
            assert task.status == "pending" and not task.is_test
            with pytest.raises(ScaleResourceNotFound):  # scale_client is another account
                scale_client.get_task(task.id)
            scale_emulator.complete_task(task.id)
            assert task.refresh().status == "completed"
    '''))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "scaleapi.emulator.pytest_plugin", str(tmp_path / "test_uses_plugin.py")],
        capture_output=True, text=True, env=_env(), timeout=120, check=False, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout
