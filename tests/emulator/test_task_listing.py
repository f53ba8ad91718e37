"""GET tasks: every filter, cursor pages, ordering, and malformed queries."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import json
import time
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from support.emulator import IMAGE_TASK, Api, error_of

from scaleapi.emulator import Emulator

Query = List[Tuple[str, str]]


def walk(api: Api, query: Query, limit: int) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Follow next_token to the end; return (all docs, all page envelopes)."""
    docs: List[Dict[str, Any]] = []
    pages: List[Dict[str, Any]] = []
    token = None
    for _ in range(1000):
        params = list(query) + [("limit", str(limit))]
        if token:
            params.append(("next_token", token))
        page = api.ok("GET", "tasks", params=params)
        pages.append(page)
        docs.extend(page["docs"])
        if not page["has_more"]:
            assert page["next_token"] is None
            return docs, pages
        token = page["next_token"]
        assert token
    raise AssertionError("pagination never ended")


@pytest.fixture(scope="module")
def corpus_emu() -> Iterator[Emulator]:
    """An emulator of its own for the read-only corpus, so it is built once per module."""
    with Emulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def corpus_api(corpus_emu: Emulator) -> Iterator[Api]:
    """A live-mode client on the corpus emulator."""
    client = Api(corpus_emu.url, "live_corpus_owner")
    yield client
    client.close()


@pytest.fixture(scope="module")
def corpus(corpus_emu: Emulator, corpus_api: Api) -> List[Dict[str, Any]]:
    """250 live tasks over two projects, with tags and a mix of statuses; oldest first."""
    emu, live = corpus_emu, corpus_api
    live.ok("POST", "projects", json={"type": "imageannotation", "name": "pa"})
    live.ok("POST", "projects", json={"type": "imageannotation", "name": "p/b x"})
    tasks = []
    for i in range(250):
        body: Dict[str, Any] = {**IMAGE_TASK, "project": "pa" if i % 2 else "p/b x", "unique_id": f"u{i}"}
        tags = (["x"] if i % 3 == 0 else []) + (["y"] if i % 5 == 0 else [])
        if tags:
            body["tags"] = tags
        task = live.ok("POST", "task/imageannotation", json=body)
        if i % 4 == 0:
            task = live.ok("POST", f"task/{task['task_id']}/cancel")
        elif i % 4 == 1:
            task = emu.complete_task(task["task_id"])
        tasks.append(task)
    return tasks


def expected(corpus: List[Dict[str, Any]], **match: Any) -> List[str]:
    """Ids of matching tasks, newest first."""
    result = []
    for task in reversed(corpus):
        if all(
            set(value) <= set(task.get("tags", [])) if key == "tags" else task.get(key) == value
            for key, value in match.items()
        ):
            result.append(task["task_id"])
    return result


@pytest.mark.parametrize(("query", "match"), [
    ([], {}),
    ([("project", "pa")], {"project": "pa"}),
    ([("project", "p/b x")], {"project": "p/b x"}),
    ([("status", "pending")], {"status": "pending"}),
    ([("project", "pa"), ("status", "completed")], {"project": "pa", "status": "completed"}),
    ([("tags", "x")], {"tags": ["x"]}),
    ([("tags", "x"), ("tags", "y")], {"tags": ["x", "y"]}),
    ([("project", "p/b x"), ("status", "canceled"), ("tags", "y")],
     {"project": "p/b x", "status": "canceled", "tags": ["y"]}),
    ([("type", "imageannotation"), ("status", "canceled")], {"status": "canceled"}),
])
def test_pages_cover_each_match_once_newest_first(
    corpus: List[Dict[str, Any]], corpus_api: Api, query: Query, match: Dict[str, Any]
) -> None:
    live = corpus_api
    want = expected(corpus, **match)
    assert want, "the corpus should match every filter"
    docs, pages = walk(live, query, limit=7)
    assert [doc["task_id"] for doc in docs] == want
    assert all(page["total"] == len(want) for page in pages)
    assert [page["offset"] for page in pages] == list(range(0, len(want), 7))
    assert all(page["limit"] == 7 for page in pages)
    assert len(pages) == -(-len(want) // 7)


def test_unique_id_and_review_status_filters(corpus: List[Dict[str, Any]], corpus_api: Api) -> None:
    live = corpus_api
    page = live.ok("GET", "tasks", params=[("unique_id", "u1"), ("unique_id", "u5"), ("unique_id", "zz")])
    assert sorted(doc["unique_id"] for doc in page["docs"]) == ["u1", "u5"]
    completed = [t for t in corpus if t["status"] == "completed"]
    live.ok("POST", f"task/{completed[0]['task_id']}/audit", json={"accepted": True, "comments": None})
    live.ok("POST", f"task/{completed[1]['task_id']}/audit", json={"accepted": False, "comments": None})
    accepted = live.ok("GET", "tasks", params={"customer_review_status": "accepted"})
    assert [doc["task_id"] for doc in accepted["docs"]] == [completed[0]["task_id"]]
    both = live.ok("GET", "tasks", params={"customer_review_status": "accepted,rejected"})
    assert both["total"] == 2
    pending_review = live.ok("GET", "tasks", params={"customer_review_status": "pending"})
    assert pending_review["total"] == len(completed) - 2


def test_default_limit_and_limited_response(corpus: List[Dict[str, Any]], corpus_api: Api) -> None:
    live = corpus_api
    page = live.ok("GET", "tasks")
    assert page["limit"] == 100 and len(page["docs"]) == 100 and page["total"] == 250 and page["has_more"]
    small = live.ok("GET", "tasks", params={"limited_response": "True", "limit": 3,
                                            "include_attachment_url": "True"})
    for doc in small["docs"]:
        assert set(doc) <= {"task_id", "status", "metadata", "project", "otherVersion"}
        assert {"task_id", "status", "metadata"} <= set(doc)
    assert small["docs"][0]["task_id"] == corpus[-1]["task_id"]


def test_time_windows_partition_exactly(corpus: List[Dict[str, Any]], corpus_api: Api) -> None:
    live = corpus_api
    middle = corpus[125]["created_at"]
    early, _ = walk(live, [("end_time", middle)], limit=100)
    late, _ = walk(live, [("start_time", middle)], limit=100)
    ids_early = {doc["task_id"] for doc in early}
    ids_late = {doc["task_id"] for doc in late}
    assert not ids_early & ids_late
    assert ids_early | ids_late == {task["task_id"] for task in corpus}
    assert all(doc["created_at"] < middle for doc in early)
    assert all(doc["created_at"] >= middle for doc in late)


def test_time_filter_formats(emu: Emulator, api: Api) -> None:
    task = api.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    day = task["created_at"][:10]
    starts = (day, f"{day}T00:00:00", f"{day} 00:00:00.000000", f"{day}T00:00:00Z", f"{day}T02:00:00+02:00")
    for start in starts:
        page = api.ok("GET", "tasks", params={"start_time": start})
        assert [doc["task_id"] for doc in page["docs"]] == [task["task_id"]], start
    # The official test's empty window: two naive utcnow() values half a second apart, later.
    time.sleep(0.01)
    t1 = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 5)) + ".123456"
    t2 = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 6)) + ".623456"
    assert api.ok("GET", "tasks", params={"start_time": t1, "end_time": t2})["docs"] == []
    assert emu.running


def test_completed_and_updated_ranges(emu: Emulator, live: Api) -> None:
    first = [live.ok("POST", "task/imageannotation", json=IMAGE_TASK)["task_id"] for _ in range(3)]
    for tid in first:
        emu.complete_task(tid)
    time.sleep(0.005)
    second = [live.ok("POST", "task/imageannotation", json=IMAGE_TASK)["task_id"] for _ in range(2)]
    boundary = emu.complete_task(second[0])["completed_at"]
    emu.complete_task(second[1])
    after = live.ok("GET", "tasks", params={"completed_after": boundary})
    assert {doc["task_id"] for doc in after["docs"]} == set(second)
    before = live.ok("GET", "tasks", params={"completed_before": boundary})
    assert {doc["task_id"] for doc in before["docs"]} == set(first)
    live.ok("POST", f"task/{first[0]}/setMetadata", json={"touched": True})
    updated = live.ok("GET", "tasks", params={"updated_after": boundary})
    assert first[0] in {doc["task_id"] for doc in updated["docs"]}
    assert first[1] not in {doc["task_id"] for doc in updated["docs"]}


def test_same_millisecond_tasks_keep_a_stable_order(emu: Emulator, api: Api) -> None:
    emu.seed_tasks("test_emulator_alpha", 120)
    docs, _ = walk(api, [], limit=11)
    assert len(docs) == 120 and len({doc["task_id"] for doc in docs}) == 120
    again, _ = walk(api, [], limit=13)
    assert [doc["task_id"] for doc in again] == [doc["task_id"] for doc in docs]


@pytest.mark.parametrize(("params", "name"), [
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"next_token": "garbage!"}, "next_token"),
    ({"next_token": "WzEsMiwzXQ"}, "next_token"),
    ({"status": "done"}, "status"),
    ({"type": "nope"}, "type"),
    ({"customer_review_status": "meh"}, "customer_review_status"),
    ({"start_time": "yesterday"}, "start_time"),
    ({"completed_before": "2021-13-01"}, "completed_before"),
    ({"limited_response": "perhaps"}, "limited_response"),
])
def test_bad_query_values_are_400(api: Api, params: Dict[str, str], name: str) -> None:
    assert name in error_of(api.get("tasks", params=params), 400)


def test_next_token_is_bound_to_its_filters(emu: Emulator, api: Api) -> None:
    emu.seed_tasks("test_emulator_alpha", 5)
    page = api.ok("GET", "tasks", params={"limit": 2})
    assert "different query" in error_of(
        api.get("tasks", params={"limit": 2, "status": "pending", "next_token": page["next_token"]}), 400
    )
    # The same filters with another page size are fine.
    assert len(api.ok("GET", "tasks", params={"limit": 3, "next_token": page["next_token"]})["docs"]) == 3


def test_listing_needs_no_project_or_batch(api: Api) -> None:
    created = [api.ok("POST", "task/imageannotation", json=IMAGE_TASK)["task_id"] for _ in range(3)]
    page = api.ok("GET", "tasks", params={"limit": 3})
    assert [doc["task_id"] for doc in page["docs"]] == created[::-1]


def test_served_documents_are_the_stored_json_spliced_verbatim(api: Api) -> None:
    """Pages and get-task splice the stored compact JSON: the body equals its own compact re-encoding."""
    metadata = {"ü": 1.5e300, "none": None, "quote": "\u2028\"q\"", "big": 12345678901234567890}
    created = [
        api.ok("POST", "task/imageannotation", json=dict(IMAGE_TASK, metadata=metadata, tags=["splice"]))
        for _ in range(3)
    ]
    for limited in ("false", "true"):
        response = api.get("tasks", params={"tags": "splice", "limit": "2", "limited_response": limited})
        page = response.json()
        assert response.content == json.dumps(page, separators=(",", ":")).encode()
        assert [doc["metadata"] for doc in page["docs"]] == [metadata, metadata]
        assert (page["total"], page["limit"], page["offset"], page["has_more"]) == (3, 2, 0, True)
        if limited == "true":
            assert set(page["docs"][0]) == {"task_id", "status", "metadata", "otherVersion"}
        else:
            assert page["docs"] == [created[2], created[1]]
    response = api.get(f"task/{created[0]['task_id']}")
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == created[0]
    assert response.content == json.dumps(created[0], separators=(",", ":")).encode()
    head = api.request("HEAD", f"task/{created[0]['task_id']}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(response.content))
