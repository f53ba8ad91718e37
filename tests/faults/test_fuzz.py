"""The emulator under requests generated from its OpenAPI document, and fixed hostile inputs.

Requests are generated per operation of the emulator's own OpenAPI document (``/v1/openapi.json``):
path names with ``/``, ``..``, control characters and odd Unicode; query values of the wrong type;
bodies shaped by the schema, random JSON, garbage bytes and invalid UTF-8, under several content
types; no response is ever >= 500 and the emulator keeps serving. The targeted generators are in
test_fuzz_queries.py, test_fuzz_wire.py (raw sockets) and test_fuzz_control.py (the control API);
support.fuzz_v1 holds what they share. ``SCALEAPI_FUZZ_EXAMPLES`` sets the examples per operation
and per targeted generator (default 60: a few thousand requests in all).
"""
import json
import urllib.parse
from typing import Any, Dict, List, Tuple

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz_v1 import NAMES, QUERY_VALUES, check_answer
from support.fuzzing import FUZZ_SETTINGS, JSON, unshaped_body

from scaleapi.emulator import Emulator
from scaleapi.emulator.http.openapi import OPERATIONS


def _operations() -> List[Tuple[str, str]]:
    return [(operation[0], operation[1]) for operation in OPERATIONS]


@st.composite
def bodies(draw: Any, schema: Any) -> Tuple[bytes, str]:
    """A body and its content type: schema-shaped, random JSON, or garbage."""
    kind = draw(st.sampled_from(["shaped", "json", "bytes", "invalid-utf8", "none", "nested"]))
    content_type = draw(st.sampled_from(
        ["application/json", "application/json; charset=utf-8", "text/plain", "multipart/form-data", ""]
    ))
    if kind == "shaped" and isinstance(schema, dict) and schema.get("type") == "object":
        props = schema.get("properties", {})
        doc = {name: draw(JSON) for name in props if draw(st.booleans())}
        doc.update(draw(st.dictionaries(st.text(max_size=10), JSON, max_size=2)))
        return json.dumps(doc).encode(), content_type
    return unshaped_body(draw, kind), content_type


def _url(base: str, path: str, names: List[str], raw: bool) -> str:
    out = path
    for name in names:
        start = out.index("{")
        end = out.index("}", start)
        value = name if raw else urllib.parse.quote(name, safe="")
        out = out[:start] + value + out[end + 1:]
    return base + out


@pytest.mark.parametrize("method, path", _operations(), ids=[f"{m.upper()} {p}" for m, p in _operations()])
def test_no_5xx_for_generated_requests(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], method: str, path: str
) -> None:
    emu, session, spec = fuzz_target
    operation = spec["paths"][path][method]
    query_names = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
    n_names = path.count("{")
    schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )

    @FUZZ_SETTINGS
    @given(
        names=st.lists(NAMES, min_size=n_names, max_size=n_names),
        raw=st.booleans(),
        query=st.dictionaries(st.sampled_from(query_names or ["x"]), QUERY_VALUES, max_size=4),
        body=bodies(schema),
        auth=st.sampled_from(["ok", "ok", "ok", "none", "garbage"]),
    )
    def check(names: List[str], raw: bool, query: Dict[str, str], body: Tuple[bytes, str], auth: str) -> None:
        url = _url(emu.url, path, names, raw and all(_printable(n) for n in names))
        payload, content_type = body
        headers = {"Content-Type": content_type} if content_type else {}
        if auth == "none":
            headers["Authorization"] = ""
        elif auth == "garbage":
            headers["Authorization"] = "Basic !!!not-base64"
        resp = session.request(method.upper(), url, params=query, data=payload, headers=headers, timeout=30)
        check_answer(resp, f"{method.upper()} {url}")

    check()  # pylint: disable=no-value-for-parameter
    assert session.get(f"{emu.base}/_emulator/health", timeout=10).status_code == 200


def _printable(name: str) -> bool:
    return all(32 < ord(ch) < 127 and ch not in "?#%" for ch in name)


def test_the_document_describes_every_route(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
) -> None:
    _, _, spec = fuzz_target
    assert spec["openapi"].startswith("3.")
    operations = sum(len(methods) for methods in spec["paths"].values())
    assert operations == len(_operations()) >= 39


@pytest.mark.parametrize(
    "body, content_type, expected",
    [
        (b"{" * 100_000, "application/json", 400),  # deep nesting must not reach the recursion limit
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"a": "\xff"}', "application/json", 400),
        (b"not json at all", "application/json", 400),
        (b'{"project": "p", "name": "x"}', "text/plain", None),  # lenient or 4xx, never 5xx
        (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x", None),
    ],
)
def test_hostile_bodies(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
    body: bytes,
    content_type: str,
    expected: Any,
) -> None:
    emu, session, _ = fuzz_target
    resp = session.post(f"{emu.url}/batches", data=body, headers={"Content-Type": content_type}, timeout=30)
    assert resp.status_code < 500
    if expected is not None:
        assert resp.status_code == expected


def test_a_huge_body_is_refused_with_413(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
) -> None:
    emu, session, _ = fuzz_target
    huge = b'{"project": "p", "name": "' + b"x" * (emu.max_body_bytes + 10) + b'"}'
    resp = session.post(
        f"{emu.url}/batches", data=huge, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert resp.status_code == 413


@pytest.mark.parametrize("name", ["a/b", "..", "../x", "with\x01control", "dots..and//slashes", "ü-ñ-名前"])
def test_odd_names_round_trip_or_fail_cleanly(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], name: str
) -> None:
    emu, session, _ = fuzz_target
    created = session.post(f"{emu.url}/batches", json={"project": "p", "name": name}, timeout=10)
    assert created.status_code in (200, 400, 409)
    fetched = session.get(f"{emu.url}/batches/{urllib.parse.quote(name, safe='')}", timeout=10)
    if created.status_code == 200:
        assert fetched.status_code == 200 and fetched.json()["name"] == name
    else:
        assert fetched.status_code < 500
