"""The official ``scaleapi`` 2.18.4 client's v2 API (``client.v2``) against our emulator.

The official client is never a dependency of this project: it lives in a throwaway venv, and this
test runs only when ``SCALEAPI_OFFICIAL_V2_CLIENT_PYTHON`` names that venv's python::

    python -m venv /tmp/official-v2-venv && /tmp/official-v2-venv/bin/pip install scaleapi==2.18.4
    SCALEAPI_OFFICIAL_V2_CLIENT_PYTHON=/tmp/official-v2-venv/bin/python python -m pytest tests/compat

It starts an emulator in this process, prepares on one test-mode account what the flow reads
(completed tasks with threads, turns, messages and annotations; a chat project; deliveries, a
dataset and a schema), runs ``official_v2_flow.py`` with that python in a subprocess (which sets the
v2 host by hand, as the official client requires), and requires every step to pass. All traffic is
loopback.
"""
import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support.official_client import official_python, run_flow
from support.sdk import image_task_payload
from support.v2_world import make_delivered

from scaleapi import ScaleClient, TaskType
from scaleapi.emulator import Emulator

ENV_VAR = "SCALEAPI_OFFICIAL_V2_CLIENT_PYTHON"
VERSION = "2.18.4"
MAKE_ONE = (f"python -m venv /tmp/official-v2-venv && /tmp/official-v2-venv/bin/pip install "
            f"scaleapi=={VERSION}")
DRIVER = Path(__file__).with_name("official_v2_flow.py")
KEY = "test_official_v2"
CONTENT_TASKS = 23  # more than three pages of the flow's limit=7
#: The steps that may be skipped: none. Every resource the flow reads is prepared below.
OPTIONAL_STEPS: List[str] = []

OFFICIAL_PYTHON, OFFICIAL_INFO = official_python(ENV_VAR, MAKE_ONE, VERSION)

pytestmark = pytest.mark.skipif(OFFICIAL_PYTHON is None, reason=OFFICIAL_INFO)


def prepare(emu: Emulator) -> Dict[str, Any]:
    """Make what the flow reads through our SDK and the emulator; returns the flow's data file."""
    with ScaleClient(api_key=KEY, api_instance_url=emu.url) as client:
        content = client.create_project("compat v2 content", TaskType.ImageAnnotation)
        client.create_batch(content.name, "compat v2 content batch")
        for _ in range(CONTENT_TASKS):
            client.create_task(TaskType.ImageAnnotation, project=content.name,
                               batch="compat v2 content batch", **image_task_payload())
        chat = client.create_project("compat v2 chat", TaskType.Chat)
    data: Dict[str, Any] = {
        "content_project": content.name, "content_count": CONTENT_TASKS, "chat_project": chat.name,
    }
    data.update(make_delivered(emu, KEY, content.name))
    return data


def test_official_v2_client_flow(tmp_path: Path) -> None:
    """Every step of the v2 flow passes with the official 2.18.4 client (the JSON report on failure)."""
    assert OFFICIAL_PYTHON is not None
    report_path = tmp_path / "report.json"
    data_path = tmp_path / "data.json"
    with Emulator() as emu:
        data_path.write_text(json.dumps(prepare(emu)), encoding="utf-8")
        command = [OFFICIAL_PYTHON, str(DRIVER), emu.url, "--data", str(data_path), "--key", KEY,
                   "--report", str(report_path)]
        report = run_flow(command, tmp_path, report_path, 240, OFFICIAL_INFO)
    skipped = [step["step"] for step in report["steps"]
               if step["result"] == "skip" and step["step"] not in OPTIONAL_STEPS]
    assert not skipped, skipped
    sys.stdout.write(f"official scaleapi {OFFICIAL_INFO} v2: {report['summary']}\n")
