"""TLS: verification is on by default, a CA path passed as ``verify`` wins over REQUESTS_CA_BUNDLE,
and ``verify=False`` really turns verification off."""
import ssl
import warnings
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import trustme
from support.scripted_server import ScriptedServer

from scaleapi import exceptions as E
from scaleapi.api import Api

KEY = "test_tlskey"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[ScriptedServer, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    with ScriptedServer([{"status": 200, "body": {"ok": True}}], ssl_context=context) as srv:
        yield srv, ca_path


def test_verification_is_on_by_default(tls: Tuple[ScriptedServer, Path]) -> None:
    srv, _ = tls
    sleeps: List[float] = []
    api = Api(KEY, api_instance_url=srv.url, sleep=sleeps.append)
    with pytest.raises(E.ScaleConnectionError, match="SSLError"):
        api.request("GET", "tasks")
    assert sleeps == []  # a certificate failure is not worth retrying


def test_ca_path_wins_over_requests_ca_bundle(
    tls: Tuple[ScriptedServer, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    srv, ca_path = tls
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other))
    assert Api(KEY, api_instance_url=srv.url, verify=str(ca_path)).request("GET", "tasks") == {"ok": True}


def test_verify_false_disables_verification(tls: Tuple[ScriptedServer, Path]) -> None:
    srv, _ = tls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = Api(KEY, api_instance_url=srv.url, verify=False)
        assert api.request("GET", "tasks") == {"ok": True}
