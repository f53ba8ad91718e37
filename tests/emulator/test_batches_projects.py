"""Batches and projects: creation, status, finalize, listing, metadata, params, templates."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from support.emulator import IMAGE_TASK, Api, error_of

from scaleapi.emulator import Emulator


def make_project(api: Api, name: str = "proj", **extra: Any) -> Dict[str, Any]:
    """Create a project with the exact body the official client sends."""
    body = {"type": "imageannotation", "name": name, "params": None, "rapid": False, "studio": False,
            "datasetId": None, **extra}
    result: Dict[str, Any] = api.ok("POST", "projects", json=body)
    return result


def make_batch(api: Api, name: str, project: str = "proj", **extra: Any) -> Dict[str, Any]:
    """Create a batch with all six keys, as the official client does."""
    body = {"project": project, "name": name, "calibration_batch": False, "self_label_batch": False,
            "callback": "", "metadata": {}, **extra}
    result: Dict[str, Any] = api.ok("POST", "batches", json=body)
    return result


def test_project_create_get_list_and_errors(api: Api) -> None:
    project = make_project(api)
    assert project["name"] == "proj" and project["type"] == "imageannotation"
    assert project["param_history"] == [{"version": 0, "created_at": project["created_at"]}]
    assert api.ok("GET", "projects/proj") == project
    make_project(api, "second", params={"instruction": "hi"}, studio=True)
    listed = api.ok("GET", "projects")
    assert [p["name"] for p in listed] == ["proj", "second"]
    assert listed[1]["param_history"][0]["instruction"] == "hi" and listed[1]["studio"] is True
    error_of(api.post("projects", json={"type": "imageannotation", "name": "proj"}), 409)
    error_of(api.post("projects", json={"type": "nope", "name": "x"}), 400)
    assert "type" in error_of(api.post("projects", json={"name": "x"}), 400)
    assert "name" in error_of(api.post("projects", json={"type": "imageannotation"}), 400)
    error_of(api.post("projects", json={"type": "imageannotation", "name": "x", "params": [1]}), 400)
    error_of(api.post("projects", json={"type": "imageannotation", "name": "x", "rapid": "yes"}), 400)
    error_of(api.get("projects/missing"), 404)


def test_set_params_versions(api: Api) -> None:
    make_project(api, params={"instruction": "v0", "with_labels": True})
    patched = api.ok("POST", "projects/proj/setParams", json={"patch": True, "instruction": "v1"})
    assert patched["param_history"][-1]["version"] == 1
    assert patched["param_history"][-1]["instruction"] == "v1"
    assert patched["param_history"][-1]["with_labels"] is True
    replaced = api.ok("POST", "projects/proj/setParams", json={"patch": False, "instruction": "v2"})
    last = replaced["param_history"][-1]
    assert last["version"] == 2 and last["instruction"] == "v2" and "with_labels" not in last
    assert [entry["version"] for entry in api.ok("GET", "projects/proj")["param_history"]] == [0, 1, 2]
    error_of(api.post("projects/missing/setParams", json={"instruction": "x"}), 404)
    error_of(api.post("projects/proj/setParams", json={"patch": "maybe"}), 400)


def test_task_templates(api: Api) -> None:
    make_project(api, "chatty", type="chat", params={"template_variables": {"lang": "en"},
                                                     "response_schema": {"type": "object"}})
    template = api.ok("GET", "projects/chatty/taskTemplates")
    assert template["template_variables"] == {"lang": "en"}
    assert template["response_schema"] == {"type": "object"}
    assert template["auto_onboard_enabled"] is False
    assert {"id", "version", "created_at", "updated_at"} <= set(template)
    make_project(api, "texty", type="textcollection")
    assert api.ok("GET", "projects/texty/taskTemplates")["template_variables"] == {}
    make_project(api)
    assert "textcollection" in error_of(api.get("projects/proj/taskTemplates"), 400)
    error_of(api.get("projects/missing/taskTemplates"), 404)


def test_batch_lifecycle_standard_project(emu: Emulator, api: Api, live: Api) -> None:
    make_project(live)
    batch = make_batch(live, "b1", metadata={"some_key": "some_value"})
    assert batch["status"] == "in_progress" and batch["project"] == "proj"
    assert batch["metadata"] == {"some_key": "some_value"}
    assert live.ok("POST", "batches/b1/finalize")["status"] == "in_progress"
    assert live.ok("GET", "batches/b1/status") == {
        "status": "in_progress", "pending": 0, "completed": 0, "error": 0, "canceled": 0}
    in_batch = {**IMAGE_TASK, "batch": "b1"}
    ids = [live.ok("POST", "task/imageannotation", json=in_batch)["task_id"] for _ in range(3)]
    live.ok("POST", f"task/{ids[0]}/cancel")
    emu.complete_task(ids[1])
    assert live.ok("GET", "batches/b1/status") == {
        "status": "in_progress", "pending": 1, "completed": 1, "error": 0, "canceled": 1}
    emu.fail_task(ids[2], "broken")
    done = live.ok("GET", "batches/b1")
    assert done["status"] == "completed" and "completed_at" in done
    assert live.ok("GET", "batches/b1/status")["error"] == 1
    # A new pending task re-opens the batch.
    live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "batch": "b1"})
    assert live.ok("GET", "batches/b1")["status"] == "in_progress"
    assert api.ok("GET", "teams")  # the test-mode account is a different one
    error_of(api.get("batches/b1"), 404)


def test_batch_staging_for_rapid_and_studio(api: Api) -> None:
    make_project(api, "rapid", rapid=True)
    make_project(api, "studio", studio=True)
    assert make_batch(api, "r1", project="rapid")["status"] == "staging"
    assert make_batch(api, "s1", project="studio")["status"] == "staging"
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "batch": "r1"})
    assert api.ok("GET", "batches/r1")["status"] == "staging"
    finalized = api.ok("POST", "batches/r1/finalize", headers={"Content-Type": "application/json"})
    # Its only task completed at creation (test mode), so finalizing completes the batch.
    assert finalized["status"] == "completed"
    assert api.ok("POST", "batches/s1/finalize")["status"] == "in_progress"


def test_batch_errors(api: Api) -> None:
    make_project(api)
    make_batch(api, "b1")
    error_of(api.post("batches", json={"project": "proj", "name": "b1"}), 409)
    assert "project" in error_of(api.post("batches", json={"name": "b2"}), 400)
    assert "name" in error_of(api.post("batches", json={"project": "proj"}), 400)
    error_of(api.post("batches", json={"project": "missing", "name": "b3"}), 404)
    error_of(api.post("batches", json={"project": "proj", "name": "b4", "metadata": "x"}), 400)
    error_of(api.post("batches", json={"project": "proj", "name": "b5", "calibration_batch": 1}), 400)
    for path in ("batches/missing", "batches/missing/status"):
        error_of(api.get(path), 404)
    error_of(api.post("batches/missing/finalize"), 404)
    error_of(api.post("batches/missing/setMetadata", json={}), 404)


def test_batch_set_metadata(api: Api) -> None:
    make_project(api)
    make_batch(api, "b1", metadata={"old": 1})
    updated = api.ok("POST", "batches/b1/setMetadata", json={"new_key": "new_value"})
    assert updated["metadata"] == {"new_key": "new_value"}
    assert api.ok("POST", "batches/b1/setMetadata", data=b"")["metadata"] == {}
    error_of(api.post("batches/b1/setMetadata", json=[1]), 400)


def test_batch_names_with_slashes_and_spaces(api: Api) -> None:
    make_project(api, "my project/1")
    make_batch(api, "b 1/x", project="my project/1")
    assert api.ok("GET", "batches/b%201%2Fx")["name"] == "b 1/x"
    assert api.ok("POST", "batches/b%201%2Fx/finalize")["name"] == "b 1/x"
    assert api.ok("GET", "projects/my%20project%2F1")["name"] == "my project/1"
    assert api.ok("GET", "batches/b%201%2Fx/status")["status"] == "in_progress"
    error_of(api.get("batches/b%201/x"), 404)
    # "." and ".." can't be addressed (clients drop dot segments), so they are refused as names.
    for dots in (".", ".."):
        error_of(api.post("batches", json={"project": "my project/1", "name": dots}), 400)
        error_of(api.post("projects", json={"type": "imageannotation", "name": dots}), 400)


def test_batch_listing_offset_pages(api: Api) -> None:
    make_project(api, "pa")
    make_project(api, "pb")
    names = []
    for i in range(23):
        names.append(make_batch(api, f"b{i:02d}", project="pa" if i % 2 else "pb")["name"])
    first = api.ok("GET", "batches", params={"limit": 3})
    assert [b["name"] for b in first["docs"]] == ["b22", "b21", "b20"]
    assert first["totalDocs"] == first["total"] == 23 and first["has_more"] is True
    seen: List[str] = []
    offset = 0
    while True:
        params = {"project": "pa", "offset": offset, "exclude_archived": "False"}
        page = api.ok("GET", "batches", params=params)
        seen.extend(b["name"] for b in page["docs"])
        assert page["totalDocs"] == 11
        if not page["has_more"]:
            break
        offset += page["limit"]
    assert seen == [n for n in reversed(names) if int(n[1:]) % 2]
    paged: List[str] = []
    for offset in range(0, 11, 4):
        paged.extend(b["name"] for b in api.ok("GET", "batches", params={
            "project": "pa", "limit": 4, "offset": offset})["docs"])
    assert paged == seen
    assert api.ok("GET", "batches", params={"status": "completed"})["totalDocs"] == 0
    assert api.ok("GET", "batches", params={"status": "in_progress", "limit": 1})["totalDocs"] == 23
    created = first["docs"][0]["created_at"]
    assert api.ok("GET", "batches", params={"start_time": created})["totalDocs"] >= 1
    assert api.ok("GET", "batches", params={"end_time": "2000-01-01"})["totalDocs"] == 0


@pytest.mark.parametrize("params", [
    {"limit": "0"}, {"limit": "101"}, {"offset": "-1"}, {"status": "paused"}, {"start_time": "soon"},
    {"exclude_archived": "sometimes"},
])
def test_batch_listing_bad_params(api: Api, params: Dict[str, str]) -> None:
    error_of(api.get("batches", params=params), 400)
