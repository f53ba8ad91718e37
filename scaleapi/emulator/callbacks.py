"""Callback delivery: a queue and one worker thread that POSTs task and batch callbacks.

Only loopback destinations (or hosts named with ``--allow-callback-host``) are ever contacted; any
other URL is recorded as not delivered without opening a connection, so the emulator never sends
traffic off the machine by default. The host check never resolves DNS: a name is loopback only if
it is ``localhost`` or ends in ``.localhost``.
"""
from __future__ import annotations

import http.client
import json
import queue
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from .._net import is_loopback_host

JsonDict = Dict[str, Any]

DEFAULT_BACKOFF = (0.05, 0.1, 0.2)
DEFAULT_TIMEOUT = 5.0
MAX_RECORDS = 10_000


@dataclass
class CallbackJob:
    """One callback to deliver."""

    kind: str
    """``task`` or ``batch``."""
    account: str
    url: str
    body: JsonDict
    task_id: Optional[str] = None
    batch: Optional[str] = None
    generation: int = 0


def destination_problem(url: str, allowed_hosts: Iterable[str]) -> Optional[str]:
    """Why ``url`` must not be contacted, or None when it may be."""
    if "://" not in url and "@" in url:
        return "email callbacks are not supported by the emulator"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
    except ValueError:
        return "invalid callback URL"
    if parts.scheme not in ("http", "https") or not host:
        return "invalid callback URL"
    if is_loopback_host(host) or host.lower() in allowed_hosts:
        return None
    return f"host not allowed: {host}"


def _post(url: str, body: bytes, headers: Dict[str, str], timeout: float) -> int:
    """POST once and return the status code; raises OSError/HTTPException on transport failure."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn: http.client.HTTPConnection
    host = parts.hostname or ""
    if host.lower().rstrip(".").endswith(".localhost"):
        # A resolver may send a *.localhost name to DNS (off the machine) or even get a non-loopback
        # answer; connect to loopback directly and keep the name in the Host header.
        headers = {**headers, "Host": parts.netloc.rsplit("@", 1)[-1]}
        host = "127.0.0.1"
    # http.client rather than requests/urllib: it never consults proxy environment variables,
    # so a loopback callback can't be routed through a proxy off the machine.
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class CallbackDispatcher:
    """Delivers callbacks in the background and keeps a record of every delivery."""

    def __init__(
        self,
        auth_key: str,
        allowed_hosts: Iterable[str] = (),
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        timeout: float = DEFAULT_TIMEOUT,
        on_result: Optional[Callable[[CallbackJob, bool], None]] = None,
    ) -> None:
        self.auth_key = auth_key
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.backoff = tuple(backoff)
        self.timeout = timeout
        self.on_result = on_result
        self._queue: "queue.Queue[Optional[CallbackJob]]" = queue.Queue()
        self._records: List[JsonDict] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._next_id = 1
        self._thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()

    @property
    def generation(self) -> int:
        """Bumped by :meth:`reset`; jobs from an older generation are dropped."""
        return self._generation

    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="scale-emulator-callbacks", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the worker; undelivered jobs are abandoned."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def submit(self, job: CallbackJob) -> None:
        """Queue a delivery."""
        job.generation = self._generation
        self._queue.put(job)

    def reset(self) -> None:
        """Forget all records and drop queued jobs."""
        with self._lock:
            self._generation += 1
            self._records.clear()

    def records(self) -> List[JsonDict]:
        """A copy of every delivery record, oldest first."""
        with self._lock:
            return [dict(record) for record in self._records]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued job is finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None or self._stopping.is_set():
                    if job is None:
                        return
                    continue
                if job.generation == self._generation:
                    self._deliver(job)
            except Exception:  # pylint: disable=broad-exception-caught  # the worker must survive
                pass
            finally:
                self._queue.task_done()

    def _deliver(self, job: CallbackJob) -> None:
        started = time.time()
        attempts: List[JsonDict] = []
        problem = destination_problem(job.url, self.allowed_hosts)
        delivered = False
        status: Optional[int] = None
        if problem is None:
            delivered, status, problem = self._attempts(job, attempts)
        self._record(job, delivered, status, problem or "delivered", attempts, started)
        if self.on_result is not None and job.generation == self._generation:
            self.on_result(job, delivered)

    def _attempts(self, job: CallbackJob, log: List[JsonDict]) -> Tuple[bool, Optional[int], Optional[str]]:
        payload = json.dumps(job.body, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "scale-callback-auth": self.auth_key,
            "User-Agent": "scaleapi-emulator",
        }
        status: Optional[int] = None
        reason = ""
        for attempt, delay in enumerate((0.0, *self.backoff)):
            if delay and self._stopping.wait(delay):
                break
            if job.generation != self._generation:
                break
            try:
                status = _post(job.url, payload, headers, self.timeout)
                error = None
            except (OSError, http.client.HTTPException) as err:
                status, error = None, f"{type(err).__name__}: {err}"
            log.append({"attempt": attempt + 1, "status_code": status, "error": error, "at": time.time()})
            if status is not None and 200 <= status < 300:
                return True, status, None
            reason = f"HTTP {status}" if status is not None else f"connection failed ({error})"
        return False, status, f"not delivered after {len(log)} attempt(s): {reason}"

    def _record(
        self, job: CallbackJob, delivered: bool, status: Optional[int], reason: str,
        attempts: List[JsonDict], started: float,
    ) -> None:
        with self._lock:
            if job.generation != self._generation:
                return
            self._records.append({
                "id": self._next_id, "kind": job.kind, "account": job.account, "url": job.url,
                "task_id": job.task_id, "batch": job.batch, "delivered": delivered,
                "status_code": status, "attempts": len(attempts), "attempt_log": attempts,
                "reason": reason, "started_at": started, "finished_at": time.time(), "body": job.body,
            })
            self._next_id += 1
            del self._records[:-MAX_RECORDS]
