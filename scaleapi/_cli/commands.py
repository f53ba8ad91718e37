"""The ``tasks``, ``batches`` and ``projects`` commands: their parsers and what they run.

A command's ``validate`` (run before the key is even looked up) refuses what can be refused without
the API; its handler then names what it asked for when the API answers 404.
"""
import argparse
import os
from typing import Any, Callable, Dict, List, TextIO

from .. import _constants as C
from .._task_query import TASK_FILTERS
from ..client import ScaleClient
from ..exceptions import ScaleResourceNotFound
from . import common
from .common import (
    BATCH_STATUSES, REVIEW_STATUSES, TASK_STATUSES, TASK_TYPES, Handler, Refused, UsageError, emit, emit_bulk,
    emit_line, named,
)  # fmt: skip
from .create import add_create_parser

_RAW = argparse.RawDescriptionHelpFormatter


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


# -- tasks -------------------------------------------------------------------------------------


#: The flag (argparse dest) of each ``get_tasks`` filter whose name differs (``--project``).
_FILTER_FLAGS = {"project_name": "project", "batch_name": "batch", "task_type": "type", "tags": "tag"}
#: Filters the commands set themselves rather than from a filter flag.
_NOT_FLAGS = ("include_attachment_url", "limited_response")


def _task_filters(args: argparse.Namespace) -> Dict[str, Any]:
    """The ``get_tasks`` filters from the filter flags (a flag not given, or given empty, is None)."""
    return {
        name: getattr(args, _FILTER_FLAGS.get(name, name)) or None
        for name in TASK_FILTERS
        if name not in _NOT_FLAGS
    }


def _need_scope(args: argparse.Namespace) -> None:
    if not args.project and not args.batch:
        raise UsageError("give --project or --batch (or both)")


def _check_scope(client: ScaleClient, args: argparse.Namespace) -> None:
    """One request each for the project and batch named, so a misspelled name is not an empty answer."""
    if args.project:
        with named("project", args.project):
            client.get_project(args.project)
    if args.batch:
        with named("batch", args.batch):
            client.get_batch(args.batch)


def _tasks_get(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    write = emit if len(args.task_ids) == 1 else emit_line
    for task_id in args.task_ids:
        with named("task", task_id):
            task = client.get_task(task_id)
        write(out, task.as_dict())
    return 0


def _tasks_list(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _check_scope(client, args)
    shown = 0
    for task in client.get_tasks(limited_response=args.limited_response or None,
                                 include_attachment_url=False, **_task_filters(args)):
        emit_line(out, task.as_dict())
        shown += 1
        if args.limit is not None and shown >= args.limit:
            break
    return 0


def _tasks_count(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _check_scope(client, args)
    emit(out, {"count": client.get_tasks_count(include_attachment_url=False, **_task_filters(args))})
    return 0


def _finished_export(args: argparse.Namespace) -> None:
    _need_scope(args)
    # An unfinished export keeps its plan and parts in <path>.parts/ and is resumed by a rerun; a
    # file without that directory is a finished export (or something else) that would be replaced.
    if os.path.exists(args.path) and not os.path.isdir(args.path + ".parts") and not args.force:
        raise Refused(f"{args.path} already exists (a finished export?); add --force to replace it")


def _tasks_export(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    _check_scope(client, args)
    count = client.export_tasks(
        args.path, workers=args.workers, progress=common.progress(args),
        limited_response=args.limited_response or None, **_task_filters(args),
    )  # fmt: skip
    emit(out, {"path": os.path.abspath(args.path), "count": count})
    return 0


def _need_ids(args: argparse.Namespace) -> None:
    if not args.task_ids and not args.from_file:
        raise UsageError("give TASK_ID arguments, or --from-file")


def _tasks_cancel(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    # A list, not a stream: the progress bar then knows its total.
    ids: List[str] = list(args.task_ids)
    if args.from_file:
        ids.extend(common.read_lines(args.from_file))
    result = client.cancel_tasks(
        ids, clear_unique_id=args.clear_unique_id, concurrency=args.concurrency,
        progress=common.progress(args), journal=args.journal,
    )  # fmt: skip

    def failure_text(failure: Any) -> str:
        if isinstance(failure.error, ScaleResourceNotFound):
            return f"ScaleResourceNotFound (404): task {failure.item!r} not found"
        return common.describe(failure.error)

    return emit_bulk(out, result, lambda task: {"task_id": task.id, "status": task.as_dict().get("status")},
                     failure_text)


def _tasks_wait(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    try:
        tasks = list(client.wait_for_tasks(args.task_ids, timeout=args.timeout, poll=args.poll))
    except ScaleResourceNotFound:
        for task_id in args.task_ids:  # which one? (only on this error path)
            with named("task", task_id):
                client.get_task(task_id)
        raise
    for task in tasks:
        emit_line(out, {"task_id": task.id, "status": task.as_dict().get("status")})
    return 0


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (--project or --batch is required)")
    group.add_argument("--project", type=common.non_empty, help="tasks of this project (it must exist)")
    group.add_argument("--batch", type=common.non_empty, help="tasks of this batch (it must exist)")
    group.add_argument("--status", type=common.choice("task status", TASK_STATUSES),
                       help="one of: " + ", ".join(TASK_STATUSES))
    group.add_argument("--type", metavar="TASK_TYPE", type=common.choice("task type", TASK_TYPES),
                       help="task type, e.g. imageannotation")
    group.add_argument("--review-status", metavar="STATUS[,STATUS]",
                       type=common.choices("review status", REVIEW_STATUSES),
                       help="customer review status, comma-separated for several: "
                       + ", ".join(REVIEW_STATUSES))
    group.add_argument("--unique-id", action="append", metavar="ID", help="this unique_id (repeatable)")
    group.add_argument("--tag", action="append", metavar="TAG", help="has this tag (repeatable: every tag)")
    for name in ("created", "completed", "updated"):
        group.add_argument(f"--{name}-after", metavar="TIME", type=common.iso_time,
                           help=f"{name} at or after this ISO-8601 time (e.g. 2024-05-01T12:00:00Z)")
        group.add_argument(f"--{name}-before", metavar="TIME", type=common.iso_time,
                           help=f"{name} before this ISO-8601 time")


def add_bulk(
    parser: argparse.ArgumentParser, journal_help: str = "record progress there; rerun to resume"
) -> None:
    """``--concurrency``, ``--journal`` and the progress flags of a bulk command."""
    parser.add_argument("--concurrency", type=common.at_least_one, default=C.DEFAULT_CONCURRENCY,
                        metavar="N", help=f"calls in parallel (default {C.DEFAULT_CONCURRENCY})")
    parser.add_argument("--journal", metavar="PATH", help=journal_help)
    _add_progress(parser)


def _add_progress(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--progress", dest="progress", action="store_true", default=None,
                        help="show a progress bar on stderr (default: when stderr is a terminal)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="never show one")


def _command(sub: Any, name: str, text: str, *examples: str) -> Any:
    parser = sub.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".",
                            epilog=_examples(*examples), formatter_class=_RAW)
    parser.set_defaults(command_parser=parser)
    return parser


def _group(groups: Any, name: str, commands: str) -> Any:
    """A group of commands (``tasks``, ...); returns what its commands are added to."""
    group = groups.add_parser(name, help=commands, description=f"Work with {name}: {commands}.")
    return group.add_subparsers(dest="command", metavar="COMMAND", required=True)


def _tasks_parser(groups: Any) -> None:
    sub = _group(groups, "tasks", "get, list, count, export, create, cancel, wait")

    get = _command(sub, "get", "print tasks by id (one: a JSON document; several: JSON Lines)",
                   "scaleapi tasks get 5f127f6f26831d0010e985e5")
    get.add_argument("task_ids", nargs="+", metavar="TASK_ID", help="a task id")
    get.set_defaults(handler=_tasks_get)

    listing = _command(sub, "list", "print matching tasks as JSON Lines, newest first",
                       "scaleapi tasks list --project kittens --status completed",
                       "scaleapi tasks list --batch kittens-1 --limit 10 --limited-response")
    _add_filters(listing)
    listing.add_argument("--limit", type=common.at_least_one, metavar="N", help="stop after N tasks")
    listing.add_argument("--limited-response", action="store_true",
                         help="only task_id, status, metadata and project of each task")
    listing.set_defaults(handler=_tasks_list, validate=_need_scope)

    count = _command(sub, "count", 'count matching tasks: {"count": N}',
                     "scaleapi tasks count --project kittens --status pending")
    _add_filters(count)
    count.set_defaults(handler=_tasks_count, validate=_need_scope)

    export = _command(sub, "export", "write matching tasks to a JSON Lines file, in parallel",
                      "scaleapi tasks export kittens.jsonl --project kittens --workers 8",
                      "scaleapi tasks export kittens.jsonl --project kittens --force   # replace it")
    export.add_argument("path", metavar="PATH",
                        help="the output file; an interrupted export resumes when rerun")
    _add_filters(export)
    export.add_argument("--force", action="store_true", help="replace PATH when it is a finished export")
    export.add_argument("--workers", type=common.at_least_one, default=C.DEFAULT_EXPORT_WORKERS,
                        metavar="N", help=f"parallel workers (default {C.DEFAULT_EXPORT_WORKERS})")
    export.add_argument("--limited-response", action="store_true",
                        help="only task_id, status, metadata and project of each task")
    _add_progress(export)
    export.set_defaults(handler=_tasks_export, validate=_finished_export)

    add_create_parser(sub, add_bulk)

    cancel = _command(sub, "cancel", "cancel tasks (one JSON line per task, in input order)",
                      "scaleapi tasks cancel 5f127f6f26831d0010e985e5",
                      "scaleapi tasks cancel --from-file stale-ids.txt --journal cancel.journal")
    cancel.add_argument("task_ids", nargs="*", metavar="TASK_ID", help="a task id")
    cancel.add_argument("--from-file", metavar="PATH",
                        help="read task ids from it, one per line ('-' for stdin)")
    cancel.add_argument("--clear-unique-id", action="store_true", help="also remove each task's unique_id")
    add_bulk(cancel)
    cancel.set_defaults(handler=_tasks_cancel, validate=_need_ids)

    wait = _command(sub, "wait", "wait until tasks are completed, canceled or in error",
                    "scaleapi tasks wait 5f127f6f26831d0010e985e5 --timeout 60")
    wait.add_argument("task_ids", nargs="+", metavar="TASK_ID", help="a task id")
    wait.add_argument("--timeout", type=common.seconds, default=C.DEFAULT_WAIT_TIMEOUT,
                      metavar="SECONDS", help=f"give up after this long (default {C.DEFAULT_WAIT_TIMEOUT:g})")
    wait.add_argument("--poll", type=common.seconds, default=C.DEFAULT_POLL_INTERVAL, metavar="SECONDS",
                      help=f"first pause between polls; it grows (default {C.DEFAULT_POLL_INTERVAL:g})")
    wait.set_defaults(handler=_tasks_wait)


# -- batches and projects ----------------------------------------------------------------------


def _batches_list(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    if args.project:
        with named("project", args.project):
            client.get_project(args.project)
    for batch in client.get_batches(project_name=args.project, batch_status=args.status,
                                    created_after=args.created_after, created_before=args.created_before):
        emit_line(out, batch.as_dict())
    return 0


def _show(kind: str, call: Callable[[ScaleClient, str], Any]) -> Handler:
    """A handler printing what ``call(client, args.name)`` returns; a 404 names the ``kind``."""

    def handler(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
        with named(kind, args.name):
            found = call(client, args.name)
        emit(out, found.as_dict() if hasattr(found, "as_dict") else found)
        return 0

    return handler


def _batches_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    with named("project", args.project):
        batch = client.create_batch(
            args.project, args.name, callback=args.callback or "", calibration_batch=args.calibration,
            self_label_batch=args.self_label, metadata=args.metadata,
        )  # fmt: skip
    emit(out, batch.as_dict())
    return 0


def _projects_list(client: ScaleClient, _args: argparse.Namespace, out: TextIO) -> int:
    for project in client.get_projects():
        emit_line(out, project.as_dict())
    return 0


def _projects_create(client: ScaleClient, args: argparse.Namespace, out: TextIO) -> int:
    project = client.create_project(args.name, args.type, params=args.params, rapid=args.rapid,
                                    studio=args.studio)
    emit(out, project.as_dict())
    return 0


def _batches_parser(groups: Any) -> None:
    sub = _group(groups, "batches", "list, get, status, create, finalize")

    listing = _command(sub, "list", "print batches as JSON Lines, newest first",
                       "scaleapi batches list --project kittens --status in_progress")
    listing.add_argument("--project", type=common.non_empty, help="batches of this project (it must exist)")
    listing.add_argument("--status", type=common.choice("batch status", BATCH_STATUSES),
                         help="one of: " + ", ".join(BATCH_STATUSES))
    listing.add_argument("--created-after", metavar="TIME", type=common.iso_time,
                         help="created at or after this ISO-8601 time")
    listing.add_argument("--created-before", metavar="TIME", type=common.iso_time,
                         help="created before this ISO-8601 time")
    listing.set_defaults(handler=_batches_list)

    for name, handler, text in (
        ("get", _show("batch", ScaleClient.get_batch), "print a batch"),
        ("status", _show("batch", ScaleClient.batch_status), "print a batch's status and task counts"),
        ("finalize", _show("batch", ScaleClient.finalize_batch), "finalize a batch (send its tasks to work)"),
    ):
        command = _command(sub, name, text, f"scaleapi batches {name} kittens-1")
        command.add_argument("name", metavar="NAME", help="the batch's name")
        command.set_defaults(handler=handler)

    create = _command(sub, "create", "create a batch",
                      "scaleapi batches create kittens-1 --project kittens",
                      "scaleapi batches create kittens-2 --project kittens --metadata '{\"week\": 7}'")
    create.add_argument("name", metavar="NAME", type=common.non_empty, help="the new batch's name")
    create.add_argument("--project", required=True, type=common.non_empty, help="the project it belongs to")
    create.add_argument("--callback", metavar="URL", help="URL or email notified when the batch completes")
    create.add_argument("--metadata", type=common.json_object, metavar="JSON", help="a JSON object")
    create.add_argument("--calibration", action="store_true", help="a calibration batch (Rapid projects)")
    create.add_argument("--self-label", action="store_true", help="a self-label batch (Rapid projects)")
    create.set_defaults(handler=_batches_create)


def _projects_parser(groups: Any) -> None:
    sub = _group(groups, "projects", "list, get, create")

    listing = _command(sub, "list", "print projects as JSON Lines", "scaleapi projects list")
    listing.set_defaults(handler=_projects_list)

    get = _command(sub, "get", "print a project", "scaleapi projects get kittens")
    get.add_argument("name", metavar="NAME", help="the project's name")
    get.set_defaults(handler=_show("project", ScaleClient.get_project))

    create = _command(sub, "create", "create a project",
                      "scaleapi projects create kittens --type imageannotation",
                      "scaleapi projects create kittens --type imageannotation "
                      "--params '{\"instruction\": \"Box every cat\"}'")
    create.add_argument("name", metavar="NAME", type=common.non_empty, help="the new project's name")
    create.add_argument("--type", required=True, metavar="TASK_TYPE",
                        type=common.choice("task type", TASK_TYPES),
                        help="the task type of its tasks, e.g. imageannotation")
    create.add_argument("--params", type=common.json_object, metavar="JSON",
                        help="default task parameters, a JSON object")
    create.add_argument("--rapid", action="store_true", help="a Rapid project")
    create.add_argument("--studio", action="store_true", help="a Studio project")
    create.set_defaults(handler=_projects_create)


def add_groups(groups: Any) -> None:
    """The ``tasks``, ``batches`` and ``projects`` groups of commands."""
    _tasks_parser(groups)
    _batches_parser(groups)
    _projects_parser(groups)
