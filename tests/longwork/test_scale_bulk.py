"""Bulk creates and updates against the emulator, with injected faults, interruptions and reruns."""
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from support.longwork import PROJECT, Client, all_tasks, fast_retries, payload
from scaleapi._journal import Journal, item_hash
from scaleapi._ratelimit import RateLimiter
from scaleapi.bulk import BulkError, shared_client
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleInternalError,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
)

CREATE_PATH = "/v1/task/imageannotation"


def add_create_faults(emu: Any, rate: float = 0.04, seed: int = 7) -> None:
    """429 (Retry-After: 0) and 503 before processing, and false 500s after it, on task creates.

    The 429s are few: each one halves the shared limiter's rate, which then climbs back slowly
    (that is the limiter's job; the test just should not spend a minute on it).
    """
    emu.add_fault(action="status", status=429, retry_after="0", method="POST", path=CREATE_PATH,
                  probability=0.01, count=3, seed=seed)
    emu.add_fault(action="status", status=503, method="POST", path=CREATE_PATH,
                  probability=rate, seed=seed + 1)
    emu.add_fault(action="error_after", status=500, method="POST", path=CREATE_PATH,
                  probability=rate, seed=seed + 2)
    # The reconciling GET tasks?unique_id=... is retried by the Api; fail some of those too.
    emu.add_fault(action="status", status=503, method="GET", path="/v1/tasks",
                  probability=rate, seed=seed + 3)


def fired(emu: Any) -> Dict[str, int]:
    """How often each kind of fault fired."""
    counts: Dict[str, int] = Counter()
    for rule in emu.faults():
        counts[f"{rule['action']}:{rule['status']}:{rule['method']}"] += rule["fired"]
    return dict(counts)


def check_accounting(result: Any, total: int) -> None:
    """Every input index is in exactly one of succeeded / failed / skipped."""
    failed = [failure.index for failure in result.failed]
    every = list(result.succeeded_indices) + failed + list(result.skipped)
    assert sorted(every) == list(range(total))
    assert len(set(every)) == total
    assert result.succeeded_indices == sorted(result.succeeded_indices)
    assert failed == sorted(failed)
    assert len(result.succeeded) == len(result.succeeded_indices)
    assert result.total == total


def test_1000_creates_with_injected_faults_make_exactly_1000_tasks(
    client: Client, emu: Any, tmp_path: Path
) -> None:
    """1000 creates with injected faults make exactly 1000 tasks."""
    fast_retries(client)
    payloads = [payload(i, unique_id=f"faulty-{i}") for i in range(1000)]
    add_create_faults(emu)
    journal = tmp_path / "faulty.journal"

    first = client.create_tasks("imageannotation", payloads, concurrency=8, journal=journal)

    check_accounting(first, 1000)
    hits = fired(emu)
    assert hits["error_after:500:POST"] > 0 and hits["status:429:POST"] > 0 and hits["status:503:POST"] > 0
    for failure in first.failed:  # a failure says what happened, for the right payload
        assert failure.item is payloads[failure.index]
        assert isinstance(failure.error, Exception)
    for index, task in zip(first.succeeded_indices, first.succeeded):
        assert task.as_dict()["unique_id"] == f"faulty-{index}"
    # Anything that failed even after retries is finished by rerunning with the same journal: done
    # items are skipped, and an item whose create may have committed before it failed (a false 500,
    # then only failing reconciliations) is reconciled by its unique_id instead of reported as a
    # duplicate.
    emu.clear_faults()  # the outage is over: rerun what is left
    if first.failed:
        again = client.create_tasks("imageannotation", payloads, concurrency=8, journal=journal)
        assert again.ok, again.failed
        assert again.resumed == len(first.succeeded) and len(again.succeeded) == 1000
    stored = all_tasks(client)
    assert len(stored) == 1000
    assert sorted(task["unique_id"] for task in stored) == sorted(p["unique_id"] for p in payloads)


def test_false_500s_without_unique_ids_fail_visibly_and_never_duplicate(client: Client, emu: Any) -> None:
    """False 500s without unique ids fail visibly and never duplicate."""
    fast_retries(client)
    payloads = [payload(i) for i in range(300)]
    emu.add_fault(action="error_after", status=500, method="POST", path=CREATE_PATH,
                  probability=0.1, seed=3)

    result = client.create_tasks("imageannotation", payloads, concurrency=8)

    check_accounting(result, 300)
    false_500s = fired(emu)["error_after:500:POST"]
    assert false_500s > 0
    # Without a natural key a 5xx create is never retried (it could duplicate), so each false 500
    # is one reported failure, and the task it did create exists exactly once.
    assert len(result.failed) == false_500s
    assert all(isinstance(f.error, ScaleInternalError) for f in result.failed)
    with pytest.raises(BulkError) as caught:
        result.raise_for_failures()
    assert f"{false_500s} of 300 items failed" in str(caught.value)
    emu.clear_faults()
    stored = all_tasks(client)
    assert len(stored) == 300
    assert Counter(task["metadata"]["n"] for task in stored) == Counter(range(300))
    assert {t.id for t in result.succeeded} <= {task["task_id"] for task in stored}


def test_journaled_run_interrupted_halfway_then_rerun_creates_no_duplicates(
    client: Client, tmp_path: Path
) -> None:
    """Journaled run interrupted halfway then rerun creates no duplicates."""
    journal = tmp_path / "create.journal"
    payloads = [payload(i) for i in range(120)]

    def stop_halfway(done: int, total: Optional[int]) -> None:
        assert total == 120
        if done >= 60:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.create_tasks("imageannotation", payloads, concurrency=8, progress=stop_halfway,
                            journal=journal)
    created_before_rerun = len(all_tasks(client))
    assert 60 <= created_before_rerun < 120

    result = client.create_tasks("imageannotation", payloads, concurrency=8, journal=journal)

    assert result.ok and result.total == 120
    check_accounting(result, 120)
    assert result.resumed >= 60  # done by the first run, restored from the journal, not redone
    stored = all_tasks(client)
    assert len(stored) == 120
    assert sorted(t.id for t in result.succeeded) == sorted(task["task_id"] for task in stored)
    # The deterministic unique_ids the journal assigned: bulk-<run_id>-<index>.
    assert sorted(task["unique_id"] for task in stored) == sorted(
        f"bulk-{result.run_id}-{i}" for i in range(120)
    )
    assert [t.as_dict()["metadata"]["n"] for t in result.succeeded] == list(range(120))


def test_rerun_reconciles_an_item_that_was_in_flight_when_the_process_died(
    client: Client, tmp_path: Path
) -> None:
    """Rerun reconciles an item that was in flight when the process died."""
    journal_path = tmp_path / "crash.journal"
    payloads = [payload(i) for i in range(5)]
    # What a crashed run leaves: item 2 started (and its request reached the server), no end record.
    with Journal(journal_path, "create_tasks:imageannotation") as journal:
        journal.started(2, item_hash(payloads[2]))
        run_id = journal.run_id
    orphan = client.create_task("imageannotation", **payloads[2], unique_id=f"bulk-{run_id}-2")

    result = client.create_tasks("imageannotation", payloads, journal=journal_path)

    assert result.ok
    assert result.succeeded[2].id == orphan.id
    assert len(all_tasks(client)) == 5


def test_a_genuine_duplicate_stays_a_failure(client: Client, tmp_path: Path) -> None:
    """A genuine duplicate stays a failure."""
    client.create_task("imageannotation", **payload(99, unique_id="taken"))
    payloads = [payload(0, unique_id="taken"), payload(1, unique_id="free")]

    result = client.create_tasks("imageannotation", payloads, journal=tmp_path / "dup.journal")

    assert [f.index for f in result.failed] == [0]
    assert isinstance(result.failed[0].error, ScaleDuplicateResource)
    # A rerun does not turn it into a success either: that item never had an ambiguous attempt.
    again = client.create_tasks("imageannotation", payloads, journal=tmp_path / "dup.journal")
    assert [f.index for f in again.failed] == [0] and again.resumed == 1


def test_bulk_updates_cancel_tags_metadata(live_client: Client) -> None:
    """Bulk updates cancel tags metadata."""
    created = live_client.create_tasks("imageannotation", [payload(i) for i in range(12)])
    created.raise_for_failures()
    ids = [task.id for task in created.succeeded]

    canceled = live_client.cancel_tasks(ids[:4] + ["no-such-task"], concurrency=3)
    assert [t.as_dict()["status"] for t in canceled.succeeded] == ["canceled"] * 4
    assert [(f.index, type(f.error)) for f in canceled.failed] == [(4, ScaleResourceNotFound)]

    tagged = live_client.set_tasks_tags(ids[4:8], ["a", "b"]).raise_for_failures()
    assert [t.as_dict()["tags"] for t in tagged.succeeded] == [["a", "b"]] * 4
    added = live_client.add_tasks_tags([(ids[4], ["c"]), (ids[5], ["a", "d"])]).raise_for_failures()
    assert [t.as_dict()["tags"] for t in added.succeeded] == [["a", "b", "c"], ["a", "b", "d"]]
    removed = live_client.delete_tasks_tags(ids[4:6], ["a"]).raise_for_failures()
    assert [t.as_dict()["tags"] for t in removed.succeeded] == [["b", "c"], ["b", "d"]]

    metadata = {task_id: {"k": n} for n, task_id in enumerate(ids[8:])}
    updated = live_client.set_tasks_metadata(metadata).raise_for_failures()
    assert [t.as_dict()["metadata"] for t in updated.succeeded] == [{"k": n} for n in range(4)]
    assert live_client.get_task(ids[9]).as_dict()["metadata"] == {"k": 1}

    bad = live_client.set_tasks_tags([("only-an-id",), (ids[0], ["x"])])
    assert [(f.index, type(f.error)) for f in bad.failed] == [(0, TypeError)]
    assert len(bad.succeeded) == 1


def test_bulk_audit_and_cancel_of_completed_tasks(client: Client, tmp_path: Path) -> None:
    """Bulk audit and cancel of completed tasks."""
    ids = [t.id for t in client.create_tasks("imageannotation", [payload(i) for i in range(6)]).succeeded]

    audited = client.audit_tasks(ids[:3], accepted=True, comments="fine", journal=tmp_path / "a.journal")
    assert audited.ok and audited.succeeded == ids[:3]
    mixed = client.audit_tasks([(ids[3], False, "bad box"), (ids[4], True), (ids[5], "yes")])
    assert [f.index for f in mixed.failed] == [2] and mixed.succeeded == ids[3:5]
    # Completed tasks cannot be canceled: every one is reported, none dropped.
    canceled = client.cancel_tasks(ids)
    assert len(canceled.failed) == 6
    assert all(isinstance(f.error, ScaleInvalidRequest) for f in canceled.failed)
    # Rerunning the audit with its journal redoes nothing.
    again = client.audit_tasks(ids[:3], accepted=True, comments="fine", journal=tmp_path / "a.journal")
    assert again.succeeded == ids[:3] and again.resumed == 3


def test_threads_share_one_pool_and_one_rate_limiter(client: Client) -> None:
    """Threads share one pool and one rate limiter."""
    shared = shared_client(client)
    assert shared is not client
    assert isinstance(shared.api.throttle, RateLimiter)
    assert shared.api._session is client.api._session  # pylint: disable=protected-access
    assert client.api.throttle is None  # the caller's client is left alone
    assert shared_client(shared) is shared  # nested bulk calls keep the same limiter


def test_429s_slow_every_thread_through_the_shared_limiter(client: Client, emu: Any) -> None:
    """429s slow every thread through the shared limiter."""
    limiter = RateLimiter(min_rate=20.0)
    client.api.throttle = limiter  # the bulk run uses the limiter the client already has
    emu.add_fault(action="status", status=429, retry_after="0", method="POST", path=CREATE_PATH, count=3)
    result = client.create_tasks("imageannotation", [payload(i) for i in range(40)], concurrency=8)
    assert result.ok
    assert limiter.throttled == 3
    assert len(all_tasks(client)) == 40


def test_payloads_are_read_lazily(client: Client) -> None:
    """Payloads are read lazily."""
    pulled: List[int] = []
    gate = threading.Event()
    calls = 0

    def payloads() -> Iterator[Dict[str, Any]]:
        for i in range(200):
            pulled.append(i)
            yield payload(i)

    def progress(done: int, total: Optional[int]) -> None:
        nonlocal calls
        assert total is None  # a generator has no length
        calls += 1
        if done == 1:
            # Once the first item is done, at most 2 x concurrency items may have been read.
            assert len(pulled) <= 2 * 4 + 1
            gate.set()

    result = client.create_tasks("imageannotation", payloads(), concurrency=4, progress=progress)
    assert gate.is_set() and result.ok and calls == 200
    assert len(all_tasks(client, PROJECT)) == 200
