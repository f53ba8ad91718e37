"""SQL for everything but tasks: accounts, projects, batches, files, teammates, Studio, quality tasks.

Each object is a JSON document plus the columns needed to find it; methods take and return plain
dicts so the service layer never sees SQL.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .db import Database
from .sqltext import marks

JsonDict = Dict[str, Any]


def _dump(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


class AccountStore:
    """Known accounts (one per API key hash), each with a small integer number used by tasks."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._numbers: Dict[str, int] = {}
        self._hashes: Dict[int, str] = {}
        self._lock = threading.Lock()

    def exists(self, account: str) -> bool:
        """True once the account has been seen."""
        return self._db.query_one("SELECT 1 FROM accounts WHERE account = ?", (account,)) is not None

    def add(self, account: str, is_test: bool, created_ms: int) -> None:
        """Record a new account."""
        self._db.execute(
            "INSERT OR IGNORE INTO accounts (account, is_test, created_ms) VALUES (?,?,?)",
            (account, int(is_test), created_ms),
        )

    def number(self, account: str) -> int:
        """The account's integer number; -1 (matching nothing) for an unknown account."""
        with self._lock:
            known = self._numbers.get(account)
        return self._load("account = ?", account)[1] if known is None else known

    def hash_of(self, number: int) -> str:
        """The account id (key hash) of an account number; "" for an unknown number."""
        with self._lock:
            known = self._hashes.get(number)
        return self._load("acct = ?", number)[0] if known is None else known

    def _load(self, where: str, value: Any) -> Tuple[str, int]:
        """(account id, number) of the row matching ``where``, cached; ("", -1) when none does."""
        row = self._db.query_one(f"SELECT account, acct FROM accounts WHERE {where}", (value,))
        if row is None:
            return "", -1
        account, number = str(row[0]), int(row[1])
        with self._lock:
            self._numbers[account] = number
            self._hashes[number] = account
        return account, number

    def forget(self) -> None:
        """Drop the number cache (after a wipe)."""
        with self._lock:
            self._numbers.clear()
            self._hashes.clear()

    def list(self) -> List[Tuple[str, bool, int]]:
        """Every account as (id, is_test, created_ms), oldest first."""
        rows = self._db.query("SELECT account, is_test, created_ms FROM accounts ORDER BY acct")
        return [(str(row[0]), bool(row[1]), int(row[2])) for row in rows]

    def drop(self, account: str) -> None:
        """Delete the account and all its rows, and forget its number."""
        number = self.number(account)
        self._db.wipe_account(account, number)
        with self._lock:
            self._numbers.pop(account, None)
            self._hashes.pop(number, None)

    def count(self) -> int:
        """Number of accounts."""
        return int(self._db.query_one("SELECT COUNT(*) FROM accounts")[0])


class _NamedDocuments:
    """A table of JSON documents unique by ``name`` within an account."""

    TABLE = ""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, account: str, name: str) -> Optional[JsonDict]:
        """The document, or None."""
        row = self._db.query_one(
            f"SELECT doc FROM {self.TABLE} WHERE account = ? AND name = ?", (account, name)
        )
        return json.loads(row[0]) if row else None


class ProjectStore(_NamedDocuments):
    """Projects, unique by name within an account."""

    TABLE = "projects"

    def insert(self, account: str, doc: JsonDict, created_ms: int) -> None:
        """Store a new project (the caller has checked the name is free)."""
        self._db.execute(
            "INSERT INTO projects (account, name, created_ms, doc) VALUES (?,?,?,?)",
            (account, doc["name"], created_ms, _dump(doc)),
        )

    def save(self, account: str, doc: JsonDict) -> None:
        """Write back a modified project."""
        self._db.execute(
            "UPDATE projects SET doc = ? WHERE account = ? AND name = ?", (_dump(doc), account, doc["name"])
        )

    def list(self, account: str) -> List[JsonDict]:
        """All projects of the account, oldest first."""
        rows = self._db.query("SELECT doc FROM projects WHERE account = ? ORDER BY seq", (account,))
        return [json.loads(row[0]) for row in rows]


@dataclass
class BatchQuery:
    """Filters of ``GET /batches``; the time range is ``[from, to)`` in epoch milliseconds."""

    project: Optional[str] = None
    status: Optional[str] = None
    created_from: Optional[int] = None
    created_to: Optional[int] = None


class BatchStore(_NamedDocuments):
    """Batches, unique by name within an account."""

    TABLE = "batches"

    def insert(self, account: str, doc: JsonDict, created_ms: int) -> None:
        """Store a new batch."""
        self._db.execute(
            "INSERT INTO batches (account, name, project, status, created_ms, doc) VALUES (?,?,?,?,?,?)",
            (account, doc["name"], doc["project"], doc["status"], created_ms, _dump(doc)),
        )

    def save(self, account: str, doc: JsonDict) -> None:
        """Write back a modified batch."""
        self._db.execute(
            "UPDATE batches SET status = ?, doc = ? WHERE account = ? AND name = ?",
            (doc["status"], _dump(doc), account, doc["name"]),
        )

    @staticmethod
    def _where(account: str, query: BatchQuery) -> Tuple[str, List[Any]]:
        clauses = ["account = ?"]
        params: List[Any] = [account]
        for clause, value in (
            ("project = ?", query.project), ("status = ?", query.status),
            ("created_ms >= ?", query.created_from), ("created_ms < ?", query.created_to),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        return " AND ".join(clauses), params

    def page(self, account: str, query: BatchQuery, offset: int, limit: int) -> Tuple[List[JsonDict], int]:
        """One offset page of matching batches, newest first, and the total match count."""
        where, params = self._where(account, query)
        rows = self._db.query(
            f"SELECT doc FROM batches WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        total = self._db.query_one(f"SELECT COUNT(*) FROM batches WHERE {where}", params)[0]
        return [json.loads(row[0]) for row in rows], int(total)

    def in_projects(self, account: str, projects: Sequence[str], exclude_status: str) -> List[JsonDict]:
        """Batches of the given projects whose status is not ``exclude_status``, oldest first."""
        if not projects:
            return []
        rows = self._db.query(
            f"SELECT doc FROM batches WHERE account = ? AND project IN ({marks(projects)}) AND status != ? "
            "ORDER BY seq",
            (account, *projects, exclude_status),
        )
        return [json.loads(row[0]) for row in rows]


class FileStore:
    """Uploaded or imported file records (metadata only; the bytes are not kept)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def reference_taken(self, account: str, reference_id: str) -> bool:
        """True when a file of the account already uses this ``reference_id``."""
        row = self._db.query_one(
            "SELECT 1 FROM files WHERE account = ? AND reference_id = ?", (account, reference_id)
        )
        return row is not None

    def count(self) -> int:
        """Number of file records, all accounts."""
        return int(self._db.query_one("SELECT COUNT(*) FROM files")[0])

    def insert(self, account: str, doc: JsonDict, created_ms: int) -> None:
        """Store a file record."""
        self._db.execute(
            "INSERT INTO files (account, file_id, reference_id, created_ms, doc) VALUES (?,?,?,?,?)",
            (account, doc["id"], doc.get("reference_id"), created_ms, _dump(doc)),
        )


class TeamStore:
    """Teammates of each account, in the order they joined."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self, account: str) -> List[JsonDict]:
        """All teammates."""
        rows = self._db.query("SELECT doc FROM teammates WHERE account = ? ORDER BY seq", (account,))
        return [json.loads(row[0]) for row in rows]

    def get(self, account: str, email: str) -> Optional[JsonDict]:
        """One teammate by email, or None."""
        row = self._db.query_one(
            "SELECT doc FROM teammates WHERE account = ? AND email = ?", (account, email)
        )
        return json.loads(row[0]) if row else None

    def upsert(self, account: str, doc: JsonDict) -> None:
        """Add a teammate or replace the stored document of an existing one."""
        self._db.execute(
            "INSERT INTO teammates (account, email, doc) VALUES (?,?,?) "
            "ON CONFLICT (account, email) DO UPDATE SET doc = excluded.doc",
            (account, doc["email"], _dump(doc)),
        )


class StudioStore:
    """Studio assignments, project groups and batch priorities."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def assignments(self, account: str) -> List[Tuple[str, str]]:
        """All (email, project) assignment pairs, in assignment order."""
        rows = self._db.query(
            "SELECT email, project FROM studio_assignments WHERE account = ? ORDER BY seq", (account,)
        )
        return [(str(email), str(project)) for email, project in rows]

    def assign(self, account: str, email: str, project: str) -> None:
        """Assign a teammate to a project (no-op when already assigned)."""
        self._db.execute(
            "INSERT OR IGNORE INTO studio_assignments (account, email, project) VALUES (?,?,?)",
            (account, email, project),
        )

    def unassign(self, account: str, email: str, project: str) -> None:
        """Remove an assignment (no-op when absent)."""
        self._db.execute(
            "DELETE FROM studio_assignments WHERE account = ? AND email = ? AND project = ?",
            (account, email, project),
        )

    def groups(self, account: str, project: str) -> List[JsonDict]:
        """The project's groups, oldest first."""
        rows = self._db.query(
            "SELECT doc FROM studio_groups WHERE account = ? AND project = ? ORDER BY seq",
            (account, project),
        )
        return [json.loads(row[0]) for row in rows]

    def get_group(self, account: str, project: str, name: str) -> Optional[JsonDict]:
        """One group by name, or None."""
        row = self._db.query_one(
            "SELECT doc FROM studio_groups WHERE account = ? AND project = ? AND name = ?",
            (account, project, name),
        )
        return json.loads(row[0]) if row else None

    def save_group(self, account: str, project: str, doc: JsonDict) -> None:
        """Insert or replace a group document."""
        self._db.execute(
            "INSERT INTO studio_groups (account, project, name, doc) VALUES (?,?,?,?) "
            "ON CONFLICT (account, project, name) DO UPDATE SET doc = excluded.doc",
            (account, project, doc["name"], _dump(doc)),
        )

    def priorities(self, account: str) -> Optional[List[str]]:
        """The custom batch order set by ``set_priorities``, or None for the default order."""
        row = self._db.query_one("SELECT names FROM studio_priorities WHERE account = ?", (account,))
        return [str(name) for name in json.loads(row[0])] if row else None

    def set_priorities(self, account: str, names: Optional[Sequence[str]]) -> None:
        """Store a custom order, or drop it (None) to return to the default."""
        if names is None:
            self._db.execute("DELETE FROM studio_priorities WHERE account = ?", (account,))
        else:
            self._db.execute(
                "INSERT INTO studio_priorities (account, names) VALUES (?,?) "
                "ON CONFLICT (account) DO UPDATE SET names = excluded.names",
                (account, _dump(list(names))),
            )


class QualityTaskStore:
    """Evaluation and training tasks."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, account: str, kind: str, doc: JsonDict, created_ms: int) -> None:
        """Store an evaluation or training task."""
        self._db.execute(
            "INSERT INTO quality_tasks (quality_id, account, kind, created_ms, doc) VALUES (?,?,?,?,?)",
            (doc["id"], account, kind, created_ms, _dump(doc)),
        )
