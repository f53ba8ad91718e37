"""Callback delivery: one FIFO queue per destination, served by a bounded pool of worker threads.

A destination is the address and port a callback connects to. Each destination's callbacks are
delivered one at a time, in the order they were queued (retries included), while other destinations
go on in parallel; so a receiver that hangs delays only its own callbacks. At most
:data:`MAX_WORKERS` threads deliver at once; they start on demand and end when idle.

Only loopback destinations (or hosts named with ``--allow-callback-host``) are ever contacted; any
other URL is recorded as not delivered without opening a connection, so the emulator never sends
traffic off the machine by default. The host check never resolves DNS, and loopback names
(``localhost``, ``*.localhost``, with or without a trailing dot) are connected on 127.0.0.1
directly, without asking a resolver.
"""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Sequence, Set, Tuple
from urllib.parse import urlsplit

from ..._net import is_loopback_host, loopback_address

JsonDict = Dict[str, Any]
Destination = Tuple[str, int]

DEFAULT_BACKOFF = (0.05, 0.1, 0.2)
DEFAULT_TIMEOUT = 5.0
MAX_RECORDS = 10_000
#: How much of a receiver's answer each attempt keeps in its log (as text).
MAX_ANSWER_BYTES = 1024
#: Most threads delivering at once; each serves one destination at a time.
MAX_WORKERS = 16
#: Most callbacks waiting for delivery, over all destinations; beyond it a callback is recorded
#: as not delivered ("queue full") at once.
MAX_PENDING = 100_000
#: A worker with nothing to do for this long ends (a new one starts when work comes).
IDLE_WORKER_SECONDS = 5.0

#: The queue of callbacks that need no connection (refused or invalid destinations).
NO_DESTINATION: Destination = ("", 0)

__all__ = [
    "CallbackDispatcher", "CallbackJob", "destination_of", "destination_problem", "is_loopback_host",
    "normalize_host",
]


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


def normalize_host(host: str) -> str:
    """``host`` as allow-list entries are compared: lower case, without one trailing dot."""
    host = host.lower()
    return host[:-1] if host.endswith(".") else host


def destination_problem(url: str, allowed_hosts: Iterable[str]) -> Optional[str]:
    """Why ``url`` must not be contacted, or None when it may be.

    ``allowed_hosts`` holds normalized names (see :func:`normalize_host`).
    """
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
    if is_loopback_host(host) or normalize_host(host) in allowed_hosts:
        return None
    return f"host not allowed: {host}"


def destination_of(url: str) -> Destination:
    """The (address, port) a deliverable ``url`` connects to; loopback names map to their address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (loopback_address(host) or normalize_host(host), port)


def _connection(url: str, timeout: float) -> Tuple[http.client.HTTPConnection, str]:
    """An unopened connection for ``url`` and the request target (path and query)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host = parts.hostname or ""
    # http.client rather than requests/urllib: it never consults proxy environment variables,
    # so a loopback callback can't be routed through a proxy off the machine.
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    address = loopback_address(host)
    if address is not None:
        # A loopback name is connected on its loopback address without a resolver (which may send
        # it to DNS, or even get a non-loopback answer). The connection keeps the name as given for
        # the Host header and for TLS (SNI and certificate check).
        def connect(target: Tuple[str, int], *args: Any) -> socket.socket:
            return socket.create_connection((address, target[1]), *args)

        conn._create_connection = connect  # type: ignore[attr-defined]  # pylint: disable=protected-access
    return conn, path


class CallbackDispatcher:  # pylint: disable=too-many-instance-attributes  # queues, pool and records
    """Delivers callbacks in the background and keeps a record of every delivery."""

    def __init__(  # pylint: disable=too-many-arguments
        self,
        auth_key: str,
        allowed_hosts: Iterable[str] = (),
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        timeout: float = DEFAULT_TIMEOUT,
        on_result: Optional[Callable[[CallbackJob, bool], None]] = None,
        *,
        max_workers: int = MAX_WORKERS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        if max_workers < 1 or max_pending < 1:
            raise ValueError("max_workers and max_pending must be at least 1")
        self.auth_key = auth_key
        self.allowed_hosts = frozenset(normalize_host(host) for host in allowed_hosts)
        self.backoff = tuple(backoff)
        self.timeout = timeout
        self.on_result = on_result
        self.max_workers = max_workers
        self.max_pending = max_pending
        self._records: List[JsonDict] = []
        self._lock = threading.Lock()  # guards the records
        self._generation = 0
        self._next_id = 1
        # Everything below is guarded by _cond. A destination is in _ready when it has queued jobs
        # and no worker; in _busy while a worker delivers one of its jobs. So at most one worker
        # serves a destination at a time, which keeps its callbacks in order.
        self._cond = threading.Condition()
        self._queues: Dict[Destination, Deque[CallbackJob]] = {}
        self._ready: Deque[Destination] = deque()
        self._busy: Set[Destination] = set()
        self._workers: Set[threading.Thread] = set()
        self._idle_workers = 0
        self._unfinished = 0
        self._pending = 0
        self._running = False
        self._connections: Dict[http.client.HTTPConnection, int] = {}
        self._stopping = threading.Event()

    @property
    def generation(self) -> int:
        """Bumped by :meth:`reset`; jobs from an older generation are dropped."""
        return self._generation

    def start(self) -> None:
        """Start delivering (idempotent); workers start as callbacks arrive."""
        with self._cond:
            self._running = True
            self._stopping.clear()
            self._spawn_workers()

    def close(self, timeout: float = 2.0) -> None:
        """Stop delivering: queued jobs are abandoned, deliveries in progress are cut off.

        A delivery that ends after this is neither recorded nor reported to ``on_result`` (whose
        storage may be closed by then).
        """
        with self._cond:
            with self._lock:
                self._generation += 1
            self._running = False
            self._stopping.set()
            self._drop_queued()
            workers = list(self._workers)
            self._cond.notify_all()
        self._abort_connections(None)
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def submit(self, job: CallbackJob) -> None:
        """Queue a delivery behind the earlier ones to the same destination."""
        problem = destination_problem(job.url, self.allowed_hosts)
        key = NO_DESTINATION if problem is not None else destination_of(job.url)
        with self._cond:
            job.generation = self._generation
            full = self._pending >= self.max_pending
            if not full:
                queue = self._queues.setdefault(key, deque())
                if not queue and key not in self._busy:
                    self._ready.append(key)
                queue.append(job)
                self._pending += 1
                self._unfinished += 1
                self._spawn_workers()
                self._cond.notify()
        if full:
            self._finish(job, False, None, "not delivered: the callback queue is full", [], time.time())

    def reset(self) -> None:
        """Forget all records, drop queued jobs and cut off deliveries in progress."""
        with self._cond:
            with self._lock:
                self._generation += 1
                self._records.clear()
            self._drop_queued()
            self._cond.notify_all()
        self._abort_connections(self._generation)

    def records(self) -> List[JsonDict]:
        """A copy of every delivery record, oldest first."""
        with self._lock:
            return [dict(record) for record in self._records]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued job is finished; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._unfinished == 0, timeout)

    # The pool (call with _cond held) ----------------------------------------------------------

    def _spawn_workers(self) -> None:
        while (self._running and len(self._ready) > self._idle_workers
               and len(self._workers) < self.max_workers):
            worker = threading.Thread(target=self._run, name="scale-emulator-callbacks", daemon=True)
            self._workers.add(worker)
            worker.start()
            self._idle_workers += 1  # it counts as idle until it takes a destination

    def _drop_queued(self) -> None:
        dropped = sum(len(queue) for queue in self._queues.values())
        self._queues = {key: deque() for key in self._busy}
        self._ready.clear()
        self._pending -= dropped
        self._unfinished -= dropped
        self._cond.notify_all()

    def _next_job(self) -> Optional[Tuple[Destination, CallbackJob]]:
        """Wait for a ready destination and take its oldest job; None when this worker should end."""
        with self._cond:
            while not self._ready:
                if not self._running:
                    break
                if not self._cond.wait(IDLE_WORKER_SECONDS) and not self._ready:
                    break
            self._idle_workers -= 1
            if not self._running or not self._ready:
                self._workers.discard(threading.current_thread())
                return None
            key = self._ready.popleft()
            self._busy.add(key)
            self._pending -= 1
            return key, self._queues[key].popleft()

    def _run(self) -> None:
        while True:
            taken = self._next_job()
            if taken is None:
                return
            key, job = taken
            try:
                if job.generation == self._generation:
                    self._deliver(job)
            except Exception:  # pylint: disable=broad-exception-caught  # the worker must survive
                pass
            finally:
                with self._cond:
                    self._busy.discard(key)
                    queue = self._queues.get(key)
                    if queue:
                        self._ready.append(key)  # behind the other destinations: fair turns
                    elif queue is not None:
                        del self._queues[key]
                    self._unfinished -= 1
                    self._idle_workers += 1
                    self._cond.notify_all()

    def _abort_connections(self, below_generation: Optional[int]) -> None:
        """Shut the sockets of deliveries in progress (all, or those older than a generation)."""
        with self._cond:
            conns = [conn for conn, generation in self._connections.items()
                     if below_generation is None or generation < below_generation]
        for conn in conns:
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    # One delivery -----------------------------------------------------------------------------

    def _deliver(self, job: CallbackJob) -> None:
        started = time.time()
        attempts: List[JsonDict] = []
        problem = destination_problem(job.url, self.allowed_hosts)
        delivered = False
        status: Optional[int] = None
        if problem is None:
            delivered, status, problem = self._attempts(job, attempts)
        self._finish(job, delivered, status, problem or "delivered", attempts, started)

    def _finish(  # pylint: disable=too-many-arguments
        self, job: CallbackJob, delivered: bool, status: Optional[int], reason: str,
        attempts: List[JsonDict], started: float,
    ) -> None:
        self._record(job, delivered, status, reason, attempts, started)
        if self.on_result is not None and job.generation == self._generation:
            self.on_result(job, delivered)

    def _post(self, job: CallbackJob, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
        """POST once and return the status code and the start of the receiver's answer (as text);
        raises OSError/HTTPException on transport failure."""
        conn, path = _connection(job.url, self.timeout)
        with self._cond:
            self._connections[conn] = job.generation
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            return response.status, answer[:MAX_ANSWER_BYTES].decode("utf-8", "replace")
        finally:
            with self._cond:
                del self._connections[conn]
            conn.close()

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
            if job.generation != self._generation or self._stopping.is_set():
                break
            try:
                status, answer = self._post(job, payload, headers)
                error = None
            except (OSError, http.client.HTTPException) as err:
                status, answer, error = None, None, f"{type(err).__name__}: {err}"
            log.append({
                "attempt": attempt + 1, "status_code": status, "error": error, "at": time.time(),
                "answer": answer,
            })
            if status is not None and 200 <= status < 300:
                return True, status, None
            reason = f"HTTP {status}" if status is not None else f"connection failed ({error})"
        return False, status, f"not delivered after {len(log)} attempt(s): {reason}"

    def _record(  # pylint: disable=too-many-arguments
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
