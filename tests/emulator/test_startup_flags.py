"""Start-up flags of ``python -m scaleapi.emulator`` and ``scaleapi emulator``, run as real subprocesses:
every bad value ends the process with one line on stderr and exit status 2; one database file
belongs to one emulator at a time."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import requests
import trustme

ROOT = Path(__file__).resolve().parents[2]
EMULATOR = [sys.executable, "-m", "scaleapi.emulator"]
CLI = [sys.executable, "-m", "scaleapi", "emulator"]


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Paths the bad flags point at."""
    root = tmp_path_factory.mktemp("flags")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    paths = {name: str(root / name) for name in ("cert.pem", "key.pem", "other-key.pem", "junk.db")}
    cert.cert_chain_pems[0].write_to_path(paths["cert.pem"])
    cert.private_key_pem.write_to_path(paths["key.pem"])
    ca.issue_cert("127.0.0.2").private_key_pem.write_to_path(paths["other-key.pem"])
    Path(paths["junk.db"]).write_bytes(b"this is not an SQLite database\n" * 200)
    paths["dir"] = str(root)
    paths["missing"] = str(root / "no-such-dir" / "x.db")
    paths["ok.db"] = str(root / "ok.db")
    return paths


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A loopback port something else is listening on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield int(sock.getsockname()[1])
    sock.close()


# (flags, a fragment the one line must contain). "@x" is replaced by the path named x.
BAD_FLAGS: List[Tuple[List[str], str]] = [
    (["--port", "70000"], "between 0 and 65535"),
    (["--port", "-1"], "between 0 and 65535"),
    (["--port", "abc"], "whole number"),
    (["--port", "80.5"], "whole number"),
    (["--port", ""], "whole number"),
    (["--port"], "expected one argument"),
    (["--latency-ms", "-5"], "--latency-ms"),
    (["--latency-ms", "nan"], "between 0"),
    (["--latency-ms", "inf"], "between 0"),
    (["--latency-ms", "1e12"], "between 0"),
    (["--latency-ms", "slow"], "must be a number"),
    (["--complete-after", "-1"], "--complete-after"),
    (["--complete-after", "NaN"], "between 0"),
    (["--complete-after", "1e300"], "between 0"),
    (["--complete-after", "soon"], "must be a number"),
    (["--max-body-bytes", "0"], "between 1"),
    (["--max-body-bytes", "-5"], "between 1"),
    (["--max-body-bytes", "1e6"], "whole number"),
    (["--db", "@dir"], "is a directory"),
    (["--db", "@missing"], "does not exist"),
    (["--db", ""], "empty"),
    (["--db", "@junk.db"], "not a database"),
    (["--certfile", "@cert.pem"], "together"),
    (["--keyfile", "@key.pem"], "together"),
    (["--certfile", "@missing", "--keyfile", "@key.pem"], "does not exist"),
    (["--certfile", "@cert.pem", "--keyfile", "@dir"], "not a file"),
    (["--certfile", "@junk.db", "--keyfile", "@key.pem"], "cannot load"),
    (["--certfile", "@cert.pem", "--keyfile", "@other-key.pem"], "cannot load"),
    (["--fault", "{"], "not valid JSON"),
    (["--fault", "[]"], "JSON object"),
    (["--fault", '{"action": "explode"}'], "unknown fault action"),
    (["--fault", '{"action": "status", "status": 1000}'], "status"),
    (["--fault", '{"action": "status", "probability": NaN}'], "NaN"),
    (["--fault", '{"action": "status", "method": 5}'], "--fault"),
    (["--fault", '{"action": "status", "count": 1e400}'], "--fault"),
    (["--fault", '{"action": "status", "colour": "red"}'], "unknown fault rule fields"),
    (["--api-key", ""], "empty"),
    (["--api-key", "test_a:b"], "':'"),
    (["--api-key", "test_a b"], "spaces"),
    (["--callback-auth-key", ""], "empty"),
    (["--callback-auth-key", "caf\u00e9"], "ASCII"),
    (["--callback-auth-key", "a\nb"], "control characters"),
    (["--allow-callback-host", ""], "not a host name"),
    (["--allow-callback-host", "http://partner.test"], "not a host name"),
    (["--allow-callback-host", "partner.test:8080"], "not a host name"),
    (["--host", ""], "empty"),
    (["--host", "999.0.0.1"], "cannot listen"),
    (["--host", "192.0.2.1"], "cannot listen"),
    (["--port", "@busy"], "cannot listen"),
    (["--no-such-flag"], "unrecognized arguments"),
]


def _run(command: List[str], files: Dict[str, str], busy_port: int) -> subprocess.CompletedProcess[str]:
    values = {**files, "busy": str(busy_port)}
    argv = [values[arg[1:]] if arg.startswith("@") else arg for arg in command]
    if "--port" not in argv:
        argv += ["--port", "0"]
    return subprocess.run(argv, capture_output=True, text=True, env=_env(), timeout=60, check=False)


def _assert_refused(result: subprocess.CompletedProcess[str], fragment: str, prog: str) -> None:
    err = result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, err)
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith(f"{prog}: error: "), err
    assert fragment in err, err
    assert result.stdout == "", "the server must not have started"


@pytest.mark.parametrize(("flags", "fragment"), BAD_FLAGS, ids=[" ".join(f) or "empty" for f, _ in BAD_FLAGS])
def test_a_bad_flag_is_one_line_and_exit_status_2(
    files: Dict[str, str], busy_port: int, flags: List[str], fragment: str
) -> None:
    _assert_refused(_run(EMULATOR + flags, files, busy_port), fragment, "python -m scaleapi.emulator")


@pytest.mark.parametrize(("flags", "fragment"), [
    (["--port", "70000"], "between 0 and 65535"),
    (["--latency-ms", "-5"], "between 0"),
    (["--db", "@dir"], "is a directory"),
    (["--fault", "{"], "not valid JSON"),
    (["--port", "@busy"], "cannot listen"),
])
def test_the_scaleapi_emulator_subcommand_refuses_the_same_way(
    files: Dict[str, str], busy_port: int, flags: List[str], fragment: str
) -> None:
    # The subcommand hands its arguments to the same entry point, under the subcommand's own name.
    _assert_refused(_run(CLI + flags, files, busy_port), fragment, "scaleapi emulator")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs a directory no one can create files in")
def test_a_db_in_an_unwritable_directory_is_refused(files: Dict[str, str], busy_port: int) -> None:
    _assert_refused(_run(EMULATOR + ["--db", "/proc/emulator.db"], files, busy_port), "database",
                    "python -m scaleapi.emulator")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_unreadable_files_are_refused(tmp_path: Path, files: Dict[str, str], busy_port: int) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    key = tmp_path / "key.pem"
    key.write_bytes(Path(files["key.pem"]).read_bytes())
    key.chmod(0)
    locked.chmod(0o500)
    try:
        _assert_refused(_run(EMULATOR + ["--db", str(locked / "x.db")], files, busy_port), "not writable",
                        "python -m scaleapi.emulator")
        _assert_refused(
            _run(EMULATOR + ["--certfile", files["cert.pem"], "--keyfile", str(key)], files, busy_port),
            "not readable", "python -m scaleapi.emulator",
        )
    finally:
        locked.chmod(0o700)
        key.chmod(0o600)


def test_help_still_works() -> None:
    result = subprocess.run(EMULATOR + ["--help"], capture_output=True, text=True, env=_env(), timeout=60,
                            check=False)
    assert result.returncode == 0 and "--latency-ms" in result.stdout and result.stderr == ""


class Running:
    """An emulator subprocess serving on a free port."""

    def __init__(self, db: str, *extra: str) -> None:
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with  # closed in stop()
            EMULATOR + ["--port", "0", "--db", db, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.auth = ("test_shared_db", "")
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        if not first.startswith("http://"):
            self.stop()
            raise AssertionError(
                f"did not start: {first!r} {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
        self.url = first

    def stop(self, sig: int = signal.SIGINT) -> Optional[int]:
        """Stop it (Ctrl-C by default) and return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.communicate(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate()
            self.session.close()
        return self.proc.returncode


def test_a_second_emulator_on_one_db_file_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    first = Running(db)
    try:
        created = first.session.post(f"{first.url}/projects", json={"type": "imageannotation", "name": "p1"},
                                     timeout=10)
        assert created.status_code == 200
        second = subprocess.run(EMULATOR + ["--port", "0", "--db", db], capture_output=True, text=True,
                                env=_env(), timeout=60, check=False)
        _assert_refused(second, "in use by another emulator", "python -m scaleapi.emulator")
        # The first one is unharmed: its data and its writes go on.
        assert first.session.get(f"{first.url}/projects/p1", timeout=10).status_code == 200
        assert first.session.post(f"{first.url}/projects", json={"type": "imageannotation", "name": "p2"},
                                  timeout=10).status_code == 200
        assert (
            first.session.post(first.url[: -len("/v1")] + "/_emulator/reset", timeout=10).status_code == 200
        )
        assert first.session.post(f"{first.url}/projects", json={"type": "imageannotation", "name": "p3"},
                                  timeout=10).status_code == 200
    finally:
        assert first.stop() == 0
    # Once it has stopped, the file is free again and holds exactly what the first one left.
    again = Running(db)
    try:
        names = {p["name"] for p in again.session.get(f"{again.url}/projects", timeout=10).json()}
        assert names == {"p3"}
    finally:
        again.stop()


def test_a_killed_emulator_frees_its_db_file(tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    first = Running(db)
    assert first.session.post(f"{first.url}/projects", json={"type": "imageannotation", "name": "kept"},
                              timeout=10).status_code == 200
    first.stop(signal.SIGKILL)
    second = Running(db)
    try:
        assert second.session.get(f"{second.url}/projects/kept", timeout=10).status_code == 200
    finally:
        assert second.stop() == 0
