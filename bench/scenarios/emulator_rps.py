"""Scenario 5: requests per second the emulator serves with a large store.

The emulator (its own process, in-memory SQLite) is filled with ``Emulator.seed_tasks``; a load
generator in another process runs several threads, each with its own keep-alive ``requests.Session``:

* get-task: ``GET task/{id}`` for ids drawn at random from pages spread over the whole store;
* list-page, first page: ``GET tasks?project=..&limit=100`` (this one also counts the matches);
* list-page, mid-listing: the same with ``end_time`` at the middle of the store and the
  ``next_token`` of that query's first page, i.e. a page deep inside the listing.

CPU use of both processes is read from ``/proc`` to tell which side was the limit.
"""
import json
from datetime import datetime, timezone
from typing import Any, Dict, List

import requests

from ..context import BenchContext
from ..emulators import BENCH_KEY, CpuUse, EmulatorProcess
from ..procs import RPS_DRIVER, ChildFailed, child_env, run_json
from ..results import ScenarioResult, Table, fmt, median

PROJECT = "bench-store"
SPREAD = (0.02, 0.25, 0.5, 0.75, 0.98)


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC with milliseconds."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _get(session: requests.Session, url: str, params: Dict[str, Any]) -> Dict[str, Any]:
    resp = session.get(url, params=params, auth=(BENCH_KEY, ""), timeout=120)
    resp.raise_for_status()
    page: Dict[str, Any] = resp.json()
    return page


def workloads(emu: EmulatorProcess) -> Dict[str, Dict[str, Any]]:
    """The three request kinds as rps-driver job fragments (ids and queries fetched now)."""
    seeded = emu.seeded(PROJECT)
    first, last = int(seeded["first_ms"]), int(seeded["last_ms"])
    session = requests.Session()
    session.trust_env = False  # loopback only, whatever proxy variables say
    ids: List[str] = []
    for share in SPREAD:
        until = iso_ms(first + int(share * (last - first)) + 1)
        page = _get(session, emu.url + "/tasks", {"project": PROJECT, "limit": 100, "end_time": until})
        ids.extend(doc["task_id"] for doc in page["docs"])
    middle = {"project": PROJECT, "limit": 100, "end_time": iso_ms((first + last) // 2)}
    token = _get(session, emu.url + "/tasks", middle)["next_token"]
    session.close()
    return {
        "get-task (random id)": {"task_ids": ids},
        "list-page, first page (project filter)": {"params": {"project": PROJECT, "limit": 100}},
        "list-page, mid-listing next_token": {"params": dict(middle, next_token=token)},
    }


def run(ctx: BenchContext) -> ScenarioResult:
    """Requests per second for each workload, median of the profile's repeats."""
    profile = ctx.profile
    stored = profile.stored_tasks
    result = ScenarioResult("emulator", f"5. Emulator requests per second with {stored:,} tasks stored")
    table = Table(
        f"{profile.rps_threads} client threads, {profile.rps_seconds:g} s per run, median of "
        f"{profile.rps_repeats} runs",
        ["request", "requests/s", "emulator CPU", "load generator CPU"],
    )
    rates: Dict[str, List[float]] = {}
    with EmulatorProcess(seeds={PROJECT: stored}) as emu:
        seeded = emu.seeded(PROJECT)
        result.notes.append(f"Seeding {seeded['count']:,} tasks (seed_tasks, in-memory SQLite) took "
                            f"{seeded['seconds']:.1f} s.")
        ctx.log(f"emulator: seeded {seeded['count']:,} tasks in {seeded['seconds']:.1f} s")
        jobs = workloads(emu)
        cpu: Dict[str, List[float]] = {name: [] for name in jobs}
        client_cpu: Dict[str, List[float]] = {name: [] for name in jobs}
        for _ in range(profile.rps_repeats):
            for name, fragment in jobs.items():
                job = dict(fragment, url=emu.url, key=BENCH_KEY, threads=profile.rps_threads,
                           duration=profile.rps_seconds)
                command = [ctx.python_for("raw") or "", str(RPS_DRIVER), json.dumps(job)]
                try:
                    with CpuUse(emu.pid) as emu_cpu:
                        answer = run_json(command, child_env(ours=True), profile.rps_seconds + 120)
                except ChildFailed as err:
                    result.notes.append(f"{name}: failed: {err}")
                    continue
                rates.setdefault(name, []).append(float(answer["rps"]))
                client_cpu[name].append(float(answer["client_cpu_share"]))
                if emu_cpu.seconds is not None:
                    cpu[name].append(emu_cpu.seconds / float(answer["seconds"]))
                ctx.log(f"emulator {name}: {answer['rps']:.0f} req/s")
    for name in jobs:
        table.rows.append([
            name, fmt(median(rates.get(name, [])), 0), fmt(median(cpu[name]), 2),
            fmt(median(client_cpu[name]), 2),
        ])
    result.tables.append(table)
    result.notes.append(
        "CPU is in cores (1.00 = one core busy). The emulator is one Python process (one GIL), so it "
        "tops out near one core; the load generator shares the same machine."
    )
    result.data = {"rps": rates, "emulator_cpu": cpu, "client_cpu": client_cpu}
    return result
