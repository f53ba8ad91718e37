"""Scenario 2: create tasks one by one (ours, existing) and with ``create_tasks`` at concurrency N.

Run over HTTP against an emulator that adds 0 ms and then 50 ms to every request. Each measurement
is a fresh child process creating distinct image-annotation tasks; the variants take turns within
every round. Throughput is tasks per second from the median time; speed-ups are against our own
sequential ``create_task`` loop at the same latency.
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from ..context import BenchContext
from ..emulators import BENCH_KEY, EmulatorProcess
from ..procs import run_driver
from ..results import Check, ScenarioResult, Table, at_least, fmt, fmt_ratio, median, ratio

PROJECT = "bench-create"
RUN_TIMEOUT = 1200.0
TARGET_CONCURRENCY = 16
TARGET_LATENCY_MS = 50
TARGET_SPEEDUP = 14.0


@dataclass(frozen=True)
class Variant:
    """One way of creating the tasks."""

    label: str
    client: str
    concurrency: Optional[int]  # None: a sequential create_task loop

    @property
    def key(self) -> str:
        """A short id for logs and the JSON data."""
        return f"seq-{self.client}" if self.concurrency is None else f"bulk-{self.concurrency}"


def variants(ctx: BenchContext) -> List[Variant]:
    """Sequential ours and existing, then ``create_tasks`` at each concurrency of the profile."""
    found = [Variant("create_task loop (ours)", "ours", None)]
    if ctx.existing is not None:
        found.append(Variant("create_task loop (existing)", "existing", None))
    found.extend(Variant(f"create_tasks, concurrency {n}", "ours", n) for n in ctx.profile.concurrencies)
    return found


def _count(ctx: BenchContext, variant: Variant, latency_ms: int) -> int:
    one_at_a_time = variant.concurrency is None or variant.concurrency == 1
    return ctx.profile.create_slow_tasks if one_at_a_time and latency_ms else ctx.profile.create_tasks


def _measure(ctx: BenchContext, latency_ms: int) -> Dict[str, Dict[str, Any]]:
    """Per variant: tasks created per run, the run times and an error if it failed."""
    found: Dict[str, Dict[str, Any]] = {}
    all_variants = variants(ctx)
    with EmulatorProcess(latency_ms=latency_ms, seeds={PROJECT: 0}) as emu:
        for rep in range(ctx.profile.create_repeats):
            for variant in all_variants:
                entry = found.setdefault(
                    variant.key, {"variant": variant, "count": _count(ctx, variant, latency_ms), "times": []}
                )
                python = ctx.python_for(variant.client)
                if python is None or "error" in entry:
                    continue
                job = {
                    "op": "create_seq" if variant.concurrency is None else "create_bulk",
                    "client": variant.client, "url": emu.url, "key": BENCH_KEY, "project": PROJECT,
                    "count": entry["count"], "concurrency": variant.concurrency,
                    "tag": f"{latency_ms}ms-{variant.key}-{rep}",
                }
                label = f"create {latency_ms} ms {variant.key}"
                measured = ctx.run_measured(entry, label, emu.pid, run_driver,
                                            python, job, variant.client != "existing", RUN_TIMEOUT)
                if measured is None:
                    continue
                answer, emu_cpu = measured
                entry["times"].extend(answer["times"])
                entry.setdefault("client_cores", []).append(answer["cpu_run"] / answer["times"][0])
                if emu_cpu is not None:
                    # The child's start-up costs the emulator nothing but one warm-up request.
                    cores = emu_cpu / answer["times"][0]
                    entry.setdefault("emulator_cores", []).append(cores)
                rate = entry["count"] / answer["times"][0]
                ctx.log(f"create {latency_ms} ms {variant.key} {rep + 1}/{ctx.profile.create_repeats}: "
                        f"{entry['count']} tasks, {answer['times'][0]:.2f} s, {rate:.0f}/s")
    return found


def run(ctx: BenchContext) -> ScenarioResult:
    """Measure every variant at every latency; check 16 workers against sequential at 50 ms."""
    profile = ctx.profile
    result = ScenarioResult("create", f"2. Creating {profile.create_tasks:,} tasks")
    table = Table(
        f"Median of {profile.create_repeats} runs; speed-up is against our sequential loop at the same "
        "latency",
        ["latency", "method", "tasks", "seconds", "tasks/s", "speed-up", "client CPU", "emulator CPU"],
    )
    curves: Dict[str, Dict[str, Any]] = {}
    for latency_ms in profile.latencies_ms:
        found = _measure(ctx, latency_ms)
        rates: Dict[str, Optional[float]] = {}
        for key, entry in found.items():
            seconds = median(entry["times"])
            rates[key] = ratio(entry["count"], seconds)
            if "error" in entry:
                result.notes.append(f"{latency_ms} ms, {entry['variant'].label}: failed: {entry['error']}")
        baseline = rates.get("seq-ours")
        for key, entry in found.items():
            table.rows.append([
                f"{latency_ms} ms", entry["variant"].label, f"{entry['count']:,}",
                fmt(median(entry["times"]), 2), fmt(rates[key], 0), fmt_ratio(ratio(rates[key], baseline)),
                fmt(median(entry.get("client_cores", [])), 2),
                fmt(median(entry.get("emulator_cores", [])), 2),
            ])
        curves[str(latency_ms)] = {
            "concurrency": list(profile.concurrencies),
            "rate": [rates.get(f"bulk-{n}") for n in profile.concurrencies],
            "sequential_ours": baseline,
            "sequential_existing": rates.get("seq-existing"),
        }
        if latency_ms == TARGET_LATENCY_MS and TARGET_CONCURRENCY in profile.concurrencies:
            speedup = ratio(rates.get(f"bulk-{TARGET_CONCURRENCY}"), baseline)
            result.checks.append(Check(
                f"Bulk create at {latency_ms} ms: concurrency {TARGET_CONCURRENCY} / sequential",
                speedup, f"≥ {TARGET_SPEEDUP:.0f}", at_least(speedup, TARGET_SPEEDUP),
                f"{fmt(rates.get(f'bulk-{TARGET_CONCURRENCY}'), 0)} vs {fmt(baseline, 1)} tasks/s "
                f"(ideal {TARGET_CONCURRENCY}×)",
            ))
    result.data["curves"] = curves
    result.tables.append(table)
    result.notes.append(
        "CPU is in cores (1.00 = one core busy) over the timed part of the run. Client and emulator are "
        "one Python process each (one GIL each), so either near 1.00 is the limit."
    )
    slow = max(profile.latencies_ms)
    if profile.create_slow_tasks != profile.create_tasks and slow:
        result.notes.append(
            f"At {slow} ms the one-request-at-a-time runs (sequential loops, concurrency 1) create "
            f"{profile.create_slow_tasks:,} tasks: their rate is set by the latency and is steady, and "
            f"{profile.create_tasks:,} of them would take over {profile.create_tasks * slow / 1000:.0f} s "
            f"per run."
        )
    if ctx.existing is None:
        result.notes.append(f"Existing client not measured: {ctx.existing_note}")
    return result
