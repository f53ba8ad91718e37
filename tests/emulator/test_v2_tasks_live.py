"""/v2 tasks in live mode (tasks stay pending until completed) over real HTTP: unfinished, errored and
canceled tasks, the list filters, and creating chat tasks."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from support.emulator import IMAGE_TASK, LIVE_KEY, Api
from support.v2_emulator import V2Wire, v1_project, v2_error_of

from scaleapi import ScaleClient
from scaleapi.api_client.v2.models.create_chat_task_request import CreateChatTaskRequest
from scaleapi.emulator import Emulator


@pytest.fixture
def v2_key() -> str:
    """Live mode for conftest's ``wire`` and ``scale``: tasks stay pending until completed."""
    return LIVE_KEY


def test_pending_error_and_canceled_tasks(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Unfinished tasks have empty threads; errored ones carry ``errors``; completing adds content."""
    v1_project(live, "img")
    pending = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    failing = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    canceled = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    emu.fail_task(failing["task_id"], "cannot do")
    live.ok("POST", f"task/{canceled['task_id']}/cancel")
    raw = wire.ok_get("task", {"task_id": pending["task_id"]})
    assert raw["status"] == "pending" and raw["threads"] == [] and "completed_at" not in raw
    raw = wire.ok_get("task", {"task_id": failing["task_id"]})
    assert raw["status"] == "error" and raw["threads"] == []
    assert raw["errors"] == [{"type": "PROMPT_INFEASIBLE", "message": "cannot do"}]
    assert wire.ok_get("task", {"task_id": canceled["task_id"]})["status"] == "canceled"
    # Completing through the control API gives it content.
    emu.complete_task(pending["task_id"])
    raw = wire.ok_get("task", {"task_id": pending["task_id"]})
    assert raw["status"] == "completed" and raw["threads"][0]["turns"]


def test_list_filters(api: Api, live: Api, wire: V2Wire, emu: Emulator) -> None:
    """Batch, project, status and completion-time filters, with both datetime forms."""
    project = v1_project(live, "img")
    batch = live.ok("POST", "batches", json={"project": "img", "name": "b1"})
    in_batch = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img", "batch": "b1"})
    loose = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    emu.complete_task(loose["task_id"])
    done = emu.complete_task(in_batch["task_id"])

    def ids(params: Dict[str, Any]) -> List[str]:
        return [task["task_id"] for task in wire.ok_get("tasks", params)["tasks"]]

    assert ids({"batch_id": batch["id"]}) == [in_batch["task_id"]]
    assert ids({"batch_name": "b1", "project_id": project["id"]}) == [in_batch["task_id"]]
    completed_ids = ids({"project_id": project["id"], "status": "completed"})
    assert set(completed_ids) == {in_batch["task_id"], loose["task_id"]}
    assert ids({"project_id": project["id"], "status": "pending"}) == []
    assert ids({"project_id": project["id"], "status": "deleted"}) == []
    # Both datetime forms of the official client; a naive value is UTC.
    completed = done["completed_at"]
    aware = completed[:-1] + "000+0000"
    naive = completed[:-1] + "000"
    assert ids({"batch_name": "b1", "completed_after": aware}) == [in_batch["task_id"]]
    assert ids({"batch_name": "b1", "completed_after": naive}) == [in_batch["task_id"]]
    assert ids({"batch_name": "b1", "completed_before": naive}) == []
    far = "2999-01-01T00:00:00.000000+0200"
    assert ids({"batch_name": "b1", "completed_before": far}) == [in_batch["task_id"]]
    del api


def test_create_chat_task_renders_the_template(api: Api, scale: ScaleClient, live: Api,
                                               emu: Emulator) -> None:
    """The project's ``chat_template`` filled with the variables is the first user message."""
    project = v1_project(live, "chat", "chat", {"chat_template": "Tell me about {{topic}} in {{ n }} words."})
    live.ok("POST", "batches", json={"project": "chat", "name": "cb"})
    task = scale.v2.create_chat_task(CreateChatTaskRequest(
        project_id=project["id"], batch_name="cb", template_variables={"topic": "owls", "n": 5},
        metadata={"k": "v"},
    ))
    assert task.status.value == "pending" and task.threads == []
    assert task.metadata == {"k": "v"}
    # v1 sees the same task, in its own shape.
    v1_task = live.ok("GET", f"task/{task.task_id}")
    assert v1_task["project"] == "chat" and v1_task["batch"] == "cb" and v1_task["type"] == "chat"
    assert v1_task["params"]["first_message"] == "Tell me about owls in 5 words."
    emu.complete_task(task.task_id)
    done = scale.v2.get_task(task.task_id)
    assert done.threads is not None
    first = done.threads[0].turns[0].messages[0]
    assert first.role.value == "user" and first.content.text == "Tell me about owls in 5 words."
    del api


def test_create_chat_task_without_template_and_errors(live: Api, wire: V2Wire) -> None:
    """Without a template the variables are listed; bad placement or body is 400/404."""
    v1_project(live, "chat", "chat")
    v1_project(live, "other", "chat")
    live.ok("POST", "batches", json={"project": "other", "name": "ob"})
    variables = {"a": "x", "b": [1]}
    task = wire.ok_post("task/chat", {"project_name": "chat", "template_variables": variables})
    v1_task = live.ok("GET", f"task/{task['task_id']}")
    assert v1_task["params"]["first_message"] == 'a: x\nb: [1]'
    assert task["threads"] == [] and task["status"] == "pending"
    v2_error_of(wire.post("task/chat", {"template_variables": {}}), 400)
    v2_error_of(wire.post("task/chat", {"project_name": "nope"}), 404)
    v2_error_of(wire.post("task/chat", {"project_name": "chat", "batch_name": "ob"}), 400)
    v2_error_of(wire.post("task/chat", {"project_name": "chat", "batch_name": "nope"}), 404)
    v2_error_of(wire.post("task/chat", {"project_name": "chat", "template_variables": [1]}), 400)
    v2_error_of(wire.post("task/chat", [1]), 400)
