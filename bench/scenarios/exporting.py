"""Scenario 3: export a large project at 50 ms latency, sequentially and with ``export_tasks``.

Both methods write every task as one JSON line to a file: the sequential one walks ``get_tasks``
(one page in flight), the parallel one is ``export_tasks(workers=8)``. Every run is a fresh child
process, so its peak RSS growth (peak resident size during the export minus the resident size just
before it) is that export's alone. CPU seconds of both processes show what bounds the speed-up.
"""
from typing import Any, Dict, Optional

from ..context import BenchContext
from ..emulators import BENCH_KEY, EmulatorProcess
from ..procs import run_driver
from ..results import (
    Check, ScenarioResult, Table, at_least, at_most, fmt, fmt_ratio, median, ratio,
)

PROJECT = "bench-export"
RUN_TIMEOUT = 1800.0
TARGET_SPEEDUP = 6.0
TARGET_RSS_MB = 50.0
METHODS = {"sequential": "export_seq", "parallel": "export_par"}


def _measure(ctx: BenchContext) -> Dict[str, Dict[str, Any]]:
    """Per method: run times, peak RSS growths, client and emulator CPU seconds, and any error."""
    profile = ctx.profile
    runs: Dict[str, Dict[str, Any]] = {
        key: {"times": [], "rss": [], "client_cpu": [], "emulator_cpu": []} for key in METHODS
    }
    seeds = {PROJECT: profile.export_tasks}
    with EmulatorProcess(latency_ms=profile.export_latency_ms, seeds=seeds) as emu:
        ctx.log(f"export: seeded {profile.export_tasks:,} tasks in {emu.seeded(PROJECT)['seconds']:.1f} s")
        for rep in range(profile.export_repeats):
            for key, op in METHODS.items():
                entry = runs[key]
                if "error" in entry:
                    continue
                job = {
                    "op": op, "client": "ours", "url": emu.url, "key": BENCH_KEY, "project": PROJECT,
                    "expected": profile.export_tasks, "workers": profile.export_workers,
                    "out": str(ctx.workdir / f"export-{key}-{rep}.jsonl"),
                }
                measured = ctx.run_measured(entry, f"export {key}", emu.pid,
                                            run_driver, ctx.python_for("ours") or "", job, True, RUN_TIMEOUT)
                if measured is None:
                    continue
                answer, emu_cpu = measured
                entry["times"].extend(answer["times"])
                entry["rss"].append(answer["rss_growth_mb"])
                entry["client_cpu"].append(answer["cpu_run"])
                if emu_cpu is not None:
                    entry["emulator_cpu"].append(emu_cpu)
                ctx.log(f"export {key} {rep + 1}/{profile.export_repeats}: {answer['times'][0]:.2f} s, "
                        f"peak RSS +{answer['rss_growth_mb']:.1f} MB")
    return runs


def run(ctx: BenchContext) -> ScenarioResult:
    """Time both methods; check the speed-up and the memory growth of ``export_tasks``."""
    profile = ctx.profile
    count, workers, latency = profile.export_tasks, profile.export_workers, profile.export_latency_ms
    result = ScenarioResult("export", f"3. Exporting {count:,} tasks at {latency} ms latency")
    labels = {
        "sequential": "get_tasks loop, one page at a time",
        "parallel": f"export_tasks(workers={workers})",
    }
    runs = _measure(ctx)
    seconds = {key: median(entry["times"]) for key, entry in runs.items()}
    rss: Dict[str, Optional[float]] = {key: max(entry["rss"], default=None) for key, entry in runs.items()}
    table = Table(
        f"Median of {profile.export_repeats} runs; peak RSS growth is the largest seen",
        ["method", "seconds", "tasks/s", "speed-up", "peak RSS growth", "client CPU s", "emulator CPU s"],
    )
    for key, label in labels.items():
        table.rows.append([
            label, fmt(seconds[key], 2), fmt(ratio(count, seconds[key]), 0),
            fmt_ratio(ratio(seconds["sequential"], seconds[key])), fmt(rss[key], 1, " MB"),
            fmt(median(runs[key]["client_cpu"]), 1), fmt(median(runs[key]["emulator_cpu"]), 1),
        ])
        if "error" in runs[key]:
            result.notes.append(f"{label}: failed: {runs[key]['error']}")
    result.tables.append(table)
    speedup = ratio(seconds["sequential"], seconds["parallel"])
    result.checks.append(Check(
        f"Export at {latency} ms: export_tasks(workers={workers}) / sequential", speedup,
        f"≥ {TARGET_SPEEDUP:.0f}", at_least(speedup, TARGET_SPEEDUP),
        f"{fmt(seconds['sequential'], 1)} s vs {fmt(seconds['parallel'], 1)} s (ideal {workers}×)",
    ))
    result.checks.append(Check(
        f"Export peak RSS growth for {count:,} tasks (export_tasks)", rss["parallel"],
        f"≤ {TARGET_RSS_MB:.0f} MB", at_most(rss["parallel"], TARGET_RSS_MB),
        f"sequential walk: {fmt(rss['sequential'], 1)} MB", unit=" MB",
    ))
    result.data = {"seconds": seconds, "rss_mb": rss, "runs": runs}
    return result
