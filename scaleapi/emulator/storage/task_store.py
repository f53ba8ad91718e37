"""Task rows: insert, fetch, save, tags, and the filtered, cursor-paged listing query.

Listing order is newest first by ``(created_ms, seq)``; ``seq`` (the rowid, a monotonic creation
number) breaks ties between tasks created in the same millisecond. A page resumes strictly after
the ``(created_ms, seq)`` of the last task served, which an index range answers directly.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .db import Database
from .resource_stores import AccountStore
from .sqltext import range_clauses

JsonDict = Dict[str, Any]
Cursor = Tuple[int, int]

_COLUMNS = (
    "seq", "task_id", "acct", "type", "status", "project", "batch", "unique_id", "review_status",
    "is_test", "created_ms", "updated_ms", "completed_ms", "doc",
)
_INSERT = f"INSERT INTO tasks ({', '.join(_COLUMNS[1:])}) VALUES ({','.join('?' * (len(_COLUMNS) - 1))})"
_UPDATE = f"UPDATE tasks SET {', '.join(c + '=?' for c in _COLUMNS[1:])} WHERE seq=?"


@dataclass
class TaskRecord:
    """A stored task: its JSON document plus the columns that listing filters on.

    The filter columns that mirror document fields (type, status, project, batch, unique_id) are
    read from the document when the record is saved, so they cannot drift apart.
    """

    account: str
    doc: JsonDict
    is_test: bool
    created_ms: int
    updated_ms: int
    completed_ms: Optional[int] = None
    review_status: Optional[str] = None
    seq: int = 0

    @property
    def task_id(self) -> str:
        """The task's public id."""
        return str(self.doc["task_id"])

    @property
    def status(self) -> str:
        """The task's status (pending, completed, canceled, error)."""
        return str(self.doc["status"])

    @property
    def cursor(self) -> Cursor:
        """The listing position of this task."""
        return (self.created_ms, self.seq)


@dataclass
class TaskFilter:
    """Every filter ``GET /tasks`` supports; ranges are ``[from, to)`` in epoch milliseconds."""

    project: Optional[str] = None
    batch: Optional[str] = None
    statuses: Sequence[str] = ()
    types: Sequence[str] = ()
    review_statuses: Sequence[str] = ()
    unique_ids: Sequence[str] = ()
    tags_all: Sequence[str] = ()
    created: Tuple[Optional[int], Optional[int]] = (None, None)
    updated: Tuple[Optional[int], Optional[int]] = (None, None)
    completed: Tuple[Optional[int], Optional[int]] = (None, None)


def _in(column: str, values: Sequence[str], params: List[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({','.join('?' * len(values))})" if len(values) > 1 else f"{column} = ?"


def build_query(acct: int, flt: TaskFilter, after: Optional[Cursor] = None) -> Tuple[str, str, List[Any]]:
    """(FROM clause, WHERE clause, parameters) for a filter; the order key is ``k.created_ms, k.seq``.

    With a tag filter the scan is driven from the tag index (first tag), whose entries carry the
    task's creation time, so a rare tag never walks the whole task table.
    """
    params: List[Any] = []
    clauses: List[str] = []
    if flt.tags_all:
        # CROSS JOIN keeps SQLite from reordering the join: the tag index drives the scan.
        source = "task_tags AS k CROSS JOIN tasks AS t ON t.seq = k.task_seq"
        clauses += ["k.acct = ?", "k.tag = ?"]
        params += [acct, flt.tags_all[0]]
        for tag in flt.tags_all[1:]:
            clauses.append("EXISTS (SELECT 1 FROM task_tags AS o WHERE o.task_seq = t.seq AND o.tag = ?)")
            params.append(tag)
        order_time, order_seq = "k.created_ms", "k.task_seq"
    else:
        source = "tasks AS t"
        clauses.append("t.acct = ?")
        params.append(acct)
        order_time, order_seq = "t.created_ms", "t.seq"
    clauses += _column_clauses(flt, "t.", params)
    for column, bounds in (
        (order_time, flt.created), ("t.updated_ms", flt.updated), ("t.completed_ms", flt.completed),
    ):
        clauses += range_clauses(column, bounds, params)
    if after is not None:
        if _selective(flt):
            # Keep the cursor from steering SQLite onto the creation-order index (see _order).
            order_time, order_seq = f"{order_time} + 0", f"{order_seq} + 0"
        clauses.append(f"({order_time}, {order_seq}) < (?, ?)")
        params.extend(after)
    return source, " AND ".join(clauses), params



def _column_clauses(flt: TaskFilter, prefix: str, params: List[Any]) -> List[str]:
    """The equality and IN clauses on ``prefix``-qualified columns; their values go to ``params``.

    ``task_counts`` has the same columns except ``unique_id``, which a filter it answers never uses.
    """
    clauses: List[str] = []
    for column, value in (("project", flt.project), ("batch", flt.batch)):
        if value is not None:
            clauses.append(f"{prefix}{column} = ?")
            params.append(value)
    for column, values in (
        ("status", flt.statuses), ("type", flt.types), ("review_status", flt.review_statuses),
        ("unique_id", flt.unique_ids),
    ):
        if values:
            clauses.append(_in(f"{prefix}{column}", values, params))
    return clauses

def _order(flt: TaskFilter) -> str:
    """ORDER BY for a filter.

    Normally the order comes straight from the index that also filters. For selective filters
    without such an index (unique ids, updated/completed windows) the order is written as an
    expression, which stops SQLite from walking the whole account in creation order and makes it
    drive from the selective index and sort the few matches instead.
    """
    if flt.tags_all:
        return "k.created_ms DESC, k.task_seq DESC"
    if _selective(flt):
        return "t.created_ms + 0 DESC, t.seq + 0 DESC"
    return "t.created_ms DESC, t.seq DESC"


def _selective(flt: TaskFilter) -> bool:
    """True for filters best answered by their own index and a sort (see :func:`_order`)."""
    if flt.tags_all:
        return False
    return bool(flt.unique_ids) or any(bound is not None for bound in (*flt.updated, *flt.completed))


def _counts_answer(flt: TaskFilter) -> bool:
    """True when only equality filters kept in ``task_counts`` are used."""
    ranges = (*flt.created, *flt.updated, *flt.completed)
    return not (flt.tags_all or flt.unique_ids or any(bound is not None for bound in ranges))


class TaskStore:
    """SQL for the ``tasks`` and ``task_tags`` tables."""

    def __init__(self, db: Database, accounts: AccountStore) -> None:
        self._db = db
        self._accounts = accounts

    def _values(self, rec: TaskRecord) -> Tuple[Any, ...]:
        doc = rec.doc
        return (
            doc["task_id"], self._accounts.number(rec.account), doc["type"], doc["status"],
            doc.get("project"), doc.get("batch"), doc.get("unique_id"), rec.review_status,
            int(rec.is_test), rec.created_ms, rec.updated_ms, rec.completed_ms,
            json.dumps(doc, separators=(",", ":")),
        )

    def _record(self, row: Sequence[Any]) -> TaskRecord:
        return TaskRecord(
            seq=row[0], account=self._accounts.hash_of(row[2]), review_status=row[8], is_test=bool(row[9]),
            created_ms=row[10], updated_ms=row[11], completed_ms=row[12], doc=json.loads(row[13]),
        )

    def insert(self, rec: TaskRecord) -> int:
        """Store a new task and its tags; returns and sets its creation sequence number."""
        cur = self._db.execute(_INSERT, self._values(rec))
        rec.seq = int(cur.lastrowid or 0)
        self._write_tags(rec)
        return rec.seq

    def insert_many(self, recs: Sequence[TaskRecord]) -> None:
        """Bulk insert (seeding); tags are ignored. Call inside a transaction.

        The per-row counting trigger is dropped for the insert (and put back from the text SQLite
        keeps of it) and the totals are added in one grouped upsert instead; inside the transaction
        nobody can observe the gap.
        """
        rows = [self._values(rec) for rec in recs]
        totals: Dict[Tuple[Any, ...], int] = {}
        for row in rows:
            key = (row[1], row[4] or "", row[5] or "", row[3], row[2], row[7] or "")
            totals[key] = totals.get(key, 0) + 1
        (trigger,) = self._db.query_one(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'task_counts_insert'"
        )
        self._db.execute("DROP TRIGGER task_counts_insert")
        self._db.executemany(_INSERT, rows)
        self._db.execute(trigger)
        self._db.executemany(
            "INSERT INTO task_counts (acct, project, batch, status, type, review_status, n) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT (acct, project, batch, status, type, review_status) "
            "DO UPDATE SET n = n + excluded.n",
            [(*key, count) for key, count in totals.items()],
        )

    def save(self, rec: TaskRecord, tags_changed: bool = False) -> None:
        """Write back a modified task (and its tag index when the tags changed)."""
        self._db.execute(_UPDATE, (*self._values(rec), rec.seq))
        if tags_changed:
            self._db.execute("DELETE FROM task_tags WHERE task_seq = ?", (rec.seq,))
            self._write_tags(rec)

    def _write_tags(self, rec: TaskRecord) -> None:
        tags = rec.doc.get("tags") or []
        if tags:
            acct = self._accounts.number(rec.account)
            self._db.executemany(
                "INSERT OR IGNORE INTO task_tags (acct, tag, created_ms, task_seq) VALUES (?,?,?,?)",
                [(acct, tag, rec.created_ms, rec.seq) for tag in tags],
            )

    def _one(self, where: str, params: Sequence[Any]) -> Optional[TaskRecord]:
        row = self._db.query_one(f"SELECT {', '.join(_COLUMNS)} FROM tasks WHERE {where}", params)
        return self._record(row) if row else None

    def get_doc_text(self, account: str, task_id: str) -> Optional[str]:
        """The stored JSON text of the account's task (compact, as written), or None."""
        row = self._db.query_one(
            "SELECT doc FROM tasks WHERE task_id = ? AND acct = ?", (task_id, self._accounts.number(account))
        )
        return str(row[0]) if row else None

    def get(self, account: str, task_id: str) -> Optional[TaskRecord]:
        """The account's task with this id, or None (other accounts' tasks are invisible)."""
        return self._one("task_id = ? AND acct = ?", (task_id, self._accounts.number(account)))

    def get_any(self, task_id: str) -> Optional[TaskRecord]:
        """A task by id whatever its account (control API only)."""
        return self._one("task_id = ?", (task_id,))

    def find_unique(self, account: str, unique_id: str) -> Optional[TaskRecord]:
        """The account's task holding ``unique_id``, or None."""
        return self._one("acct = ? AND unique_id = ?", (self._accounts.number(account), unique_id))

    def page_docs(
        self, account: str, flt: TaskFilter, after: Optional[Cursor], limit: int
    ) -> List[Tuple[int, int, str]]:
        """Up to ``limit`` matching tasks, newest first, strictly after the ``after`` cursor.

        Each is ``(created_ms, seq, stored JSON text)``: the document is left undecoded so a page
        can be served by splicing the text into the response.
        """
        source, where, params = build_query(self._accounts.number(account), flt, after)
        rows: List[Tuple[int, int, str]] = self._db.query(
            f"SELECT t.created_ms, t.seq, t.doc FROM {source} WHERE {where} ORDER BY {_order(flt)} LIMIT ?",
            (*params, limit),
        )
        return rows

    def count(self, account: str, flt: TaskFilter) -> int:
        """How many tasks match the filter (from the running totals when the filter allows)."""
        acct = self._accounts.number(account)
        if _counts_answer(flt):
            params: List[Any] = [acct]
            clauses = ["acct = ?", *_column_clauses(flt, "", params)]
            row = self._db.query_one(f"SELECT SUM(n) FROM task_counts WHERE {' AND '.join(clauses)}", params)
            return int(row[0] or 0)
        source, where, params = build_query(acct, flt)
        return int(self._db.query_one(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)[0])

    def status_counts(self, account: str, batch: str) -> Dict[str, int]:
        """Number of tasks per status in a batch."""
        rows = self._db.query(
            "SELECT status, COUNT(*) FROM tasks WHERE acct = ? AND batch = ? GROUP BY status",
            (self._accounts.number(account), batch),
        )
        return {str(status): int(count) for status, count in rows}

    def batch_has_pending(self, account: str, batch: str) -> bool:
        """True while any task of the batch is still pending."""
        row = self._db.query_one(
            "SELECT 1 FROM tasks WHERE acct = ? AND batch = ? AND status = 'pending' LIMIT 1",
            (self._accounts.number(account), batch),
        )
        return row is not None

    def batch_is_empty(self, account: str, batch: str) -> bool:
        """True when no task was ever created in the batch."""
        row = self._db.query_one(
            "SELECT 1 FROM tasks WHERE acct = ? AND batch = ? LIMIT 1",
            (self._accounts.number(account), batch),
        )
        return row is None

    def due_live_tasks(self, created_before_ms: int, limit: int) -> List[TaskRecord]:
        """Pending live-mode tasks created at or before the cutoff, except those of paused batches
        (for the lifecycle policy)."""
        rows = self._db.query(
            f"SELECT {', '.join(_COLUMNS)} FROM tasks WHERE status = 'pending' AND is_test = 0 "
            "AND created_ms <= ? AND NOT EXISTS (SELECT 1 FROM batches AS b JOIN accounts AS a "
            "ON a.account = b.account WHERE a.acct = tasks.acct AND b.name = tasks.batch "
            "AND b.status = 'paused') ORDER BY created_ms LIMIT ?",
            (created_before_ms, limit),
        )
        return [self._record(row) for row in rows]

    def count_all(self) -> int:
        """Total number of stored tasks (health report)."""
        return int(self._db.query_one("SELECT COUNT(*) FROM tasks")[0])
