"""Every v2 endpoint of our SDK, in its three variants, against a real emulator over HTTP.

For each of the 25 endpoints: ``x(...)`` returns its response model, ``x_with_http_info(...)`` an
``ApiResponse`` with status 200, the headers and that model in ``data``, and
``x_without_preload_content(...)`` the ``requests.Response`` whose JSON the model reads. A call that
changes state gets fresh arguments per variant (its own batch, its own name).
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from typing import Any, Callable, Dict, Iterator, Tuple

import pytest
from support.v2_world import ENDPOINTS, V2World, build_world

from scaleapi import ScaleClient
from scaleapi.api_client.v2.api_response import ApiResponse
from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
from scaleapi.api_client.v2.models.create_chat_task_request import CreateChatTaskRequest
from scaleapi.api_client.v2.models.set_batch_metadata_request import SetBatchMetadataRequest
from scaleapi.api_client.v2.models.set_task_metadata_request import SetTaskMetadataRequest
from scaleapi.emulator import Emulator

KEY = "test_v2_emulator_endpoints"
Call = Tuple[Tuple[Any, ...], Dict[str, Any]]


@pytest.fixture(scope="module")
def world(scale_emulator_session: Emulator) -> V2World:
    """The v2 world on the session's emulator (the plugin's; nothing resets it within this module)."""
    return build_world(scale_emulator_session, KEY, tasks=6)


@pytest.fixture(scope="module")
def client(world: V2World) -> Iterator[ScaleClient]:
    """Our client of the world's account."""
    with world.client() as scale:
        yield scale


def _new_batch(world: V2World, client: ScaleClient, staging: bool = False) -> str:
    made = client.v2.create_batch(CreateBatchRequest(name=world.unique("b"), project_name=world.project,
                                                     staging_batch=staging))
    return str(made.id)


def _needs(value: Any, what: str) -> Any:
    if not value:
        pytest.fail(f"the world has no {what}: the emulator did not make one")
    return value


def _annotation_id(world: V2World, client: ScaleClient) -> str:
    task = client.v2.get_task(world.task_ids[0])
    for thread in task.threads or []:
        for turn in thread.turns:
            for message in turn.messages:
                for annotation in message.annotations:
                    return str(annotation.id)
            for annotation in turn.annotations:
                return str(annotation.id)
    raise AssertionError(f"completed task {world.task_ids[0]} has no annotation in its v2 form")


#: endpoint -> a function of (world, client) giving the positional and keyword arguments of one call.
CALLS: Dict[str, Callable[[V2World, ScaleClient], Call]] = {
    "get_task": lambda w, c: ((w.task_ids[0],), {"expand": ["project"], "opts": ["annotation_details"]}),
    "get_tasks": lambda w, c: ((), {"project_name": w.project, "status": "completed", "limit": 2}),
    "create_chat_task": lambda w, c: ((CreateChatTaskRequest(
        project_name=w.chat_project, template_variables={"topic": "rivers"}),), {}),
    "set_task_metadata": lambda w, c: ((SetTaskMetadataRequest(
        task_id=w.task_ids[1], metadata={"seen": w.unique("m")}, merge=True),), {}),
    "get_annotation": lambda w, c: ((), {"annotation_id": _annotation_id(w, c)}),
    "create_batch": lambda w, c: ((CreateBatchRequest(name=w.unique("b"), project_name=w.project),), {}),
    "get_batch": lambda w, c: ((), {"batch_id": w.batch_id, "expand": ["project"]}),
    "get_batches": lambda w, c: ((), {"project_name": w.project, "limit": 3}),
    "finalize_batch": lambda w, c: ((BatchOperationRequest(batch_id=_new_batch(w, c, staging=True)),), {}),
    "pause_batch": lambda w, c: ((BatchOperationRequest(batch_id=_new_batch(w, c)),), {}),
    "resume_batch": lambda w, c: ((BatchOperationRequest(batch_id=_paused_batch(w, c)),), {}),
    "cancel_batch": lambda w, c: ((BatchOperationRequest(batch_id=_new_batch(w, c)),), {}),
    "set_batch_metadata": lambda w, c: ((SetBatchMetadataRequest(
        batch_id=w.batch_id, metadata={"round": 2}),), {}),
    "get_project": lambda w, c: ((w.project_id,), {}),
    "get_projects": lambda w, c: ((), {}),
    "get_deliveries": lambda w, c: ((), {"project_name": w.project}),
    "get_delivery": lambda w, c: ((), {"delivery_id": _needs(w.delivery, "delivery")["id"], "limit": 2}),
    "get_delivery_tasks": lambda w, c: ((), {"delivery_id": _needs(w.delivery, "delivery")["id"],
                                             "limit": 2}),
    "get_datasets": lambda w, c: ((), {}),
    "get_dataset_deliveries": lambda w, c: ((), {"dataset_id": _needs(w.dataset, "dataset")["id"]}),
    "get_dataset_delivery": lambda w, c: ((), {
        "delivery_id": _needs(w.dataset_delivery, "dataset delivery")["id"], "limit": 2}),
    "get_dataset_tasks": lambda w, c: ((), {"dataset_id": _needs(w.dataset, "dataset")["id"], "limit": 2}),
    "get_dataset_task": lambda w, c: ((_needs(w.dataset_task, "dataset task")["task_id"],), {}),
    "get_dataset_task_response_url": lambda w, c: ((), {
        "task_id": _needs(w.dataset_task, "dataset task")["task_id"],
        "attachment_id": _needs(w.dataset_task, "dataset task")["attachment_id"]}),
    "get_schema": lambda w, c: ((), {"schema_id": _needs(w.schema_id, "schema")}),
}


def _has(items: Any, wanted: Any, attribute: str = "id") -> bool:
    return wanted in [getattr(item, attribute) for item in items]


#: endpoint -> what the plain variant's answer must say about the world (beyond its model class).
CHECKS: Dict[str, Callable[[V2World, Any], bool]] = {
    "get_task": lambda w, v: v.task_id == w.task_ids[0] and v.project.name == w.project and bool(v.threads),
    "get_tasks": lambda w, v: len(v.tasks) == 2 and bool(v.next_token)
    and all(t.status == "completed" for t in v.tasks),
    "create_chat_task": lambda w, v: bool(v.task_id) and v.project.actual_instance == _project_id(w),
    "set_task_metadata": lambda w, v: v.task_id == w.task_ids[1] and "seen" in v.metadata,
    "get_annotation": lambda w, v: bool(v.id) and bool(v.type),
    "create_batch": lambda w, v: v.status == "in_progress" and v.project.actual_instance == w.project_id,
    "get_batch": lambda w, v: v.id == w.batch_id and v.name == w.batch and v.project.name == w.project,
    "get_batches": lambda w, v: 0 < len(v.batches) <= 3,
    "finalize_batch": lambda w, v: v.status == "in_progress",
    "pause_batch": lambda w, v: v.batch.status == "paused",
    "resume_batch": lambda w, v: v.batch.status == "in_progress",
    "cancel_batch": lambda w, v: v.batch.status == "cancelled",
    "set_batch_metadata": lambda w, v: v.id == w.batch_id and v.metadata == {"round": 2},
    "get_project": lambda w, v: v.id == w.project_id and v.name == w.project,
    "get_projects": lambda w, v: _has(v.projects, w.project, "name")
    and _has(v.projects, w.chat_project, "name"),
    "get_deliveries": lambda w, v: _has(v.deliveries, (w.delivery or {}).get("id")),
    "get_delivery": lambda w, v: len(v.tasks) == 2 and bool(v.next_token),
    "get_delivery_tasks": lambda w, v: len(v.docs) == 2 and v.total == 2 and bool(v.next_token),
    "get_datasets": lambda w, v: _has(v.datasets, (w.dataset or {}).get("id")),
    "get_dataset_deliveries": lambda w, v: _has(v.deliveries, (w.dataset_delivery or {}).get("id")),
    "get_dataset_delivery": lambda w, v: len(v.tasks) == 2 and bool(v.next_token),
    "get_dataset_tasks": lambda w, v: len(v.tasks) == 2 and bool(v.next_token),
    "get_dataset_task": lambda w, v: v.task_id == (w.dataset_task or {}).get("task_id")
    and v.response is not None,
    "get_dataset_task_response_url": lambda w, v: v is None,
    "get_schema": lambda w, v: v.var_schema.id == w.schema_id and isinstance(v.var_schema.var_json, str),
}


def _project_id(world: V2World) -> str:
    with world.client() as scale:
        return str(scale.v2.get_project(project_name=world.chat_project).id)


def _paused_batch(world: V2World, client: ScaleClient) -> str:
    batch_id = _new_batch(world, client)
    client.v2.pause_batch(BatchOperationRequest(batch_id=batch_id))
    return batch_id


def test_the_table_covers_every_endpoint() -> None:
    """The call and check tables have one entry per endpoint of the spec, 25 in all."""
    assert sorted(CALLS) == sorted(CHECKS) == sorted(ENDPOINTS) and len(CALLS) == 25


def _model_name(endpoint: str) -> str:
    return str(ENDPOINTS[endpoint]["responses"].get("200") or "")


def _check_model(endpoint: str, value: Any) -> None:
    name = _model_name(endpoint)
    if not name:  # get_dataset_task_response_url: 302 -> no model
        assert value is None
        return
    assert type(value).__name__ == name, (endpoint, type(value).__name__)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_plain_variant_returns_the_model(endpoint: str, world: V2World, client: ScaleClient) -> None:
    """``x(...)`` returns the endpoint's response model (None for the 302 of the response URL)."""
    args, kwargs = CALLS[endpoint](world, client)
    value = getattr(client.v2, endpoint)(*args, **kwargs)
    _check_model(endpoint, value)
    assert CHECKS[endpoint](world, value), (endpoint, value)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_with_http_info_variant(endpoint: str, world: V2World, client: ScaleClient) -> None:
    """``x_with_http_info(...)``: status 200, the headers, the raw bytes and the model."""
    args, kwargs = CALLS[endpoint](world, client)
    answer = getattr(client.v2, f"{endpoint}_with_http_info")(*args, **kwargs)
    assert isinstance(answer, ApiResponse)
    assert answer.status_code == 200, (endpoint, answer.status_code, answer.raw_data[:300])
    assert isinstance(answer.raw_data, bytes) and answer.raw_data
    assert isinstance(answer.headers, dict)
    if _model_name(endpoint):
        assert "application/json" in {k.lower(): v for k, v in answer.headers.items()}["content-type"]
    _check_model(endpoint, answer.data)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_without_preload_content_variant(endpoint: str, world: V2World, client: ScaleClient) -> None:
    """``x_without_preload_content(...)``: the ``requests.Response``, whose JSON the model reads."""
    args, kwargs = CALLS[endpoint](world, client)
    response = getattr(client.v2, f"{endpoint}_without_preload_content")(*args, **kwargs)
    assert response.status_code == 200, (endpoint, response.status_code, response.text[:300])
    name = _model_name(endpoint)
    if name:
        from scaleapi.api_client.v2 import models  # pylint: disable=import-outside-toplevel

        parsed = getattr(models, name).from_dict(response.json())
        assert type(parsed).__name__ == name
    else:
        assert response.history and response.history[0].status_code == 302
        assert response.content
