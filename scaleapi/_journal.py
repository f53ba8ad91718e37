"""An append-only progress journal for bulk operations, so a rerun skips what is already done.

The file is JSON Lines. The first line is a header naming the operation, a run id and a format
version; every later line is one item event, written and flushed as it happens::

    {"journal": "scaleapi-bulk", "version": 1, "run_id": "3f9c0a1b2d4e", "operation": "..."}
    {"i": 0, "h": "<item hash>", "state": "started"}
    {"i": 0, "h": "<item hash>", "state": "done", "result": {...}}
    {"i": 7, "h": "<item hash>", "state": "failed", "ambiguous": true, "error": "..."}

Reading it back keeps the last event of each index. A line cut short by a crash is ignored (and cut
off before anything new is appended), so a torn write never hides the records before it.
"""
import hashlib
import json
import os
import threading
import uuid
from dataclasses import dataclass
from typing import IO, Any, Dict, Optional, Union

from ._closing import Closing
from .exceptions import JournalMismatch

__all__ = ["Journal", "JournalEntry", "JournalMismatch", "item_hash"]

_MAGIC = "scaleapi-bulk"
_VERSION = 1

STARTED = "started"
DONE = "done"
FAILED = "failed"


@dataclass
class JournalEntry:
    """The last recorded state of one item."""

    state: str
    item_hash: str
    result: Any = None
    has_result: bool = False
    #: Some attempt at this item may have taken effect on the server (it died in flight, or failed
    #: in a way that does not prove the server did nothing).
    ambiguous: bool = False
    #: ``ambiguous`` as it was before the attempt now in progress (for ``started`` entries).
    ambiguous_before: bool = False


def item_hash(item: Any) -> str:
    """A short, stable digest of an item (JSON with sorted keys; other objects by ``str``)."""
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Journal(Closing):
    """A thread-safe, append-only journal file.

    Opening an existing file loads its records and reuses its run id; opening a missing one writes a
    new header. Use as a context manager, or call ``close()``.

    Args:
        path: the journal file.
        operation: names what the journal is for (e.g. ``create_tasks:imageannotation``); a file
            written for another operation is refused with ``JournalMismatch``.
        fsync: also ``os.fsync`` after every record (slower; survives power loss, not just crashes).

    Raises:
        JournalMismatch: the file is not a bulk journal, or was written for another operation.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], operation: str, *, fsync: bool = False) -> None:
        self.path = os.fspath(path)
        self.operation = operation
        self._fsync = fsync
        self._lock = threading.Lock()
        self.entries: Dict[int, JournalEntry] = {}
        self.run_id = ""
        self._file: Optional[IO[str]] = None
        self._open()

    def _open(self) -> None:
        good_size = 0
        if os.path.exists(self.path):
            good_size = self._load()
        handle = open(self.path, "a+", encoding="utf-8")  # pylint: disable=consider-using-with
        if good_size != handle.seek(0, os.SEEK_END):
            handle.truncate(good_size)  # drop a torn last line before appending
            handle.seek(good_size)
        self._file = handle
        if not self.run_id:
            self.run_id = uuid.uuid4().hex[:12]
            self._write(
                {"journal": _MAGIC, "version": _VERSION, "run_id": self.run_id, "operation": self.operation}
            )

    def _load(self) -> int:
        """Read the records; returns the size of the well-formed prefix of the file."""
        good_size = 0
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle):
                if not raw.endswith(b"\n"):
                    break  # a record cut short by a crash
                try:
                    record = json.loads(raw)
                except ValueError as err:
                    raise JournalMismatch(f"{self.path}: line {number + 1} is not JSON") from err
                if number == 0:
                    self._check_header(record)
                else:
                    self._apply(record)
                good_size += len(raw)
        return good_size

    def _check_header(self, record: Any) -> None:
        if not isinstance(record, dict) or record.get("journal") != _MAGIC:
            raise JournalMismatch(f"{self.path} is not a scaleapi bulk journal")
        if record.get("operation") != self.operation:
            raise JournalMismatch(
                f"{self.path} records the operation {record.get('operation')!r}, "
                f"not {self.operation!r}; use another journal file"
            )
        self.run_id = str(record.get("run_id") or "")

    def _apply(self, record: Any) -> None:
        if not isinstance(record, dict) or not isinstance(record.get("i"), int):
            return
        index = record["i"]
        state = record.get("state")
        if state not in (STARTED, DONE, FAILED):
            return
        previous = self.entries.get(index)
        if previous is not None and previous.state == DONE:
            return  # done is final
        earlier = False  # was any attempt before this record's attempt ambiguous?
        if previous is not None:
            earlier = previous.ambiguous_before if previous.state == STARTED else previous.ambiguous
            if state == STARTED and previous.state == STARTED:
                earlier = True  # the previous start never ended: that process died mid-call
        self.entries[index] = JournalEntry(
            state=state,
            item_hash=str(record.get("h", "")),
            result=record.get("result"),
            has_result="result" in record,
            # A start without an end is ambiguous until its end is recorded.
            ambiguous=state == STARTED or bool(record.get("ambiguous")) or earlier,
            ambiguous_before=earlier,
        )

    def _write(self, record: Dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            if self._file is None:
                return  # closed: a straggler thread finishing after an interrupt
            self._file.write(line)
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())

    def lookup(self, index: int) -> Optional[JournalEntry]:
        """The last recorded state of item ``index``, or None if it was never started."""
        return self.entries.get(index)

    def started(self, index: int, digest: str) -> None:
        """Record that work on item ``index`` is about to begin."""
        self._write({"i": index, "h": digest, "state": STARTED})

    def done(self, index: int, digest: str, result: Any = None, *, keep_result: bool = False) -> None:
        """Record that item ``index`` succeeded (with its JSON-able result when ``keep_result``)."""
        record: Dict[str, Any] = {"i": index, "h": digest, "state": DONE}
        if keep_result:
            record["result"] = result
        self._write(record)

    def failed(self, index: int, digest: str, error: BaseException, *, ambiguous: bool) -> None:
        """Record that item ``index`` failed; ``ambiguous`` when the call may have taken effect."""
        self._write(
            {
                "i": index,
                "h": digest,
                "state": FAILED,
                "ambiguous": ambiguous,
                "error": f"{type(error).__name__}: {error}"[:500],
            }
        )

    def close(self) -> None:
        """Flush and close the file; later records are dropped."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                try:
                    os.fsync(self._file.fileno())
                except OSError:  # pragma: no cover - e.g. a pipe
                    pass
                self._file.close()
                self._file = None
