"""What each ``ScaleClient`` method puts on the wire, seen by a real loopback server.

The emulator checks meaning; these tests pin the exact request: method, percent-encoded path, query,
JSON body (``{}`` and ``[]`` really sent), and that body-less calls carry no body and no JSON
content type.
"""
import base64
import io
import json
from typing import Any, Callable, Dict, List, Optional

import pytest
from support.recording_server import RecordingServer, Seen

import scaleapi
from scaleapi import (
    Batch,
    BatchStatus,
    EvaluationTask,
    File,
    Project,
    ScaleClient,
    StudioBatch,
    StudioLabelerAssignment,
    StudioProjectGroup,
    Task,
    TaskReviewStatus,
    TaskStatus,
    TaskTemplate,
    TaskType,
    Teammate,
    TeammateRole,
    TrainingTask,
)

TASK = {"task_id": "t1", "type": "imageannotation", "status": "pending", "metadata": {}}
BATCH = {"name": "b", "project": "p", "status": "in_progress", "created_at": "x", "metadata": {}}
PROJECT = {"name": "p", "type": "imageannotation", "param_history": [{"version": 0}]}
TEMPLATE = {"id": "tt", "version": 1, "created_at": "x", "updated_at": "x", "template_variables": {}}
FILE = {"id": "f1", "attachment_url": "scaledata://f1"}
TEAMMATE = {"email": "a@example.com", "role": "member"}
GROUP = {
    "id": "g1",
    "name": "g",
    "numWorkers": 1,
    "isSingleton": False,
    "workers": [{"id": "w", "email": "a@x"}],
}
SBATCH = {
    "id": "sb", "name": "b", "projectId": "pid", "projectName": "p", "batchType": "Production",
    "total": 1, "completed": 0, "groups": ["g"],
}  # fmt: skip


def canned(seen: Seen) -> Any:  # pylint: disable=too-many-return-statements
    """A plausible 200 answer for every v1 path."""
    path, method = seen.path, seen.method
    if path == "/v1/tasks":
        return 200, {"docs": [TASK], "total": 1, "limit": 1, "offset": 0, "has_more": False}
    if path.startswith("/v1/task/"):
        return 200, TASK
    if path == "/v1/batches" and method == "GET":
        return 200, {"docs": [BATCH], "totalDocs": 1, "limit": 100, "offset": 0, "has_more": False}
    if path.startswith("/v1/batches") and path.endswith("/status"):
        return 200, {"status": "in_progress", "pending": 1}
    if path.startswith("/v1/batches"):
        return 200, BATCH
    if path.endswith("/taskTemplates"):
        return 200, TEMPLATE
    if path == "/v1/projects" and method == "GET":
        return 200, [PROJECT]
    if path.startswith("/v1/projects"):
        return 200, PROJECT
    if path.startswith("/v1/files"):
        return 200, FILE
    if path.startswith(("/v1/evaluation_tasks", "/v1/training_tasks")):
        return 200, {"id": "q1", "expected_response": {"a": 1}}
    if path.startswith("/v1/teams"):
        return 200, [TEAMMATE]
    if path.startswith("/v1/studio/assignments"):
        return 200, {"a@example.com": ["p"]}
    if path.startswith("/v1/studio/projects"):
        return 200, ([GROUP] if method == "GET" else GROUP)
    if path.startswith("/v1/studio/batches/") and method == "PUT":
        return 200, SBATCH
    if path.startswith("/v1/studio/batches"):
        return 200, [SBATCH]
    return 404, {"status_code": 404, "error": "no route"}


NO_BODY = object()

# (id, call, method, path, query, body, result type)
CASES: List[Any] = [
    ("create_task", lambda c: c.create_task(TaskType.ImageAnnotation, project="p", attachment="a"),
     "POST", "/v1/task/imageannotation", {}, {"project": "p", "attachment": "a"}, Task),
    ("create_task_str_type", lambda c: c.create_task("categorization", x=1),
     "POST", "/v1/task/categorization", {}, {"x": 1}, Task),
    ("get_task", lambda c: c.get_task("abc"), "GET", "/v1/task/abc", {}, NO_BODY, Task),
    ("get_task_quoted", lambda c: c.get_task("a b/c"), "GET", "/v1/task/a%20b%2Fc", {}, NO_BODY, Task),
    ("cancel_task", lambda c: c.cancel_task("abc"), "POST", "/v1/task/abc/cancel", {}, NO_BODY, Task),
    ("cancel_task_clear", lambda c: c.cancel_task("abc", clear_unique_id=True),
     "POST", "/v1/task/abc/cancel", {"clear_unique_id": ["true"]}, NO_BODY, Task),
    ("audit_accept", lambda c: c.audit_task("abc", True),
     "POST", "/v1/task/abc/audit", {}, {"accepted": True, "comments": None}, type(None)),
    ("audit_reject", lambda c: c.audit_task("abc", False, "bad"),
     "POST", "/v1/task/abc/audit", {}, {"accepted": False, "comments": "bad"}, type(None)),
    ("update_unique_id", lambda c: c.update_task_unique_id("abc", "u 1"),
     "POST", "/v1/task/abc/unique_id", {}, {"unique_id": "u 1"}, Task),
    ("clear_unique_id", lambda c: c.clear_task_unique_id("abc"),
     "DELETE", "/v1/task/abc/unique_id", {}, NO_BODY, Task),
    ("set_metadata_empty", lambda c: c.set_task_metadata("abc", {}),
     "POST", "/v1/task/abc/setMetadata", {}, {}, Task),
    ("set_metadata", lambda c: c.set_task_metadata("abc", {"k": "v"}),
     "POST", "/v1/task/abc/setMetadata", {}, {"k": "v"}, Task),
    ("set_tags_empty", lambda c: c.set_task_tags("abc", []), "POST", "/v1/task/abc/tags", {}, [], Task),
    ("add_tags", lambda c: c.add_task_tags("abc", ["x", "y"]),
     "PUT", "/v1/task/abc/tags", {}, ["x", "y"], Task),
    ("delete_tags", lambda c: c.delete_task_tags("abc", ["x"]),
     "DELETE", "/v1/task/abc/tags", {}, ["x"], Task),
    ("create_batch", lambda c: c.create_batch("p", "b 1/x"), "POST", "/v1/batches", {},
     {"project": "p", "name": "b 1/x", "calibration_batch": False, "self_label_batch": False,
      "callback": "", "metadata": {}}, Batch),
    ("create_batch_full", lambda c: c.create_batch("p", "b", "http://cb", True, True, {"k": 1}),
     "POST", "/v1/batches", {},
     {"project": "p", "name": "b", "calibration_batch": True, "self_label_batch": True,
      "callback": "http://cb", "metadata": {"k": 1}}, Batch),
    ("finalize_batch", lambda c: c.finalize_batch("b 1/x"),
     "POST", "/v1/batches/b%201%2Fx/finalize", {}, NO_BODY, Batch),
    ("batch_status", lambda c: c.batch_status("b 1/x"),
     "GET", "/v1/batches/b%201%2Fx/status", {}, NO_BODY, dict),
    ("get_batch", lambda c: c.get_batch("b#1"), "GET", "/v1/batches/b%231", {}, NO_BODY, Batch),
    ("set_batch_metadata", lambda c: c.set_batch_metadata("b", {}),
     "POST", "/v1/batches/b/setMetadata", {}, {}, Batch),
    ("create_project", lambda c: c.create_project("P", TaskType.TextCollection),
     "POST", "/v1/projects", {},
     {"type": "textcollection", "name": "P", "params": None, "rapid": False, "studio": False,
      "datasetId": None}, Project),
    ("create_project_full", lambda c: c.create_project("P", TaskType.Chat, {"i": 1}, True, True, "ds"),
     "POST", "/v1/projects", {},
     {"type": "chat", "name": "P", "params": {"i": 1}, "rapid": True, "studio": True,
      "datasetId": "ds"}, Project),
    ("get_project", lambda c: c.get_project("P q"), "GET", "/v1/projects/P%20q", {}, NO_BODY, Project),
    ("get_projects", lambda c: c.get_projects(), "GET", "/v1/projects", {}, NO_BODY, list),
    ("projects", lambda c: c.projects(), "GET", "/v1/projects", {}, NO_BODY, list),
    ("update_project", lambda c: c.update_project("P/1", patch=False, instruction="x"),
     "POST", "/v1/projects/P%2F1/setParams", {}, {"patch": False, "instruction": "x"}, Project),
    ("get_project_template", lambda c: c.get_project_template("P"),
     "GET", "/v1/projects/P/taskTemplates", {}, NO_BODY, TaskTemplate),
    ("import_file", lambda c: c.import_file("http://x/y.png", project_name="p"),
     "POST", "/v1/files/import", {}, {"file_url": "http://x/y.png", "project_name": "p"}, File),
    ("create_evaluation_task",
     lambda c: c.create_evaluation_task(TaskType.TextCollection, project="p", expected_response={"a": 1}),
     "POST", "/v1/evaluation_tasks/textcollection", {}, {"project": "p", "expected_response": {"a": 1}},
     EvaluationTask),
    ("create_training_task",
     lambda c: c.create_training_task(TaskType.TextCollection, expected_response={"a": 1}),
     "POST", "/v1/training_tasks/textcollection", {}, {"expected_response": {"a": 1}}, TrainingTask),
    ("list_teammates", lambda c: c.list_teammates(), "GET", "/v1/teams", {}, NO_BODY, list),
    ("invite_teammates", lambda c: c.invite_teammates(["a@example.com"], TeammateRole.Member),
     "POST", "/v1/teams/invite", {}, {"emails": ["a@example.com"], "team_role": "member"}, list),
    ("update_teammates_role", lambda c: c.update_teammates_role(["a@example.com"], TeammateRole.Manager),
     "POST", "/v1/teams/set_role", {}, {"emails": ["a@example.com"], "team_role": "manager"}, list),
    ("list_studio_assignments", lambda c: c.list_studio_assignments(),
     "GET", "/v1/studio/assignments", {}, NO_BODY, dict),
    ("add_studio_assignments", lambda c: c.add_studio_assignments(["a@example.com"], ["p"]),
     "POST", "/v1/studio/assignments/add", {}, {"emails": ["a@example.com"], "projects": ["p"]}, dict),
    ("remove_studio_assignments", lambda c: c.remove_studio_assignments(["a@example.com"], ["p"]),
     "POST", "/v1/studio/assignments/remove", {}, {"emails": ["a@example.com"], "projects": ["p"]}, dict),
    ("list_project_groups", lambda c: c.list_project_groups("p q"),
     "GET", "/v1/studio/projects/p%20q/groups", {}, NO_BODY, list),
    ("create_project_group", lambda c: c.create_project_group("p", ["a@x"], "g"),
     "POST", "/v1/studio/projects/p/groups", {}, {"emails": ["a@x"], "name": "g"}, StudioProjectGroup),
    ("update_project_group", lambda c: c.update_project_group("p", "g h", ["a@x"], ["b@x"]),
     "PUT", "/v1/studio/projects/p/groups/g%20h", {}, {"add_emails": ["a@x"], "remove_emails": ["b@x"]},
     StudioProjectGroup),
    ("list_studio_batches", lambda c: c.list_studio_batches(),
     "GET", "/v1/studio/batches", {}, NO_BODY, list),
    ("assign_studio_batches", lambda c: c.assign_studio_batches("b c", ["g"]),
     "PUT", "/v1/studio/batches/b%20c", {}, {"groups": ["g"]}, StudioBatch),
    ("set_studio_batches_priorities", lambda c: c.set_studio_batches_priorities(["b1", "b2"]),
     "POST", "/v1/studio/batches/set_priorities", {}, {"batches": [{"name": "b1"}, {"name": "b2"}]}, list),
    ("reset_studio_batches_priorities", lambda c: c.reset_studio_batches_priorities(),
     "POST", "/v1/studio/batches/reset_priorities", {}, NO_BODY, list),
]  # fmt: skip


@pytest.mark.parametrize(
    "call,method,path,query,body,result_type", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_request_on_the_wire(  # pylint: disable=too-many-arguments
    recorder: RecordingServer,
    wire_client: ScaleClient,
    call: Callable[[ScaleClient], Any],
    method: str,
    path: str,
    query: Dict[str, List[str]],
    body: Any,
    result_type: type,
) -> None:
    """One request per call, exactly as the contract says, and the right model back."""
    recorder.responder = canned
    result = call(wire_client)
    assert len(recorder.seen) == 1
    seen = recorder.last
    assert (seen.method, seen.path, seen.query) == (method, path, query)
    if body is NO_BODY:
        assert seen.body == b""
        assert "content-type" not in seen.headers
    else:
        assert seen.headers["content-type"] == "application/json"
        assert seen.json == body
    assert isinstance(result, result_type)


def test_every_request_authenticates_with_basic_auth_and_user_agent(
    recorder: RecordingServer,
) -> None:
    """Basic auth with the key as user name and an empty password; source ends the User-Agent."""
    recorder.responder = canned
    with ScaleClient("test_wire_key", source="mytool", api_instance_url=recorder.url) as client:
        client.get_task("abc")
    headers = recorder.last.headers
    assert headers["authorization"] == "Basic " + base64.b64encode(b"test_wire_key:").decode()
    assert headers["user-agent"].startswith(f"scaleapi/{scaleapi.__version__} Python/")
    assert headers["user-agent"].endswith(" mytool")


def test_upload_file_sends_multipart_with_file_and_fields(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """``file`` part plus one text part per keyword; a dict ``metadata`` goes as JSON text."""
    recorder.responder = canned
    stream = io.BytesIO(b"\x89PNG fake image bytes")
    stream.name = "/tmp/picture.png"
    result = wire_client.upload_file(stream, project_name="p", metadata={"k": "v"}, display_name="d")
    assert isinstance(result, File) and result.attachment_url == "scaledata://f1"
    seen = recorder.last
    assert (seen.method, seen.path) == ("POST", "/v1/files/upload")
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = _multipart(seen)
    assert parts["file"] == (b"\x89PNG fake image bytes", "picture.png")
    assert parts["project_name"] == (b"p", None)
    assert json.loads(parts["metadata"][0]) == {"k": "v"}
    assert parts["display_name"] == (b"d", None)


def _multipart(seen: Seen) -> Dict[str, Any]:
    boundary = seen.headers["content-type"].split("boundary=", 1)[1].encode()
    found: Dict[str, Any] = {}
    for chunk in seen.body.split(b"--" + boundary)[1:-1]:
        head, _, value = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = head.decode().split("\r\n")[0]
        name = disposition.split('name="', 1)[1].split('"', 1)[0]
        filename: Optional[str] = None
        if 'filename="' in disposition:
            filename = disposition.split('filename="', 1)[1].split('"', 1)[0]
        found[name] = (value, filename)
    return found


def test_tasks_query_encoding(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Lists repeat the key, booleans are True/False, enum members go by value, None is dropped."""
    recorder.responder = canned
    page = wire_client.tasks(
        project="p q",
        tags=["a", "b"],
        unique_id=["u1", "u2"],
        status=TaskStatus.Completed,
        type=TaskType.ImageAnnotation,
        include_attachment_url=True,
        limited_response=False,
        batch=None,
        limit=5,
    )
    assert page.total == 1 and isinstance(page[0], Task)
    assert recorder.last.query == {
        "project": ["p q"],
        "tags": ["a", "b"],
        "unique_id": ["u1", "u2"],
        "status": ["completed"],
        "type": ["imageannotation"],
        "include_attachment_url": ["True"],
        "limited_response": ["False"],
        "limit": ["5"],
    }


def test_get_tasks_query(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """get_tasks maps its filters (3.4), sends include_attachment_url=True and its limit."""
    recorder.responder = canned
    tasks = list(
        wire_client.get_tasks(
            project_name="p",
            created_after="2020-09-08",
            completed_before="2021-04-01",
            status=TaskStatus.Completed,
            review_status=[TaskReviewStatus.Accepted, TaskReviewStatus.Fixed],
            tags="t",
            limit=7,
        )
    )
    assert [task.id for task in tasks] == ["t1"]
    assert recorder.last.query == {
        "project": ["p"],
        "start_time": ["2020-09-08"],
        "completed_before": ["2021-04-01"],
        "status": ["completed"],
        "customer_review_status": ["accepted,fixed"],
        "tags": ["t"],
        "include_attachment_url": ["True"],
        "limit": ["7"],
    }


def test_get_tasks_count_query(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """get_tasks_count asks for a one-task page and returns ``total``."""
    recorder.responder = canned
    assert wire_client.get_tasks_count(batch_name="b", review_status=TaskReviewStatus.Pending) == 1
    assert recorder.last.query == {
        "batch": ["b"],
        "customer_review_status": ["pending"],
        "include_attachment_url": ["True"],
        "limit": ["1"],
    }


def test_get_batches_query(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """get_batches sends offset and exclude_archived, status by value, and never a limit."""
    recorder.responder = canned
    batches = list(wire_client.get_batches(project_name="p", batch_status=BatchStatus.InProgress))
    assert batches == [Batch(BATCH, None)]
    assert recorder.last.query == {
        "project": ["p"],
        "offset": ["0"],
        "exclude_archived": ["False"],
        "status": ["in_progress"],
    }


def test_batches_query(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """batches() passes its allowed filters through."""
    recorder.responder = canned
    page = wire_client.batches(project="p", limit=3, offset=6, exclude_archived=True)
    assert page.total == 1 and page.limit == 100
    assert recorder.last.query == {
        "project": ["p"], "limit": ["3"], "offset": ["6"], "exclude_archived": ["True"],
    }  # fmt: skip


def test_models_from_wire_answers(recorder: RecordingServer, wire_client: ScaleClient) -> None:
    """Studio and team answers become the documented models."""
    recorder.responder = canned
    assignments = wire_client.list_studio_assignments()
    assert isinstance(assignments["a@example.com"], StudioLabelerAssignment)
    assert assignments["a@example.com"].as_dict() == ["p"]
    (group,) = wire_client.list_project_groups("p")
    assert group.workers[0].email == "a@x"
    (teammate,) = wire_client.list_teammates()
    assert isinstance(teammate, Teammate) and teammate.role == "member"
    (sbatch,) = wire_client.list_studio_batches()
    assert (sbatch.project_name, sbatch.batch_type, sbatch.groups) == ("p", "Production", ["g"])
