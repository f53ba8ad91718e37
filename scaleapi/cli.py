"""The ``scaleapi`` command line (also ``python -m scaleapi``).

The key comes from ``SCALE_API_KEY`` and the base URL from ``SCALE_API_BASE_URL`` (default: the
public API). Results go to stdout as JSON: one document, or JSON Lines (one object per line) for
listings and bulk runs. Errors go to stderr, exit status 1; the key is never printed. Long work
shows a progress bar on stderr when it is a terminal and tqdm is installed (``scaleapi[progress]``).

Examples::

    scaleapi emulator --port 8080
    scaleapi tasks list --project kittens --status completed
    scaleapi tasks export kittens.jsonl --project kittens --workers 8
    scaleapi tasks cancel --from-file ids.txt --journal cancel.journal
    scaleapi batches create b1 --project kittens
    scaleapi projects create kittens --type imageannotation
"""
import argparse
import codecs
import contextlib
import inspect
import json
import os
import shlex
import sys
import tempfile
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from . import _constants as C
from ._journal import DONE, Journal, JournalEntry
from ._retry import check_budget
from ._version import __version__
from .bulk import BulkResult, ProgressArg
from .client import ScaleClient
from .exceptions import ScaleException
from .tasks import Task

__all__ = ["main", "build_parser"]

PROG = "scaleapi"


Handler = Callable[[ScaleClient, argparse.Namespace, TextIO], int]


# -- output ------------------------------------------------------------------------------------


def _emit(out: TextIO, document: Any) -> None:
    out.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _emit_line(out: TextIO, document: Any) -> None:
    out.write(json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n")


def _as_json(model: Any) -> Any:
    return model.as_dict() if hasattr(model, "as_dict") else model


def _emit_bulk(out: TextIO, result: "BulkResult[Any, Any]", key: Callable[[Any], Any]) -> int:
    """One line per item, in input order; returns the exit status (1 if any item failed)."""
    lines: Dict[int, Dict[str, Any]] = {}
    for index, value in zip(result.succeeded_indices, result.succeeded):
        lines[index] = {"index": index, "ok": True, **key(value)}
    for index in result.skipped:
        lines[index] = {"index": index, "ok": True, "skipped": True}
    for failure in result.failed:
        lines[failure.index] = {"index": failure.index, "ok": False, "error": _describe(failure.error)}
    for index in sorted(lines):
        _emit_line(out, lines[index])
    print(
        f"{PROG}: {len(result.succeeded)} succeeded ({result.resumed} from the journal), "
        f"{len(result.failed)} failed, {len(result.skipped)} skipped",
        file=sys.stderr,
    )
    return 1 if result.failed else 0


def _describe(error: BaseException) -> str:
    """``ScaleResourceNotFound (404): Task with that ID not found.``"""
    if isinstance(error, ScaleException):
        code = f" ({error.code})" if error.code is not None else ""
        return f"{type(error).__name__}{code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def _progress(args: argparse.Namespace) -> ProgressArg:
    choice = getattr(args, "progress", None)
    if choice is None:
        return True if sys.stderr.isatty() else None
    return True if choice else None


def _json_arg(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON: {err}") from None


def _budget_arg(text: str) -> float:
    try:
        return check_budget(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds, 0 or more: {text!r}") from None


def _read_lines(path: str) -> Iterator[str]:
    """Non-empty lines of a file (``-`` for stdin), read lazily."""
    if path == "-":
        for line in sys.stdin:
            if line.strip():
                yield line.strip()
        return
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line.strip()


# -- tasks -------------------------------------------------------------------------------------


def _task_filters(args: argparse.Namespace) -> Dict[str, Any]:
    return {
        "project_name": args.project,
        "batch_name": args.batch,
        "task_type": args.type,
        "status": args.status,
        "review_status": args.review_status,
        "unique_id": args.unique_id or None,
        "tags": args.tag or None,
        "created_after": args.created_after,
        "created_before": args.created_before,
        "completed_after": args.completed_after,
        "completed_before": args.completed_before,
        "updated_after": args.updated_after,
        "updated_before": args.updated_before,
    }


def _tasks_get(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    if len(args.task_ids) == 1:
        _emit(out, client.get_task(args.task_ids[0]).as_dict())
        return 0
    for task_id in args.task_ids:
        _emit_line(out, client.get_task(task_id).as_dict())
    return 0


def _tasks_list(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    shown = 0
    for task in client.get_tasks(limited_response=args.limited_response or None,
                                 include_attachment_url=False, **_task_filters(args)):
        if args.limit is not None and shown >= args.limit:
            break
        _emit_line(out, task.as_dict())
        shown += 1
    return 0


def _tasks_count(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _emit(out, {"count": client.get_tasks_count(include_attachment_url=False, **_task_filters(args))})
    return 0


def _tasks_export(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    count = client.export_tasks(
        args.path, workers=args.workers, progress=_progress(args),
        limited_response=args.limited_response or None, **_task_filters(args),
    )  # fmt: skip
    _emit(out, {"path": os.path.abspath(args.path), "count": count})
    return 0


def _ids(args: argparse.Namespace) -> Iterator[str]:
    yield from args.task_ids
    if args.from_file:
        yield from _read_lines(args.from_file)


def _tasks_cancel(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    if not args.task_ids and not args.from_file:
        raise ValueError("give task ids, or --from-file")
    result = client.cancel_tasks(
        _ids(args), clear_unique_id=args.clear_unique_id, concurrency=args.concurrency,
        progress=_progress(args), journal=args.journal,
    )  # fmt: skip
    return _emit_bulk(out, result, lambda task: {"task_id": task.id, "status": task.as_dict().get("status")})


def _tasks_wait(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    for task in client.wait_for_tasks(args.task_ids, timeout=args.timeout, poll=args.poll):
        _emit_line(out, {"task_id": task.id, "status": task.as_dict().get("status")})
    return 0


# -- tasks create: check the whole file first; an unfinished run says how to resume ------------

#: Exit status of ``tasks create`` for a payload file it cannot use (nothing is sent); argparse
#: uses the same status for usage errors.
EXIT_BAD_INPUT = 2
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
            _emit_line(out, {"index": index, "ok": True, **line})
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


def _tasks_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    texts, problems = _read_payload_file(args.file)
    if not args.task_type.strip():
        problems.insert(0, "the task type is empty")
    if args.concurrency < 1:
        problems.insert(0, "--concurrency must be at least 1")
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
                                     progress=_progress(args), journal=journal)
    except BaseException:
        _report_unfinished(client, args, out, journal, temporary, len(payloads), list_created=True)
        raise
    status = _emit_bulk(out, result, _task_line)
    if result.failed:
        _report_unfinished(client, args, out, journal, temporary, len(payloads), list_created=False)
    elif temporary:
        _remove_quietly(journal)
    return status


def _temporary_journal() -> str:
    handle, path = tempfile.mkstemp(prefix="scaleapi-create-", suffix=".journal")
    os.close(handle)
    return path


# -- batches and projects ----------------------------------------------------------------------


def _batches_list(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    for batch in client.get_batches(project_name=args.project, batch_status=args.status,
                                    created_after=args.created_after, created_before=args.created_before):
        _emit_line(out, batch.as_dict())
    return 0


def _batches_get(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _emit(out, client.get_batch(args.name).as_dict())
    return 0


def _batches_status(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _emit(out, client.batch_status(args.name))
    return 0


def _batches_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    batch = client.create_batch(
        args.project, args.name, callback=args.callback or "", calibration_batch=args.calibration,
        self_label_batch=args.self_label, metadata=args.metadata,
    )  # fmt: skip
    _emit(out, batch.as_dict())
    return 0


def _batches_finalize(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _emit(out, client.finalize_batch(args.name).as_dict())
    return 0


def _projects_list(client: ScaleClient, _args: argparse.Namespace, out: TextIO) -> int:
    for project in client.get_projects():
        _emit_line(out, project.as_dict())
    return 0


def _projects_get(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _emit(out, client.get_project(args.name).as_dict())
    return 0


def _projects_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    project = client.create_project(args.name, args.type, params=args.params, rapid=args.rapid,
                                    studio=args.studio)
    _emit(out, project.as_dict())
    return 0


# -- the parser --------------------------------------------------------------------------------


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (--project or --batch is required)")
    group.add_argument("--project", help="project name")
    group.add_argument("--batch", help="batch name")
    group.add_argument("--status", choices=["pending", "completed", "canceled", "error"])
    group.add_argument("--type", metavar="TASK_TYPE", help="task type, e.g. imageannotation")
    group.add_argument("--review-status", help="customer review status (comma-separated for several)")
    group.add_argument("--unique-id", action="append", metavar="ID", help="repeatable")
    group.add_argument("--tag", action="append", metavar="TAG", help="repeatable; tasks with every tag")
    for name in ("created", "completed", "updated"):
        group.add_argument(f"--{name}-after", metavar="TIME", help="ISO-8601, inclusive")
        group.add_argument(f"--{name}-before", metavar="TIME", help="ISO-8601, exclusive")


def _add_bulk(
    parser: argparse.ArgumentParser, journal_help: str = "record progress; rerun to resume"
) -> None:
    parser.add_argument("--concurrency", type=int, default=8, help="parallel calls (default 8)")
    parser.add_argument("--journal", metavar="PATH", help=journal_help)
    _add_progress(parser)


def _add_progress(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", dest="progress", action="store_true", default=None,
                        help="show a progress bar (default: when stderr is a terminal)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def _tasks_parser(groups: Any) -> None:
    tasks = groups.add_parser("tasks", help="get, list, count, export, create, cancel, wait")
    sub = tasks.add_subparsers(dest="command", metavar="COMMAND", required=True)

    get = sub.add_parser("get", help="print tasks by id")
    get.add_argument("task_ids", nargs="+", metavar="TASK_ID")
    get.set_defaults(handler=_tasks_get)

    listing = sub.add_parser("list", help="print matching tasks as JSON Lines, newest first")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, help="stop after this many tasks")
    listing.add_argument("--limited-response", action="store_true", help="only id, status, metadata, project")
    listing.set_defaults(handler=_tasks_list)

    count = sub.add_parser("count", help="count matching tasks")
    _add_filters(count)
    count.set_defaults(handler=_tasks_count)

    export = sub.add_parser("export", help="write matching tasks to a JSON Lines file, in parallel")
    export.add_argument("path", help="output file (an interrupted export resumes when rerun)")
    _add_filters(export)
    export.add_argument("--workers", type=int, default=4, help="parallel workers (default 4)")
    export.add_argument("--limited-response", action="store_true")
    _add_progress(export)
    export.set_defaults(handler=_tasks_export)

    create = sub.add_parser("create", help="create tasks from a JSON Lines file of payloads",
                            description="Reads and checks the whole file before sending anything.")
    create.add_argument("task_type", help="task type, e.g. imageannotation")
    create.add_argument("--file", required=True, help="one JSON payload per line ('-' for stdin)")
    _add_bulk(create, "record progress; rerun with the same file to resume (default: a temporary "
                      "journal, removed once every task is created)")
    create.set_defaults(handler=_tasks_create)

    cancel = sub.add_parser("cancel", help="cancel tasks")
    cancel.add_argument("task_ids", nargs="*", metavar="TASK_ID")
    cancel.add_argument("--from-file", metavar="PATH", help="one task id per line ('-' for stdin)")
    cancel.add_argument("--clear-unique-id", action="store_true", help="also remove the unique_id")
    _add_bulk(cancel)
    cancel.set_defaults(handler=_tasks_cancel)

    wait = sub.add_parser("wait", help="wait until tasks are completed, canceled or in error")
    wait.add_argument("task_ids", nargs="+", metavar="TASK_ID")
    wait.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    wait.add_argument("--poll", type=float, default=1.0, help="first pause between polls (default 1)")
    wait.set_defaults(handler=_tasks_wait)


def _batches_parser(groups: Any) -> None:
    batches = groups.add_parser("batches", help="list, get, status, create, finalize")
    sub = batches.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = sub.add_parser("list", help="print batches as JSON Lines, newest first")
    listing.add_argument("--project")
    listing.add_argument("--status", choices=["staging", "in_progress", "completed"])
    listing.add_argument("--created-after", metavar="TIME")
    listing.add_argument("--created-before", metavar="TIME")
    listing.set_defaults(handler=_batches_list)

    for name, handler, text in (
        ("get", _batches_get, "print a batch"),
        ("status", _batches_status, "print a batch's status and task counts"),
        ("finalize", _batches_finalize, "finalize a batch"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("name")
        command.set_defaults(handler=handler)

    create = sub.add_parser("create", help="create a batch")
    create.add_argument("name")
    create.add_argument("--project", required=True)
    create.add_argument("--callback", help="URL or email notified when the batch completes")
    create.add_argument("--metadata", type=_json_arg, help="a JSON object")
    create.add_argument("--calibration", action="store_true", help="a calibration batch (Rapid)")
    create.add_argument("--self-label", action="store_true", help="a self-label batch (Rapid)")
    create.set_defaults(handler=_batches_create)


def _projects_parser(groups: Any) -> None:
    projects = groups.add_parser("projects", help="list, get, create")
    sub = projects.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = sub.add_parser("list", help="print projects as JSON Lines")
    listing.set_defaults(handler=_projects_list)

    get = sub.add_parser("get", help="print a project")
    get.add_argument("name")
    get.set_defaults(handler=_projects_get)

    create = sub.add_parser("create", help="create a project")
    create.add_argument("name")
    create.add_argument("--type", required=True, metavar="TASK_TYPE", help="e.g. imageannotation")
    create.add_argument("--params", type=_json_arg, help="default task parameters, a JSON object")
    create.add_argument("--rapid", action="store_true")
    create.add_argument("--studio", action="store_true")
    create.set_defaults(handler=_projects_create)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``scaleapi`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=f"Scale AI v1 API from the command line. Key from ${C.ENV_API_KEY}, "
        f"base URL from ${C.ENV_BASE_URL}.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--retry-budget", type=_budget_arg, metavar="SECONDS",
        help="how long bulk commands, exports, waits and listings go on retrying through server "
        f"trouble (default {C.DEFAULT_RETRY_BUDGET:g})",
    )  # fmt: skip
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    emulator = groups.add_parser("emulator", help="run the local emulator (see: scaleapi emulator --help)",
                                 add_help=False)
    emulator.add_argument("emulator_args", nargs=argparse.REMAINDER)
    _tasks_parser(groups)
    _batches_parser(groups)
    _projects_parser(groups)
    return parser


def _run_emulator(argv: List[str]) -> int:
    try:
        from .emulator.__main__ import main as emulator_main  # pylint: disable=import-outside-toplevel
    except ImportError as err:
        print(f"{PROG}: error: the emulator needs the 'emulator' extra: pip install "
              f"'scaleapi[emulator]' ({err})", file=sys.stderr)
        return 1
    return int(emulator_main(argv) or 0)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``scaleapi`` command; returns the exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        # Everything after "emulator" belongs to the emulator's own parser (including --help).
        return _run_emulator(arguments[1:])
    args = build_parser().parse_args(arguments)
    key = os.environ.get(C.ENV_API_KEY)
    if not key:
        print(f"{PROG}: error: set {C.ENV_API_KEY} to your API key", file=sys.stderr)
        return 1
    handler: Handler = args.handler
    try:
        client = ScaleClient(key, source="cli", api_instance_url=os.environ.get(C.ENV_BASE_URL) or None,
                             retry_budget=args.retry_budget)
        try:
            return handler(client, args, sys.stdout)
        finally:
            client.close()
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except ScaleException as err:
        print(f"{PROG}: error: {_describe(err)}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
