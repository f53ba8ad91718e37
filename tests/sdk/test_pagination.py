"""The page walkers against crafted pages served over real HTTP: they stop instead of looping forever."""
import gc
import weakref
from typing import Any, Callable, Dict, List

import pytest
from support.recording_server import RecordingServer, Seen

from scaleapi import Batchlist, Paginator, ScaleClient, Task, Tasklist
from scaleapi.exceptions import ScalePaginationError


def task(n: int) -> Dict[str, Any]:
    """A minimal task JSON."""
    return {"task_id": f"t{n}", "type": "imageannotation", "status": "completed"}


def task_pages(pages: List[Dict[str, Any]]) -> Any:
    """Answer GET tasks with ``pages`` in order, chosen by the ``next_token`` sent."""

    def respond(seen: Seen) -> Any:
        token = seen.query.get("next_token", [None])[0]
        for page in pages:
            if page.get("_token") == token:
                return 200, {k: v for k, v in page.items() if k != "_token"}
        return 400, {"error": f"unknown token {token}"}

    return respond


def cursor_page(token: Any, docs: List[int], next_token: Any, has_more: bool) -> Dict[str, Any]:
    """One task page that answers to ``token``."""
    page = {"_token": token, "docs": [task(n) for n in docs], "total": 99, "limit": len(docs),
            "offset": 0, "has_more": has_more}  # fmt: skip
    if next_token is not None:
        page["next_token"] = next_token
    return page


def test_get_tasks_walks_cursor_pages(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Each page's next_token is sent for the next page; the walk stops when has_more is false."""
    recorder.responder = task_pages(
        [
            cursor_page(None, [1, 2], "A", True),
            cursor_page("A", [3], "B", True),
            cursor_page("B", [4], None, False),
        ]
    )
    ids = [t.id for t in wire_client.get_tasks(project_name="p", limit=2)]
    assert ids == ["t1", "t2", "t3", "t4"]
    assert [s.query.get("next_token") for s in recorder.seen] == [None, ["A"], ["B"]]


def test_get_tasks_is_lazy(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Nothing is fetched until iteration, and only one page per page consumed."""
    recorder.responder = task_pages([cursor_page(None, [1], "A", True), cursor_page("A", [2], None, False)])
    walker = wire_client.get_tasks(project_name="p")
    assert not recorder.seen
    assert next(walker).id == "t1"
    assert len(recorder.seen) == 1
    assert next(walker).id == "t2"
    assert len(recorder.seen) == 2


def test_get_tasks_does_not_keep_pages(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Tasks already yielded are not kept alive by the walker (constant memory)."""
    pages = [cursor_page(None if n == 0 else str(n), [n], str(n + 1), True) for n in range(5)]
    pages.append(cursor_page("5", [5], None, False))
    recorder.responder = task_pages(pages)
    refs = []
    for item in wire_client.get_tasks(project_name="p"):
        refs.append(weakref.ref(item))
        del item
    gc.collect()
    assert len(refs) == 6
    assert all(ref() is None for ref in refs)


@pytest.mark.parametrize(
    "pages,message",
    [
        ([cursor_page(None, [1], "A", True), cursor_page("A", [2], "A", True)], "second time"),
        ([cursor_page(None, [1], "A", True), cursor_page("A", [2], "B", True),
          cursor_page("B", [3], "A", True)], "second time"),
        ([cursor_page(None, [1], None, True)], "no next_token"),
        ([cursor_page(None, [1], "", True)], "no next_token"),
        ([cursor_page(None, [], "A", True)], "empty page"),
    ],
    ids=["repeated-token", "token-cycle", "has-more-without-token", "empty-token", "empty-page-has-more"],
)  # fmt: skip
def test_get_tasks_refuses_to_loop(
    recorder: RecordingServer, wire_client: ScaleClient, pages: List[Dict[str, Any]], message: str
) -> None:
    """A page that would make the walk repeat itself raises ScalePaginationError, after few requests."""
    recorder.responder = task_pages(pages)
    with pytest.raises(ScalePaginationError, match=message):
        list(wire_client.get_tasks(project_name="p"))
    assert len(recorder.seen) <= 3


def batch_pages(limit: Any, per_page: int, total: int) -> Any:
    """Answer GET batches by offset with ``per_page`` docs, reporting ``limit``."""

    def respond(seen: Seen) -> Any:
        offset = int(seen.query["offset"][0])
        count = max(0, min(per_page, total - offset))
        docs = [{"name": f"b{offset + i}", "project": "p", "status": "in_progress", "metadata": {}}
                for i in range(count)]  # fmt: skip
        return 200, {"docs": docs, "totalDocs": total, "limit": limit, "offset": offset,
                     "has_more": offset + per_page < total}  # fmt: skip

    return respond


def test_get_batches_advances_by_page_limit(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Offsets 0, 2, 4: the walker adds the page's limit each time."""
    recorder.responder = batch_pages(limit=2, per_page=2, total=5)
    names = [b.name for b in wire_client.get_batches(project_name="p")]
    assert names == ["b0", "b1", "b2", "b3", "b4"]
    assert [s.query["offset"] for s in recorder.seen] == [["0"], ["2"], ["4"]]
    assert all("limit" not in s.query for s in recorder.seen)


def test_get_batches_refuses_limit_zero(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """A page reporting limit 0 with has_more would never advance: ScalePaginationError."""
    recorder.responder = batch_pages(limit=0, per_page=2, total=5)
    with pytest.raises(ScalePaginationError, match="limit 0"):
        list(wire_client.get_batches())
    assert len(recorder.seen) == 1


def test_get_batches_refuses_empty_page_with_more(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """An empty page that claims has_more: ScalePaginationError."""
    recorder.responder = lambda seen: (
        200,
        {"docs": [], "totalDocs": 5, "limit": 2, "offset": 0, "has_more": True},
    )
    with pytest.raises(ScalePaginationError, match="empty page"):
        list(wire_client.get_batches())


def test_pages_tolerate_missing_keys(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """A page with only ``docs`` gives neutral defaults instead of KeyError."""
    recorder.responder = lambda seen: (200, {"docs": [task(1)]})
    page = wire_client.tasks()
    assert (page.total, page.limit, page.offset, page.has_more, page.next_token) == (1, 1, 0, False, None)
    recorder.responder = lambda seen: (200, {"docs": [{"name": "b"}], "total": 7})
    bpage = wire_client.batches()
    assert (bpage.total, bpage.has_more, bpage[0].metadata) == (7, False, {})


def test_paginator_is_a_generic_list() -> None:
    """A Paginator is a list of its docs and carries the paging fields."""
    page: Paginator[int] = Paginator([1, 2], total=10, limit=2, offset=4, has_more=True, next_token="n")
    assert page == [1, 2] and len(page) == 2 and page[1] == 2
    assert (page.docs, page.total, page.limit, page.offset, page.has_more, page.next_token) == (
        [1, 2], 10, 2, 4, True, "n",
    )  # fmt: skip
    tasks = Tasklist([Task(task(1), None)], 1, 1, 0, False)
    assert isinstance(tasks, Paginator) and tasks.next_token is None
    assert isinstance(Batchlist([], 0, 0, 0, False), list)
    assert "total=10" in repr(page)


def stuck_pages(
    recorder: RecordingServer, docs_of: Callable[[int], List[Dict[str, Any]]], cursor: bool = True
) -> Any:
    """Answer each request with ``docs_of(pages served so far)`` as a page that claims more to come.

    With ``cursor``, a task page under a fresh ``next_token`` each time; without, an offset page that
    ignores the offset. It stops claiming more after 50 pages, so an unguarded walk still ends.
    """

    def respond(_seen: Seen) -> Any:
        served = len(recorder.seen)
        docs = docs_of(served)
        page: Dict[str, Any] = {"docs": docs, "limit": len(docs), "offset": 0, "has_more": served < 50}
        if cursor:
            page.update(total=99, next_token=f"fresh-{served}")
        else:
            page["totalDocs"] = 99
        return 200, page

    return respond


BATCH_DOCS = [{"name": f"b{i}", "project": "p", "status": "in_progress", "metadata": {}} for i in range(2)]


# (id, documents of every page, cursor pages?, the walk, what the refusal says)
SAME_PAGE_AGAIN: List[Any] = [
    ("tasks-under-fresh-tokens", [task(1), task(2)], True, lambda c: c.get_tasks(project_name="p"),
     "same 2 documents again"),
    ("batches-at-every-offset", BATCH_DOCS, False, lambda c: c.get_batches(project_name="p"), "no progress"),
]


@pytest.mark.parametrize(
    "docs, cursor, walk, message",
    [case[1:] for case in SAME_PAGE_AGAIN],
    ids=[case[0] for case in SAME_PAGE_AGAIN],
)
def test_the_same_page_again_is_refused_on_the_second_request(
    recorder: RecordingServer,
    wire_client: ScaleClient,
    docs: List[Dict[str, Any]],
    cursor: bool,
    walk: Callable[[ScaleClient], Any],
    message: str,
) -> None:
    """The same documents on every page, under a new next_token each time (tasks) or whatever the offset
    (batches), would be walked forever: the walk stops when the second page brings nothing new."""
    recorder.responder = stuck_pages(recorder, lambda served: docs, cursor=cursor)
    with pytest.raises(ScalePaginationError, match=message):
        list(walk(wire_client))
    assert len(recorder.seen) == 2


def test_pages_that_come_round_again_under_fresh_tokens_are_refused(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """Pages A, B, A, B, ... each under a new token: refused when A comes back."""

    recorder.responder = stuck_pages(recorder, lambda served: [task(served % 2)])
    walked = []
    with pytest.raises(ScalePaginationError, match="no progress"):
        for item in wire_client.get_tasks(project_name="p"):
            walked.append(item.id)
    assert walked == ["t1", "t0"] and len(recorder.seen) == 3


def test_pages_that_overlap_only_in_part_are_walked(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """A task seen twice (it moved while the walk ran) is not a loop: the walk goes on to the end."""
    recorder.responder = task_pages(
        [
            cursor_page(None, [1, 2], "A", True),
            cursor_page("A", [2, 3], "B", True),
            cursor_page("B", [4], None, False),
        ]
    )
    assert [t.id for t in wire_client.get_tasks(project_name="p")] == ["t1", "t2", "t2", "t3", "t4"]
