"""/v2 as a whole: projects, v1↔v2 visibility, authentication, routing errors, and the route table
against ``/v2/openapi.json``."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import re
from typing import Dict, Set

import pytest
import requests
from support.emulator import IMAGE_TASK, LIVE_KEY, OTHER_KEY, TEST_KEY, Api
from support.v2_emulator import V2Wire, sdk_client, v1_project, v2_error_of

from scaleapi.api_client.v2 import exceptions as v2x
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
from scaleapi.emulator import Emulator
from scaleapi.emulator.http.routes_v2 import V2_OPERATIONS, V2_ROUTES
from scaleapi.exceptions import ScaleUnauthorized


@pytest.fixture
def v2_key() -> str:
    """Live mode for conftest's ``wire`` and ``scale``: tasks stay pending until completed."""
    return LIVE_KEY


def test_projects(live: Api, wire: V2Wire) -> None:
    """Projects by id, by name, listed in creation order, filtered by creation time."""
    first = v1_project(live, "first", "imageannotation")
    second = v1_project(live, "second", "chat")
    listed = wire.ok_get("projects")["projects"]
    assert listed == [
        {"id": first["id"], "name": "first", "created_at": first["created_at"], "types": ["imageannotation"],
         "models": []},
        {"id": second["id"], "name": "second", "created_at": second["created_at"], "types": ["chat"],
         "models": []},
    ]
    assert wire.ok_get("project", {"project_name": "second"}) == listed[1]
    assert wire.ok_get("project", {"project_id": first["id"]}) == listed[0]
    assert wire.ok_get("project", {"project_id": first["id"], "project_name": "second"}) == listed[0]
    after = second["created_at"][:-1] + "000+0000"
    assert [p["name"] for p in wire.ok_get("projects", {"created_after": after})["projects"]] == ["second"]
    before = wire.ok_get("projects", {"created_before": after[:-5]})["projects"]
    assert [p["name"] for p in before] == ["first"]
    v2_error_of(wire.get("project"), 400)
    v2_error_of(wire.get("project", {"project_name": "nope"}), 404)
    v2_error_of(wire.get("project", {"project_id": "nope"}), 404)
    v2_error_of(wire.get("projects", {"created_after": "2025-13-40"}), 400)
    other = V2Wire(wire.base[:-3], OTHER_KEY)
    assert other.ok_get("projects") == {"projects": []}
    other.close()


def test_v1_objects_are_visible_through_v2(live: Api, wire: V2Wire, emu: Emulator) -> None:
    """A project, batch and task made through v1 read through v2 with v2 ids."""
    project = v1_project(live, "p")
    batch = live.ok("POST", "batches", json={"project": "p", "name": "b"})
    task = live.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "p", "batch": "b",
                                                          "metadata": {"k": 1}})
    assert wire.ok_get("project", {"project_name": "p"})["id"] == project["id"]
    v2_batch = wire.ok_get("batch", {"batch_name": "b"})
    assert v2_batch["id"] == batch["id"] and v2_batch["project"] == project["id"]
    v2_task = wire.ok_get("task", {"task_id": task["task_id"]})
    assert (v2_task["project"], v2_task["batch"]) == (project["id"], batch["id"])
    assert v2_task["metadata"] == {"k": 1}
    emu.complete_task(task["task_id"])
    assert wire.ok_get("batch", {"batch_id": batch["id"]})["status"] == "completed"


def test_v2_objects_are_visible_through_v1(live: Api, wire: V2Wire) -> None:
    """A batch and task made through v2 read through v1, statuses included."""
    project = v1_project(live, "p", "chat")
    with sdk_client(wire.base[:-3] + "/v1", LIVE_KEY) as client:
        batch = client.v2.create_batch(CreateBatchRequest(name="b", project_name="p", staging_batch=True,
                                                          metadata={"m": True}))
        v1_batch = client.get_batch("b")
        assert (v1_batch.name, v1_batch.project, v1_batch.status) == ("b", "p", "staging")
        assert v1_batch.metadata == {"m": True}
        task = wire.ok_post("task/chat", {"project_id": project["id"], "batch_id": batch.id,
                                          "template_variables": {"q": "why"}, "metadata": {"x": 1}})
        v1_task = client.get_task(task["task_id"])
        assert (v1_task.project, v1_task.batch, v1_task.status) == ("p", "b", "pending")
        assert v1_task.metadata == {"x": 1}
        assert task["task_id"] in [t.id for t in client.get_tasks(project_name="p")]
        wire.ok_post("batch/finalize", {"batch_id": batch.id})
        assert client.get_batch("b").status == "in_progress"
        wire.ok_post("batch/pause", {"batch_id": batch.id})
        assert client.get_batch("b").status == "paused"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer "}, {"Authorization": "Bearer nope"}, {"Authorization": "Token test_x"},
    {"Authorization": "Basic !!!"},
])
def test_refused_credentials_are_401_in_the_v2_shape(emu: Emulator, headers: Dict[str, str]) -> None:
    """Missing or refused credentials: 401 with the v2 error body, never echoing the key."""
    response = requests.get(f"{emu.base}/v2/projects", headers=headers, timeout=10)
    message = v2_error_of(response, 401)
    assert "nope" not in message


def test_bearer_and_basic_both_authenticate_the_same_account(emu: Emulator, api: Api) -> None:
    """Bearer and Basic with one key reach one account."""
    v1_project(api, "p")
    bearer = requests.get(f"{emu.base}/v2/projects", headers={"Authorization": f"Bearer {TEST_KEY}"},
                          timeout=10)
    basic = requests.get(f"{emu.base}/v2/projects", auth=(TEST_KEY, ""), timeout=10)
    assert bearer.status_code == basic.status_code == 200
    assert bearer.json() == basic.json() and len(bearer.json()["projects"]) == 1


def test_our_client_maps_401_into_both_families(emu: Emulator) -> None:
    """A 401 is both the v2 ``UnauthorizedException`` and ``ScaleUnauthorized``."""
    with sdk_client(emu.url, "not-a-scale-key") as client:
        with pytest.raises(v2x.UnauthorizedException) as caught:
            client.v2.get_projects()
    assert isinstance(caught.value, ScaleUnauthorized) and caught.value.status == 401


def test_routing_errors_are_v2_bodies(wire: V2Wire) -> None:
    """Unknown paths 404 and wrong methods 405, in the v2 error body."""
    v2_error_of(wire.get("nothing"), 404)
    v2_error_of(wire.get("task/chat"), 405)
    v2_error_of(wire.post("projects", {}), 405)
    v2_error_of(wire.session.delete(f"{wire.base}/batch", timeout=10), 405)
    # A doubled slash still reaches the endpoint, as on v1.
    assert wire.get("/projects").status_code == 200


def _shape(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_route_table_matches_the_openapi_document(wire: V2Wire) -> None:
    """``V2_ROUTES`` and ``/v2/openapi.json`` list the same paths and methods."""
    document = wire.ok_get("openapi.json")
    assert document["servers"] == [{"url": wire.base[:-3]}]
    assert {"bearerAuth", "basicAuth"} <= set(document["components"]["securitySchemes"])
    documented: Dict[str, Set[str]] = {}
    for path, operations in document["paths"].items():
        documented.setdefault(_shape(path), set()).update(method.upper() for method in operations)
    routed: Dict[str, Set[str]] = {}
    for rule, methods, _handler in V2_ROUTES:
        if rule == "/v2/openapi.json":
            continue
        assert rule.startswith("/v2/"), rule
        routed.setdefault(_shape(rule), set()).update(methods)
    assert routed == documented
    core = {"/v2/task", "/v2/tasks", "/v2/task/chat", "/v2/task/metadata", "/v2/annotation", "/v2/batch",
            "/v2/batches", "/v2/batch/finalize", "/v2/batch/pause", "/v2/batch/resume", "/v2/batch/cancel",
            "/v2/batch/metadata", "/v2/project", "/v2/projects"}
    assert core <= set(routed)
    expand = [p for p in document["paths"]["/v2/tasks"]["get"]["parameters"] if p["name"] == "expand"]
    assert expand[0]["explode"] is True and expand[0]["schema"]["items"]["enum"] == ["project", "batch"]


@pytest.mark.parametrize("limit", ["²", "٣", "9" * 5000, "+5", " 5", "5.0", "1e2"])
def test_odd_limits_are_400(live: Api, wire: V2Wire, limit: str) -> None:
    """Non-ASCII digits and over-long numbers are a 400, not a failure of the number parser."""
    v1_project(live, "p")
    for path in ("tasks", "batches"):
        v2_error_of(wire.get(path, {"project_name": "p", "limit": limit}), 400)


@pytest.mark.parametrize("method, path", [(op.method, op.path) for op in V2_OPERATIONS])
def test_every_operation_needs_credentials(emu: Emulator, method: str, path: str) -> None:
    """Every /v2 operation answers 401 in the v2 body without credentials."""
    response = requests.request(method.upper(), f"{emu.base}/v2{path}", json={}, timeout=10)
    v2_error_of(response, 401)


def test_a_host_ending_in_a_slash_still_reaches_v2(emu: Emulator) -> None:
    """The official client builds ``host + "/v2/..."``, so a host ending in ``/`` sends ``//v2/...``."""
    response = requests.get(f"{emu.base}//v2/projects", headers={"Authorization": f"Bearer {TEST_KEY}"},
                            timeout=10)
    assert response.status_code == 200 and response.json() == {"projects": []}
