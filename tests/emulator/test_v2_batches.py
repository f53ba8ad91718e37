"""/v2 batches over real HTTP: creation, lookups, cursor pages, the state table, metadata merge, and
the lifecycle the official client's own test runs."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest
from support.emulator import IMAGE_TASK, LIVE_KEY, OTHER_KEY, TEST_KEY, Api
from support.one_of import held
from support.v2_emulator import V2Wire, sdk_client, v1_project, v2_error_of
from support.waiting import wait_for

from scaleapi import ScaleClient
from scaleapi.api_client.v2 import Project
from scaleapi.api_client.v2 import exceptions as v2x
from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
from scaleapi.api_client.v2.models.set_batch_metadata_request import SetBatchMetadataRequest
from scaleapi.emulator import Emulator
from scaleapi.exceptions import ScaleDuplicateResource

STATES = ("staging", "in_progress", "paused", "cancelled", "completed")
# (state, operation) → the state after it, or 400. See docs/emulator.md, "v2 batches and their states".
TABLE: Dict[str, Dict[str, Any]] = {
    "finalize": {"staging": "in_progress", "in_progress": "in_progress", "paused": 400, "cancelled": 400,
                 "completed": 400},
    "pause": {"staging": "staging", "in_progress": "paused", "paused": "paused", "cancelled": 400,
              "completed": 400},
    "resume": {"staging": 400, "in_progress": 400, "paused": "in_progress", "cancelled": 400,
               "completed": 400},
    "cancel": {"staging": "cancelled", "in_progress": "cancelled", "paused": "cancelled",
               "cancelled": "cancelled", "completed": 400},
}


@pytest.fixture
def v2_key() -> str:
    """Live mode for conftest's ``wire`` and ``scale``: tasks stay pending until completed."""
    return LIVE_KEY


def _batch_in(state: str, live: Api, wire: V2Wire, emu: Emulator, name: str) -> Dict[str, Any]:
    """A batch of project ``p`` brought into ``state`` (with one task: pending, or done if completed)."""
    batch = wire.ok_post("batch", {"name": name, "project_name": "p", "staging_batch": state == "staging"})
    task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": name})
    if state == "completed":
        emu.complete_task(task["task_id"])
    elif state in ("paused", "cancelled"):
        operation = {"paused": "pause", "cancelled": "cancel"}[state]
        wire.ok_post(f"batch/{operation}", {"batch_id": batch["id"]})
    current: Dict[str, Any] = wire.ok_get("batch", {"batch_id": batch["id"]})
    assert current["status"] == state, current
    return current


@pytest.mark.parametrize("operation", sorted(TABLE))
@pytest.mark.parametrize("state", STATES)
def test_state_table(live: Api, wire: V2Wire, emu: Emulator, state: str, operation: str) -> None:
    """Every batch operation from every batch state."""
    v1_project(live, "p")
    batch = _batch_in(state, live, wire, emu, f"b-{state}-{operation}")
    response = wire.post(f"batch/{operation}", {"batch_name": batch["name"]})
    expected = TABLE[operation][state]
    if expected == 400:
        v2_error_of(response, 400)
        assert wire.ok_get("batch", {"batch_id": batch["id"]})["status"] == state
        return
    assert response.status_code == 200, response.text
    answer = response.json()
    shaped = answer if operation == "finalize" else answer["batch"]
    if operation != "finalize":
        assert set(answer) == {"batch", "message"} and answer["message"]
    assert shaped["status"] == expected and shaped["id"] == batch["id"]
    assert wire.ok_get("batch", {"batch_id": batch["id"]})["status"] == expected
    # v1 shows the same status.
    assert live.ok("GET", f"batches/{batch['name']}")["status"] == expected


def test_operations_need_a_known_batch(wire: V2Wire, live: Api) -> None:
    """Operations need a batch id or name (400) that exists (404)."""
    v1_project(live, "p")
    for operation in ("finalize", "pause", "resume", "cancel"):
        v2_error_of(wire.post(f"batch/{operation}", {}), 400)
        v2_error_of(wire.post(f"batch/{operation}"), 400)
        v2_error_of(wire.post(f"batch/{operation}", {"batch_id": "nope"}), 404)
        v2_error_of(wire.post(f"batch/{operation}", {"batch_name": "nope"}), 404)
        v2_error_of(wire.post(f"batch/{operation}", {"batch_id": 5}), 400)
    v2_error_of(wire.post("batch/explode", {}), 404)
    v2_error_of(wire.get("batch/pause"), 405)


def test_cancel_cancels_pending_tasks_and_keeps_finished_ones(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Cancelling a batch cancels its pending tasks only."""
    v1_project(live, "p")
    batch = wire.ok_post("batch", {"name": "b", "project_name": "p"})
    tasks = [live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "b"})
             for _ in range(3)]
    emu.complete_task(tasks[0]["task_id"])
    answer = wire.ok_post("batch/cancel", {"batch_id": batch["id"]})
    assert answer["batch"]["status"] == "cancelled"
    statuses = [live.ok("GET", f"task/{task['task_id']}")["status"] for task in tasks]
    assert statuses == ["completed", "canceled", "canceled"]
    listed = wire.ok_get("tasks", {"batch_id": batch["id"]})["tasks"]
    assert sorted(task["status"] for task in listed) == ["canceled", "canceled", "completed"]
    assert live.ok("GET", "batches/b/status") == {"status": "cancelled", "pending": 0, "completed": 1,
                                                  "error": 0, "canceled": 2}
    # A cancelled batch takes no new chat tasks.
    v2_error_of(wire.post("task/chat", {"project_name": "p", "batch_id": batch["id"]}), 400)


def test_pause_holds_pending_tasks_from_the_lifecycle_policy(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """A paused batch's tasks wait; on resume they complete and so does the batch."""
    v1_project(live, "p")
    held = wire.ok_post("batch", {"name": "held", "project_name": "p"})
    wire.ok_post("batch", {"name": "free", "project_name": "p"})
    held_task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "held"})
    free_task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "free"})
    wire.ok_post("batch/pause", {"batch_id": held["id"]})
    emu.set_lifecycle(0)
    try:
        assert wait_for(lambda: live.ok("GET", f"task/{free_task['task_id']}")["status"] == "completed", 10)
        assert live.ok("GET", f"task/{held_task['task_id']}")["status"] == "pending"
        assert wire.ok_get("batch", {"batch_name": "free"})["status"] == "completed"
        assert wire.ok_get("batch", {"batch_name": "held"})["status"] == "paused"
        wire.ok_post("batch/resume", {"batch_name": "held"})
        assert wait_for(lambda: wire.ok_get("batch", {"batch_name": "held"})["status"] == "completed", 10)
    finally:
        emu.set_lifecycle(None)
    done = wire.ok_get("batch", {"batch_name": "held"})
    assert done["completed_at"] >= done["created_at"]


def test_batch_completes_when_its_tasks_finish(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """A batch whose tasks all finish becomes completed with ``completed_at``."""
    v1_project(live, "p")
    batch = wire.ok_post("batch", {"name": "b", "project_name": "p", "staging_batch": True})
    assert batch["status"] == "staging" and "completed_at" not in batch
    first = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "b"})
    second = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "b"})
    assert wire.ok_post("batch/finalize", {"batch_id": batch["id"]})["status"] == "in_progress"
    emu.complete_task(first["task_id"])
    assert wire.ok_get("batch", {"batch_id": batch["id"]})["status"] == "in_progress"
    emu.fail_task(second["task_id"])
    done = wire.ok_get("batch", {"batch_id": batch["id"]})
    assert done["status"] == "completed" and done["completed_at"].endswith("Z")


def test_create_and_get_batch(live: Api, wire: V2Wire, scale: ScaleClient) -> None:
    """Creation and lookup by id, by name, and by both (the id wins), with ``expand``."""
    project = v1_project(live, "p")
    created = scale.v2.create_batch(CreateBatchRequest(
        name="b1", project_id=project["id"], callback="https://example.com/cb", metadata={"m": 1}))
    assert created.status.value == "in_progress" and created.callback == "https://example.com/cb"
    raw = wire.ok_get("batch", {"batch_id": created.id})
    assert raw == {"id": created.id, "name": "b1", "project": project["id"], "created_at": raw["created_at"],
                   "status": "in_progress", "callback": "https://example.com/cb", "metadata": {"m": 1}}
    assert wire.ok_get("batch", {"batch_name": "b1"}) == raw
    # Both given: the id wins.
    assert wire.ok_get("batch", {"batch_id": created.id, "batch_name": "nope"}) == raw
    expanded = wire.ok_get("batch", {"batch_name": "b1", "expand": "project"})
    assert expanded["project"]["id"] == project["id"] and expanded["project"]["name"] == "p"
    model = scale.v2.get_batch(batch_name="b1", expand=["project"])
    assert held(model.project, Project).name == "p"
    without_callback = wire.ok_post("batch", {"name": "b2", "project_name": "p"})
    assert "callback" not in without_callback and without_callback["metadata"] == {}
    v2_error_of(wire.get("batch"), 400)
    v2_error_of(wire.get("batch", {"batch_id": "nope"}), 404)
    v2_error_of(wire.get("batch", {"batch_name": "b1", "expand": "batch"}), 400)


def test_create_batch_errors(live: Api, wire: V2Wire, scale: ScaleClient) -> None:
    """Duplicate name 409, unknown project 404, malformed bodies 400."""
    v1_project(live, "p")
    wire.ok_post("batch", {"name": "b1", "project_name": "p"})
    with pytest.raises(v2x.ConflictException) as caught:
        scale.v2.create_batch(CreateBatchRequest(name="b1", project_name="p"))
    assert isinstance(caught.value, ScaleDuplicateResource)
    v2_error_of(wire.post("batch", {"name": "b9", "project_name": "nope"}), 404)
    v2_error_of(wire.post("batch", {"name": "b9", "project_id": "nope"}), 404)
    v2_error_of(wire.post("batch", {"name": "b9"}), 400)
    v2_error_of(wire.post("batch", {"project_name": "p"}), 400)
    v2_error_of(wire.post("batch", {"name": 5, "project_name": "p"}), 400)
    v2_error_of(wire.post("batch", {"name": "b9", "project_name": "p", "staging_batch": "yes"}), 400)
    v2_error_of(wire.post("batch", {"name": "b9", "project_name": "p", "metadata": []}), 400)
    v2_error_of(wire.post("batch", "text"), 400)
    response = wire.session.post(f"{wire.base}/batch", data=b"{not json", timeout=10,
                                 headers={"Content-Type": "application/json"})
    v2_error_of(response, 400)


def test_batches_paging_newest_first(live: Api, wire: V2Wire, scale: ScaleClient) -> None:
    """``GET /v2/batches`` pages newest first with an opaque cursor."""
    v1_project(live, "p")
    v1_project(live, "q")
    names = [f"b{index:03d}" for index in range(57)]
    for name in names:
        live.ok("POST", "batches", json={"project": "p", "name": name})
    live.ok("POST", "batches", json={"project": "q", "name": "elsewhere"})
    seen: List[str] = []
    token = None
    pages = 0
    while True:
        params: Dict[str, Any] = {"project_name": "p", "limit": 10}
        if token is not None:
            params["next_token"] = token
        page = wire.ok_get("batches", params)
        seen += [batch["name"] for batch in page["batches"]]
        pages += 1
        token = page.get("next_token")
        if token is None:
            break
    assert pages == 6 and seen == names[::-1]
    first = scale.v2.get_batches(project_name="p", limit=5)
    assert [batch.name for batch in first.batches] == names[::-1][:5] and first.next_token
    v2_error_of(wire.get("batches", {"project_name": "q", "next_token": first.next_token}), 400)
    v2_error_of(wire.get("batches", {"project_name": "p", "next_token": "garbage"}), 400)
    v2_error_of(wire.get("batches"), 400)
    v2_error_of(wire.get("batches", {"project_name": "p", "limit": 0}), 400)
    v2_error_of(wire.get("batches", {"project_name": "p", "status": "canceled"}), 400)
    v2_error_of(wire.get("batches", {"project_name": "nope"}), 404)


def test_batches_filters(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Status, creation-time and completion-time filters of ``GET /v2/batches``."""
    v1_project(live, "p")
    done = wire.ok_post("batch", {"name": "done", "project_name": "p"})
    task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "done"})
    emu.complete_task(task["task_id"])
    staging = wire.ok_post("batch", {"name": "staged", "project_name": "p", "staging_batch": True})
    completed_at = wire.ok_get("batch", {"batch_id": done["id"]})["completed_at"]

    def names(params: Dict[str, Any]) -> List[str]:
        return [batch["name"] for batch in wire.ok_get("batches", {"project_name": "p", **params})["batches"]]

    assert names({"status": "completed"}) == ["done"]
    assert names({"status": "staging"}) == ["staged"]
    assert names({"created_after": staging["created_at"][:-1] + "000+0000"}) == ["staged"]
    assert names({"created_before": staging["created_at"][:-1] + "000"}) == ["done"]
    assert names({"completed_after": completed_at[:-1] + "000"}) == ["done"]
    assert names({"completed_before": completed_at[:-1] + "000+0000"}) == []
    expanded = wire.ok_get("batches", {"project_name": "p", "expand": "project"})["batches"]
    assert all(batch["project"]["name"] == "p" for batch in expanded)
    v2_error_of(wire.get("batches", {"project_name": "p", "created_after": "soon"}), 400)


def test_set_batch_metadata_replace_and_deep_merge(live: Api, wire: V2Wire, scale: ScaleClient) -> None:
    """Batch metadata: deep merge with arrays replaced, or replacement."""
    v1_project(live, "p")
    batch = wire.ok_post("batch", {"name": "b", "project_name": "p",
                                   "metadata": {"a": {"x": 1, "list": [1, 2]}, "keep": "yes"}})
    merged = scale.v2.set_batch_metadata(SetBatchMetadataRequest(
        batch_id=batch["id"], metadata={"a": {"list": [9], "y": {"deep": True}}}, merge=True))
    assert merged.metadata == {"a": {"x": 1, "list": [9], "y": {"deep": True}}, "keep": "yes"}
    assert live.ok("GET", "batches/b")["metadata"] == merged.metadata
    replaced = wire.ok_post("batch/metadata", {"batch_name": "b", "metadata": {"new": 1}})
    assert replaced["metadata"] == {"new": 1}
    v2_error_of(wire.post("batch/metadata", {"batch_name": "b"}), 400)
    v2_error_of(wire.post("batch/metadata", {"metadata": {}}), 400)
    v2_error_of(wire.post("batch/metadata", {"batch_name": "nope", "metadata": {}}), 404)
    v2_error_of(wire.post("batch/metadata", {"batch_name": "b", "metadata": {}, "merge": 1}), 400)


def test_batches_are_per_account(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Another account's batch is 404."""
    v1_project(live, "p")
    batch = wire.ok_post("batch", {"name": "b", "project_name": "p"})
    other = V2Wire(emu.base, OTHER_KEY)
    try:
        v2_error_of(other.get("batch", {"batch_id": batch["id"]}), 404)
        v2_error_of(other.post("batch/cancel", {"batch_id": batch["id"]}), 404)
    finally:
        other.close()


def test_official_lifecycle_with_our_client(emu: Emulator) -> None:
    """The batch lifecycle ``tests/test_v2_client.py`` of the official client runs, with our client."""
    with sdk_client(emu.url, TEST_KEY) as client:
        client.create_project("scaleapi-python-sdk", "imageannotation")
        projects = client.v2.get_projects()
        assert projects.projects
        name = "scaleapi-python-sdk"
        assert client.v2.get_project(project_name=name).name == name
        assert client.v2.get_batches(project_name=name, limit=5).batches is not None

        def fresh() -> Any:
            return client.v2.create_batch(create_batch_request=CreateBatchRequest(
                name=f"batch-{uuid.uuid4().hex}", project_name=name))

        created = fresh()
        fetched = client.v2.get_batch(batch_id=created.id)
        assert (fetched.id, fetched.name) == (created.id, created.name)
        listed = client.v2.get_batches(project_name=name, limit=10).batches
        assert created.id in [batch.id for batch in listed]
        client.v2.set_batch_metadata(SetBatchMetadataRequest(
            batch_id=created.id, metadata={"flag": True, "text": "x", "when": "2025-01-02T03:04:05Z"}))
        assert client.v2.get_batch(batch_id=created.id).metadata["flag"] is True
        client.v2.finalize_batch(batch_operation_request=BatchOperationRequest(batch_id=created.id))

        cancelled = fresh()
        client.v2.cancel_batch(batch_operation_request=BatchOperationRequest(batch_id=cancelled.id))
        client.v2.get_batch(batch_id=cancelled.id)
        with pytest.raises(v2x.BadRequestException):
            client.v2.resume_batch(batch_operation_request=BatchOperationRequest(batch_id=cancelled.id))

        paused = fresh()
        client.v2.pause_batch(batch_operation_request=BatchOperationRequest(batch_id=paused.id))
        status = client.v2.get_batch(batch_id=paused.id).status.value.lower()
        assert status == "paused"
        client.v2.resume_batch(batch_operation_request=BatchOperationRequest(batch_id=paused.id))
        assert client.v2.get_batch(batch_id=paused.id).status.value == "in_progress"


def test_paused_batch_stays_paused_when_its_last_task_is_completed_by_hand(
        live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Completing a held task through the control API does not end the pause; resuming then completes."""
    v1_project(live, "p")
    batch = wire.ok_post("batch", {"name": "b", "project_name": "p"})
    task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "b"})
    wire.ok_post("batch/pause", {"batch_id": batch["id"]})
    emu.complete_task(task["task_id"])
    assert wire.ok_get("batch", {"batch_id": batch["id"]})["status"] == "paused"
    resumed = wire.ok_post("batch/resume", {"batch_id": batch["id"]})["batch"]
    assert resumed["status"] == "completed" and resumed["completed_at"]
