"""Task endpoints: creation per type, lookup, cancel, audit, unique_id, metadata, tags."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from support.emulator import IMAGE_TASK, Api, error_of

from scaleapi.emulator import Emulator

TYPE_OK: Dict[str, Dict[str, Any]] = {
    "imageannotation": IMAGE_TASK,
    "annotation": {"attachment": "https://e.com/a.png", "attachment_type": "image",
                   "objects_to_annotate": ["baby cow", "big cow"], "min_width": "30", "min_height": "30",
                   "with_labels": True},
    "polygonannotation": {"attachment": "https://e.com/a.png", "objects_to_annotate": ["shape"]},
    "lineannotation": {"attachment": "https://e.com/a.png", "objects_to_annotate": ["lane"]},
    "pointannotation": {"attachment": "https://e.com/a.png", "objects_to_annotate": ["eye"]},
    "categorization": {"instruction": "Is this company public?", "attachment_type": "website",
                       "attachment": "https://www.google.com/", "categories": ["public", "private"],
                       "force": True},
    "transcription": {"instruction": "Transcribe", "attachment_type": "website",
                      "attachment": "https://www.google.com/", "fields": {"title": "Title"},
                      "repeatable_fields": {"products": "Products"}},
    "datacollection": {"instruction": "Find", "attachment_type": "website",
                       "attachment": "https://www.google.com/", "fields": {"ceo": "CEO"}},
    "documenttranscription": {"instruction": "Read", "attachment": "https://e.com/doc.pdf",
                              "features": [{"type": "block", "label": "barcode"}]},
    "namedentityrecognition": {"text": "Example text to label with NER tool",
                               "labels": [{"name": "Label_A", "description": "the first label"}]},
    "textcollection": {"attachments": [{"type": "text", "content": "hi"}],
                       "fields": [{"field_id": "answer", "type": "text", "title": "Answer"}]},
    "segmentannotation": {"attachment": "https://e.com/a.png", "labels": ["road", "sky"]},
    "videoannotation": {"attachment_type": "video", "attachment": "https://e.com/v.mp4",
                        "geometries": {"box": {"objects_to_annotate": ["car"]}}},
    "lidarannotation": {},
    "chat": {"anything": ["goes"]},
}

TYPE_FAIL = [
    ("imageannotation", {"instruction": "x"}, "attachment"),
    ("imageannotation", {"attachment": "https://e.com/a.png"}, "geometries"),
    ("annotation", {"callback_url": "http://x"}, "attachment"),
    ("polygonannotation", {"attachment": "https://e.com/a.png"}, "objects_to_annotate"),
    ("lineannotation", {"instruction": "x"}, "attachment"),
    ("pointannotation", {"attachment": "a"}, "objects_to_annotate"),
    ("categorization", {"callback_url": "http://x", "categories": ["a"]}, "attachment"),
    ("categorization", {"attachment": "a", "attachment_type": "image"}, "taxonomies"),
    ("transcription", {"callback_url": "http://x", "attachment_type": "website"}, "attachment"),
    ("datacollection", {"attachment_type": "website", "attachment": "a"}, "fields"),
    ("documenttranscription", {"instruction": "x"}, "attachment"),
    ("namedentityrecognition", {"text": "hello"}, "labels"),
    ("textcollection", {"fields": [{"field_id": "a"}]}, "attachments"),
    ("segmentannotation", {"attachment": "a"}, "labels"),
    ("videoannotation", {"geometries": {"box": {}}}, "attachment"),
    ("videoannotation", {"attachment": "a"}, "geometries"),
]


def create(api: Api, task_type: str = "imageannotation", **extra: Any) -> Dict[str, Any]:
    """Create a task and return its JSON."""
    body = dict(TYPE_OK.get(task_type, IMAGE_TASK))
    body.update(extra)
    result: Dict[str, Any] = api.ok("POST", f"task/{task_type}", json=body)
    return result


@pytest.mark.parametrize("task_type", sorted(TYPE_OK))
def test_create_each_type_completes_in_test_mode(api: Api, task_type: str) -> None:
    task = create(api, task_type)
    assert re.fullmatch(r"[0-9a-f]{24}", task["task_id"])
    assert task["type"] == task_type
    assert task["status"] == "completed"
    assert task["is_test"] is True
    assert isinstance(task["response"], dict)
    assert task["metadata"] == {}
    assert "unique_id" not in task and "tags" not in task
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", task["created_at"])
    assert task["completed_at"] >= task["created_at"]
    common = {"instruction", "callback_url", "metadata", "unique_id", "project", "batch"}
    assert task["params"] == {k: v for k, v in TYPE_OK[task_type].items() if k not in common}


@pytest.mark.parametrize(("task_type", "body", "missing"), TYPE_FAIL)
def test_create_missing_required_param_is_400_naming_it(
    api: Api, task_type: str, body: Dict[str, Any], missing: str
) -> None:
    message = error_of(api.post(f"task/{task_type}", json=body), 400)
    assert missing in message


def test_textcollection_message_wording(api: Api) -> None:
    message = error_of(api.post("task/textcollection", json={"fields": []}), 400)
    assert message == 'Parameter is invalid, reason: "attachments" is required'


def test_synthetic_responses_follow_the_request(api: Api) -> None:
    image = create(api, "imageannotation")
    labels = sorted(a["label"] for a in image["response"]["annotations"])
    assert labels == ["car", "person"]
    assert all(a["type"] == "box" for a in image["response"]["annotations"])
    assert create(api, "categorization")["response"] == {"category": "public"}
    assert set(create(api, "datacollection")["response"]["fields"]) == {"ceo"}


def test_unknown_type_and_bad_common_params_are_400(api: Api) -> None:
    assert "Unknown task type" in error_of(api.post("task/bogus", json=IMAGE_TASK), 400)
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "metadata": [1]}), 400)
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "tags": "x"}), 400)
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "unique_id": 5}), 400)
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "callback_url": {}}), 400)
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "geometries": "box"}), 400)
    error_of(api.post("task/imageannotation", json=[IMAGE_TASK]), 400)
    big = {"blob": "x" * 11_000}
    assert "10 KB" in error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "metadata": big}), 400)


def test_get_task_and_404(emu: Emulator, api: Api) -> None:
    task = create(api, metadata={"k": "v"}, callback_url="http://www.example.com/callback")
    assert emu.wait_for_callbacks()
    got = api.ok("GET", f"task/{task['task_id']}")
    # The non-loopback callback was refused, so the task records an unsuccessful callback.
    assert got.pop("callback_succeeded") is False
    assert got == task
    assert got["callback_url"] == "http://www.example.com/callback"
    assert got["instruction"] == "Draw boxes"
    response = api.get("task/fake_id_qwertyuiop")
    assert error_of(response, 404) == "Task with that ID not found."


def test_create_in_missing_project_or_batch_is_404(api: Api) -> None:
    in_missing_project = api.post("task/imageannotation", json={**IMAGE_TASK, "project": "nope"})
    assert "Project" in error_of(in_missing_project, 404)
    assert "Batch" in error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "batch": "nope"}), 404)


def test_unique_id_conflict_update_and_clear(api: Api) -> None:
    first = create(api, unique_id="u-1")
    assert first["unique_id"] == "u-1"
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "unique_id": "u-1"}), 409)
    second = create(api)
    error_of(api.post(f"task/{second['task_id']}/unique_id", json={"unique_id": "u-1"}), 409)
    updated = api.ok("POST", f"task/{second['task_id']}/unique_id", json={"unique_id": "u-2"})
    assert updated["unique_id"] == "u-2"
    same = api.ok("POST", f"task/{second['task_id']}/unique_id", json={"unique_id": "u-2"})
    assert same["unique_id"] == "u-2"
    error_of(api.post(f"task/{second['task_id']}/unique_id", json={}), 400)
    error_of(api.post(f"task/{second['task_id']}/unique_id", data=b""), 400)
    json_header = {"Content-Type": "application/json"}
    cleared = api.ok("DELETE", f"task/{first['task_id']}/unique_id", headers=json_header)
    assert "unique_id" not in cleared
    assert "unique_id" not in api.ok("GET", f"task/{first['task_id']}")
    assert create(api, unique_id="u-1")["unique_id"] == "u-1"
    error_of(api.delete("task/nope/unique_id"), 404)


def test_cancel_rules(api: Api, live: Api) -> None:
    done = create(api)
    assert "pending" in error_of(api.post(f"task/{done['task_id']}/cancel"), 400)
    pending = create(live, unique_id="keep-me")
    assert pending["status"] == "pending" and pending["is_test"] is False and "response" not in pending
    json_header = {"Content-Type": "application/json"}
    canceled = live.ok("POST", f"task/{pending['task_id']}/cancel", headers=json_header)
    assert canceled["status"] == "canceled" and canceled["unique_id"] == "keep-me"
    again = live.ok("POST", f"task/{pending['task_id']}/cancel?clear_unique_id=true")
    assert again["status"] == "canceled" and "unique_id" not in again
    other = create(live, unique_id="drop-me")
    cleared = live.ok("POST", f"task/{other['task_id']}/cancel?clear_unique_id=true")
    assert "unique_id" not in cleared
    assert create(live, unique_id="drop-me")["unique_id"] == "drop-me"
    error_of(live.post("task/000000000000000000000000/cancel"), 404)
    error_of(live.post(f"task/{other['task_id']}/cancel?clear_unique_id=maybe"), 400)


def test_audit(api: Api, live: Api) -> None:
    task = create(api)
    audited = api.ok("POST", f"task/{task['task_id']}/audit", json={"accepted": False, "comments": "bad"})
    assert audited["customer_review_status"] == "rejected"
    assert audited["audits"][0]["audit_result"] == "rejected"
    assert audited["audits"][0]["audit_source"] == "customer"
    again = api.ok("POST", f"task/{task['task_id']}/audit", json={"accepted": True, "comments": None})
    assert again["customer_review_status"] == "accepted" and len(again["audits"]) == 2
    error_of(api.post(f"task/{task['task_id']}/audit", json={"comments": "no verdict"}), 400)
    error_of(api.post(f"task/{task['task_id']}/audit", json={"accepted": "yes"}), 400)
    pending = create(live)
    error_of(live.post(f"task/{pending['task_id']}/audit", json={"accepted": True, "comments": None}), 400)
    error_of(api.post("task/nope/audit", json={"accepted": True}), 404)


def test_set_metadata_replaces_and_empty_body_clears(api: Api) -> None:
    task = create(api, metadata={"a": 1})
    path = f"task/{task['task_id']}/setMetadata"
    assert api.ok("POST", path, json={"b": 2})["metadata"] == {"b": 2}
    assert api.ok("GET", f"task/{task['task_id']}")["metadata"] == {"b": 2}
    # The official client drops a falsy body: {} arrives as an empty POST.
    cleared = api.ok("POST", path, data=b"", headers={"Content-Type": "application/json"})
    assert cleared["metadata"] == {}
    error_of(api.post(path, json=["not", "an", "object"]), 400)
    error_of(api.post(path, json={"x": "y" * 10_300}), 400)
    error_of(api.post("task/nope/setMetadata", json={}), 404)


def test_tags_set_add_delete(api: Api) -> None:
    task = create(api)
    tid = task["task_id"]
    assert "tags" not in api.ok("GET", f"task/{tid}")
    three = ["tag1", "tag2", "tag3"]
    assert api.ok("POST", f"task/{tid}/tags", json=three)["tags"] == three
    assert api.ok("GET", f"task/{tid}")["tags"] == ["tag1", "tag2", "tag3"]
    assert api.ok("PUT", f"task/{tid}/tags", json=["tag2", "tag4"])["tags"] == [*three, "tag4"]
    assert api.ok("DELETE", f"task/{tid}/tags", json=["tag1", "tag2", "nope"])["tags"] == ["tag3", "tag4"]
    assert api.ok("POST", f"task/{tid}/tags", data=b"")["tags"] == []
    fresh = create(api)["task_id"]
    assert api.ok("PUT", f"task/{fresh}/tags", json=["a", "b", "a"])["tags"] == ["a", "b"]
    error_of(api.post(f"task/{tid}/tags", json={"tags": ["x"]}), 400)
    error_of(api.post(f"task/{tid}/tags", json=["ok", 3]), 400)
    error_of(api.put("task/nope/tags", json=["x"]), 404)


def test_tags_on_create(api: Api) -> None:
    task = create(api, tags=["x", "y"])
    assert task["tags"] == ["x", "y"]


def test_live_tasks_stay_pending_until_completed_or_failed(emu: Emulator, live: Api) -> None:
    task = create(live)
    assert task["status"] == "pending"
    done = emu.complete_task(task["task_id"], {"annotations": ["mine"]})
    assert done["status"] == "completed" and done["response"] == {"annotations": ["mine"]}
    assert live.ok("GET", f"task/{task['task_id']}")["response"] == {"annotations": ["mine"]}
    other = create(live)
    failed = emu.fail_task(other["task_id"], "unreadable attachment")
    assert failed["status"] == "error" and failed["error"] == "unreadable attachment"
    assert "pending" in error_of(live.post(f"task/{other['task_id']}/cancel"), 400)


def test_project_params_are_inherited_and_versioned(api: Api) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "p", "params": {
        "instruction": "Project instruction", "geometries": {"box": {"objects_to_annotate": ["tree"]}}}})
    task = api.ok("POST", "task/imageannotation", json={"project": "p", "attachment": "https://e.com/x.png"})
    assert task["project"] == "p"
    assert task["instruction"] == "Project instruction"
    assert task["params"]["geometries"] == {"box": {"objects_to_annotate": ["tree"]}}
    assert task["project_param_version"] == 0
    api.ok("POST", "projects/p/setParams", json={"patch": True, "instruction": "v1"})
    newer = api.ok("POST", "task/imageannotation", json={"project": "p", "attachment": "a"})
    assert newer["instruction"] == "v1" and newer["project_param_version"] == 1
    in_p = {"project": "p", "attachment": "a"}
    pinned = api.ok("POST", "task/imageannotation", json={**in_p, "project_version": 0})
    assert pinned["instruction"] == "Project instruction"
    skipped = api.post("task/imageannotation", json={**in_p, "project_version": -1})
    assert "geometries" in error_of(skipped, 400)
    error_of(api.post("task/imageannotation", json={**in_p, "project_version": 7}), 400)


def test_batch_placement(api: Api) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "p1"})
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "p2"})
    api.ok("POST", "batches", json={"project": "p1", "name": "b1"})
    task = create(api, batch="b1")
    assert task["project"] == "p1" and task["batch"] == "b1"
    error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "batch": "b1", "project": "p2"}), 400)
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "rapid", "rapid": True})
    assert "batch" in error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "project": "rapid"}), 400)


@pytest.mark.parametrize("kind", ["evaluation_tasks", "training_tasks"])
def test_quality_tasks(api: Api, kind: str) -> None:
    body = {**IMAGE_TASK, "expected_response": {"annotations": []}}
    created = api.ok("POST", f"{kind}/imageannotation", json=body)
    assert re.fullmatch(r"[0-9a-f]{24}", created["id"])
    assert created["expected_response"] == {"annotations": []}
    assert "initial_response" not in created
    with_initial = {**body, "initial_response": {"annotations": [1]}}
    review = api.ok("POST", f"{kind}/imageannotation", json=with_initial)
    assert review["initial_response"] == {"annotations": [1]}
    assert "expected_response" in error_of(api.post(f"{kind}/imageannotation", json=IMAGE_TASK), 400)
    error_of(api.post(f"{kind}/imageannotation", json={**body, "project": "missing"}), 404)
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "std"})
    error_of(api.post(f"{kind}/imageannotation", json={**body, "project": "std"}), 400)
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "fast", "rapid": True})
    assert api.ok("POST", f"{kind}/imageannotation", json={**body, "project": "fast"})["project"] == "fast"
    error_of(api.post(f"{kind}/notatype", json=body), 400)
    # Required params are not enforced (on Rapid they come from the project); shapes still are.
    api.ok("POST", "projects", json={"type": "textcollection", "name": "tc", "rapid": True,
                                     "params": {"fields": [{"field_id": "a", "type": "text"}]}})
    only_attachments = {"project": "tc", "attachments": [{"type": "image", "content": "https://e.com/i.jpg"}],
                        "expected_response": {"annotations": {}}}
    inherited = api.ok("POST", f"{kind}/textcollection", json=only_attachments)
    assert inherited["params"]["fields"] == [{"field_id": "a", "type": "text"}]
    error_of(api.post(f"{kind}/textcollection", json={**only_attachments, "attachments": "nope"}), 400)
