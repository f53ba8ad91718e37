"""What the official-client flow drivers (``official_client_flow.py``, ``official_v2_flow.py``) share.

They run under the official client's interpreter, with this folder first on ``sys.path``, so they
import this module by its bare name; it imports nothing of either ``scaleapi``.
"""
import json
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple


class Mismatch(AssertionError):
    """The call went through but the result differs from the contract."""


class Skip(Exception):
    """The step does not apply (the installed client lacks the call, or its data was not prepared)."""


def expect(condition: bool, message: str) -> None:
    """Raise :class:`Mismatch` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(message)


def run_step(results: List[Dict[str, Any]], name: str, func: Callable[[], Any],
             describe: Callable[[BaseException], Dict[str, Any]]) -> None:
    """Run one step and append its record (``ok`` with its note, ``skip`` or ``fail``) to ``results``."""
    started = time.monotonic()
    record: Dict[str, Any] = {"step": name}
    try:
        note = func()
    except Skip as exc:
        record.update(result="skip", detail=str(exc))
    except Mismatch as exc:
        record.update(result="fail", kind="mismatch", detail=str(exc))
    except Exception as exc:  # pylint: disable=broad-exception-caught  # any other one fails the step
        record.update(result="fail", kind="exception", exception=describe(exc),
                      traceback=traceback.format_exc(limit=6))
    else:
        record["result"] = "ok"
        if note:
            record["note"] = note
    record["ms"] = round((time.monotonic() - started) * 1000, 1)
    results.append(record)


def run_steps(steps: Sequence[Tuple[str, Callable[[], Any]]],
              describe: Callable[[BaseException], Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Run the ``(name, step)`` pairs in order; one record each (see :func:`run_step`)."""
    results: List[Dict[str, Any]] = []
    for name, func in steps:
        run_step(results, name, func, describe)
    return results


def finish(report: Dict[str, Any], results: List[Dict[str, Any]], path: Optional[str]) -> int:
    """Add the summary and steps to ``report``, print it (and write it to ``path``); 1 if a step failed."""
    counts = {kind: sum(1 for r in results if r["result"] == kind) for kind in ("ok", "fail", "skip")}
    report.update(summary=counts, steps=results)
    text = json.dumps(report, indent=2, sort_keys=False)
    print(text)
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return 1 if counts["fail"] else 0
