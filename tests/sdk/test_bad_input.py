"""Bad answers from a server give ScaleExceptions, never raw Python errors: the SDK over real HTTP
against a loopback server that answers what the emulator never would."""
import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from support.recording_server import RecordingServer, Seen

from scaleapi import ScaleClient, TaskType
from scaleapi.exceptions import ScaleException
from scaleapi.export import ExportError
from scaleapi.waiting import wait_for_batch, wait_for_task

ODD_BODIES: List[Any] = [[], "text", None, 5, 1.5, True, {}, {"docs": 5}, {"docs": [5]}, [{}], [5],
              {"task_id": 5, "status": [], "type": {}, "metadata": "m", "params": 3, "docs": {}},
              {"a": {"b": [1, {"c": None}]}}]  # fmt: skip

CALLS: Dict[str, Callable[[ScaleClient], Any]] = {
    "get_task": lambda c: c.get_task("t1"),
    "tasks": lambda c: c.tasks(project="p"),
    "get_tasks": lambda c: list(c.get_tasks(project_name="p")),
    "get_tasks_count": lambda c: c.get_tasks_count(project_name="p"),
    "create_task": lambda c: c.create_task(TaskType.ImageAnnotation, project="p", unique_id="u"),
    "cancel_task": lambda c: c.cancel_task("t1"),
    "get_batch": lambda c: c.get_batch("b"),
    "batches": lambda c: c.batches(project="p"),
    "get_batches": lambda c: list(c.get_batches(project_name="p")),
    "create_batch": lambda c: c.create_batch("p", "b"),
    "get_project": lambda c: c.get_project("p"),
    "get_projects": lambda c: c.get_projects(),
    "create_project": lambda c: c.create_project("p", TaskType.ImageAnnotation),
    "list_teammates": lambda c: c.list_teammates(),
    "list_studio_assignments": lambda c: c.list_studio_assignments(),
    "list_studio_batches": lambda c: c.list_studio_batches(),
    "upload_file": lambda c: c.upload_file(b"bytes", display_name="x.png"),  # type: ignore[arg-type]
    "wait_for_task": lambda c: wait_for_task(c, "t1", timeout=0.05, poll=0.01),
    "wait_for_tasks": lambda c: c.wait_for_tasks(["t1", "t2"], timeout=0.05, poll=0.01),
    "wait_for_batch": lambda c: wait_for_batch(c, "b", timeout=0.05, poll=0.01),
}


@pytest.mark.parametrize("body", ODD_BODIES, ids=repr)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_odd_json_answers_give_a_scale_exception_or_a_result(
    recorder: RecordingServer, wire_client: ScaleClient, call: str, body: Any
) -> None:
    """JSON of the wrong shape: a model (keys are optional) or a ScaleException, nothing else."""
    recorder.responder = lambda seen: (200, body)
    try:
        CALLS[call](wire_client)
    except ScaleException:
        pass


def test_studio_assignments_that_are_not_lists_of_names(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    recorder.responder = lambda seen: (200, {"someone@example.com": 5})
    with pytest.raises(ScaleException, match="expected strings"):
        wire_client.list_studio_assignments()


# -- export: created_at ------------------------------------------------------------------------------


def task_page(tasks: List[Dict[str, Any]]) -> Callable[[Seen], Any]:
    """Every GET tasks answers these tasks on one page."""
    return lambda seen: (200, {"docs": tasks, "total": len(tasks), "limit": 100, "has_more": False})


@pytest.mark.parametrize(
    "created_at",
    [None, "", "garbage", "2024-13-45T00:00:00.000Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
     "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "1969-12-31T23:59:59.000Z", 12345, [], {}],
    ids=repr,
)  # fmt: skip
def test_a_bad_created_at_on_the_newest_task_is_an_export_error_naming_it(
    recorder: RecordingServer, wire_client: ScaleClient, tmp_path: Path, created_at: Any
) -> None:
    task = {"task_id": "task-with-odd-time", "status": "completed", "type": "imageannotation"}
    if created_at is not None:
        task["created_at"] = created_at
    recorder.responder = task_page([task])
    with pytest.raises(ExportError) as info:
        wire_client.export_tasks(tmp_path / "out.jsonl", project_name="p", workers=1)
    assert "task-with-odd-time" in info.value.message
    assert ("no created_at" if created_at is None else repr(created_at)) in info.value.message


def test_a_bad_created_at_inside_a_window_is_an_export_error_naming_it(
    recorder: RecordingServer, wire_client: ScaleClient, tmp_path: Path
) -> None:
    """The newest task is fine; another one on the window's page has a day that does not exist."""
    good = {"task_id": "good", "status": "completed", "created_at": "2024-05-01T10:00:00.000Z"}
    bad = {"task_id": "bad-one", "status": "completed", "created_at": "2024-02-30T10:00:00Z"}
    recorder.responder = task_page([good, bad])
    with pytest.raises(ExportError, match="bad-one") as info:
        wire_client.export_tasks(tmp_path / "out.jsonl", project_name="p", workers=1,
                                 created_after="2024-01-01")
    assert "2024-02-30T10:00:00Z" in info.value.message


def test_a_damaged_plan_file_is_an_export_error(
    recorder: RecordingServer, wire_client: ScaleClient, tmp_path: Path
) -> None:
    parts = tmp_path / "out.jsonl.parts"
    parts.mkdir()
    for text in ("{not json", "[1, 2]", json.dumps({"version": 2, "fingerprint": None})):
        (parts / "plan.json").write_text(text)
        with pytest.raises(ExportError):
            wire_client.export_tasks(tmp_path / "out.jsonl", project_name="p", workers=1)
    assert not recorder.seen
