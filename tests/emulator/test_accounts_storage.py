"""Accounts (isolation, modes), persistence across restarts, and indexed SQL for listing."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, Tuple

import pytest

from support.emulator import IMAGE_TASK, LIVE_KEY, OTHER_KEY, TEST_KEY, Api, error_of

from scaleapi.emulator import Emulator
from scaleapi.emulator.storage.db import DatabaseInUse, StorageError
from scaleapi.emulator.storage.store import Store
from scaleapi.emulator.storage.task_store import TaskFilter, _order, build_query


def test_accounts_are_isolated(api_for: Callable[[Optional[str]], Api]) -> None:
    alpha, beta = api_for(TEST_KEY), api_for(OTHER_KEY)
    for client in (alpha, beta):
        client.ok("POST", "projects", json={"type": "imageannotation", "name": "same-name"})
        client.ok("POST", "batches", json={"project": "same-name", "name": "same-batch"})
    task = alpha.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "unique_id": "shared"})
    beta.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "unique_id": "shared"})
    error_of(beta.get(f"task/{task['task_id']}"), 404)
    error_of(beta.post(f"task/{task['task_id']}/cancel"), 404)
    error_of(beta.post(f"task/{task['task_id']}/tags", json=["x"]), 404)
    assert alpha.ok("GET", "tasks")["total"] == 1 and beta.ok("GET", "tasks")["total"] == 1
    alpha.ok("POST", "teams/invite", json={"emails": ["x@y.com"], "team_role": "member"})
    assert len(alpha.ok("GET", "teams")) == 2 and len(beta.ok("GET", "teams")) == 1
    assert alpha.ok("GET", "teams")[0]["email"] != beta.ok("GET", "teams")[0]["email"]
    assert alpha.ok("GET", "batches")["totalDocs"] == 1


def test_test_and_live_modes(api_for: Callable[[Optional[str]], Api]) -> None:
    test = api_for("scale_xyz|test").ok("POST", "task/imageannotation", json=IMAGE_TASK)
    assert test["status"] == "completed" and test["is_test"] is True
    live = api_for(LIVE_KEY).ok("POST", "task/imageannotation", json=IMAGE_TASK)
    assert live["status"] == "pending" and live["is_test"] is False and "response" not in live


def test_data_persists_across_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    with Emulator(db=db) as first:
        client = Api(first.url, TEST_KEY)
        client.ok("POST", "projects", json={"type": "imageannotation", "name": "kept"})
        client.ok("POST", "batches", json={"project": "kept", "name": "kept-batch"})
        task = client.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "unique_id": "u", "tags": ["t"]})
        client.ok("POST", "teams/invite", json={"emails": ["k@x.com"], "team_role": "member"})
        client.close()
    with Emulator(db=db) as second:
        client = Api(second.url, TEST_KEY)
        assert client.ok("GET", f"task/{task['task_id']}") == task
        assert client.ok("GET", "projects/kept")["name"] == "kept"
        assert client.ok("GET", "batches/kept-batch")["project"] == "kept"
        assert client.ok("GET", "tasks", params={"tags": "t"})["total"] == 1
        error_of(client.post("task/imageannotation", json={**IMAGE_TASK, "unique_id": "u"}), 409)
        assert [m["email"] for m in client.ok("GET", "teams")][1] == "k@x.com"
        newer = client.ok("POST", "task/imageannotation", json=IMAGE_TASK)
        listed = [d["task_id"] for d in client.ok("GET", "tasks")["docs"]]
        assert listed == [newer["task_id"], task["task_id"]]
        client.close()


def test_one_db_file_serves_one_emulator_at_a_time(tmp_path: Path) -> None:
    db = str(tmp_path / "owned.db")
    with Emulator(db=db) as first:
        client = Api(first.url, TEST_KEY)
        client.ok("POST", "projects", json={"type": "imageannotation", "name": "mine"})
        with pytest.raises(DatabaseInUse, match="in use by another emulator"):
            Emulator(db=db).start()
        with pytest.raises(DatabaseInUse):
            Store(db)
        first.reset()  # the refused ones left nothing behind to lose or to clobber
        client.ok("POST", "projects", json={"type": "imageannotation", "name": "after-reset"})
        client.close()
    with Emulator(db=db) as second:
        client = Api(second.url, TEST_KEY)
        assert [p["name"] for p in client.ok("GET", "projects")] == ["after-reset"]
        client.close()


@pytest.mark.parametrize("problem", ["directory", "missing directory", "not a database"])
def test_an_unusable_db_file_is_a_storage_error(tmp_path: Path, problem: str) -> None:
    path = {"directory": tmp_path, "missing directory": tmp_path / "nope" / "x.db",
            "not a database": tmp_path / "junk.db"}[problem]
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all\n" * 100)
    with pytest.raises(StorageError):
        Emulator(db=str(path)).start()


def test_in_memory_by_default(emu: Emulator) -> None:
    assert emu.health()["database"] == ":memory:"


@pytest.mark.parametrize("flt", [
    TaskFilter(),
    TaskFilter(project="p"),
    TaskFilter(batch="b"),
    TaskFilter(statuses=["pending"]),
    TaskFilter(types=["imageannotation"]),
    TaskFilter(review_statuses=["accepted"]),
    TaskFilter(unique_ids=["u"]),
    TaskFilter(unique_ids=["u", "v"]),
    TaskFilter(project="p", statuses=["completed"]),
    TaskFilter(batch="b", statuses=["pending"]),
    TaskFilter(created=(1, 2)),
    TaskFilter(updated=(1, None)),
    TaskFilter(completed=(None, 5)),
    TaskFilter(tags_all=["a"]),
    TaskFilter(tags_all=["a", "b"], project="p"),
])
@pytest.mark.parametrize("after", [None, (1_000, 7)])
def test_listing_queries_use_indexes(flt: TaskFilter, after: Optional[Tuple[int, int]]) -> None:
    """No listing query scans the tasks table, and every filter has its own index range."""
    store = Store()
    try:
        source, where, params = build_query(1, flt, after)
        page_sql = f"SELECT t.doc FROM {source} WHERE {where} ORDER BY {_order(flt)} LIMIT ?"
        count_sql = f"SELECT COUNT(*) FROM {source} WHERE {where}"
        for sql, extra in ((page_sql, (10,)), (count_sql, ())):
            plan = [str(row[3]) for row in store.db.query(f"EXPLAIN QUERY PLAN {sql}", (*params, *extra))]
            assert all(step.startswith(("SEARCH", "USE TEMP", "CORRELATED", "LIST")) for step in plan), plan
            first = plan[0]
            if flt.unique_ids:
                assert "tasks_by_unique_id" in first, plan
            elif flt.tags_all:
                assert "SEARCH k USING PRIMARY KEY" in first, plan
            elif flt.completed != (None, None):
                assert "tasks_by_completed" in first, plan
            elif flt.project and flt.statuses:
                assert "tasks_by_project_status" in first, plan
    finally:
        store.close()


def test_tasks_created_after_seeding_are_still_counted(emu: Emulator, api: Api) -> None:
    """Seeding drops the per-row counting trigger for its bulk insert; it must be back afterwards."""
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "counted"})

    def total() -> int:
        return int(api.ok("GET", "tasks", params={"project": "counted", "limit": 1})["total"])

    emu.seed_tasks(TEST_KEY, 50, project="counted")
    for _ in range(3):
        api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "counted"})
    assert total() == 53
    emu.seed_tasks(TEST_KEY, 7, project="counted")
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "counted"})
    assert total() == 61


def test_seeding_many_tasks_and_paging_deep(emu: Emulator, api: Api) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "big"})
    assert emu.seed_tasks(TEST_KEY, 20_000, project="big") == 20_000
    emu.seed_tasks(TEST_KEY, 500, status="pending")
    assert api.ok("GET", "tasks", params={"project": "big", "limit": 1})["total"] == 20_000
    assert api.ok("GET", "tasks", params={"status": "pending", "limit": 1})["total"] == 500
    page = api.ok("GET", "tasks", params={"project": "big", "limit": 100})
    for _ in range(5):
        params = {"project": "big", "limit": 100, "next_token": page["next_token"]}
        page = api.ok("GET", "tasks", params=params)
    assert page["offset"] == 500 and len(page["docs"]) == 100
