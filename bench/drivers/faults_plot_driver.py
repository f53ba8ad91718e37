"""Draw bulk-create completions per second over time, per fault condition, into a PNG.

Run by path with an interpreter that has matplotlib: ``faults_plot_driver.py DATA.json OUT.png``.
The data is ``{"title": str, "bin_s": 0.5, "clean_rate": x, "burst": [start_s, end_s],
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


def draw(data: Dict[str, Any], out: str) -> None:
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
    axis.set_xlabel("seconds since the start of create_tasks")
    axis.set_ylabel(f"tasks completed per second ({step:g} s bins)")
    axis.set_ylim(bottom=0)
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8, loc="best")
    axis.set_title(data.get("title", "Bulk create under faults"))
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: List[str]) -> int:
    """Read the data file, write the PNG, print a JSON line saying where."""
    with open(argv[1], encoding="utf-8") as handle:
        data = json.load(handle)
    draw(data, argv[2])
    print(json.dumps({"png": argv[2]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
