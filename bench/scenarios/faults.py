"""Scenario 7: bulk create and export while the emulator answers 429s or a burst of 503s.

Against one emulator with 50 ms of latency per request, each round runs three conditions, each in a
fresh child process that applies its own fault plan to ``/_emulator/faults`` on its own clock:

* **clean**: no faults;
* **5 % 429**: from the start, every request to ``/v1/*`` is answered 429 (no ``Retry-After``) on a
  seeded 5 % draw;
* **503 burst**: after ``faults_burst_at_s`` every request is answered 503 for ``faults_burst_s``
  seconds, then the rule is removed.

``create_tasks(concurrency=16)`` creates keyed payloads (a ``unique_id`` each, so a create answered
503 may be sent again); its progress callback timestamps every completion, and the recovery time is
measured from that curve: the start of the first 0.5-second window after the burst (stepped by
0.25 s) whose rate reaches 90 % of the clean run's throughput. ``export_tasks`` runs under the same plans.
"""
import bisect
import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..context import BenchContext
from ..emulators import BENCH_KEY, EmulatorProcess
from ..procs import PLOT_DRIVER, ChildFailed, child_env, run_json
from ..results import Check, ScenarioResult, Table, at_least, at_most, fmt, fmt_ratio, median, ratio
from ..venvs import plot_python
from .latency import run_extra

CREATE_PROJECT = "bench-faults-create"
EXPORT_PROJECT = "bench-faults-export"
RUN_TIMEOUT = 1800.0
SHARE_429 = 0.05
SEED = 14
EXPORT_WORKERS = 8
TARGET_429 = 0.8
TARGET_RECOVERY_S = 5.0
RECOVERY_SHARE = 0.9
WINDOW_S = 0.5
STEP_S = 0.25
BIN_S = 0.5
LABELS = {"clean": "clean", "429": f"{SHARE_429:.0%} of requests 429", "burst": "503 burst"}


def plans(ctx: BenchContext) -> Dict[str, List[Dict[str, Any]]]:
    """The fault plan of each condition (steps at seconds after the measured work began)."""
    profile = ctx.profile
    rule_429 = {"action": "status", "status": 429, "path": "/v1/*", "probability": SHARE_429, "seed": SEED}
    rule_503 = {"action": "status", "status": 503, "path": "/v1/*"}
    return {
        "clean": [],
        "429": [{"at": 0.0, "add": rule_429}],
        "burst": [{"at": profile.faults_burst_at_s, "add": rule_503},
                  {"at": profile.faults_burst_at_s + profile.faults_burst_s, "clear": True}],
    }


def done_by(marks: Sequence[Tuple[float, int]], when: float) -> int:
    """How many items were done at ``when`` (``marks``: ``(seconds, done)`` in time order)."""
    index = bisect.bisect_right([mark[0] for mark in marks], when)
    return marks[index - 1][1] if index else 0


def recovery_seconds(
    marks: Sequence[Tuple[float, int]], burst_end: float, clean_rate: float, elapsed: float
) -> Optional[float]:
    """Seconds from ``burst_end`` to the first 0.5-second window running at 90 % of ``clean_rate``.

    Windows start at the end of the burst and every 0.25 s after; None when none reached it before
    the run ended.
    """
    wanted = RECOVERY_SHARE * clean_rate * WINDOW_S
    start = burst_end
    while start + WINDOW_S <= elapsed + 1e-9:
        if done_by(marks, start + WINDOW_S) - done_by(marks, start) >= wanted:
            return start - burst_end
        start += STEP_S
    return None


def binned_rates(marks: Sequence[Tuple[float, int]], elapsed: float) -> List[float]:
    """Completions per second in each 0.5 s bin from the start to the end of the run."""
    edges = [BIN_S * step for step in range(int(elapsed / BIN_S) + 2)]
    return [(done_by(marks, right) - done_by(marks, left)) / BIN_S for left, right in zip(edges, edges[1:])]


def _job(ctx: BenchContext, url: str, work: str, condition: str, rep: int) -> Dict[str, Any]:
    profile = ctx.profile
    job: Dict[str, Any] = {"client": "ours", "url": url, "key": BENCH_KEY, "faults": plans(ctx)[condition]}
    if work == "create":
        job.update(op="create_faults", project=CREATE_PROJECT, count=profile.faults_create_tasks,
                   concurrency=profile.faults_concurrency, tag=f"faults-{condition}-{rep}")
    else:
        job.update(op="export_faults", project=EXPORT_PROJECT, expected=profile.faults_export_tasks,
                   workers=EXPORT_WORKERS, out=str(ctx.workdir / f"faults-{condition}-{rep}.jsonl"))
    return job


def _measure(ctx: BenchContext) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """``{work: {condition: {"runs": [answers], "emulator_cpu": [...], "error": ...}}}``."""
    profile = ctx.profile
    found: Dict[str, Dict[str, Dict[str, Any]]] = {
        work: {condition: {"runs": [], "emulator_cpu": []} for condition in LABELS}
        for work in ("create", "export")
    }
    seeds = {CREATE_PROJECT: 0, EXPORT_PROJECT: profile.faults_export_tasks}
    with EmulatorProcess(latency_ms=profile.faults_latency_ms, seeds=seeds) as emu:
        ctx.log(f"faults: seeded {profile.faults_export_tasks:,} tasks for the export")
        for rep in range(profile.faults_repeats):
            for work, conditions in found.items():
                for condition, entry in conditions.items():
                    if "error" in entry:
                        continue
                    job = _job(ctx, emu.url, work, condition, rep)
                    measured = ctx.run_measured(entry, f"faults {work} {condition}", emu.pid, run_extra,
                                                ctx.python_for("ours") or "", job, True, RUN_TIMEOUT)
                    if measured is None:
                        continue
                    answer, emu_cpu = measured
                    entry["runs"].append(answer)
                    if emu_cpu is not None:
                        entry["emulator_cpu"].append(emu_cpu)
                    ctx.log(f"faults {work} {condition} {rep + 1}/{profile.faults_repeats}: "
                            f"{answer['times'][0]:.2f} s, {answer['fired']} faults answered")
    return found


def _seconds(entry: Dict[str, Any]) -> Optional[float]:
    return median([answer["times"][0] for answer in entry["runs"]])


def _burst_end(answer: Dict[str, Any]) -> Optional[float]:
    cleared = [step["at"] for step in answer.get("applied", []) if step["clear"]]
    return cleared[0] if cleared else None


def _recoveries(entry: Dict[str, Any], clean_rate: Optional[float]) -> List[Optional[float]]:
    found: List[Optional[float]] = []
    for answer in entry["runs"]:
        end = _burst_end(answer)
        if end is None or not clean_rate:
            found.append(None)
            continue
        marks = [(float(at), int(done)) for at, done in answer["marks"]]
        found.append(recovery_seconds(marks, end, clean_rate, answer["times"][0]))
    return found


def _create_section(ctx: BenchContext, result: ScenarioResult, create: Dict[str, Dict[str, Any]]) -> None:
    profile = ctx.profile
    count = profile.faults_create_tasks
    rates = {condition: ratio(count, _seconds(entry)) for condition, entry in create.items()}
    recoveries = _recoveries(create["burst"], rates["clean"])
    measured = [value for value in recoveries if value is not None]
    recovery = median(measured) if measured and len(measured) == len(recoveries) else None
    table = Table(
        f"create_tasks(concurrency={profile.faults_concurrency}), {count:,} keyed tasks, "
        f"{profile.faults_latency_ms} ms latency; median of {profile.faults_repeats} runs",
        ["condition", "seconds", "tasks/s", "throughput / clean", "faults answered", "recovery after burst",
         "emulator CPU s"],
    )
    for condition, entry in create.items():
        fired = median([float(answer["fired"]) for answer in entry["runs"]])
        table.rows.append([
            LABELS[condition], fmt(_seconds(entry), 2), fmt(rates[condition], 0),
            fmt_ratio(ratio(rates[condition], rates["clean"])), fmt(fired, 0),
            fmt(recovery, 1, " s") if condition == "burst" else "",
            fmt(median(entry["emulator_cpu"]), 1),
        ])
    result.tables.append(table)
    share = ratio(rates["429"], rates["clean"])
    result.checks.append(Check(
        f"Bulk create under {SHARE_429:.0%} 429s: throughput / clean throughput", share, f"≥ {TARGET_429}",
        at_least(share, TARGET_429), f"{fmt(rates['429'], 0)} vs {fmt(rates['clean'], 0)} tasks/s",
    ))
    result.checks.append(Check(
        f"Bulk create: seconds from the end of a {profile.faults_burst_s:g}-second 503 burst to "
        f"{RECOVERY_SHARE:.0%} of clean throughput", recovery, f"≤ {TARGET_RECOVERY_S:g} s",
        at_most(recovery, TARGET_RECOVERY_S),
        "per run: " + ", ".join(
            fmt(value, 1, " s") if value is not None else "not recovered" for value in recoveries
        ),
        unit=" s",
    ))
    if create["burst"]["runs"] and recovery is None:
        result.notes.append("A burst run ended before any 0.5-second window reached 90 % of the clean rate.")
    first = {condition: entry["runs"][0] for condition, entry in create.items() if entry["runs"]}
    result.data["timeline"] = {
        "bin_s": BIN_S,
        "clean_rate": rates["clean"],
        "burst": [profile.faults_burst_at_s, profile.faults_burst_at_s + profile.faults_burst_s],
        "rates": {
            LABELS[key]: binned_rates(answer["marks"], answer["times"][0]) for key, answer in first.items()
        },
    }
    result.data["create"] = {"rates": rates, "recoveries": recoveries}


def _export_section(ctx: BenchContext, result: ScenarioResult, export: Dict[str, Dict[str, Any]]) -> None:
    profile = ctx.profile
    count = profile.faults_export_tasks
    seconds = {condition: _seconds(entry) for condition, entry in export.items()}
    table = Table(
        f"export_tasks(workers={EXPORT_WORKERS}), {count:,} tasks, {profile.faults_latency_ms} ms latency; "
        f"median of {profile.faults_repeats} runs",
        ["condition", "seconds", "tasks/s", "throughput / clean", "faults answered",
         "seconds lost beyond the burst",
         "peak RSS growth"],
    )
    for condition, entry in export.items():
        lost = None
        if condition == "burst" and seconds["burst"] is not None and seconds["clean"] is not None:
            lost = seconds["burst"] - seconds["clean"] - profile.faults_burst_s
        table.rows.append([
            LABELS[condition], fmt(seconds[condition], 2), fmt(ratio(count, seconds[condition]), 0),
            fmt_ratio(ratio(seconds["clean"], seconds[condition])),
            fmt(median([float(answer["fired"]) for answer in entry["runs"]]), 0),
            fmt(lost, 1, " s") if condition == "burst" else "",
            fmt(max((answer["rss_growth_mb"] for answer in entry["runs"]), default=None), 1, " MB"),
        ])
    result.tables.append(table)
    result.data["export"] = {"seconds": seconds}


def run(ctx: BenchContext) -> ScenarioResult:
    """Bulk create and export under each condition; check the 429 throughput and the recovery."""
    profile = ctx.profile
    result = ScenarioResult("faults", "7. Under faults: 429s and a burst of 503s")
    found = _measure(ctx)
    _create_section(ctx, result, found["create"])
    _export_section(ctx, result, found["export"])
    for work, conditions in found.items():
        for condition, entry in conditions.items():
            if "error" in entry:
                result.notes.append(f"{work}, {LABELS[condition]}: failed: {entry['error']}")
    result.notes.append(
        f"The 429 rule answers a seeded {SHARE_429:.0%} draw of every /v1 request, without Retry-After; the "
        f"burst answers every /v1 request 503 from {profile.faults_burst_at_s:g} s to "
        f"{profile.faults_burst_at_s + profile.faults_burst_s:g} s into the run. The SDK's long work retries "
        "through both within its retry budget (600 s): a 429 slows every worker down together, and three "
        "failures in a row pause them all until one probe gets through (docs/retries.md)."
    )
    result.notes.append(
        "Recovery is the start of the first 0.5-second window after the burst, stepped by 0.25 s, whose "
        "completions reach 90 % of the clean run's throughput (the create curve below)."
    )
    return result


def draw_plot(ctx: BenchContext, results: List[ScenarioResult], out: Any) -> None:
    """Draw ``faults.png`` (completions per second over time) and link it from the faults section."""
    found = next((result for result in results if result.key == "faults"), None)
    if found is None or not found.data.get("timeline", {}).get("rates"):
        return
    python, note = plot_python()
    if python is None:
        found.notes.append(f"No plot: {note}.")
        return
    data_file = ctx.workdir / "faults-plot.json"
    data_file.write_text(json.dumps(dict(found.data["timeline"], title=(
        f"create_tasks(concurrency={ctx.profile.faults_concurrency}) under faults "
        f"({ctx.profile.name} profile)"
    ))), encoding="utf-8")
    try:
        run_json([python, str(PLOT_DRIVER), str(data_file), str(out / "faults.png")],
                 child_env(ours=False), 300)
    except ChildFailed as err:
        found.notes.append(f"No plot: {err}.")
        return
    found.notes.append("Completions per second over time: ![create under faults](faults.png)")
