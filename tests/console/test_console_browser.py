"""The console in a real browser (headless Chromium from the system packages, driven by selenium).

One browser serves the whole session; each test resets the emulator. These skip, saying what to
install, where Chromium, chromedriver or selenium is missing.
"""
from __future__ import annotations

import json

import pytest
from support.browser import BrowserSession
from support.callback_receiver import Receiver
from support.emulator import LIVE_KEY

from scaleapi import ScaleClient, TaskType
from scaleapi.emulator import Emulator
from scaleapi.exceptions import ScaleServiceUnavailable


ATTACHMENT = "https://example.com/street.jpg"


def _client(emu: Emulator) -> ScaleClient:
    return ScaleClient(api_key=LIVE_KEY, api_instance_url=emu.url, max_retries=0)


def _tasks_page(browser: BrowserSession, emu: Emulator) -> None:
    browser.open(f"/accounts/{emu.account_id(LIVE_KEY)[:12]}/tasks")


def test_a_task_created_by_the_sdk_appears_and_the_list_refreshes(
    browser: BrowserSession, emu: Emulator
) -> None:
    with _client(emu) as client:
        first = client.create_task(TaskType.ImageAnnotation, attachment=ATTACHMENT,
                                   geometries={"box": {"objects_to_annotate": ["car"]}})
        _tasks_page(browser, emu)
        assert first.id in browser.find("#tasks").text
        # A task made after the page loaded shows up without a reload (the list refreshes itself).
        second = client.create_task(TaskType.ImageAnnotation, attachment=ATTACHMENT,
                                    geometries={"box": {"objects_to_annotate": ["bus"]}})
        browser.wait_until(lambda: second.id in browser.find("#tasks").text, "the new task in the list")


def test_completing_in_the_console_reaches_the_sdk_and_the_callback_receiver(
    browser: BrowserSession, emu: Emulator, receiver: Receiver
) -> None:
    with _client(emu) as client:
        task = client.create_task(TaskType.ImageAnnotation, attachment=ATTACHMENT,
                                  callback_url=receiver.url(),
                                  geometries={"box": {"objects_to_annotate": ["car"]}})
        browser.open(f"/tasks/{task.id}")
        box = browser.find("#response")
        suggested = json.loads(box.get_attribute("value"))
        assert suggested["annotations"][0]["label"] == "car"  # the synthetic answer for the type
        edited = {"annotations": [{"type": "box", "label": "car", "left": 1, "top": 2, "width": 3,
                                   "height": 4}], "note": "checked by a person"}
        box.clear()
        box.send_keys(json.dumps(edited))
        browser.find("#complete-form button[type=submit]").click()
        browser.wait_until(lambda: browser.find("#task-status").text == "completed", "the completed status")
        assert "The task was completed." in browser.find(".notice").text
        assert client.get_task(task.id).response == edited
    (callback,) = receiver.wait_for(1)
    assert callback["body"]["task_id"] == task.id and callback["body"]["response"] == edited
    # The task page lists the attempt (its status as the receiver answered) once it is recorded.
    assert emu.wait_for_callbacks(10)
    browser.open(f"/tasks/{task.id}")
    browser.wait_until(lambda: "200" in browser.find("#task-live table").text, "the callback attempt")


def test_a_response_that_is_not_json_is_refused_in_the_page(browser: BrowserSession, emu: Emulator) -> None:
    with _client(emu) as client:
        task = client.create_task(TaskType.ImageAnnotation, attachment=ATTACHMENT,
                                  geometries={"box": {"objects_to_annotate": ["car"]}})
        browser.open(f"/tasks/{task.id}")
        box = browser.find("#response")
        box.clear()
        box.send_keys("{oops")
        assert "not valid JSON" in browser.find("[data-json-status]").text  # checked as it is typed
        browser.find("#complete-form button[type=submit]").click()
        browser.wait_until(lambda: bool(browser.find_all("#form-error")), "the error")
        assert "not valid JSON" in browser.find("#form-error").text
        assert client.get_task(task.id).status == "pending"


def test_a_fault_rule_added_in_the_console_is_seen_by_the_next_sdk_call(
    browser: BrowserSession, emu: Emulator
) -> None:
    from selenium.webdriver.support.ui import Select  # pylint: disable=import-outside-toplevel

    browser.open("/faults")
    Select(browser.find("#fault-form select[name=action]")).select_by_visible_text("status")
    browser.find("#fault-form input[name=path]").send_keys("/v1/projects")
    browser.find("#fault-form input[name=status]").send_keys("503")
    browser.find("#fault-form input[name=count]").send_keys("1")
    browser.find("#fault-form button[type=submit]").click()
    browser.wait_until(lambda: "/v1/projects" in browser.find("#faults").text, "the rule in the list")
    with _client(emu) as client:
        with pytest.raises(ScaleServiceUnavailable):
            client.get_projects()
        assert client.get_projects() == []  # count 1: the next call is served
    browser.open("/faults")
    assert "1" in browser.find("#faults tbody").text  # fired once


def test_a_script_in_metadata_is_shown_not_run(browser: BrowserSession, emu: Emulator) -> None:
    script = "<script>document.title='pwned';window.ran=1</script><img src=x onerror=\"window.ran=2\">"
    with _client(emu) as client:
        task = client.create_task(TaskType.ImageAnnotation, attachment=ATTACHMENT, metadata={"note": script},
                                  geometries={"box": {"objects_to_annotate": ["car"]}})
    browser.open(f"/tasks/{task.id}")
    assert "<script>document.title='pwned'" in browser.find("#v1-json").text
    assert browser.driver.execute_script("return window.ran === undefined")
    assert "pwned" not in browser.driver.title
    assert not browser.find_all("#v1-json script, #v1-json img")


def test_the_browser_loads_nothing_the_console_does_not_serve(browser: BrowserSession, emu: Emulator) -> None:
    """No request of a page (script, style, icon) misses: the request log stays empty."""
    browser.open("/")
    browser.open("/faults")
    assert browser.driver.execute_script("return document.styleSheets.length") == 1
    assert emu.requests() == []
