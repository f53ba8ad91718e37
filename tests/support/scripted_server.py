"""A loopback HTTP server that answers from a script, to drive the SDK's transport through failures.

Each request takes the next step of the script (the last step repeats). A step is a dict:
``{"status": 200, "body": b"...", "headers": {...}}``, ``{"drop": True}`` (close without answering),
or ``{"delay": seconds, ...}`` (sleep first). A step may also send its answer slowly:
``"drip": seconds`` writes the body one byte at a time with that pause between bytes (the status line
and headers too with ``"drip_headers": True``), and ``"stall": seconds`` with ``"stall_after": n``
sends the headers and ``n`` bytes of the body, then waits before sending the rest. Every request is
recorded with its client port, so tests can also see whether connections were reused.
"""
import http.server
import json
import socket
import ssl
import threading
from typing import Any, Dict, List, Optional


class ScriptedServer:
    """Serve ``script`` on 127.0.0.1 in a background thread."""

    def __init__(self, script: List[Dict[str, Any]], ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.script = list(script)
        self.seen: List[Dict[str, Any]] = []
        self.cut = 0  # slow answers the client hung up on
        self._lock = threading.Lock()
        self.httpd = _Server(self)
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(http.server.ThreadingHTTPServer):
    """A threading HTTP server that knows the ScriptedServer it serves for."""

    daemon_threads = True

    def __init__(self, owner: "ScriptedServer") -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answer each request with the next step of the owning server's script."""

    server: "_Server"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:  # silence
        pass

    def _serve(self) -> None:
        outer = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with outer._lock:
            outer.seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body,
                    "port": self.client_address[1],
                }
            )
            step = outer.script[0] if len(outer.script) == 1 else outer.script.pop(0)
        if step.get("delay"):
            threading.Event().wait(step["delay"])
        if step.get("drop"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = step.get("body", b"{}")
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
        if step.get("drip") or step.get("stall"):
            self._send_slowly(step, payload)
            return
        self.send_response(step.get("status", 200))
        headers = {"Content-Type": "application/json", **step.get("headers", {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(step.get("length", len(payload))))
        self.end_headers()
        self.wfile.write(payload)
        if "length" in step:
            self.close_connection = True

    def _send_slowly(self, step: Dict[str, Any], payload: bytes) -> None:
        outer = self.server.owner
        headers = {"Content-Type": "application/json", **step.get("headers", {})}
        head = f"HTTP/1.1 {step.get('status', 200)} Whatever\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        self.close_connection = True
        pause = step.get("drip", 0.0)
        slow = head.encode() + payload if step.get("drip_headers") else payload
        fast = b"" if step.get("drip_headers") else head.encode()
        if step.get("stall"):
            fast, slow = head.encode() + payload[: step["stall_after"]], payload[step["stall_after"]:]
        try:
            self.wfile.write(fast)
            self.wfile.flush()
            if step.get("stall"):
                threading.Event().wait(step["stall"])
                self.wfile.write(slow)
                return
            for index in range(len(slow)):
                self.wfile.write(slow[index:index + 1])
                self.wfile.flush()
                threading.Event().wait(pause)
        except OSError:
            outer.cut += 1  # the client gave up and closed the connection

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve
