"""Draw the benchmark's figures into PNGs.

Run by path with an interpreter that has matplotlib: ``plot_driver.py DATA.json OUT.png``. The data
says which figure it is for:

* create throughput against concurrency, one panel per latency:
  ``{"title": str, "curves": {latency_ms: {"concurrency": [...], "rate": [...],
  "sequential_ours": x, "sequential_existing": y}}}``;
* bulk-create completions per second over time, per fault condition:
  ``{"title": str, "bin_s": 0.5, "clean_rate": x, "burst": [start_s, end_s],
  "rates": {label: [tasks per second in each bin, ...]}}``.
"""
import json
import sys
from typing import Any, Dict, List

# matplotlib is a bench-only dependency, possibly only in bench/.venv-plot.
import matplotlib  # type: ignore[import-not-found,unused-ignore]  # pylint: disable=import-error

matplotlib.use("Agg")
# pylint: disable-next=import-error,wrong-import-position  # pyplot must come after use()
import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]


def draw_throughput(data: Dict[str, Any], out: str) -> None:
    """One panel per latency: create_tasks throughput, sequential baselines and the ideal line."""
    curves: Dict[str, Dict[str, Any]] = data["curves"]
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 4.2), squeeze=False)
    for axis, (latency, curve) in zip(axes[0], sorted(curves.items(), key=lambda kv: int(kv[0]))):
        xs: List[int] = curve["concurrency"]
        points = [(x, y) for x, y in zip(xs, curve["rate"]) if y is not None]
        axis.plot([p[0] for p in points], [p[1] for p in points], "o-", color="tab:blue",
                  label="create_tasks (ours)")
        seq = curve.get("sequential_ours")
        if seq:
            axis.axhline(seq, color="tab:blue", linestyle="--", linewidth=1, label="create_task loop (ours)")
            if int(latency) > 0:
                ideal = [seq * x for x in xs]
                axis.plot(xs, ideal, ":", color="grey", label="ideal: concurrency × sequential")
        existing = curve.get("sequential_existing")
        if existing:
            axis.axhline(existing, color="tab:red", linestyle="--", linewidth=1,
                         label="create_task loop (existing 2.15.1)")
        axis.set_title(f"emulator latency {latency} ms")
        axis.set_xticks(xs)
        _label(axis, "concurrency (threads)", "tasks created per second")
    fig.suptitle(data.get("title", "Create throughput"))
    _save(fig, out)


def draw_faults(data: Dict[str, Any], out: str) -> None:
    """One line per condition; the burst shaded; 90 % of the clean throughput as a dashed line."""
    fig, axis = plt.subplots(figsize=(8, 4.2))
    step = float(data["bin_s"])
    for label, rates in data["rates"].items():
        xs = [step * (index + 0.5) for index in range(len(rates))]
        axis.plot(xs, rates, "-", linewidth=1.4, label=label)
    start, end = data["burst"]
    axis.axvspan(start, end, color="tab:red", alpha=0.12, label="503 burst (burst run)")
    clean = data.get("clean_rate")
    if clean:
        axis.axhline(0.9 * clean, color="grey", linestyle="--", linewidth=1, label="90 % of clean throughput")
    _label(axis, "seconds since the start of create_tasks", f"tasks completed per second ({step:g} s bins)")
    axis.set_title(data.get("title", "Bulk create under faults"))
    _save(fig, out)


def _label(axis: Any, xlabel: str, ylabel: str) -> None:
    """Both figures' axes: labelled, rates from zero, a light grid and a legend."""
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_ylim(bottom=0)
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8, loc="best")


def _save(fig: Any, out: str) -> None:
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: List[str]) -> int:
    """Read the data file, write the PNG, print a JSON line saying where."""
    with open(argv[1], encoding="utf-8") as handle:
        data = json.load(handle)
    draw = draw_faults if "rates" in data else draw_throughput
    draw(data, argv[2])
    print(json.dumps({"png": argv[2]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
