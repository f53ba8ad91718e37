"""Task methods and Task helpers over real HTTP against the emulator."""
from typing import Any, Callable

import pytest
from support.sdk import TEST_KEY, image_task_payload

from scaleapi import ScaleClient, Task, TaskStatus, TaskType
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
    ScaleUnauthorized,
)

MakeTask = Callable[..., Task]


def test_create_task_completes_in_test_mode(client: ScaleClient, project: str) -> None:
    """A test-key task is completed at creation; params are echoed, common keys at the top."""
    task = client.create_task(
        TaskType.ImageAnnotation, **image_task_payload(project=project, metadata={"k": 1})
    )
    assert isinstance(task, Task) and task.status == "completed" and task.type == "imageannotation"
    assert task.params["geometries"]["box"]["objects_to_annotate"] == ["Baby Cow", "Big Cow"]
    assert task.instruction.startswith("Draw") and task.metadata == {"k": 1}
    assert task.callback_url == "http://www.example.com/callback"
    assert "annotations" in task.response
    assert not hasattr(task, "tags") and not hasattr(task, "unique_id")
    assert not hasattr(task, "geometries")


def test_create_task_accepts_type_string(client: ScaleClient, project: str) -> None:
    """task_type may be the plain value string."""
    task = client.create_task("imageannotation", **image_task_payload(project=project))
    assert task.type == "imageannotation"


def test_create_task_missing_params_is_400(client: ScaleClient, project: str) -> None:
    """Missing attachment/geometries: ScaleInvalidRequest with the server's message."""
    with pytest.raises(ScaleInvalidRequest) as err:
        client.create_task(TaskType.ImageAnnotation, project=project, callback_url="http://x")
    assert err.value.code == 400 and err.value.message


def test_create_task_duplicate_unique_id_is_409(make_task: MakeTask) -> None:
    """A second create with the same unique_id: ScaleDuplicateResource."""
    make_task(unique_id="dup-1")
    with pytest.raises(ScaleDuplicateResource) as err:
        make_task(unique_id="dup-1")
    assert err.value.code == 409


def test_bad_key_is_401(emu: Any) -> None:
    """A key the server refuses: ScaleUnauthorized, for reads and writes alike."""
    with ScaleClient("dummy_api_key", api_instance_url=emu.url) as bad:
        with pytest.raises(ScaleUnauthorized):
            bad.batches(limit=1)
        with pytest.raises(ScaleUnauthorized):
            bad.create_task(TaskType.ImageAnnotation, **image_task_payload())
        with pytest.raises(ScaleUnauthorized):
            list(bad.get_tasks(project_name="p"))


def test_get_task_and_refresh(client: ScaleClient, make_task: MakeTask) -> None:
    """get_task returns the same task; refresh() updates in place and returns self."""
    created = make_task()
    fetched = client.get_task(created.id)
    assert fetched == created and fetched.as_dict()["task_id"] == created.id
    assert fetched.created_at == created.created_at
    client.set_task_metadata(created.id, {"fresh": True})
    assert created.refresh() is created and created.metadata == {"fresh": True}


def test_get_task_unknown_is_404(client: ScaleClient) -> None:
    """Unknown id: ScaleResourceNotFound; ids with odd characters are path-quoted."""
    with pytest.raises(ScaleResourceNotFound):
        client.get_task("fake_id_qwertyuiop")
    with pytest.raises(ScaleResourceNotFound):
        client.get_task("a/b c")


def test_cancel_pending_task(live_client: ScaleClient, emu: Any) -> None:
    """Live tasks stay pending and can be canceled; clear_unique_id drops the key; repeat is 200."""
    live_client.create_project("live project", TaskType.ImageAnnotation)
    task = live_client.create_task(
        TaskType.ImageAnnotation, **image_task_payload(project="live project", unique_id="live-1")
    )
    assert task.status == "pending"
    canceled = live_client.cancel_task(task.id)
    assert canceled.status == "canceled" and canceled.unique_id == "live-1"
    again = live_client.cancel_task(task.id, clear_unique_id=True)
    assert again.status == "canceled" and not hasattr(again, "unique_id")
    other = live_client.create_task(TaskType.ImageAnnotation, **image_task_payload(project="live project"))
    assert other.cancel() is other and other.status == "canceled"
    del emu


def test_cancel_completed_task_is_400(client: ScaleClient, make_task: MakeTask) -> None:
    """A completed task cannot be canceled (the official test_cancel)."""
    task = make_task()
    with pytest.raises(ScaleInvalidRequest):
        task.cancel()
    with pytest.raises(ScaleResourceNotFound):
        client.cancel_task("000000000000000000000000")


def test_audit_task(client: ScaleClient, make_task: MakeTask) -> None:
    """audit_task returns None; Task.audit returns the task itself."""
    task = make_task()
    # The checks use the value that mypy knows is None: they pin the documented return.
    assert client.audit_task(task.id, True) is None  # type: ignore[func-returns-value]
    assert client.audit_task(task.id, False, "Rejected due to quality") is None  # type: ignore[func-returns-value]
    assert task.audit(True) is task
    with pytest.raises(ScaleResourceNotFound):
        client.audit_task("000000000000000000000000", True)


def test_unique_id_update_and_clear(client: ScaleClient, make_task: MakeTask) -> None:
    """update_task_unique_id sets it, a taken one is 409, clear removes the key."""
    task = make_task(unique_id="first")
    other = make_task(unique_id="second")
    assert client.update_task_unique_id(task.id, "renamed").unique_id == "renamed"
    with pytest.raises(ScaleDuplicateResource):
        client.update_task_unique_id(task.id, "second")
    cleared = client.clear_task_unique_id(task.id)
    assert "unique_id" not in cleared.as_dict()
    assert other.update_unique_id("third") is other and other.unique_id == "third"
    assert other.clear_unique_id() is other and not hasattr(other, "unique_id")


def test_set_metadata(client: ScaleClient, make_task: MakeTask) -> None:
    """Metadata is replaced; {} really clears it; the helper updates the object."""
    task = make_task(metadata={"a": 1})
    assert client.set_task_metadata(task.id, {"b": 2}).metadata == {"b": 2}
    assert client.set_task_metadata(task.id, {}).metadata == {}
    assert task.set_metadata({"c": 3}) is task and task.metadata == {"c": 3}
    assert client.get_task(task.id).metadata == {"c": 3}


def test_tags(client: ScaleClient, make_task: MakeTask) -> None:
    """set (order kept), add (duplicates ignored), delete, and [] clears."""
    task = make_task()
    assert client.set_task_tags(task.id, ["tag1", "tag2", "tag3"]).tags == ["tag1", "tag2", "tag3"]
    assert client.get_task(task.id).tags == ["tag1", "tag2", "tag3"]
    assert client.add_task_tags(task.id, ["tag3", "tag4"]).tags == ["tag1", "tag2", "tag3", "tag4"]
    assert client.delete_task_tags(task.id, ["tag1", "tag2", "nope"]).tags == ["tag3", "tag4"]
    assert client.set_task_tags(task.id, []).as_dict().get("tags", []) == []
    fresh = make_task()
    assert fresh.add_tags(["x"]) is fresh and fresh.tags == ["x"]
    assert fresh.set_tags(["y", "z"]) is fresh and fresh.tags == ["y", "z"]
    assert fresh.delete_tags(["y"]) is fresh and fresh.tags == ["z"]


def test_tasks_page(client: ScaleClient, make_task: MakeTask) -> None:
    """tasks(limit=3) gives the three newest, newest first; an empty time window gives none."""
    created = [make_task() for _ in range(4)]
    page = client.tasks(limit=3)
    assert [t.id for t in page] == [t.id for t in reversed(created)][:3]
    assert page.total == 4 and page.limit == 3 and page.has_more is True and page.next_token
    following = client.tasks(limit=3, next_token=page.next_token)
    assert [t.id for t in following] == [created[0].id] and following.has_more is False
    assert client.tasks(start_time="2000-01-01T00:00:00", end_time="2000-01-01T00:00:01").docs == []
    assert client.tasks(status=TaskStatus.Completed, limit=1).total == 4
    assert client.tasks(status=TaskStatus.Pending).total == 0


def test_get_tasks_pages_through_a_batch(client: ScaleClient, project: str, make_task: MakeTask) -> None:
    """3 tasks created with only batch= are found by batch, by project, with page size 1."""
    client.create_batch(project, "b1")
    ids = {
        client.create_task(TaskType.ImageAnnotation, **image_task_payload(batch="b1")).id for _ in range(3)
    }
    make_task()  # outside the batch
    assert {t.id for t in client.get_tasks(batch_name="b1", limit=1)} == ids
    assert {t.id for t in client.get_tasks(project_name=project, batch_name="b1", limit=1)} == ids
    assert len(list(client.get_tasks(project_name=project))) == 4
    assert client.get_tasks_count(batch_name="b1") == 3
    assert client.get_tasks_count(project_name=project) == client.tasks(project=project).total == 4


def test_get_tasks_filters(client: ScaleClient, project: str, make_task: MakeTask) -> None:
    """unique_id, tags, type and status filters reach the server."""
    make_task(unique_id="u1")
    make_task(unique_id="u2")
    tagged = make_task()
    tagged.set_tags(["red"])
    assert {t.unique_id for t in client.get_tasks(project_name=project, unique_id=["u1", "u2"])} == {
        "u1",
        "u2",
    }
    assert [t.id for t in client.get_tasks(project_name=project, tags=["red"])] == [tagged.id]
    assert len(list(client.get_tasks(project_name=project, task_type=TaskType.ImageAnnotation))) == 3
    assert list(client.get_tasks(project_name=project, task_type=TaskType.Categorization)) == []
    assert list(client.get_tasks(project_name=project, status=TaskStatus.Canceled)) == []
    limited = next(client.get_tasks(project_name=project, limited_response=True))
    assert set(limited.as_dict()) <= {"task_id", "status", "metadata", "project", "otherVersion"}


def test_error_task_status(client: ScaleClient, live_client: ScaleClient, emu: Any) -> None:
    """A task failed by the server reads as TaskStatus.Error."""
    live_client.create_project("lp", TaskType.ImageAnnotation)
    task = live_client.create_task(TaskType.ImageAnnotation, **image_task_payload(project="lp"))
    emu.fail_task(task.id, error="unreadable attachment")
    assert TaskStatus(task.refresh().status) is TaskStatus.Error
    assert [t.id for t in live_client.get_tasks(project_name="lp", status=TaskStatus.Error)] == [task.id]
    del client


def test_evaluation_and_training_tasks(client: ScaleClient) -> None:
    """Rapid quality tasks: expected/initial responses come back; a non-Rapid project is 400."""
    client.create_project("rapid tc", TaskType.TextCollection, rapid=True)
    body = {
        "project": "rapid tc",
        "attachments": [{"type": "image", "content": "https://i.imgur.com/bGjrNzl.jpeg"}],
        "fields": [
            {"type": "category", "field_id": "f", "title": "F", "choices": [{"label": "a", "value": "a"}]}
        ],
    }
    evaluation = client.create_evaluation_task(
        TaskType.TextCollection, **body, expected_response={"a": 1}, initial_response={"b": 2}
    )
    assert (
        evaluation.id and evaluation.expected_response == {"a": 1} and evaluation.initial_response == {"b": 2}
    )
    training = client.create_training_task(TaskType.TextCollection, **body, expected_response={"c": 3})
    assert training.expected_response == {"c": 3} and training.initial_response is None
    with pytest.raises(ScaleInvalidRequest):
        client.create_training_task(TaskType.TextCollection, **body)  # no expected_response
    client.create_project("plain tc", TaskType.TextCollection)
    with pytest.raises(ScaleInvalidRequest):
        client.create_evaluation_task(
            TaskType.TextCollection, **{**body, "project": "plain tc"}, expected_response={}
        )


def test_with_options_client_works(client: ScaleClient, project: str) -> None:
    """A with_options copy talks to the same server with its own settings."""
    quick = client.with_options(timeout=5.0, max_retries=0)
    assert quick.create_project("other", TaskType.ImageAnnotation).name == "other"
    assert {p.name for p in client.projects()} == {project, "other"}
    assert TEST_KEY not in repr(quick)
