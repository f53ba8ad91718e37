"""``python -m bench [--quick] [--only NAME ...] [--out DIR]``: run the scenarios, write the report.

The full run writes ``bench/RESULTS.md``, ``bench/results.json`` and ``bench/throughput.png``;
``--quick`` (a smoke run with small counts) writes them to ``bench/.quick/`` instead.
"""
import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .config import FULL, QUICK
from .context import BenchContext
from .emulators import TlsFiles, make_tls_files
from .procs import BENCH_DIR, PLOT_DRIVER, ChildFailed, child_env, run_json
from .machine import CpuMark, load_average
from .report import machine_info, render, write_json
from .results import ScenarioResult
from .scenarios import creating, emulator_rps, exporting, faults, importing, latency, listing, v2
from .venvs import existing_client, plot_python

SCENARIOS: Dict[str, Callable[[BenchContext], ScenarioResult]] = {
    "listing": listing.run,
    "create": creating.run,
    "export": exporting.run,
    "import": importing.run,
    "emulator": emulator_rps.run,
    "latency": latency.run,
    "faults": faults.run,
    "v2": v2.run,
}


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the scaleapi SDK against a raw requests loop and the existing client.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="small counts, one or two runs each (under a minute)")
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS), metavar="NAME",
                        help=f"run only this scenario (repeatable): {', '.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, help="directory for RESULTS.md, results.json, throughput.png")
    parser.add_argument("--no-existing", action="store_true",
                        help="do not install or run the existing client")
    return parser.parse_args(argv)


def _tls(workdir: Path) -> Tuple[Optional[TlsFiles], str]:
    try:
        files = make_tls_files(workdir)
    except ImportError:
        return None, "skipped: trustme is not installed (python -m pip install -e \".[dev]\")"
    return files, "certificate for 127.0.0.1 made at run time with trustme; clients trust that CA alone"


def _plot(ctx: BenchContext, results: List[ScenarioResult], out: Path) -> Tuple[bool, str]:
    """Draw throughput.png from the create scenario; returns whether it was drawn, and a note."""
    create = next((result for result in results if result.key == "create"), None)
    if create is None or not create.data.get("curves"):
        return False, "No plot: the create scenario did not run."
    python, note = plot_python()
    if python is None:
        ctx.log(f"plot skipped: {note}")
        return False, f"No plot: {note}."
    data_file = ctx.workdir / "plot.json"
    data_file.write_text(json.dumps({
        "title": f"Creating tasks on the emulator ({ctx.profile.name} profile)",
        "curves": create.data["curves"],
    }), encoding="utf-8")
    try:
        run_json([python, str(PLOT_DRIVER), str(data_file), str(out / "throughput.png")],
                 child_env(ours=False), 300)
    except ChildFailed as err:
        return False, f"No plot: {err}."
    return True, note


def _context(args: argparse.Namespace, workdir: Path) -> BenchContext:
    """Certificates and the existing client's venv: each missing piece becomes a note, not an error."""
    tls, tls_note = _tls(workdir)
    if args.no_existing:
        existing, existing_note = None, "skipped with --no-existing"
    else:
        print("[bench] preparing the existing client's venv ...", file=sys.stderr, flush=True)
        existing, existing_note = existing_client()
    ctx = BenchContext(QUICK if args.quick else FULL, workdir, tls, tls_note, existing, existing_note)
    if existing is None:
        ctx.log(f"existing client unavailable: {existing_note}")
    return ctx


def _summary(results: List[ScenarioResult]) -> None:
    for result in results:
        for check in result.checks:
            verdict = {True: "met", False: "MISSED", None: "not measured"}[check.met]
            print(f"{check.name}: {check.shown()} (target {check.target}) {verdict}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the chosen scenarios and write the report. Returns the exit status."""
    args = parse_args(argv)
    out: Path = args.out or (BENCH_DIR / ".quick" if args.quick else BENCH_DIR)
    out.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    mark = CpuMark.now()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="scaleapi-bench-"))
    try:
        ctx = _context(args, workdir)
        results = []
        loads = [load_before]
        for name in args.only or list(SCENARIOS):
            ctx.log(f"--- {name} ---")
            results.append(SCENARIOS[name](ctx))
            loads.append(load_average())
        plot = _plot(ctx, results, out)
        faults.draw_plot(ctx, results, out)
        machine = machine_info(ctx, [value for value in loads if value is not None], mark.other_cores())
        command = "python -m bench" + (" --quick" if args.quick else "")
        report = render(ctx, results, machine, time.monotonic() - started, plot, command)
        (out / "RESULTS.md").write_text(report, encoding="utf-8")
        write_json(out / "results.json", results, machine)
        ctx.log(f"wrote {out / 'RESULTS.md'}")
        _summary(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
