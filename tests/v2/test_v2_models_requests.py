"""The v2 request models: keyword construction, defaults, validation of arguments and assignments,
``as_request``, enum and alias fields, wrappers, copying and pickling, numbers and bytes.
"""
import copy
import pickle
from datetime import datetime, timezone
from typing import Any, Dict

import pytest
from support.v2_facts import MODELS, optional_fields, sample_model
from support.v2_model_checks import roundtrip

import scaleapi
from scaleapi.api_client.v2 import exceptions as v2_exceptions
from scaleapi.api_client.v2._model import OneOfModel, as_request

ApiValueError = v2_exceptions.ApiValueError
ResponseValidationError = v2_exceptions.ResponseValidationError


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
