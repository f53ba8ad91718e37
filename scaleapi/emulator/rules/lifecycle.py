"""The lifecycle policy thread: completes live-mode tasks ``complete_after`` seconds after creation."""
from __future__ import annotations

import sys
import threading
from typing import Optional

from .context import ServiceContext
from .task_state import complete_due_tasks

POLL_SECONDS = 0.05
IDLE_SECONDS = 1.0


class LifecycleWorker:
    """Polls for due tasks while a policy is set; sleeps until woken while none is."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="scale-emulator-lifecycle", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread."""
        self._stop.set()
        self._ctx.policy_changed.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        ctx = self._ctx
        while not self._stop.is_set():
            if ctx.complete_after is None:
                ctx.policy_changed.wait(IDLE_SECONDS)
                ctx.policy_changed.clear()
                continue
            try:
                complete_due_tasks(ctx)
            except Exception as err:  # pylint: disable=broad-exception-caught  # keep the policy alive
                print(f"scale emulator: lifecycle step failed: {err!r}", file=sys.stderr)
            self._stop.wait(POLL_SECONDS)
