"""/v2/datasets..., the attachment redirect and its bytes, and /v2/schema over real HTTP."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support.emulator import OTHER_KEY, TEST_KEY, Api, error_of
from support.one_of import held

from scaleapi import ScaleClient
from scaleapi.api_client.v2 import Dataset, DatasetDelivery
from scaleapi.api_client.v2.exceptions import BadRequestException, NotFoundException
from scaleapi.emulator import Emulator




def tasks_of(count: int, start: int = 0) -> List[Dict[str, Any]]:
    """``count`` dataset task inputs with distinct responses."""
    return [{"task_id": f"t{start + n}", "response": {"n": start + n, "text": f"answer {n}"}, "turn_count": 2}
            for n in range(count)]


def test_datasets_and_their_deliveries(emu: Emulator, client: ScaleClient) -> None:
    """Datasets list oldest first; deliveries newest first with metadata; expand=dataset; time filters."""
    first = emu.create_dataset(TEST_KEY, "first")
    second = emu.create_dataset(TEST_KEY, "second")
    emu.create_dataset(OTHER_KEY, "someone else's")
    listed = client.v2.get_datasets()
    assert [(d.id, d.name) for d in listed.datasets] == [(first["id"], "first"), (second["id"], "second")]
    one = emu.deliver_dataset(TEST_KEY, first["id"], "drop 1", tasks_of(3))["delivery"]
    two = emu.deliver_dataset(TEST_KEY, first["id"], "drop 2", tasks_of(1, 10))["delivery"]
    emu.deliver_dataset(TEST_KEY, second["id"], "elsewhere", tasks_of(1, 20))
    deliveries = client.v2.get_dataset_deliveries(dataset_id=first["id"])
    assert [d.id for d in deliveries.deliveries] == [two["id"], one["id"]]
    assert deliveries.deliveries[1].metadata.task_count == 3
    assert deliveries.deliveries[1].metadata.turn_count == 6
    assert held(deliveries.deliveries[1].dataset, str) == first["id"]
    expanded = client.v2.get_dataset_deliveries(dataset_id=first["id"], expand=["dataset"])
    assert held(expanded.deliveries[0].dataset, Dataset).name == "first"
    assert len(client.v2.get_dataset_deliveries().deliveries) == 3
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert client.v2.get_dataset_deliveries(delivered_after=later).deliveries == []
    assert len(client.v2.get_dataset_deliveries(delivered_before=later).deliveries) == 3
    with pytest.raises(NotFoundException):
        client.v2.get_dataset_deliveries(dataset_id="nope")


def test_dataset_delivery_and_tasks_page_across_many_pages(emu: Emulator, client: ScaleClient) -> None:
    """230 tasks: get_dataset_delivery and get_dataset_tasks in pages, and their generators."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    delivery = emu.deliver_dataset(TEST_KEY, dataset["id"], "big", tasks_of(230))["delivery"]
    emu.deliver_dataset(TEST_KEY, dataset["id"], "small", tasks_of(5, 1000))
    sizes = []
    seen: List[str] = []
    token = None
    while True:
        page = client.v2.get_dataset_delivery(delivery_id=delivery["id"], next_token=token)
        sizes.append(len(page.tasks))
        seen += [task.task_id for task in page.tasks]
        assert held(page.delivery, str) == delivery["id"]
        token = page.next_token
        if token is None:
            break
    assert sizes == [100, 100, 30]
    assert seen == [f"t{n}" for n in range(230)]
    walked = [task.task_id
              for task in client.v2_get_dataset_delivery_tasks(delivery_id=delivery["id"], limit=64)]
    assert walked == seen
    everything = [task.task_id for task in client.v2_get_dataset_tasks(dataset_id=dataset["id"], limit=99)]
    assert everything == seen + [f"t{n}" for n in range(1000, 1005)]
    only_big = list(client.v2_get_dataset_tasks(delivery_id=delivery["id"], limit=100))
    assert len(only_big) == 230
    first_page = client.v2.get_dataset_tasks(dataset_id=dataset["id"], limit=3)
    assert [task.response["n"] for task in first_page.tasks] == [0, 1, 2]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert client.v2.get_dataset_tasks(dataset_id=dataset["id"], delivered_after=future).tasks == []


def test_dataset_task_and_expand(emu: Emulator, client: ScaleClient) -> None:
    """get_dataset_task by id; expand dataset and delivery give the objects."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    delivery = emu.deliver_dataset(TEST_KEY, dataset["id"], "d", tasks_of(2))["delivery"]
    task = client.v2.get_dataset_task(task_id="t1")
    assert task.response == {"n": 1, "text": "answer 1"}
    assert task.dataset.actual_instance == dataset["id"]
    assert task.delivery.actual_instance == delivery["id"]
    full = client.v2.get_dataset_task(task_id="t1", expand=["dataset", "delivery"])
    assert held(full.dataset, Dataset).name == "ds"
    full_delivery = held(full.delivery, DatasetDelivery)
    assert full_delivery.name == "d" and full_delivery.metadata.task_count == 2
    page = client.v2.get_dataset_delivery(delivery_id=delivery["id"], expand=["delivery"])
    assert held(page.delivery, DatasetDelivery).id == delivery["id"]


def test_dataset_errors(emu: Emulator, client: ScaleClient, v2http: Api) -> None:
    """Missing filters or ids: 400; unknown ones: 404; forged token, bad limit or expand: 400."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    delivery = emu.deliver_dataset(TEST_KEY, dataset["id"], "d", tasks_of(3))["delivery"]
    with pytest.raises(BadRequestException):
        client.v2.get_dataset_tasks()
    with pytest.raises(BadRequestException):
        client.v2.get_dataset_delivery()
    with pytest.raises(NotFoundException):
        client.v2.get_dataset_delivery(delivery_id="nope")
    with pytest.raises(NotFoundException):
        client.v2.get_dataset_tasks(dataset_id="nope")
    with pytest.raises(NotFoundException):
        client.v2.get_dataset_tasks(delivery_id="nope")
    error_of(v2http.get("datasets/task"), 400)
    with pytest.raises(NotFoundException):
        client.v2.get_dataset_task(task_id="nope")
    with ScaleClient(api_key=OTHER_KEY, api_instance_url=emu.url) as other:
        with pytest.raises(NotFoundException):
            other.v2.get_dataset_task(task_id="t1")
    params = {"delivery_id": delivery["id"]}
    error_of(v2http.get("datasets/delivery", params={**params, "next_token": "Zm9yZ2Vk"}), 400)
    error_of(v2http.get("datasets/delivery", params={**params, "limit": "0"}), 400)
    error_of(v2http.get("datasets/delivery", params={**params, "expand": "project"}), 400)
    error_of(v2http.get("datasets/deliveries", params={"expand": "delivery"}), 400)
    token = client.v2.get_dataset_tasks(dataset_id=dataset["id"], limit=1).next_token
    error_of(v2http.get("datasets/delivery", params={**params, "next_token": token}), 400)


def test_response_url_redirects_to_the_bytes(
    emu: Emulator, client: ScaleClient, emulator_key_session: requests.Session
) -> None:
    """302 with Location on the emulator; the target serves the bytes with their type; the SDK follows it."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    payload = bytes(range(256)) * 4
    made = emu.deliver_dataset(TEST_KEY, dataset["id"], "d", [{"task_id": "t/1", "attachments": [
        {"id": "img 1", "content_type": "image/png", "data": payload, "filename": "a b.png"},
        {"id": "note", "text": "héllo", "content_type": "text/plain; charset=utf-8"}]}])
    assert made["tasks"][0]["attachment_ids"] == ["img 1", "note"]
    url = f"{emu.base}/v2/datasets/task/t%2F1/response_url/img%201"
    answer = emulator_key_session.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(emu.base + "/v2/")
    target = emulator_key_session.get(location, timeout=10)
    assert target.status_code == 200 and target.content == payload
    assert target.headers["Content-Type"] == "image/png"
    assert "a%20b.png" in target.headers["Content-Disposition"]
    note = emulator_key_session.get(f"{emu.base}/v2/datasets/task/t%2F1/response_url/note", timeout=10)
    assert note.status_code == 200 and note.content == "héllo".encode()
    info = client.v2.get_dataset_task_response_url_with_http_info(task_id="t/1", attachment_id="img 1")
    assert info.data is None and info.status_code == 200 and info.raw_data == payload
    assert client.v2.get_dataset_task_response_url(task_id="t/1", attachment_id="note") is None


def test_response_url_404s_with_the_error_model(emu: Emulator, client: ScaleClient, v2http: Api) -> None:
    """An unknown task or attachment (or another account's): a 404 in the error shape, read as the model."""
    dataset = emu.create_dataset(TEST_KEY, "ds")
    emu.deliver_dataset(TEST_KEY, dataset["id"], "d",
                        [{"task_id": "t1", "attachments": [{"id": "a", "text": "x"}]}])
    error_of(v2http.get("datasets/task/nope/response_url/a"), 404)
    error_of(v2http.get("datasets/task/t1/response_url/nope"), 404)
    error_of(v2http.get("datasets/task/t1/attachments/nope/content"), 404)
    with pytest.raises(NotFoundException) as err:
        client.v2.get_dataset_task_response_url(task_id="t1", attachment_id="nope")
    assert err.value.data is not None and err.value.data.status_code == 404
    with ScaleClient(api_key=OTHER_KEY, api_instance_url=emu.url) as other:
        with pytest.raises(NotFoundException):
            other.v2.get_dataset_task_response_url(task_id="t1", attachment_id="a")


def test_get_schema(emu: Emulator, client: ScaleClient, v2http: Api) -> None:
    """The JSON Schema comes back as a string; 400 without a valid id, 404 for an unknown one."""
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    made = emu.create_schema(TEST_KEY, schema)
    got = client.v2.get_schema(schema_id=made["id"])
    assert got.var_schema.id == made["id"] and got.var_schema.var_json is not None
    assert json.loads(got.var_schema.var_json) == schema
    wire = v2http.ok("GET", "schema", params={"schema_id": made["id"]})
    assert wire == {"schema": {"id": made["id"], "json": made["json"]}}
    from_text = emu.create_schema(TEST_KEY, '{"type": "string"}')
    assert client.v2.get_schema(schema_id=from_text["id"]).var_schema.var_json == '{"type":"string"}'
    with pytest.raises(BadRequestException) as bad:
        client.v2.get_schema(schema_id="not a valid id!")
    assert bad.value.data is not None and bad.value.data.status_code == 400
    error_of(v2http.get("schema"), 400)
    with pytest.raises(NotFoundException) as missing:
        client.v2.get_schema(schema_id="abc123")
    assert missing.value.data is not None and missing.value.data.status_code == 404
    with ScaleClient(api_key=OTHER_KEY, api_instance_url=emu.url) as other:
        with pytest.raises(NotFoundException):
            other.v2.get_schema(schema_id=made["id"])


@pytest.fixture
def emulator_key_session() -> Iterator[requests.Session]:
    """A plain session sending the test key as a Bearer token (as the v2 clients do)."""
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {TEST_KEY}"
    yield session
    session.close()


DATA_PATHS = {
    "/v2/deliveries", "/v2/delivery", "/v2/delivery/tasks", "/v2/datasets", "/v2/datasets/deliveries",
    "/v2/datasets/delivery", "/v2/datasets/tasks", "/v2/datasets/task", "/v2/schema",
    "/v2/datasets/task/{task_id}/response_url/{attachment_id}",
    "/v2/datasets/task/{task_id}/attachments/{attachment_id}/content",
}


def test_openapi_describes_the_data_routes(v2http: Api) -> None:
    """Each data route is in /v2/openapi.json as a GET, with the query parameters of the endpoint."""
    document = v2http.ok("GET", "openapi.json")
    assert DATA_PATHS <= set(document["paths"])
    for path in DATA_PATHS:
        assert set(document["paths"][path]) == {"get"}, path
    delivery = {p["name"] for p in document["paths"]["/v2/delivery"]["get"]["parameters"]}
    assert delivery == {"delivery_id", "delivery_name", "project_id", "project_name", "limit", "next_token",
                        "expand", "opts"}
    tasks = document["paths"]["/v2/datasets/tasks"]["get"]["parameters"]
    expand = next(p for p in tasks if p["name"] == "expand")
    assert expand["schema"]["items"]["enum"] == ["dataset", "delivery"] and expand["explode"] is True


@pytest.mark.parametrize("path", sorted(DATA_PATHS))
@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer not-a-scale-key", "Token abc"])
def test_every_data_route_refuses_missing_or_bad_keys(emu: Emulator, path: str, authorization: Any) -> None:
    """401 in the error shape before anything is looked up, whatever the route."""
    url = emu.base + path.replace("{task_id}", "t1").replace("{attachment_id}", "a")
    headers = {} if authorization is None else {"Authorization": authorization}
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(url, headers=headers, allow_redirects=False, timeout=10)
    error_of(response, 401)
