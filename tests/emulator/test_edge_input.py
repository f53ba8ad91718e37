"""Edge input over real HTTP: every malformed, huge or out-of-range request gets a prompt 4xx in the
JSON error shape, never a 500 or a hang.

Raw sockets are used where a client library would refuse to send the request (broken chunked
bodies, raw header bytes, oversized request lines) or would hide what came back (interim
``100 Continue`` responses). Every socket has a timeout: "no hang" means an answer within it.
"""
from __future__ import annotations

import base64
import json
import socket
from typing import Any, Dict, List, Tuple

import pytest

from support.emulator import IMAGE_TASK, TEST_KEY, Api, error_of

from scaleapi.emulator import Emulator
from scaleapi.emulator.rules.control import MAX_LOGGED_BYTES, RequestLog, entry_size
from scaleapi.emulator.rules.task_list import MAX_TAG_FILTERS
from scaleapi.emulator.rules.validation import MAX_KEY_LENGTH, METADATA_MAX_BYTES

# Long enough for a loaded CI machine, far shorter than the server's 120 s idle timeout.
ANSWER_WITHIN = 10.0
AUTH = b"Authorization: Basic " + base64.b64encode(TEST_KEY.encode() + b":") + b"\r\n"


def _exchange(emu: Emulator, data: bytes, until_close: bool = True, half_close: bool = False) -> bytes:
    """Send ``data`` on a fresh connection (then end the sending side, with ``half_close``); read
    until the server closes it (or one response)."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=ANSWER_WITHIN) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            chunk = sock.recv(65536)  # raises socket.timeout if the server hangs
            if not chunk:
                return received
            received += chunk
            if not until_close and _complete(received):
                return received


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def _parse(response: bytes) -> Tuple[int, Dict[str, str], Any]:
    """(status, headers in lower case, JSON body) of one raw response."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(body)))
    return status, headers, json.loads(body[:length])


def _assert_error(response: bytes, status: int) -> Dict[str, str]:
    code, headers, body = _parse(response)
    assert code == status, response[:300]
    assert headers["content-type"] == "application/json"
    assert body["status_code"] == status and isinstance(body["error"], str) and body["error"]
    return headers


# Chunked bodies, framing, interim responses ------------------------------------------------------

@pytest.mark.parametrize("chunks", [
    b"zz\r\nabc\r\n",                    # not a hex chunk size
    b"5\r\nabcdefgh\r\n0\r\n\r\n",       # chunk longer than its size
    b"-5\r\n{}\r\n0\r\n\r\n",            # negative size
    b"2\r\n{}\r\nxyz\r\n",               # garbage after a good chunk
])
def test_malformed_chunked_body_gets_a_prompt_400_and_the_connection_closed(
    emu: Emulator, chunks: bytes
) -> None:
    request = (
        b"POST /v1/batches HTTP/1.1\r\nHost: emulator\r\n" + AUTH
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    )
    response = _exchange(emu, request)  # returns only once the server has closed the connection
    headers = _assert_error(response, 400)
    assert headers["connection"] == "close"
    assert b"Traceback" not in response
    assert emu.health()["status"] == "ok"


def test_well_formed_chunked_body_is_read_and_the_connection_kept(emu: Emulator, api: Api) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "p"})
    body = b'{"project": "p", "name": "chunky"}'
    request = (
        b"POST /v1/batches HTTP/1.1\r\nHost: emulator\r\n" + AUTH
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        + b"GET /v1/batches/chunky HTTP/1.1\r\nHost: emulator\r\n" + AUTH + b"Connection: close\r\n\r\n"
    )
    response = _exchange(emu, request)
    first, second = response.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200") and second.startswith(b"200")
    assert b'"name":"chunky"' in second


@pytest.mark.parametrize("lengths", [[b"2", b"3"], [b"abc"], [b"-1"], [b"1e3"]])
def test_unusable_content_length_is_400(emu: Emulator, lengths: List[bytes]) -> None:
    headers = b"".join(b"Content-Length: " + value + b"\r\n" for value in lengths)
    response = _exchange(emu, b"POST /v1/batches HTTP/1.1\r\nHost: e\r\n" + AUTH + headers + b"\r\n{}")
    assert "close" in _assert_error(response, 400)["connection"]


def test_expect_100_continue_gets_exactly_one_interim_response(emu: Emulator) -> None:
    body = b'{"type": "imageannotation", "name": "p100"}'
    with socket.create_connection(("127.0.0.1", emu.port), timeout=ANSWER_WITHIN) as sock:
        sock.sendall(
            b"POST /v1/projects HTTP/1.1\r\nHost: e\r\n" + AUTH + b"Expect: 100-continue\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        sock.sendall(body)
        sock.sendall(b"GET /v1/projects/p100 HTTP/1.1\r\nHost: e\r\n" + AUTH + b"Connection: close\r\n\r\n")
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 ")
    assert received.count(b" 100 Continue") == 1
    assert received.count(b"HTTP/1.1 ") == 3  # the 100, the create's answer, the GET's answer


# The HTTP layer's own errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /v1/tasks?x=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: e\r\n\r\n", 414),
        (b"GET /v1/tasks HTTP/1.1\r\nHost: e\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (
            b"GET /v1/tasks HTTP/1.1\r\nHost: e\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(120))
            + b"\r\n",
            431,
        ),
        (b"GET /v1/tasks HTTP/1.1 extra words\r\n\r\n", 400),
        (b"GET http://[::1/v1/tasks HTTP/1.1\r\nHost: e\r\n\r\n", 400),  # dropped with a traceback before
    ],
)
def test_http_layer_errors_use_the_json_error_shape(emu: Emulator, request_bytes: bytes, status: int) -> None:
    headers = _assert_error(_exchange(emu, request_bytes), status)
    assert headers["connection"] == "close"


@pytest.mark.parametrize("credentials", [
    b"Basic \xc3\xa9\xff\xfe",                              # raw non-ASCII bytes
    b"Basic " + base64.b64encode(b"\xff\xfe:"),             # base64 of bytes that are not UTF-8
    b"Basic dGVzdF94\xe2\x80\x8b",                          # a pasted zero-width space
])
def test_non_ascii_authorization_is_401(emu: Emulator, credentials: bytes) -> None:
    response = _exchange(
        emu, b"GET /v1/projects HTTP/1.1\r\nHost: e\r\nAuthorization: " + credentials + b"\r\n\r\n",
        until_close=False,
    )
    headers = _assert_error(response, 401)
    assert headers["www-authenticate"].startswith("Basic")


# Query parameters, tokens ----------------------------------------------------------------------

TASK_TIME_PARAMS = ("start_time", "end_time", "updated_after", "updated_before", "completed_after",
                    "completed_before")
EDGE_TIMES = ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59.999-23:59",
              "2021-01-01T00:00:00+24:00", "0000-01-01")


@pytest.mark.parametrize("value", EDGE_TIMES)
@pytest.mark.parametrize("name", TASK_TIME_PARAMS)
def test_out_of_range_task_time_filters_are_400_naming_the_parameter(api: Api, name: str, value: str) -> None:
    assert f'"{name}"' in error_of(api.get("tasks", params={name: value}), 400)


@pytest.mark.parametrize("value", EDGE_TIMES)
@pytest.mark.parametrize("name", ("start_time", "end_time"))
def test_out_of_range_batch_time_filters_are_400_naming_the_parameter(
    api: Api, name: str, value: str
) -> None:
    assert f'"{name}"' in error_of(api.get("batches", params={name: value}), 400)


def test_times_at_the_edges_of_the_range_still_work(api: Api) -> None:
    page = api.ok("GET", "tasks", params={"start_time": "0001-01-01T05:00:00+05:00",
                                          "end_time": "9999-12-31T18:59:59-05:00"})
    assert page["docs"] == []


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 40, "1_000", "\u0661"])
def test_offset_beyond_sqlite_integers_is_400_naming_offset(api: Api, value: str) -> None:
    assert '"offset"' in error_of(api.get("batches", params={"offset": value}), 400)


def test_largest_offset_is_an_empty_page(api: Api) -> None:
    page = api.ok("GET", "batches", params={"offset": str(2**63 - 1)})
    assert page["docs"] == [] and page["has_more"] is False


def _token(values: List[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_forged_next_tokens_are_400_naming_next_token(emu: Emulator, api: Api) -> None:
    emu.seed_tasks(TEST_KEY, 3)
    real = api.ok("GET", "tasks", params={"limit": 1})["next_token"]
    version, created, seq, offset, total, mark = json.loads(base64.urlsafe_b64decode(real + "=="))
    forged = [
        [version, 2**63, seq, offset, total, mark],          # created_ms past SQLite's INTEGER
        [version, created, 2**70, offset, total, mark],
        [version, created, seq, 2**64, 2**64, mark],
        [version, created, seq, -1, total, mark],
        [version, 1.5, seq, offset, total, mark],
    ]
    tokens = [_token(values) for values in forged] + [
        base64.urlsafe_b64encode(b"[" * 40_000).decode(),    # nested past the recursion limit
        "\u00e9\u00e9", "%%%", "a",
    ]
    for token in tokens:
        assert '"next_token"' in error_of(api.get("tasks", params={"limit": 1, "next_token": token}), 400)
    assert api.ok("GET", "tasks", params={"limit": 1, "next_token": real})["offset"] == 1


def test_too_many_tag_filters_is_400_naming_tags(api: Api) -> None:
    many = [("tags", f"t{index}") for index in range(MAX_TAG_FILTERS + 1)]
    assert '"tags"' in error_of(api.get("tasks", params=many), 400)
    assert api.ok("GET", "tasks", params=many[:MAX_TAG_FILTERS])["docs"] == []
    # Repeating one tag is still one filter.
    assert api.ok("GET", "tasks", params=[("tags", "t")] * 3000)["docs"] == []


# Bodies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://[::1", "http://[::1/x", "https://[fe80::1%25/", "http://]/"])
def test_files_import_with_a_bad_url_is_400_naming_file_url(api: Api, url: str) -> None:
    assert '"file_url"' in error_of(api.post("files/import", json={"file_url": url}), 400)


@pytest.mark.parametrize("text", [
    b'{"project": "p", "name": "\\ud800"}',            # lone surrogates cannot be stored or sent back
    b'{"project": "p", "name": "ok", "metadata": {"\\udfff": 1}}',
    b'{"project": "p", "name": "ok", "metadata": {"n": 1e400}}',  # overflows to Infinity
    b'{"project": "p", "name": "ok", "metadata": {"n": -1e999}}',
])
def test_json_that_cannot_round_trip_is_400(api: Api, text: bytes) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "p"})
    error_of(api.post("batches", data=text, headers={"Content-Type": "application/json"}), 400)


def test_lone_surrogates_in_task_fields_are_400(api: Api) -> None:
    for field in ('"unique_id": "\\ud83d"', '"tags": ["\\udc00"]', '"instruction": "a\\ud800b"'):
        body = '{"attachment": "https://example.com/a.png", "geometries": {"box": {}}, ' + field + "}"
        response = api.post("task/imageannotation", data=body, headers={"Content-Type": "application/json"})
        error_of(response, 400)
    # A surrogate pair is one ordinary character.
    body = '{"attachment": "https://example.com/a.png", "geometries": {}, "unique_id": "\\ud83d\\ude00"}'
    created = api.post("task/imageannotation", data=body, headers={"Content-Type": "application/json"})
    assert created.status_code == 200 and created.json()["unique_id"] == "\U0001F600"


def test_unique_id_longer_than_the_limit_is_refused_at_create(api: Api) -> None:
    too_long = "u" * (MAX_KEY_LENGTH + 1)
    message = error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "unique_id": too_long}), 400)
    assert '"unique_id"' in message and str(MAX_KEY_LENGTH) in message
    assert api.ok("GET", "tasks", params={"unique_id": too_long})["docs"] == []
    task = api.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    error_of(api.post(f"task/{task['task_id']}/unique_id", json={"unique_id": too_long}), 400)


def test_the_longest_unique_id_can_be_looked_up(api: Api) -> None:
    longest = "\U0001D11E" * MAX_KEY_LENGTH  # 4 UTF-8 bytes each: 12 bytes once percent-encoded
    created = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "unique_id": longest})
    found = api.ok("GET", "tasks", params={"unique_id": longest})["docs"]
    assert [doc["task_id"] for doc in found] == [created["task_id"]]


def test_names_longer_than_the_limit_are_refused(api: Api) -> None:
    too_long = "n" * (MAX_KEY_LENGTH + 1)
    assert '"name"' in error_of(api.post("projects", json={"type": "imageannotation", "name": too_long}), 400)
    longest = "\u540d" * MAX_KEY_LENGTH
    api.ok("POST", "projects", json={"type": "imageannotation", "name": longest})
    assert api.ok("GET", f"projects/{longest}")["name"] == longest


def test_metadata_limit_counts_utf8_bytes(api: Api) -> None:
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    exactly = {"k": "\u00e9" * ((METADATA_MAX_BYTES - overhead) // 2)}  # 2 UTF-8 bytes each
    assert len(json.dumps(exactly, ensure_ascii=False, separators=(",", ":")).encode()) == METADATA_MAX_BYTES
    created = api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "metadata": exactly})
    assert created["metadata"] == exactly
    over = {"k": exactly["k"] + "a"}
    message = error_of(api.post("task/imageannotation", json={**IMAGE_TASK, "metadata": over}), 400)
    assert f"got {METADATA_MAX_BYTES + 1} bytes" in message


# The control API -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [b'{"complete_after": ' + str(2**1100).encode() + b"}",
                                  b'{"complete_after": 1e308}', b'{"complete_after": "10"}',
                                  b'{"complete_after": 100000000000}', b'{"complete_after": -1}'])
def test_lifecycle_refuses_huge_and_invalid_delays(control: Api, text: bytes) -> None:
    response = control.post("lifecycle", data=text, headers={"Content-Type": "application/json"})
    assert '"complete_after"' in error_of(response, 400)
    assert control.ok("GET", "lifecycle") == {"complete_after": None}


@pytest.mark.parametrize("rule", [
    b'{"action": "delay", "delay_ms": 1000000000000000000000000000000}',
    b'{"action": "delay", "delay_ms": 1e308}',
    b'{"action": "status", "status": 1e400}',
    b'{"action": "status", "status": "503"}',
    b'{"action": "status", "path": 5}',
    b'{"action": "status", "method": []}',
    b'{"action": "status", "count": "3"}',
    b'{"action": "status", "probability": "0.5"}',
    b'{"action": "status", "body": {"a": 1}}',
    b'{"action": "status", "retry_after": "0\\r\\nX-Injected: 1"}',
    b"[" * 50_000 + b"]" * 50_000,
])
def test_bad_fault_rules_are_400_and_never_break_later_requests(
    emu: Emulator, control: Api, api: Api, rule: bytes
) -> None:
    error_of(control.post("faults", data=rule, headers={"Content-Type": "application/json"}), 400)
    assert emu.faults() == []
    assert api.get("projects").status_code == 200


@pytest.mark.parametrize("length, status", [(b"99999999999999999999", 413), (b"2000000", 413), (b"50", 400)])
def test_fault_rules_with_a_huge_or_short_body_are_refused(emu: Emulator, length: bytes, status: int) -> None:
    response = _exchange(emu, b"POST /_emulator/faults HTTP/1.1\r\nHost: e\r\nContent-Length: " + length
                         + b"\r\nConnection: close\r\n\r\n" + b'{"action": "status"}', half_close=True)
    _assert_error(response, status)
    assert emu.faults() == []


def test_huge_numbers_in_task_control_bodies_are_handled(control: Api, live: Api) -> None:
    task = live.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    error_of(control.post(f"tasks/{task['task_id']}/fail", json={"error": 2**80}), 400)
    response = control.post(f"tasks/{task['task_id']}/complete", data=b'{"response": {"n": 1e400}}',
                            headers={"Content-Type": "application/json"})
    error_of(response, 400)
    assert live.ok("GET", f"task/{task['task_id']}")["status"] == "pending"


# Paths -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("GET", "/v1/batches/%ff"), ("GET", "/v1/projects/%c3%28"), ("POST", "/v1/task/%ed%a0%80"),
    ("POST", "/v1/studio/projects/%fe/groups"), ("POST", "/_emulator/tasks/%ff/complete"),
])
def test_bad_percent_encoding_in_paths_is_400(emu: Emulator, method: str, path: str) -> None:
    response = _exchange(emu, f"{method} {path} HTTP/1.1\r\nHost: e\r\n".encode() + AUTH
                         + b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    _assert_error(response, 400)


# The request log -------------------------------------------------------------------------------

def test_request_log_is_bounded_in_bytes(emu: Emulator, api: Api) -> None:
    query = "x" * 60_000
    sent = MAX_LOGGED_BYTES // 60_000 + 40
    for _ in range(sent):
        api.get("projects", params={"q": query})
    api.get("projects", params={"last": "1"})
    log = emu.requests()
    assert len(log) < sent
    assert sum(entry_size(entry) for entry in log) <= MAX_LOGGED_BYTES
    assert log[-1]["query"] == "last=1"


def test_request_log_drops_oldest_entries_first_by_count_and_by_bytes() -> None:
    log = RequestLog(size=3, max_bytes=10_000)
    for index in range(5):
        log.add({"path": f"/{index}", "query": ""})
    assert [entry["path"] for entry in log.entries()] == ["/2", "/3", "/4"]
    log.add({"path": "/big", "query": "q" * 7_000})
    assert [entry["path"] for entry in log.entries()] == ["/4", "/big"]
    assert log.size_bytes == sum(entry_size(entry) for entry in log.entries()) <= 10_000
    log.add({"path": "/huge", "query": "q" * 20_000})  # larger than the whole budget: nothing kept
    assert log.entries() == [] and log.size_bytes == 0
