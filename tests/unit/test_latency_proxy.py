"""The bench's delay proxy: it delays each direction, passes bytes intact, and closes cleanly."""
import os
import socket
import threading
import time
from typing import Iterator, List

import pytest

from bench.latency_proxy import LatencyProxy

DELAY_MS = 25.0


def _echo_server() -> "tuple[socket.socket, threading.Thread]":
    """A loopback server that echoes every connection until the client half-closes, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one(conn: socket.socket) -> None:
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return listener, thread


@pytest.fixture(name="proxy")
def fixture_proxy() -> Iterator[LatencyProxy]:
    listener, _ = _echo_server()
    with LatencyProxy(listener.getsockname()[1], DELAY_MS) as proxy:
        yield proxy
    listener.close()


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    parts: List[bytes] = []
    got = 0
    while got < size:
        data = sock.recv(min(65536, size - got))
        assert data, "connection closed early"
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def test_each_round_trip_pays_twice_the_delay(proxy: LatencyProxy) -> None:
    delay = DELAY_MS / 1000
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        started = time.perf_counter()
        sock.sendall(b"ping")
        assert _recv_exactly(sock, 4) == b"ping"
        first = time.perf_counter() - started
        started = time.perf_counter()
        sock.sendall(b"pong")
        assert _recv_exactly(sock, 4) == b"pong"
        second = time.perf_counter() - started
    # The first exchange also pays for the TCP handshake the proxy charges (one more round trip).
    assert first >= 4 * delay * 0.95
    assert second >= 2 * delay * 0.95


def test_bytes_pass_intact_both_ways(proxy: LatencyProxy) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    received: List[bytes] = []
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
        reader = threading.Thread(target=lambda: received.append(_recv_exactly(sock, len(payload))))
        reader.start()
        sock.sendall(payload)
        reader.join(30)
    assert not reader.is_alive()
    assert received == [payload]


def test_half_close_travels_through_and_the_connection_ends(proxy: LatencyProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(b"last words")
        sock.shutdown(socket.SHUT_WR)  # the echo server sees the end, answers, and closes
        answer = b""
        while True:
            data = sock.recv(65536)  # a bounded wait: the socket's 10 s timeout
            if not data:
                break
            answer += data
    assert answer == b"last words"


def test_an_unreachable_upstream_closes_the_client_connection() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        dead_port = spare.getsockname()[1]  # bound, never listening: connections are refused
        with LatencyProxy(dead_port, DELAY_MS) as proxy:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
                assert sock.recv(1) == b""


def test_stop_ends_the_thread_with_connections_open(proxy: LatencyProxy) -> None:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall(b"x")
    thread = proxy._thread  # pylint: disable=protected-access  # the point of the test
    proxy.stop()
    assert thread is not None and not thread.is_alive()
    sock.close()


def test_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError):
        LatencyProxy(1, -1)
