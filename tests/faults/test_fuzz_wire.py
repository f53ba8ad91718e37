"""The emulator under raw-socket requests: chunked bodies, arbitrary header bytes, request targets.

Each request ends its sending side and its answer must come within ANSWER_WITHIN: no request may
hang, and none is answered >= 500. The last test of the v1 fuzz modules is here (they run in name
order): it reports the totals of support.fuzz_v1.SENT.
"""
import base64
import errno
import json
import socket
from typing import Any, Dict, List, Optional, Tuple

import requests
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz_v1 import KEY, SENT, count_status
from support.fuzzing import FUZZ_SETTINGS

from scaleapi.emulator import Emulator

# A raw-socket answer must come within this (the server's idle timeout is 120 s).
ANSWER_WITHIN = 15.0


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
    count_status(status)
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
            count_status(431)  # refused while still being sent: its answer was lost in the reset
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



def test_report_counts() -> None:
    """Runs last of the v1 fuzz modules: the totals quoted in docs/reliability.md."""
    print(f"\nfuzz: {SENT['requests']} requests, {SENT['5xx']} responses >= 500")
    assert SENT["5xx"] == 0
