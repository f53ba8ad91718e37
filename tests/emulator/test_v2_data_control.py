"""Creating deliveries, datasets and schemas: the control API (/_emulator/v2/...) and the Emulator methods."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from support.emulator import IMAGE_TASK, LIVE_KEY, OTHER_KEY, TEST_KEY, Api, error_of

from scaleapi.emulator import Emulator
from scaleapi.emulator.rules.errors import ApiError


def make_project(api: Api, name: str = "p") -> Dict[str, Any]:
    """A v1 project (returns its document)."""
    return dict(api.ok("POST", "projects", json={"type": "imageannotation", "name": name}))


def make_tasks(api: Api, project: str, count: int) -> List[str]:
    """``count`` tasks of ``project`` (completed at creation under a test key); their ids."""
    return [api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": project})["task_id"]
            for _ in range(count)]


def test_deliver_takes_every_completed_task_not_delivered_before(emu: Emulator, api: Api) -> None:
    """The first delivery takes all completed tasks; the next one only the new ones; then nothing is left."""
    project = make_project(api)
    first_ids = make_tasks(api, "p", 3)
    first = emu.deliver(TEST_KEY, "p", name="week 1")
    assert first["name"] == "week 1" and first["task_count"] == 3 and first["project"] == project["id"]
    assert isinstance(first["id"], str) and first["delivered_at"].endswith("Z")
    make_tasks(api, "p", 2)
    second = emu.deliver(TEST_KEY, project["id"])
    assert second["task_count"] == 2 and second["name"] == "delivery-2"
    with pytest.raises(ApiError) as err:
        emu.deliver(TEST_KEY, "p")
    assert err.value.status == 400
    # Named tasks may be delivered again (a re-delivery), repeats counting once.
    again = emu.deliver(TEST_KEY, "p", "redo", [first_ids[0], first_ids[0], first_ids[1]])
    assert again["task_count"] == 2


def test_deliver_refuses_tasks_that_are_not_completed_or_not_in_the_project(
    emu: Emulator, api: Api, live: Api
) -> None:
    """A pending task, another project's task or an unknown id is a 400; the names are checked too."""
    make_project(api)
    make_project(api, "other")
    other_task = make_tasks(api, "other", 1)[0]
    make_project(live)
    pending = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p"})["task_id"]
    for key, task_ids in ((TEST_KEY, [other_task]), (TEST_KEY, ["nope"]), (LIVE_KEY, [pending])):
        with pytest.raises(ApiError) as err:
            emu.deliver(key, "p", task_ids=task_ids)
        assert err.value.status == 400, task_ids
    with pytest.raises(ApiError) as err:
        emu.deliver(TEST_KEY, "missing")
    assert err.value.status == 404
    emu.deliver(TEST_KEY, "other", name="d1")
    make_tasks(api, "other", 1)
    with pytest.raises(ApiError) as err:
        emu.deliver(TEST_KEY, "other", name="d1")
    assert err.value.status == 409


@pytest.mark.parametrize("body, field", [
    ({}, "api_key"),
    ({"api_key": 5, "project": "p"}, "api_key"),
    ({"api_key": TEST_KEY}, "project"),
    ({"api_key": TEST_KEY, "project": ["p"]}, "project"),
    ({"api_key": TEST_KEY, "project": "p", "name": ""}, "name"),
    ({"api_key": TEST_KEY, "project": "p", "name": 3}, "name"),
    ({"api_key": TEST_KEY, "project": "p", "task_ids": "abc"}, "task_ids"),
    ({"api_key": TEST_KEY, "project": "p", "task_ids": []}, "task_ids"),
    ({"api_key": TEST_KEY, "project": "p", "task_ids": [1]}, "task_ids"),
    ({"api_key": TEST_KEY, "project": "p", "response_schema_id": 7}, "response_schema_id"),
    ({"api_key": TEST_KEY, "project": "p", "surprise": 1}, "surprise"),
])
def test_control_deliver_bad_input_is_a_400_naming_the_field(
    control: Api, api: Api, body: Dict[str, Any], field: str
) -> None:
    """Never a 500: each malformed field is named in a 400."""
    make_project(api)
    assert field in error_of(control.post("v2/deliveries", json=body), 400)


def test_control_routes_create_everything(control: Api, api: Api) -> None:
    """The four control routes answer what the Emulator methods return."""
    make_project(api)
    make_tasks(api, "p", 2)
    schema = control.ok("POST", "v2/schemas", json={"api_key": TEST_KEY, "json_schema": {"type": "object"}})
    assert schema["json"] == '{"type":"object"}'
    delivery = control.ok("POST", "v2/deliveries", json={
        "api_key": TEST_KEY, "project": "p", "name": "d", "response_schema_id": schema["id"]})
    assert delivery["task_count"] == 2
    dataset = control.ok("POST", "v2/datasets", json={"api_key": TEST_KEY, "name": "ds"})
    assert set(dataset) == {"id", "name"} and dataset["name"] == "ds"
    made = control.ok("POST", f"v2/datasets/{dataset['id']}/deliveries", json={
        "api_key": TEST_KEY, "name": "drop 1",
        "tasks": [{"response": {"answer": 1}, "turn_count": 3,
                   "attachments": [{"id": "a1", "content_type": "text/plain", "data_base64": "aGk="}]},
                  {"task_id": "t-2", "response": {"answer": 2}}],
    })
    assert made["delivery"]["metadata"] == {"task_count": 2, "turn_count": 4}
    assert made["delivery"]["dataset"] == dataset["id"]
    assert made["tasks"][0]["attachment_ids"] == ["a1"]
    assert made["tasks"][1] == {"task_id": "t-2", "attachment_ids": []}


@pytest.mark.parametrize("path, body, field", [
    ("v2/datasets", {"api_key": TEST_KEY}, "name"),
    ("v2/datasets", {"api_key": TEST_KEY, "name": {"x": 1}}, "name"),
    ("v2/schemas", {"api_key": TEST_KEY}, "json_schema"),
    ("v2/schemas", {"api_key": TEST_KEY, "json_schema": "not json"}, "json_schema"),
    ("v2/schemas", {"api_key": TEST_KEY, "json_schema": [1]}, "json_schema"),
    ("DS", {"api_key": TEST_KEY, "name": "x"}, "tasks"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": []}, "tasks"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": ["a"]}, "tasks[0]"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"response": []}]}, "tasks[0].response"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"turn_count": "2"}]}, "tasks[0].turn_count"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"task_id": "a"}, {"task_id": "a"}]}, "tasks"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"attachments": {}}]}, "tasks[0].attachments"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"attachments": [{}]}]},
     "tasks[0].attachments[0]"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"attachments": [{"data_base64": "%%"}]}]},
     "data_base64"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"attachments": [{"data": "raw"}]}]}, "data"),
    ("DS", {"api_key": TEST_KEY, "name": "x",
            "tasks": [{"attachments": [{"text": "t", "content_type": "x"}]}]}, "content_type"),
    ("DS", {"api_key": TEST_KEY, "name": "x", "tasks": [{"bogus": 1}]}, "bogus"),
    ("DS", {"api_key": TEST_KEY, "name": "x",
            "tasks": [{"attachments": [{"text": "t", "content_type": "text/\u00e9"}]}]}, "content_type"),
])
def test_control_dataset_and_schema_bad_input_is_a_400(
    control: Api, path: str, body: Dict[str, Any], field: str
) -> None:
    """Malformed dataset, dataset delivery and schema input: a 400 naming the field."""
    if path == "DS":
        dataset = control.ok("POST", "v2/datasets", json={"api_key": TEST_KEY, "name": "ds"})
        path = f"v2/datasets/{dataset['id']}/deliveries"
    assert field in error_of(control.post(path, json=body), 400)


def test_control_body_must_be_an_object_and_the_dataset_must_exist(control: Api) -> None:
    """A JSON array body is a 400; an unknown dataset (or another account's) a 404."""
    error_of(control.post("v2/datasets", json=["x"]), 400)
    dataset = control.ok("POST", "v2/datasets", json={"api_key": TEST_KEY, "name": "ds"})
    body = {"name": "x", "tasks": [{"response": {}}]}
    error_of(control.post("v2/datasets/nope/deliveries", json={"api_key": TEST_KEY, **body}), 404)
    path = f"v2/datasets/{dataset['id']}/deliveries"
    error_of(control.post(path, json={"api_key": OTHER_KEY, **body}), 404)


def test_a_dataset_task_id_is_unique(emu: Emulator) -> None:
    """Delivering a task id that already exists is a 400, and nothing of that delivery is kept."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    emu.deliver_dataset(TEST_KEY, dataset["id"], "one", [{"task_id": "t1", "response": {}}])
    with pytest.raises(ApiError) as err:
        emu.deliver_dataset(TEST_KEY, dataset["id"], "two", [{"task_id": "t2"}, {"task_id": "t1"}])
    assert err.value.status == 400
    emu.deliver_dataset(TEST_KEY, dataset["id"], "three", [{"task_id": "t2", "attachments": [
        {"data": b"\x00\x01", "filename": "x.bin"}]}])
    # Task ids are unique per account: another account may use the same ones.
    theirs = emu.create_dataset(OTHER_KEY, "theirs")
    same = {"id": "a", "text": "x"}
    emu.deliver_dataset(OTHER_KEY, theirs["id"], "one", [{"task_id": "t1", "attachments": [same]}])
    emu.deliver_dataset(TEST_KEY, dataset["id"], "four", [{"task_id": "t3", "attachments": [same]}])


def test_default_delivery_names_skip_taken_ones(emu: Emulator, api: Api) -> None:
    """Without a name a delivery is ``delivery-<n>``, stepping over a name already chosen by hand."""
    make_project(api)
    make_tasks(api, "p", 1)
    emu.deliver(TEST_KEY, "p", name="delivery-2")
    make_tasks(api, "p", 1)
    assert emu.deliver(TEST_KEY, "p")["name"] == "delivery-3"


def test_emulator_methods_need_a_running_emulator() -> None:
    """Like every control method, they refuse before start()."""
    emu = Emulator()
    with pytest.raises(RuntimeError):
        emu.create_dataset(TEST_KEY, "ds")
    with pytest.raises(RuntimeError):
        emu.create_schema(TEST_KEY, {})


def test_reset_forgets_deliveries_datasets_and_schemas(emu: Emulator, api: Api, control: Api) -> None:
    """After a reset the same names are free again and nothing of the old objects is left."""
    make_project(api)
    make_tasks(api, "p", 1)
    emu.deliver(TEST_KEY, "p", "d")
    dataset = emu.create_dataset(TEST_KEY, "ds")
    emu.deliver_dataset(TEST_KEY, dataset["id"], "x", [{"task_id": "t1"}])
    control.ok("POST", "reset")
    body = {"api_key": TEST_KEY, "name": "again", "tasks": [{"task_id": "t1"}]}
    error_of(control.post(f"v2/datasets/{dataset['id']}/deliveries", json=body), 404)
    make_project(api)
    make_tasks(api, "p", 1)
    assert emu.deliver(TEST_KEY, "p", "d")["task_count"] == 1
    fresh = emu.create_dataset(TEST_KEY, "ds")
    emu.deliver_dataset(TEST_KEY, fresh["id"], "x", [{"task_id": "t1"}])
