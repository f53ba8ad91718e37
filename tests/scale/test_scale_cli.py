"""The ``scaleapi`` command line, end to end against the emulator (in-process and as a subprocess)."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from scale_support import LIVE_KEY, PROJECT, TEST_KEY, Client, payload
from scaleapi import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(emu: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``scaleapi <args>`` in-process; returns (exit status, stdout, stderr)."""
    monkeypatch.setenv("SCALE_API_KEY", TEST_KEY)
    monkeypatch.setenv("SCALE_API_BASE_URL", emu.url)

    def invoke(*args: str, key: str = TEST_KEY) -> Tuple[int, str, str]:
        monkeypatch.setenv("SCALE_API_KEY", key)
        status = cli.main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


def lines(text: str) -> List[Dict[str, Any]]:
    """Parse JSON Lines output."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_projects_and_batches(run: Any) -> None:
    """Projects and batches."""
    status, out, _ = run("projects", "create", PROJECT, "--type", "imageannotation",
                         "--params", '{"instruction": "box the cars"}')
    assert status == 0 and json.loads(out)["name"] == PROJECT
    status, out, _ = run("projects", "get", PROJECT)
    assert status == 0 and json.loads(out)["type"] == "imageannotation"
    status, out, _ = run("projects", "list")
    assert [p["name"] for p in lines(out)] == [PROJECT]

    status, out, _ = run("batches", "create", "b1", "--project", PROJECT, "--metadata", '{"k": 1}')
    assert status == 0 and json.loads(out)["metadata"] == {"k": 1}
    run("batches", "create", "b2", "--project", PROJECT)
    status, out, _ = run("batches", "list", "--project", PROJECT)
    assert [b["name"] for b in lines(out)] == ["b2", "b1"]
    status, out, _ = run("batches", "get", "b1")
    assert json.loads(out)["name"] == "b1"
    status, out, _ = run("batches", "finalize", "b1")
    assert status == 0 and json.loads(out)["name"] == "b1"
    status, out, _ = run("batches", "status", "b1")
    assert status == 0 and "status" in json.loads(out)


def test_tasks_create_get_list_count_export(run: Any, tmp_path: Path) -> None:
    """Tasks create get list count export."""
    run("projects", "create", PROJECT, "--type", "imageannotation")
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text("\n".join(json.dumps(payload(i)) for i in range(25)) + "\n")
    journal = tmp_path / "create.journal"

    status, out, err = run("tasks", "create", "imageannotation", "--file", str(payloads),
                           "--journal", str(journal), "--no-progress")
    created = lines(out)
    assert status == 0 and [line["index"] for line in created] == list(range(25))
    assert all(line["ok"] for line in created) and "25 succeeded" in err
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(payloads),
                           "--journal", str(journal))
    assert status == 0 and "25 from the journal" in err  # the rerun created nothing new

    status, out, _ = run("tasks", "get", created[0]["task_id"])
    assert status == 0 and json.loads(out)["task_id"] == created[0]["task_id"]
    status, out, _ = run("tasks", "get", created[0]["task_id"], created[1]["task_id"])
    assert [t["task_id"] for t in lines(out)] == [created[0]["task_id"], created[1]["task_id"]]

    status, out, _ = run("tasks", "list", "--project", PROJECT, "--status", "completed")
    listed = lines(out)
    assert status == 0 and {t["task_id"] for t in listed} == {c["task_id"] for c in created}
    status, out, _ = run("tasks", "list", "--project", PROJECT, "--limit", "3", "--limited-response")
    assert len(lines(out)) == 3 and "params" not in lines(out)[0]
    status, out, _ = run("tasks", "count", "--project", PROJECT)
    assert json.loads(out) == {"count": 25}

    target = tmp_path / "export.jsonl"
    status, out, _ = run("tasks", "export", str(target), "--project", PROJECT, "--workers", "3",
                         "--no-progress")
    assert status == 0 and json.loads(out)["count"] == 25
    assert {t["task_id"] for t in lines(target.read_text())} == {c["task_id"] for c in created}


def test_tasks_cancel_and_wait_in_live_mode(run: Any, emu: Any, tmp_path: Path) -> None:
    """Tasks cancel and wait in live mode."""
    live = Client(LIVE_KEY, api_instance_url=emu.url)
    live.create_project(PROJECT, "imageannotation")
    ids = [t.id for t in live.create_tasks("imageannotation", [payload(i) for i in range(4)]).succeeded]
    live.close()
    id_file = tmp_path / "ids.txt"
    id_file.write_text(f"{ids[1]}\n\nno-such-task\n")

    status, out, err = run("tasks", "cancel", ids[0], "--from-file", str(id_file), key=LIVE_KEY)
    outcome = lines(out)
    assert status == 1 and "1 failed" in err
    assert [(o["index"], o["ok"]) for o in outcome] == [(0, True), (1, True), (2, False)]
    assert outcome[0]["status"] == "canceled" and "ScaleResourceNotFound" in outcome[2]["error"]

    status, _, err = run("tasks", "wait", ids[2], "--timeout", "0.2", "--poll", "0.05", key=LIVE_KEY)
    assert status == 1 and ids[2] in err and "pending" in err
    emu.complete_task(ids[2])
    status, out, _ = run("tasks", "wait", ids[0], ids[2], "--timeout", "5", "--poll", "0.05", key=LIVE_KEY)
    assert status == 0 and [o["status"] for o in lines(out)] == ["canceled", "completed"]


def test_errors_go_to_stderr_with_status_1_and_never_show_the_key(run: Any, monkeypatch: Any) -> None:
    """Errors go to stderr with status 1 and never show the key."""
    status, out, err = run("tasks", "get", "no-such-task")
    assert status == 1 and out == "" and "404" in err and TEST_KEY not in err
    status, out, err = run("tasks", "list")
    assert status == 1 and "project_name or batch_name" in err
    status, out, err = run("tasks", "cancel")
    assert status == 1 and "task ids" in err
    monkeypatch.delenv("SCALE_API_KEY")
    assert cli.main(["projects", "list"]) == 1
    with pytest.raises(SystemExit) as caught:
        cli.main(["tasks", "frobnicate"])
    assert caught.value.code == 2


def test_emulator_subcommand_delegates_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emulator subcommand delegates lazily."""
    import scaleapi.emulator.__main__ as emulator_main  # pylint: disable=import-outside-toplevel

    calls: List[List[str]] = []
    def fake_main(argv: List[str]) -> int:
        calls.append(list(argv))
        return 0

    monkeypatch.setattr(emulator_main, "main", fake_main)
    assert cli.main(["emulator", "--port", "0", "--help"]) == 0
    assert calls == [["--port", "0", "--help"]]


def test_python_dash_m_scaleapi_runs_the_same_cli(client: Client, emu: Any) -> None:
    """Python dash m scaleapi runs the same cli."""
    created = client.create_tasks("imageannotation", [payload(i) for i in range(3)]).raise_for_failures()
    env = dict(os.environ, SCALE_API_KEY=TEST_KEY, SCALE_API_BASE_URL=emu.url,
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "scaleapi", "tasks", "list", "--project", PROJECT],
        capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(t["task_id"] for t in lines(done.stdout)) == sorted(t.id for t in created.succeeded)
    version = subprocess.run([sys.executable, "-m", "scaleapi", "--version"], capture_output=True,
                             text=True, env=env, cwd=str(ROOT), timeout=60, check=False)
    assert version.returncode == 0 and version.stdout.startswith("scaleapi ")
