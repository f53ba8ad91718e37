"""What an export keeps on disk besides the plan's contents: the output lock, atomic writes, and the
part files (removed when stale, joined at the end)."""
import json
import logging
import os
import re
import socket
import time
from typing import Any, Dict, List, Type

__all__ = ["PathLock", "join_parts", "remove_stale_parts", "write_atomically"]

logger = logging.getLogger("scaleapi")


#: A lock file that cannot be read yet (its holder is still writing it) counts as held this long.
_LOCK_BEING_WRITTEN_S = 10.0


class PathLock:
    """``<path>.lock``: while an export writes ``path``, a second export into it is refused.

    The lock file is created with ``O_CREAT | O_EXCL`` (so exactly one export gets it) and holds the
    holder's pid and host name; it is removed when the export ends, however it ends. A lock left by a
    process that no longer exists (killed, crashed) on this host is stale: it is replaced. A lock from
    another host, or one whose process cannot be checked, counts as held.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock_file = path + ".lock"

    #: The exception a refusal raises (the export's own error).
    refused: Type[Exception] = OSError

    def __enter__(self) -> "PathLock":
        directory = os.path.dirname(os.path.abspath(self.lock_file))
        os.makedirs(directory, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(self.lock_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._refuse_unless_stale()
                continue
            except OSError as err:
                raise self.refused(f"cannot create the lock file {self.lock_file}: {err.strerror}") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}) + "\n")
            return self
        raise self.refused(f"cannot take the lock file {self.lock_file}: other exports keep replacing it")

    def _refuse_unless_stale(self) -> None:
        """Raise ``refused`` if the existing lock is held; remove it if its holder is gone."""
        holder = _lock_holder(self.lock_file)
        if holder == "gone":
            return  # removed meanwhile: try again
        if holder is None:
            try:
                age = time.time() - os.stat(self.lock_file).st_mtime
            except FileNotFoundError:
                return
            if age < _LOCK_BEING_WRITTEN_S:
                holder = {}
        if holder is not None and _holder_alive(holder):
            who = f"process {holder.get('pid')} on {holder.get('host')}" if holder else "an export starting"
            raise self.refused(
                f"{self.path} is being written by another export ({who}); wait for it to finish, "
                f"or delete {self.lock_file} if no export is running"
            )
        logger.info("export: replacing the stale lock %s (%s)", self.lock_file, holder)
        if _lock_holder(self.lock_file) == holder:  # not replaced by a live export meanwhile
            try:
                os.remove(self.lock_file)
            except FileNotFoundError:
                pass

    def __exit__(self, *exc_info: object) -> None:
        try:
            os.remove(self.lock_file)
        except FileNotFoundError:
            pass


def _lock_holder(lock_file: str) -> Any:
    """The lock's ``{"pid", "host"}``, None if unreadable, ``"gone"`` if the file no longer exists."""
    try:
        with open(lock_file, encoding="utf-8") as handle:
            holder = json.loads(handle.read() or "null")
    except FileNotFoundError:
        return "gone"
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _holder_alive(holder: Dict[str, Any]) -> bool:
    pid = holder.get("pid")
    if not holder or holder.get("host") != socket.gethostname() or os.name != "posix":
        return True  # cannot tell: keep out
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    return True


def write_atomically(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` at once: written to ``<path>.tmp``, synced, then renamed."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)



def remove_stale_parts(parts: str) -> None:
    """Part files left without a plan (a plan is always saved before its windows are paged)."""
    for name in os.listdir(parts):
        if re.fullmatch(r"w\d{6}\.jsonl(\.partial)?", name):
            os.remove(os.path.join(parts, name))




def join_parts(parts: List[str], path: str) -> int:
    """Concatenate ``parts`` in order into ``path`` (written as ``<path>.joining``, synced, renamed);
    returns the number of lines."""
    temporary = path + ".joining"
    lines = 0
    with open(temporary, "wb") as out:
        for part_path in parts:
            with open(part_path, "rb") as part:
                while True:
                    chunk = part.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    lines += chunk.count(b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return lines
