"""``python -m scaleapi.emulator``: run the emulator until interrupted."""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional, Sequence


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m scaleapi.emulator", description="Run a local emulator of the Scale v1 API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    parser.add_argument("--db", metavar="PATH", help="SQLite file to persist to (default: in memory)")
    parser.add_argument("--certfile", help="TLS certificate chain (PEM); serve HTTPS")
    parser.add_argument("--keyfile", help="TLS private key (PEM)")
    parser.add_argument(
        "--latency-ms", type=float, default=0, metavar="N", help="delay added to every v1 request"
    )
    parser.add_argument(
        "--api-key", action="append", dest="api_keys", metavar="KEY",
        help="accept only this key (repeatable); default: any test_/live_/|test key",
    )
    parser.add_argument(
        "--complete-after", type=float, metavar="SECONDS",
        help="complete live-mode tasks this many seconds after creation",
    )
    parser.add_argument(
        "--callback-auth-key", help="value of the scale-callback-auth header (default: generated)"
    )
    parser.add_argument(
        "--allow-callback-host", action="append", default=[], metavar="HOST",
        help="also deliver callbacks to this non-loopback host (repeatable)",
    )
    parser.add_argument("--max-body-bytes", type=int, default=None, help="largest JSON body accepted")
    parser.add_argument(
        "--fault", action="append", default=[], metavar="JSON",
        help='inject a fault (repeatable), e.g. \'{"method": "POST", "path": "/v1/task/*", '
        '"action": "error_after", "status": 500, "count": 3}\'; see docs/emulator.md',
    )
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse arguments, print the base URL and serve until Ctrl-C. Returns the exit status."""
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    if (args.certfile is None) != (args.keyfile is None):
        print("error: --certfile and --keyfile must be given together", file=sys.stderr)
        return 2
    try:
        from .faults import FaultRule  # pylint: disable=import-outside-toplevel
        from .server import Emulator  # pylint: disable=import-outside-toplevel
    except ImportError as err:  # pragma: no cover - depends on the installed extras
        print(f"error: the emulator needs werkzeug: pip install 'scaleapi[emulator]' ({err})",
              file=sys.stderr)
        return 2
    extra = {} if args.max_body_bytes is None else {"max_body_bytes": args.max_body_bytes}
    emulator = Emulator(
        host=args.host, port=args.port, db=args.db, api_keys=args.api_keys, certfile=args.certfile,
        keyfile=args.keyfile, latency_ms=args.latency_ms, complete_after=args.complete_after,
        callback_auth_key=args.callback_auth_key, allow_callback_hosts=args.allow_callback_host, **extra,
    )
    try:
        faults = [json.loads(spec) for spec in args.fault]
        for spec in faults:
            FaultRule.from_dict(spec)  # refuse a bad rule before the server starts
    except ValueError as err:  # bad JSON or a bad rule
        print(f"error: --fault: {err}", file=sys.stderr)
        return 2
    try:
        emulator.start()
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for spec in faults:
        emulator.add_fault(**spec)
    lines: List[str] = [
        emulator.url,
        f"  control API:        {emulator.base}/_emulator/health",
        f"  callback auth key:  {emulator.callback_auth_key}",
        f"  database:           {args.db or 'in memory'}",
        "  press Ctrl-C to stop",
    ]
    print("\n".join(lines), flush=True)
    emulator.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
