"""``scaleapi tasks create``: check the whole payload file first; an unfinished run says how to resume."""
import argparse
import codecs
import contextlib
import inspect
import json
import os
import shlex
import sys
import tempfile
from typing import Any, Dict, Iterator, List, Optional, TextIO, Tuple

from .._journal import DONE, Journal, JournalEntry
from ..client import ScaleClient
from ..exceptions import ScaleException
from ..tasks import Task
from . import common
from .common import PROG, TASK_TYPES, emit_bulk, emit_line

#: Exit status of ``tasks create`` for a payload file it cannot use (nothing is sent): the status
#: of a usage error.
EXIT_BAD_INPUT = common.EXIT_USAGE
#: How many problems of a payload file are spelled out before the rest are only counted.
PROBLEMS_SHOWN = 5
#: Common task parameters that must be non-empty strings when given.
_NAME_FIELDS = ("project", "batch", "unique_id")
#: Common task parameters that must be strings when given.
_TEXT_FIELDS = ("instruction", "callback_url")
#: Keys a payload cannot have: they would collide with ``create_task``'s own parameters.
_RESERVED_KEYS = tuple(
    name for name, parameter in inspect.signature(ScaleClient.create_task).parameters.items()
    if parameter.kind is not inspect.Parameter.VAR_KEYWORD
)  # fmt: skip


class _Payloads:
    """The checked payload lines of a file, parsed again one at a time as the bulk run reads them.

    Holding the text rather than the parsed objects keeps memory near the file's size; ``len()``
    gives the progress bar its total.
    """

    def __init__(self, texts: List[str]) -> None:
        self._texts = texts

    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return (json.loads(text) for text in self._texts)


def _read_input(path: str) -> bytes:
    if path != "-":
        with open(path, "rb") as handle:
            return handle.read()
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def _check_payload(text: str, number: int, unique_ids: Dict[str, int]) -> Optional[str]:
    """Why a line cannot be sent as a task create, or None; remembers the line's unique_id."""
    try:
        payload = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as err:
        return f"not valid JSON: {err.msg} (column {err.colno})"
    except RecursionError:
        return "not usable JSON: nested too deeply"
    except ValueError as err:  # NaN/Infinity, or an integer with too many digits
        return f"not valid JSON: {err}"
    if not isinstance(payload, dict):
        return f"not a JSON object (it is {_json_kind(payload)})"
    problems = [f'"{name}" cannot be a key here (the task type is the command\'s argument)'
                for name in _RESERVED_KEYS if name in payload]
    problems += [f'"{name}" must be a non-empty string' for name in _NAME_FIELDS
                 if payload.get(name) is not None and not (isinstance(payload[name], str) and payload[name])]
    problems += [f'"{name}" must be a string' for name in _TEXT_FIELDS
                 if payload.get(name) is not None and not isinstance(payload[name], str)]
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        problems.append('"metadata" must be an object')
    tags = payload.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)):
        problems.append('"tags" must be an array of strings')
    unique_id = payload.get("unique_id")
    if not problems and unique_id is not None:
        first = unique_ids.setdefault(unique_id, number)
        if first != number:
            shown = unique_id if len(unique_id) <= 80 else unique_id[:77] + "..."
            problems.append(f"unique_id {json.dumps(shown, ensure_ascii=False)} is also on line {first}")
    return "; ".join(problems) or None


def _read_payload_file(path: str) -> Tuple[List[str], List[str]]:
    """Read a JSON Lines file of payloads whole: the usable lines (as text) and every problem.

    Lines are numbered from 1 as an editor counts them: blank lines count, and only ``\\n`` ends a
    line (a U+2028 inside a JSON string does not). A UTF-8 byte order mark is allowed.
    """
    name = "stdin" if path == "-" else path
    try:
        data = _read_input(path)
    except OSError as err:
        return [], [f"{name}: cannot read it ({err.strerror or err})"]
    texts: List[str] = []
    problems: List[str] = []
    unique_ids: Dict[str, int] = {}
    for number, raw in enumerate(data.split(b"\n"), 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            problems.append(f"{name}: line {number}: not valid UTF-8 (byte {err.start + 1} of the line)")
            continue
        if not text.strip(" \t\r"):
            continue
        reason = _check_payload(text, number, unique_ids)
        if reason is None:
            texts.append(text)
        else:
            problems.append(f"{name}: line {number}: {reason}")
    if not texts and not problems:
        problems.append(f"{name}: no payloads in it (it is empty or blank)")
    return texts, problems


def _task_line(task: Any) -> Dict[str, Any]:
    return {"task_id": task.id, "unique_id": task.as_dict().get("unique_id")}


def _journal_entries(path: str, task_type: str) -> Optional[Dict[int, JournalEntry]]:
    """What the journal of a create run records (None when there is none it could read)."""
    if not os.path.isfile(path):
        return None
    try:
        # The operation name ScaleClient.create_tasks gives its journals.
        with Journal(path, f"create_tasks:{task_type}") as journal:
            return dict(journal.entries)
    except (ScaleException, OSError, ValueError):
        return None


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def _report_unfinished(  # pylint: disable=too-many-arguments
    client: ScaleClient, args: argparse.Namespace, out: TextIO, journal: str, temporary: bool, total: int,
    *, list_created: bool,
) -> None:
    """After a create run that did not finish: list what it created (from its journal, when the run
    itself could not) and say in one line on stderr how to resume."""
    entries = _journal_entries(journal, args.task_type)
    if entries is None:
        return
    done = sorted(index for index, entry in entries.items() if entry.state == DONE)
    if list_created:
        for index in done:
            entry = entries[index]
            line = _task_line(Task(entry.result, client)) if entry.has_result else {"skipped": True}
            emit_line(out, {"index": index, "ok": True, **line})
        out.flush()
    if temporary and not any(entry.state == DONE or entry.ambiguous for entry in entries.values()):
        # Nothing was created and nothing may have been: the journal would not change a rerun.
        _remove_quietly(journal)
        print(f"{PROG}: no task was created; to try again, rerun the same command", file=sys.stderr)
        return
    command = " ".join(shlex.quote(part) for part in (
        PROG, "tasks", "create", args.task_type, "--file", args.file, "--journal", journal))
    feed = " with the same input on stdin" if args.file == "-" else ""
    print(f"{PROG}: {total - len(done)} of {total} tasks not created; to resume without duplicates, "
          f"run{feed}: {command}", file=sys.stderr)


def tasks_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    """``tasks create``: check the file, create its tasks, print one line each; returns the exit status."""
    texts, problems = _read_payload_file(args.file)
    if problems:
        for problem in problems[:PROBLEMS_SHOWN]:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
        hidden = len(problems) - PROBLEMS_SHOWN
        print(f"{PROG}: nothing was sent" + (f" ({hidden} more problems not shown)" if hidden > 0 else ""),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    # Always journal, so that any unfinished run can be resumed without duplicates; a journal the
    # user did not ask for lives in the temporary directory and is removed once every task exists.
    temporary = not args.journal
    journal: str = args.journal or _temporary_journal()
    payloads = _Payloads(texts)
    try:
        result = client.create_tasks(args.task_type, payloads, concurrency=args.concurrency,
                                     progress=common.progress(args), journal=journal)
    except BaseException:
        _report_unfinished(client, args, out, journal, temporary, len(payloads), list_created=True)
        raise
    status = emit_bulk(out, result, _task_line)
    if result.failed:
        _report_unfinished(client, args, out, journal, temporary, len(payloads), list_created=False)
    elif temporary:
        _remove_quietly(journal)
    return status


def _temporary_journal() -> str:
    handle, path = tempfile.mkstemp(prefix="scaleapi-create-", suffix=".journal")
    os.close(handle)
    return path


def add_create_parser(sub: Any, add_bulk: Any) -> None:
    """``tasks create TASK_TYPE --file PAYLOADS``; ``add_bulk`` adds --concurrency/--journal/--progress."""
    create = sub.add_parser(
        "create", help="create tasks from a JSON Lines file of payloads",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Create one task of type TASK_TYPE per line of the file (one JSON object of task\n"
        "parameters per line). The whole file is read and checked before anything is sent;\n"
        "every run is journaled, so an unfinished one can be resumed without duplicates.",
        epilog="examples:\n"
        "  scaleapi tasks create imageannotation --file payloads.jsonl\n"
        "  scaleapi tasks create imageannotation --file payloads.jsonl --journal create.journal\n"
        "  generate-payloads | scaleapi tasks create textcollection --file -\n\n"
        "task types: " + ", ".join(TASK_TYPES),
    )  # fmt: skip
    create.add_argument("task_type", metavar="TASK_TYPE", type=common.choice("task type", TASK_TYPES),
                        help="the type of every task, e.g. imageannotation (the list is below)")
    create.add_argument("--file", required=True, metavar="PAYLOADS",
                        help="the payload file, one JSON object per line ('-' for stdin)")
    add_bulk(create, "record progress there; rerun with the same file to resume (default: a temporary "
                     "journal, removed once every task is created)")
    create.set_defaults(handler=tasks_create, command_parser=create)
