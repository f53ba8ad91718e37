"""Batches, projects and files over real HTTP against the emulator."""
import io

import pytest
from support.sdk import image_task_payload

from scaleapi import Batch, BatchStatus, File, Project, ScaleClient, TaskTemplate, TaskType
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleException,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
)

# -- batches --------------------------------------------------------------------------------------


def test_create_and_get_batch(client: ScaleClient, project: str) -> None:
    """A standard project's batch starts in_progress with its metadata and callback."""
    batch = client.create_batch(project, "b 1/x", callback="http://cb", metadata={"some_key": "some_value"})
    assert isinstance(batch, Batch)
    assert (batch.name, batch.project, batch.status) == ("b 1/x", project, "in_progress")
    assert batch.metadata == {"some_key": "some_value"} and batch.callback == "http://cb"
    fetched = client.get_batch("b 1/x")
    assert fetched == batch and fetched.metadata["some_key"] == "some_value"
    assert client.create_batch(project, "plain").metadata == {}


def test_create_batch_errors(client: ScaleClient, project: str) -> None:
    """Duplicate name: 409; unknown project: 404; unknown batch: 404."""
    client.create_batch(project, "dup")
    with pytest.raises(ScaleDuplicateResource):
        client.create_batch(project, "dup")
    with pytest.raises(ScaleResourceNotFound):
        client.create_batch("no such project", "b")
    with pytest.raises(ScaleResourceNotFound):
        client.get_batch("no such batch")


def test_finalize_batch(client: ScaleClient, project: str) -> None:
    """finalize works on standard and Rapid projects; the helper updates in place and returns self."""
    client.create_batch(project, "std")
    assert client.finalize_batch("std").status == "in_progress"
    client.create_project("rapid", TaskType.ImageAnnotation, rapid=True)
    staged = client.create_batch("rapid", "rapid batch")
    assert staged.status == "staging"
    assert staged.finalize() is staged and staged.status == "in_progress"
    with pytest.raises(ScaleResourceNotFound):
        client.finalize_batch("missing")


def test_batch_status(client: ScaleClient, project: str) -> None:
    """batch_status counts tasks; get_status fills the tasks_* counters and returns the dict."""
    batch = client.create_batch(project, "counted")
    status = client.batch_status("counted")
    assert status["status"] == "in_progress"
    client.create_task(TaskType.ImageAnnotation, **image_task_payload(batch="counted"))
    answer = batch.get_status()
    assert isinstance(answer, dict) and answer.get("completed") == 1
    assert (batch.tasks_completed, batch.tasks_pending, batch.tasks_error, batch.tasks_canceled) == (
        1,
        0,
        0,
        0,
    )
    assert batch.status == answer["status"]
    with pytest.raises(ScaleResourceNotFound):
        client.batch_status("missing")


def test_set_batch_metadata(client: ScaleClient, project: str) -> None:
    """setMetadata returns the batch with the new key."""
    client.create_batch(project, "meta")
    assert client.set_batch_metadata("meta", {"new_key": "new_value"}).metadata["new_key"] == "new_value"
    with pytest.raises(ScaleResourceNotFound):
        client.set_batch_metadata("missing", {})


def test_batches_and_get_batches(client: ScaleClient, project: str) -> None:
    """batches(limit=3) is newest first; get_batches yields as many as batches().total."""
    names = [f"batch {n}" for n in range(5)]
    for name in names:
        client.create_batch(project, name)
    page = client.batches(limit=3)
    assert [b.name for b in page] == names[::-1][:3]
    assert page.total == 5 and page.has_more is True
    assert [b.name for b in client.batches(limit=3, offset=3)] == names[::-1][3:]
    walked = [b.name for b in client.get_batches(project_name=project)]
    assert walked == names[::-1] and len(walked) == client.batches(project=project, limit=1).total
    assert list(client.get_batches(batch_status=BatchStatus.Completed)) == []
    assert len(list(client.get_batches(batch_status=BatchStatus.InProgress))) == 5
    assert list(client.get_batches(project_name=project, created_before="2000-01-01")) == []
    with pytest.raises(ScaleInvalidRequest):
        client.batches(bogus=1)


# -- projects ------------------------------------------------------------------------------------


def test_create_and_get_project(client: ScaleClient) -> None:
    """create_project, get_project, duplicates and unknown names."""
    project = client.create_project(
        project_name="Test_Project",
        task_type=TaskType.ImageAnnotation,
        params={"instruction": "Please label the kittens"},
    )
    assert isinstance(project, Project)
    assert (project.name, project.type) == ("Test_Project", "imageannotation")
    assert project.instruction == "Please label the kittens" and project.version is not None
    assert client.get_project("Test_Project") == project
    with pytest.raises(ScaleDuplicateResource):
        client.create_project("Test_Project", TaskType.ImageAnnotation)
    with pytest.raises(ScaleResourceNotFound):
        client.get_project("no such project")
    with pytest.raises(ScaleInvalidRequest):
        client.create_project("bad", "not-a-type")


def test_projects_lists(client: ScaleClient) -> None:
    """projects() and get_projects() both return every Project."""
    for name in ("p one", "p/two"):
        client.create_project(name, TaskType.Categorization)
    assert {p.name for p in client.projects()} == {"p one", "p/two"}
    assert client.get_projects() == client.projects()
    assert all(isinstance(p, Project) for p in client.get_projects())
    assert client.get_project("p/two").name == "p/two"


def test_update_project(client: ScaleClient, project: str) -> None:
    """setParams makes a new version carrying the new instruction."""
    before = client.get_project(project)
    after = client.update_project(project_name=project, patch=False, instruction="update: label all")
    assert after.instruction == "update: label all"
    assert after.version is not None and before.version is not None and after.version > before.version
    with pytest.raises(ScaleResourceNotFound):
        client.update_project("missing", instruction="x")


def test_project_template(client: ScaleClient, project: str) -> None:
    """TextCollection projects have a template; other types give an error."""
    tc = client.create_project("tc", TaskType.TextCollection)
    template = tc.get_template()
    assert isinstance(template, TaskTemplate) and template.id
    assert client.get_project_template("tc") == template
    assert isinstance(template.get_template_variables(), dict)
    with pytest.raises(ScaleException):
        client.get_project_template(project)
    with pytest.raises(ScaleResourceNotFound):
        client.get_project_template("missing")


# -- files ----------------------------------------------------------------------------------------


def test_upload_and_import_file(client: ScaleClient, project: str) -> None:
    """upload_file (multipart) and import_file both return a File with a scaledata:// URL."""
    stream = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    stream.name = "image.png"
    uploaded = client.upload_file(stream, project_name=project, metadata={"k": "v"}, reference_id="ref-1")
    assert isinstance(uploaded, File) and uploaded.id
    assert str(uploaded.attachment_url).startswith("scaledata://")
    assert uploaded.as_dict().get("project_names") == [project]
    stream.seek(0)
    with pytest.raises(ScaleDuplicateResource):
        client.upload_file(stream, project_name=project, reference_id="ref-1")
    imported = client.import_file("http://i.imgur.com/v4cBreD.jpg", project_name=project)
    assert isinstance(imported, File) and str(imported.attachment_url).startswith("scaledata://")
    task = client.create_task(
        TaskType.ImageAnnotation, **image_task_payload(project=project, attachment=imported.attachment_url)
    )
    assert task.params["attachment"] == imported.attachment_url
