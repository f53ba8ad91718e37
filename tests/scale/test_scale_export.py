"""Parallel export against the emulator: exactly the matching tasks, once each, and resumable."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import json
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, List, Optional, Set

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scale_support import PROJECT, TEST_KEY, Client, all_tasks, payload
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


def test_a_server_with_an_inclusive_end_time_still_yields_each_task_once(
    client: Client, created: Set[str], tmp_path: Path
) -> None:
    """A server with an inclusive end time still yields each task once."""
    real_tasks = client.tasks

    def inclusive_tasks(**kwargs: Any) -> Any:
        if kwargs.get("end_time"):
            kwargs["end_time"] = format_ms(parse_time_ms(kwargs["end_time"]) + 1)
        return real_tasks(**kwargs)

    client.tasks = inclusive_tasks  # type: ignore[method-assign]
    out = tmp_path / "tasks.jsonl"
    assert export_tasks(client, out, project_name=PROJECT, workers=8, window_size=50) == 1500
    ids = read_ids(out)
    assert len(set(ids)) == 1500 and set(ids) == created


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
