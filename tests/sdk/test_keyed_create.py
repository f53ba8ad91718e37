"""Retry safety of writes, end to end: the emulator commits a write and then answers 500.

Creates with a natural key are retried and their 409 reconciled into the object the first attempt made,
but only when the object found matches the request in every field it set (else ScaleDuplicateResource,
and nothing is created); creates without one are never repeated.
"""
from typing import Any, Dict, Iterator, List

import pytest
from support.sdk import TEST_KEY, image_task_payload

from scaleapi import ScaleClient, TaskType, TeammateRole
from scaleapi.exceptions import ScaleDuplicateResource, ScaleInternalError


@pytest.fixture(scope="module")
def faulty() -> Iterator[Any]:
    """An emulator whose built-in fault rules the tests set."""
    from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator() as emu:
        yield emu


@pytest.fixture
def injector(faulty: Any) -> Iterator[Any]:
    """The emulator, reset (which clears its fault rules); cleared again afterwards."""
    faulty.reset()
    yield faulty
    faulty.clear_faults()


@pytest.fixture
def fclient(faulty: Any, injector: Any) -> Iterator[ScaleClient]:
    """A client of the faulty emulator that retries without sleeping."""
    del injector
    with ScaleClient(TEST_KEY, api_instance_url=faulty.url, max_retries=2) as scale:
        scale.api._sleep = lambda seconds: None  # pylint: disable=protected-access
        yield scale


def fault(injector: Any, action: str, method: str, path: str, status: int = 500) -> None:
    """Make the next matching request fail once."""
    injector.add_fault(action=action, method=method, path=path, status=status, count=1)


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


# -- a 409 after an ambiguous attempt is success only for an object that matches the request -----
#
# Each case: an object holds the key already; the create gets one 503 answered before processing
# (so it created nothing, but the SDK cannot know), then 409 on the retry. The SDK must report the
# old object only when it is exactly what was asked for.

OLD_TASK = image_task_payload(project="old-project", unique_id="order-42", metadata={"order": 42})


def every_task(client: ScaleClient) -> List[Dict[str, Any]]:
    """Every task of the account (one page is plenty here), without the callback outcome, which the
    emulator's callback delivery sets on its own time."""
    docs = [task.as_dict() for task in client.tasks(limit=100)]
    return [{k: v for k, v in doc.items() if k != "callback_succeeded"} for doc in docs]


@pytest.fixture
def old_task(fclient: ScaleClient) -> Dict[str, Any]:
    """A task with unique_id ``order-42`` in ``old-project`` (batch ``old-batch``); ``new-project``
    and ``new-batch`` exist and are empty."""
    for name in ("old-project", "new-project"):
        fclient.create_project(name, TaskType.ImageAnnotation)
    fclient.create_batch("old-project", "old-batch")
    fclient.create_batch("old-project", "new-batch")
    return fclient.create_task(TaskType.ImageAnnotation, **OLD_TASK, batch="old-batch").as_dict()


@pytest.mark.parametrize(
    "change, differs",
    [
        ({"project": "new-project", "batch": None}, "project"),
        ({"attachment": "http://i.imgur.com/other.jpg"}, "params.attachment"),
        ({"geometries": {"box": {"objects_to_annotate": ["Baby Cow"]}}}, "params.geometries"),
        ({"instruction": "Another instruction."}, "instruction"),
        ({"metadata": {"order": 43}}, "metadata"),
        ({"metadata": {}}, "metadata"),
        ({"batch": "new-batch"}, "batch"),
        ({"callback_url": "http://www.example.com/other"}, "callback_url"),
    ],
    ids=["project", "param", "nested-param", "instruction", "metadata", "empty-metadata", "batch",
         "callback"],
)
def test_task_that_differs_is_not_reconciled(
    fclient: ScaleClient, injector: Any, old_task: Dict[str, Any], change: Dict[str, Any], differs: str
) -> None:
    """The old task differs in one field: ScaleDuplicateResource names it and the field; nothing new."""
    request = {**OLD_TASK, "batch": "old-batch", **change}
    fault(injector, "status", "POST", "/v1/task/*", status=503)
    with pytest.raises(ScaleDuplicateResource) as caught:
        fclient.create_task(TaskType.ImageAnnotation, **{k: v for k, v in request.items() if v is not None})
    message = str(caught.value)
    assert old_task["task_id"] in message and "order-42" in message
    assert differs in message.split("differs from this request in: ", 1)[1].split(", ")
    assert every_task(fclient) == [{k: v for k, v in old_task.items() if k != "callback_succeeded"}]
    assert fclient.get_tasks_count(project_name="new-project") == 0


def test_task_that_matches_is_reconciled_despite_server_additions(
    fclient: ScaleClient, injector: Any
) -> None:
    """Inherited project params, repeated tags and a JSON round trip do not make a task foreign."""
    fclient.create_project("p", TaskType.ImageAnnotation, params={"instruction": "From the project.",
                                                                 "with_labels": True})
    request = image_task_payload(project="p", unique_id="same", tags=["a", "a", "b"],
                                 metadata={"size": 1.0, "where": ("x", "y")})
    del request["instruction"]  # inherited from the project instead
    first = fclient.create_task(TaskType.ImageAnnotation, **request).as_dict()
    assert first["params"]["with_labels"] is True and first["tags"] == ["a", "b"]
    fault(injector, "status", "POST", "/v1/task/*", status=503)
    again = fclient.create_task(TaskType.ImageAnnotation, **request)
    assert again.id == first["task_id"]
    assert [task["task_id"] for task in every_task(fclient)] == [first["task_id"]]


@pytest.mark.parametrize(
    "change, differs",
    [
        ({"params": {"instruction": "New instruction."}}, "params.instruction"),
        ({"params": {"instruction": "Old instruction.", "extra": 1}}, "params.extra"),
        ({"rapid": True}, "rapid"),
        ({"studio": True}, "studio"),
    ],
    ids=["params", "extra-param", "rapid", "studio"],
)
def test_project_that_differs_is_not_reconciled(
    fclient: ScaleClient, injector: Any, change: Dict[str, Any], differs: str
) -> None:
    """An old project of that name with other params or flags: refused, the old one unchanged."""
    old = fclient.create_project("p", TaskType.ImageAnnotation, params={"instruction": "Old instruction."})
    fault(injector, "status", "POST", "/v1/projects", status=503)
    with pytest.raises(ScaleDuplicateResource) as caught:
        fclient.create_project("p", TaskType.ImageAnnotation, **change)
    message = str(caught.value)
    assert "'p'" in message and old.as_dict()["id"] in message and differs in message
    assert [project.as_dict() for project in fclient.get_projects()] == [old.as_dict()]


def test_project_that_matches_is_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """The same name, type, params and flags: the old project is returned, and it is the only one."""
    old = fclient.create_project("p", TaskType.ImageAnnotation, params={"instruction": "i"}, studio=True)
    fault(injector, "status", "POST", "/v1/projects", status=503)
    again = fclient.create_project("p", TaskType.ImageAnnotation, params={"instruction": "i"}, studio=True)
    assert again.as_dict() == old.as_dict()
    assert len(fclient.get_projects()) == 1


SECRET_CALLBACK = "https://hooks.example.com/cb?token=s3cr3t-batch-token"


@pytest.mark.parametrize(
    "change, differs",
    [
        ({"callback": "https://hooks.example.com/cb?token=other"}, "callback"),
        ({"callback": ""}, "callback"),
        ({"calibration_batch": True}, "calibration_batch"),
        ({"self_label_batch": True}, "self_label_batch"),
        ({"metadata": {"run": 2}}, "metadata"),
        ({"metadata": None}, "metadata"),
    ],
    ids=["callback", "no-callback", "calibration", "self-label", "metadata", "no-metadata"],
)
def test_batch_that_differs_is_not_reconciled(
    fclient: ScaleClient, injector: Any, change: Dict[str, Any], differs: str
) -> None:
    """An old batch of that name with another callback, flags or metadata: refused, nothing new."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    old = fclient.create_batch("p", "b", callback=SECRET_CALLBACK, metadata={"run": 1})
    fault(injector, "status", "POST", "/v1/batches", status=503)
    request: Dict[str, Any] = {"callback": SECRET_CALLBACK, "metadata": {"run": 1}, **change}
    with pytest.raises(ScaleDuplicateResource) as caught:
        fclient.create_batch("p", "b", **request)
    message = str(caught.value)
    assert "'b'" in message and old.as_dict()["id"] in message and differs in message
    assert "s3cr3t" not in message and "s3cr3t" not in repr(caught.value.args)
    assert [batch.as_dict() for batch in fclient.batches(project="p")] == [old.as_dict()]


def test_batch_that_matches_is_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """The same project, callback, flags and metadata: the old batch is returned, the only one."""
    fclient.create_project("p", TaskType.ImageAnnotation)
    old = fclient.create_batch("p", "b", callback=SECRET_CALLBACK, self_label_batch=True, metadata={"r": 1})
    fault(injector, "status", "POST", "/v1/batches", status=503)
    again = fclient.create_batch("p", "b", callback=SECRET_CALLBACK, self_label_batch=True, metadata={"r": 1})
    assert again.as_dict() == old.as_dict()
    assert fclient.batches(project="p").total == 1


def test_teammate_with_another_role_is_not_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """Invited as member earlier; an invite as labeler that hits 409 is refused, the role unchanged."""
    before = [t.as_dict() for t in fclient.invite_teammates(["a@example.com"], TeammateRole.Member)]
    fault(injector, "status", "POST", "/v1/teams/invite", status=503)
    with pytest.raises(ScaleDuplicateResource) as caught:
        fclient.invite_teammates(["A@example.com", "b@example.com"], TeammateRole.Labeler)
    assert "'a@example.com' (role member)" in str(caught.value)
    assert [t.as_dict() for t in fclient.list_teammates()] == before  # b was not invited either


def test_teammate_with_the_same_role_is_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """Already on the team with the requested role: the invite's 409 is that state, reported as done."""
    before = [t.as_dict() for t in fclient.invite_teammates(["a@example.com"], TeammateRole.Labeler)]
    fault(injector, "status", "POST", "/v1/teams/invite", status=503)
    team = fclient.invite_teammates(["A@example.com"], TeammateRole.Labeler)
    assert [t.as_dict() for t in team] == before


def test_group_with_other_members_is_not_reconciled(fclient: ScaleClient, injector: Any) -> None:
    """A Studio group of that name with other members: refused, the group unchanged."""
    fclient.create_project("sp", TaskType.ImageAnnotation, studio=True)
    fclient.invite_teammates(["a@example.com", "b@example.com"], TeammateRole.Labeler)
    fclient.add_studio_assignments(["a@example.com", "b@example.com"], ["sp"])
    old = fclient.create_project_group("sp", ["a@example.com"], "g")
    fault(injector, "status", "POST", "/v1/studio/projects/*", status=503)
    with pytest.raises(ScaleDuplicateResource, match="group 'g'.*members"):
        fclient.create_project_group("sp", ["a@example.com", "b@example.com"], "g")
    assert [g.as_dict() for g in fclient.list_project_groups("sp")] == [old.as_dict()]
