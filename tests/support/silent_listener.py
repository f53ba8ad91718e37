"""A loopback TCP listener that accepts connections on a thread and never answers any of them."""
import socket
import threading
from typing import List


class SilentListener:
    """Accepts on ``127.0.0.1`` and counts each connection; ``keep_open`` holds them open (a hung peer),
    else each is closed at once (a tripwire).
    """

    def __init__(self, keep_open: bool, poll: float = 0.05) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.sock.settimeout(poll)  # how often the accept loop looks at the stop flag
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.keep_open = keep_open
        self.connections = 0
        self.accepted: List[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            if self.keep_open:
                self.accepted.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        """Stop accepting and close every connection still held."""
        self._stop.set()
        self._thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()
