"""Parallel export against the emulator: exactly the matching tasks, once each, and resumable."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import itertools
import json
import os
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.longwork import PROJECT, TEST_KEY, Client, all_tasks, payload
from support.waiting import wait_for
from scaleapi.export import ExportError, export_tasks, format_ms, parse_time_ms

OTHER_PROJECT = "other-project"


def read_ids(path: Path) -> List[str]:
    """The task ids of an export file, line by line."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line)["task_id"] for line in handle]


@pytest.fixture
def created(client: Client, emu: Any) -> Set[str]:
    """1,500 tasks in PROJECT, most seeded in bursts sharing a millisecond, plus noise elsewhere."""
    ids = {t.id for t in client.create_tasks("imageannotation", [payload(i) for i in range(150)]).succeeded}
    emu.seed_tasks(TEST_KEY, 1200, project=PROJECT)
    ids |= {t.id for t in client.create_tasks("imageannotation", [payload(i) for i in range(150)]).succeeded}
    client.create_project(OTHER_PROJECT, "imageannotation")
    emu.seed_tasks(TEST_KEY, 50, project=OTHER_PROJECT)
    stored = all_tasks(client)
    assert len(stored) == 1500
    ids |= {task["task_id"] for task in stored}  # the seeded ones, read by a plain cursor walk
    assert len(ids) == 1500
    per_ms = Counter(task["created_at"] for task in stored)
    assert max(per_ms.values()) >= 10, "the fixture needs tasks sharing a millisecond"
    return ids


@pytest.mark.parametrize("workers", [1, 8])
def test_export_writes_every_matching_task_exactly_once(
    client: Client, created: Set[str], tmp_path: Path, workers: int
) -> None:
    """Export writes every matching task exactly once."""
    out = tmp_path / "tasks.jsonl"
    count = client.export_tasks(out, project_name=PROJECT, workers=workers)
    ids = read_ids(out)
    assert count == len(ids) == 1500
    assert len(set(ids)) == len(ids)
    assert set(ids) == created
    assert not os.path.exists(str(out) + ".parts")


@pytest.mark.parametrize("workers", [1, 8])
def test_small_windows_split_down_to_single_milliseconds(
    client: Client, created: Set[str], tmp_path: Path, workers: int
) -> None:
    """Small windows split down to single milliseconds."""
    out = tmp_path / "tasks.jsonl"
    count = export_tasks(client, out, project_name=PROJECT, workers=workers, window_size=7)
    ids = read_ids(out)
    assert count == 1500 and len(set(ids)) == 1500 and set(ids) == created


def test_an_interrupted_export_resumes_to_the_same_exact_set(
    client: Client, created: Set[str], tmp_path: Path
) -> None:
    """An interrupted export resumes to the same exact set."""
    out = tmp_path / "tasks.jsonl"
    parts = tmp_path / "tasks.jsonl.parts"
    seen: List[Optional[int]] = []

    def stop_midway(done: int, total: Optional[int]) -> None:
        seen.append(total)
        if done >= 700:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        export_tasks(client, out, project_name=PROJECT, workers=4, window_size=100, progress=stop_midway)
    assert seen and seen[0] == 1500
    assert not out.exists()
    finished = list(parts.glob("w*.jsonl"))
    assert finished and (parts / "plan.json").exists()
    kept = sum(len(part.read_text().splitlines()) for part in finished)

    totals: List[int] = []
    count = export_tasks(client, out, project_name=PROJECT, workers=4, window_size=100,
                         progress=lambda done, total: totals.append(done))
    ids = read_ids(out)
    assert count == 1500 and len(set(ids)) == 1500 and set(ids) == created
    assert totals[-1] == 1500
    assert totals[0] >= kept > 0  # resumed from the finished windows, not from zero
    assert not parts.exists()


def with_inclusive_end(tasks: Callable[..., Any]) -> Callable[..., Any]:
    """``tasks`` as a server whose ``end_time`` is inclusive would answer it (one millisecond later)."""

    def inclusive_tasks(**kwargs: Any) -> Any:
        if kwargs.get("end_time"):
            kwargs["end_time"] = format_ms(parse_time_ms(kwargs["end_time"]) + 1)
        return tasks(**kwargs)

    return inclusive_tasks


def test_a_server_with_an_inclusive_end_time_still_yields_each_task_once(
    client: Client, created: Set[str], tmp_path: Path
) -> None:
    """A server with an inclusive end time still yields each task once."""
    client.tasks = with_inclusive_end(client.tasks)  # type: ignore[method-assign]
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT, workers=8, window_size=50) == 1500
    ids = read_ids(out)
    assert len(set(ids)) == 1500 and set(ids) == created


def test_created_at_in_another_shape_is_parsed_and_still_dropped_outside_its_window(
    client: Client, created: Set[str], tmp_path: Path
) -> None:
    """Times not in the fixed ``...mmmZ`` shape are compared after parsing (inclusive-end server)."""
    inclusive_tasks = with_inclusive_end(client.tasks)

    def offset_times(**kwargs: Any) -> Any:
        page = inclusive_tasks(**kwargs)
        for task in page:
            doc = task.as_dict()  # the stored dict itself: 2019-...:26.624Z -> 2019-...:26.624000+00:00
            doc["created_at"] = doc["created_at"][:-1] + "000+00:00"
        return page

    client.tasks = offset_times  # type: ignore[method-assign]
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT, workers=4, window_size=50) == 1500
    ids = read_ids(out)
    assert len(set(ids)) == 1500 and set(ids) == created


def test_lines_are_compact_json_with_unicode_kept(client: Client, tmp_path: Path) -> None:
    """Each line is the task's compact JSON, non-ASCII text written as is."""
    client.create_tasks("imageannotation", [payload(0, metadata={"name": "café ☕", "n": [1, 2]})])
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT) == 1
    line = out.read_text(encoding="utf-8")
    doc = json.loads(line)
    assert line == json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n"
    assert '"name":"café ☕"' in line


def _split_in_two_groups(client: Client, emu: Any) -> Tuple[int, Set[str]]:
    """300 old tasks, a gap longer than their spread, then 5 new ones; the oldest time and all ids.

    Planned from the oldest time with windows of 100, the range's first cut falls in the gap: the
    old half is dense and pending another count, the new half (5 tasks) is final at once.
    """
    emu.seed_tasks(TEST_KEY, 300, project=PROJECT)
    times = [parse_time_ms(task["created_at"]) for task in all_tasks(client)]
    time.sleep((max(times) - min(times) + 100) / 1000)
    client.create_tasks("imageannotation", [payload(i) for i in range(5)])
    ids = {task["task_id"] for task in all_tasks(client)}
    assert len(ids) == 305
    return min(times), ids


def test_paging_starts_before_planning_finishes(client: Client, emu: Any, tmp_path: Path) -> None:
    """A final window is paged while other windows are still being counted and cut."""
    oldest, ids = _split_in_two_groups(client, emu)
    real_tasks = client.tasks
    page_seen, gave_up = threading.Event(), threading.Event()
    counts = itertools.count(1)
    log: List[Tuple[str, bool]] = []

    def gated_tasks(**kwargs: Any) -> Any:
        if kwargs.get("limit") == 1:
            # 1: the total, 2: the first cut; from 3 on, the dense half waits for a page request
            # (planning first, paging after, would never send one: wait once, then give up).
            if next(counts) >= 3:
                released = page_seen.wait(timeout=0 if gave_up.is_set() else 10)
                if not released:
                    gave_up.set()
                log.append(("count", released))
        else:
            log.append(("page", True))
            page_seen.set()
        return real_tasks(**kwargs)

    client.tasks = gated_tasks  # type: ignore[method-assign]
    out = tmp_path / "tasks.jsonl"
    count = export_tasks(client, out, project_name=PROJECT, created_after=format_ms(oldest),
                         workers=2, window_size=100)
    assert count == 305 and set(read_ids(out)) == ids
    later_counts = [released for kind, released in log if kind == "count"]
    assert later_counts and all(later_counts), "counting waited for a page that never came"
    assert log[0] == ("page", True)


def test_an_export_cut_while_planning_resumes_from_its_unfinished_plan(
    client: Client, emu: Any, tmp_path: Path
) -> None:
    """An export stopped mid-plan keeps its finished windows and finishes the plan on the rerun."""
    oldest, ids = _split_in_two_groups(client, emu)
    out = tmp_path / "tasks.jsonl"
    parts = tmp_path / "tasks.jsonl.parts"
    real_tasks = client.tasks
    counts = itertools.count(1)

    def cut_tasks(**kwargs: Any) -> Any:
        if kwargs.get("limit") == 1 and next(counts) >= 3:
            wait_for(lambda: bool(list(parts.glob("w*.jsonl"))), timeout=10)
            raise RuntimeError("cut while planning")
        return real_tasks(**kwargs)

    client.tasks = cut_tasks  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="cut while planning"):
        export_tasks(client, out, project_name=PROJECT, created_after=format_ms(oldest),
                     workers=2, window_size=100)
    plan = json.loads((parts / "plan.json").read_text())
    assert plan["complete"] is False and plan["pending"]
    finished = list(parts.glob("w*.jsonl"))
    assert [len(part.read_text().splitlines()) for part in finished] == [5]

    kept_start = format_ms(plan["windows"][0][0])
    paged_again: List[str] = []

    def recording_tasks(**kwargs: Any) -> Any:
        if kwargs.get("limit") != 1:
            paged_again.append(kwargs["start_time"])
        return real_tasks(**kwargs)

    client.tasks = recording_tasks  # type: ignore[method-assign]
    count = export_tasks(client, out, project_name=PROJECT, created_after=format_ms(oldest),
                         workers=2, window_size=100)
    got = read_ids(out)
    assert count == 305 and len(got) == 305 and set(got) == ids
    assert paged_again and kept_start not in paged_again  # the finished window was kept
    assert not parts.exists()


def test_the_largest_windows_are_paged_first(client: Client, created: Set[str], tmp_path: Path) -> None:
    """Ready windows are taken largest first (one worker: the plan is done before any page)."""
    real_tasks = client.tasks
    sizes: Dict[Tuple[str, str], int] = {}
    order: List[Tuple[str, str]] = []

    def recording_tasks(**kwargs: Any) -> Any:
        page = real_tasks(**kwargs)
        if kwargs.get("limit") != 1:
            window = (kwargs["start_time"], kwargs["end_time"])
            if window not in sizes:
                order.append(window)
            sizes[window] = sizes.get(window, 0) + len(page)
        return page

    client.tasks = recording_tasks  # type: ignore[method-assign]
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT, workers=1, window_size=200) == 1500
    assert set(read_ids(out)) == created
    paged = [sizes[window] for window in order]
    assert len(paged) > 3 and paged == sorted(paged, reverse=True)
    starts = [parse_time_ms(json.loads(line)["created_at"]) for line in out.read_text().splitlines()]
    assert starts == sorted(starts, reverse=True)  # still joined newest window first


def test_filters_and_time_bounds(client: Client, emu: Any, tmp_path: Path) -> None:
    """Filters and time bounds."""
    client.create_batch(PROJECT, "b1")
    in_batch = {t.id for t in client.create_tasks("imageannotation",
                                                  [payload(i, batch="b1") for i in range(30)]).succeeded}
    emu.seed_tasks(TEST_KEY, 200, project=PROJECT)
    out = tmp_path / "batch.jsonl"
    assert client.export_tasks(out, batch_name="b1", workers=3) == 30
    assert set(read_ids(out)) == in_batch

    stored = all_tasks(client)
    stored.sort(key=lambda task: task["created_at"])
    middle = stored[len(stored) // 2]["created_at"]
    expected = {t["task_id"] for t in stored if parse_time_ms(t["created_at"]) >= parse_time_ms(middle)}
    out = tmp_path / "recent.jsonl"
    assert client.export_tasks(out, project_name=PROJECT, created_after=middle, workers=2) == len(expected)
    assert set(read_ids(out)) == expected
    older = {t["task_id"] for t in stored} - expected
    out = tmp_path / "older.jsonl"
    assert client.export_tasks(out, project_name=PROJECT, created_before=middle, workers=2) == len(older)
    assert set(read_ids(out)) == older

    out = tmp_path / "limited.jsonl"
    assert client.export_tasks(out, batch_name="b1", limited_response=True) == 30
    first = json.loads(out.read_text().splitlines()[0])
    assert "params" not in first and first["task_id"] in in_batch


def test_empty_exports_and_argument_errors(client: Client, tmp_path: Path) -> None:
    """Empty exports and argument errors."""
    out = tmp_path / "none.jsonl"
    assert client.export_tasks(out, project_name=PROJECT) == 0
    assert out.read_text() == ""
    with pytest.raises(ValueError):
        client.export_tasks(out)  # neither project nor batch: same rule as get_tasks
    with pytest.raises(ValueError):
        client.export_tasks(out, project_name=PROJECT, workers=0)


def test_resuming_with_other_filters_is_refused(client: Client, emu: Any, tmp_path: Path) -> None:
    """Resuming with other filters is refused."""
    emu.seed_tasks(TEST_KEY, 300, project=PROJECT)
    out = tmp_path / "tasks.jsonl"

    def stop(done: int, _total: Optional[int]) -> None:
        if done >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_tasks(client, out, project_name=PROJECT, status="completed", window_size=100,
                     workers=1, progress=stop)
    with pytest.raises(ExportError, match="other filters"):
        export_tasks(client, out, project_name=PROJECT, window_size=100)
    assert export_tasks(client, out, project_name=PROJECT, status="completed", window_size=100) == 300


@given(st.integers(min_value=0, max_value=253402300799999))
def test_time_format_round_trips(ms: int) -> None:
    """Time format round trips."""
    assert parse_time_ms(format_ms(ms)) == ms


def test_time_parsing_accepts_the_documented_shapes() -> None:
    """Time parsing accepts the documented shapes."""
    assert parse_time_ms("1970-01-01") == 0
    assert parse_time_ms("1970-01-01T00:00:01.5") == 1500
    assert parse_time_ms("1970-01-01 01:00:00+01:00") == 0
    assert parse_time_ms("1969-12-31T19:00:00-05:00") == 0
    assert parse_time_ms(datetime(1970, 1, 1, 0, 0, 2, tzinfo=timezone.utc)) == 2000
    assert parse_time_ms(datetime(1970, 1, 1, 0, 0, 3)) == 3000  # naive means UTC
    assert format_ms(1_552_208_126_624) == "2019-03-10T08:55:26.624Z"
    with pytest.raises(ValueError):
        parse_time_ms("yesterday")


# -- one export per output path ----------------------------------------------------------------------


def test_a_second_export_into_a_path_being_written_is_refused(
    client: Client, created: Set[str], tmp_path: Path
) -> None:
    """While one export runs, another into the same path gets ExportError; the first ends exact."""
    out = tmp_path / "tasks.jsonl"
    lock = tmp_path / "tasks.jsonl.lock"
    started, release = threading.Event(), threading.Event()
    outcome: Dict[str, Any] = {}

    def hold(_done: int, _total: Optional[int]) -> None:
        started.set()
        assert release.wait(60), "the test never released the first export"

    def first() -> None:
        try:
            outcome["count"] = export_tasks(client, out, project_name=PROJECT, workers=2, window_size=100,
                                            progress=hold)
        except BaseException as err:  # pylint: disable=broad-exception-caught  # reported below
            outcome["error"] = err

    runner = threading.Thread(target=first)
    runner.start()
    try:
        assert started.wait(30), "the first export did not start"
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        with pytest.raises(ExportError, match="being written by another export"):
            export_tasks(client, out, project_name=PROJECT, workers=2)
    finally:
        release.set()
        runner.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["count"] == 1500 and set(read_ids(out)) == created
    assert not lock.exists() and not os.path.exists(str(out) + ".parts")


def test_a_lock_left_by_a_dead_process_is_replaced(client: Client, created: Set[str], tmp_path: Path) -> None:
    """kill -9 leaves the lock file behind; its pid no longer runs, so the next export goes ahead."""
    import socket  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    out = tmp_path / "tasks.jsonl"
    lock = tmp_path / "tasks.jsonl.lock"
    lock.write_text(json.dumps({"pid": int(gone.stdout), "host": socket.gethostname()}))
    assert export_tasks(client, out, project_name=PROJECT, workers=2) == 1500
    assert set(read_ids(out)) == created and not lock.exists()


def test_a_lock_held_by_a_live_process_refuses_and_is_left_alone(client: Client, tmp_path: Path) -> None:
    import socket  # pylint: disable=import-outside-toplevel

    out = tmp_path / "tasks.jsonl"
    lock = tmp_path / "tasks.jsonl.lock"
    holder = json.dumps({"pid": os.getppid(), "host": socket.gethostname()})
    lock.write_text(holder)
    with pytest.raises(ExportError, match=f"process {os.getppid()}"):
        export_tasks(client, out, project_name=PROJECT)
    assert lock.read_text() == holder and not out.exists()


def test_an_export_into_a_new_directory_still_works(client: Client, tmp_path: Path) -> None:
    """The lock file's directory is created first, as the parts directory always was."""
    out = tmp_path / "new" / "dir" / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT) == 0
    assert out.exists() and not (out.parent / "tasks.jsonl.lock").exists()
