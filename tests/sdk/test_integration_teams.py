"""Teammates and Scale Studio over real HTTP against the emulator."""
import pytest
from support.sdk import image_task_payload

from scaleapi import (
    ScaleClient,
    StudioBatch,
    StudioLabelerAssignment,
    StudioProjectGroup,
    TaskType,
    Teammate,
    TeammateRole,
)
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
)
from scaleapi.studio import StudioWorker

A, B, C = "email1@example.com", "email2@example.com", "email3@example.com"


def test_teammates(client: ScaleClient) -> None:
    """List (the owner is there), invite, change roles; errors for repeats and unknowns."""
    (owner,) = client.list_teammates()
    assert isinstance(owner, Teammate) and owner.role == "admin"
    team = client.invite_teammates([A, B], TeammateRole.Member)
    invited = {t.email: t for t in team}
    assert set(invited) == {owner.email, A, B} and invited[A].role == "member"
    assert invited[A].expiry is not None
    with pytest.raises(ScaleDuplicateResource):
        client.invite_teammates([A], TeammateRole.Member)
    team = client.update_teammates_role([A, B], TeammateRole.Manager)
    assert {t.email: t.role for t in team}[B] == "manager"
    with pytest.raises(ScaleResourceNotFound):
        client.update_teammates_role(["nobody@example.com"], TeammateRole.Labeler)
    with pytest.raises(ScaleInvalidRequest):
        client.update_teammates_role([owner.email], TeammateRole.Labeler)


def test_teammate_update_role_helper(client: ScaleClient) -> None:
    """Teammate.update_teammate_role returns the team and updates the object."""
    (mate,) = [t for t in client.invite_teammates([C], "labeler") if t.email == C]
    assert mate.is_studio_labeler is True
    team = mate.update_teammate_role(TeammateRole.Member)
    assert isinstance(team, list) and mate in team
    assert mate.role == "member"


@pytest.fixture
def studio(client: ScaleClient) -> ScaleClient:
    """A Studio project "studio p" with teammates A and B."""
    client.create_project("studio p", TaskType.ImageAnnotation, studio=True)
    client.invite_teammates([A, B], TeammateRole.Labeler)
    return client


def test_studio_assignments(studio: ScaleClient) -> None:
    """list/add/remove assignments return email -> StudioLabelerAssignment."""
    listed = studio.list_studio_assignments()
    assert all(isinstance(v, StudioLabelerAssignment) for v in listed.values())
    assert listed[A].as_dict() == []
    added = studio.add_studio_assignments([A, B], ["studio p"])
    assert added[A].assigned_projects == ["studio p"] and added[B].email == B
    removed = studio.remove_studio_assignments([B], ["studio p"])
    assert removed[B].as_dict() == [] and removed[A].as_dict() == ["studio p"]
    with pytest.raises(ScaleResourceNotFound):
        studio.add_studio_assignments(["nobody@example.com"], ["studio p"])
    with pytest.raises(ScaleResourceNotFound):
        studio.add_studio_assignments([A], ["no such project"])


def test_studio_project_groups(studio: ScaleClient) -> None:
    """create, list and update groups; workers are always a list of StudioWorker."""
    studio.add_studio_assignments([A, B], ["studio p"])
    assert studio.list_project_groups("studio p") == []
    group = studio.create_project_group("studio p", [A], "group one")
    assert isinstance(group, StudioProjectGroup) and group.name == "group one"
    assert group.numWorkers == 1 and [w.email for w in group.workers] == [A]
    assert all(isinstance(w, StudioWorker) for w in group.workers)
    with pytest.raises(ScaleDuplicateResource):
        studio.create_project_group("studio p", [A], "group one")
    updated = studio.update_project_group("studio p", "group one", [B], [A])
    assert [w.email for w in updated.workers] == [B] and updated == group
    emptied = studio.update_project_group("studio p", "group one", [], [B])
    assert emptied.workers == [] and emptied.numWorkers == 0
    assert [g.name for g in studio.list_project_groups("studio p")] == ["group one"]
    with pytest.raises(ScaleInvalidRequest):
        studio.create_project_group("studio p", ["email3@example.com"], "not assigned")
    with pytest.raises(ScaleResourceNotFound):
        studio.update_project_group("studio p", "missing group", [], [])
    with pytest.raises(ScaleResourceNotFound):
        studio.list_project_groups("no such project")


def test_studio_batches(studio: ScaleClient) -> None:
    """list, assign, prioritise and reset pending Studio batches."""
    studio.add_studio_assignments([A], ["studio p"])
    studio.create_project_group("studio p", [A], "g")
    for name in ("sb1", "sb2", "sb 3"):
        studio.create_batch("studio p", name)
    listed = studio.list_studio_batches()
    assert [b.name for b in listed] == ["sb1", "sb2", "sb 3"]
    assert all(isinstance(b, StudioBatch) and b.project_name == "studio p" for b in listed)
    assigned = studio.assign_studio_batches("sb 3", ["g"])
    assert isinstance(assigned, StudioBatch) and assigned.groups == ["g"] and assigned.name == "sb 3"
    with pytest.raises(ScaleInvalidRequest):
        studio.assign_studio_batches("sb1", ["no such group"])
    ordered = studio.set_studio_batches_priorities(["sb 3", "sb1", "sb2"])
    assert [b.name for b in ordered] == ["sb 3", "sb1", "sb2"]
    assert [b.name for b in studio.list_studio_batches()] == ["sb 3", "sb1", "sb2"]
    with pytest.raises(ScaleInvalidRequest):
        studio.set_studio_batches_priorities(["sb1"])
    assert [b.name for b in studio.reset_studio_batches_priorities()] == ["sb1", "sb2", "sb 3"]


def test_completed_batch_leaves_studio_list(studio: ScaleClient) -> None:
    """A Studio batch whose tasks are all done is not pending any more."""
    studio.create_batch("studio p", "done")
    studio.finalize_batch("done")
    studio.create_task(TaskType.ImageAnnotation, **image_task_payload(batch="done"))
    assert studio.get_batch("done").status == "completed"
    assert studio.list_studio_batches() == []
