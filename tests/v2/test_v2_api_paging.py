"""The v2 list generators over real HTTP: paging, stopping, and refusing tokens that would loop."""
import inspect
from typing import Any, Dict, List, Optional

import pytest
from support.v2_facts import sample_model

import scaleapi
from scaleapi.api_client.v2.models import Task

GENERATORS = {
    # generator: (endpoint, items key, one item)
    "v2_get_tasks": ("get_tasks", "tasks", "Task"),
    "v2_get_batches": ("get_batches", "batches", "Batch"),
    "v2_get_delivered_tasks": ("get_delivery", "tasks", "Task"),
    "v2_get_delivery_tasks": ("get_delivery_tasks", "docs", "Task"),
    "v2_get_dataset_delivery_tasks": ("get_dataset_delivery", "tasks", "DatasetTask"),
    "v2_get_dataset_tasks": ("get_dataset_tasks", "tasks", "DatasetTask"),
}


def item(model: str, number: int) -> Dict[str, Any]:
    doc: Dict[str, Any] = sample_model(model, False)
    doc["task_id" if "task_id" in doc else "id"] = f"id{number}"
    return doc


def pager(key: str, model: str, pages: List[Optional[str]], size: int = 2) -> Any:
    """Answer page i (chosen by the token sent) with ``size`` items and token ``pages[i]``."""
    tokens = [None] + list(pages[:-1])

    def answer(request: Any) -> Any:
        sent = dict(pair.split("=", 1) for pair in request.raw_query.split("&") if pair).get("next_token")
        index = tokens.index(sent) if sent in tokens else len(pages) - 1
        body: Dict[str, Any] = {key: [item(model, index * size + n) for n in range(size)]}
        if key == "docs":  # GetDeliveryTasksResponse also requires its total
            body["total"] = size * len(pages)
        if pages[index] is not None or index % 2:
            body["next_token"] = pages[index]
        return 200, body

    return answer


def test_v2_get_tasks_has_the_existing_signature() -> None:
    params = list(inspect.signature(scaleapi.ScaleClient.v2_get_tasks).parameters)[1:]
    assert params == ["project_id", "project_name", "batch_id", "batch_name", "status", "completed_after",
                      "completed_before", "limit", "expand", "opts"]


def test_v2_get_tasks_walks_pages_and_stops_at_a_null_token(wire: Any, v2_client: Any) -> None:
    wire.reset(pager("tasks", "Task", ["n1", "n2", None]))
    walk = v2_client.v2_get_tasks(project_name="p", limit=2, expand=["project"])
    assert not wire.seen  # a generator: nothing is sent before the first item
    tasks = list(walk)
    assert [t.task_id for t in tasks] == [f"id{n}" for n in range(6)]
    assert all(isinstance(t, Task) for t in tasks)
    assert [r.raw_query for r in wire.seen] == [
        "project_name=p&limit=2&expand=project",
        "project_name=p&limit=2&next_token=n1&expand=project",
        "project_name=p&limit=2&next_token=n2&expand=project",
    ]


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generator_pages_to_the_end(name: str, wire: Any, v2_client: Any) -> None:
    endpoint, key, model = GENERATORS[name]
    wire.reset(pager(key, model, ["a", "b", "c", None]))
    got = list(getattr(v2_client, name)(limit=2))
    assert len(got) == 8 and len(wire.seen) == 4
    assert all(r.path == wire.seen[0].path for r in wire.seen)
    assert getattr(scaleapi.V2Api, endpoint)  # the endpoint it walks


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("pages, problem", [
    (["", None], "cannot be followed"),
    (["a", "a", None], "a second time"),
])
def test_tokens_that_would_loop_are_refused(name: str, pages: List[Optional[str]], problem: str, wire: Any,
                                            v2_client: Any) -> None:
    _endpoint, key, model = GENERATORS[name]
    wire.reset(pager(key, model, pages))
    with pytest.raises(scaleapi.ScalePaginationError, match=problem):
        list(getattr(v2_client, name)())
    assert len(wire.seen) <= 3


def test_a_fresh_token_for_the_same_page_is_no_progress(wire: Any, v2_client: Any) -> None:
    counter = iter(range(100))

    def same_page(_request: Any) -> Any:
        return 200, {"tasks": [item("Task", 0), item("Task", 1)], "next_token": f"t{next(counter)}"}

    wire.reset(same_page)
    with pytest.raises(scaleapi.ScalePaginationError, match="no progress"):
        list(v2_client.v2_get_tasks())
    assert len(wire.seen) == 2


def test_an_empty_page_with_a_token_is_refused(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, {"tasks": [], "next_token": "again"}))
    with pytest.raises(scaleapi.ScalePaginationError, match="empty page"):
        list(v2_client.v2_get_tasks())
    assert len(wire.seen) == 1


def test_arguments_are_checked_by_the_endpoint(wire: Any, v2_client: Any) -> None:
    with pytest.raises(ValueError, match="limit"):
        next(v2_client.v2_get_tasks(limit=500))
    assert not wire.seen


def test_a_page_fetch_rides_out_an_outage(wire: Any) -> None:
    outage = iter([(503, {"status_code": 503, "error": "down"}, {"Retry-After": "0"})] * 3)
    good = pager("tasks", "Task", ["n1", None])
    wire.reset(lambda request: next(outage, None) or good(request))
    # max_retries=0: an ordinary call would fail at once; the generator uses the retry budget
    with scaleapi.ScaleClient("test_k", api_instance_url=wire.url, max_retries=0, retry_budget=30) as client:
        with pytest.raises(scaleapi.ScaleServiceUnavailable):
            client.v2.get_tasks()
        assert len(list(client.v2_get_tasks())) == 4


def test_a_generator_reads_the_same_tasks_as_the_page_model(wire: Any, v2_client: Any) -> None:
    wire.reset(pager("tasks", "Task", [None], size=3))
    assert list(v2_client.v2_get_tasks()) == v2_client.v2.get_tasks().tasks


def test_items_are_read_as_they_are_handed_out(wire: Any, v2_client: Any) -> None:
    """A bad item raises when the walk reaches it; the good ones before it were handed out."""
    bad = item("Task", 2)
    del bad["task_id"]
    wire.reset(lambda request: (200, {"tasks": [item("Task", 0), item("Task", 1), bad]}))
    walk = v2_client.v2_get_tasks()
    assert [next(walk).task_id, next(walk).task_id] == ["id0", "id1"]
    with pytest.raises(ValueError, match="task_id"):
        next(walk)


@pytest.mark.parametrize("body, field", [
    ({"tasks": [], "next_token": 5}, "next_token"),
    ({"next_token": None}, "tasks"),
    ({"tasks": {"task_id": "t"}}, "tasks"),
])
def test_a_bad_page_is_refused_before_any_item(body: Dict[str, Any], field: str, wire: Any,
                                               v2_client: Any) -> None:
    if "tasks" in body and isinstance(body["tasks"], list):
        body["tasks"] = [item("Task", 0)]
    wire.reset(lambda request: (200, body))
    with pytest.raises(ValueError, match=field):
        next(v2_client.v2_get_tasks())
