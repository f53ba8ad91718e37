"""A bound on the whole answer to one request, on top of requests' per-read timeout.

requests' read timeout bounds each wait for the next bytes, so a server that sends one byte every
few seconds can hold a call for as long as it likes. ``Api`` arms a ``Deadline`` around each attempt;
the connection classes below hand it their socket once the request has been sent, and one watchdog
thread shuts that socket down if the answer (status line, headers and body) is not complete in time.
The blocked read then fails at once and ``Api`` reports a ``ScaleClientTimeout``.

A connection given back to the pool is released from its deadline first, so a watchdog can never cut
a connection that another request has taken over.
"""
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any, List, Optional, Tuple, cast

import requests
import urllib3
import urllib3.connection

__all__ = ["Deadline", "DeadlineAdapter"]

_current = threading.local()  # the Deadline of the attempt running on this thread, if any
_ARMED = "_scaleapi_deadline"  # the attribute of a connection that names the deadline watching it


class Deadline:
    """The answer to one attempt must be complete ``seconds`` after its request was sent.

    Use as a context manager around the ``requests`` call; ``fired`` tells afterwards whether the
    watchdog had to cut the connection.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires: Optional[float] = None
        self.fired = False
        self.finished = False
        self._sock: Optional[socket.socket] = None
        self._lock = threading.Lock()

    def __enter__(self) -> "Deadline":
        _current.deadline = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        _current.deadline = None
        with self._lock:
            self.finished = True
            self._sock = None

    def watch(self, sock: socket.socket) -> None:
        """Called when a request has been sent on ``sock`` (the first one starts the clock)."""
        with self._lock:
            if self.finished:
                return
            self._sock = sock
            first = self.expires is None
            if first:
                self.expires = time.monotonic() + self.seconds
        if first:
            _WATCHDOG.add(self)
        elif self.expires is not None and time.monotonic() >= self.expires:
            self.fire()  # a redirect followed after the time ran out

    def release(self) -> None:
        """The connection went back to the pool: it is no longer this attempt's to cut."""
        with self._lock:
            self._sock = None

    def fire(self) -> None:
        """Time is up: shut the socket down so that the blocked read fails now."""
        with self._lock:
            if self.finished or self._sock is None:
                return
            self.fired = True
            try:
                # socket.socket's own shutdown, also for an SSLSocket: its override would drop the
                # TLS state under the thread that is reading it.
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


class _Watchdog:
    """One daemon thread that fires deadlines when they expire (started on first use, per process)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: List[Tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._started = False

    def reset_after_fork(self) -> None:
        """A forked child has no watchdog thread (and maybe a lock held by a thread that is gone)."""
        self._cond = threading.Condition()
        self._heap = []
        self._started = False

    def add(self, deadline: Deadline) -> None:
        """Fire ``deadline`` when it expires, unless it has finished by then."""
        assert deadline.expires is not None
        with self._cond:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="scaleapi-deadlines", daemon=True).start()
            heapq.heappush(self._heap, (deadline.expires, next(self._order), deadline))
            if self._heap[0][2] is deadline:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            due: List[Deadline] = []
            with self._cond:
                now = time.monotonic()
                while self._heap and (self._heap[0][0] <= now or self._heap[0][2].finished):
                    deadline = heapq.heappop(self._heap)[2]
                    if not deadline.finished:
                        due.append(deadline)
                if not due:
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for deadline in due:
                deadline.fire()


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.reset_after_fork)


def _arm(conn: Any) -> None:
    deadline: Optional[Deadline] = getattr(_current, "deadline", None)
    if deadline is not None and conn.sock is not None:
        setattr(conn, _ARMED, deadline)
        deadline.watch(conn.sock)


def _disarm(conn: Any) -> None:
    deadline: Optional[Deadline] = getattr(conn, _ARMED, None)
    if deadline is not None:
        setattr(conn, _ARMED, None)
        deadline.release()


class _TimedAnswer:
    """Mixed into a connection: once the request is sent, the answer is timed."""

    def getresponse(self) -> Any:  # pylint: disable=missing-function-docstring  # urllib3 documents it
        _arm(self)
        return cast(Any, super()).getresponse()  # pylint: disable=no-member


class _ReleasingPool:
    """Mixed into a pool: a connection coming back is released from its deadline first."""

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _disarm(conn)
        cast(Any, super())._put_conn(conn)  # pylint: disable=protected-access,no-member


class _HTTPConnection(_TimedAnswer, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_TimedAnswer, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(_ReleasingPool, urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(_ReleasingPool, urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _use_timed_pools(manager: Any) -> None:
    # Plain and http(s)-proxy managers build their pools from this table; a SOCKS manager has its
    # own classes and keeps them (its answers are bounded by the per-read timeout only).
    if type(manager) in (urllib3.PoolManager, urllib3.ProxyManager):
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An ``HTTPAdapter`` whose connections report to the running attempt's ``Deadline``."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager as requests does, with timed connection pools."""
        super().init_poolmanager(*args, **kwargs)
        _use_timed_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The proxy manager as requests builds it, with timed connection pools."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_timed_pools(manager)
        return manager
