"""The API key shows up nowhere, the SDK warns before sending it in clear, and callback auth is exact.

(a) The key (raw, in its Basic-auth base64 form, or percent-encoded) appears in no log line — DEBUG
    included, on the ``scaleapi`` logger and on the root logger that also receives urllib3's and
    werkzeug's records — nor in a repr, ``str``, exception message, traceback or pickle of the client,
    its models, its exceptions and bulk results; nor on the CLI's stdout/stderr when the key is
    refused; nor in the emulator's request log, control API answers, fault rules, database file or
    printed startup lines.
(b) A client built for plain http to a non-loopback host warns (without sending anything).
(d) ``verify_callback_auth`` is exact, refuses missing/empty values, handles any Unicode, and
    compares with ``hmac.compare_digest``; it accepts a real callback from the emulator.
"""
# pytest injects fixtures by parameter name, so parameters shadowing fixtures are the norm here.
# pylint: disable=redefined-outer-name
import base64
import hmac
import inspect
import io
import json
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import traceback
import unicodedata
import urllib.parse
import warnings
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
from support.callback_receiver import Receiver
from support.sdk import cow_task_payload
from support.waiting import wait_until

import scaleapi
from scaleapi import cli
from scaleapi import exceptions as E
from scaleapi.bulk import BulkError
from scaleapi.callbacks import (
    CALLBACK_AUTH_HEADER,
    callback_auth_from_headers,
    parse_callback,
    verify_callback_auth,
)
from scaleapi.emulator import Emulator
from scaleapi.tasks import TaskType

SECRET = "test_Sup3rS3cr3t_a1b2c3d4e5f60718"  # the only key the emulator accepts here
WRONG = "live_N0tTh3K3y_f0e1d2c3b4a59687"  # Scale-shaped but not accepted: 401
PROJECT = "secrets-project"
KEYS = (SECRET, WRONG)


def secret_forms(key: str) -> List[str]:
    """Every spelling of ``key`` that would count as a leak."""
    basic = base64.b64encode(f"{key}:".encode()).decode()
    return [key, basic, basic.rstrip("="), base64.b64encode(key.encode()).decode(), urllib.parse.quote(key)]


def assert_no_key(text: str, blobs: Tuple[bytes, ...] = (), where: str = "") -> None:
    """Fail if any spelling of any key is in ``text`` or in one of ``blobs``."""
    for key in KEYS:
        for form in secret_forms(key):
            assert form not in text, f"the key leaked ({where}): {form!r}"
            assert all(form.encode() not in blob for blob in blobs), f"the key leaked in bytes ({where})"


def describe(obj: Any) -> str:
    """``repr``, ``str`` and, for an exception, its args and full traceback including causes."""
    parts = [repr(obj), str(obj)]
    if isinstance(obj, BaseException):
        parts.append(repr(obj.args))
        parts.extend(traceback.format_exception(type(obj), obj, obj.__traceback__))
    return "\n".join(parts)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record: logger, formatted message and raw args."""
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)


@pytest.fixture(scope="module")
def pinned() -> Iterator[Emulator]:
    """An emulator that accepts only ``SECRET``."""
    with Emulator(api_keys=[SECRET]) as emu:
        yield emu


@pytest.fixture
def emu(pinned: Emulator) -> Emulator:
    """The pinned emulator, reset."""
    pinned.reset()
    return pinned


def task_payload(**extra: Any) -> Dict[str, Any]:
    """A valid imageannotation payload in ``PROJECT``."""
    return cow_task_payload(**{"project": PROJECT, **extra})


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# (a) The SDK ------------------------------------------------------------------------------------


def sdk_objects_and_errors(emu: Emulator) -> Tuple[List[Any], List[BaseException]]:
    """Run successes and failures of every kind through a client holding ``SECRET``."""
    objects: List[Any] = []
    errors: List[BaseException] = []

    def failing(call: Any) -> None:
        try:
            call()
        except E.ScaleException as err:
            errors.append(err)
        else:
            raise AssertionError("expected a ScaleException")

    options: Dict[str, Any] = {"api_instance_url": emu.url, "source": "secrets", "timeout": (2.0, 0.3)}
    with scaleapi.ScaleClient(SECRET, **options) as client:
        project = client.create_project(PROJECT, TaskType.ImageAnnotation)
        batch = client.create_batch(PROJECT, "secret-batch")
        task = client.create_task(TaskType.ImageAnnotation, **task_payload(unique_id="secret-u1"))
        page = client.tasks(project=PROJECT)
        objects += [client, client.api, client.with_options(max_retries=0), project, batch, task, page,
                    *client.get_batches(project_name=PROJECT), client.get_projects()]
        failing(lambda: client.get_task("0" * 24))  # 404
        failing(lambda: client.create_batch(PROJECT, "secret-batch"))  # 409
        failing(lambda: client.create_task(TaskType.ImageAnnotation, project=PROJECT))  # 400
        failing(lambda: client.tasks(bogus=1))  # refused before sending
        emu.add_fault(method="GET", path="/v1/projects", action="delay", delay_ms=800, count=1)
        served = len(emu.requests())
        failing(lambda: client.with_options(max_retries=0).get_projects())  # client timeout
        wait_until(lambda: len(emu.requests()) > served)  # the slow request finishes on the server
        emu.add_fault(method="GET", path="/v1/batches/*", action="truncate", count=1, api_key=SECRET)
        failing(lambda: client.with_options(max_retries=0).get_batch("secret-batch"))  # cut short
        emu.clear_faults()
    with scaleapi.ScaleClient(WRONG, api_instance_url=emu.url) as refused:
        failing(refused.get_projects)  # 401
        objects.append(refused)
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    with scaleapi.ScaleClient(SECRET, api_instance_url=dead, max_retries=0) as nowhere:
        failing(nowhere.get_projects)  # connection refused
    return objects, errors


def test_sdk_leaks_the_key_nowhere(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """Logs (root + scaleapi + urllib3, DEBUG), reprs, exceptions, tracebacks and pickles are clean."""
    caplog.set_level(logging.DEBUG)  # the root logger: urllib3's and werkzeug's records arrive too
    caplog.set_level(logging.DEBUG, logger="scaleapi")
    objects, errors = sdk_objects_and_errors(emu)

    kinds = {type(err) for err in errors}
    assert {E.ScaleResourceNotFound, E.ScaleDuplicateResource, E.ScaleInvalidRequest, E.ScaleUnauthorized,
            E.ScaleClientTimeout, E.ScaleConnectionError} <= kinds
    names = {record.name for record in caplog.records}
    assert "scaleapi" in names and "urllib3.connectionpool" in names  # both really logged at DEBUG
    urllib3_lines = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any('"GET /v1/projects' in line for line in urllib3_lines)  # urllib3 logs the request line ...

    pickles = tuple(pickle.dumps(obj) for obj in objects + errors)
    text = "\n".join([log_text(caplog), *map(describe, objects), *map(describe, errors)])
    assert_no_key(text, pickles, "SDK")  # ... and never a header
    assert all(pickle.loads(blob) is not None for blob in pickles)


def test_bulk_results_and_errors_leak_no_key(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """A bulk run with failures: its ``BulkResult``, ``BulkFailure``s and ``BulkError`` are clean."""
    caplog.set_level(logging.DEBUG)
    with scaleapi.ScaleClient(SECRET, api_instance_url=emu.url) as client:
        client.create_project(PROJECT, TaskType.ImageAnnotation)
        payloads = [task_payload(unique_id="dup"), task_payload(unique_id="dup"), {"project": PROJECT},
                    task_payload(project="no-such-project"), task_payload()]
        result = client.create_tasks(TaskType.ImageAnnotation, payloads, concurrency=2)
    assert (result.total, len(result.succeeded), len(result.failed)) == (5, 2, 3)
    with pytest.raises(BulkError) as caught:
        result.raise_for_failures()
    everything: List[Any] = [result, caught.value, *result.failed, *result.succeeded]
    blobs = (pickle.dumps(result), pickle.dumps(caught.value))
    assert_no_key("\n".join([log_text(caplog), *map(describe, everything)]), blobs, "bulk")


def test_cli_stderr_on_an_auth_failure_holds_no_key(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``scaleapi projects list`` and a bulk ``tasks create`` with a refused key: 401, no key shown."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SCALE_API_KEY", WRONG)
    monkeypatch.setenv("SCALE_API_BASE_URL", emu.url)
    assert cli.main(["projects", "list"]) == 1
    single = capsys.readouterr()
    assert "ScaleUnauthorized (401)" in single.err

    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text("\n".join(json.dumps(task_payload(unique_id=f"c{i}")) for i in range(3)) + "\n")
    assert cli.main(["tasks", "create", "imageannotation", "--file", str(payloads)]) == 1
    bulk = capsys.readouterr()
    assert bulk.out.count("ScaleUnauthorized") == 3 and "3 failed" in bulk.err
    assert_no_key("\n".join([single.out, single.err, bulk.out, bulk.err, log_text(caplog)]), where="CLI")


# (a) The emulator -------------------------------------------------------------------------------


def test_emulator_logs_control_api_and_database_hold_no_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """The request log, every control answer, fault rules, the emulator object and its SQLite file."""
    caplog.set_level(logging.DEBUG)
    db_path = tmp_path / "emulator.sqlite"
    with Emulator(api_keys=[SECRET], db=str(db_path)) as emu:
        with scaleapi.ScaleClient(SECRET, api_instance_url=emu.url) as client:
            client.create_project(PROJECT, TaskType.ImageAnnotation)
            task = client.create_task(TaskType.ImageAnnotation, **task_payload(unique_id="emu-1"))
            client.upload_file(io.BytesIO(b"fake image bytes"), display_name="x.png")
            with pytest.raises(E.ScaleResourceNotFound):
                client.get_task("f" * 24)
        with scaleapi.ScaleClient(WRONG, api_instance_url=emu.url) as refused:
            with pytest.raises(E.ScaleUnauthorized):
                refused.get_task(task.id)
        emu.add_fault(method="GET", path="/v1/never", action="status", status=503, api_key=SECRET)
        assert any(rule["account"] == emu.account_id(SECRET) for rule in emu.faults())

        log = emu.requests()
        accounts = {entry["account"] for entry in log}
        assert emu.account_id(SECRET) in accounts and None in accounts  # the refused call has no account
        answers = [
            requests.get(f"{emu.base}/_emulator/{name}", timeout=5).text
            for name in ("requests", "health", "callbacks", "lifecycle", "faults")
        ]
        assert emu.account_id(SECRET) in answers[0] and emu.account_id(SECRET) in answers[4]
        described = [repr(emu), repr(vars(emu)), json.dumps(emu.faults())]
    # Stopped: the database is flushed and closed, so its bytes (and any journal files) are final.
    files = tuple(p.read_bytes() for p in tmp_path.glob("emulator.sqlite*"))
    assert files and len(files[0]) > 0
    printed = capfd.readouterr()
    text = "\n".join([json.dumps(log), *answers, *described, log_text(caplog), printed.out, printed.err])
    assert_no_key(text, files, "emulator")


def test_emulator_startup_lines_hold_no_key(tmp_path: Path) -> None:
    """``python -m scaleapi.emulator --api-key KEY`` prints its URL and settings, never the key."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "scaleapi.emulator", "--port", "0", "--api-key", SECRET, "--api-key", WRONG,
         "--db", str(tmp_path / "cli.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ) as proc:
        lines: List[str] = []
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if "Ctrl-C" in line:
                    break
            url = lines[0].strip()
            assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
            ok = requests.get(f"{url}/projects", auth=(SECRET, ""), timeout=5)
            refused = requests.get(f"{url}/projects", auth=("test_other_key", ""), timeout=5)
            assert (ok.status_code, refused.status_code) == (200, 401)
            assert_no_key(refused.text, where="401 body")
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
    assert_no_key("".join(lines) + out + err, where="emulator startup/shutdown output")


# (b) Plain http ---------------------------------------------------------------------------------


def test_plain_http_to_a_remote_host_warns_without_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a client for ``http://scale.example.com`` warns at the caller's line; nothing is sent."""

    def no_network(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("building a client must not touch the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.warns(UserWarning, match="plain http to scale.example.com") as caught:
        client = scaleapi.ScaleClient(SECRET, api_instance_url="http://scale.example.com/v1")
    client.close()
    assert caught[0].filename == __file__  # attributed to the code that built the client
    assert_no_key(str(caught[0].message), where="warning")


@pytest.mark.parametrize(
    "url",
    ["https://scale.example.com/v1", "http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]/v1"],
)
def test_https_or_loopback_does_not_warn(url: str) -> None:
    """No warning for https, nor for plain http on loopback (the emulator's normal setup)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaleapi.ScaleClient(SECRET, api_instance_url=url).close()


# (d) Callback auth ------------------------------------------------------------------------------

CALLBACK_KEY = "cb_Kq7-Zp2_x9Lm"


@pytest.mark.parametrize(
    ("received", "expected", "accepted"),
    [
        (CALLBACK_KEY, CALLBACK_KEY, True),
        ("cb_Kq7-Zp2_x9Ln", CALLBACK_KEY, False),  # same length, last character differs
        ("xb_Kq7-Zp2_x9Lm", CALLBACK_KEY, False),  # same length, first character differs
        (CALLBACK_KEY.upper(), CALLBACK_KEY, False),
        (CALLBACK_KEY[:-1], CALLBACK_KEY, False),  # a prefix
        (CALLBACK_KEY + "x", CALLBACK_KEY, False),
        (CALLBACK_KEY + " ", CALLBACK_KEY, False),
        ("", CALLBACK_KEY, False),
        (None, CALLBACK_KEY, False),  # header missing
        ("", "", False),  # a receiver with no key configured accepts nobody
        (None, "", False),
        # Non-ASCII on both sides (hmac.compare_digest on such str values would raise TypeError).
        ("clé-🔑-ключ", "clé-🔑-ключ", True),
        ("clé-🔑-ключ", "cle-🔑-ключ", False),
        (unicodedata.normalize("NFD", "clé"), unicodedata.normalize("NFC", "clé"), False),  # byte-exact
        ("ключ", CALLBACK_KEY, False),
        ("a\x00b", "a\x00b", True),
    ],
)
def test_verify_callback_auth(received: Any, expected: str, accepted: bool) -> None:
    """Exactly equal non-empty values match; everything else is refused, without raising."""
    assert verify_callback_auth(received, expected) is accepted


def test_verify_callback_auth_compares_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison goes through ``hmac.compare_digest`` (constant time), on both outcomes."""
    calls: List[Tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert verify_callback_auth(CALLBACK_KEY, CALLBACK_KEY) is True
    assert verify_callback_auth("nope", CALLBACK_KEY) is False
    assert calls == [(CALLBACK_KEY.encode(), CALLBACK_KEY.encode()), (b"nope", CALLBACK_KEY.encode())]
    source = inspect.getsource(verify_callback_auth)
    assert "compare_digest" in source and "==" not in source


def test_a_real_emulator_callback_verifies(emu: Emulator) -> None:
    """A callback the emulator delivers carries its auth key, which verifies; a wrong key does not."""
    receiver = Receiver()
    try:
        callback_url = receiver.url("/hook")
        with scaleapi.ScaleClient(SECRET, api_instance_url=emu.url) as client:
            client.create_project(PROJECT, TaskType.ImageAnnotation)
            task = client.create_task(TaskType.ImageAnnotation, **task_payload(callback_url=callback_url))
        assert emu.wait_for_callbacks(10.0)
    finally:
        receiver.close()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]["headers"], receiver.received[0]["raw"]
    received = callback_auth_from_headers(headers)
    assert received is not None and received == headers[CALLBACK_AUTH_HEADER]
    assert callback_auth_from_headers({k.upper(): v for k, v in headers.items()}) == received
    assert verify_callback_auth(received, emu.callback_auth_key)
    assert not verify_callback_auth(received, emu.callback_auth_key[:-1] + "#")
    assert parse_callback(body).id == task.id
    assert_no_key(json.dumps(headers) + body.decode("utf-8"), where="callback")


# (e) A key that cannot be sent --------------------------------------------------------------------

# Letters that occur in no traceback, path or message, so any 4 of them in a row would be the key.
PASTED_KEY = "live_qzxjvkwpqzmxjkvqzwxpjqkz"


def key_pieces(key: str, size: int = 4) -> List[str]:
    """The key and every run of ``size`` characters from it."""
    return [key] + [key[i:i + size] for i in range(len(key) - size + 1)]


def everything_about(err: BaseException) -> str:
    """``str``, ``repr``, args and the formatted traceback of ``err`` and of every exception behind it."""
    parts = []
    seen: BaseException = err
    chain: List[BaseException] = [err]
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
        chain.append(seen)
    for item in chain:
        parts += [describe(item), repr(getattr(item, "message", ""))]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "bad",
    [
        PASTED_KEY[:9] + "\u200b" + PASTED_KEY[9:],  # a pasted zero-width space
        PASTED_KEY + "\u2028",  # a line separator
        PASTED_KEY + "\n",  # the newline of a key file
        "\ufeff" + PASTED_KEY,  # a byte-order mark
        PASTED_KEY + "\udcff",  # a lone surrogate, as os.environ gives undecodable bytes
        PASTED_KEY[:5] + "\x00" + PASTED_KEY[5:],
    ],
    ids=["zero-width-space", "line-separator", "newline", "bom", "surrogate", "nul"],
)
@pytest.mark.parametrize("source", ["argument", "environment", "api"])
def test_a_key_that_cannot_go_into_a_header_is_refused_without_showing_it(
    bad: str, source: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused when the client is built, with an error in which no 4 characters of the key appear."""
    caplog.set_level(logging.DEBUG)
    if source == "environment":
        if "\x00" in bad:
            pytest.skip("an environment variable cannot hold a NUL")
        monkeypatch.setenv("SCALE_API_KEY", bad)  # a lone surrogate is stored as the byte 0xff
    with pytest.raises(ValueError) as caught:
        if source == "api":
            scaleapi.Api(bad, api_instance_url=f"http://127.0.0.1:{closed_port()}/v1")
        else:
            scaleapi.ScaleClient(bad if source == "argument" else None,
                                 api_instance_url=f"http://127.0.0.1:{closed_port()}/v1")
    err = caught.value
    assert isinstance(err, E.ScaleConfigurationError) and isinstance(err, E.ScaleException)
    assert "HTTP header" in err.message
    text = everything_about(err) + log_text(caplog) + repr(pickle.loads(pickle.dumps(err)))
    leaked = [piece for piece in key_pieces(bad) if piece in text]
    assert not leaked, f"pieces of the key in the error: {leaked}"


def test_a_key_with_latin_1_letters_is_still_accepted() -> None:
    """Only what cannot be encoded (or is a control character) is refused: é goes into a header."""
    scaleapi.ScaleClient("test_clé_accepted", api_instance_url="http://127.0.0.1:9/v1").close()
