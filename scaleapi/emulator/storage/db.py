"""The SQLite connection, its schema (``schema.sql`` beside this module), and transactions.

One connection serves every thread, guarded by a re-entrant lock: the emulator is a test server,
so serialising writes is simpler and fast enough, and it makes every service call atomic. Columns
exist for everything a listing filters on; the full JSON document of each object lives in ``doc``.

A database file belongs to one emulator at a time: the connection takes SQLite's exclusive lock when
it opens the file and holds it until :meth:`Database.close`, so a second emulator (in this process
or another) is refused with :class:`DatabaseInUse` instead of sharing the file. Two emulators on one
file could not be correct together: each caches which accounts exist, and a reset in one would wipe
the other's data under it.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Sequence

#: The schema, every statement safe to repeat; run whenever a database is opened.
SCHEMA = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")


class StorageError(OSError):
    """The database file cannot be used (missing directory, not a database, read-only, ...)."""


class DatabaseInUse(StorageError):
    """Another emulator holds the database file."""


def path_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot hold an emulator database, or None when it looks usable (no I/O but stat)."""
    if not path:
        return "the database path is empty"
    if os.path.isdir(path):
        return f"{path} is a directory"
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        return f"the directory {parent} does not exist"
    # SQLite writes its WAL file next to the database, so the directory must be writable too.
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the directory {parent} is not writable"
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is not readable and writable"
    return None


class Database:
    """A lock-guarded SQLite connection with nestable transactions and after-commit hooks.

    Raises:
        DatabaseInUse: another emulator holds the file.
        StorageError: the file cannot be opened or is not an emulator database.
    """

    def __init__(self, path: Optional[str] = None) -> None:
        self.path = path or ":memory:"
        in_memory = self.path == ":memory:"
        if not in_memory:
            problem = path_problem(self.path)
            if problem is not None:
                raise StorageError(f"cannot use the database: {problem}")
        self._lock = threading.RLock()
        self._depth = 0
        self._after_commit: List[Callable[[], None]] = []
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves so nesting is explicit. timeout=0:
            # the file is this connection's alone, so a busy file means another emulator holds it.
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=0 if not in_memory else 5.0
            )
        except sqlite3.Error as err:
            raise StorageError(f"cannot open the database {self.path}: {err}") from None
        try:
            if not in_memory:
                # Exclusive locking mode before WAL: SQLite then keeps the WAL index in this
                # process's memory (no -shm file) and never releases the lock it takes below.
                self._conn.execute("PRAGMA locking_mode=EXCLUSIVE")
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("BEGIN EXCLUSIVE")
                self._conn.execute("COMMIT")
            self._conn.execute("PRAGMA temp_store=MEMORY")
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as err:
            self._conn.close()
            name = getattr(err, "sqlite_errorname", "")  # Python 3.11+; older ones say it in words
            if name in ("SQLITE_BUSY", "SQLITE_LOCKED") or (not name and "is locked" in str(err)):
                raise DatabaseInUse(
                    f"the database {self.path} is in use by another emulator (one emulator per file)"
                ) from None
            raise StorageError(f"cannot use the database {self.path}: {err}") from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and run the block in one transaction; nested blocks join the outer one."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                    self._after_commit.clear()
                raise
            self._depth -= 1
            if not outermost:
                return
            self._conn.execute("COMMIT")
            hooks, self._after_commit = self._after_commit, []
        # Hooks run outside the lock: they hand work to other threads (callback delivery) that
        # may need the lock themselves.
        for hook in hooks:
            hook()

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once the current transaction commits (dropped on rollback)."""
        with self._lock:
            if self._depth == 0:
                hook()
            else:
                self._after_commit.append(hook)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement under the lock."""
        with self._lock:
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows under the lock."""
        with self._lock:
            self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> List[Any]:
        """Run a SELECT and return all rows."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a SELECT and return the first row, or None."""
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _tables(self) -> List[str]:
        """The schema's tables, in the order it creates them."""
        return [row[0] for row in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]

    def wipe(self) -> None:
        """Delete every row of every table (the control API's reset)."""
        with self.transaction():
            for table in self._tables():
                self._conn.execute(f'DELETE FROM "{table}"')  # nosec: names from the schema

    def wipe_account(self, account: str, number: int) -> None:
        """Delete one account's rows from every table (the console's account reset).

        Tables are found by their columns, so a table added later is covered too: rows keyed by
        the account id (``account``) or by its number (``acct``) go.
        """
        with self.transaction():
            for table in self._tables():
                columns = {row[1] for row in self._conn.execute(f'PRAGMA table_info("{table}")')}
                if "acct" in columns:
                    self._conn.execute(f'DELETE FROM "{table}" WHERE acct = ?', (number,))
                elif "account" in columns:
                    self._conn.execute(f'DELETE FROM "{table}" WHERE account = ?', (account,))

    def close(self) -> None:
        """Close the connection; the object is unusable afterwards."""
        with self._lock:
            self._conn.close()
