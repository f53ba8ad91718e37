"""A small receiver for Scale task callbacks, on the standard library only.

It listens on 127.0.0.1, checks the ``scale-callback-auth`` header against your callback auth key
(in constant time), parses the body into a ``scaleapi.Task`` and prints one JSON line per task.
Put it behind your HTTPS reverse proxy to receive callbacks from Scale; locally, point the emulator's
tasks at it::

    SCALE_CALLBACK_AUTH_KEY=<key from the dashboard> python examples/callback_receiver.py --port 8765

    # then create tasks with callback_url="http://127.0.0.1:8765/scale-callback"

Answer quickly: Scale retries a callback that does not get a 2xx, so slow work belongs in a queue.
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Sequence

from scaleapi.callbacks import CALLBACK_AUTH_HEADER, InvalidCallback, parse_callback, verify_callback_auth
from scaleapi.tasks import Task

#: Larger bodies are refused (a task callback is far smaller).
MAX_BODY_BYTES = 10 * 1024 * 1024


def print_task(task: Task) -> None:
    """The default action: one JSON line per callback on stdout."""
    doc = task.as_dict()
    print(json.dumps({"task_id": task.id, "status": doc.get("status"), "type": doc.get("type")}), flush=True)


def make_server(
    expected_key: str,
    on_task: Callable[[Task], None] = print_task,
    host: str = "127.0.0.1",
    port: int = 0,
) -> ThreadingHTTPServer:
    """A threaded HTTP server that verifies and parses Scale callbacks (port 0 picks a free port).

    Args:
        expected_key: your callback auth key; requests without it get 401.
        on_task: called with each verified task.
        host: the interface to listen on.
        port: the port.
    """
    if not expected_key:
        raise ValueError("a callback auth key is required")

    class CallbackHandler(BaseHTTPRequestHandler):
        """Answers POSTs: 401 without the right key, 400 for a bad body, 200 once handled."""

        def do_POST(self) -> None:  # pylint: disable=invalid-name
            """Verify, parse, hand over, answer."""
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._answer(413, {"error": "body too large"})
                return
            body = self.rfile.read(length)
            if not verify_callback_auth(self.headers.get(CALLBACK_AUTH_HEADER), expected_key):
                self._answer(401, {"error": "bad or missing scale-callback-auth"})
                return
            try:
                task = parse_callback(body)
            except InvalidCallback as err:
                self._answer(400, {"error": err.message})
                return
            on_task(task)
            self._answer(200, {"ok": True})

        def _answer(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # pylint: disable=redefined-builtin
            """Keep stdout for the task lines; requests go to stderr as usual."""
            sys.stderr.write(f"callback_receiver: {format % args}\n")

    return ThreadingHTTPServer((host, port), CallbackHandler)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    key = os.environ.get("SCALE_CALLBACK_AUTH_KEY", "")
    if not key:
        print("set SCALE_CALLBACK_AUTH_KEY to your callback auth key", file=sys.stderr)
        return 2
    server = make_server(key, host=args.host, port=args.port)
    print(f"listening on http://{args.host}:{server.server_address[1]}/", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
