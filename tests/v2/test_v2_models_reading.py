"""The v2 responses the existing v2 client cannot read: attachments and file values by their keys,
annotation and chunk types, unknown keys and enum values, expandable fields, deep nesting, datetimes
and strict types.
"""
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest
from support.v2_facts import ANNOTATION_TYPES, sample_model
from support.v2_model_checks import roundtrip

import scaleapi
from scaleapi.api_client.v2 import exceptions as v2_exceptions

ApiValueError = v2_exceptions.ApiValueError
ResponseValidationError = v2_exceptions.ResponseValidationError


# --- what the existing v2 client cannot read --------------------------------------------------------

def _task(**extra: Any) -> Dict[str, Any]:
    task = {"task_id": "t1", "project": "p1", "status": "completed", "created_at": "2025-01-02T03:04:05Z"}
    task.update(extra)
    return task


def _message(content: Dict[str, Any], annotations: Any = ()) -> Dict[str, Any]:
    return {"role": "assistant", "content": content, "source_id": "s1", "annotations": list(annotations)}


def _threaded(message: Dict[str, Any]) -> Dict[str, Any]:
    return _task(threads=[{"id": "th", "annotations": [],
                           "turns": [{"id": "tu", "annotations": [], "messages": [message]}]}])


FILES = {
    "BasicFile": {"content": "aGVsbG8=", "mime_type": "text/plain", "name": "a.txt"},
    "ImageFile": {"url": "https://files.example.invalid/a.png", "mime_type": "image/png",
                  "file_size_in_bytes": 2048, "name": "a.png"},
    "AudioFile": {"url": "https://files.example.invalid/a.mp3", "mime_type": "audio/mpeg", "duration": 12.5,
                  "transcript": "hello", "transcript_start": 0, "transcript_end": 12.5},
}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_message_attachments_are_read_by_their_keys(kind: str) -> None:
    from scaleapi.api_client.v2 import Task  # pylint: disable=import-outside-toplevel

    task = roundtrip(Task, _threaded(_message({"text": "see file", "attachments": [FILES[kind]]})))
    attachment = task.threads[0].turns[0].messages[0].content.attachments[0]
    assert type(attachment.actual_instance).__name__ == kind
    assert attachment.to_dict() == FILES[kind]


def test_attachment_with_only_common_keys_is_readable() -> None:
    from scaleapi.api_client.v2 import DetailedFile  # pylint: disable=import-outside-toplevel

    parsed = roundtrip(DetailedFile, {"url": "https://files.example.invalid/x", "extra_key": 1})
    assert parsed.actual_instance.additional_properties == {"extra_key": 1}


@pytest.mark.parametrize("form", ["single", "list"])
@pytest.mark.parametrize("kind", sorted(FILES))
def test_file_annotation_value_single_object_or_list(form: str, kind: str) -> None:
    from scaleapi.api_client.v2 import Annotation, AnnotationFile  # pylint: disable=import-outside-toplevel

    value = FILES[kind] if form == "single" else [FILES[kind], FILES["BasicFile"]]
    annotation = roundtrip(Annotation, {"id": "a", "key": "upload", "type": "file", "value": value})
    assert isinstance(annotation.actual_instance, AnnotationFile)
    assert annotation.actual_instance.value.to_dict() == value
    json.dumps(annotation.to_dict())  # the existing client's to_dict leaves file objects in here


@pytest.mark.parametrize("cls_name,type_value", sorted(ANNOTATION_TYPES.items()))
def test_every_annotation_type_is_chosen_by_its_type(cls_name: str, type_value: str) -> None:
    from scaleapi.api_client.v2 import Annotation, Task  # pylint: disable=import-outside-toplevel

    for full in (False, True):
        sample = sample_model(cls_name, full)
        annotation = roundtrip(Annotation, sample)
        assert type(annotation.actual_instance).__name__ == cls_name
        assert annotation.type == type_value  # fields read through the wrapper
        task = roundtrip(Task, _threaded(_message({"text": "x"}, [sample])))
        assert task.threads[0].turns[0].messages[0].annotations[0] == annotation


def test_unknown_annotation_type_is_kept_as_a_base_annotation() -> None:
    from scaleapi.api_client.v2 import BaseAnnotation, Task  # pylint: disable=import-outside-toplevel

    new_kind = {"id": "a9", "key": "mood", "type": "emoji_scale", "value": {"emoji": ":)"}, "title": "Mood"}
    task = roundtrip(Task, _threaded(_message({"text": "x"}, [new_kind])))
    annotation = task.threads[0].turns[0].messages[0].annotations[0]
    assert isinstance(annotation.actual_instance, BaseAnnotation)
    assert annotation.title == "Mood"
    assert annotation.actual_instance.additional_properties == {"value": {"emoji": ":)"}}
    assert annotation.to_dict() == new_kind


def test_unknown_chunk_type_is_kept_as_a_base_chunk() -> None:
    from scaleapi.api_client.v2 import BaseChunk, Chunk, ChunkText  # pylint: disable=import-outside-toplevel

    assert isinstance(
        Chunk.from_dict({"type": "text", "text": "t", "annotations": []}).actual_instance, ChunkText
    )
    chunk = roundtrip(Chunk, {"type": "image", "annotations": [], "url": "u"})
    assert isinstance(chunk.actual_instance, BaseChunk)


def test_last_code_run_event_is_readable() -> None:
    from scaleapi.api_client.v2 import (  # pylint: disable=import-outside-toplevel
        AnnotationWorkspaceContainer,
        WorkspaceExecutionData,
    )

    event = {"id": "run1", "result": {"status": {"code": 0, "name": "ok"}, "time": 1.25, "score": 1}}
    annotation = roundtrip(AnnotationWorkspaceContainer, {
        "id": "a", "key": "k", "type": "workspace_container",
        "value": {"workspace_id": "w", "last_code_run_event": event}})
    assert annotation.value.last_code_run_event == event
    typed = WorkspaceExecutionData.from_dict(annotation.value.last_code_run_event)
    assert typed.result.status.name == "ok"


def test_wrapper_object_missing_a_required_key_names_the_field() -> None:
    from scaleapi.api_client.v2 import Task  # pylint: disable=import-outside-toplevel

    with pytest.raises(ResponseValidationError) as info:
        Task.from_dict(_task(project={"id": "p1", "created_at": "2025-01-01T00:00:00Z"}))
    assert info.value.path_to_item == ["project", "name"]
    assert "Task.project.name" in str(info.value)
    bad = _threaded(_message({"text": "x"}, [{"id": "a", "key": "k", "type": "integer", "value": "7"}]))
    with pytest.raises(ResponseValidationError) as info:
        Task.from_dict(bad)
    assert info.value.path_to_item == ["threads", 0, "turns", 0, "messages", 0, "annotations", 0, "value"]
    assert isinstance(info.value, ValueError) and isinstance(info.value, scaleapi.ScaleException)


def test_to_json_is_wire_json_after_from_dict() -> None:
    from scaleapi.api_client.v2 import Batch  # pylint: disable=import-outside-toplevel

    batch = Batch.from_dict({"id": "b", "name": "n", "project": "p", "created_at": "2025-01-02T03:04:05Z",
                             "status": "in_progress", "metadata": {}})
    assert json.loads(batch.to_json()) == {"id": "b", "name": "n", "project": "p",
                                           "created_at": "2025-01-02T03:04:05Z", "status": "in_progress",
                                           "metadata": {}}
    assert "null" not in batch.to_json() and "actual_instance" not in batch.to_json()
    assert "'project': 'p'" in batch.to_str()


def test_unknown_keys_are_kept_and_written_back() -> None:
    from scaleapi.api_client.v2 import Project  # pylint: disable=import-outside-toplevel

    data = {"id": "p", "name": "n", "created_at": "2025-01-02T03:04:05Z", "new_field": {"x": [1]}}
    project = roundtrip(Project, data)
    assert project.additional_properties == {"new_field": {"x": [1]}}
    assert project.to_dict()["new_field"] == {"x": [1]}


def test_unknown_enum_value_in_a_response_is_kept_as_text() -> None:
    from scaleapi.api_client.v2 import Task, TaskStatus  # pylint: disable=import-outside-toplevel

    task = roundtrip(Task, _task(status="on_hold"))
    assert task.status == "on_hold" and not isinstance(task.status, TaskStatus)
    assert Task.from_dict(_task()).status is TaskStatus.COMPLETED


def test_expandable_fields_take_an_id_or_an_object() -> None:
    from scaleapi.api_client.v2 import Project, Task  # pylint: disable=import-outside-toplevel

    assert roundtrip(Task, _task()).project.actual_instance == "p1"
    expanded = roundtrip(
        Task, _task(project={"id": "p1", "name": "proj", "created_at": "2025-01-01T00:00:00Z"})
    )
    assert isinstance(expanded.project.actual_instance, Project)
    assert expanded.project.name == "proj"
    with pytest.raises(ResponseValidationError):
        Task.from_dict(_task(project=5))


def test_rubric_values_keep_their_other_keys_at_top_level() -> None:
    from scaleapi.api_client.v2 import RubricRatingValue  # pylint: disable=import-outside-toplevel

    value = roundtrip(RubricRatingValue, {"score": 4, "color": "green", "band": "good"})
    assert value.additional_properties == {"band": "good"}
    assert RubricRatingValue(score=1, band="x").to_dict() == {"score": 1, "band": "x"}


def test_deep_nesting_is_a_validation_error_not_a_recursion_error() -> None:
    from scaleapi.api_client.v2 import Annotation  # pylint: disable=import-outside-toplevel

    deep: Dict[str, Any] = {"id": "a", "key": "k", "type": "text"}
    for _ in range(3000):
        deep = {"id": "a", "key": "k", "type": "text", "metadata": {"criteria": deep}}
    with pytest.raises(ResponseValidationError):
        Annotation.from_dict(deep)
    with pytest.raises(ResponseValidationError):
        Annotation.from_json("[" * 100000)


def test_datetimes_are_read_leniently_and_written_as_iso() -> None:
    from scaleapi.api_client.v2 import Project  # pylint: disable=import-outside-toplevel

    utc = timezone.utc
    cases = {
        "2025-01-02T03:04:05Z": datetime(2025, 1, 2, 3, 4, 5, tzinfo=utc),
        "2025-01-02T03:04:05.123456789Z": datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=utc),
        "2025-01-02T03:04:05.1+02:00": datetime(
            2025, 1, 2, 3, 4, 5, 100000, tzinfo=timezone(timedelta(hours=2))
        ),
        "2025-01-02T03:04:05-0130": datetime(
            2025, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=1, minutes=30))
        ),
        "2025-01-02T03:04:05": datetime(2025, 1, 2, 3, 4, 5, tzinfo=utc),
        "2025-01-02": datetime(2025, 1, 2, tzinfo=utc),
        1735787045: datetime(2025, 1, 2, 3, 4, 5, tzinfo=utc),
        1735787045.5: datetime(2025, 1, 2, 3, 4, 5, 500000, tzinfo=utc),
    }
    for raw, want in cases.items():
        project = Project.from_dict({"id": "p", "name": "n", "created_at": raw})
        assert project.created_at == want and project.created_at.tzinfo is not None, raw
        assert Project.from_dict(project.to_dict()) == project
    assert Project.from_dict({"id": "p", "name": "n", "created_at": 1735787045}).to_dict()["created_at"] == \
        "2025-01-02T03:04:05Z"
    bad_times: List[Any] = ["yesterday", "2025-13-01T00:00:00Z", True, [], 10 ** 20]
    for bad in bad_times:
        with pytest.raises(ResponseValidationError) as info:
            Project.from_dict({"id": "p", "name": "n", "created_at": bad})
        assert info.value.path_to_item == ["created_at"]


def test_strict_types_in_responses() -> None:
    from scaleapi.api_client.v2 import Delivery, Project  # pylint: disable=import-outside-toplevel

    with pytest.raises(ResponseValidationError, match=r"Project\.id: expected a string, got an integer"):
        Project.from_dict({"id": 5, "name": "n", "created_at": "2025-01-01T00:00:00Z"})
    with pytest.raises(ResponseValidationError, match="Project: expected an object"):
        Project.from_dict([])
    delivery = {"id": "d", "name": "n", "delivered_at": "2025-01-01T00:00:00Z", "project": "p"}
    for bad in ("3", True, 1.5):
        with pytest.raises(ResponseValidationError, match="task_count"):
            Delivery.from_dict(dict(delivery, task_count=bad))
    with pytest.raises(ResponseValidationError, match="is null, but required"):
        Project.from_dict({"id": None, "name": "n", "created_at": "2025-01-01T00:00:00Z"})
    assert Project.from_dict(None) is None
