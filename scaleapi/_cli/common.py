"""What every command of the ``scaleapi`` command line shares: exit statuses, output, value checks."""
import argparse
import contextlib
import difflib
import json
import math
import sys
from typing import Any, Callable, Dict, Iterator, List, NoReturn, Sequence, TextIO

from ..batches import BatchStatus
from .._progress import ProgressArg
from ..bulk import BulkFailure, BulkResult
from ..client import ScaleClient
from ..exceptions import ScaleException, ScaleResourceNotFound
from ..export import parse_time_ms
from ..tasks import TaskReviewStatus, TaskStatus, TaskType

PROG = "scaleapi"

#: Exit statuses (the top-level ``--help`` and docs/cli.md list them).
EXIT_OK = 0
#: An error from the API or the network, or a bulk run in which some items failed.
EXIT_FAILED = 1
#: A usage error (a bad flag or value, no key, an unusable payload file, a finished export in the
#: way): nothing was sent. argparse uses the same status.
EXIT_USAGE = 2
#: The task, batch or project named on the command line does not exist.
EXIT_NOT_FOUND = 3
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130
#: The reader of stdout closed it early (``| head -1``): 128 + SIGPIPE, as the shell reports for
#: other commands killed that way. Nothing is printed about it.
EXIT_CLOSED_PIPE = 141

TASK_TYPES = tuple(member.value for member in TaskType)
TASK_STATUSES = tuple(member.value for member in TaskStatus)
REVIEW_STATUSES = tuple(member.value for member in TaskReviewStatus)
BATCH_STATUSES = tuple(member.value for member in BatchStatus)

Handler = Callable[[ScaleClient, argparse.Namespace, TextIO], int]


class UsageError(Exception):
    """The command line cannot be run as given; reported with the command's usage, exit status 2."""


class Refused(Exception):
    """The command will not run as given (one line on stderr, exit status 2); nothing was sent."""


class NotFound(Exception):
    """What the command line named does not exist (``task 'abc' not found``); exit status 3."""


@contextlib.contextmanager
def named(kind: str, name: str) -> Iterator[None]:
    """Turn a 404 inside the block into ``NotFound("<kind> '<name>' not found")``."""
    try:
        yield
    except ScaleResourceNotFound:
        raise NotFound(f"{kind} {name!r} not found") from None


# -- output ------------------------------------------------------------------------------------


def emit(out: TextIO, document: Any) -> None:
    """One indented JSON document."""
    out.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def emit_line(out: TextIO, document: Any) -> None:
    """One line of JSON Lines."""
    out.write(json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n")


def describe(error: BaseException) -> str:
    """``ScaleInvalidRequest (400): <the server's message>``."""
    if isinstance(error, ScaleException):
        code = f" ({error.code})" if error.code is not None else ""
        return f"{type(error).__name__}{code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def emit_bulk(
    out: TextIO,
    result: "BulkResult[Any, Any]",
    key: Callable[[Any], Dict[str, Any]],
    failure_text: Callable[["BulkFailure[Any]"], str] = lambda failure: describe(failure.error),
) -> int:
    """One line per item, in input order, then a summary on stderr; returns the exit status."""
    lines: Dict[int, Dict[str, Any]] = {}
    for index, value in zip(result.succeeded_indices, result.succeeded):
        lines[index] = {"index": index, "ok": True, **key(value)}
    for index in result.skipped:
        lines[index] = {"index": index, "ok": True, "skipped": True}
    for failure in result.failed:
        lines[failure.index] = {"index": failure.index, "ok": False, "error": failure_text(failure)}
    for index in sorted(lines):
        emit_line(out, lines[index])
    print(
        f"{PROG}: {len(result.succeeded)} succeeded ({result.resumed} from the journal), "
        f"{len(result.failed)} failed, {len(result.skipped)} skipped",
        file=sys.stderr,
    )
    return EXIT_FAILED if result.failed else EXIT_OK


def progress(args: argparse.Namespace) -> ProgressArg:
    """The progress argument of a long call: ``--progress`` True, ``--no-progress`` False, else None.

    None leaves the choice to ``scaleapi._progress.bar_wanted``, as in the library: a bar when stderr
    is a terminal (and tqdm is installed), none in pipes and logs.
    """
    wanted = getattr(args, "progress", None)
    return None if wanted is None else bool(wanted)


def read_lines(path: str) -> Iterator[str]:
    """Non-empty lines of a file (``-`` for stdin), stripped."""
    if path == "-":
        yield from (line.strip() for line in sys.stdin if line.strip())
        return
    with open(path, encoding="utf-8") as handle:
        yield from (line.strip() for line in handle if line.strip())


# -- argument types: a bad value is refused by argparse (exit 2, the flag named), before any request --


def choice(kind: str, values: Sequence[str]) -> Callable[[str], str]:
    """An argparse type accepting one of ``values`` (any case), suggesting the closest on a typo."""

    def parse(text: str) -> str:
        value = text.strip().lower()
        if value in values:
            return value
        return _refuse(kind, text, values)

    return parse


def choices(kind: str, values: Sequence[str]) -> Callable[[str], List[str]]:
    """Like ``choice``, for a comma-separated list of values."""
    one = choice(kind, values)

    def parse(text: str) -> List[str]:
        items = [item for item in text.split(",") if item.strip()]
        if not items:
            return _refuse(kind, text, values)
        return [one(item) for item in items]

    return parse


def _refuse(kind: str, text: str, values: Sequence[str]) -> NoReturn:
    close = difflib.get_close_matches(text.strip().lower(), values, n=1)
    if close:
        raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; did you mean {close[0]!r}?")
    raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; one of: {', '.join(values)}")


def at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return number


def iso_time(text: str) -> str:
    """An argparse type: an ISO-8601 date or time (passed on as given)."""
    try:
        parse_time_ms(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 date or time: {text!r} (e.g. 2024-05-01 or 2024-05-01T12:30:00Z)"
        ) from None
    return text


def json_object(text: str) -> Dict[str, Any]:
    """An argparse type: a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object ({...})")
    return value


def non_empty(text: str) -> str:
    """An argparse type: a name that is not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text
