"""Our v2 generators walk many ``next_token`` pages of a real emulator, each item exactly once.

The world holds more tasks and batches than several pages of a small ``limit``; each generator must
yield every one of them once, in as many requests as there are pages, and the emulator's request
log must show the tokens going back.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from support.v2_world import V2World, build_world

from scaleapi import ScaleClient
from scaleapi.emulator import Emulator

KEY = "test_v2_emulator_paging"
TASKS = 27
BATCHES = 14
LIMIT = 4


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """An emulator of this module's own: its request log counts the pages, so it holds only ours."""
    with Emulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def world(emulator: Emulator) -> V2World:
    """The v2 world, with enough tasks and batches for many pages."""
    return build_world(emulator, KEY, tasks=TASKS, batches=BATCHES)


@pytest.fixture(scope="module")
def client(world: V2World) -> Iterator[ScaleClient]:
    """Our client of the world's account."""
    with world.client() as scale:
        yield scale


def _ids(items: List[Any], attribute: str) -> List[str]:
    return [str(getattr(item, attribute)) for item in items]


def _requests_to(emulator: Emulator, path: str) -> List[Dict[str, Any]]:
    return [entry for entry in emulator.requests() if entry["path"] == path]


def _walk(emulator: Emulator, path: str, walk: Callable[[], Iterator[Any]]) -> Tuple[List[Any], int]:
    before = len(_requests_to(emulator, path))
    items = list(walk())
    return items, len(_requests_to(emulator, path)) - before


def _pages(count: int) -> int:
    return -(-count // LIMIT)


def test_v2_get_tasks_walks_every_page(emulator: Emulator, world: V2World, client: ScaleClient) -> None:
    """``v2_get_tasks`` yields every completed task once, one request a page."""
    tasks, sent = _walk(emulator, "/v2/tasks", lambda: client.v2_get_tasks(
        project_name=world.project, status="completed", limit=LIMIT))
    ids = _ids(tasks, "task_id")
    assert sorted(ids) == sorted(world.task_ids) and len(set(ids)) == TASKS
    assert sent in (_pages(TASKS), _pages(TASKS) + 1)  # the last page may be empty when TASKS % LIMIT == 0
    assert all(task.threads for task in tasks)  # completed tasks carry their content


def test_v2_get_tasks_of_a_batch_with_expand(world: V2World, client: ScaleClient) -> None:
    """By batch name, with ``expand``: every task, with its project and batch objects."""
    tasks = list(client.v2_get_tasks(batch_name=world.batch, limit=LIMIT, expand=["project", "batch"]))
    assert sorted(_ids(tasks, "task_id")) == sorted(world.task_ids)
    assert {task.project.name for task in tasks} == {world.project}
    assert {getattr(task.batch, "name", None) for task in tasks} == {world.batch}  # None would not match


def test_v2_get_tasks_sends_the_tokens_back(emulator: Emulator, world: V2World, client: ScaleClient) -> None:
    """The first page goes without a token, every later one with the token the last page sent."""
    before = len(_requests_to(emulator, "/v2/tasks"))
    assert len(list(client.v2_get_tasks(project_id=world.project_id, limit=LIMIT))) == TASKS
    queries = [str(entry.get("query") or "") for entry in _requests_to(emulator, "/v2/tasks")[before:]]
    assert "next_token" not in queries[0]
    assert all("next_token=" in query for query in queries[1:]) and len(queries) >= _pages(TASKS)


def test_v2_get_batches_walks_every_page(emulator: Emulator, world: V2World, client: ScaleClient) -> None:
    """``v2_get_batches`` yields every batch of the project once."""
    batches, sent = _walk(emulator, "/v2/batches", lambda: client.v2_get_batches(
        project_name=world.project, limit=LIMIT))
    ids = _ids(batches, "id")
    expected = set(world.v2_batches) | {world.batch_id}
    assert set(ids) >= expected and len(ids) == len(set(ids))
    assert sent >= _pages(len(expected))


def _delivery(world: V2World) -> Dict[str, Any]:
    if not world.delivery:
        pytest.fail("the world has no delivery: the emulator did not make one")
    return world.delivery


def _dataset(world: V2World) -> Dict[str, Any]:
    if not world.dataset:
        pytest.fail("the world has no dataset: the emulator did not make one")
    return world.dataset


def _dataset_delivery(world: V2World) -> Dict[str, Any]:
    if not world.dataset_delivery:
        pytest.fail("the world has no dataset delivery: the emulator did not make one")
    return world.dataset_delivery


#: generator -> (path of its endpoint, its filters in the world, how many items the world holds)
DELIVERED: Dict[str, Tuple[str, Callable[[V2World], Dict[str, Any]], Callable[[V2World], int]]] = {
    "v2_get_delivered_tasks": ("/v2/delivery", lambda w: {"delivery_id": _delivery(w)["id"]},
                               lambda w: int(_delivery(w)["task_count"])),
    "v2_get_delivery_tasks": ("/v2/delivery/tasks", lambda w: {"delivery_id": _delivery(w)["id"]},
                              lambda w: int(_delivery(w)["task_count"])),
    "v2_get_dataset_delivery_tasks": ("/v2/datasets/delivery",
                                      lambda w: {"delivery_id": _dataset_delivery(w)["id"]},
                                      lambda w: int(_dataset_delivery(w)["task_count"])),
    "v2_get_dataset_tasks": ("/v2/datasets/tasks", lambda w: {"dataset_id": _dataset(w)["id"]},
                             lambda w: int(_dataset(w)["task_count"])),
}


@pytest.mark.parametrize("generator", sorted(DELIVERED))
def test_delivered_generators_walk_every_page(generator: str, emulator: Emulator, world: V2World,
                                              client: ScaleClient) -> None:
    """Each generator of delivered or dataset tasks yields every task once, over several pages."""
    path, filters, count = DELIVERED[generator]
    items, sent = _walk(emulator, path, lambda: getattr(client, generator)(**filters(world), limit=LIMIT))
    ids = _ids(items, "task_id")
    assert len(ids) == len(set(ids)) == count(world) > LIMIT
    assert sent >= _pages(len(ids))


def test_v2_get_delivered_tasks_by_name(world: V2World, client: ScaleClient) -> None:
    """By delivery name within a project: the same tasks as by id."""
    delivery = _delivery(world)
    by_id = client.v2_get_delivered_tasks(delivery_id=delivery["id"], limit=LIMIT)
    by_name = client.v2_get_delivered_tasks(delivery_name=delivery["name"], project_name=world.project,
                                            limit=LIMIT)
    assert sorted(_ids(list(by_name), "task_id")) == sorted(_ids(list(by_id), "task_id"))


def test_v2_get_delivery_tasks_docs_name_their_delivery(world: V2World, client: ScaleClient) -> None:
    """Every doc of ``v2_get_delivery_tasks`` carries the delivery's id."""
    delivery = _delivery(world)
    docs = list(client.v2_get_delivery_tasks(delivery_id=delivery["id"], limit=LIMIT))
    assert docs and {doc.delivery_id for doc in docs} == {delivery["id"]}
