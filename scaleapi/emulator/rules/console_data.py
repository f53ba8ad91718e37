"""What the emulator console reads beyond the v1 services: accounts, one task of any account,
a task's history, and the reset of one account.

The console (``scaleapi.emulator.console``) never touches the store: everything it shows or does
goes through these functions, the v1 services and :class:`~.control.Controller`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ..storage.task_store import TaskFilter
from .context import ServiceContext
from .errors import TASK_NOT_FOUND, not_found
from .identity import Account
from .synthetic import synthetic_response
from .timeutil import iso_from_ms

JsonDict = Dict[str, Any]

#: Hex digits of the account id shown as its fingerprint (the key itself is never known).
FINGERPRINT_HEX = 12


@dataclass(frozen=True)
class AccountSummary:
    """One account as the console lists it."""

    account: Account
    created_at: str
    tasks: int

    @property
    def fingerprint(self) -> str:
        """The first hex digits of the key's SHA-256: enough to tell accounts apart."""
        return self.account.id[:FINGERPRINT_HEX]

    @property
    def mode(self) -> str:
        """``test`` or ``live``."""
        return "test" if self.account.is_test else "live"


def list_accounts(ctx: ServiceContext) -> List[AccountSummary]:
    """Every account, oldest first, with its number of tasks."""
    with ctx.store.transaction():
        return [_summary(ctx, *row) for row in ctx.store.accounts.list()]


def _summary(ctx: ServiceContext, account_id: str, is_test: bool, created_ms: int) -> AccountSummary:
    tasks = ctx.store.tasks.count(account_id, TaskFilter())
    return AccountSummary(Account(account_id, is_test), iso_from_ms(created_ms), tasks)


def find_account(ctx: ServiceContext, fingerprint: str) -> AccountSummary:
    """The account whose id starts with ``fingerprint`` (404 when none does); only it is counted."""
    if len(fingerprint) >= FINGERPRINT_HEX:
        with ctx.store.transaction():
            for row in ctx.store.accounts.list():
                if row[0].startswith(fingerprint.lower()):
                    return _summary(ctx, *row)
    raise not_found("No account has that fingerprint.")


def task_of_any_account(ctx: ServiceContext, task_id: str) -> Tuple[Account, JsonDict]:
    """A task of whichever account holds it, and that account (404 when no account does)."""
    store = ctx.store
    with store.transaction():
        rec = store.tasks.get_any(task_id)
        if rec is None:
            raise not_found(TASK_NOT_FOUND)
        return Account(rec.account, rec.is_test), rec.doc


def find_task_id(ctx: ServiceContext, account: Account, text: str) -> Optional[str]:
    """The id of the account's task whose id or ``unique_id`` is ``text``; None when neither is."""
    store = ctx.store
    with store.transaction():
        rec = store.tasks.get(account.id, text) or store.tasks.find_unique(account.id, text)
        return rec.task_id if rec is not None else None


def suggested_response(doc: JsonDict) -> JsonDict:
    """The synthetic response for the task's type: what the complete form starts with."""
    params = doc.get("params")
    params = params if isinstance(params, dict) else {}
    return synthetic_response(str(doc["type"]), str(doc["task_id"]), params)


def task_history(doc: JsonDict, requests: List[JsonDict], callbacks: List[JsonDict]) -> List[JsonDict]:
    """The task's events, oldest first: its own timestamps, the logged requests that named it, and
    its callback deliveries. Each event is ``{"time": ISO text or epoch seconds, "event": text}``."""
    task_id = str(doc["task_id"])
    events: List[Tuple[str, str]] = [(str(doc["created_at"]), f"created ({doc['type']})")]
    if doc.get("completed_at"):
        events.append((str(doc["completed_at"]), "completed"))
    for audit in doc.get("audits") or []:
        if isinstance(audit, dict):
            events.append((str(audit.get("audited_at")), f"audit: {audit.get('audit_result')}"))
    for entry in requests:
        if f"/{task_id}" in str(entry.get("path", "")):
            events.append((_iso_seconds(entry.get("time")),
                           f"{entry.get('method')} {entry.get('path')} -> {entry.get('status')}"))
    for record in callbacks:
        if record.get("task_id") == task_id:
            outcome = "delivered" if record.get("delivered") else str(record.get("reason") or "not delivered")
            events.append((_iso_seconds(record.get("finished_at")),
                           f"callback to {record.get('url')}: {outcome}"))
    if doc.get("status") in ("error", "canceled"):
        events.append((str(doc.get("updated_at")), str(doc["status"])))
    events.sort(key=lambda event: event[0])
    return [{"time": when, "event": what} for when, what in events]


def _iso_seconds(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return iso_from_ms(int(value * 1000))
    return ""


def reset_account(ctx: ServiceContext, account_id: str) -> JsonDict:
    """Delete one account and everything in it; the key starts afresh on its next request."""
    store = ctx.store
    with store.transaction():
        if not store.accounts.exists(account_id):
            raise not_found("No account has that fingerprint.")
        store.accounts.drop(account_id)
    ctx.forget_account(account_id)
    return {"status": "reset", "account": account_id[:FINGERPRINT_HEX]}


def pretty(value: Any) -> str:
    """Indented JSON text for display."""
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)
