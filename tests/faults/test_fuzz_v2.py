"""The emulator's /v2 surface under generated and malformed input: never a 5xx, errors always in the v2
body ``{"status_code": N, "error": "..."}``, and the server keeps serving.

Requests are generated per operation of ``/v2/openapi.json``: query values of the wrong type (list
parameters repeated), bodies shaped by the schema, random JSON, garbage bytes and invalid UTF-8 under
several content types, and Bearer, Basic, missing or garbage credentials. Targeted generators add
datetimes in every form and offset, integer extremes for ``limit``, and forged or foreign
``next_token`` values. ``SCALEAPI_FUZZ_EXAMPLES`` sets the examples per generator (default 60).
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from support.fuzzing import FUZZ_SETTINGS, JSON, unshaped_body

from scaleapi.emulator import Emulator
from scaleapi.emulator.http.routes_v2 import V2_OPERATIONS

KEY = "test_fuzzing_v2"
Target = Tuple[Emulator, requests.Session, Dict[str, Any], Dict[str, str]]


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    """An emulator with a project, a batch and tasks to hit, its spec, and the ids of what exists."""
    with Emulator() as emu:
        session = requests.Session()
        session.trust_env = False
        session.headers["Authorization"] = f"Bearer {KEY}"
        v2 = f"{emu.base}/v2"
        project = session.post(f"{emu.url}/projects", json={"type": "imageannotation", "name": "p"},
                               auth=(KEY, ""), timeout=10).json()
        batch = session.post(f"{v2}/batch", json={"name": "b", "project_name": "p"}, timeout=10).json()
        emu.seed_tasks(KEY, 5, project="p", batch="b")
        task = session.get(f"{v2}/tasks", params={"project_name": "p"}, timeout=10).json()["tasks"][0]
        known = {"project": project["id"], "batch": batch["id"], "task": task["task_id"],
                 "annotation": task["threads"][0]["turns"][0]["annotations"][0]["id"]}
        spec = session.get(f"{v2}/openapi.json", timeout=10).json()
        yield emu, session, spec, known
        session.close()


def _check(response: requests.Response, what: str) -> None:
    """Below 500, and an error is the v2 error body."""
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.text[:300]}"
    if response.status_code != 200:
        error = response.json()
        assert set(error) == {"status_code", "error"}, error
        assert isinstance(error["error"], str) and error["status_code"] == response.status_code


KNOWN = st.sampled_from(["project", "batch", "task", "annotation"])
QUERY_VALUES = st.one_of(
    st.text(max_size=30), KNOWN.map(lambda kind: f"@{kind}"),
    st.sampled_from(["p", "b", "project", "batch", "annotation_details", "completed", "0", "-1", "101",
                     "2021-13-45", "", "null", "2025-01-02T03:04:05.000000+0000",
                     "2025-01-02T03:04:05.000000"]),
)


def _resolve(value: Any, known: Dict[str, str]) -> Any:
    """``@task`` and friends stand for the id of an object that exists."""
    if isinstance(value, str) and value.startswith("@") and value[1:] in known:
        return known[value[1:]]
    if isinstance(value, dict):
        return {key: _resolve(item, known) for key, item in value.items()}
    return value


@st.composite
def bodies(draw: Any, schema: Any) -> Tuple[bytes, str]:
    """A body and its content type: schema-shaped (often with real ids), random JSON, or garbage."""
    kind = draw(st.sampled_from(["shaped", "shaped", "json", "bytes", "invalid-utf8", "none", "nested"]))
    content_type: str = draw(st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", ""]))
    if kind == "shaped" and isinstance(schema, dict):
        props = schema.get("properties", {})
        values = st.one_of(JSON, KNOWN.map(lambda k: f"@{k}"))
        doc = {name: draw(values) for name in props if draw(st.booleans())}
        return json.dumps(doc).encode(), content_type
    return unshaped_body(draw, kind), content_type


AUTH = st.sampled_from(["bearer", "bearer", "basic", "none", "empty-bearer", "garbage-basic", "other-scheme"])


def _authorization(auth: str) -> str:
    return {
        "bearer": f"Bearer {KEY}", "basic": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode(),
        "none": "", "empty-bearer": "Bearer ", "garbage-basic": "Basic !!!not-base64",
        "other-scheme": "Token x",
    }[auth]


OPERATIONS = [(op.method, op.path) for op in V2_OPERATIONS]


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in OPERATIONS])
def test_no_5xx_for_generated_requests(target: Target, method: str, path: str) -> None:
    """Generated queries, bodies and credentials for every /v2 operation."""
    emu, session, spec, known = target
    operation = spec["paths"]["/v2" + path][method]
    names = [p["name"] for p in operation["parameters"] if p["in"] == "query"] or ["x"]
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")

    @FUZZ_SETTINGS
    @given(
        query=st.lists(st.tuples(st.sampled_from(names), QUERY_VALUES), max_size=5),
        body=bodies(schema),
        auth=AUTH,
    )
    def check(query: List[Tuple[str, str]], body: Tuple[bytes, str], auth: str) -> None:
        payload, content_type = body
        if payload.startswith(b"{") and b"@" in payload:
            try:
                payload = json.dumps(_resolve(json.loads(payload), known)).encode()
            except ValueError:
                pass
        headers = {"Authorization": _authorization(auth)}
        if content_type:
            headers["Content-Type"] = content_type
        params = [(name, _resolve(value, known)) for name, value in query]
        response = session.request(method.upper(), f"{emu.base}/v2{path}", params=params, data=payload,
                                   headers=headers, timeout=30)
        _check(response, f"{method.upper()} {path} {params}")

    check()  # pylint: disable=no-value-for-parameter
    assert session.get(f"{emu.base}/_emulator/health", timeout=10).status_code == 200


def test_the_document_describes_every_operation(target: Target) -> None:
    """``/v2/openapi.json`` has exactly the operations of the route table."""
    _, _, spec, _ = target
    assert spec["openapi"].startswith("3.")
    assert sum(len(methods) for methods in spec["paths"].values()) == len(OPERATIONS) >= 14


_MOMENTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
_OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)


@st.composite
def times(draw: Any) -> str:
    """A query datetime in the forms the official client sends (and other ISO forms), any offset."""
    edges = st.sampled_from([datetime(1, 1, 2), datetime(9999, 12, 30), datetime(1970, 1, 1)])
    moment: datetime = draw(st.one_of(edges, _MOMENTS))
    form: str = draw(st.sampled_from(["client-aware", "client-naive", "iso", "date", "garbage-offset"]))
    if form == "client-aware":
        minutes = draw(_OFFSETS)
        aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
        return aware.strftime("%Y-%m-%dT%H:%M:%S.%f%z")
    if form == "client-naive":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    if form == "date":
        return moment.strftime("%Y-%m-%d")
    if form == "garbage-offset":
        bad: str = draw(st.sampled_from(["+99:99", "-24:00", "+2400", "Q", "+"]))
        return moment.isoformat() + bad
    zone: str = draw(st.sampled_from(["", "Z", "+05:30"]))
    return moment.isoformat() + zone


@FUZZ_SETTINGS
@given(stamp=times(), name=st.sampled_from(["completed_after", "completed_before", "created_after",
                                            "created_before"]),
       path=st.sampled_from(["tasks", "batches", "projects"]))
def test_time_filters_answer_200_or_400(target: Target, stamp: str, name: str, path: str) -> None:
    """Every datetime form: 200 or a 400, never a 5xx."""
    emu, session, _, _ = target
    response = session.get(f"{emu.base}/v2/{path}", params={"project_name": "p", name: stamp}, timeout=30)
    _check(response, f"{path} {name}={stamp}")
    assert response.status_code in (200, 400)


_BIG = [0, 1, -1, 100, 101, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63), 10**30, 2**1100]


@FUZZ_SETTINGS
@given(limit=st.one_of(st.sampled_from(_BIG), st.integers(min_value=-(2**80), max_value=2**80)),
       path=st.sampled_from(["tasks", "batches"]))
def test_limit_extremes(target: Target, limit: int, path: str) -> None:
    """``limit`` outside 1..100 is a 400; inside it pages."""
    emu, session, _, _ = target
    response = session.get(f"{emu.base}/v2/{path}", params={"project_name": "p", "limit": str(limit)},
                           timeout=30)
    _check(response, f"{path} limit={limit}")
    assert response.status_code == (200 if 1 <= limit <= 100 else 400)


TOKEN_PARTS = st.one_of(
    JSON.map(lambda value: json.dumps(value).encode()),
    st.tuples(st.sampled_from([1, 2, 0, "1"]), st.sampled_from(["tasks", "batches", "x"]),
              st.lists(st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=3)),
                       max_size=3),
              st.text(max_size=16)).map(lambda parts: json.dumps(list(parts)).encode()),
    st.binary(min_size=1, max_size=60),
)


@FUZZ_SETTINGS
@given(raw=TOKEN_PARTS, padded=st.booleans(), path=st.sampled_from(["tasks", "batches"]))
def test_forged_tokens_are_400(target: Target, raw: bytes, padded: bool, path: str) -> None:
    """A token the emulator did not issue for this query is a 400 (an empty one means the first page)."""
    emu, session, _, _ = target
    token = base64.urlsafe_b64encode(raw).decode()
    response = session.get(f"{emu.base}/v2/{path}",
                           params={"project_name": "p", "next_token": token if padded else token.rstrip("=")},
                           timeout=30)
    _check(response, f"{path} next_token={token}")
    assert response.status_code == 400


def test_a_real_token_on_another_list_is_400(target: Target) -> None:
    """A tasks token does not page batches, nor another filter's tasks."""
    emu, session, _, known = target
    token = session.get(f"{emu.base}/v2/tasks", params={"project_name": "p", "limit": "1"}, timeout=10).json()
    cases: List[Tuple[str, Dict[str, str]]] = [("batches", {"project_name": "p"}),
                                               ("tasks", {"batch_id": known["batch"]})]
    for path, params in cases:
        response = session.get(f"{emu.base}/v2/{path}", params={**params, "next_token": token["next_token"]},
                               timeout=10)
        _check(response, path)
        assert response.status_code == 400
