"""The ``scaleapi`` command line (also ``python -m scaleapi``).

The key comes from ``--api-key`` or ``SCALE_API_KEY``, the base URL from ``--base-url`` or
``SCALE_API_BASE_URL`` (default: the public API). Results go to stdout as JSON: one document, or JSON
Lines (one object per line) for listings and bulk runs. Messages go to stderr, one line each, with
the exit statuses listed in ``EPILOG``; the key is never printed. The commands themselves live in
``scaleapi._cli``; docs/cli.md describes them all.
"""
import argparse
import os
import socket
import sys
import urllib.parse
from typing import List, Optional, Sequence

import requests

from . import _constants as C
from ._cli.commands import add_groups
from ._cli.common import (
    EXIT_CLOSED_PIPE, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, PROG, Handler,
    NotFound, Refused, UsageError, describe,
)  # fmt: skip
from ._cli.create import EXIT_BAD_INPUT
from ._hints import EMULATOR_INSTALL_HINT
from ._net import is_loopback_host
from ._retry import check_budget
from ._version import __compatible_official_version__, __version__
from .api import transport_reason
from .client import ScaleClient
from .exceptions import ScaleException, ScaleTransportError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_BAD_INPUT", "EXIT_NOT_FOUND",
           "EXIT_INTERRUPTED", "EXIT_CLOSED_PIPE"]

#: What ``scaleapi --version`` prints: the official client has the same name (and version number).
VERSION_TEXT = (f"{PROG} {__version__} (this SDK, with emulator; compatible with the official "
                f"scaleapi {__compatible_official_version__} client)")

EPILOG = f"""\
The key: prefer the environment variable to --api-key, which other users can
see in the process list (ps). Results go to stdout as JSON (JSON Lines for
listings and bulk runs); messages and progress bars go to stderr.

examples:
  export {C.ENV_API_KEY}=test_...                     # test mode: tasks complete at once
  scaleapi emulator --port 8080 &                      # a local emulator (the emulator extra)
  export {C.ENV_BASE_URL}=http://127.0.0.1:8080/v1
  scaleapi projects create kittens --type imageannotation
  scaleapi tasks create imageannotation --file payloads.jsonl
  scaleapi tasks list --project kittens --status completed | head -5
  scaleapi tasks export kittens.jsonl --project kittens
  scaleapi tasks cancel --from-file stale-ids.txt --journal cancel.journal
  scaleapi tasks create --help                         # every command has its own help

exit status:
  {EXIT_OK}    done
  {EXIT_FAILED}    an error from the API or the network; a bulk run in which an item failed
  {EXIT_USAGE}    a usage error (a bad flag or value, no key, an unusable payload file,
       a finished export in the way): nothing was sent
  {EXIT_NOT_FOUND}    the task, batch or project named does not exist
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_CLOSED_PIPE}  stdout was closed early (e.g. by "| head -1"); nothing is printed
"""


def _budget_arg(text: str) -> float:
    try:
        return check_budget(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds, 0 or more: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``scaleapi`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="The Scale AI v1 API from the command line.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=VERSION_TEXT,
                        help="say which SDK this is, and its version")
    parser.add_argument("--api-key", metavar="KEY",
                        help=f"the API key (default: ${C.ENV_API_KEY}; prefer the variable, as a flag "
                        "shows in the process list)")
    parser.add_argument("--base-url", metavar="URL",
                        help=f"the API's base URL, ending in /v1 (default: ${C.ENV_BASE_URL}, "
                        f"else {C.DEFAULT_BASE_URL})")
    parser.add_argument(
        "--retry-budget", type=_budget_arg, metavar="SECONDS",
        help="how long bulk commands, exports, waits and listings go on retrying through server "
        f"trouble (default {C.DEFAULT_RETRY_BUDGET:g})",
    )  # fmt: skip
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    emulator = groups.add_parser("emulator", help="run the local emulator (see: scaleapi emulator --help)",
                                 add_help=False)
    emulator.add_argument("emulator_args", nargs=argparse.REMAINDER)
    add_groups(groups)
    return parser


def _run_emulator(argv: List[str]) -> int:
    try:
        from .emulator.__main__ import main as emulator_main  # pylint: disable=import-outside-toplevel
    except ImportError as err:
        print(f"{PROG}: error: the emulator needs the 'emulator' extra; from a checkout of this SDK run: "
              f"{EMULATOR_INSTALL_HINT} ({err})", file=sys.stderr)
        return 1
    return int(emulator_main(argv, prog=f"{PROG} emulator") or 0)


def _refused_at(base_url: str) -> Optional[str]:
    """Why nothing answers at a loopback base URL, from one TCP connect; None when something may.

    A refused connection to this machine means nothing listens there (the emulator is not running,
    or runs on another port), which retrying will not change; the CLI says so at once rather than
    after the retries' backoff. Other hosts, and URLs reached through a proxy, are left to the
    request itself.
    """
    parts = urllib.parse.urlsplit(base_url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if not parts.hostname or not is_loopback_host(parts.hostname):
        return None
    if requests.utils.get_environ_proxies(base_url):
        return None
    try:
        socket.create_connection((parts.hostname, port), timeout=C.DEFAULT_CONNECT_TIMEOUT).close()
    except ConnectionRefusedError:
        return (f"connection refused: nothing is listening on port {port} (to start the emulator there: "
                f"{PROG} emulator --port {port})")
    except OSError:
        return None
    return None


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush cannot fail on a closed pipe."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def _error(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def _dispatch(args: argparse.Namespace) -> int:
    if args.group == "emulator":
        return _run_emulator(args.emulator_args)
    validate = getattr(args, "validate", None)
    if validate is not None:
        validate(args)
    key = args.api_key or os.environ.get(C.ENV_API_KEY)
    if not key:
        return _error(f"no API key: set {C.ENV_API_KEY} (or pass --api-key)", EXIT_USAGE)
    base_url = (args.base_url or os.environ.get(C.ENV_BASE_URL) or C.DEFAULT_BASE_URL).rstrip("/")
    refused = _refused_at(base_url)
    if refused is not None:
        return _error(f"cannot reach {base_url}: {refused}", EXIT_FAILED)
    handler: Handler = args.handler
    client = ScaleClient(key, source="cli", api_instance_url=base_url, retry_budget=args.retry_budget)
    try:
        try:
            status = handler(client, args, sys.stdout)
            sys.stdout.flush()
            return status
        except ScaleTransportError as err:
            return _error(f"cannot reach {base_url}: {transport_reason(err)}", EXIT_FAILED)
    finally:
        client.close()


def _run(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, as other commands do.
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as err:
        args.command_parser.error(str(err))  # exits with status 2, after the command's usage
        raise
    except Refused as err:
        return _error(str(err), EXIT_USAGE)
    except NotFound as err:
        return _error(str(err), EXIT_NOT_FOUND)
    except ScaleException as err:
        return _error(describe(err), EXIT_FAILED)
    except (ValueError, OSError) as err:
        return _error(str(err), EXIT_FAILED)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``scaleapi`` command; returns the exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        # Everything after "emulator" belongs to the emulator's own parser (including --help).
        return _run_emulator(arguments[1:])
    try:
        return _run(build_parser().parse_args(arguments))
    except SystemExit as done:  # argparse: --help, --version, or a usage error (status 2)
        return done.code if isinstance(done.code, int) else (EXIT_OK if done.code is None else EXIT_USAGE)
