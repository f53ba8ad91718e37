"""SQL for the v2 data resources: deliveries, datasets, dataset deliveries and tasks, schemas.

A delivery hands over completed tasks of one project: the ``deliveries`` row names it, and one
``delivery_tasks`` row per task keeps the response as it was delivered (later changes to the task do
not rewrite a handover). Datasets are delivered in ``dataset_deliveries`` whose ``dataset_tasks``
carry a free-form response; their attachments keep their bytes in ``dataset_attachments``. Pages
resume strictly after a row number (``position`` or ``seq``), which the primary keys answer directly.
The tables are created by ``schema.sql`` with the rest of the schema.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .sqltext import range_clauses

if TYPE_CHECKING:  # pragma: no cover
    from .db import Database
    from .resource_stores import AccountStore

JsonDict = Dict[str, Any]
TimeRange = Tuple[Optional[int], Optional[int]]


def _dump(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


@dataclass
class DeliveredTask:
    """One task of a delivery listing: where it is in the page order and what was delivered.

    The delivery fields are None for a task of a project listing that was never delivered.
    """

    cursor: int
    task_id: str
    created_ms: int
    doc_text: str
    delivery_id: Optional[str] = None
    delivered_ms: Optional[int] = None
    schema_id: Optional[str] = None
    response_text: Optional[str] = None


@dataclass
class DeliveryTaskQuery:
    """Filters of a delivered-task listing: one delivery, or every task of a project."""

    delivery_seq: Optional[int] = None
    project: Optional[str] = None
    status: Optional[str] = None
    completed: TimeRange = (None, None)


@dataclass
class DatasetTaskRow:
    """One stored dataset task."""

    seq: int
    task_id: str
    dataset_id: str
    delivery_id: str
    delivered_ms: int
    response: JsonDict


@dataclass
class Attachment:
    """The bytes of one dataset task attachment."""

    content_type: str
    filename: Optional[str]
    data: bytes


class V2DataStore:
    """The v2 data tables; methods take and return plain values so the rules never see SQL."""

    def __init__(self, db: "Database", accounts: "AccountStore") -> None:
        self._db = db
        self._accounts = accounts

    # Deliveries ------------------------------------------------------------------------------

    def insert_delivery(self, account: str, project: str, doc: JsonDict, delivered_ms: int) -> int:
        """Store a delivery (its name is free in the project); returns its row number."""
        cur = self._db.execute(
            "INSERT INTO deliveries (account, delivery_id, name, project, delivered_ms, doc) "
            "VALUES (?,?,?,?,?,?)",
            (account, doc["id"], doc["name"], project, delivered_ms, _dump(doc)),
        )
        return int(cur.lastrowid or 0)

    def add_delivery_tasks(
        self, account: str, delivery_seq: int, project: str, delivered_ms: int,
        tasks: Sequence[Tuple[str, Optional[str], Any]],
    ) -> None:
        """Record the delivered ``(task_id, schema id, response)`` of each task, in this order."""
        self._db.executemany(
            "INSERT INTO delivery_tasks (delivery_seq, position, account, project, task_id, delivered_ms, "
            "schema_id, response) VALUES (?,?,?,?,?,?,?,?)",
            [(delivery_seq, position, account, project, task_id, delivered_ms, schema_id, _dump(response))
             for position, (task_id, schema_id, response) in enumerate(tasks, start=1)],
        )

    def delivery(self, account: str, delivery_id: str) -> Optional[Tuple[int, str, JsonDict]]:
        """``(row number, project name, document)`` of the account's delivery, or None."""
        return self._delivery("account = ? AND delivery_id = ?", (account, delivery_id))

    def delivery_by_name(self, account: str, project: str, name: str) -> Optional[Tuple[int, str, JsonDict]]:
        """The delivery named ``name`` in ``project`` (as :meth:`delivery`), or None."""
        return self._delivery("account = ? AND project = ? AND name = ?", (account, project, name))

    def _delivery(self, where: str, params: Sequence[Any]) -> Optional[Tuple[int, str, JsonDict]]:
        row = self._db.query_one(f"SELECT seq, project, doc FROM deliveries WHERE {where}", params)
        return (int(row[0]), str(row[1]), json.loads(row[2])) if row else None

    def deliveries(self, account: str, project: str, delivered: TimeRange) -> List[JsonDict]:
        """The project's deliveries in ``[from, to)``, newest first."""
        params: List[Any] = [account, project]
        clauses = ["account = ?", "project = ?", *range_clauses("delivered_ms", delivered, params)]
        rows = self._db.query(
            f"SELECT doc FROM deliveries WHERE {' AND '.join(clauses)} ORDER BY delivered_ms DESC, seq DESC",
            params,
        )
        return [json.loads(row[0]) for row in rows]

    def undelivered_completed_tasks(self, account: str, project: str) -> List[JsonDict]:
        """The documents of the project's completed tasks that no delivery included, oldest first."""
        rows = self._db.query(
            "SELECT t.doc FROM tasks t WHERE t.acct = ? AND t.project = ? AND t.status = 'completed' "
            "AND NOT EXISTS (SELECT 1 FROM delivery_tasks d WHERE d.account = ? AND d.project = t.project "
            "AND d.task_id = t.task_id) ORDER BY t.seq",
            (self._accounts.number(account), project, account),
        )
        return [json.loads(row[0]) for row in rows]

    def delivered_tasks(
        self, account: str, query: DeliveryTaskQuery, after: Optional[int], limit: int
    ) -> List[DeliveredTask]:
        """A page of delivered tasks with their stored documents.

        For one delivery: its tasks in handover order, resuming after ``position``. For a project:
        every task of it, newest first, resuming after the task's ``seq``, each with the latest
        delivery that included it (or none).
        """
        acct = self._accounts.number(account)
        params: List[Any] = []
        if query.delivery_seq is not None:
            source = "delivery_tasks d JOIN tasks t ON t.task_id = d.task_id AND t.acct = ?"
            params.append(acct)
            clauses = ["d.delivery_seq = ?"]
            params.append(query.delivery_seq)
            cursor, order = "d.position", "d.position"
            if after is not None:
                clauses.append("d.position > ?")
                params.append(after)
        else:
            latest = ("SELECT rowid FROM delivery_tasks WHERE account = ? AND task_id = t.task_id "
                      "ORDER BY delivery_seq DESC LIMIT 1")
            source = f"tasks t LEFT JOIN delivery_tasks d ON d.rowid = ({latest})"
            params.append(account)
            clauses = ["t.acct = ?", "t.project = ?"]
            params.extend((acct, query.project))
            cursor, order = "t.seq", "t.seq DESC"
            if after is not None:
                clauses.append("t.seq < ?")
                params.append(after)
        if query.status is not None:
            clauses.append("t.status = ?")
            params.append(query.status)
        clauses += range_clauses("t.completed_ms", query.completed, params)
        rows = self._db.query(
            f"SELECT {cursor}, t.task_id, t.created_ms, t.doc, "
            "(SELECT delivery_id FROM deliveries WHERE seq = d.delivery_seq), d.delivered_ms, d.schema_id, "
            f"d.response FROM {source} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT ?",
            (*params, limit),
        )
        return [DeliveredTask(*row) for row in rows]

    # Datasets --------------------------------------------------------------------------------

    def insert_dataset(self, account: str, doc: JsonDict) -> None:
        """Store a dataset."""
        self._db.execute(
            "INSERT INTO datasets (account, dataset_id, doc) VALUES (?,?,?)", (account, doc["id"], _dump(doc))
        )

    def dataset(self, account: str, dataset_id: str) -> Optional[JsonDict]:
        """The account's dataset, or None."""
        row = self._db.query_one(
            "SELECT doc FROM datasets WHERE account = ? AND dataset_id = ?", (account, dataset_id)
        )
        return json.loads(row[0]) if row else None

    def datasets(self, account: str) -> List[JsonDict]:
        """Every dataset of the account, oldest first."""
        rows = self._db.query("SELECT doc FROM datasets WHERE account = ? ORDER BY seq", (account,))
        return [json.loads(row[0]) for row in rows]

    def insert_dataset_delivery(self, account: str, doc: JsonDict, delivered_ms: int) -> None:
        """Store a dataset delivery (``doc["dataset"]`` is the dataset id)."""
        self._db.execute(
            "INSERT INTO dataset_deliveries (account, delivery_id, dataset_id, delivered_ms, doc) "
            "VALUES (?,?,?,?,?)",
            (account, doc["id"], doc["dataset"], delivered_ms, _dump(doc)),
        )

    def dataset_delivery(self, account: str, delivery_id: str) -> Optional[JsonDict]:
        """The account's dataset delivery, or None."""
        row = self._db.query_one(
            "SELECT doc FROM dataset_deliveries WHERE account = ? AND delivery_id = ?", (account, delivery_id)
        )
        return json.loads(row[0]) if row else None

    def dataset_deliveries(
        self, account: str, dataset_id: Optional[str], delivered: TimeRange
    ) -> List[JsonDict]:
        """Dataset deliveries (of one dataset, or all) in ``[from, to)``, newest first."""
        params: List[Any] = [account]
        clauses = ["account = ?"]
        if dataset_id is not None:
            clauses.append("dataset_id = ?")
            params.append(dataset_id)
        clauses += range_clauses("delivered_ms", delivered, params)
        rows = self._db.query(
            f"SELECT doc FROM dataset_deliveries WHERE {' AND '.join(clauses)} "
            "ORDER BY delivered_ms DESC, seq DESC",
            params,
        )
        return [json.loads(row[0]) for row in rows]

    def insert_dataset_task(
        self, account: str, task: DatasetTaskRow, attachments: Sequence[Tuple[str, Attachment]]
    ) -> None:
        """Store one dataset task and its attachments (``(attachment id, bytes)`` pairs)."""
        self._db.execute(
            "INSERT INTO dataset_tasks (account, task_id, dataset_id, delivery_id, delivered_ms, response) "
            "VALUES (?,?,?,?,?,?)",
            (account, task.task_id, task.dataset_id, task.delivery_id, task.delivered_ms,
             _dump(task.response)),
        )
        self._db.executemany(
            "INSERT INTO dataset_attachments (account, task_id, attachment_id, content_type, filename, data) "
            "VALUES (?,?,?,?,?,?)",
            [(account, task.task_id, ident, item.content_type, item.filename, item.data)
             for ident, item in attachments],
        )

    def dataset_task(self, account: str, task_id: str) -> Optional[DatasetTaskRow]:
        """The account's dataset task, or None."""
        rows = self._dataset_tasks(["account = ?", "task_id = ?"], [account, task_id], 1)
        return rows[0] if rows else None

    def dataset_task_page(  # pylint: disable=too-many-arguments
        self, account: str, dataset_id: Optional[str], delivery_id: Optional[str], delivered: TimeRange,
        after: Optional[int], limit: int,
    ) -> List[DatasetTaskRow]:
        """Dataset tasks matching the filters in handover order, strictly after row ``after``."""
        params: List[Any] = [account]
        clauses = ["account = ?"]
        for column, value in (("dataset_id", dataset_id), ("delivery_id", delivery_id), ("seq", after)):
            if value is not None:
                clauses.append(f"{column} {'>' if column == 'seq' else '='} ?")
                params.append(value)
        clauses += range_clauses("delivered_ms", delivered, params)
        return self._dataset_tasks(clauses, params, limit)

    def _dataset_tasks(self, clauses: List[str], params: List[Any], limit: int) -> List[DatasetTaskRow]:
        rows = self._db.query(
            "SELECT seq, task_id, dataset_id, delivery_id, delivered_ms, response FROM dataset_tasks "
            f"WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?",
            (*params, limit),
        )
        return [DatasetTaskRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) for row in rows]

    def attachment(self, account: str, task_id: str, attachment_id: str) -> Optional[Attachment]:
        """The bytes of one attachment of the account's dataset task, or None."""
        row = self._db.query_one(
            "SELECT content_type, filename, data FROM dataset_attachments "
            "WHERE account = ? AND task_id = ? AND attachment_id = ?",
            (account, task_id, attachment_id),
        )
        return Attachment(str(row[0]), row[1], bytes(row[2])) if row else None

    # Schemas ---------------------------------------------------------------------------------

    def insert_schema(self, account: str, schema_id: str, text: str) -> None:
        """Store a JSON Schema (already serialised)."""
        self._db.execute(
            "INSERT INTO schemas (account, schema_id, json) VALUES (?,?,?)", (account, schema_id, text)
        )

    def schema(self, account: str, schema_id: str) -> Optional[str]:
        """The serialised JSON Schema, or None."""
        row = self._db.query_one(
            "SELECT json FROM schemas WHERE account = ? AND schema_id = ?", (account, schema_id)
        )
        return str(row[0]) if row else None
