"""The HTTP server: werkzeug's threaded server with a handler that really keeps connections alive.

werkzeug's own handler answers ``Connection: close`` on every response and then drains the socket,
which would swallow the next request of a keep-alive client. This handler sends every response
with a Content-Length and keeps the connection open when the request body was read to its end.
Nagle's algorithm is off so a small response is not held back waiting for an ACK (the ~40 ms
delayed-ACK stall).

The handler streams what the WSGI app yields, so a wrapping layer (e.g. fault injection) can send
part of a body and then drop the connection by raising a ``ConnectionError``.

Errors found before the app runs (a request line over 64 KiB: 414; a header line over 64 KiB or
too many headers: 431; a malformed request line or a ``Content-Length`` that is not one decimal
number: 400) are answered in the API's JSON error shape and the connection is closed. A body that
cannot be read (a malformed chunked encoding) is a 400 from the app, and the connection is closed
because what follows it on the wire cannot be framed.

Over HTTPS the TLS handshake runs in the connection's own thread, not in ``accept()`` (werkzeug's
way), so a client that connects and never handshakes cannot stall every other client.
"""
from __future__ import annotations

import io
import socket
import ssl
import threading
from typing import Any, Callable, List, Optional, Set, Tuple

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from ..rules.jsontext import encode
from .request import BODY_BROKEN, BODY_CONSUMED

IDLE_TIMEOUT_SECONDS = 120
# A client gets this long to complete its TLS handshake.
HANDSHAKE_TIMEOUT_SECONDS = 10
# A body left unread by the app is drained (to keep the connection) only up to this size.
MAX_DRAIN_BYTES = 16 << 20

StartResponse = Callable[..., Any]


class _CountingInput(io.RawIOBase):
    """``wsgi.input`` that counts what the app reads, so we know whether the body was consumed."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size

    def readline(self, size: Optional[int] = -1) -> bytes:
        line: bytes = self._raw.readline(-1 if size is None else size)
        self.count += len(line)
        return line


class _Response:
    """Status and headers captured from ``start_response``."""

    def __init__(self) -> None:
        self.status: Optional[str] = None
        self.headers: List[Tuple[str, str]] = []

    def start(
        self, status: str, headers: List[Tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        """The WSGI ``start_response`` callable."""
        del exc_info  # headers are not sent before the first body chunk, so replacing is safe
        self.status, self.headers = status, list(headers)
        return lambda data: None

    def content_length(self) -> Optional[int]:
        """The declared Content-Length, if any."""
        for name, value in self.headers:
            if name.lower() == "content-length" and value.strip().isdigit():
                return int(value)
        return None


class KeepAliveHandler(WSGIRequestHandler):
    """Serves WSGI over HTTP/1.1 keep-alive, silently (no access log on stderr)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    # An idle keep-alive connection holds a thread; give it back eventually.
    timeout = IDLE_TIMEOUT_SECONDS
    server: "EmulatorServer"
    handshake_failed = False
    _headers_buffer: List[bytes]  # http.server's buffer of the response head (see _send_head)

    def setup(self) -> None:
        # Tracked before the handshake, so stop() can also cut a client that never finishes one.
        self.server.track(self.request)
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
                self.request.do_handshake()
            except (OSError, ValueError):  # ssl.SSLError, a timeout or a reset: drop this client only
                self.handshake_failed = True
                self.server.count_handshake_failure()
        super().setup()

    def handle(self) -> None:
        if not self.handshake_failed:
            super().handle()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # flushing to a client whose handshake failed
        finally:
            self.server.untrack(self.connection)

    def run_wsgi(self) -> None:
        # ``Expect: 100-continue`` was already answered by http.server's parse_request (one
        # ``100 Continue``); answering it here too would put a second interim response on the wire.
        framing_error = _framing_error(self.headers.get_all("Content-Length") or [])
        if framing_error:
            self.send_error(400, framing_error)
            return
        try:
            environ = self.make_environ()
        except ValueError:  # the request target does not parse as a URL, e.g. "http://[::1/v1"
            self.send_error(400, "The request target is not a valid URL.")
            return
        counter = _CountingInput(environ["wsgi.input"])
        environ["wsgi.input"] = counter
        self.environ = environ  # pylint: disable=attribute-defined-outside-init  # werkzeug's own field
        response = _Response()
        sent_headers = False
        try:
            app_iter = self.server.app(environ, response.start)
            try:
                chunks = iter(app_iter)
                first = next(chunks, b"")
                length = response.content_length()
                if length is None:
                    # Unknown length: buffer it all so the response still carries Content-Length.
                    first = first + b"".join(chunks)
                    length = len(first)
                # The head goes out with the first chunk, in one write (one TLS record, one segment).
                self._send_head(response, length, self._reusable(environ, counter), first)
                sent_headers = True
                for chunk in chunks:
                    self._write(chunk)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
            self.wfile.flush()
        except (ConnectionError, TimeoutError, socket.timeout):
            # The client went away, or a fault layer dropped the connection on purpose.
            self.close_connection = True
        except Exception:  # pylint: disable=broad-exception-caught  # answer JSON 500, keep serving
            self.close_connection = True
            if not sent_headers:
                self._send_error_500()

    def _reusable(self, environ: Any, counter: _CountingInput) -> bool:
        """Whether the request body has been read to its end (draining a small remainder)."""
        if environ.get(BODY_BROKEN):
            return False
        if environ.get(BODY_CONSUMED):
            return True
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return False
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return False
        remaining = length - counter.count
        if remaining <= 0:
            return True
        if remaining > MAX_DRAIN_BYTES:
            return False
        while counter.count < length:
            if not counter.read(length - counter.count):
                return False
        return True

    def _send_head(self, response: _Response, length: int, keep_alive: bool, first: bytes = b"") -> None:
        """Send the status line and headers, followed by ``first``, the start of the body."""
        code, _, reason = (response.status or "500 Internal Server Error").partition(" ")
        self.send_response(int(code), reason)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        if not keep_alive:
            self.send_header("Connection", "close")
        if self.request_version == "HTTP/0.9":  # no head at all
            self._write(first)
            return
        # end_headers() without its flush: send_response/send_header buffer the head in
        # _headers_buffer (http.server), which is written here together with the body's start.
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        self.wfile.write(head + first if first and self.command != "HEAD" else head)

    def _write(self, data: bytes) -> None:
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Answer an error found by http.server itself (414, 431, 400 ...) as JSON, then close."""
        del explain
        # A request line that could not be parsed leaves http.server's default version, HTTP/0.9,
        # which would suppress the status line and headers; the answer is HTTP/1.1 all the same.
        self.request_version = "HTTP/1.1"  # pylint: disable=attribute-defined-outside-init
        reason = self.responses.get(code, ("Error", ""))[0]
        body = encode({"status_code": code, "error": message or reason}).encode("utf-8")
        self.close_connection = True
        try:
            self.send_response(code, reason)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def _send_error_500(self) -> None:
        self.send_error(500, "Internal emulator error")

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Silent: the emulator keeps its own request log without keys."""

    def log_error(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Silent: client disconnects and timeouts are normal for a test server."""

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Silent."""


def _framing_error(lengths: List[str]) -> Optional[str]:
    """Why the ``Content-Length`` headers cannot frame the body (RFC 9112 §6.3), or None."""
    values = {value.strip() for value in lengths}
    if not values:
        return None
    if len(values) > 1:
        return "Conflicting Content-Length headers."
    value = values.pop()
    if not (value.isascii() and value.isdigit()):
        return "Content-Length must be a non-negative decimal number."
    return None


class EmulatorServer(ThreadedWSGIServer):
    """werkzeug's threaded server that remembers its open connections so stop() can close them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: Set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.accepted = 0
        self.handshake_failures = 0
        super().__init__(*args, **kwargs)

    def track(self, sock: socket.socket) -> None:
        """Remember an accepted connection (counted in ``accepted``, even if its handshake fails)."""
        with self._connections_lock:
            self._connections.add(sock)
            self.accepted += 1

    def count_handshake_failure(self) -> None:
        """Record a connection dropped because its TLS handshake failed."""
        with self._connections_lock:
            self.handshake_failures += 1

    def untrack(self, sock: socket.socket) -> None:
        """Forget a finished connection."""
        with self._connections_lock:
            self._connections.discard(sock)

    def open_connections(self) -> List[socket.socket]:
        """The client connections currently open."""
        with self._connections_lock:
            return list(self._connections)

    def close_connections(self) -> None:
        """Shut down every open client connection (used when stopping)."""
        for sock in self.open_connections():
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def log(self, type: str, message: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Silent."""


def make_emulator_server(
    host: str, port: int, app: Any, ssl_context: Optional[ssl.SSLContext] = None
) -> EmulatorServer:
    """Bind a threaded, keep-alive server (port 0 picks a free port), over TLS with ``ssl_context``."""
    server = EmulatorServer(host, port, app, KeepAliveHandler, False, None)
    if ssl_context is not None:
        # Accept without handshaking; KeepAliveHandler.setup handshakes in the connection's thread.
        server.socket = ssl_context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        server.ssl_context = ssl_context  # werkzeug reads it for wsgi.url_scheme
    return server
