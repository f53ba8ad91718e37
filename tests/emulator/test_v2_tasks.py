"""/v2 tasks and annotations over real HTTP: our SDK's ``client.v2`` and, where the wire matters, requests
(the live-mode ones are in test_v2_tasks_live.py)."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from support.emulator import IMAGE_TASK, LIVE_KEY, OTHER_KEY, TEST_KEY, Api
from support.one_of import held
from support.v2_emulator import V2Wire, v1_project, v2_error_of

from scaleapi import ScaleClient
from scaleapi.api_client.v2 import BaseAnnotation, Batch, Project
from scaleapi.api_client.v2 import exceptions as v2x
from scaleapi.api_client.v2.models.set_task_metadata_request import SetTaskMetadataRequest
from scaleapi.emulator import Emulator
from scaleapi.exceptions import ScaleInvalidRequest, ScaleResourceNotFound

ANNOTATION_TYPES = {"boolean", "integer", "text", "category", "category_multiple", "file", "labeled_text",
                    "ranked_choices"}


def _all_annotations(task: Dict[str, Any]) -> List[Dict[str, Any]]:
    found: List[Dict[str, Any]] = []
    for thread in task["threads"]:
        found += thread["annotations"]
        for turn in thread["turns"]:
            found += turn["annotations"]
            for message in turn["messages"]:
                found += message["annotations"]
    return found


def test_completed_task_has_content_the_client_reads(api: Api, scale: ScaleClient, wire: V2Wire) -> None:
    """A completed task reads as threads → turns → messages with annotations, lean by default."""
    project = v1_project(api, "img")
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    raw = wire.ok_get("task", {"task_id": task["task_id"]})
    assert raw["task_id"] == task["task_id"] and raw["status"] == "completed"
    assert raw["project"] == project["id"]
    assert "batch" not in raw and raw["completed_at"].endswith("Z")
    (thread,) = raw["threads"]
    roles = [message["role"] for message in thread["turns"][0]["messages"]]
    assert roles == ["user", "assistant"]
    annotations = _all_annotations(raw)
    assert {item["type"] for item in annotations} <= ANNOTATION_TYPES
    files = [item for item in annotations if item["type"] == "file"]
    assert files and all(isinstance(item["value"], list) for item in files)
    labels = [item for item in annotations if item["type"] == "category_multiple"]
    assert set(labels[0]["value"]) <= {"car", "person"}
    # Lean form: no details, no attachments, no model parameters or submissions unless asked.
    assert all("title" not in item and "possible_values" not in item for item in annotations)
    text = json.dumps(raw)
    assert "attachments" not in text and "model_parameters" not in text and "submissions" not in text
    model = scale.v2.get_task(task["task_id"])
    assert model.task_id == task["task_id"]
    assert model.threads is not None and model.threads[0].turns[0].messages[1].role.value == "assistant"
    # Deterministic per task id.
    assert wire.ok_get("task", {"task_id": task["task_id"]}) == raw


def test_content_fits_the_project_type(api: Api, wire: V2Wire) -> None:
    """A text project's task gets text-like annotations and its instruction as the first message."""
    v1_project(api, "chatty", "textcollection")
    task = api.ok("POST", "task/textcollection", json={
        "project": "chatty", "instruction": "Write", "attachments": [{"type": "text", "content": "Hi"}],
        "fields": [{"field_id": "a", "type": "text"}]})
    raw = wire.ok_get("task", {"task_id": task["task_id"]})
    kinds = {item["type"] for item in _all_annotations(raw)}
    assert {"text", "labeled_text", "ranked_choices"} <= kinds and "file" not in kinds
    assert raw["threads"][0]["turns"][0]["messages"][0]["content"]["text"] == "Write"


def test_expand_and_opts(api: Api, scale: ScaleClient, wire: V2Wire) -> None:
    """``expand`` replaces ids by objects; each ``opts`` value adds its part; unknown values are 400."""
    project = v1_project(api, "img")
    batch = api.ok("POST", "batches", json={"project": "img", "name": "b1"})
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img", "batch": "b1"})
    lean = wire.ok_get("task", {"task_id": task["task_id"]})
    assert lean["project"] == project["id"] and lean["batch"] == batch["id"]
    full = wire.ok_get("task", [("task_id", task["task_id"]), ("expand", "project"), ("expand", "batch"),
                                ("opts", "annotation_details"), ("opts", "attachment_details"),
                                ("opts", "model_parameters"), ("opts", "submissions")])
    assert full["project"] == {"id": project["id"], "name": "img", "created_at": project["created_at"],
                               "types": ["imageannotation"], "models": []}
    assert full["batch"]["id"] == batch["id"] and full["batch"]["project"] == project["id"]
    assert full["batch"]["status"] == "completed"
    thread = full["threads"][0]
    assert thread["submissions"][0]["submitted_at"] == task["completed_at"]
    user, assistant = thread["turns"][0]["messages"]
    assert user["content"]["attachments"] == [
        {"url": IMAGE_TASK["attachment"], "name": "image.png", "mime_type": "image/png"}]
    assert assistant["model_parameters"]["model"]
    assert all("title" in item for item in _all_annotations(full))
    assert [item["id"] for item in _all_annotations(full)] == [item["id"] for item in _all_annotations(lean)]
    model = scale.v2.get_task(task["task_id"], expand=["project", "batch"], opts=["model_parameters"])
    assert held(model.project, Project).name == "img"
    assert held(model.batch, Batch).name == "b1"
    v2_error_of(wire.get("task", {"task_id": task["task_id"], "expand": "delivery"}), 400)
    v2_error_of(wire.get("task", {"task_id": task["task_id"], "opts": "everything"}), 400)


def test_get_task_errors(api: Api, wire: V2Wire, scale: ScaleClient, emu: Emulator) -> None:
    """Missing id 400, unknown or another account's task 404 (in both exception families)."""
    v1_project(api, "img")
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    v2_error_of(wire.get("task"), 400)
    v2_error_of(wire.get("task", {"task_id": "0" * 24}), 404)
    with pytest.raises(v2x.NotFoundException) as caught:
        scale.v2.get_task("0" * 24)
    assert isinstance(caught.value, ScaleResourceNotFound) and caught.value.status == 404
    other = V2Wire(emu.base, OTHER_KEY)
    v2_error_of(other.get("task", {"task_id": task["task_id"]}), 404)
    other.close()


def test_paging_across_many_pages(api: Api, scale: ScaleClient, wire: V2Wire, emu: Emulator) -> None:
    """``next_token`` walks every task once, newest first, and is absent on the last page."""
    v1_project(api, "img")
    v1_project(api, "other")
    emu.seed_tasks(TEST_KEY, 250, project="img")
    emu.seed_tasks(TEST_KEY, 3, project="other")
    seen: List[str] = []
    token = None
    pages = 0
    while True:
        params = {"project_name": "img", "limit": 40}
        if token:
            params["next_token"] = token
        page = wire.ok_get("tasks", params)
        pages += 1
        seen += [task["task_id"] for task in page["tasks"]]
        token = page.get("next_token")
        assert token != ""
        if token is None:
            break
    assert pages == 7 and len(seen) == len(set(seen)) == 250
    listed = list(scale.v2_get_tasks(project_name="img", limit=100))
    assert [task.task_id for task in listed] == seen
    v1_order = [task["task_id"] for task in api.ok("GET", "tasks", params={"project": "img"})["docs"]]
    assert seen[:100] == v1_order
    # The last page carries no next_token at all; an exact multiple ends without an empty page.
    page = wire.ok_get("tasks", {"project_name": "other", "limit": 3})
    assert len(page["tasks"]) == 3 and "next_token" not in page
    assert len(wire.ok_get("tasks", {"project_name": "img"})["tasks"]) == 100


@pytest.mark.parametrize("params", [
    {}, {"status": "completed"}, {"project_name": "img", "status": "done"},
    {"project_name": "img", "limit": "0"}, {"project_name": "img", "limit": "101"},
    {"project_name": "img", "limit": "x"}, {"project_name": "img", "completed_after": "yesterday"},
    {"project_name": "img", "next_token": "forged"}, {"project_name": "img", "next_token": "eyJhIjoxfQ"},
])
def test_list_bad_queries_are_400(api: Api, wire: V2Wire, params: Dict[str, Any]) -> None:
    """No project/batch filter, bad status, limit, datetime or token: 400."""
    v1_project(api, "img")
    v2_error_of(wire.get("tasks", params), 400)


def test_list_unknown_filters_are_404_and_tokens_are_tied_to_their_query(
        api: Api, wire: V2Wire, emu: Emulator) -> None:
    """Unknown filters are 404; a token only continues its own query."""
    v1_project(api, "img")
    v1_project(api, "other")
    emu.seed_tasks(TEST_KEY, 3, project="img")
    v2_error_of(wire.get("tasks", {"project_name": "nope"}), 404)
    v2_error_of(wire.get("tasks", {"batch_id": "nope"}), 404)
    token = wire.ok_get("tasks", {"project_name": "img", "limit": 1})["next_token"]
    v2_error_of(wire.get("tasks", {"project_name": "other", "next_token": token}), 400)
    assert len(wire.ok_get("tasks", {"project_name": "img", "limit": 1, "next_token": token})["tasks"]) == 1


def test_set_task_metadata_replace_and_deep_merge(api: Api, scale: ScaleClient, wire: V2Wire) -> None:
    """``merge`` deep-merges (arrays replaced); without it the metadata is replaced."""
    v1_project(api, "img")
    task = api.ok("POST", "task/imageannotation", json={
        **IMAGE_TASK, "project": "img", "metadata": {"a": {"x": 1, "y": [1, 2]}, "keep": True}})
    merged = scale.v2.set_task_metadata(SetTaskMetadataRequest(
        task_id=task["task_id"], metadata={"a": {"y": [3], "z": "new"}, "b": 2}, merge=True))
    assert merged.metadata == {"a": {"x": 1, "y": [3], "z": "new"}, "keep": True, "b": 2}
    assert api.ok("GET", f"task/{task['task_id']}")["metadata"] == merged.metadata
    replaced = wire.ok_post("task/metadata", {"task_id": task["task_id"], "metadata": {"only": 1}})
    assert replaced["metadata"] == {"only": 1} and replaced["threads"]
    assert wire.ok_get("task", {"task_id": task["task_id"]})["metadata"] == {"only": 1}
    v2_error_of(wire.post("task/metadata", {"task_id": task["task_id"]}), 400)
    v2_error_of(wire.post("task/metadata", {"metadata": {}}), 400)
    v2_error_of(wire.post("task/metadata", {"task_id": task["task_id"], "metadata": {}, "merge": "yes"}), 400)
    v2_error_of(wire.post("task/metadata", {"task_id": "0" * 24, "metadata": {}}), 404)
    with pytest.raises(ScaleInvalidRequest):  # over 10 KB: refused by the server with a 400
        too_big = {"x": "y" * 11000}
        scale.v2.set_task_metadata(SetTaskMetadataRequest(task_id=task["task_id"], metadata=too_big))


def test_get_annotation(api: Api, scale: ScaleClient, wire: V2Wire, live: Api) -> None:
    """Every annotation id of a completed task is found; anything else is 404."""
    v1_project(api, "img")
    task = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    detailed = wire.ok_get("task", {"task_id": task["task_id"], "opts": "annotation_details"})
    annotations = _all_annotations(detailed)
    for item in annotations:
        assert wire.ok_get("annotation", {"annotation_id": item["id"]}) == item
    model = scale.v2.get_annotation(annotations[0]["id"])
    assert held(model, BaseAnnotation).id == annotations[0]["id"]
    v2_error_of(wire.get("annotation"), 400)
    v2_error_of(wire.get("annotation", {"annotation_id": "nope"}), 404)
    v2_error_of(wire.get("annotation", {"annotation_id": f"ann_{task['task_id']}_999"}), 404)
    v2_error_of(wire.get("annotation", {"annotation_id": f"ann_{'0' * 24}_1"}), 404)
    # A pending task has no annotations yet.
    v1_project(live, "img")
    pending = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "img"})
    live_wire = V2Wire(wire.base[:-3], LIVE_KEY)
    v2_error_of(live_wire.get("annotation", {"annotation_id": f"ann_{pending['task_id']}_1"}), 404)
    live_wire.close()
