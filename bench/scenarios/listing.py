"""Scenario 1: list every task of a project with ``get_tasks``, over HTTP and over HTTPS.

Three clients walk the same listing against the same emulator: our SDK, a bare ``requests.Session``
loop that only decodes the JSON (the client-side limit: no SDK could do less work), and the
existing client. Each round runs ours and raw in one child process (alternating walks) and the
existing client in another; the rounds interleave so drifting machine load hits all three alike.

HTTPS is measured twice: with a CA file holding only the bench CA (the target's figure; it errs in
the existing client's favour) and with certifi's bundle plus the bench CA, as a client reads it
when ``REQUESTS_CA_BUNDLE`` names a system bundle.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..context import BenchContext
from ..emulators import BENCH_KEY, EmulatorProcess
from ..procs import ChildFailed, run_driver
from ..results import (
    Check, ScenarioResult, Table, at_least, at_most, fmt, fmt_ratio, median, ratio,
)

PROJECT = "bench-listing"
CLIENTS = ("ours", "raw", "existing")
LABELS = {"ours": "ours", "raw": "raw requests.Session", "existing": "existing 2.15.1"}
RUN_TIMEOUT = 900.0


@dataclass(frozen=True)
class Transport:
    """How the clients reach the emulator."""

    label: str
    cafile: Optional[str]  # None: plain HTTP
    checks: Tuple[str, ...]  # the targets checked on this row: "raw", "existing"


def _walk_times(
    ctx: BenchContext, emu: EmulatorProcess, transport: Transport
) -> Tuple[Dict[str, List[float]], Dict[str, str]]:
    """Seconds per full walk for each client, and the error of each client that failed.

    Every round runs one child for ours and raw (two walks each, in A B B A order, same interpreter)
    and one child for the existing client (one walk: it is the slow one and varies least).
    """
    times: Dict[str, List[float]] = {client: [] for client in CLIENTS}
    broken: Dict[str, str] = {}
    base = {
        "op": "list", "url": emu.url, "key": BENCH_KEY, "project": PROJECT, "verify": transport.cafile,
        "expected": ctx.profile.list_tasks,
    }
    groups = (
        (("ours", "raw"), dict(base, client="ours", clients=["ours", "raw"], repeats=2)),
        (("existing",), dict(base, client="existing", repeats=1)),
    )
    repeats = ctx.profile.list_repeats
    for rep in range(repeats):
        for names, job in groups:
            python = ctx.python_for(names[0])
            if python is None or names[0] in broken:
                continue
            try:
                answer = run_driver(python, job, names[0] != "existing", RUN_TIMEOUT, transport.cafile)
            except ChildFailed as err:
                broken.update({name: str(err) for name in names})
                ctx.log(f"listing {transport.label} {'+'.join(names)}: FAILED {err}")
                continue
            walked: Dict[str, List[float]] = answer["times"]
            for name in names:
                times[name].extend(walked[name])
            shown = ", ".join(f"{name} {min(walked[name]):.3f} s" for name in names)
            ctx.log(f"listing {transport.label} round {rep + 1}/{repeats}: {shown}")
    for client in broken:
        times[client] = []  # a client that failed once is not reported at all
    return times, broken


def _checks(transport: Transport, med: Dict[str, Optional[float]]) -> List[Check]:
    found = []
    if "raw" in transport.checks:
        ours_raw = ratio(med["ours"], med["raw"])
        found.append(Check(
            f"Listing over {transport.label}: ours / raw session", ours_raw, "≤ 1.05",
            at_most(ours_raw, 1.05), f"{fmt(med['ours'], 3)} s vs {fmt(med['raw'], 3)} s",
        ))
    if "existing" in transport.checks:
        existing_ours = ratio(med["existing"], med["ours"])
        found.append(Check(
            f"Listing over {transport.label}: existing / ours", existing_ours, "≥ 3.0",
            at_least(existing_ours, 3.0), f"{fmt(med['existing'], 3)} s vs {fmt(med['ours'], 3)} s",
        ))
    return found


def _transports(ctx: BenchContext) -> List[Tuple[Transport, bool]]:
    """Each transport, and whether it needs the HTTPS emulator."""
    found = [(Transport("HTTP", None, ()), False)]
    if ctx.tls is not None:
        found.append((Transport("HTTPS", ctx.tls.cafile, ("raw", "existing")), True))
        found.append((Transport("HTTPS, 120-certificate CA bundle", ctx.tls.bundle, ("existing",)), True))
    return found


def run(ctx: BenchContext) -> ScenarioResult:
    """Time the listing for each client and transport; check the HTTPS ratios."""
    count = ctx.profile.list_tasks
    result = ScenarioResult("listing", f"1. Listing {count:,} tasks with get_tasks")
    table = Table(
        f"Median seconds to list {count:,} tasks (ours and raw: {2 * ctx.profile.list_repeats} walks "
        f"each, existing: {ctx.profile.list_repeats})",
        ["transport", "ours", "raw session", "existing", "ours / raw", "existing / ours", "ours tasks/s"],
    )
    if ctx.tls is None:
        result.notes.append(f"HTTPS skipped: {ctx.tls_note}")
    for https in (False, True):
        chosen = [transport for transport, needs_tls in _transports(ctx) if needs_tls == https]
        if not chosen:
            continue
        with EmulatorProcess(seeds={PROJECT: count}, tls=ctx.tls if https else None) as emu:
            for transport in chosen:
                times, broken = _walk_times(ctx, emu, transport)
                med: Dict[str, Optional[float]] = {client: median(times[client]) for client in CLIENTS}
                table.rows.append([
                    transport.label, fmt(med["ours"], 3), fmt(med["raw"], 3), fmt(med["existing"], 3),
                    fmt_ratio(ratio(med["ours"], med["raw"])), fmt_ratio(ratio(med["existing"], med["ours"])),
                    fmt(ratio(count, med["ours"]), 0),
                ])
                result.data[transport.label] = {"times": times, "medians": med}
                for client, message in broken.items():
                    result.notes.append(f"{transport.label}: {LABELS[client]} failed: {message}")
                result.checks.extend(_checks(transport, med))
    result.tables.append(table)
    result.notes.append(
        "Row HTTPS trusts a CA file holding the bench CA alone, which is nearly free to load: it stands "
        "in for the default trust store and errs in the existing client's favour. The existing client "
        "opens a connection per request and re-reads its CA file each time; the last row gives it "
        "certifi's bundle plus the bench CA, as when REQUESTS_CA_BUNDLE names a system bundle. On "
        "loopback a new connection costs no round trips; on a real network it costs one or two more."
    )
    if ctx.existing is None:
        result.notes.append(f"Existing client not measured: {ctx.existing_note}")
    return result
