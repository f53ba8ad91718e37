"""Control operations behind both ``/_emulator/...`` and the :class:`Emulator` methods."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .callback_delivery import CallbackDispatcher
from .context import ServiceContext
from .errors import invalid_param
from .identity import Account, account_id, is_test_key
from .task_state import complete_task, fail_task

JsonDict = Dict[str, Any]

#: The request log keeps at most this many entries ...
MAX_LOGGED_REQUESTS = 10_000
#: ... and at most this many bytes of them (see :func:`entry_size`), whichever bound is hit first.
MAX_LOGGED_BYTES = 16 * 1024 * 1024
#: What one entry costs beyond its strings: the dict, its keys, numbers (measured, rounded up).
ENTRY_OVERHEAD_BYTES = 1024
#: Longest lifecycle delay the control API accepts: ten years, in seconds.
MAX_COMPLETE_AFTER = 10 * 365 * 86_400


def entry_size(entry: JsonDict) -> int:
    """The bytes one log entry is counted as: its string values plus a fixed overhead."""
    return ENTRY_OVERHEAD_BYTES + sum(len(value) for value in entry.values() if isinstance(value, str))


class RequestLog:
    """The most recent requests: method, path, status, account hash (never the key), timing.

    Bounded both in entries and in bytes, so requests with 64 KiB paths or queries cannot make it
    grow past ``max_bytes``; the oldest entries are dropped first.
    """

    def __init__(self, size: int = MAX_LOGGED_REQUESTS, max_bytes: int = MAX_LOGGED_BYTES) -> None:
        self._entries: Deque[Tuple[JsonDict, int]] = deque()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, entry: JsonDict) -> None:
        """Append one entry (the oldest are dropped while over either bound)."""
        cost = entry_size(entry)
        with self._lock:
            self._entries.append((entry, cost))
            self._bytes += cost
            while self._entries and (len(self._entries) > self._size or self._bytes > self._max_bytes):
                self._bytes -= self._entries.popleft()[1]

    @property
    def size_bytes(self) -> int:
        """The bytes the current entries are counted as."""
        with self._lock:
            return self._bytes

    def entries(self) -> List[JsonDict]:
        """A copy of the log, oldest first."""
        with self._lock:
            return [dict(entry) for entry, _ in self._entries]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


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
            # Also refuses NaN, and integers too large for a float.
            if not 0 <= complete_after <= MAX_COMPLETE_AFTER:
                raise invalid_param("complete_after", f"must be between 0 and {MAX_COMPLETE_AFTER} seconds")
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

    def account(self, api_key: Any) -> Account:
        """The account of ``api_key`` (created on first use), for control calls made on its behalf."""
        if not isinstance(api_key, str) or not api_key:
            raise invalid_param("api_key", "is required (the key whose account the call acts for)")
        account = Account(id=account_id(api_key), is_test=is_test_key(api_key))
        self.ctx.ensure_account(account)
        return account
