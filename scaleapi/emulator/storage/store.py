"""The storage facade: one :class:`Store` gives the service layer every table it needs."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from .db import Database
from .resource_stores import (
    AccountStore, BatchStore, FileStore, ProjectStore, QualityTaskStore, StudioStore, TeamStore,
)
from .task_store import TaskStore
from .v2_store import V2Store


class Store:
    """SQLite-backed storage: in memory by default, or a file (WAL) that survives restarts."""

    def __init__(self, path: Optional[str] = None) -> None:
        self.db = Database(path)
        self.accounts = AccountStore(self.db)
        self.tasks = TaskStore(self.db, self.accounts)
        self.projects = ProjectStore(self.db)
        self.batches = BatchStore(self.db)
        self.files = FileStore(self.db)
        self.teams = TeamStore(self.db)
        self.studio = StudioStore(self.db)
        self.quality = QualityTaskStore(self.db)
        self.v2 = V2Store(self.db, self.accounts)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run a block atomically and exclusively (see :meth:`Database.transaction`)."""
        with self.db.transaction():
            yield

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` after the current transaction commits."""
        self.db.after_commit(hook)

    def wipe(self) -> None:
        """Delete all data."""
        self.db.wipe()
        self.accounts.forget()

    def close(self) -> None:
        """Close the database."""
        self.db.close()
