"""API keys, accounts and object ids.

A raw API key never leaves this module: everything downstream sees only the account id, the
SHA-256 of the key, so neither the database nor the request log can leak a key.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Collection, Dict, Optional

# What a refused request is told about the keys an emulator accepts.
SHAPED_KEYS = ("This emulator accepts any key starting with test_ (test mode) or live_ (live mode), "
               "or ending in |test (test mode).")
PINNED_KEYS = "This emulator accepts only the keys it was started with (--api-key)."
PIN_OTHERS = ("To use a key of another shape, start the emulator with --api-key KEY (repeatable; "
              "Emulator(api_keys=[...]) in Python): it then accepts only the keys given.")
PIN_MORE = "To accept another key, restart the emulator with one more --api-key KEY."

#: How many accepted keys :class:`KeyPolicy` remembers before it starts over.
MAX_CACHED_KEYS = 1024


@dataclass(frozen=True)
class Account:
    """The caller of a request: one account per distinct API key."""

    id: str
    """SHA-256 hex digest of the API key."""
    is_test: bool
    """Test-mode keys get tasks completed at creation with synthetic responses (API reference §4)."""

    @property
    def short(self) -> str:
        """A short, stable tag for the account, used in synthetic emails and file URLs."""
        return self.id[:12]


def account_id(api_key: str) -> str:
    """The account id of a key: its SHA-256 hex digest."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def is_test_key(api_key: str) -> bool:
    """True for Scale test-mode keys: ``test_…`` or ``…|test`` (API reference §1.2)."""
    return api_key.startswith("test_") or api_key.endswith("|test")


def looks_like_scale_key(api_key: str) -> bool:
    """True when the key has the shape of a Scale key: ``test_…``, ``live_…`` or ``…|test``."""
    if any(ch.isspace() or ord(ch) < 32 for ch in api_key):
        return False
    for prefix in ("test_", "live_"):
        if api_key.startswith(prefix) and len(api_key) > len(prefix):
            return True
    return api_key.endswith("|test") and len(api_key) > len("|test")


class KeyPolicy:
    """Decides which keys are accepted.

    With no pinned keys any Scale-shaped key is accepted, so tests can invent keys per account;
    with pinned keys (``--api-key``) only those exact keys are. Pinned keys are kept only as
    hashes; accepted keys are remembered in memory (never stored or logged) to skip re-checking.
    """

    def __init__(self, pinned_keys: Optional[Collection[str]] = None) -> None:
        self._pinned = frozenset(account_id(key) for key in pinned_keys or ())
        # Accepted keys seen lately → their account, so a request skips hashing and shape checks.
        # Only accepted keys are cached (a flood of bad keys cannot grow it); it stays in memory.
        self._accepted: Dict[str, Account] = {}

    def authenticate(self, api_key: Optional[str]) -> Optional[Account]:
        """Return the account for an accepted key, or None when it must be refused."""
        if not api_key:
            return None
        known = self._accepted.get(api_key)
        if known is not None:
            return known
        account = self._check(api_key)
        if account is not None:
            if len(self._accepted) >= MAX_CACHED_KEYS:
                self._accepted.clear()
            self._accepted[api_key] = account
        return account

    @property
    def pinned(self) -> bool:
        """True when only pinned keys (``--api-key``, ``api_keys=``) are accepted."""
        return bool(self._pinned)

    def refusal(self, api_key: Optional[str]) -> str:
        """The 401 message for a key :meth:`authenticate` refused: which keys are accepted and how
        to have another accepted. It never contains the key."""
        accepted = PINNED_KEYS if self.pinned else SHAPED_KEYS
        if not api_key:
            return (
                "No API key was sent: send your key as the HTTP Basic username (password empty). "
                f"{accepted}"
            )
        return f"This API key is not accepted. {accepted} {PIN_MORE if self.pinned else PIN_OTHERS}"

    def _check(self, api_key: str) -> Optional[Account]:
        ident = account_id(api_key)
        if self._pinned:
            if ident not in self._pinned:
                return None
        elif not looks_like_scale_key(api_key):
            return None
        return Account(id=ident, is_test=is_test_key(api_key))


def new_object_id() -> str:
    """A fresh 24-character lowercase hex id, the shape of Scale's task ids."""
    return secrets.token_hex(12)
