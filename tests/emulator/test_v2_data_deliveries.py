"""/v2/deliveries, /v2/delivery and /v2/delivery/tasks over real HTTP, with our SDK's ``client.v2``."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest
from support.emulator import IMAGE_TASK, OTHER_KEY, TEST_KEY, Api, error_of
from support.one_of import held

from scaleapi import ScaleClient
from scaleapi.api_client.v2 import Batch, Delivery, Project
from scaleapi.api_client.v2.exceptions import BadRequestException, NotFoundException, UnauthorizedException
from scaleapi.emulator import Emulator




def make_project(api: Api, name: str = "p") -> Dict[str, Any]:
    """A v1 project."""
    return dict(api.ok("POST", "projects", json={"type": "imageannotation", "name": name}))


def make_tasks(api: Api, project: str, count: int, **extra: Any) -> List[str]:
    """``count`` completed tasks of ``project``; their ids."""
    body = {**IMAGE_TASK, "project": project, **extra}
    return [api.ok("POST", "task/imageannotation", json=body)["task_id"] for _ in range(count)]


def test_get_deliveries_lists_a_projects_deliveries_newest_first(
    emu: Emulator, api: Api, client: ScaleClient
) -> None:
    """By project id or name; expand=project gives the Project; the time filters bound delivered_at."""
    project = make_project(api)
    make_project(api, "other")
    make_tasks(api, "p", 2)
    first = emu.deliver(TEST_KEY, "p", "one")
    make_tasks(api, "p", 1)
    second = emu.deliver(TEST_KEY, "p", "two")
    make_tasks(api, "other", 1)
    emu.deliver(TEST_KEY, "other")
    listed = client.v2.get_deliveries(project_name="p")
    assert [item.name for item in listed.deliveries] == ["two", "one"]
    assert [item.task_count for item in listed.deliveries] == [1, 2]
    assert listed.deliveries[0].id == second["id"]
    assert listed.deliveries[0].project.actual_instance == project["id"]
    by_id = client.v2.get_deliveries(project_id=project["id"], expand=["project"])
    assert held(by_id.deliveries[1].project, Project).name == "p"
    assert isinstance(by_id.deliveries[1].delivered_at, datetime)
    cutoff = by_id.deliveries[1].delivered_at
    later = cutoff + timedelta(hours=1)
    assert client.v2.get_deliveries(project_name="p", delivered_after=later).deliveries == []
    before = client.v2.get_deliveries(project_name="p", delivered_before=later)
    assert {d.id for d in before.deliveries} == {first["id"], second["id"]}
    naive = (cutoff - timedelta(hours=1)).astimezone(timezone.utc).replace(tzinfo=None)
    assert len(client.v2.get_deliveries(project_name="p", delivered_after=naive).deliveries) == 2


def test_get_deliveries_errors(
    api: Api, client: ScaleClient, v2http: Api, api_for: Any, emu: Emulator
) -> None:
    """No project filter: 400; unknown project: 404; bad expand or datetime: 400; no key: 401."""
    make_project(api)
    with pytest.raises(BadRequestException) as bad:
        client.v2.get_deliveries()
    assert bad.value.status == 400
    with pytest.raises(NotFoundException):
        client.v2.get_deliveries(project_name="missing")
    error_of(v2http.get("deliveries", params={"project_name": "p", "expand": "batch"}), 400)
    error_of(v2http.get("deliveries", params={"project_name": "p", "delivered_after": "yesterday"}), 400)
    anonymous: Api = api_for(None)
    anonymous.base = f"{emu.base}/v2"
    error_of(anonymous.get("deliveries", params={"project_name": "p"}), 401)
    with ScaleClient(api_key="wrong", api_instance_url=emu.url) as stranger:
        with pytest.raises(UnauthorizedException):
            stranger.v2.get_deliveries(project_name="p")


def test_get_delivery_pages_the_tasks_in_v2_shape(emu: Emulator, api: Api, client: ScaleClient) -> None:
    """250 tasks in pages of 100, 100, 50: v2 Tasks; next_token absent at the end; by id or by name."""
    project = make_project(api)
    emu.seed_tasks(TEST_KEY, 250, project="p")
    delivery = emu.deliver(TEST_KEY, "p", "big")
    pages = []
    token = None
    while True:
        page = client.v2.get_delivery(delivery_id=delivery["id"], next_token=token)
        pages.append(page)
        token = page.next_token
        if token is None:
            break
    assert [len(page.tasks) for page in pages] == [100, 100, 50]
    ids = [task.task_id for page in pages for task in page.tasks]
    assert len(set(ids)) == 250
    first = pages[0].tasks[0]
    assert first.status.value == "completed" and first.project.actual_instance == project["id"]
    assert held(pages[0].delivery, str) == delivery["id"]
    by_name = client.v2.get_delivery(delivery_name="big", project_name="p", limit=7)
    assert [task.task_id for task in by_name.tasks] == ids[:7]
    assert by_name.next_token is not None
    walked = [task.task_id for task in client.v2_get_delivered_tasks(delivery_id=delivery["id"], limit=33)]
    assert walked == ids


def test_get_delivery_expand_and_opts(emu: Emulator, api: Api, client: ScaleClient) -> None:
    """expand=delivery gives the Delivery; project/batch expand the tasks; opts are accepted."""
    make_project(api)
    api.ok("POST", "batches", json={"project": "p", "name": "b1"})
    make_tasks(api, "p", 2, batch="b1")
    delivery = emu.deliver(TEST_KEY, "p", "d")
    page = client.v2.get_delivery(
        delivery_id=delivery["id"], expand=["delivery", "project", "batch"], opts=["annotation_details"])
    expanded = held(page.delivery, Delivery)
    assert expanded.id == delivery["id"] and expanded.task_count == 2 and expanded.name == "d"
    assert held(page.tasks[0].project, Project).name == "p"
    assert held(page.tasks[0].batch, Batch).name == "b1"
    plain = client.v2.get_delivery(delivery_id=delivery["id"])
    assert held(plain.tasks[0].batch, str) == held(page.tasks[0].batch, Batch).id


def test_get_delivery_errors(emu: Emulator, api: Api, client: ScaleClient, v2http: Api) -> None:
    """Neither id nor name, a name without a project, a bad limit or a forged token: 400; unknown: 404."""
    make_project(api)
    make_tasks(api, "p", 3)
    delivery = emu.deliver(TEST_KEY, "p", "d")
    with pytest.raises(BadRequestException):
        client.v2.get_delivery()
    error_of(v2http.get("delivery", params={"delivery_name": "d"}), 400)
    with pytest.raises(NotFoundException):
        client.v2.get_delivery(delivery_id="nope")
    with pytest.raises(NotFoundException):
        client.v2.get_delivery(delivery_name="nope", project_name="p")
    for limit in ("0", "101", "x"):
        error_of(v2http.get("delivery", params={"delivery_id": delivery["id"], "limit": limit}), 400)
    error_of(v2http.get("delivery", params={"delivery_id": delivery["id"], "next_token": "forged"}), 400)
    token = client.v2.get_delivery(delivery_id=delivery["id"], limit=1).next_token
    assert token
    error_of(v2http.get("delivery", params={"delivery_id": delivery["id"], "next_token": token[:-2]}), 400)
    # Another account sees nothing of it.
    with ScaleClient(api_key=OTHER_KEY, api_instance_url=emu.url) as other:
        with pytest.raises(NotFoundException):
            other.v2.get_delivery(delivery_id=delivery["id"])


def test_get_delivery_tasks_gives_what_was_delivered(emu: Emulator, api: Api, client: ScaleClient) -> None:
    """Docs carry the delivered response, delivery id, delivered_at (a string) and schema id."""
    make_project(api)
    task_ids = make_tasks(api, "p", 2)
    schema = emu.create_schema(TEST_KEY, {"type": "object"})
    delivery = emu.deliver(TEST_KEY, "p", "d", response_schema_id=schema["id"])
    page = client.v2.get_delivery_tasks(delivery_id=delivery["id"])
    assert page.total == 2 and page.next_token is None
    docs = {doc.task_id: doc for doc in page.docs}
    assert set(docs) == set(task_ids)
    doc = docs[task_ids[0]]
    assert doc.delivery_id == delivery["id"] and doc.response_schema_id == schema["id"]
    assert isinstance(doc.delivered_at, str) and doc.delivered_at == delivery["delivered_at"]
    assert doc.response == api.ok("GET", f"task/{task_ids[0]}")["response"]
    assert isinstance(doc.created_at, datetime)


def test_get_delivery_tasks_of_a_project_has_nulls_for_undelivered(
    emu: Emulator, api: Api, live: Api, client: ScaleClient, v2http: Api
) -> None:
    """A project listing shows every task; those never delivered have null delivery fields."""
    del live
    make_project(api)
    delivered = make_tasks(api, "p", 2)
    emu.deliver(TEST_KEY, "p", "d")
    fresh = make_tasks(api, "p", 1)[0]
    page = client.v2.get_delivery_tasks(project_name="p")
    assert page.total == 3
    docs = {doc.task_id: doc for doc in page.docs}
    assert docs[fresh].delivery_id is None and docs[fresh].response is None
    assert docs[fresh].delivered_at is None and docs[fresh].response_schema_id is None
    assert all(docs[task_id].delivery_id for task_id in delivered)
    wire = v2http.ok("GET", "delivery/tasks", params={"project_name": "p"})
    raw = {doc["task_id"]: doc for doc in wire["docs"]}[fresh]
    assert raw == {"task_id": fresh, "created_at": raw["created_at"], "delivery_id": None,
                   "delivered_at": None, "response_schema_id": None, "response": None}
    assert "next_token" not in wire
    assert client.v2.get_delivery_tasks(project_name="p", status="pending").total == 0


def test_get_delivery_tasks_pages_and_filters(
    emu: Emulator, api: Api, client: ScaleClient, v2http: Api
) -> None:
    """Pages of ``limit`` with ``total`` = the page's count; the generator walks them all."""
    project = make_project(api)
    emu.seed_tasks(TEST_KEY, 120, project="p")
    delivery = emu.deliver(TEST_KEY, "p")
    first = client.v2.get_delivery_tasks(delivery_id=delivery["id"], limit=50)
    assert first.total == 50 and first.next_token
    walked = list(client.v2_get_delivery_tasks(delivery_id=delivery["id"], limit=50))
    assert len({doc.task_id for doc in walked}) == 120
    by_project = list(client.v2_get_delivery_tasks(project_id=project["id"], limit=45))
    assert {doc.task_id for doc in by_project} == {doc.task_id for doc in walked}
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert client.v2.get_delivery_tasks(delivery_id=delivery["id"], completed_after=future).total == 0
    bounded = client.v2.get_delivery_tasks(delivery_id=delivery["id"], completed_before=future, limit=5)
    assert bounded.total == 5
    with pytest.raises(BadRequestException):
        client.v2.get_delivery_tasks()
    with pytest.raises(NotFoundException):
        client.v2.get_delivery_tasks(delivery_id="nope")
    error_of(v2http.get("delivery/tasks", params={"project_name": "p", "status": "done"}), 400)
    token = first.next_token
    # A token of one listing does not resume another.
    error_of(v2http.get("delivery/tasks", params={"project_name": "p", "next_token": token}), 400)


@pytest.mark.parametrize("opts", [[], ["annotation_details"], ["annotation_details", "model_parameters"]])
def test_a_delivered_task_reads_as_get_task_does(
    emu: Emulator, api: Api, client: ScaleClient, opts: List[str]
) -> None:
    """get_delivery serves each task exactly as GET /v2/task would, with the same expand and opts."""
    make_project(api)
    task_ids = make_tasks(api, "p", 2)
    delivery = emu.deliver(TEST_KEY, "p")
    page = client.v2.get_delivery(delivery_id=delivery["id"], expand=["project"], opts=opts)
    for task in page.tasks:
        alone = client.v2.get_task(task_id=task.task_id, expand=["project"], opts=opts)
        assert task.to_dict() == alone.to_dict()
    assert sorted(task.task_id for task in page.tasks) == sorted(task_ids)
