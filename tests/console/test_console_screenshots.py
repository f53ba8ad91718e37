"""Every console page in the browser, with a screenshot of each.

The screenshots go to a temporary directory, or to ``SCALE_CONSOLE_SCREENSHOTS`` when it is set:
``SCALE_CONSOLE_SCREENSHOTS=docs/console python -m pytest tests/console/test_console_screenshots.py``
refreshes the pictures in docs/console.md.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Tuple

from support.browser import BrowserSession
from support.callback_receiver import Receiver
from support.emulator import LIVE_KEY, TEST_KEY

from scaleapi import ScaleClient, TaskType
from scaleapi.emulator import Emulator


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _seed(emu: Emulator, receiver: Receiver) -> Tuple[str, str]:
    """A small, plausible state: two accounts, a project, a batch, tasks in each status."""
    with ScaleClient(api_key=TEST_KEY, api_instance_url=emu.url, max_retries=0) as test_client:
        test_client.create_project("sorting", TaskType.Categorization)
        test_client.create_task(TaskType.Categorization, project="sorting",
                                attachment="https://example.com/a.jpg", attachment_type="image",
                                taxonomies={"kind": {"type": "category", "choices": ["cat", "dog"]}})
    with ScaleClient(api_key=LIVE_KEY, api_instance_url=emu.url, max_retries=0) as client:
        client.create_project("street-scenes", TaskType.ImageAnnotation)
        client.create_batch("street-scenes", "week-48")
        made = [
            client.create_task(TaskType.ImageAnnotation, project="street-scenes", batch="week-48",
                               attachment=f"https://example.com/street-{number}.jpg",
                               callback_url=receiver.url(), unique_id=f"street-{number}",
                               metadata={"camera": "front", "note": "<script>alert(1)</script>"},
                               geometries={"box": {"objects_to_annotate": ["car", "pedestrian"]}})
            for number in range(1, 6)
        ]
    emu.complete_task(made[0].id)
    emu.fail_task(made[1].id, "the image is blurry")
    emu.wait_for_callbacks(10)
    emu.add_fault(action="status", method="POST", path="/v1/task/*", status=503, count=2, retry_after="1")
    emu.add_fault(action="delay", path="/v1/tasks", delay_ms=250)
    emu.set_lifecycle(120)
    return made[2].id, made[0].id


def test_every_page_renders_in_the_browser(
    browser: BrowserSession, emu: Emulator, receiver: Receiver, tmp_path: Path
) -> None:
    out = Path(os.environ.get("SCALE_CONSOLE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pending, completed = _seed(emu, receiver)
    fingerprint = emu.account_id(LIVE_KEY)[:12]
    # name: (console path, an element that must show, window height)
    pages: Dict[str, Tuple[str, str, int]] = {
        "start": ("//", "pre", 560),
        "accounts": ("/", "#accounts", 760),
        "projects": (f"/accounts/{fingerprint}/projects", "#projects", 760),
        "batches": (f"/accounts/{fingerprint}/batches", "#batches", 760),
        "tasks": (f"/accounts/{fingerprint}/tasks", "#tasks", 760),
        "task": (f"/tasks/{pending}", "#complete-form", 1100),
        "task-completed": (f"/tasks/{completed}", "#task-live", 1500),
        "requests": ("/requests", "#requests", 760),
        "callbacks": ("/callbacks", "#callbacks", 760),
        "faults": ("/faults", "#faults", 760),
        "lifecycle": ("/lifecycle", "#policy", 760),
    }
    for name, (path, part, height) in pages.items():
        browser.driver.set_window_size(1100, height)
        if path == "//":
            browser.driver.get(f"{emu.base}/")
        else:
            browser.open(path)
        assert browser.find(part).is_displayed(), name
        assert "Error" not in browser.driver.title, name
        target = out / f"{name}.png"
        assert browser.driver.save_screenshot(str(target)), name
        assert target.read_bytes().startswith(PNG_SIGNATURE)
    browser.driver.set_window_size(1100, 760)
