"""Retry safety of writes, end to end: the emulator commits a write and then answers 500.

Creates with a natural key are retried and their 409 reconciled into the object the first attempt made
(or refused when that object is someone else's); creates without one are never repeated.
"""
from typing import Any, Iterator

import pytest
from sdk_support import TEST_KEY, image_task_payload

from scaleapi import ScaleClient, TaskType, TeammateRole
from scaleapi.exceptions import ScaleDuplicateResource, ScaleInternalError


@pytest.fixture(scope="module")
def faulty() -> Iterator[Any]:
    """An emulator with fault injection in front of it."""
    # pylint: disable=import-outside-toplevel
    from scaleapi.emulator import Emulator
    from scaleapi.emulator.faults import FaultInjector

    with Emulator(middleware=[FaultInjector]) as emu:
        yield emu


@pytest.fixture
def injector(faulty: Any) -> Iterator[Any]:
    """The fault layer, cleared; the emulator reset."""
    faulty.reset()
    layer = faulty.layers[0]
    layer.clear()
    yield layer
    layer.clear()


@pytest.fixture
def fclient(faulty: Any, injector: Any) -> Iterator[ScaleClient]:
    """A client of the faulty emulator that retries without sleeping."""
    del injector
    with ScaleClient(TEST_KEY, api_instance_url=faulty.url, max_retries=2) as scale:
        scale.api._sleep = lambda seconds: None  # pylint: disable=protected-access
        yield scale


def fault(injector: Any, action: str, method: str, path: str, status: int = 500) -> None:
    """Make the next matching request fail once."""
    from scaleapi.emulator.faults import FaultRule  # pylint: disable=import-outside-toplevel

    injector.add(FaultRule(action=action, method=method, path=path, status=status, count=1))


def test_task_with_unique_id_is_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """Created, told 500, retried, 409: the SDK returns the task the first attempt made."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    fault(injector, "error_after", "POST", "/v1/task/*")
    task = fclient.create_task(TaskType.ImageAnnotation, **image_task_payload(project="p", unique_id="once"))
    assert task.unique_id == "once"
    assert [t.id for t in fclient.get_tasks(project_name="p")] == [task.id]


def test_reconcile_refuses_another_type(fclient: ScaleClient, injector: Any) -> None:
    """A 409 whose unique_id belongs to a task of another type is not ours: ScaleDuplicateResource."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    fclient.create_task(
        TaskType.Categorization, project="p", instruction="i", attachment_type="text", attachment="a",
        categories=["x", "y"], unique_id="shared",
    )  # fmt: skip
    fault(injector, "status", "POST", "/v1/task/*", status=503)
    with pytest.raises(ScaleDuplicateResource, match="categorization"):
        fclient.create_task(TaskType.ImageAnnotation, **image_task_payload(project="p", unique_id="shared"))


def test_task_without_unique_id_is_not_repeated(fclient: ScaleClient, injector: Any) -> None:
    """No natural key: a 500 is reported, never retried, so at most one task exists."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    fault(injector, "error_after", "POST", "/v1/task/*")
    with pytest.raises(ScaleInternalError):
        fclient.create_task(TaskType.ImageAnnotation, **image_task_payload(project="p"))
    assert fclient.get_tasks_count(project_name="p") == 1


def test_batch_and_project_are_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """Batches and projects are keyed by name; a foreign object of that name is refused."""
    fault(injector, "error_after", "POST", "/v1/projects")
    assert fclient.create_project("p", TaskType.ImageAnnotation).name == "p"
    fault(injector, "error_after", "POST", "/v1/batches")
    assert fclient.create_batch("p", "b").project == "p"
    assert fclient.batches(project="p").total == 1

    fclient.create_project("other", TaskType.Categorization)
    fclient.create_batch("other", "taken")
    fault(injector, "status", "POST", "/v1/batches", status=502)
    with pytest.raises(ScaleDuplicateResource, match="other"):
        fclient.create_batch("p", "taken")
    fault(injector, "status", "POST", "/v1/projects", status=502)
    with pytest.raises(ScaleDuplicateResource, match="categorization"):
        fclient.create_project("other", TaskType.ImageAnnotation)


def test_group_and_invite_are_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """Project groups and invitations, told 500 after they happened, still succeed."""
    fclient.create_project("sp", TaskType.ImageAnnotation, studio=True)
    fault(injector, "error_after", "POST", "/v1/teams/invite")
    team = fclient.invite_teammates(["a@example.com"], TeammateRole.Labeler)
    assert "a@example.com" in {t.email for t in team}
    fclient.add_studio_assignments(["a@example.com"], ["sp"])
    fault(injector, "error_after", "POST", "/v1/studio/projects/*")
    group = fclient.create_project_group("sp", ["a@example.com"], "g")
    assert group.name == "g" and [w.email for w in group.workers] == ["a@example.com"]


def test_state_setting_posts_are_retried(fclient: ScaleClient, injector: Any) -> None:
    """Cancel, metadata and tags calls repeat safely after a 500."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    task = fclient.create_task(TaskType.ImageAnnotation, **image_task_payload(project="p"))
    fault(injector, "error_after", "POST", "/v1/task/*/setMetadata")
    assert task.set_metadata({"k": 1}).metadata == {"k": 1}
    fault(injector, "error_after", "POST", "/v1/task/*/tags")
    assert task.set_tags(["a"]).tags == ["a"]
    fault(injector, "status", "POST", "/v1/task/*/audit", status=503)
    assert task.audit(True) is task
