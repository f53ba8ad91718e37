"""Pure client logic: argument mapping, client-side validation, enums, construction, models."""
import copy
import pickle
import subprocess
import sys
from typing import Any, Dict

import pytest
from support.recording_server import RecordingServer

import scaleapi
from scaleapi import (
    Api,
    Batch,
    BatchStatus,
    EvaluationTask,
    File,
    Project,
    ScaleClient,
    ScaleInvalidRequest,
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
from scaleapi.exceptions import ScaleException
from scaleapi.quality_tasks import QualityTask
from scaleapi.studio import StudioBatchStatus, StudioWorker

ALWAYS = {
    "start_time": None, "end_time": None, "project": None, "batch": None, "completed_before": None,
    "completed_after": None, "tags": None, "updated_before": None, "updated_after": None,
    "unique_id": None, "include_attachment_url": True,
}  # fmt: skip

MAPPING_CASES = [
    ({"project_name": "p"}, {"project": "p"}),
    ({"batch_name": "b"}, {"batch": "b"}),
    ({"project_name": "p", "batch_name": "b"}, {"project": "p", "batch": "b"}),
    ({"batch_name": "b", "created_after": "2020-09-08"}, {"batch": "b", "start_time": "2020-09-08"}),
    ({"batch_name": "b", "created_before": "2021-01-01"}, {"batch": "b", "end_time": "2021-01-01"}),
    ({"batch_name": "b", "completed_after": "c1", "completed_before": "c2"},
     {"batch": "b", "completed_after": "c1", "completed_before": "c2"}),
    ({"batch_name": "b", "updated_after": "u1", "updated_before": "u2"},
     {"batch": "b", "updated_after": "u1", "updated_before": "u2"}),
    ({"batch_name": "b", "tags": ["x", "y"]}, {"batch": "b", "tags": ["x", "y"]}),
    ({"batch_name": "b", "tags": "x"}, {"batch": "b", "tags": "x"}),
    ({"batch_name": "b", "unique_id": ["u1", "u2"]}, {"batch": "b", "unique_id": ["u1", "u2"]}),
    ({"batch_name": "b", "include_attachment_url": False}, {"batch": "b", "include_attachment_url": False}),
    ({"batch_name": "b", "status": TaskStatus.Completed}, {"batch": "b", "status": "completed"}),
    ({"batch_name": "b", "status": TaskStatus.Error}, {"batch": "b", "status": "error"}),
    ({"batch_name": "b", "status": "pending"}, {"batch": "b", "status": "pending"}),
    ({"batch_name": "b", "task_type": TaskType.ImageAnnotation}, {"batch": "b", "type": "imageannotation"}),
    ({"batch_name": "b", "task_type": "chat"}, {"batch": "b", "type": "chat"}),
    ({"batch_name": "b", "limited_response": True}, {"batch": "b", "limited_response": True}),
    ({"batch_name": "b", "limited_response": False}, {"batch": "b"}),
    ({"batch_name": "b", "review_status": TaskReviewStatus.Accepted},
     {"batch": "b", "customer_review_status": "accepted"}),
    ({"batch_name": "b", "review_status": [TaskReviewStatus.Accepted, TaskReviewStatus.Fixed]},
     {"batch": "b", "customer_review_status": "accepted,fixed"}),
    ({"batch_name": "b", "review_status": ["rejected", TaskReviewStatus.Commented]},
     {"batch": "b", "customer_review_status": "rejected,commented"}),
    ({"batch_name": "b", "review_status": []}, {"batch": "b"}),
    ({"batch_name": "b", "status": None, "task_type": None}, {"batch": "b"}),
]  # fmt: skip


@pytest.mark.parametrize("kwargs,expected", MAPPING_CASES)
def test_process_tasks_endpoint_args(kwargs: Dict[str, Any], expected: Dict[str, Any]) -> None:
    """The mapping of API_REFERENCE 3.4, key by key."""
    assert ScaleClient._process_tasks_endpoint_args(**kwargs) == {**ALWAYS, **expected}


def test_process_tasks_endpoint_args_needs_project_or_batch() -> None:
    """Neither name: the documented ValueError."""
    with pytest.raises(ValueError, match="^At least one of project_name or batch_name must be provided.$"):
        ScaleClient._process_tasks_endpoint_args()
    with pytest.raises(ValueError):
        ScaleClient._process_tasks_endpoint_args(project_name="", batch_name=None)


def test_get_tasks_raises_eagerly_without_request(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """get_tasks checks its arguments when called, not when first iterated."""
    with pytest.raises(ValueError, match="At least one of project_name or batch_name"):
        wire_client.get_tasks()
    with pytest.raises(ValueError, match="At least one of project_name or batch_name"):
        wire_client.get_tasks_count()
    assert not recorder.seen


@pytest.mark.parametrize("limit", [0, -1, 101, 1000, True, 1.5, "10"])
def test_get_tasks_rejects_bad_limit(recorder: RecordingServer, wire_client: ScaleClient, limit: Any) -> None:
    """limit must be 1..100 (the official client silently ignored 0)."""
    with pytest.raises(ValueError, match="limit"):
        wire_client.get_tasks(project_name="p", limit=limit)
    assert not recorder.seen


@pytest.mark.parametrize("limit", [1, 50, 100])
def test_get_tasks_accepts_good_limit(wire_client: ScaleClient, limit: int) -> None:
    """Valid page sizes pass the check (the generator is not started)."""
    wire_client.get_tasks(project_name="p", limit=limit).close()


def test_illegal_kwargs_are_refused_before_any_request(
    recorder: RecordingServer, wire_client: ScaleClient
) -> None:
    """tasks()/batches() reject unknown filters with the documented message, sending nothing."""
    with pytest.raises(ScaleInvalidRequest) as err:
        wire_client.tasks(bogus=0)
    assert err.value.message == "Illegal parameter bogus for ScaleClient.tasks()"
    with pytest.raises(ScaleInvalidRequest, match="Illegal parameter created_after for ScaleClient.tasks()"):
        wire_client.tasks(project="p", created_after="2020")
    with pytest.raises(ScaleInvalidRequest) as err:
        wire_client.batches(project="p", name="x")
    assert err.value.message == "Illegal parameter name for ScaleClient.batches()"
    assert not recorder.seen


def test_enums_match_the_public_interface() -> None:
    """Members and values of 3.5, plus TaskStatus.Error."""
    expected_types = {
        "Annotation": "annotation", "Categorization": "categorization", "Comparison": "comparison",
        "CuboidAnnotation": "cuboidannotation", "DataCollection": "datacollection",
        "DocumentModel": "documentmodel", "DocumentTranscription": "documenttranscription",
        "ImageAnnotation": "imageannotation", "LaneAnnotation": "laneannotation",
        "LidarAnnotation": "lidarannotation", "LidarLinking": "lidarlinking",
        "LidarSegmentation": "lidarsegmentation", "LidarTopdown": "lidartopdown",
        "LineAnnotation": "lineannotation", "NamedEntityRecognition": "namedentityrecognition",
        "PointAnnotation": "pointannotation", "PolygonAnnotation": "polygonannotation",
        "SegmentAnnotation": "segmentannotation", "Transcription": "transcription",
        "TextCollection": "textcollection", "VideoAnnotation": "videoannotation",
        "VideoBoxAnnotation": "videoboxannotation", "VideoPlaybackAnnotation": "videoplaybackannotation",
        "VideoCuboidAnnotation": "videocuboidannotation", "SensorFusion": "sensorfusion", "Chat": "chat",
        "ChatExperimental": "chatexperimental", "ChatLite": "chatlite", "MultiChat": "multichat",
        "MultiStage": "multistage", "Federal2dVideoAnnotation": "federal2dvideoannotation",
    }  # fmt: skip
    assert {m.name: m.value for m in TaskType} == expected_types
    assert len(TaskType) == 31
    assert {m.name: m.value for m in TaskStatus} == {
        "Pending": "pending", "Completed": "completed", "Canceled": "canceled", "Error": "error",
    }  # fmt: skip
    assert {m.name: m.value for m in TaskReviewStatus} == {
        "Accepted": "accepted", "Fixed": "fixed", "Commented": "commented", "Rejected": "rejected",
        "Pending": "pending",
    }  # fmt: skip
    assert {m.name: m.value for m in BatchStatus} == {
        "Staging": "staging", "InProgress": "in_progress", "Completed": "completed",
    }  # fmt: skip
    assert {m.name: m.value for m in TeammateRole} == {
        "Labeler": "labeler", "Member": "member", "Manager": "manager", "Admin": "admin",
    }  # fmt: skip
    assert StudioBatchStatus.Production.value == "Production"


def test_package_exports() -> None:
    """The names of 3.1 are importable from the package."""
    for name in (
        "ScaleClient", "Paginator", "Tasklist", "Batchlist", "__version__", "Task", "TaskType",
        "TaskStatus", "TaskReviewStatus", "Batch", "BatchStatus", "Project", "TaskTemplate", "File",
        "EvaluationTask", "TrainingTask", "Teammate", "TeammateRole", "StudioBatch",
        "StudioLabelerAssignment", "StudioProjectGroup", "Api", "ScaleInvalidRequest", "ScaleException",
        "ScaleUnauthorized", "ScaleNotEnabled", "ScaleResourceNotFound", "ScaleDuplicateResource",
        "ScaleTooManyRequests", "ScaleInternalError", "ScaleServiceUnavailable", "ScaleTimeoutError",
    ):  # fmt: skip
        assert hasattr(scaleapi, name), name
    assert scaleapi.__version__ == "2.18.4"


def test_import_stays_light() -> None:
    """import scaleapi loads neither werkzeug, tqdm nor the emulator."""
    code = (
        "import sys, scaleapi\n"
        "bad = [m for m in ('werkzeug', 'tqdm', 'scaleapi.emulator') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- construction ---------------------------------------------------------------------------------


def test_missing_key_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """No argument and no SCALE_API_KEY: a clear ScaleException, no request."""
    monkeypatch.delenv("SCALE_API_KEY", raising=False)
    with pytest.raises(ScaleException, match="SCALE_API_KEY"):
        ScaleClient()
    with pytest.raises(ScaleException):
        ScaleClient("")


def test_configuration_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """api_key and base URL fall back to the environment; arguments win over it."""
    monkeypatch.setenv("SCALE_API_KEY", "test_from_env")
    monkeypatch.setenv("SCALE_API_BASE_URL", "http://127.0.0.1:9/v1")
    client = ScaleClient()
    assert client.api.base_url == "http://127.0.0.1:9/v1"
    assert client.api._api_key == "test_from_env"  # pylint: disable=protected-access
    other = ScaleClient("test_arg", api_instance_url="http://localhost:8/v1/")
    assert other.api.base_url == "http://localhost:8/v1"
    assert other.api._api_key == "test_arg"  # pylint: disable=protected-access
    monkeypatch.delenv("SCALE_API_BASE_URL")
    assert ScaleClient().api.base_url == "https://api.scale.com/v1"


def test_with_options_shares_the_pool() -> None:
    """with_options gives a client with other settings on the same session."""
    client = ScaleClient("test_k", api_instance_url="http://127.0.0.1:9/v1", timeout=5, max_retries=1)
    fast = client.with_options(timeout=1.5, max_retries=0)
    assert isinstance(fast, ScaleClient) and fast is not client
    assert fast.api.timeout == 1.5 and fast.api.policy.max_retries == 0
    assert client.api.timeout == 5 and client.api.policy.max_retries == 1
    assert fast.api._session is client.api._session  # pylint: disable=protected-access
    assert isinstance(client.api, Api)


def test_context_manager_closes(recorder: RecordingServer) -> None:
    """``with ScaleClient(...)`` works and closes the pool on exit; the client is still usable after."""
    recorder.responder = lambda seen: (200, [])
    with ScaleClient("test_k", api_instance_url=recorder.url) as client:
        assert client.list_teammates() == []
    client.close()


def test_client_pickles(recorder: RecordingServer) -> None:
    """A pickled client works again in this process (the key is recalled, never pickled)."""
    recorder.responder = lambda seen: (200, [])
    client = ScaleClient("test_pickle_key_xyz", api_instance_url=recorder.url)
    data = pickle.dumps(client)
    assert b"test_pickle_key_xyz" not in data
    again = pickle.loads(data)
    assert again.list_teammates() == []
    assert "test_pickle_key_xyz" not in repr(again)


# -- models ---------------------------------------------------------------------------------------

TASK_JSON = {
    "task_id": "5c84d0fe958593004f13e5ba", "type": "imageannotation", "status": "completed",
    "params": {"attachment": "http://x/a.jpg", "geometries": {"box": {}}}, "metadata": {},
    "response": {"annotations": []}, "instruction": "draw",
}  # fmt: skip


def test_task_attributes() -> None:
    """Top-level keys read as attributes; params keys do not; hasattr(tags) is false without tags."""
    task = Task(dict(TASK_JSON), None)
    assert task.id == task.task_id == "5c84d0fe958593004f13e5ba"
    assert task.status == "completed" and task.params["geometries"] == {"box": {}}
    assert task.response == {"annotations": []}
    assert not hasattr(task, "tags")
    assert not hasattr(task, "geometries") and not hasattr(task, "attachment")
    with pytest.raises(AttributeError):
        _ = task.tags
    assert task.as_dict() is task._json  # pylint: disable=protected-access
    assert "status" in dir(task)


def test_task_repr_str_eq_hash() -> None:
    """Short repr, and str() as informative as it; equal and hashed by id."""
    task = Task(dict(TASK_JSON), None)
    assert (
        repr(task) == "Task(task_id='5c84d0fe958593004f13e5ba', type='imageannotation', status='completed')"
    )
    assert str(task) == repr(task)
    twin = Task({"task_id": TASK_JSON["task_id"], "status": "pending"}, None)
    other = Task({"task_id": "other"}, None)
    assert task == twin and hash(task) == hash(twin) and task != other
    assert len({task, twin, other}) == 2
    assert task != TASK_JSON["task_id"]
    assert repr(Task({"task_id": "x"}, None)) == "Task(task_id='x')"


def test_models_copy_and_pickle_without_recursion() -> None:
    """copy, deepcopy and pickle work; a bare instance without _json never recurses."""
    task = Task(dict(TASK_JSON), None)
    for clone in (copy.copy(task), copy.deepcopy(task), pickle.loads(pickle.dumps(task))):
        assert clone == task and clone.status == "completed"
    bare = Task.__new__(Task)
    assert not hasattr(bare, "status")
    assert not hasattr(bare, "_json")
    batch = Batch({"name": "b", "project": "p", "status": "staging"}, None)
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_batch_model() -> None:
    """Batch tolerates a missing metadata, exposes callback, equals by name."""
    batch = Batch({"name": "b", "project": "p", "status": "staging", "callback": "http://cb"}, None)
    assert (batch.name, batch.project, batch.status, batch.metadata, batch.callback) == (
        "b", "p", "staging", {}, "http://cb",
    )  # fmt: skip
    assert batch.created_at is None
    assert (batch.tasks_pending, batch.tasks_completed, batch.tasks_error, batch.tasks_canceled) == (
        None,
    ) * 4
    assert batch == Batch({"name": "b"}, None) and hash(batch) == hash(Batch({"name": "b"}, None))
    assert str(batch) == repr(batch) == "Batch(name='b', project='p', status='staging')"


@pytest.mark.parametrize(
    "history,params,version,instruction",
    [
        (None, None, None, None),
        ([], None, None, None),
        ([{"version": 0}, {"version": 1, "instruction": "go"}], {"version": 1, "instruction": "go"}, 1, "go"),
        ([{"instruction": "no version"}], {"instruction": "no version"}, None, "no version"),
    ],
)
def test_project_model(history: Any, params: Any, version: Any, instruction: Any) -> None:
    """Project reads the last param_history entry and tolerates missing pieces."""
    data: Dict[str, Any] = {"name": "P", "type": "imageannotation"}
    if history is not None:
        data["param_history"] = history
    project = Project(data, None)
    assert (project.name, project.type, project.params, project.version, project.instruction) == (
        "P", "imageannotation", params, version, instruction,
    )  # fmt: skip
    assert project == Project({"name": "P"}, None)
    assert str(project) == repr(project) == f"Project(name='P', type='imageannotation', version={version!r})"


def test_small_models() -> None:
    """TaskTemplate defaults, File, Teammate names, Studio models, quality tasks."""
    template = TaskTemplate(
        {"id": "t", "version": 2, "created_at": "c", "updated_at": "u", "template_variables": {"a": 1}}, None
    )
    assert template.get_template_variables() == {"a": 1}
    assert template.get_response_schema() is None and template.is_auto_onboardable() is False
    assert File({"id": "f", "attachment_url": "scaledata://x"}, None).attachment_url == "scaledata://x"
    mate = Teammate(
        {"email": "a@x", "role": "member", "firstName": "A", "lastName": "B", "isStudioLabeler": True,
         "company": "C", "expiry": "e"}, None,
    )  # fmt: skip
    assert (mate.first_name, mate.last_name, mate.is_studio_labeler, mate.company, mate.expiry) == (
        "A", "B", True, "C", "e",
    )  # fmt: skip
    assert mate == Teammate({"email": "a@x", "role": "admin"}, None)
    group = StudioProjectGroup(
        {
            "id": "g",
            "name": "n",
            "numWorkers": 1,
            "isSingleton": False,
            "workers": [{"id": "w", "email": "e"}],
        },
        None,
    )
    assert group.workers == [StudioWorker({"id": "w", "email": "e"}, None)]
    assert (group.numWorkers, group.isSingleton) == (1, False)
    assert (
        StudioProjectGroup({"id": "g", "name": "n", "numWorkers": 0, "isSingleton": True}, None).workers == []
    )
    sbatch = StudioBatch(
        {"id": "s", "name": "b", "projectId": "p1", "projectName": "p", "batchType": "Calibration",
         "studioPriority": 2, "total": 3, "completed": 1, "groups": ["g"]}, None,
    )  # fmt: skip
    assert (sbatch.project_id, sbatch.project_name, sbatch.batch_type, sbatch.studio_priority) == (
        "p1", "p", "Calibration", 2,
    )  # fmt: skip
    assert StudioBatch({"id": "s"}, None).studio_priority is None
    assignment = StudioLabelerAssignment(["p1", "p2"], "a@x", None)
    assert assignment.as_dict() == ["p1", "p2"] and assignment.email == "a@x"
    evaluation = EvaluationTask(
        {"id": "e", "expected_response": {"a": 1}, "initial_response": {"b": 2}}, None
    )
    assert evaluation.initial_response == {"b": 2} and evaluation.expected_response == {"a": 1}
    assert TrainingTask({"id": "t", "expected_response": {}}, None).initial_response is None
    assert isinstance(evaluation, QualityTask)
    assert EvaluationTask({"id": "e"}, None) != TrainingTask({"id": "e"}, None)


def test_helper_without_client_raises_clearly() -> None:
    """A model built without a client says so instead of failing with AttributeError."""
    with pytest.raises(ScaleException, match="without a ScaleClient"):
        Task({"task_id": "x"}, None).refresh()
