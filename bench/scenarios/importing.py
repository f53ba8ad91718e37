"""Scenario 4: how long ``import scaleapi`` takes in a fresh interpreter, ours vs the existing client.

Each sample is a new interpreter (``python -c``) that times its own ``import scaleapi`` with
``perf_counter``, so interpreter start-up is left out; both sides run from a neutral directory with
their bytecode already cached (one untimed import each first), and they take turns.
"""
import tempfile
from typing import Dict, List, Optional

from ..context import BenchContext
from ..procs import ChildFailed, child_env, run_json
from ..results import Check, ScenarioResult, Table, at_most, fmt_ms, median, ratio

CODE = (
    "import sys, time\n"
    "before = len(sys.modules)\n"
    "started = time.perf_counter()\n"
    "import scaleapi\n"
    "seconds = time.perf_counter() - started\n"
    "import json\n"
    "print(json.dumps({'seconds': seconds, 'modules': len(sys.modules) - before,"
    " 'version': scaleapi.__version__, 'file': scaleapi.__file__}))\n"
)


def _sample(ctx: BenchContext, side: str) -> Dict[str, object]:
    python = ctx.python_for(side) or ""
    return run_json([python, "-c", CODE], child_env(ours=side == "ours"), 60, cwd=tempfile.gettempdir())


def run(ctx: BenchContext) -> ScenarioResult:
    """Median import time of each side; check ours against the existing client's."""
    result = ScenarioResult("import", "4. Import time of `import scaleapi`")
    sides = ["ours"] + (["existing"] if ctx.existing is not None else [])
    samples: Dict[str, List[float]] = {side: [] for side in sides}
    modules: Dict[str, int] = {}
    try:
        for side in sides:
            _sample(ctx, side)  # compile and cache the bytecode
        for _ in range(ctx.profile.import_repeats):
            for side in sides:
                answer = _sample(ctx, side)
                samples[side].append(float(str(answer["seconds"])))
                modules[side] = int(str(answer["modules"]))
    except ChildFailed as err:
        result.notes.append(f"Import timing failed: {err}")
        return result
    med: Dict[str, Optional[float]] = {side: median(values) for side, values in samples.items()}
    ctx.log("import: " + ", ".join(f"{side} {fmt_ms(seconds)}" for side, seconds in med.items()))
    table = Table(
        f"Median of {ctx.profile.import_repeats} fresh interpreters each",
        ["client", "import time", "modules loaded"],
    )
    for side in sides:
        seconds = med[side]
        table.rows.append([
            "ours" if side == "ours" else "existing 2.15.1",
            fmt_ms(seconds), str(modules.get(side, "–")),
        ])
    result.tables.append(table)
    value = ratio(med.get("ours"), med.get("existing"))
    result.checks.append(Check(
        "import scaleapi: ours / existing", value, "≤ 1.00", at_most(value, 1.0),
        f"{fmt_ms(med.get('ours'))} vs {fmt_ms(med.get('existing'))}",
    ))
    if ctx.existing is None:
        result.notes.append(f"Existing client not measured: {ctx.existing_note}")
    result.data = {"seconds": samples, "modules": modules}
    return result
