"""Control operations behind both ``/_emulator/...`` and the :class:`Emulator` methods."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional

from .callbacks import CallbackDispatcher
from .context import ServiceContext
from .errors import invalid_param
from .service_state import complete_task, fail_task

JsonDict = Dict[str, Any]

MAX_LOGGED_REQUESTS = 10_000


class RequestLog:
    """The most recent requests: method, path, status, account hash (never the key), timing."""

    def __init__(self, size: int = MAX_LOGGED_REQUESTS) -> None:
        self._entries: Deque[JsonDict] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: JsonDict) -> None:
        """Append one entry (the oldest is dropped when full)."""
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> List[JsonDict]:
        """A copy of the log, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


class Controller:
    """Test-harness operations: reset, drive tasks, set the lifecycle policy, inspect logs."""

    def __init__(self, ctx: ServiceContext, dispatcher: CallbackDispatcher, log: RequestLog) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.log = log
        self.started = time.time()
        # Layers outside the app (fault injection) register how to clear themselves on reset.
        self.reset_hooks: List[Callable[[], None]] = []

    def health(self) -> JsonDict:
        """Liveness plus a few counters."""
        store = self.ctx.store
        with store.transaction():
            tasks = store.tasks.count_all()
            accounts = store.accounts.count()
            files = store.files.count()
        return {
            "status": "ok", "uptime_seconds": round(time.time() - self.started, 3), "tasks": tasks,
            "accounts": accounts, "files": files, "complete_after": self.ctx.complete_after,
            "database": store.db.path,
        }

    def reset(self) -> JsonDict:
        """Wipe all accounts and data, callback records, the request log; clear the policy."""
        self.dispatcher.reset()
        self.ctx.store.wipe()
        self.ctx.forget_accounts()
        self.ctx.complete_after = None
        self.ctx.policy_changed.set()
        self.log.clear()
        for hook in self.reset_hooks:
            hook()
        return {"status": "reset"}

    def complete_task(self, task_id: str, response: Optional[JsonDict] = None) -> JsonDict:
        """Complete a pending task (synthetic response when none is given)."""
        if response is not None and not isinstance(response, dict):
            raise invalid_param("response", "must be an object")
        return complete_task(self.ctx, task_id, response)

    def fail_task(self, task_id: str, error: str = "Task failed (emulated)") -> JsonDict:
        """Put a pending task into ``error``."""
        if not isinstance(error, str) or not error:
            raise invalid_param("error", "must be a non-empty string")
        return fail_task(self.ctx, task_id, error)

    def set_lifecycle(self, complete_after: Optional[float]) -> JsonDict:
        """Set (seconds) or clear (None) the live-mode auto-completion delay."""
        if complete_after is not None:
            if isinstance(complete_after, bool) or not isinstance(complete_after, (int, float)):
                raise invalid_param("complete_after", "must be a number of seconds or null")
            if complete_after < 0:
                raise invalid_param("complete_after", "must not be negative")
        self.ctx.complete_after = None if complete_after is None else float(complete_after)
        self.ctx.policy_changed.set()
        return self.lifecycle()

    def lifecycle(self) -> JsonDict:
        """The current policy."""
        return {"complete_after": self.ctx.complete_after}

    def callbacks(self) -> List[JsonDict]:
        """Every callback delivery record, oldest first."""
        return self.dispatcher.records()

    def requests(self) -> List[JsonDict]:
        """The request log, oldest first."""
        return self.log.entries()
