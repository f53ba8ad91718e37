"""Write RESULTS.md (targets, machine, one section per scenario) and results.json."""
import json
import os
import platform
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .context import BenchContext
from .machine import cpu_model, memory_gb
from .results import Check, ScenarioResult, Table

# Other work using more than this many cores on average during the run gets a warning in the report.
BUSY_OTHER_CORES = 0.25


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info(ctx: BenchContext, loads: List[float], other_cores: Optional[float]) -> Dict[str, Any]:
    """Everything needed to judge whether two RESULTS.md files are comparable.

    ``loads`` are 1-minute load averages taken before the run and after each scenario;
    ``other_cores`` is the CPU other processes used on average during the run, in cores.
    """
    from scaleapi import __version__ as ours  # pylint: disable=import-outside-toplevel

    existing = ctx.existing
    memory = memory_gb()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory": f"{memory:.1f} GiB" if memory is not None else "unknown",
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "ours": ours,
        "requests": _version("requests"),
        "urllib3": _version("urllib3"),
        "werkzeug": _version("werkzeug"),
        "existing": (
            f"scaleapi {existing.version} (requests {existing.requests_version}, urllib3 "
            f"{existing.urllib3_version}; {ctx.existing_note})"
            if existing else f"unavailable: {ctx.existing_note}"
        ),
        "loads": loads,
        "other_cores": other_cores,
    }


def _table(table: Table) -> List[str]:
    lines = [f"*{table.title}*", "", "| " + " | ".join(table.header) + " |",
             "|" + "|".join("---" for _ in table.header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in table.rows)
    return lines + [""]


def _met(check: Check) -> str:
    return {True: "yes", False: "**no**", None: "not measured"}[check.met]


def render(
    ctx: BenchContext, results: List[ScenarioResult], machine: Dict[str, Any], elapsed: float,
    plot: Tuple[bool, str], command: str,
) -> str:
    """The whole RESULTS.md (``plot``: whether throughput.png was drawn, and a note if not)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results", "",
        f"Produced by `{command}` ({ctx.profile.name} profile) on {now}, in {elapsed / 60:.1f} minutes. "
        "Every ratio below comes from this one run on this one machine; rerun the command to get your own. "
        "What each scenario measures and how to read it: [docs/benchmarks.md](../docs/benchmarks.md).", "",
        "## Targets", "",
        "| check | measured | target | met | from |", "|---|---|---|---|---|",
    ]
    for result in results:
        for check in result.checks:
            lines.append(
                f"| {check.name} | {check.shown()} | {check.target} | {_met(check)} | {check.detail} |"
            )
    lines += ["", "## Machine", ""]
    lines += [
        f"* CPU: {machine['cpu']}, {machine['cores']} cores; memory {machine['memory']}",
        f"* OS: {machine['os']}",
        f"* Python: {machine['python']}; requests {machine['requests']}, urllib3 {machine['urllib3']}, "
        f"werkzeug {machine['werkzeug']} (emulator)",
        f"* Ours: scaleapi {machine['ours']} (this repository)",
        f"* Existing client: {machine['existing']}",
        f"* HTTPS: {ctx.tls_note}",
        f"* Load average (1 min), before the run and after each scenario: {_loads(machine['loads'])}; "
        f"CPU used by other processes during the run: {_cores(machine['other_cores'])}",
    ]
    busy = _busy(machine)
    if busy:
        lines.append(f"* **Note:** {busy}")
    lines.append("")
    for result in results:
        lines += [f"## {result.title}", ""]
        for table in result.tables:
            lines += _table(table)
        lines += [f"* {note}" for note in result.notes]
        if result.notes:
            lines.append("")
    lines += ["## Throughput against concurrency", ""]
    plotted, plot_note = plot
    lines += ["![create throughput against concurrency](throughput.png)" if plotted else plot_note, ""]
    return "\n".join(lines)


def _loads(values: List[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values) if values else "unknown"


def _cores(value: Optional[float]) -> str:
    return "unknown" if value is None else f"{value:.2f} cores on average"


def _busy(machine: Dict[str, Any]) -> str:
    other: Optional[float] = machine["other_cores"]
    if other is not None and other > BUSY_OTHER_CORES:
        return (f"other work kept the machine busy during the run ({other:.2f} of its {machine['cores']} "
                "cores on average, besides the bench's own processes). Absolute figures are lower than "
                "on an idle machine; the ratios, taken with the sides taking turns, hold up better, but "
                "the ones that need spare cores (bulk create, export) suffer most.")
    return ""


def write_json(path: Path, results: List[ScenarioResult], machine: Dict[str, Any]) -> None:
    """The raw figures behind RESULTS.md (for diffing runs and for the plot)."""
    payload = {
        "machine": machine,
        "scenarios": {
            result.key: {"checks": [asdict(check) for check in result.checks], "data": result.data}
            for result in results
        },
    }
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
