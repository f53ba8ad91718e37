"""Bulk creates report an old task as theirs only when it matches the payload: reruns, journal resumes.

Each case has an older task holding a payload's ``unique_id`` (or the journal's deterministic one),
and an attempt whose outcome the SDK could not know: a 503 answered before processing, or a journal
that saw the item start and never end. A 409 then must not turn an unrelated task into a success.
"""
from pathlib import Path
from typing import Any, Dict, List

import pytest

from support.longwork import PROJECT, Client, all_tasks, payload
from scaleapi._journal import Journal, item_hash
from scaleapi.exceptions import ScaleDuplicateResource

OPERATION = "create_tasks:imageannotation"
OLD_PROJECT = "old-project"


def every_task_id(client: Client) -> List[str]:
    """The ids of every task of the account (one page is plenty here)."""
    return sorted(task.id for task in client.tasks(limit=100))


@pytest.fixture
def old_task(client: Client) -> Dict[str, Any]:
    """A task with unique_id ``order-42`` in ``old-project``: not any payload's work."""
    client.create_project(OLD_PROJECT, "imageannotation")
    old = payload(0, project=OLD_PROJECT, unique_id="order-42")
    return client.create_task("imageannotation", **old).as_dict()


def test_rerun_after_a_503_refuses_a_task_of_another_project(
    client: Client, emu: Any, old_task: Dict[str, Any]
) -> None:
    """A 503 before processing, then 409: the item fails naming the old task; nothing is created."""
    payloads = [payload(0, unique_id="order-42"), payload(1, unique_id="order-43")]
    emu.add_fault(action="status", status=503, method="POST", path="/v1/task/imageannotation", count=1)

    result = client.create_tasks("imageannotation", payloads, concurrency=1)

    assert [failure.index for failure in result.failed] == [0]
    error = result.failed[0].error
    assert isinstance(error, ScaleDuplicateResource)
    assert old_task["task_id"] in str(error) and "project" in str(error).rsplit(":", 1)[1]
    assert [task["unique_id"] for task in all_tasks(client)] == ["order-43"]
    assert len(every_task_id(client)) == 2  # the old task and item 1's


@pytest.mark.parametrize("earlier", ["started", "failed ambiguously"])
def test_journal_resume_refuses_a_task_of_another_project(
    client: Client, tmp_path: Path, old_task: Dict[str, Any], earlier: str
) -> None:
    """The journal saw item 1 start (or fail ambiguously); its 409 on the rerun is not its own work."""
    path = tmp_path / "resume.journal"
    payloads = [payload(0, unique_id="order-41"), payload(1, unique_id="order-42")]
    with Journal(path, OPERATION) as journal:
        journal.started(1, item_hash(payloads[1]))
        if earlier != "started":
            journal.failed(1, item_hash(payloads[1]), ConnectionError("dropped"), ambiguous=True)

    result = client.create_tasks("imageannotation", payloads, journal=path)

    assert [failure.index for failure in result.failed] == [1]
    error = result.failed[0].error
    assert isinstance(error, ScaleDuplicateResource) and old_task["task_id"] in str(error)
    assert [task["unique_id"] for task in all_tasks(client)] == ["order-41"]
    assert len(every_task_id(client)) == 2
    # Rerunning again changes nothing: the item stays a failure, never a success.
    again = client.create_tasks("imageannotation", payloads, journal=path)
    assert [failure.index for failure in again.failed] == [1] and again.resumed == 1
    assert len(every_task_id(client)) == 2


def test_journal_resume_refuses_a_foreign_task_holding_the_journal_key(
    client: Client, tmp_path: Path
) -> None:
    """A task holding ``bulk-<run_id>-<index>`` with other metadata is not the item's; it fails."""
    path = tmp_path / "foreign.journal"
    payloads = [payload(i) for i in range(3)]
    with Journal(path, OPERATION) as journal:
        journal.started(2, item_hash(payloads[2]))
        run_id = journal.run_id
    foreign = client.create_task("imageannotation", **payload(7, unique_id=f"bulk-{run_id}-2"))

    result = client.create_tasks("imageannotation", payloads, journal=path)

    assert [failure.index for failure in result.failed] == [2]
    message = str(result.failed[0].error)
    assert foreign.id in message and message.endswith("in: metadata, params.attachment")
    assert len(all_tasks(client)) == 3  # the foreign task and items 0 and 1


def test_journal_resume_reconciles_the_items_own_task(client: Client, tmp_path: Path) -> None:
    """The task the dead run made for the item (inherited params and all) is the item's result."""
    client.update_project(PROJECT, patch=True, instruction="From the project.", with_labels=True)
    path = tmp_path / "own.journal"
    payloads = [payload(0, unique_id="mine-0", tags=["t", "t"]), payload(1, unique_id="mine-1")]
    with Journal(path, OPERATION) as journal:
        journal.started(0, item_hash(payloads[0]))
    orphan = client.create_task("imageannotation", **payloads[0])  # what the dead run's request did
    assert orphan.as_dict()["params"]["with_labels"] is True

    result = client.create_tasks("imageannotation", payloads, journal=path)

    assert result.ok, result.failed
    assert result.succeeded[0].id == orphan.id
    assert sorted(task["unique_id"] for task in all_tasks(client)) == ["mine-0", "mine-1"]
