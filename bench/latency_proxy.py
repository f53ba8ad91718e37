"""A TCP pass-through proxy on loopback that holds every chunk for a fixed one-way delay.

``LatencyProxy(upstream_port, delay_ms=10)`` listens on 127.0.0.1 and forwards each connection to
``127.0.0.1:upstream_port``. Every chunk read from either side is delivered to the other side
``delay_ms`` after it arrived, in order, without waiting for the chunks ahead of it to be delivered
first (so a 10 ms one-way delay is a 20 ms round trip, however many chunks are in flight). The bytes
pass untouched, so TLS runs end to end between the client and the emulator.

The kernel completes the TCP handshake with the proxy at once, so the proxy charges it: nothing the
client sends is delivered before one round trip (``2 * delay_ms``) after the connection was
accepted, as if the client had waited for the SYN-ACK. A new connection therefore costs one round
trip for TCP, one more for a TLS 1.3 handshake, and one for each request, as on a real network.

Run as a process: ``python -m bench.latency_proxy UPSTREAM_PORT [DELAY_MS]`` prints one JSON line
(``{"port": ..., "pid": ...}``) and forwards until its stdin closes.
"""
import asyncio
import json
import os
import sys
import threading
from typing import List, Optional, Tuple

HOST = "127.0.0.1"
CHUNK = 65536
DEFAULT_DELAY_MS = 10.0

Item = Tuple[float, bytes]  # (when to deliver, on the loop's clock; the bytes, b"" for end of stream)


async def _read_side(
    reader: asyncio.StreamReader, queue: "asyncio.Queue[Item]", delay: float, not_before: float
) -> None:
    """Stamp each chunk with its delivery time; an empty chunk marks the end of the stream."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(CHUNK)
            await queue.put((max(loop.time(), not_before) + delay, data))
            if not data:
                return
    except (ConnectionError, OSError):
        await queue.put((loop.time(), b""))


async def _write_side(writer: asyncio.StreamWriter, queue: "asyncio.Queue[Item]") -> None:
    """Deliver each chunk at its time, then half-close the other side at the end of the stream."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        return


class LatencyProxy:
    """The delay proxy, on its own event loop in a daemon thread (a context manager).

    Args:
        upstream_port: the port on 127.0.0.1 to forward to.
        delay_ms: the one-way delay added in each direction.
    """

    def __init__(self, upstream_port: int, delay_ms: float = DEFAULT_DELAY_MS) -> None:
        if delay_ms < 0:
            raise ValueError("delay_ms must be >= 0")
        self.upstream_port = upstream_port
        self.delay = delay_ms / 1000.0
        self.port = 0
        self.connections = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server: Optional[asyncio.AbstractServer] = None
        self._thread: Optional[threading.Thread] = None

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        handshake_done = loop.time() + 2 * self.delay
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(HOST, self.upstream_port)
        except OSError:
            client_writer.close()
            return
        upward: "asyncio.Queue[Item]" = asyncio.Queue()
        downward: "asyncio.Queue[Item]" = asyncio.Queue()
        try:
            await asyncio.gather(
                _read_side(client_reader, upward, self.delay, handshake_done),
                _write_side(server_writer, upward),
                _read_side(server_reader, downward, self.delay, 0.0),
                _write_side(client_writer, downward),
            )
        finally:
            for writer in (server_writer, client_writer):
                writer.close()

    async def _shutdown(self) -> None:
        """Inside the loop: stop accepting, end every connection's handler, let the transports close."""
        if self._server is not None:
            self._server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await asyncio.sleep(0.05)  # closed transports finish closing while the loop still runs

    async def _start(self, ready: threading.Event) -> None:
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        ready.set()

    def start(self) -> "LatencyProxy":
        """Listen on a free loopback port (``self.port``) and forward in a background thread."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._loop = loop

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._start(ready))
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name="latency-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the latency proxy did not start")
        return self

    def stop(self) -> None:
        """Stop listening, drop the open connections and end the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> "LatencyProxy":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: List[str]) -> int:
    """``python -m bench.latency_proxy UPSTREAM_PORT [DELAY_MS]``: forward until stdin closes."""
    if len(argv) < 2:
        print("usage: python -m bench.latency_proxy UPSTREAM_PORT [DELAY_MS]", file=sys.stderr)
        return 2
    delay_ms = float(argv[2]) if len(argv) > 2 else DEFAULT_DELAY_MS
    with LatencyProxy(int(argv[1]), delay_ms) as proxy:
        print(json.dumps({"port": proxy.port, "pid": os.getpid(), "delay_ms": delay_ms}), flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
