"""The emulator under generated and malformed input: no response is ever >= 500 and it keeps serving.

Requests are generated per operation of the emulator's own OpenAPI document (``/v1/openapi.json``):
path names with ``/``, ``..``, control characters and odd Unicode; query values of the wrong type;
bodies shaped by the schema, random JSON, garbage bytes and invalid UTF-8, under several content
types. On top of that, targeted generators for what broke before: time ranges at the edges of years
1 and 9999 with every UTC offset, integer extremes for ``limit``/``offset``, forged ``next_token``
values, raw-socket requests with chunked bodies and arbitrary header bytes, and the control API
(``/_emulator/...``) with garbage and huge numbers. ``SCALEAPI_FUZZ_EXAMPLES`` sets the examples
per operation and per targeted generator (default 60: a few thousand requests in all).
"""
import base64
import errno
import json
import socket
import urllib.parse
from datetime import datetime
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fuzzing import EXAMPLES, FUZZ_SETTINGS, JSON, unshaped_body

from scaleapi.emulator import Emulator
from scaleapi.emulator.http.faults import ACTIONS as FAULT_ACTIONS
from scaleapi.emulator.http.openapi import OPERATIONS

KEY = "test_fuzzing"
SENT: Dict[str, int] = {"requests": 0, "5xx": 0}
# A raw-socket answer must come within this (the server's idle timeout is 120 s).
ANSWER_WITHIN = 15.0


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[Tuple[Emulator, requests.Session, Dict[str, Any]]]:
    with Emulator() as emu:
        session = requests.Session()
        session.auth = (KEY, "")
        spec = session.get(f"{emu.url}/openapi.json", timeout=10).json()
        _seed(session, emu.url)
        emu.seed_tasks(KEY, 5, project="p")
        yield emu, session, spec
        session.close()


def _seed(session: requests.Session, url: str) -> None:
    """A few real objects, so generated names sometimes hit something that exists."""
    session.post(f"{url}/projects", json={"type": "imageannotation", "name": "p"}, timeout=10)
    session.post(f"{url}/batches", json={"project": "p", "name": "b"}, timeout=10)


def _operations() -> List[Tuple[str, str]]:
    return [(operation[0], operation[1]) for operation in OPERATIONS]


NAMES = st.one_of(
    st.sampled_from(["p", "b", "imageannotation", "textcollection", "0" * 24, "..", ".", "a/b", "../../etc"]),
    st.text(min_size=0, max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5),
    st.text(min_size=200, max_size=400),
)
QUERY_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["True", "false", "0", "-1", "101", "1e9", "2021-13-45", "", "null"]),
)


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
        _check(resp, f"{method.upper()} {url}")

    check()  # pylint: disable=no-value-for-parameter
    assert session.get(f"{emu.base}/_emulator/health", timeout=10).status_code == 200


def _check(resp: requests.Response, what: str) -> None:
    """Count one answer; it must be below 500 and, when an error, in the JSON error shape."""
    _count(resp.status_code)
    assert resp.status_code < 500, f"{what} -> {resp.status_code}: {resp.text[:300]}"
    if resp.status_code != 200:
        error = resp.json()
        assert isinstance(error.get("error"), str) and error.get("status_code") == resp.status_code


def _count(status: int) -> None:
    SENT["requests"] += 1
    if status >= 500:
        SENT["5xx"] += 1


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


# Targeted generators ---------------------------------------------------------------------------

_OFFSETS = st.builds(
    lambda minutes: f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
_MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999))
_EDGES = st.sampled_from([datetime(1, 1, 1), datetime(1, 1, 1, 23, 59), datetime(9999, 12, 31),
                          datetime(9999, 12, 31, 23, 59, 59, 999999), datetime(1970, 1, 1)])


@st.composite
def times(draw: Any) -> str:
    """A time filter: any moment of years 1-9999 in any format the emulator reads, any offset."""
    moment = draw(st.one_of(_EDGES, _MOMENTS))
    text: str = draw(st.sampled_from([
        moment.strftime("%Y-%m-%d"), moment.isoformat(), moment.isoformat(sep=" "),
        moment.strftime("%Y-%m-%dT%H:%M"), moment.isoformat(timespec="milliseconds"),
    ]))
    zone: str = draw(
        st.one_of(_OFFSETS, st.sampled_from(["", "Z", "+99:99", "-24:00", "+0530", "+05:00", "-05:00"]))
    )
    return text + zone if "T" in text or " " in text else text


TIME_QUERY = st.dictionaries(
    st.sampled_from(["start_time", "end_time", "updated_after", "updated_before", "completed_after",
                     "completed_before"]),
    st.one_of(times(), QUERY_VALUES), min_size=1, max_size=3,
)
_BIG = [0, 1, -1, 100, 101, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), -(2**63) - 1,
        10**30, 2**1100]
INTEGERS = st.one_of(st.sampled_from(_BIG), st.integers(min_value=-(2**80), max_value=2**80))
INTEGER_TEXT = st.one_of(
    INTEGERS.map(str), st.sampled_from(["+5", " 5 ", "1_000", "1e3", "0x10", "\u0661", "9" * 5000, "-0", ""]),
)


def _token(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _real_token(session: requests.Session, url: str) -> str:
    return str(session.get(f"{url}/tasks", params={"limit": 1}, timeout=10).json()["next_token"])


TOKEN_NUMBERS = st.one_of(
    INTEGERS, st.floats(allow_nan=False, allow_infinity=False), st.none(), st.text(max_size=5)
)


@pytest.mark.parametrize("path", ["/tasks", "/batches"])
def test_time_ranges_and_integer_extremes(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], path: str
) -> None:
    emu, session, _ = fuzz_target

    @FUZZ_SETTINGS
    @given(times_=TIME_QUERY, ints=st.one_of(
        st.just({}), st.dictionaries(st.sampled_from(["limit", "offset"]), INTEGER_TEXT, max_size=2)
    ))
    def check(times_: Dict[str, str], ints: Dict[str, str]) -> None:
        query = {**times_, **ints}
        resp = session.get(f"{emu.url}{path}", params=query, timeout=30)
        _check(resp, f"GET {path} {query}")

    check()  # pylint: disable=no-value-for-parameter


def test_forged_page_tokens(fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]]) -> None:
    emu, session, _ = fuzz_target
    real = _real_token(session, emu.url)
    fields = json.loads(base64.urlsafe_b64decode(real + "=="))

    @FUZZ_SETTINGS
    @given(
        kind=st.sampled_from(["mutated", "mutated", "mutated", "random-list", "text", "bytes"]),
        index=st.sampled_from([1, 2, 1, 2, 3, 4, 0, 5]), value=st.one_of(INTEGERS, TOKEN_NUMBERS, JSON),
        values=st.lists(st.one_of(TOKEN_NUMBERS, JSON), max_size=8), text=st.text(max_size=80),
        raw=st.binary(max_size=80),
    )
    def check(kind: str, index: int, value: Any, values: List[Any], text: str, raw: bytes) -> None:
        if kind == "mutated":  # a real token with one field replaced: the fingerprint still matches
            forged = list(fields)
            forged[index] = value
            token = _token(forged)
        elif kind == "random-list":
            token = _token(values)
        elif kind == "text":
            token = text
        else:
            token = base64.urlsafe_b64encode(raw).decode()
        query: Dict[str, Any] = {"limit": 1, "next_token": token}
        resp = session.get(f"{emu.url}/tasks", params=query, timeout=30)
        _check(resp, f"GET /tasks next_token={token[:80]!r}")

    check()  # pylint: disable=no-value-for-parameter


def _raw_exchange(emu: Emulator, data: bytes) -> bytes:
    """Send ``data``, end the sending side and read until the server closes: no answer may hang.

    A server that refuses an oversized head (414/431) answers and closes while the rest is still
    being sent; the send then fails, and the kernel may discard the answer on the reset.
    """
    with socket.create_connection(("127.0.0.1", emu.port), timeout=ANSWER_WITHIN) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-send (see above): read what was answered
        except OSError as err:
            if err.errno != errno.ENOTCONN:  # shutdown() after the server had closed
                raise
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk


def _final_status(received: bytes) -> int:
    """The status of the final response (after any ``100 Continue``); one answer there must be."""
    while received.startswith(b"HTTP/1.1 100 "):
        received = received.partition(b"\r\n\r\n")[2]
    assert received.startswith(b"HTTP/1.1 "), received[:200]
    status = int(received[9:12])
    _count(status)
    head, _, body = received.partition(b"\r\n\r\n")
    if status >= 400 and body:
        assert b"content-type: application/json" in head.lower(), head
        assert json.loads(body[: int(_header(head, b"content-length") or len(body))])["status_code"] == status
    return status


def _header(head: bytes, name: bytes) -> Optional[bytes]:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


AUTH_OK = b"Basic " + base64.b64encode(KEY.encode() + b":")
RAW_TARGETS = st.sampled_from([
    (b"POST", b"/v1/batches"), (b"POST", b"/v1/task/imageannotation"), (b"POST", b"/v1/projects"),
    (b"GET", b"/v1/tasks"), (b"POST", b"/v1/files/import"), (b"POST", b"/v1/files/upload"),
    (b"POST", b"/_emulator/lifecycle"), (b"POST", b"/_emulator/faults"), (b"PUT", b"/v1/task/x/tags"),
    (b"GET", b"/v1/openapi.json"),
])


@st.composite
def chunked(draw: Any) -> bytes:
    """A chunked body: well-formed, or with sizes that lie, bad hex, missing CRLFs, cut short."""
    pieces = draw(st.lists(st.binary(min_size=0, max_size=40), max_size=4))
    out = b""
    for piece in pieces:
        size = draw(st.sampled_from(["true", "true", "short", "long", "garbage", "negative", "ext"]))
        length = {"short": max(len(piece) - 1, 0), "long": len(piece) + 3}.get(size, len(piece))
        head = {"garbage": draw(st.binary(max_size=6)), "negative": b"-%x" % length,
                "ext": b"%x;name=value" % length}.get(size, b"%x" % length)
        out += (
            head
            + draw(st.sampled_from([b"\r\n", b"\n", b""]))
            + piece
            + draw(st.sampled_from([b"\r\n", b""]))
        )
    end: bytes = draw(st.sampled_from([b"0\r\n\r\n", b"0\r\n", b"", b"0\r\nTrailer: x\r\n\r\n"]))
    return out + end


def test_chunked_bodies_over_raw_sockets(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
) -> None:
    emu, _, _ = fuzz_target

    @FUZZ_SETTINGS
    @given(
        target=RAW_TARGETS,
        body=chunked(),
        expect=st.booleans(),
        content_type=st.sampled_from(
            [b"application/json", b"multipart/form-data; boundary=x", b"text/plain"]
        ),
    )
    def check(target: Tuple[bytes, bytes], body: bytes, expect: bool, content_type: bytes) -> None:
        method, path = target
        head = (method + b" " + path + b" HTTP/1.1\r\nHost: emulator\r\nAuthorization: " + AUTH_OK
                + b"\r\nContent-Type: " + content_type + b"\r\nTransfer-Encoding: chunked\r\n"
                + (b"Expect: 100-continue\r\n" if expect else b"") + b"\r\n")
        received = _raw_exchange(emu, head + body)
        assert _final_status(received) < 500, (head + body)[:300]
        assert received.count(b" 100 Continue") <= 1

    check()  # pylint: disable=no-value-for-parameter


HEADER_NAMES = st.one_of(
    st.sampled_from([b"Authorization", b"Content-Type", b"Content-Length", b"Transfer-Encoding", b"Expect",
                     b"Host", b"Connection", b"Accept", b"Accept-Encoding", b"Cookie", b"X-Request-Id"]),
    st.binary(min_size=1, max_size=20).filter(lambda name: not set(name) & set(b":\r\n \t")),
)
HEADER_VALUES = st.one_of(
    st.binary(max_size=60).map(lambda value: value.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from(
        [
            AUTH_OK,
            b"Basic " + base64.b64encode("t\u00e9st_\u200b:".encode()),
            b"Basic \xff\xfe",
            b"100-continue",
            b"chunked",
            b"-1",
            b"99999999999999999999",
            b"application/json; charset=\xff",
            b"a" * 70_000,
        ]
    ),
)


def test_header_bytes_over_raw_sockets(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
) -> None:
    emu, _, _ = fuzz_target

    @FUZZ_SETTINGS
    @given(target=RAW_TARGETS, headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=6),
           body=st.one_of(st.just(b'{"project": "p", "name": "h"}'), st.binary(max_size=40)),
           with_auth=st.booleans())
    def check(
        target: Tuple[bytes, bytes], headers: List[Tuple[bytes, bytes]], body: bytes, with_auth: bool
    ) -> None:
        method, path = target
        lines = [b"Host: emulator"] + ([b"Authorization: " + AUTH_OK] if with_auth else [])
        lines += [name + b": " + value for name, value in headers]
        if not any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in headers):
            lines.append(b"Content-Length: %d" % len(body))
        request = method + b" " + path + b" HTTP/1.1\r\n" + b"\r\n".join(lines) + b"\r\n\r\n" + body
        received = _raw_exchange(emu, request)
        if not received and len(request) > 65_536:
            _count(431)  # refused while still being sent: its answer was lost in the reset
            return
        assert _final_status(received) < 500, request[:300]

    check()  # pylint: disable=no-value-for-parameter


TARGETS = (
    st.one_of(
        st.tuples(
            st.sampled_from([b"/v1/", b"/", b"http://", b"http://[", b"//", b"/_emulator/", b"*", b""]),
            st.binary(max_size=40),
        ),
        st.tuples(
            st.sampled_from([b"/v1/tasks?", b"/v1/batches/", b"/v1/task/", b"http://127.0.0.1/v1/"]),
            st.text(max_size=20).map(lambda text: text.encode("utf-8")),
        ),
    )
    .map(lambda parts: (parts[0] + parts[1]).translate(None, b" \r\n"))
    .filter(bool)
)  # "GET  HTTP/1.1" is HTTP/0.9


def test_request_targets_over_raw_sockets(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]],
) -> None:
    emu, _, _ = fuzz_target

    @FUZZ_SETTINGS
    @given(target=TARGETS, method=st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS"]))
    def check(target: bytes, method: bytes) -> None:
        request = (method + b" " + target + b" HTTP/1.1\r\nHost: emulator\r\nAuthorization: " + AUTH_OK
                   + b"\r\nContent-Length: 0\r\n\r\n")
        assert _final_status(_raw_exchange(emu, request)) < 500, request[:300]

    check()  # pylint: disable=no-value-for-parameter


CONTROL_FIELDS = st.sampled_from([
    "complete_after", "response", "error", "action", "status", "delay_ms", "count", "probability", "seed",
    "path", "method", "retry_after", "body", "content_type", "api_key", "account", "id", "fired",
])
CONTROL_VALUES = st.one_of(
    st.sampled_from(
        _BIG + ["status", "delay", "error_after", "drop_before", "*", "/v1/*", 1e308, -1e308, 0.5]
    ),
    INTEGERS,
    JSON,
)


@pytest.mark.parametrize("route", ["lifecycle", "faults", "tasks/{id}/complete", "tasks/{id}/fail"])
def test_control_api(fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], route: str) -> None:
    emu, session, _ = fuzz_target
    control = requests.Session()
    control.trust_env = False
    task_ids = [
        doc["task_id"]
        for doc in session.get(f"{emu.url}/tasks", params={"limit": 2}, timeout=10).json()["docs"]
    ]

    @settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 2, 1))
    @given(
        method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
        task=st.one_of(st.sampled_from(task_ids), NAMES),
        body=st.dictionaries(CONTROL_FIELDS, CONTROL_VALUES, max_size=5),
        main=st.tuples(CONTROL_FIELDS, CONTROL_VALUES),
        action=st.one_of(st.none(), st.sampled_from(FAULT_ACTIONS)),
        as_list=st.booleans(),
        garbage=st.one_of(st.none(), st.none(), st.binary(max_size=30)),
    )
    def check(  # pylint: disable=too-many-arguments
        method: str,
        task: str,
        body: Dict[str, Any],
        main: Tuple[str, Any],
        action: Optional[str],
        as_list: bool,
        garbage: Optional[bytes],
    ) -> None:
        # The field the route reads gets a generated value; a fault rule also gets a valid action
        # now and then, so that its other fields are checked too.
        field = {"lifecycle": "complete_after", "tasks/{id}/complete": "response", "tasks/{id}/fail": "error"}
        body[field.get(route, main[0])] = main[1]
        if action is not None:
            body.setdefault("action", action)
        path = route.replace("{id}", urllib.parse.quote(task, safe=""))
        payload = garbage if garbage is not None else json.dumps([body] if as_list else body).encode()
        try:
            resp = control.request(method, f"{emu.base}/_emulator/{path}", data=payload,
                                   headers={"Content-Type": "application/json"}, timeout=30)
            _check(resp, f"{method} /_emulator/{path} {payload[:200]!r}")
            if route == "faults" and method == "POST" and resp.status_code == 200:
                _probe_with(emu, control, resp.json()["faults"])
        finally:
            control.delete(f"{emu.base}/_emulator/faults", timeout=10)
            control.post(f"{emu.base}/_emulator/lifecycle", json={"complete_after": None}, timeout=10)

    check()  # pylint: disable=no-value-for-parameter
    control.close()


def _probe_with(emu: Emulator, control: requests.Session, rules: List[Dict[str, Any]]) -> None:
    """A v1 request while the accepted rules are active: whatever they inject (a 5xx on purpose
    included, so the probe is not counted), the emulator itself must not fail."""
    if any(rule["action"] == "delay" and rule["delay_ms"] > 1000 for rule in rules):
        return  # a valid, long delay: it would only make the probe wait
    try:
        resp = control.get(f"{emu.url}/projects", auth=(KEY, ""), timeout=30)
    except requests.RequestException:
        return  # drop_* and truncate rules cut the connection on purpose
    assert "Internal emulator error" not in resp.text, (rules, resp.status_code, resp.text[:300])


def test_report_counts() -> None:
    """Runs last in this module: the totals quoted in docs/reliability.md."""
    print(f"\nfuzz: {SENT['requests']} requests, {SENT['5xx']} responses >= 500")
    assert SENT["5xx"] == 0
