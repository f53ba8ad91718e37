"""The SDK against the emulator served over HTTPS with a test CA (trustme).

Verification is on by default (an unknown CA is a ``ScaleConnectionError`` that is never retried);
``verify=<CA path>`` wins over ``REQUESTS_CA_BUNDLE``; ``verify=False`` works and warns; the whole
flow runs over one kept-alive TLS connection; and clients that never finish a handshake cannot
stall the server for everyone else.
"""
# pytest injects fixtures by parameter name, so parameters shadowing fixtures are the norm here.
# pylint: disable=redefined-outer-name
import socket
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest
import trustme
from support.waiting import wait_for

import scaleapi
from scaleapi import exceptions as E
from scaleapi.emulator import Emulator
from scaleapi.tasks import TaskType

KEY = "test_tls_emulator"
PROJECT = "tls-project"


@dataclass
class Tls:
    """The HTTPS emulator, the path of the CA that signed its certificate, and a path to another CA."""

    emu: Emulator
    ca_path: Path
    other_ca_path: Path


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    """One HTTPS emulator for the module, with a certificate for 127.0.0.1 from a fresh test CA."""
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, other_ca_path = folder / "ca.pem", folder / "other-ca.pem"
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    ca.cert_pem.write_to_path(str(ca_path))
    trustme.CA().cert_pem.write_to_path(str(other_ca_path))
    cert.private_key_pem.write_to_path(str(key_path))
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(cert_path), append=True)
    with Emulator(certfile=str(cert_path), keyfile=str(key_path)) as emu:
        yield Tls(emu, ca_path, other_ca_path)


@pytest.fixture
def https(tls: Tls) -> Tls:
    """The module's HTTPS emulator, reset for this test."""
    tls.emu.reset()
    return tls


def test_https_emulator_reports_https(https: Tls) -> None:
    """The emulator serves HTTPS when given a certificate, and says so in its URL."""
    assert https.emu.scheme == "https" and https.emu.url.startswith("https://127.0.0.1:")


def test_verification_is_on_by_default_and_not_retried(https: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    """A certificate from an unknown CA fails the call at once: one connection attempt, no request."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    server = https.emu.server
    accepted, failures = server.accepted, server.handshake_failures
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url) as client:
        assert client.api.policy.max_retries > 0  # retries are allowed in general ...
        with pytest.raises(E.ScaleConnectionError, match="SSL") as err:
            client.get_projects()
        with pytest.raises(E.ScaleConnectionError, match="SSL"):
            client.create_project(PROJECT, TaskType.ImageAnnotation)  # a keyed create, retryable too
    assert "CERTIFICATE_VERIFY_FAILED" in err.value.message or "certificate" in err.value.message.lower()
    # ... but not for a certificate failure: one connection, one failed handshake per call.
    assert wait_for(lambda: server.handshake_failures - failures == 2)
    assert server.accepted - accepted == 2
    assert https.emu.requests() == []  # nothing got through


def test_ca_path_wins_over_requests_ca_bundle(https: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    """``verify=<CA path>`` is used even when the environment names another CA bundle."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(https.other_ca_path))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(https.other_ca_path))
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url) as default_client:
        with pytest.raises(E.ScaleConnectionError, match="SSL"):
            default_client.get_projects()  # the environment's (wrong) CA is what a default client trusts
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url, verify=str(https.ca_path)) as client:
        assert client.create_project(PROJECT, TaskType.ImageAnnotation).name == PROJECT
        assert [p.name for p in client.get_projects()] == [PROJECT]


def test_requests_ca_bundle_is_honoured_by_default(https: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``verify``, the client trusts the CA bundle named by ``REQUESTS_CA_BUNDLE`` (documented)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(https.ca_path))
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url) as client:
        assert client.get_projects() == []


def test_verify_false_works_and_warns(https: Tls) -> None:
    """``verify=False`` really turns verification off, and says so when the client is built."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url, verify=False) as client:
            assert client.create_project(PROJECT, TaskType.ImageAnnotation).name == PROJECT
    messages = [str(w.message) for w in caught]
    assert any("verification is disabled" in m for m in messages), messages


def test_full_flow_over_one_kept_alive_tls_connection(https: Tls) -> None:
    """Project, batch, tasks, listings and counts over HTTPS, all on a single TLS connection."""
    server = https.emu.server
    accepted, failures = server.accepted, server.handshake_failures
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url, verify=str(https.ca_path)) as client:
        client.create_project(PROJECT, TaskType.ImageAnnotation)
        client.create_batch(PROJECT, "tls-batch")
        created: List[str] = []
        for n in range(6):
            task = client.create_task(
                TaskType.ImageAnnotation,
                project=PROJECT,
                batch="tls-batch",
                instruction="Box the cows.",
                attachment_type="image",
                attachment=f"https://example.com/cow-{n}.jpg",
                geometries={"box": {"objects_to_annotate": ["cow"]}},
                unique_id=f"tls-{n}" if n % 2 else None,
            )
            created.append(task.id)
        listed = [t.id for t in client.get_tasks(project_name=PROJECT, limit=4)]  # two pages
        assert sorted(listed) == sorted(created)
        assert client.get_tasks_count(batch_name="tls-batch") == 6
        assert [b.name for b in client.get_batches(project_name=PROJECT)] == ["tls-batch"]
        assert client.finalize_batch("tls-batch").status in ("in_progress", "completed")
        assert client.get_task(created[0]).id == created[0]
    requests_made = len(https.emu.requests())
    assert requests_made >= 13
    connections = server.accepted - accepted
    assert connections == 1, f"{connections} TLS connections for {requests_made} requests"
    assert server.handshake_failures == failures


def test_plain_http_to_the_https_port_fails_cleanly(https: Tls) -> None:
    """Speaking plain HTTP to the TLS port is a connection error, and the server keeps serving."""
    plain_url = https.emu.url.replace("https://", "http://", 1)
    failures = https.emu.server.handshake_failures
    with scaleapi.ScaleClient(KEY, api_instance_url=plain_url, timeout=(2.0, 2.0), max_retries=0) as client:
        with pytest.raises(E.ScaleTransportError):
            client.get_projects()
    assert wait_for(lambda: https.emu.server.handshake_failures == failures + 1)
    with scaleapi.ScaleClient(KEY, api_instance_url=https.emu.url, verify=str(https.ca_path)) as client:
        assert client.get_projects() == []


def test_a_client_that_never_handshakes_does_not_stall_the_server(https: Tls) -> None:
    """A TCP connection that sends nothing must not block the handshakes of other clients."""
    silent = socket.create_connection(("127.0.0.1", https.emu.port), timeout=5)
    accepted = https.emu.server.accepted
    try:
        with scaleapi.ScaleClient(
            KEY, api_instance_url=https.emu.url, verify=str(https.ca_path), timeout=(3.0, 3.0), max_retries=0
        ) as client:
            assert client.get_projects() == []
        assert https.emu.server.accepted >= accepted + 1
    finally:
        silent.close()
