"""Emulators in child processes (HTTP, or HTTPS with a certificate made at run time)."""
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

from .procs import REPO_ROOT, child_env

#: The API key every scenario uses (any ``test_`` key is accepted by the emulator).
BENCH_KEY = "test_bench_0123456789"
START_TIMEOUT = 600.0  # seeding 1,000,000 tasks takes about a minute on a slow core


@dataclass(frozen=True)
class TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1, as PEM files.

    ``cafile`` holds the bench CA alone. Loading it is nearly free, which stands in for requests'
    default trust store (loaded once per process since requests 2.32): a client that opens a new
    connection per request pays for the connection and the handshake, not for re-reading a large
    bundle, so the comparison errs in the existing client's favour. ``bundle`` is certifi's bundle
    with the bench CA appended: what a client re-reads per connection when ``REQUESTS_CA_BUNDLE``
    points at a system bundle.
    """

    cafile: str
    bundle: str
    certfile: str
    keyfile: str


def make_tls_files(directory: Path) -> TlsFiles:
    """Generate the CA, the server certificate and key, and the CA file clients trust, in ``directory``.

    Raises:
        ImportError: ``trustme`` (in the ``dev`` extra) is not installed.
    """
    import trustme  # pylint: disable=import-outside-toplevel  # only the HTTPS scenarios need it

    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile, cafile = directory / "server.pem", directory / "server.key", directory / "ca.pem"
    bundle = directory / "bundle.pem"
    server.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    server.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(cafile))
    bundle.write_bytes(_default_bundle() + b"\n" + ca.cert_pem.bytes())
    return TlsFiles(str(cafile), str(bundle), str(certfile), str(keyfile))


def _default_bundle() -> bytes:
    try:
        import certifi  # pylint: disable=import-outside-toplevel  # a dependency of requests

        return Path(certifi.where()).read_bytes()
    except (ImportError, OSError):
        return b""


class EmulatorProcess:
    """``python -m bench.emulator_child`` as a context manager.

    Args:
        latency_ms: delay the emulator adds to every v1 request.
        seeds: ``{project: count}`` to create and fill before the URL is handed out.
        tls: serve HTTPS with these files.
    """

    def __init__(
        self, latency_ms: float = 0, seeds: Optional[Dict[str, int]] = None, tls: Optional[TlsFiles] = None
    ) -> None:
        self.config: Dict[str, Any] = {
            "latency_ms": latency_ms,
            "key": BENCH_KEY,
            "seeds": [{"project": name, "count": count} for name, count in (seeds or {}).items()],
        }
        if tls is not None:
            self.config.update(certfile=tls.certfile, keyfile=tls.keyfile, cafile=tls.cafile)
        self.cafile = tls.cafile if tls is not None else None
        self._proc: Optional["subprocess.Popen[str]"] = None
        self.info: Dict[str, Any] = {}
        self._stderr: List[str] = []

    @property
    def url(self) -> str:
        """The emulator's v1 base URL."""
        return str(self.info["url"])

    @property
    def pid(self) -> int:
        """The emulator's process id."""
        return int(self.info["pid"])

    def seeded(self, project: str) -> Dict[str, Any]:
        """What was seeded into ``project``: ``count``, ``seconds``, ``first_ms``, ``last_ms``."""
        found: Dict[str, Any] = self.info["seeded"][project]
        return found

    def __enter__(self) -> "EmulatorProcess":
        self._proc = subprocess.Popen(  # pylint: disable=consider-using-with  # closed in __exit__
            [sys.executable, "-m", "bench.emulator_child", json.dumps(self.config)],
            cwd=str(REPO_ROOT), env=child_env(ours=True), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self._proc.stdout is not None and self._proc.stderr is not None
        threading.Thread(target=self._drain, args=(self._proc.stderr,), daemon=True).start()
        line = _read_line(self._proc.stdout, START_TIMEOUT)
        if not line:
            self.__exit__(None, None, None)
            raise RuntimeError(f"the emulator did not start: {' | '.join(self._stderr[-3:]) or 'no output'}")
        self.info = json.loads(line)
        return self

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            self._stderr.append(line.rstrip())

    def __exit__(self, *exc_info: object) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()


def _read_line(stream: IO[str], timeout: float) -> str:
    """The first line of ``stream``, or ``""`` after ``timeout`` seconds or at end of file."""
    box: List[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0].strip() if box else ""


class CpuUse:
    """``with CpuUse(pid) as use:``: afterwards, ``use.seconds`` is the CPU time ``pid`` spent inside.

    None when it cannot be read (not Linux), and when the block raised.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.seconds: Optional[float] = None
        self._before: Optional[float] = None

    def __enter__(self) -> "CpuUse":
        self._before = cpu_seconds(self.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        after = cpu_seconds(self.pid)
        if exc[0] is None and self._before is not None and after is not None:
            self.seconds = after - self._before


def cpu_seconds(pid: int) -> Optional[float]:
    """User plus system CPU seconds used so far by process ``pid`` (Linux only; else None)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
