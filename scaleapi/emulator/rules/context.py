"""What every service function receives: storage, the clock, callback delivery and the policy."""
from __future__ import annotations

import threading
from typing import Any, Dict, Optional, Set

from ..storage.store import Store
from .callback_delivery import CallbackDispatcher, CallbackJob
from .identity import Account
from .timeutil import Clock

JsonDict = Dict[str, Any]

OWNER_ROLE = "admin"


def owner_email(account: Account) -> str:
    """The email of the teammate every account starts with."""
    return f"owner@{account.short}.example"


def worker_id(account_id: str, email: str) -> str:
    """A stable 24-hex id for a teammate, used as the Studio worker id."""
    import hashlib  # pylint: disable=import-outside-toplevel  # rarely needed

    return hashlib.sha256(f"{account_id}:{email}".encode()).hexdigest()[:24]


class ServiceContext:
    """Shared state for the service functions; one per running emulator."""

    def __init__(self, store: Store, dispatcher: Optional[CallbackDispatcher] = None) -> None:
        self.store = store
        self.clock = Clock()
        self.dispatcher = dispatcher
        self.complete_after: Optional[float] = None
        self.policy_changed = threading.Event()
        self._known_accounts: Set[str] = set()
        self._accounts_lock = threading.Lock()

    def now(self) -> int:
        """Current time in epoch milliseconds."""
        return self.clock.now_ms()

    def ensure_account(self, account: Account) -> None:
        """Create the account on first use, with its owner as the only teammate."""
        with self._accounts_lock:
            if account.id in self._known_accounts:
                return
        with self.store.transaction():
            if not self.store.accounts.exists(account.id):
                now = self.now()
                self.store.accounts.add(account.id, account.is_test, now)
                self.store.teams.upsert(account.id, {
                    "email": owner_email(account), "role": OWNER_ROLE, "company": "Scale Emulator",
                    "firstName": "Account", "lastName": "Owner", "isStudioLabeler": False,
                })
        with self._accounts_lock:
            self._known_accounts.add(account.id)

    def forget_account(self, account_id: str) -> None:
        """Drop one account from the cache of known accounts (after it was deleted)."""
        with self._accounts_lock:
            self._known_accounts.discard(account_id)

    def forget_accounts(self) -> None:
        """Drop the cache of known accounts (after a reset)."""
        with self._accounts_lock:
            self._known_accounts.clear()

    def send_callback(self, job: CallbackJob) -> None:
        """Queue a callback once the current transaction commits."""
        dispatcher = self.dispatcher
        if dispatcher is not None and job.url:
            self.store.after_commit(lambda: dispatcher.submit(job))
