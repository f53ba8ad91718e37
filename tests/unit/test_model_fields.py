"""Model attributes are typed, read-only views of the raw JSON: they follow ``as_dict()`` and refuse
assignment; a Task without a key still raises AttributeError (with the params pointer)."""
import pickle

import pytest

from scaleapi import Batch, File, Project, Task, Teammate
from scaleapi.studio import StudioBatch, StudioProjectGroup


def test_attributes_read_the_raw_json_and_follow_it() -> None:
    batch = Batch({"name": "b", "project": "p", "status": "staging", "metadata": None}, None)
    assert (batch.name, batch.status, batch.metadata, batch.callback) == ("b", "staging", {}, None)
    batch.as_dict()["status"] = "in_progress"
    assert batch.status == "in_progress"
    project = Project({"name": "p", "param_history": [{"version": 1}, {"version": 2, "instruction": "i"}]})
    latest = {"version": 2, "instruction": "i"}
    assert (project.params, project.version, project.instruction) == (latest, 2, "i")
    assert Project({"name": "p", "param_history": []}).version is None
    mate = Teammate({"email": "a@example.com", "firstName": "A", "isStudioLabeler": True})
    assert (mate.first_name, mate.last_name, mate.is_studio_labeler) == ("A", None, True)
    studio = StudioBatch({"id": "s", "projectName": "p", "groups": "junk"})
    assert (studio.project_name, studio.groups, studio.total) == ("p", [], None)
    group = StudioProjectGroup({"id": "g", "workers": [{"id": "w", "email": "w@example.com"}, 3]})
    assert [w.email for w in group.workers] == ["w@example.com"]


@pytest.mark.parametrize(
    "model, name",
    [
        (Task({"task_id": "t", "status": "pending"}), "status"),
        (Task({"task_id": "t"}), "id"),
        (Batch({"name": "b"}), "status"),
        (File({"id": "f"}), "attachment_url"),
        (Project({"name": "p"}), "version"),
    ],
)
def test_attributes_are_read_only(model: object, name: str) -> None:
    with pytest.raises(AttributeError):
        setattr(model, name, "other")


def test_a_task_without_a_key_raises_attribute_error_with_the_params_pointer() -> None:
    task = Task({"task_id": "t", "params": {"geometries": {}}})
    assert not hasattr(task, "status") and not hasattr(task, "tags")
    with pytest.raises(AttributeError, match=r'task.params\["geometries"\]'):
        _ = task.geometries  # pylint: disable=no-member
    assert task.id == task.task_id == "t" and task.params == {"geometries": {}}
    assert Task({}).id is None


def test_pickled_models_keep_their_attributes_and_equality() -> None:
    task = Task({"task_id": "t", "status": "completed"})
    batch = Batch({"name": "b", "status": "staging"})
    for model in (task, batch):
        clone = pickle.loads(pickle.dumps(model))
        assert clone == model and hash(clone) == hash(model) and clone.status == model.status
        assert "status" not in vars(clone)  # read from the JSON, never stored twice
