"""Files (upload, import), teammates, and Studio assignments, groups and batch priorities."""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import io
import socket
from typing import Any, Dict, List

import pytest

from support.emulator import IMAGE_TASK, Api, error_of

from scaleapi.emulator import Emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_upload_file(api: Api) -> None:
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "proj"})
    uploaded = api.ok("POST", "files/upload", files={"file": ("test_image.png", io.BytesIO(PNG))},
                      data={"project_name": "proj", "reference_id": "ref-1", "metadata": '{"a": 1}'})
    assert uploaded["attachment_url"].startswith("scaledata://")
    assert uploaded["mime_type"] == "image/png" and uploaded["size"] == len(PNG)
    assert uploaded["project_names"] == ["proj"] and uploaded["reference_id"] == "ref-1"
    assert uploaded["display_name"] == "test_image.png" and uploaded["metadata"] == {"a": 1}
    body = {**IMAGE_TASK, "attachment": uploaded["attachment_url"]}
    task = api.ok("POST", "task/imageannotation", json=body)
    assert task["params"]["attachment"] == uploaded["attachment_url"]
    # A nameless stream is sent with filename "file"; its type is sniffed from the bytes.
    plain = api.ok("POST", "files/upload", files={"file": ("file", io.BytesIO(b"%PDF-1.4 hello"))},
                   data={"display_name": "Doc"})
    assert plain["mime_type"] == "application/pdf" and plain["display_name"] == "Doc"
    assert plain["project_names"] == [] and plain["id"] != uploaded["id"]


def test_upload_errors(api: Api) -> None:
    api.ok("POST", "files/upload", files={"file": ("a.txt", io.BytesIO(b"x"))}, data={"reference_id": "r"})
    again = api.post("files/upload", files={"file": ("a.txt", io.BytesIO(b"x"))}, data={"reference_id": "r"})
    error_of(again, 409)
    assert "file" in error_of(api.post("files/upload", data={"display_name": "nothing"},
                                       files={"other": ("a", io.BytesIO(b"1"))}), 400)
    error_of(api.post("files/upload", json={"file": "not multipart"}), 400)
    for data, status in (({"project_name": "nope"}, 404), ({"metadata": "{bad"}, 400)):
        error_of(api.post("files/upload", files={"file": ("a", io.BytesIO(b"1"))}, data=data), status)


def test_upload_size_limits() -> None:
    with Emulator(max_upload_bytes=2048) as emu:
        client = Api(emu.url, "test_small")
        try:
            big = io.BytesIO(b"x" * 5000)
            error_of(client.post("files/upload", files={"file": ("big.bin", big)}), 413)
            ok = client.ok("POST", "files/upload", files={"file": ("small.bin", io.BytesIO(b"x" * 100))})
            assert ok["size"] == 100
        finally:
            client.close()


def test_import_file_records_without_fetching(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: List[Any] = []
    real = socket.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(address)
        return real(address, *args, **kwargs)

    api.ok("POST", "projects", json={"type": "imageannotation", "name": "proj"})
    monkeypatch.setattr(socket, "create_connection", spy)
    imported = api.ok("POST", "files/import", json={
        "file_url": "https://upload.wikimedia.org/wikipedia/commons/a/a9/Example.png",
        "project_name": "proj"})
    assert imported["mime_type"] == "image/png" and imported["project_names"] == ["proj"]
    assert imported["attachment_url"].startswith("scaledata://")
    # Only the test client's own loopback connection may have been opened.
    assert all(host in ("127.0.0.1", "localhost") for host, _port in attempts)
    error_of(api.post("files/import", json={"project_name": "proj"}), 400)
    error_of(api.post("files/import", json={"file_url": "not a url"}), 400)


def test_teammates(api: Api) -> None:
    team = api.ok("GET", "teams", headers={"Content-Type": "application/json"})
    assert len(team) == 1 and team[0]["role"] == "admin" and team[0]["email"].startswith("owner@")
    owner = team[0]["email"]
    invited = api.ok("POST", "teams/invite", json={"emails": ["A@x.com", "b@x.com"], "team_role": "labeler"})
    assert [m["email"] for m in invited] == [owner, "a@x.com", "b@x.com"]
    assert invited[1]["role"] == "labeler" and invited[1]["isStudioLabeler"] is True
    assert "expiry" in invited[1]
    error_of(api.post("teams/invite", json={"emails": ["a@x.com"], "team_role": "member"}), 409)
    error_of(api.post("teams/invite", json={"emails": ["c@x.com"], "team_role": "boss"}), 400)
    error_of(api.post("teams/invite", json={"emails": ["not-an-email"], "team_role": "member"}), 400)
    error_of(api.post("teams/invite", json={"emails": [], "team_role": "member"}), 400)
    changed = api.ok("POST", "teams/set_role", json={"emails": ["b@x.com"], "team_role": "manager"})
    assert {m["email"]: m["role"] for m in changed}["b@x.com"] == "manager"
    error_of(api.post("teams/set_role", json={"emails": ["ghost@x.com"], "team_role": "member"}), 404)
    demote_owner = api.post("teams/set_role", json={"emails": [owner], "team_role": "member"})
    assert "admin" in error_of(demote_owner, 400)
    error_of(api.post("teams/set_role", json={"emails": ["b@x.com"]}), 400)


@pytest.fixture
def studio(api: Api) -> Dict[str, Any]:
    """A Studio project with two labelers assigned."""
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "sp", "studio": True})
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "other", "studio": True})
    emails = ["l1@x.com", "l2@x.com", "l3@x.com"]
    api.ok("POST", "teams/invite", json={"emails": emails, "team_role": "labeler"})
    assigned: Dict[str, Any] = api.ok("POST", "studio/assignments/add",
                                      json={"emails": emails[:2], "projects": ["sp"]})
    return assigned


def test_studio_assignments(api: Api, studio: Dict[str, Any]) -> None:
    assert studio["l1@x.com"] == ["sp"] and studio["l3@x.com"] == []
    assert api.ok("GET", "studio/assignments") == studio
    error_of(api.post("studio/assignments/add", json={"emails": ["ghost@x.com"], "projects": ["sp"]}), 404)
    error_of(api.post("studio/assignments/add", json={"emails": ["l1@x.com"], "projects": ["nope"]}), 404)
    error_of(api.post("studio/assignments/add", json={"emails": "l1@x.com", "projects": ["sp"]}), 400)
    api.ok("POST", "studio/projects/sp/groups", json={"emails": ["l2@x.com"], "name": "g"})
    after = api.ok("POST", "studio/assignments/remove", json={"emails": ["l2@x.com"], "projects": ["sp"]})
    assert after["l2@x.com"] == []
    assert api.ok("GET", "studio/projects/sp/groups")[0]["workers"] == []


def test_project_groups(api: Api, studio: Dict[str, Any]) -> None:
    del studio
    group = api.ok("POST", "studio/projects/sp/groups", json={"emails": ["l1@x.com"], "name": "team a/1"})
    assert group["name"] == "team a/1" and group["numWorkers"] == 1 and group["isSingleton"] is False
    assert group["workers"][0]["email"] == "l1@x.com" and group["workers"][0]["id"]
    assert api.ok("GET", "studio/projects/sp/groups") == [group]
    error_of(api.post("studio/projects/sp/groups", json={"emails": [], "name": "team a/1"}), 409)
    unassigned = api.post("studio/projects/sp/groups", json={"emails": ["l3@x.com"], "name": "z"})
    assert "l3@x.com" in error_of(unassigned, 400)
    error_of(api.post("studio/projects/nope/groups", json={"emails": [], "name": "z"}), 404)
    updated = api.ok("PUT", "studio/projects/sp/groups/team%20a%2F1",
                     json={"add_emails": ["l2@x.com"], "remove_emails": ["l1@x.com"]})
    assert [w["email"] for w in updated["workers"]] == ["l2@x.com"] and updated["numWorkers"] == 1
    error_of(api.put("studio/projects/sp/groups/team%20a%2F1", json={"add_emails": ["l3@x.com"]}), 400)
    error_of(api.put("studio/projects/sp/groups/missing", json={"add_emails": []}), 404)
    error_of(api.get("studio/projects/nope/groups"), 404)


def test_studio_batches_and_priorities(api: Api, studio: Dict[str, Any]) -> None:
    del studio
    api.ok("POST", "studio/projects/sp/groups", json={"emails": ["l1@x.com"], "name": "g1"})
    for name, calibration in (("old", False), ("mid", False), ("calib", True)):
        api.ok("POST", "batches", json={"project": "sp", "name": name, "calibration_batch": calibration})
    api.ok("POST", "batches", json={"project": "other", "name": "elsewhere"})
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "plain"})
    api.ok("POST", "batches", json={"project": "plain", "name": "not-studio"})
    listed = api.ok("GET", "studio/batches")
    assert [b["name"] for b in listed] == ["calib", "old", "mid", "elsewhere"]
    assert listed[0]["batchType"] == "Calibration" and listed[1]["batchType"] == "Production"
    assert [b["studioPriority"] for b in listed] == [1, 2, 3, 4]
    assert listed[1]["projectName"] == "sp" and listed[1]["total"] == 0 and listed[1]["groups"] == []
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "batch": "mid"})
    assert {b["name"]: (b["total"], b["completed"]) for b in api.ok("GET", "studio/batches")}["mid"] == (1, 1)
    assigned = api.ok("PUT", "studio/batches/old", json={"groups": ["g1", "l2@x.com"]})
    assert assigned["groups"] == ["g1", "l2@x.com"] and assigned["name"] == "old"
    assert api.ok("PUT", "studio/batches/old", json={"groups": ["g1"]})["groups"] == ["g1"]
    error_of(api.put("studio/batches/old", json={"groups": ["nope"]}), 400)
    error_of(api.put("studio/batches/missing", json={"groups": []}), 404)
    error_of(api.put("studio/batches/not-studio", json={"groups": []}), 400)
    order = ["mid", "elsewhere", "old", "calib"]
    priorities = {"batches": [{"name": n} for n in order]}
    reordered = api.ok("POST", "studio/batches/set_priorities", json=priorities)
    assert [b["name"] for b in reordered] == order
    assert [b["name"] for b in api.ok("GET", "studio/batches")] == order
    error_of(api.post("studio/batches/set_priorities", json={"batches": [{"name": "mid"}]}), 400)
    repeated = {"batches": [{"name": n} for n in order + ["mid"]]}
    error_of(api.post("studio/batches/set_priorities", json=repeated), 400)
    error_of(api.post("studio/batches/set_priorities", json={"batches": ["mid"]}), 400)
    reset = api.ok("POST", "studio/batches/reset_priorities", headers={"Content-Type": "application/json"})
    assert [b["name"] for b in reset] == ["calib", "old", "mid", "elsewhere"]
