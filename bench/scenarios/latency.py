"""Scenario 6: listing and creating through a network that has latency (the delay proxy).

The HTTPS emulator sits behind ``bench/latency_proxy.py`` (10 ms each way by default: a 20 ms round
trip), so every TCP connection, TLS handshake and request pays real round trips. Three clients list
a project and create tasks one by one through it: ours (keep-alive), the existing client 2.15.1 (a
new connection and TLS handshake per request) and a bare ``requests.Session`` loop (keep-alive, the
wire's own cost). Each measurement is a fresh child process; the clients take turns every round.
"""
import json
import subprocess
import sys
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlsplit, urlunsplit

from ..context import BenchContext
from ..emulators import BENCH_KEY, EmulatorProcess, _read_line  # pylint: disable=protected-access
from ..procs import DRIVERS_DIR, REPO_ROOT, ChildFailed, child_env, run_json
from ..results import Check, ScenarioResult, Table, at_least, fmt, fmt_ms, fmt_ratio, median, ratio

EXTRA_DRIVER = DRIVERS_DIR / "extra_driver.py"
LIST_PROJECT = "bench-latency-list"
CREATE_PROJECT = "bench-latency-create"
CLIENTS = ("ours", "raw", "existing")
LABELS = {"ours": "ours", "raw": "raw requests.Session", "existing": "existing 2.15.1"}
RUN_TIMEOUT = 900.0
TARGET_LISTING = 2.5


def run_extra(
    python: str, job: Dict[str, Any], ours: bool, timeout: float, cafile: Optional[str] = None
) -> Dict[str, Any]:
    """Run ``extra_driver.py`` under ``python`` (by path, like ``run_driver``)."""
    return run_json([python, str(EXTRA_DRIVER), json.dumps(job)], child_env(ours, cafile), timeout)


@contextmanager
def proxy_process(upstream_url: str, delay_ms: float) -> Iterator[str]:
    """``python -m bench.latency_proxy`` in front of ``upstream_url``; yields the URL through it."""
    parts = urlsplit(upstream_url)
    with subprocess.Popen(
        [sys.executable, "-m", "bench.latency_proxy", str(parts.port), str(delay_ms)],
        cwd=str(REPO_ROOT), env=child_env(ours=True), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        try:
            line = _read_line(proc.stdout, 30)
            if not line:
                raise RuntimeError("the latency proxy did not start")
            port = int(json.loads(line)["port"])
            yield urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _jobs(ctx: BenchContext, url: str, cafile: Optional[str], op: str, rep: int) -> List[Dict[str, Any]]:
    profile = ctx.profile
    base: Dict[str, Any] = {"url": url, "key": BENCH_KEY, "verify": cafile}
    if op == "list":
        base.update(op="list", project=LIST_PROJECT, expected=profile.latency_list_tasks)
        return [dict(base, client="ours", clients=["ours", "raw"], repeats=2),
                dict(base, client="existing", repeats=1)]
    base.update(project=CREATE_PROJECT, count=profile.latency_create_tasks)
    return [dict(base, op="create_seq" if client != "raw" else "create_raw", client=client,
                 tag=f"latency-{client}-{rep}") for client in CLIENTS]


def _measure(ctx: BenchContext, url: str, cafile: Optional[str], op: str) -> Dict[str, Dict[str, Any]]:
    """Per client: the seconds of each run and an error, for the listing or the create loop."""
    found: Dict[str, Dict[str, Any]] = {client: {"times": []} for client in CLIENTS}
    for rep in range(ctx.profile.latency_repeats):
        for job in _jobs(ctx, url, cafile, op, rep):
            names = list(job.get("clients") or [job["client"]])
            python = ctx.python_for(job["client"])
            if python is None or any("error" in found[name] for name in names):
                continue
            try:
                answer = run_extra(python, job, job["client"] != "existing", RUN_TIMEOUT, cafile)
            except ChildFailed as err:
                for name in names:
                    found[name]["error"] = str(err)
                ctx.log(f"latency {op} {'+'.join(names)}: FAILED {err}")
                continue
            times = answer["times"]
            for name in names:
                found[name]["times"].extend(times[name] if isinstance(times, dict) else times)
            shown = ", ".join(f"{name} {median(found[name]['times']) or 0:.2f} s" for name in names)
            ctx.log(f"latency {op} round {rep + 1}/{ctx.profile.latency_repeats}: {shown}")
    return found


def _row(label: str, count: int, found: Dict[str, Dict[str, Any]]) -> List[str]:
    med = {client: median(found[client]["times"]) for client in CLIENTS}
    return [
        label, f"{count:,}", fmt(med["ours"], 3), fmt(med["raw"], 3), fmt(med["existing"], 3),
        fmt_ratio(ratio(med["existing"], med["ours"])), fmt_ratio(ratio(med["ours"], med["raw"])),
        fmt_ms(None if med["ours"] is None else med["ours"] / count),
    ]


def run(ctx: BenchContext) -> ScenarioResult:
    """List and create through the proxy with each client; check the listing ratio."""
    profile = ctx.profile
    rtt = 2 * profile.latency_delay_ms
    result = ScenarioResult("latency", f"6. A network with a {rtt:.0f} ms round trip")
    cafile = ctx.tls.cafile if ctx.tls is not None else None
    seeds = {LIST_PROJECT: profile.latency_list_tasks, CREATE_PROJECT: 0}
    with EmulatorProcess(seeds=seeds, tls=ctx.tls) as emu:
        with proxy_process(emu.url, profile.latency_delay_ms) as url:
            ctx.log(f"latency: proxy {url} -> {emu.url}, {profile.latency_delay_ms:g} ms each way")
            listing = _measure(ctx, url, cafile, "list")
            creating = _measure(ctx, url, cafile, "create")
    transport = "HTTPS" if cafile else "HTTP"
    table = Table(
        f"Median seconds over {transport} through the delay proxy ({profile.latency_delay_ms:g} ms each "
        f"way); ours and raw list {2 * profile.latency_repeats} times, the rest run "
        f"{profile.latency_repeats} times",
        ["work", "tasks", "ours", "raw session", "existing 2.15.1", "existing / ours", "ours / raw",
         "ours per task"],
    )
    table.rows.append(_row("list (get_tasks, 100 per page)", profile.latency_list_tasks, listing))
    table.rows.append(_row("create one by one (create_task)", profile.latency_create_tasks, creating))
    result.tables.append(table)
    med = {client: median(listing[client]["times"]) for client in CLIENTS}
    value = ratio(med["existing"], med["ours"])
    result.checks.append(Check(
        f"Listing over a {rtt:.0f} ms round trip: existing 2.15.1 / ours", value, f"≥ {TARGET_LISTING}",
        at_least(value, TARGET_LISTING), f"{fmt(med['existing'], 2)} s vs {fmt(med['ours'], 2)} s "
        f"(raw session {fmt(med['raw'], 2)} s)",
    ))
    for label, found in (("list", listing), ("create", creating)):
        for client, entry in found.items():
            if "error" in entry:
                result.notes.append(f"{label}, {LABELS[client]}: failed: {entry['error']}")
    result.notes.append(
        "The proxy delivers every chunk a fixed time after it arrived, in both directions, and charges "
        "one round trip for each new TCP connection (the kernel accepts at once on loopback). Ours and "
        "the raw session keep their connection, so a page or a create costs about one round trip; the "
        "existing client connects anew for every request: TCP, the TLS handshake and the request, "
        "about three round trips."
    )
    if cafile is None:
        result.notes.append(f"Plain HTTP (no TLS handshakes to pay): {ctx.tls_note}")
    if ctx.existing is None:
        result.notes.append(f"Existing client not measured: {ctx.existing_note}")
    result.data = {"delay_ms": profile.latency_delay_ms, "list": listing, "create": creating}
    return result
