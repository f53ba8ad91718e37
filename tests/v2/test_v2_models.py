"""The v2 models, driven by the checked-in model facts (tools/v2_models_spec.json).

Every import path, a round trip of every object model on minimal and full samples built from the
type trees, every wrapper alternative, the cases the existing v2 client cannot read, request-model
validation, the exceptions in both families, and the generated-output check.
"""
import copy
import importlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Dict, List

import pytest
from support.v2_facts import (
    ANNOTATION_TYPES,
    ENUMS,
    FACTS,
    MODELS,
    OBJECTS,
    ROOT,
    SHARED_SPEC,
    WRAPPERS,
    load_generator,
    optional_fields,
    sample_alternative,
    sample_model,
)

import scaleapi
from scaleapi import exceptions as v1_exceptions
from scaleapi.api_client.v2 import exceptions as v2_exceptions
from scaleapi.api_client.v2._model import OneOfModel, as_request, fields_of, model_class

ApiValueError = v2_exceptions.ApiValueError
ResponseValidationError = v2_exceptions.ResponseValidationError


def cls_of(name: str) -> Any:
    return model_class(name)


def roundtrip(cls: Any, data: Any) -> Any:
    """Parse, check to_dict/to_json agree and reparse equal; return the parsed value."""
    parsed = cls.from_dict(data)
    dumped = parsed.to_dict()
    assert json.loads(parsed.to_json()) == dumped
    assert json.loads(json.dumps(dumped)) == dumped  # JSON-ready: no model objects inside
    again = cls.from_dict(dumped)
    assert again == parsed
    assert again.to_dict() == dumped
    return parsed


# --- the facts and the generated code ---------------------------------------------------------------

def test_counts_match_the_facts() -> None:
    assert len(MODELS) == 119
    assert len(FACTS["re_exported_model_paths"]) == 115
    assert len(FACTS["not_re_exported"]) == 4
    assert (len(OBJECTS), len(ENUMS), len(WRAPPERS)) == (93, 14, 12)
    assert sum(len(MODELS[name]["fields"]) for name in OBJECTS) == 385


@pytest.mark.skipif(not os.path.exists(SHARED_SPEC), reason="the full v2 spec is not beside the repository")
def test_checked_in_facts_equal_the_full_spec() -> None:
    with open(SHARED_SPEC, encoding="utf-8") as handle:
        full = json.load(handle)
    assert load_generator().facts_subset(full) == FACTS


def test_generated_files_are_what_the_generator_writes_now() -> None:
    generator = load_generator()
    with tempfile.TemporaryDirectory() as tmp:
        assert generator.main(["--out", tmp]) == 0
        written = {}
        for path in generator.render_all(generator.load_facts()):
            with open(os.path.join(tmp, path), encoding="utf-8") as handle:
                written[path] = handle.read()
    for path, text in written.items():
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            assert handle.read() == text, f"{path} is out of date: run python tools/gen_v2_models.py"
    models_dir = os.path.join(ROOT, "scaleapi", "api_client", "v2", "models")
    on_disk = {name for name in os.listdir(models_dir) if name.endswith(".py")} - {"__init__.py"}
    assert on_disk == {path.rsplit("/", 1)[1] for path in written if "/models/" in path}
    assert generator.main(["--check"]) == 0


def test_generator_needs_no_network_and_runs_as_a_script() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tools", "gen_v2_models.py"), "--out", tmp],
            capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert len(os.listdir(os.path.join(tmp, "scaleapi", "api_client", "v2", "models"))) == 119


@pytest.mark.parametrize("name", OBJECTS)
def test_field_tables_match_the_facts(name: str) -> None:
    table = [(f.attr, f.json_name, f.required, f.default) for f in fields_of(cls_of(name))]
    assert table == [(f["name"], f["json_name"], f["required"], f["default"]) for f in MODELS[name]["fields"]]


def test_concrete_annotations_derive_from_base_annotation() -> None:
    base = cls_of("BaseAnnotation")
    for name in ANNOTATION_TYPES:
        assert issubclass(cls_of(name), base)
    assert issubclass(cls_of("ChunkText"), cls_of("BaseChunk"))


# --- imports ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", FACTS["re_exported_model_paths"] + FACTS["not_re_exported"])
def test_every_import_path_imports(path: str) -> None:
    module_name, cls_name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), cls_name)
    assert cls.__name__ == cls_name
    assert cls.__module__ == module_name


@pytest.mark.parametrize("path", FACTS["re_exported_model_paths"])
def test_re_exported_from_v2_and_models(path: str) -> None:
    module_name, cls_name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), cls_name)
    v2 = importlib.import_module("scaleapi.api_client.v2")
    models = importlib.import_module("scaleapi.api_client.v2.models")
    assert getattr(v2, cls_name) is cls
    assert getattr(models, cls_name) is cls
    assert cls_name in v2.__all__ and cls_name in models.__all__


@pytest.mark.parametrize("path", FACTS["not_re_exported"])
def test_the_four_stale_models_are_not_re_exported(path: str) -> None:
    cls_name = path.rsplit(".", 1)[1]
    models = importlib.import_module("scaleapi.api_client.v2.models")
    with pytest.raises(AttributeError):
        getattr(models, cls_name)
    assert cls_name not in models.__all__


def test_v2_re_exports_the_exception_names() -> None:
    from scaleapi.api_client import v2  # pylint: disable=import-outside-toplevel

    for name in ("OpenApiException", "ApiTypeError", "ApiValueError", "ApiKeyError", "ApiAttributeError",
                 "ApiException"):
        assert getattr(v2, name) is getattr(v2_exceptions, name)
    with pytest.raises(AttributeError):
        getattr(v2, "NoSuchName")


def _run(code: str) -> str:
    # The repository and tests/ (for ``support``), as setup.cfg's pythonpath gives the suite itself.
    path = os.pathsep.join([ROOT, os.path.join(ROOT, "tests"), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_scaleapi_loads_no_v2_module() -> None:
    out = _run(
        "import sys, scaleapi; print(sorted(m for m in sys.modules if m.startswith('scaleapi.api_client')"
        " or m.startswith('pydantic')))"
    )
    assert out == "[]"


def test_importing_the_v2_packages_is_lazy() -> None:
    out = _run("import sys, scaleapi.api_client.v2, scaleapi.api_client.v2.models; "
               "print(sorted(m for m in sys.modules if m.startswith('scaleapi.api_client.v2.models.')))")
    assert out == "[]"
    out = _run("import sys; from scaleapi.api_client.v2 import Project; "
               "print(len([m for m in sys.modules if m.startswith('scaleapi.api_client.v2.models.')]))")
    assert out == "1"


# --- round trips of every model ---------------------------------------------------------------------

@pytest.mark.parametrize("name", OBJECTS)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_object_model_round_trips(name: str, full: bool) -> None:
    cls = cls_of(name)
    sample = sample_model(name, full)
    parsed = roundtrip(cls, sample)
    dumped = parsed.to_dict()
    defaults = {field["json_name"] for field in MODELS[name]["fields"] if field["default"] is not None}
    assert set(dumped) == set(sample) | defaults
    assert parsed.additional_properties == {}
    # Keyword construction from the parsed attributes gives an equal model (the strict path).
    kwargs = {field.attr: getattr(parsed, field.attr) for field in fields_of(cls)}
    assert cls(**kwargs) == parsed


WITH_REQUIRED = [name for name in OBJECTS if any(field["required"] for field in MODELS[name]["fields"])]


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_object_model_missing_required_key_names_it(name: str) -> None:
    required = [field["json_name"] for field in MODELS[name]["fields"] if field["required"]]
    sample = sample_model(name, False)
    del sample[required[-1]]
    with pytest.raises(ResponseValidationError) as info:
        cls_of(name).from_dict(sample)
    assert info.value.path_to_item == [required[-1]]
    assert f"{name}.{required[-1]}" in str(info.value)
    assert isinstance(info.value, scaleapi.ScaleException)


WRAPPER_CASES = [
    (name, index) for name in WRAPPERS for index in range(len(MODELS[name]["alternative_trees"]))
]


@pytest.mark.parametrize("name,index", WRAPPER_CASES)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_every_wrapper_alternative_round_trips(name: str, index: int, full: bool) -> None:
    cls = cls_of(name)
    sample = sample_alternative(name, index, full)
    parsed = roundtrip(cls, sample)
    assert parsed.to_dict() == cls.from_dict(sample).to_dict()
    tree = MODELS[name]["alternative_trees"][index]
    inner = parsed.actual_instance
    if tree["kind"] == "primitive":
        assert inner == sample
    elif tree["kind"] == "list":
        assert isinstance(inner, list) and len(inner) == 1
    elif full or MODELS[tree["name"]]["kind"] != "object" or any(
            f["required"] for f in MODELS[tree["name"]]["fields"]):
        assert isinstance(inner, cls_of(tree["name"]))


@pytest.mark.parametrize("name", ENUMS)
def test_enum_members(name: str) -> None:
    cls = cls_of(name)
    assert issubclass(cls, str) and issubclass(cls, Enum)
    assert [(member.name, member.value) for member in cls] == [
        (member["name"], member["value"]) for member in MODELS[name]["members"]]
    for member in cls:
        assert cls.from_json(json.dumps(member.value)) is member
        assert member == member.value


def test_enum_examples() -> None:
    from scaleapi.api_client.v2 import BatchStatus, TaskStatus  # pylint: disable=import-outside-toplevel

    assert BatchStatus.IN_PROGRESS.value == "in_progress"
    assert BatchStatus.CANCELLED.value == "cancelled" and TaskStatus.CANCELED.value == "canceled"


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


# --- request models -----------------------------------------------------------------------------------

def test_keyword_construction_as_the_official_test_does() -> None:
    # pylint: disable=import-outside-toplevel
    from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest
    from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
    from scaleapi.api_client.v2.models.set_batch_metadata_request import SetBatchMetadataRequest

    by_id = BatchOperationRequest(batch_id="b1")
    assert by_id.batch_id == "b1" and by_id.batch_name is None
    by_name = BatchOperationRequest(batch_name="n1")
    assert by_name.batch_name == "n1" and by_name.batch_id is None
    assert BatchOperationRequest().to_dict() == {}
    create = CreateBatchRequest(name="b", project_name="p")
    assert (create.name, create.project_name) == ("b", "p")
    assert create.to_dict() == {"name": "b", "project_name": "p", "staging_batch": False}
    assert create.to_json() == '{"name": "b", "project_name": "p", "staging_batch": false}'
    metadata = {"flag": True, "note": "x", "when": "2025-01-02T03:04:05Z"}
    request = SetBatchMetadataRequest(batch_id="b1", metadata=metadata)
    assert request.to_dict() == {"batch_id": "b1", "metadata": metadata, "merge": False}


def test_set_task_metadata_defaults() -> None:
    from scaleapi.api_client.v2 import SetTaskMetadataRequest  # pylint: disable=import-outside-toplevel

    assert SetTaskMetadataRequest(task_id="t", metadata={}).to_dict() == {"task_id": "t", "metadata": {},
                                                                            "merge": False}


@pytest.mark.parametrize("kwargs,field", [
    ({"name": 5, "project_name": "p"}, "name"),
    ({"project_name": "p"}, "name"),
    ({"name": None, "project_name": "p"}, "name"),
    ({"name": "b", "project_name": 7}, "project_name"),
    ({"name": "b", "staging_batch": "yes"}, "staging_batch"),
    ({"name": "b", "staging_batch": 1}, "staging_batch"),
    ({"name": "b", "metadata": ["not", "an", "object"]}, "metadata"),
    ({"name": "b", "project": "p"}, "project"),  # the existing README's spelling
])
def test_request_validation_names_the_field(kwargs: Dict[str, Any], field: str) -> None:
    from scaleapi.api_client.v2 import CreateBatchRequest  # pylint: disable=import-outside-toplevel

    with pytest.raises(ApiValueError) as info:
        CreateBatchRequest(**kwargs)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, scaleapi.ScaleInvalidRequest)
    assert err.model == "CreateBatchRequest" and err.path_to_item == [field]
    assert f"CreateBatchRequest.{field}" in str(err)


def test_assignment_is_validated() -> None:
    from scaleapi.api_client.v2 import CreateBatchRequest  # pylint: disable=import-outside-toplevel

    request = CreateBatchRequest(name="b")
    request.project_id = "p"
    assert request.to_dict()["project_id"] == "p"
    with pytest.raises(ApiValueError, match=r"CreateBatchRequest\.project_id"):
        request.project_id = 9
    with pytest.raises(ApiValueError, match="is required"):
        request.name = None
    with pytest.raises(v2_exceptions.ApiAttributeError):
        request.project = "p"


def test_as_request_checks_dicts_and_models_before_sending() -> None:
    # pylint: disable=import-outside-toplevel
    from scaleapi.api_client.v2 import CreateChatTaskRequest, SetBatchMetadataRequest

    body = as_request(CreateChatTaskRequest, {"project_name": "p", "template_variables": {"a": "b"}})
    assert isinstance(body, CreateChatTaskRequest) and body.template_variables == {"a": "b"}
    model = SetBatchMetadataRequest(batch_name="b", metadata={"a": 1})
    assert as_request(SetBatchMetadataRequest, model) is model
    model.metadata = {"fine": 1}
    with pytest.raises(ApiValueError, match="project_id"):
        as_request(CreateChatTaskRequest, {"project_id": 5})
    with pytest.raises(ApiValueError, match="SetBatchMetadataRequest"):
        as_request(SetBatchMetadataRequest, "not a body")


def test_enum_fields_accept_members_values_and_v1_members() -> None:
    from scaleapi.api_client.v2 import Batch, BatchStatus  # pylint: disable=import-outside-toplevel

    base = {"id": "b", "name": "n", "project": "p", "created_at": datetime(2025, 1, 1), "metadata": {}}
    assert Batch(status=BatchStatus.PAUSED, **base).status is BatchStatus.PAUSED
    assert Batch(status="paused", **base).status is BatchStatus.PAUSED
    assert Batch(status=scaleapi.BatchStatus.InProgress, **base).status is BatchStatus.IN_PROGRESS
    with pytest.raises(ApiValueError, match="status"):
        Batch(status="sleeping", **base)
    assert Batch(status="paused", **base).created_at.tzinfo is timezone.utc


def test_aliases() -> None:
    # pylint: disable=import-outside-toplevel
    from scaleapi.api_client.v2 import GetSchemaResponse, GetSchemaResponseSchema

    response = roundtrip(GetSchemaResponse, {"schema": {"id": "s1", "json": '{"type": "object"}'}})
    assert response.var_schema.var_json == '{"type": "object"}'
    assert response.to_dict() == {"schema": {"id": "s1", "json": '{"type": "object"}'}}
    assert GetSchemaResponseSchema(var_json="{}") == GetSchemaResponseSchema(json="{}")
    assert GetSchemaResponse(schema={"id": "s"}).var_schema.id == "s"


def test_wrapper_construction_and_assignment() -> None:
    # pylint: disable=import-outside-toplevel
    from scaleapi.api_client.v2 import AnnotationFilePropertiesValue, BasicFile, ExpandableProject, Project

    assert ExpandableProject("p1").actual_instance == "p1"
    project = Project(id="p", name="n", created_at="2025-01-01T00:00:00Z")
    assert ExpandableProject(actual_instance=project).actual_instance is project
    assert ExpandableProject(project).to_dict()["name"] == "n"
    assert ExpandableProject().actual_instance is None
    with pytest.raises(ApiValueError):
        ExpandableProject(5)
    with pytest.raises(v2_exceptions.ApiTypeError):
        ExpandableProject("a", "b")
    files = AnnotationFilePropertiesValue([BasicFile(url="u")])
    assert files.to_dict() == [{"url": "u"}]
    single = AnnotationFilePropertiesValue(BasicFile(url="u"))
    assert single.to_dict() == {"url": "u"}
    assert isinstance(single, OneOfModel)


def test_models_copy_pickle_and_compare() -> None:
    from scaleapi.api_client.v2 import Task  # pylint: disable=import-outside-toplevel

    task = Task.from_dict(sample_model("Task", True))
    assert pickle.loads(pickle.dumps(task)) == task
    assert copy.deepcopy(task) == task
    other = Task.from_dict(sample_model("Task", True))
    other.metadata = {"changed": True}
    assert other != task
    assert repr(task).startswith("Task(task_id='text'")


@pytest.mark.parametrize("name", optional_fields("ModelParameters"))
def test_numbers_accept_int_and_float_but_not_bool(name: str) -> None:
    from scaleapi.api_client.v2 import ModelParameters  # pylint: disable=import-outside-toplevel

    kind = next(f for f in MODELS["ModelParameters"]["fields"] if f["json_name"] == name)["type_tree"]["of"]
    if kind["kind"] == "union":
        assert ModelParameters.from_dict({name: 1}).to_dict() == {name: 1}
        assert ModelParameters.from_dict({name: 0.5}).to_dict() == {name: 0.5}
    with pytest.raises(ResponseValidationError):
        ModelParameters.from_dict({name: True})


def test_bytes_content_is_sent_as_base64() -> None:
    from scaleapi.api_client.v2 import BasicFile  # pylint: disable=import-outside-toplevel

    assert BasicFile(content=b"hello").to_dict() == {"content": "aGVsbG8="}
    assert BasicFile(content="aGVsbG8=").to_dict() == {"content": "aGVsbG8="}


# --- exceptions ---------------------------------------------------------------------------------------

STATUS_CLASSES = [
    (400, "BadRequestException", v1_exceptions.ScaleInvalidRequest),
    (401, "UnauthorizedException", v1_exceptions.ScaleUnauthorized),
    (402, "NotEnabledException", v1_exceptions.ScaleNotEnabled),
    (403, "ForbiddenException", v1_exceptions.ScaleException),
    (404, "NotFoundException", v1_exceptions.ScaleResourceNotFound),
    (409, "ConflictException", v1_exceptions.ScaleDuplicateResource),
    (418, "ApiException", v1_exceptions.ScaleException),
    (422, "UnprocessableEntityException", v1_exceptions.ScaleInvalidRequest),
    (429, "TooManyRequestsException", v1_exceptions.ScaleTooManyRequests),
    (500, "InternalServerErrorException", v1_exceptions.ScaleInternalError),
    (502, "ServiceException", v1_exceptions.ScaleException),
    (503, "ServiceUnavailableException", v1_exceptions.ScaleServiceUnavailable),
    (504, "GatewayTimeoutException", v1_exceptions.ScaleTimeoutError),
]


@pytest.mark.parametrize("status,name,scale_cls", STATUS_CLASSES)
def test_http_errors_are_in_both_families(status: int, name: str, scale_cls: type) -> None:
    err = v2_exceptions.exception_for_status(status, "Reason", body='{"status_code": 1, "error": "x"}',
                                             headers={"X-Request-Id": "r1"})
    assert type(err).__name__ == name
    assert isinstance(err, v2_exceptions.ApiException) and isinstance(err, v2_exceptions.OpenApiException)
    assert isinstance(err, scale_cls) and isinstance(err, scaleapi.ScaleException)
    if 500 <= status <= 599:
        assert isinstance(err, v2_exceptions.ServiceException)
    assert (err.status, err.reason, err.code) == (status, "Reason", status)
    assert err.headers == {"X-Request-Id": "r1"} and err.data is None
    assert str(err).startswith(f"({status})\nReason: Reason\n") and '"error": "x"' in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and (again.status, again.body, str(again)) == (status, err.body, str(err))
    with pytest.raises(scale_cls):
        v2_exceptions.ApiException.from_response(status=status, reason="Reason", body="b")


def test_from_response_reads_a_response_object() -> None:
    class Response:
        """The attributes urllib3 and requests responses have."""

        status = 404
        reason = "Not Found"
        data = b'{"status_code": 404, "error": "no such task"}'
        headers = {"Content-Type": "application/json"}

    with pytest.raises(v2_exceptions.NotFoundException) as info:
        v2_exceptions.ApiException.from_response(http_resp=Response(), body=None, data=None)
    assert info.value.body == '{"status_code": 404, "error": "no such task"}'
    assert isinstance(info.value, scaleapi.ScaleResourceNotFound)


def test_the_other_exception_classes() -> None:
    type_error = v2_exceptions.ApiTypeError("bad", ["a", 0])
    assert isinstance(type_error, TypeError) and isinstance(type_error, scaleapi.ScaleException)
    assert type_error.path_to_item == ["a", 0]
    assert isinstance(v2_exceptions.ApiValueError("bad"), ValueError)
    assert isinstance(v2_exceptions.ApiKeyError("bad"), KeyError)
    assert isinstance(v2_exceptions.ApiAttributeError("bad"), AttributeError)
    for err in (type_error, v2_exceptions.ApiValueError("v", ["x"], model="M"),
                v2_exceptions.ResponseValidationError("r", ["y"], model="N")):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err) and str(again) == str(err)
        assert again.path_to_item == err.path_to_item


def test_to_json_uses_the_wire_separators_and_ascii_escapes() -> None:
    from scaleapi.api_client.v2 import CreateBatchRequest  # pylint: disable=import-outside-toplevel

    body = CreateBatchRequest(name="caf\u00e9", metadata={"a": [1, 2]}).to_json()
    assert body == '{"name": "caf\\u00e9", "staging_batch": false, "metadata": {"a": [1, 2]}}'


def test_first_use_from_many_threads_compiles_once_and_agrees() -> None:
    code = """
import json, threading
from support.v2_facts import sample_model
from scaleapi.api_client.v2 import Annotation, Task
data = sample_model("Task", True)
results, errors = [], []
def work():
    try:
        results.append(json.dumps(Task.from_dict(data).to_dict(), sort_keys=True))
    except Exception as err:  # noqa: BLE001 - reported below
        errors.append(repr(err))
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join(30)
assert not errors, errors
assert len(results) == 8 and len(set(results)) == 1
print("ok")
"""
    assert _run(code) == "ok"
