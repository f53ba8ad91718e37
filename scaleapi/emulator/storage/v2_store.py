"""SQL the /v2 surface needs on the v1 tables: lookups by id, name→id maps, cursor-paged batches,
and status changes of a batch's pending tasks.

v2 reads the same rows as v1 (one store, two shapes). Projects and batches are keyed by name in v1;
their ``id`` lives in the document, found with ``json_extract`` (an account has few of them).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .db import Database
from .resource_stores import AccountStore

JsonDict = Dict[str, Any]


@dataclass
class BatchPageQuery:
    """Filters of ``GET /v2/batches``; ranges are ``[from, to)`` in epoch milliseconds."""

    project: str
    status: Optional[str] = None
    created: Tuple[Optional[int], Optional[int]] = (None, None)
    completed: Tuple[Optional[str], Optional[str]] = (None, None)


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class V2Store:
    """Queries for the v2 rules over the shared tables."""

    def __init__(self, db: Database, accounts: AccountStore) -> None:
        self._db = db
        self._accounts = accounts

    def _by_id(self, table: str, account: str, doc_id: str) -> Optional[JsonDict]:
        row = self._db.query_one(
            f"SELECT doc FROM {table} WHERE account = ? AND json_extract(doc, '$.id') = ?",  # nosec
            (account, doc_id),
        )
        return json.loads(row[0]) if row else None

    def project_by_id(self, account: str, project_id: str) -> Optional[JsonDict]:
        """The account's project with this v2 id, or None."""
        return self._by_id("projects", account, project_id)

    def batch_by_id(self, account: str, batch_id: str) -> Optional[JsonDict]:
        """The account's batch with this v2 id, or None."""
        return self._by_id("batches", account, batch_id)

    def _docs_named(self, table: str, account: str, names: Sequence[str]) -> Dict[str, JsonDict]:
        if not names:
            return {}
        rows = self._db.query(
            f"SELECT name, doc FROM {table} WHERE account = ? AND name IN ({_marks(names)})",  # nosec
            (account, *names),
        )
        return {str(name): json.loads(doc) for name, doc in rows}

    def projects_named(self, account: str, names: Sequence[str]) -> Dict[str, JsonDict]:
        """Project documents by name for the given names (unknown names left out)."""
        return self._docs_named("projects", account, names)

    def batches_named(self, account: str, names: Sequence[str]) -> Dict[str, JsonDict]:
        """Batch documents by name for the given names (unknown names left out)."""
        return self._docs_named("batches", account, names)

    def projects_created(self, account: str, low: Optional[int], high: Optional[int]) -> List[JsonDict]:
        """The account's projects created in ``[low, high)``, oldest first."""
        clauses = ["account = ?"]
        params: List[Any] = [account]
        if low is not None:
            clauses.append("created_ms >= ?")
            params.append(low)
        if high is not None:
            clauses.append("created_ms < ?")
            params.append(high)
        rows = self._db.query(f"SELECT doc FROM projects WHERE {' AND '.join(clauses)} ORDER BY seq", params)
        return [json.loads(row[0]) for row in rows]

    def batch_page(self, account: str, query: BatchPageQuery, after_seq: Optional[int],
                   limit: int) -> List[Tuple[int, JsonDict]]:
        """Up to ``limit`` ``(seq, doc)`` of a project's batches, newest first, strictly before ``after_seq``.

        The ``(account, project, seq)`` index answers the filter, the order and the cursor at once.
        """
        clauses = ["account = ?", "project = ?"]
        params: List[Any] = [account, query.project]
        if query.status is not None:
            clauses.append("status = ?")
            params.append(query.status)
        low, high = query.created
        if low is not None:
            clauses.append("created_ms >= ?")
            params.append(low)
        if high is not None:
            clauses.append("created_ms < ?")
            params.append(high)
        done_low, done_high = query.completed
        if done_low is not None:
            clauses.append("json_extract(doc, '$.completed_at') >= ?")
            params.append(done_low)
        if done_high is not None:
            clauses.append("json_extract(doc, '$.completed_at') < ?")
            params.append(done_high)
        if after_seq is not None:
            clauses.append("seq < ?")
            params.append(after_seq)
        rows = self._db.query(
            f"SELECT seq, doc FROM batches WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?",
            (*params, limit),
        )
        return [(int(seq), json.loads(doc)) for seq, doc in rows]

    def pending_tasks_of_batch(self, account: str, batch: str) -> List[Tuple[int, JsonDict]]:
        """``(seq, doc)`` of every pending task in the batch."""
        rows = self._db.query(
            "SELECT seq, doc FROM tasks WHERE acct = ? AND batch = ? AND status = 'pending'",
            (self._accounts.number(account), batch),
        )
        return [(int(seq), json.loads(doc)) for seq, doc in rows]

    def save_task_docs(self, rows: Sequence[Tuple[int, JsonDict]], updated_ms: int) -> None:
        """Write back task documents whose status (and nothing else indexed) changed."""
        self._db.executemany(
            "UPDATE tasks SET status = ?, updated_ms = ?, doc = ? WHERE seq = ?",
            [(doc["status"], updated_ms, json.dumps(doc, separators=(",", ":")), seq) for seq, doc in rows],
        )
