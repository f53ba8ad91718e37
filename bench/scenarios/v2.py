"""Scenario 8: v2: listing with ``v2_get_tasks``, first v2 use, and the model-parse micro-benchmark.

* **Parse**: in one child per client, ``Task.from_dict`` of a completed task with one thread of two
  turns of two annotated messages, against ``json.loads`` of the same text; ours and the existing
  client 2.18.4 (its own venv; its models validate with pydantic). Needs no server.
* **First use**: a fresh interpreter times ``import scaleapi`` plus the first ``Task.from_dict``
  (the v2 model modules load on first use), ours against 2.18.4, taking turns.
* **Listing**: every task of a project of seeded completed tasks (each with threads, turns,
  messages and annotations in its v2 form) walked with ``v2_get_tasks``: ours, 2.18.4 and a bare
  ``requests.Session`` loop over ``GET /v2/tasks`` that only decodes the JSON. Every walk must see
  every task with its threads. It is skipped, with the reason in the report, while the emulator
  answers 404 on ``/v2/tasks``, a seeded task comes without threads, or our client has no
  ``v2_get_tasks``.
"""
import json
import tempfile
from typing import Any, Dict, List, Optional, Tuple

import requests

from ..context import BenchContext
from ..drivers.v2_sample import sample_v2_task
from ..emulators import BENCH_KEY, EmulatorProcess
from ..procs import ChildFailed, child_env, our_python, run_json
from ..results import (
    Check, ScenarioResult, Table, at_least, at_most, fmt, fmt_ms, fmt_ratio, fmt_us, median, ratio,
)
from ..venvs import EXISTING_V2_VENV, EXISTING_V2_VERSION, ExistingClient, existing_client
from .latency import run_extra

PROJECT = "bench-v2"
RUN_TIMEOUT = 1800.0
TARGET_EXISTING = 10.0
TARGET_RAW = 1.5
EXISTING_LABEL = f"existing {EXISTING_V2_VERSION}"
FIRST_USE = (
    "import sys, time, json\n"
    "data = json.loads(sys.argv[1])\n"
    "started = time.perf_counter()\n"
    "import scaleapi\n"
    "from scaleapi.api_client.v2.models.task import Task\n"
    "task = Task.from_dict(data)\n"
    "seconds = time.perf_counter() - started\n"
    "assert len(task.threads[0].turns) == 2\n"
    "print(json.dumps({'seconds': seconds, 'version': scaleapi.__version__}))\n"
)


def _existing(ctx: BenchContext) -> Tuple[Optional[ExistingClient], str]:
    if ctx.existing is None and ctx.existing_note.startswith("skipped"):
        return None, ctx.existing_note
    return existing_client(EXISTING_V2_VERSION, EXISTING_V2_VENV)


def _sides(existing: Optional[ExistingClient]) -> Dict[str, str]:
    """Each side's interpreter: ours, and 2.18.4 when its venv is there."""
    found = {"ours": our_python()}
    if existing is not None:
        found["existing"] = existing.python
    return found


def _parse(ctx: BenchContext, sides: Dict[str, str], result: ScenarioResult) -> None:
    profile = ctx.profile
    job = {"op": "v2_parse", "client": "ours", "number": profile.v2_parse_number,
           "repeats": profile.v2_parse_repeats}
    answers: Dict[str, Dict[str, Any]] = {}
    for side, python in sides.items():
        try:
            answers[side] = run_extra(python, dict(job, client=side), side == "ours", 600)
        except ChildFailed as err:
            result.notes.append(f"Parse micro-benchmark, {side}: failed: {err}")
    parse = {side: answer["from_dict_median"] for side, answer in answers.items()}
    loads = {side: answer["json_loads_median"] for side, answer in answers.items()}
    size = next(iter(answers.values()))["bytes"] if answers else 0
    table = Table(
        f"Task.from_dict of one completed task ({size:,} bytes of JSON: one thread, two turns of two "
        f"messages, two annotations on every message and turn); median of {profile.v2_parse_repeats} runs "
        f"of {profile.v2_parse_number} calls",
        ["client", "Task.from_dict", "json.loads of the same text", "from_dict / json.loads",
         f"{EXISTING_LABEL} / ours"],
    )
    for side in answers:
        table.rows.append([
            "ours" if side == "ours" else EXISTING_LABEL, fmt_us(parse[side]), fmt_us(loads[side]),
            fmt_ratio(ratio(parse[side], loads[side])),
            fmt_ratio(ratio(parse.get("existing"), parse.get("ours"))) if side == "existing" else "",
        ])
    result.tables.append(table)
    result.data["parse"] = answers
    ctx.log("v2 parse: " + ", ".join(f"{side} {fmt_us(value)}" for side, value in parse.items()))


def _first_use(ctx: BenchContext, sides: Dict[str, str], result: ScenarioResult) -> None:
    text = json.dumps(sample_v2_task())
    samples: Dict[str, List[float]] = {side: [] for side in sides}

    def sample(side: str) -> float:
        answer = run_json([sides[side], "-c", FIRST_USE, text], child_env(ours=side == "ours"), 120,
                          cwd=tempfile.gettempdir())
        return float(answer["seconds"])

    try:
        for side in sides:
            sample(side)  # compile and cache the bytecode
        for _ in range(ctx.profile.import_repeats):
            for side in sides:
                samples[side].append(sample(side))
    except ChildFailed as err:
        result.notes.append(f"First v2 use: failed: {err}")
        return
    med = {side: median(values) for side, values in samples.items()}
    table = Table(
        f"import scaleapi, then the first v2 Task.from_dict, in a fresh interpreter; median of "
        f"{ctx.profile.import_repeats} each",
        ["client", "import + first v2 parse", "ours / existing"],
    )
    for side in sides:
        table.rows.append(["ours" if side == "ours" else EXISTING_LABEL, fmt_ms(med[side]),
                           fmt_ratio(ratio(med["ours"], med.get("existing"))) if side == "ours" else ""])
    result.tables.append(table)
    result.data["first_use"] = samples


def _v2_missing(url: str) -> Optional[str]:
    """Why the v2 listing cannot run against this emulator and SDK (None: it can)."""
    from scaleapi import ScaleClient  # pylint: disable=import-outside-toplevel

    reasons = []
    root = url[: -len("/v1")] if url.endswith("/v1") else url
    try:
        resp = requests.get(root + "/v2/tasks", params={"project_name": PROJECT, "limit": "1"},
                            auth=(BENCH_KEY, ""), timeout=30)
    except requests.RequestException as err:
        reasons.append(f"GET /v2/tasks failed: {err}")
    else:
        if resp.status_code == 404:
            reasons.append("the emulator does not serve /v2 yet (GET /v2/tasks answered 404)")
        elif resp.status_code != 200:
            reasons.append(f"GET /v2/tasks answered {resp.status_code}")
        elif not all(task.get("threads") for task in resp.json().get("tasks") or [{}]):
            reasons.append("a seeded completed task has no threads in its v2 form")
    if not hasattr(ScaleClient, "v2_get_tasks"):
        reasons.append("our ScaleClient has no v2_get_tasks yet")
    return "; ".join(reasons) or None


def _listing(ctx: BenchContext, sides: Dict[str, str], result: ScenarioResult) -> Dict[str, Optional[float]]:
    """Median seconds per client for the whole v2 listing (all None when skipped)."""
    count = ctx.profile.v2_tasks
    med: Dict[str, Optional[float]] = {"ours": None, "raw": None, "existing": None}
    with EmulatorProcess(seeds={PROJECT: 1}) as probe:
        missing = _v2_missing(probe.url)
    if missing:
        result.notes.append(f"v2 listing skipped: {missing}.")
        ctx.log(f"v2 listing skipped: {missing}")
        return med
    times: Dict[str, List[float]] = {name: [] for name in med}
    with EmulatorProcess(seeds={PROJECT: count}) as emu:
        base = {"op": "v2_list", "url": emu.url, "key": BENCH_KEY, "project": PROJECT, "expected": count}
        groups = [("ours", dict(base, client="ours", clients=["ours", "raw"], repeats=2))]
        if "existing" in sides:
            groups.append(("existing", dict(base, client="existing", repeats=1)))
        for rep in range(ctx.profile.v2_repeats):
            for side, job in groups:
                try:
                    answer = run_extra(sides[side], job, side == "ours", RUN_TIMEOUT)
                except ChildFailed as err:
                    result.notes.append(f"v2 listing, {side}: failed: {err}")
                    return med
                for name, values in answer["times"].items():
                    times[name].extend(values)
                ctx.log(f"v2 listing round {rep + 1}/{ctx.profile.v2_repeats} {side}: done")
    med = {name: median(values) for name, values in times.items()}
    table = Table(
        f"Median seconds to walk {count:,} v2 tasks with v2_get_tasks",
        ["ours", "raw session", EXISTING_LABEL, "existing / ours", "ours / raw"],
    )
    table.rows.append([fmt(med["ours"], 3), fmt(med["raw"], 3), fmt(med["existing"], 3),
                       fmt_ratio(ratio(med["existing"], med["ours"])),
                       fmt_ratio(ratio(med["ours"], med["raw"]))])
    result.tables.append(table)
    result.data["listing"] = times
    return med


def run(ctx: BenchContext) -> ScenarioResult:
    """Parse and first use (always), the listing (when the emulator serves /v2); check the listing."""
    result = ScenarioResult("v2", f"8. v2: {ctx.profile.v2_tasks:,} completed tasks, parsing and first use")
    existing, note = _existing(ctx)
    if existing is None:
        result.notes.append(f"{EXISTING_LABEL} not measured: {note}")
    sides = _sides(existing)
    _parse(ctx, sides, result)
    _first_use(ctx, sides, result)
    med = _listing(ctx, sides, result)
    skipped = "" if med["ours"] is not None else "skipped (see the v2 section)"
    existing_ours = ratio(med["existing"], med["ours"])
    result.checks.append(Check(
        f"v2 listing, {EXISTING_LABEL} / ours", existing_ours, f"≥ {TARGET_EXISTING:g}",
        at_least(existing_ours, TARGET_EXISTING),
        skipped or f"{fmt(med['existing'], 2)} s vs {fmt(med['ours'], 2)} s",
    ))
    ours_raw = ratio(med["ours"], med["raw"])
    result.checks.append(Check(
        "v2 listing, ours / raw session", ours_raw, f"≤ {TARGET_RAW:g}", at_most(ours_raw, TARGET_RAW),
        skipped or f"{fmt(med['ours'], 2)} s vs {fmt(med['raw'], 2)} s",
    ))
    return result
