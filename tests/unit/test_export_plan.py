"""Export planning driven by fake counters, no threads, no HTTP: every plan covers the range exactly
once, with true counts, and no final window holds more than the target unless it is 1 ms wide."""
import bisect
import json
from typing import Callable, List, Optional, Tuple

import pytest

from scaleapi._export_plan import PLAN_VERSION, Plan, Planner, Window, window_target

Bounds = Tuple[Optional[int], Optional[int]]


def counter(times: List[int], calls: Optional[List[Tuple[int, int]]] = None) -> Callable[[int, int], int]:
    """count(start, end): how many of ``times`` fall in [start, end)."""
    ordered = sorted(times)

    def count(start: int, end: int) -> int:
        if calls is not None:
            calls.append((start, end))
        return bisect.bisect_left(ordered, end) - bisect.bisect_left(ordered, start)

    return count


def planned(times: List[int], limit: int, bounds: Bounds = (None, None)) -> Plan:
    count = counter(times)
    low, high = bounds
    inside = [t for t in times if (low is None or t >= low) and (high is None or t < high)]
    planner = Planner(count, Plan(len(inside)), limit)
    if inside:
        planner.start(max(inside), bounds)
    return planner.run_all()


def check(plan: Plan, times: List[int], limit: int, bounds: Bounds = (None, None)) -> None:
    low, high = bounds
    inside = sorted(t for t in times if (low is None or t >= low) and (high is None or t < high))
    windows = sorted(plan.windows, key=lambda w: w.start)
    assert plan.complete and not plan.pending and plan.probe is None
    for left, right in zip(windows, windows[1:]):
        assert left.end <= right.start, "windows overlap"
    for window in windows:
        assert window.count == sum(window.start <= t < window.end for t in inside)
        assert window.count <= limit or window.end - window.start == 1
    assert sum(w.count for w in windows) == len(inside) == plan.total
    assert all(any(w.start <= t < w.end for w in windows) for t in inside)


UNIFORM = list(range(1_000_000, 1_000_000 + 5000 * 7, 7))
BURSTS = [2_000_000] * 900 + [2_000_500] * 30 + list(range(1_000_000, 1_000_400))
SPARSE = [5, 10_000_000, 10_000_001, 86_400_000 * 365 * 30]
CASES = [
    ("uniform", UNIFORM, 500, (None, None)),
    ("uniform, caller's bounds", UNIFORM, 500, (1_010_000, 1_030_000)),
    ("bursts in one millisecond", BURSTS, 100, (None, None)),
    ("a window that cannot be split", [3_000_000] * 1000, 10, (None, None)),
    ("empty ranges between sparse tasks", SPARSE, 1, (None, None)),
    ("one task", [42], 200, (None, None)),
    ("at the epoch", [0, 0, 1, 2], 1, (None, None)),
]


@pytest.mark.parametrize("times, limit, bounds", [c[1:] for c in CASES], ids=[str(c[0]) for c in CASES])
def test_plans_cover_the_range_exactly_once(times: List[int], limit: int, bounds: Bounds) -> None:
    check(planned(times, limit, bounds), times, limit, bounds)


def test_a_burst_in_one_millisecond_stays_one_window() -> None:
    plan = planned([3_000_000] * 1000, 10)
    assert [w for w in plan.windows if w.count] == [Window(3_000_000, 3_000_001, 1000)]


def test_nothing_to_plan_when_there_are_no_tasks() -> None:
    calls: List[Tuple[int, int]] = []
    plan = Planner(counter([], calls), Plan(0), 200).run_all()
    assert plan.windows == [] and plan.complete and not calls


def test_caller_bounds_give_one_window_when_it_is_small_enough() -> None:
    calls: List[Tuple[int, int]] = []
    planner = Planner(counter(UNIFORM, calls), Plan(100), 500)
    planner.start(UNIFORM[-1], (1_000_000, 1_000_700))
    assert planner.run_all().windows == [Window(1_000_000, 1_000_700, 100)] and not calls


@pytest.mark.parametrize("stop_after", [0, 1, 3, 10])
def test_resume_from_a_saved_plan_gives_the_same_windows(stop_after: int) -> None:
    count = counter(BURSTS)
    whole = planned(BURSTS, 100)
    first = Planner(count, Plan(len(BURSTS)), 100)
    first.start(max(BURSTS), (None, None))
    for _ in range(stop_after):
        job = first.jobs.popleft()
        first.fold(job, first.measure(job))
    saved = json.loads(first.plan.to_json("fp"))
    assert saved["version"] == PLAN_VERSION and saved["fingerprint"] == "fp"
    resumed = Planner(count, Plan.from_json(saved), 100).run_all()
    assert resumed.windows[: len(first.plan.windows)] == first.plan.windows  # final windows keep their index
    check(resumed, BURSTS, 100)
    def key(window: Window) -> Tuple[int, int, int]:
        return (window.start, window.end, window.count)

    assert sorted(map(key, resumed.windows)) == sorted(map(key, whole.windows))


def test_measure_changes_nothing_and_fold_takes_the_answer() -> None:
    planner = Planner(counter(UNIFORM), Plan(len(UNIFORM)), 500)
    planner.start(max(UNIFORM), (None, None))
    job = planner.jobs[0]
    before = json.loads(planner.plan.to_json(""))
    counted = planner.measure(job)
    assert json.loads(planner.plan.to_json("")) == before and list(planner.jobs) == [job]
    planner.jobs.popleft()
    planner.fold(job, counted)
    assert planner.plan.probe is not None and planner.plan.probe.span > job.span  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "total, workers, window_size, target",
    [(0, 4, None, 200), (10_000, 4, None, 625), (10_000_000, 4, None, 5000), (50, 1, 7, 7), (50, 1, 0, 1)],
)
def test_window_target(total: int, workers: int, window_size: Optional[int], target: int) -> None:
    assert window_target(total, workers, window_size) == target


def test_only_the_current_plan_format_is_read() -> None:
    plan = Plan(3, [Window(0, 10, 3)], complete=True)
    assert Plan.from_json(json.loads(plan.to_json("x"))) == plan
    with pytest.raises(KeyError):
        Plan.from_json({"version": 1, "windows": [[0, 10, 3]]})  # the old shape had no total
