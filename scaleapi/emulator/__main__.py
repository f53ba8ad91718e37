"""``python -m scaleapi.emulator``: run the emulator until interrupted.

Every flag is checked before anything starts. A bad value, or a start-up failure it causes (a busy
port, a database another emulator holds, a certificate that does not load), ends the process with
one line on stderr and exit status 2, never a traceback and never a quietly different value.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import re
import sys
from typing import TYPE_CHECKING, Any, Dict, List, NoReturn, Optional, Sequence

from .._hints import EMULATOR_INSTALL_HINT
from .rules.identity import is_test_key

if TYPE_CHECKING:  # pragma: no cover
    from .facade import Emulator

PROG = "python -m scaleapi.emulator"

#: Largest ``--latency-ms`` (one hour).
MAX_LATENCY_MS = 3_600_000.0
#: Largest ``--complete-after`` in seconds (about 31 years; the policy needs it in milliseconds).
MAX_COMPLETE_AFTER = 1e9
#: Largest ``--max-body-bytes``.
MAX_BODY_BYTES = 2**62

#: The keys the start-up lines suggest (any ``test_``/``live_`` key works unless keys are pinned).
EXAMPLE_TEST_KEY = "test_emulator_key"
EXAMPLE_LIVE_KEY = "live_emulator_key"

_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\Z")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument on one line (no usage block) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


def _number(text: str, what: str, maximum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise argparse.ArgumentTypeError(f"{what} must be between 0 and {maximum:g}, not {text!r}")
    return value


def _integer(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high}, not {text!r}")
    return value


def port_arg(text: str) -> int:
    """A TCP port, 0 (pick a free one) to 65535."""
    return _integer(text, "the port", 0, 65535)


def latency_arg(text: str) -> float:
    """Milliseconds of added latency."""
    return _number(text, "the latency", MAX_LATENCY_MS)


def complete_after_arg(text: str) -> float:
    """Seconds after which live tasks complete."""
    return _number(text, "the delay", MAX_COMPLETE_AFTER)


def body_bytes_arg(text: str) -> int:
    """A body size limit in bytes."""
    return _integer(text, "the limit", 1, MAX_BODY_BYTES)


def _token(text: str, what: str, forbidden: str = "") -> str:
    if not text:
        raise argparse.ArgumentTypeError(f"{what} must not be empty")
    if any(ch.isspace() or not ch.isprintable() or ch in forbidden for ch in text):
        extra = f", nor {forbidden!r}" if forbidden else ""
        raise argparse.ArgumentTypeError(f"{what} must not contain spaces or control characters{extra}")
    return text


def api_key_arg(text: str) -> str:
    """A key to pin (HTTP Basic username: no ':')."""
    return _token(text, "an API key", ":")


def callback_key_arg(text: str) -> str:
    """The scale-callback-auth header value: printable ASCII."""
    if not text.isascii():
        raise argparse.ArgumentTypeError("the callback auth key must be ASCII (it is sent in a header)")
    return _token(text, "the callback auth key")


def bind_host_arg(text: str) -> str:
    """An interface to bind: not empty (which would mean every interface)."""
    return _token(text, "the host")


def callback_host_arg(text: str) -> str:
    """A host name or IP literal, without scheme, port or path."""
    import ipaddress  # pylint: disable=import-outside-toplevel

    try:
        ipaddress.ip_address(text.strip("[]") if text.startswith("[") else text)
        return text
    except ValueError:
        pass
    labels = (text[:-1] if text.endswith(".") else text).split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a host name or IP address (give the host alone: no scheme, port or path)"
        )
    return text


def readable_file_arg(text: str) -> str:
    """An existing, readable regular file."""
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"{text} does not exist or is not a file")
    if not os.access(text, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text} is not readable")
    return text


def db_arg(text: str) -> str:
    """A database file path whose directory exists and is writable."""
    from .storage.db import path_problem  # pylint: disable=import-outside-toplevel

    problem = path_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def fault_arg(text: str) -> Dict[str, Any]:
    """A fault rule as a JSON object, checked by building the rule."""
    from .http.faults import FaultRule  # pylint: disable=import-outside-toplevel

    try:
        spec = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON: {err}") from None
    try:
        FaultRule.from_dict(spec)
    # The rule's own checks live in http/faults.py; whatever they raise means the rule is unusable.
    except Exception as err:  # pylint: disable=broad-exception-caught
        raise argparse.ArgumentTypeError(str(err) or type(err).__name__) from None
    result: Dict[str, Any] = spec
    return result


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The command-line options."""
    parser = _Parser(prog=prog, description="Run a local emulator of the Scale v1 API.")
    add = parser.add_argument
    add("--host", type=bind_host_arg, default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    add("--port", type=port_arg, default=8080, help="port, 0-65535 (0 picks a free one; default 8080)")
    add("--db", metavar="PATH", type=db_arg,
        help="SQLite file to persist to (default: in memory); one emulator per file")
    add("--certfile", type=readable_file_arg, help="TLS certificate chain (PEM); serve HTTPS")
    add("--keyfile", type=readable_file_arg, help="TLS private key (PEM)")
    add("--latency-ms", type=latency_arg, default=0.0, metavar="N",
        help=f"delay added to every v1 request, 0-{MAX_LATENCY_MS:g}")
    add("--api-key", action="append", dest="api_keys", metavar="KEY", type=api_key_arg,
        help="accept only this key (repeatable); default: any test_/live_/|test key")
    add("--complete-after", type=complete_after_arg, metavar="SECONDS",
        help="complete live-mode tasks this many seconds after creation")
    add("--callback-auth-key", type=callback_key_arg,
        help="value of the scale-callback-auth header (default: generated)")
    add("--allow-callback-host", action="append", default=[], metavar="HOST", type=callback_host_arg,
        help="also deliver callbacks to this non-loopback host (repeatable)")
    add("--max-body-bytes", type=body_bytes_arg, default=None, metavar="N", help="largest JSON body accepted")
    add("--fault", action="append", default=[], metavar="JSON", type=fault_arg,
        help='inject a fault (repeatable), e.g. \'{"method": "POST", "path": "/v1/task/*", '
        '"action": "error_after", "status": 500, "count": 3}\'; see docs/emulator.md')
    return parser


def _tls_problem(certfile: Optional[str], keyfile: Optional[str]) -> Optional[str]:
    if (certfile is None) != (keyfile is None):
        return "--certfile and --keyfile must be given together"
    if certfile is None or keyfile is None:
        return None
    import ssl  # pylint: disable=import-outside-toplevel

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(certfile, keyfile)
    except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
        return f"--certfile/--keyfile: cannot load the certificate and key: {err}"
    return None


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _live_mode(complete_after: Optional[float]) -> str:
    if complete_after is None:
        return "tasks stay pending until POST /_emulator/tasks/ID/complete or --complete-after completes them"
    return (
        "tasks stay pending until POST /_emulator/tasks/ID/complete, "
        f"or {complete_after:g} s after creation"
    )


def banner(emulator: "Emulator", pinned: Optional[Sequence[str]], complete_after: Optional[float],
           db: Optional[str]) -> List[str]:
    """The start-up lines: the base URL alone first (for scripts), then how to use it.

    The ``export`` lines paste into a POSIX shell as they are (the mode lines are shell comments).
    Pinned keys are counted, never printed.
    """
    url = emulator.url
    test_mode = "tasks complete at creation with a synthetic response"
    lines = [url, "Scale API emulator. Paste one block into a shell to point the SDK or the scaleapi CLI"
                  " at it:"]
    if pinned:
        keys = set(pinned)
        tests = sum(1 for key in keys if is_test_key(key))
        lines += [
            f"  # with one of the {len(keys)} keys given with --api-key ({tests} of them test mode)",
            f"  export SCALE_API_BASE_URL={url}",
            "  export SCALE_API_KEY=KEY",
            f"  # test mode (keys starting with test_ or ending in |test): {test_mode}",
            f"  # live mode (any other key): {_live_mode(complete_after)}",
        ]
    else:
        for key, mode in ((EXAMPLE_TEST_KEY, f"test mode: {test_mode}"),
                          (EXAMPLE_LIVE_KEY, f"live mode: {_live_mode(complete_after)}")):
            lines += [f"  # {mode}", f"  export SCALE_API_BASE_URL={url}", f"  export SCALE_API_KEY={key}"]
        lines.append("  # any key starting with test_ or live_ works; each key is its own account")
    return lines + [
        f"  control API:        {emulator.base}/_emulator/health",
        f"  console:            {emulator.base}/_emulator/console/",
        f"  callback auth key:  {emulator.callback_auth_key}",
        f"  database:           {db or 'in memory'}",
        "  press Ctrl-C to stop",
    ]


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    import ipaddress  # pylint: disable=import-outside-toplevel

    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> Optional[str]:
    """The start-up warning for a ``--host`` other than loopback (None on loopback)."""
    if is_loopback_host(host):
        return None
    return (f"warning: --host {host} is not a loopback address: the control API and the console have no "
            f"authentication, so anyone who can reach this address can read and drive this emulator")


def main(argv: Optional[Sequence[str]] = None, prog: str = PROG) -> int:
    """Parse arguments, print the base URL and serve until Ctrl-C. Returns the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        prog: the program name used in messages.
    """
    try:
        args = build_parser(prog).parse_args(list(argv) if argv is not None else None)
    except SystemExit as done:  # --help, or a bad argument (already reported on one line)
        return int(done.code or 0)
    problem = _tls_problem(args.certfile, args.keyfile)
    if problem is not None:
        return _fail(prog, problem)
    try:
        from .facade import Emulator  # pylint: disable=import-outside-toplevel
    except ImportError as err:  # pragma: no cover - depends on the installed extras
        return _fail(prog, f"the emulator needs werkzeug; from a checkout of this SDK run: "
                           f"{EMULATOR_INSTALL_HINT} ({err})")
    extra = {} if args.max_body_bytes is None else {"max_body_bytes": args.max_body_bytes}
    emulator = Emulator(
        host=args.host, port=args.port, db=args.db, api_keys=args.api_keys, certfile=args.certfile,
        keyfile=args.keyfile, latency_ms=args.latency_ms, complete_after=args.complete_after,
        callback_auth_key=args.callback_auth_key, allow_callback_hosts=args.allow_callback_host, **extra,
    )
    # werkzeug prints a bind failure on stderr itself, over several lines: keep its words for the
    # one line we print.
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            emulator.start()
    except OSError as err:  # a busy port, a host that cannot be bound, an unusable database
        reason = captured.getvalue().strip().splitlines()[:1]
        return _fail(prog, f"{err}: {reason[0]}" if reason else str(err))
    sys.stderr.write(captured.getvalue())
    warning = exposure_warning(args.host)
    if warning is not None:
        print(f"{prog}: {warning}", file=sys.stderr)
    for spec in args.fault:
        emulator.add_fault(**spec)
    print("\n".join(banner(emulator, args.api_keys, args.complete_after, args.db)), flush=True)
    emulator.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
