"""The console over plain HTTP: the Host check, the page tokens, escaping, and each action's effect.

Every state-changing request is checked by its effect through the API or the control API.
"""
from __future__ import annotations

from typing import Any, Dict

import pytest
import requests
from support.console import ConsolePage
from support.emulator import IMAGE_TASK, LIVE_KEY, TEST_KEY, Api
from support.scripted_server import ScriptedServer

from scaleapi.emulator import Emulator
from scaleapi.emulator.__main__ import exposure_warning
from scaleapi.emulator.console.guard import Guard, split_host


SCRIPT = "<script>document.title='pwned'</script>"


def _live_task(emu: Emulator, **extra: Any) -> Dict[str, Any]:
    api = Api(emu.url, LIVE_KEY)
    try:
        return dict(api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, **extra}))
    finally:
        api.close()


def _status(emu: Emulator, task_id: str) -> str:
    api = Api(emu.url, LIVE_KEY)
    try:
        return str(api.ok("GET", f"task/{task_id}")["status"])
    finally:
        api.close()


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "0x7f000001", "[::2]", "", "127.0.0.1:1"])
def test_a_foreign_host_header_is_refused(page: ConsolePage, host: str) -> None:
    for method in ("GET", "POST"):
        response = page.session.request(method, page.url("/"), headers={"Host": host}, timeout=10)
        assert response.status_code == 421, (method, host)
        assert "own host names" in response.text and 'name="token"' not in response.text
    start = page.session.get(f"{page.base}/", headers={"Host": host}, timeout=10)
    assert start.status_code == 421


def test_a_foreign_host_gets_the_json_error_shape_without_accept_html(emu: Emulator) -> None:
    response = requests.get(f"{emu.base}/_emulator/console/", headers={"Host": "evil.example"}, timeout=10)
    assert response.status_code == 421
    assert response.json()["status_code"] == 421


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "localhost.", "[::1]"])
def test_the_own_host_names_are_served(page: ConsolePage, emu: Emulator, name: str) -> None:
    for host in (f"{name}:{emu.port}", name):
        assert page.get("/", headers={"Host": host}).status_code == 200, host


def test_a_bind_host_other_than_loopback_is_accepted_by_name_and_warned_about() -> None:
    guard = Guard("192.0.2.7")
    environ = {"HTTP_HOST": "192.0.2.7:8080", "SERVER_PORT": "8080"}
    assert guard.host_allowed(environ)
    assert not guard.host_allowed({**environ, "HTTP_HOST": "192.0.2.8:8080"})
    assert Guard("::1").names >= {"::1", "127.0.0.1", "localhost"}
    warning = exposure_warning("192.0.2.7")
    assert warning is not None and "not a loopback address" in warning and "console" in warning
    for loopback in ("127.0.0.1", "localhost", "::1", "[::1]", "127.3.4.5"):
        assert exposure_warning(loopback) is None


@pytest.mark.parametrize("value, parsed", [
    ("localhost:8080", ("localhost", "8080")), ("[::1]:80", ("::1", "80")), ("[::1]", ("::1", None)),
    ("LocalHost.", ("localhost", None)), ("a:b:c", None), ("[::1", None), ("[::1]x", None),
    ("host:8o", None), ("", None),
])
def test_host_header_parsing(value: str, parsed: Any) -> None:
    assert split_host(value) == parsed


def test_a_state_change_without_a_valid_token_is_refused(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    path = f"/tasks/{task['task_id']}/complete"
    page.get(f"/tasks/{task['task_id']}")
    assert page.token is not None
    forged = page.token.split(".")[0] + ".0000"
    for token in (None, "", forged, "nonsense"):
        data = {"response": "{}"} if token is None else {"response": "{}", "token": token}
        response = page.post(path, data, token=False)
        assert response.status_code == 403 and "token" in response.text
    assert _status(emu, task["task_id"]) == "pending"
    # The same request from another origin is refused even with a real token.
    foreign = page.post(path, {"response": "{}"}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert _status(emu, task["task_id"]) == "pending"
    done = page.post(path, {"response": '{"annotations": []}'},
                     headers={"Origin": f"http://127.0.0.1:{emu.port}"})
    assert done.status_code == 303
    assert _status(emu, task["task_id"]) == "completed"


def test_every_form_carries_a_token(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    emu.add_fault(action="status", path="/v1/nothing", status=503)
    for path in ("/", "/faults", "/lifecycle", f"/tasks/{task['task_id']}"):
        html = page.get(path).text
        assert html.count('method="post"') == html.count('name="token"') > 0, path


def test_metadata_is_shown_as_text(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu, metadata={"note": SCRIPT}, unique_id=SCRIPT)
    response = page.get(f"/tasks/{task['task_id']}")
    assert response.status_code == 200
    assert SCRIPT not in response.text and "&lt;script&gt;" in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    listing = page.get(f"/accounts/{emu.account_id(LIVE_KEY)[:12]}/tasks")
    assert SCRIPT not in listing.text and "&lt;script&gt;" in listing.text


def test_complete_checks_the_response_before_applying_it(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    page.get(f"/tasks/{task['task_id']}")
    for text, words in (("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object"),
                        ('{"a": NaN}', "not valid JSON")):
        response = page.post(f"/tasks/{task['task_id']}/complete", {"response": text})
        assert response.status_code == 400 and words in response.text
        assert text.replace('"', "&#34;") in response.text  # the typed text is kept for editing
    assert _status(emu, task["task_id"]) == "pending"


def test_the_complete_form_starts_with_the_synthetic_answer(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    html = page.get(f"/tasks/{task['task_id']}").text
    assert "&#34;annotations&#34;" in html and "v1 JSON" in html


def test_fail_and_cancel(page: ConsolePage, emu: Emulator) -> None:
    first, second = _live_task(emu), _live_task(emu)
    page.get(f"/tasks/{first['task_id']}")
    assert page.post(f"/tasks/{first['task_id']}/fail", {"error": ""}).status_code == 400
    assert page.post(f"/tasks/{first['task_id']}/fail", {"error": "blurry"}).status_code == 303
    assert page.post(f"/tasks/{second['task_id']}/cancel").status_code == 303
    api = Api(emu.url, LIVE_KEY)
    failed, canceled = api.ok("GET", f"task/{first['task_id']}"), api.ok("GET", f"task/{second['task_id']}")
    api.close()
    assert (failed["status"], failed["error"], canceled["status"]) == ("error", "blurry", "canceled")
    again = page.post(f"/tasks/{second['task_id']}/complete", {"response": "{}"})
    assert again.status_code == 400 and "Only pending tasks" in again.text


def test_task_search_by_id_and_unique_id(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu, unique_id="order-17")
    tasks = f"/accounts/{emu.account_id(LIVE_KEY)[:12]}/tasks"
    for query in (task["task_id"], "order-17"):
        found = page.get(tasks, params={"q": query}, allow_redirects=False)
        assert found.status_code == 303 and found.headers["Location"].endswith(f"/tasks/{task['task_id']}")
    assert "No task of this account" in page.get(tasks, params={"q": "order-18"}).text


def test_task_filters_and_paging(page: ConsolePage, emu: Emulator) -> None:
    for _ in range(23):
        _live_task(emu)
    api = Api(emu.url, LIVE_KEY)
    newest = api.ok("GET", "tasks", params={"limit": 1})["docs"][0]["task_id"]
    api.close()
    tasks = f"/accounts/{emu.account_id(LIVE_KEY)[:12]}/tasks"
    first = page.get(tasks, params={"status": "pending", "type": "imageannotation"}).text
    assert "23 tasks" in first and newest in first and first.count("/tasks/") >= 20
    assert "next 20" in first
    assert "0 tasks" in page.get(tasks, params={"status": "completed"}).text
    bad = page.get(tasks, params={"status": "nonsense"})
    assert bad.status_code == 400


def test_faults_are_added_and_removed_through_the_console(page: ConsolePage, emu: Emulator) -> None:
    page.get("/faults")
    bad = page.post("/faults", {"action": "explode"})
    assert bad.status_code == 400 and "bad fault rule" in bad.text
    assert page.post("/faults", {"action": "status", "status": "abc"}).status_code == 400
    added = page.post("/faults", {"action": "status", "path": "/v1/projects", "status": "503", "count": "1"})
    assert added.status_code == 303
    (rule,) = emu.faults()
    assert (rule["path"], rule["status"], rule["count"]) == ("/v1/projects", 503, 1)
    assert rule["id"] in page.get("/faults").text
    assert page.post(f"/faults/{rule['id']}/remove").status_code == 303
    assert emu.faults() == []
    assert page.post("/faults/nope/remove").status_code == 404


def test_lifecycle_is_set_through_the_console(page: ConsolePage, emu: Emulator) -> None:
    page.get("/lifecycle")
    assert page.post("/lifecycle", {"complete_after": "30"}).status_code == 303
    assert emu.health()["complete_after"] == 30.0
    assert page.post("/lifecycle", {"complete_after": "-1"}).status_code == 400
    assert page.post("/lifecycle", {"complete_after": "soon"}).status_code == 400
    assert page.post("/lifecycle", {"complete_after": ""}).status_code == 303
    assert emu.health()["complete_after"] is None


def test_reset_one_account_keeps_the_others(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    other = Api(emu.url, TEST_KEY)
    kept = other.ok("POST", "task/imageannotation", json=IMAGE_TASK)
    listing = page.get("/").text
    live_print, test_print = emu.account_id(LIVE_KEY)[:12], emu.account_id(TEST_KEY)[:12]
    assert live_print in listing and test_print in listing
    assert LIVE_KEY not in listing and TEST_KEY not in listing
    assert page.post(f"/accounts/{live_print}/reset").status_code == 303
    assert live_print not in page.get("/").text
    assert other.ok("GET", f"task/{kept['task_id']}")["task_id"] == kept["task_id"]
    live = Api(emu.url, LIVE_KEY)
    assert live.get(f"task/{task['task_id']}").status_code == 404
    assert live.ok("GET", "tasks")["total"] == 0 and len(live.ok("GET", "teams")) == 1  # a fresh account
    live.close()
    other.close()


def test_projects_and_batches_pages(page: ConsolePage, emu: Emulator) -> None:
    api = Api(emu.url, LIVE_KEY)
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "cars <b>"})
    api.ok("POST", "batches", json={"project": "cars <b>", "name": "b1"})
    api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "cars <b>", "batch": "b1"})
    api.close()
    fingerprint = emu.account_id(LIVE_KEY)[:12]
    projects = page.get(f"/accounts/{fingerprint}/projects").text
    assert "cars &lt;b&gt;" in projects
    batches = page.get(f"/accounts/{fingerprint}/batches").text
    assert "b1" in batches and "in_progress" in batches
    assert page.get(f"/accounts/{'0' * 12}/projects").status_code == 404


def test_logs_and_the_start_page(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    requests_page = page.get("/requests").text
    assert "/v1/task/imageannotation" in requests_page
    assert not any(entry["path"].startswith("/_emulator/console") for entry in emu.requests())
    assert "No callbacks yet" in page.get("/callbacks").text
    start = page.session.get(f"{emu.base}/", timeout=10)
    assert start.status_code == 200 and 'href="/_emulator/console/"' in start.text
    assert page.get(f"/tasks/{task['task_id']}x").status_code == 404
    assert page.get("/static/console.js").headers["Content-Type"].startswith("text/javascript")
    assert page.get("/static/other.js").status_code == 404
    assert page.get("/no/such/page").status_code == 404


def test_the_task_page_shows_the_v2_shape(page: ConsolePage, emu: Emulator) -> None:
    task = _live_task(emu)
    emu.complete_task(task["task_id"], {"annotations": []})
    html = page.get(f"/tasks/{task['task_id']}").text
    v2_json = html.split('<pre id="v2-json">', 1)[1].split("</pre>", 1)[0]
    assert f"&#34;task_id&#34;: &#34;{task['task_id']}&#34;" in v2_json and "&#34;threads&#34;" in v2_json


def test_completed_tasks_are_delivered_as_a_v2_delivery(page: ConsolePage, emu: Emulator) -> None:
    api = Api(emu.url, LIVE_KEY)
    api.ok("POST", "projects", json={"type": "imageannotation", "name": "streets"})
    made = [api.ok("POST", "task/imageannotation", json={**IMAGE_TASK, "project": "streets"})["task_id"]
            for _ in range(3)]
    api.close()
    emu.complete_task(made[0])
    emu.complete_task(made[1])
    fingerprint = emu.account_id(LIVE_KEY)[:12]
    assert "Deliver completed tasks" in page.get(f"/accounts/{fingerprint}/projects").text
    back = f"/_emulator/console/tasks/{made[0]}"
    one = page.post(f"/accounts/{fingerprint}/deliver",
                    {"project": "streets", "task_ids": made[0], "back": back})
    assert one.status_code == 303 and one.headers["Location"].startswith(back)
    rest = page.post(f"/accounts/{fingerprint}/deliver", {"project": "streets", "name": "handover-2",
                                                           "back": "https://evil.example/"})
    assert rest.status_code == 303 and rest.headers["Location"].startswith("/_emulator/console/")
    v2 = Api(f"{emu.base}/v2", LIVE_KEY)
    deliveries = v2.ok("GET", "deliveries", params={"project_name": "streets"})["deliveries"]
    v2.close()
    assert sorted((item["name"], item["task_count"]) for item in deliveries) == [
        ("delivery-1", 1), ("handover-2", 1)]
    nothing = page.post(f"/accounts/{fingerprint}/deliver", {"project": "streets"})
    assert nothing.status_code == 400 and "no completed task that is not delivered yet" in nothing.text
    pending = page.post(f"/accounts/{fingerprint}/deliver", {"project": "streets", "task_ids": made[2]})
    assert pending.status_code == 400 and "only completed tasks can be delivered" in pending.text



def test_the_receivers_answer_is_kept_per_attempt(page: ConsolePage, emu: Emulator) -> None:
    answers = [{"status": 503, "body": b"<b>busy</b>, retry"}, {"status": 200, "body": b"ok " * 1000}]
    with ScriptedServer(answers) as server:
        task = _live_task(emu, callback_url=f"{server.url}/hook")
        emu.complete_task(task["task_id"])
        assert emu.wait_for_callbacks(10)
    (record,) = emu.callbacks()
    first, second = record["attempt_log"]
    assert (first["status_code"], first["answer"]) == (503, "<b>busy</b>, retry")
    assert second["status_code"] == 200 and second["answer"] == ("ok " * 1000)[:1024]
    html = page.get(f"/tasks/{task['task_id']}").text
    assert "&lt;b&gt;busy&lt;/b&gt;, retry" in html and "<b>busy" not in html
