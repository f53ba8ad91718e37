"""The ``scaleapi`` command line, end to end against the emulator (in-process and as a subprocess)."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from support.longwork import LIVE_KEY, PROJECT, TEST_KEY, Client, all_tasks, payload
from support.waiting import wait_for
from scaleapi import cli
from scaleapi._cli import common

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


def test_errors_go_to_stderr_with_their_statuses_and_never_show_the_key(run: Any, monkeypatch: Any) -> None:
    """Errors go to stderr, one line, with the documented statuses, and never show the key."""
    status, out, err = run("tasks", "get", "no-such-task")
    assert (status, out, err) == (3, "", "scaleapi: error: task 'no-such-task' not found\n")
    status, out, err = run("tasks", "list")
    assert status == 2 and out == "" and "error: give --project or --batch" in err and TEST_KEY not in err
    status, out, err = run("tasks", "cancel")
    assert status == 2 and "give TASK_ID arguments, or --from-file" in err
    status, out, err = run("projects", "list", key=TEST_KEY + "\n")  # not a usable key
    assert status == 1 and TEST_KEY not in err
    monkeypatch.delenv("SCALE_API_KEY")
    assert cli.main(["projects", "list"]) == 2
    assert cli.main(["tasks", "frobnicate"]) == 2


def test_emulator_subcommand_delegates_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emulator subcommand delegates lazily."""
    import scaleapi.emulator.__main__ as emulator_main  # pylint: disable=import-outside-toplevel

    calls: List[Tuple[List[str], str]] = []
    def fake_main(argv: List[str], prog: str) -> int:
        calls.append((list(argv), prog))
        return 0

    monkeypatch.setattr(emulator_main, "main", fake_main)
    assert cli.main(["emulator", "--port", "0", "--help"]) == 0
    assert calls == [(["--port", "0", "--help"], "scaleapi emulator")]


def test_emulator_subcommand_help_names_itself() -> None:
    """``scaleapi emulator --help`` calls itself ``scaleapi emulator``, not the module."""
    done = subprocess.run(
        [sys.executable, "-m", "scaleapi", "emulator", "--help"], capture_output=True, text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")),
        cwd=str(ROOT), timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: scaleapi emulator ")
    assert "python -m scaleapi.emulator" not in done.stdout


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


# -- tasks create --file: check everything first, and an unfinished run says how to resume ------


def payload_lines(count: int) -> List[bytes]:
    """``count`` good payload lines (JSON, UTF-8, no newline)."""
    return [json.dumps(payload(i)).encode("utf-8") for i in range(count)]


def task_posts(emu: Any) -> List[Dict[str, Any]]:
    """The task creates that reached the emulator."""
    return [r for r in emu.requests() if r["method"] == "POST" and r["path"].startswith("/v1/task/")]


def resume_command(err: str) -> List[str]:
    """The arguments of the one-line resume hint on stderr (after the program name)."""
    hints = [line for line in err.splitlines() if "to resume without duplicates, run: " in line]
    assert len(hints) == 1, err
    return shlex.split(hints[0].split(" run: ", 1)[1])[1:]


def assert_each_payload_once(client: Client, created: List[Dict[str, Any]], count: int) -> None:
    """The project holds exactly one task per payload, and ``created`` lists some of them."""
    tasks = all_tasks(client)
    assert sorted(t["metadata"]["n"] for t in tasks) == list(range(count))
    assert {line["task_id"] for line in created} <= {t["task_id"] for t in tasks}


def test_create_with_a_bad_line_6_sends_nothing_and_names_the_line(
    run: Any, emu: Any, tmp_path: Path
) -> None:
    """A bad line 6 of 10: exit 2, the message names the file and line 6, and no create is sent."""
    good = payload_lines(10)
    good[5] = b'{"project": "bulk-project", "attachment": }'
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(b"\n".join(good) + b"\n")
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(source))
    assert status == cli.EXIT_BAD_INPUT == 2 and out == ""
    assert f"{source}: line 6: not valid JSON" in err and "line 1:" not in err
    assert "nothing was sent" in err
    assert task_posts(emu) == []


@pytest.mark.parametrize("content, problem", [
    (b'{"project": "p"}\n[1, 2]\n', "line 2: not a JSON object (it is an array)"),
    (b'{"project": "p"}\n\n  \r\n"text"\n', "line 4: not a JSON object (it is a string)"),
    (b'{"project": "p"}\r\nnull\r\n', "line 2: not a JSON object (it is null)"),
    (b'{"project": "p"}\n{"metadata": {"k": "\xff"}}\n', "line 2: not valid UTF-8 (byte 21 of the line)"),
    (b"", "no payloads in it"),
    (b"\n \n\n", "no payloads in it"),
    (b'{"unique_id": "u1"}\n{"unique_id": "u2"}\n{"unique_id": "u1"}\n',
     'line 3: unique_id "u1" is also on line 1'),
    (b'{"metadata": [1]}\n', 'line 1: "metadata" must be an object'),
    (b'{"project": ""}\n', 'line 1: "project" must be a non-empty string'),
    (b'{"tags": ["a", 2]}\n', 'line 1: "tags" must be an array of strings'),
    (b'{"n": NaN}\n', "line 1: not valid JSON: NaN is not JSON"),
    (b'{"task_type": "imageannotation"}\n', 'line 1: "task_type" cannot be a key here'),
    (b"[" * 100_000 + b"\n", "line 1: not usable JSON: nested too deeply"),
], ids=["array", "blank-lines-count", "null", "utf8", "empty", "blank", "dup-unique-id", "metadata",
        "empty-project", "tags", "nan", "task-type-key", "deep"])
def test_create_refuses_unusable_input_before_sending(
    run: Any, emu: Any, tmp_path: Path, content: bytes, problem: str
) -> None:
    """Every unusable file is refused whole with exit 2, naming the file and line; nothing is sent."""
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(content)
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(source))
    assert (status, out) == (2, "")
    assert f"{source}: {problem}" in err and "nothing was sent" in err
    assert task_posts(emu) == []


def test_create_refuses_a_missing_file_a_directory_and_bad_stdin(
    run: Any, emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that does not exist or is a directory, and stdin with a bad line: exit 2, nothing sent."""
    missing = tmp_path / "nope.jsonl"
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(missing))
    assert (status, out) == (2, "") and f"{missing}: cannot read it (No such file or directory)" in err
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(tmp_path))
    assert (status, out) == (2, "") and f"{tmp_path}: cannot read it" in err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n".join(payload_lines(2)) + b"\n7\n")))
    status, out, err = run("tasks", "create", "imageannotation", "--file", "-")
    assert (status, out) == (2, "") and "stdin: line 3: not a JSON object (it is a number)" in err
    assert task_posts(emu) == []


def test_create_names_at_most_five_problems(run: Any, emu: Any, tmp_path: Path) -> None:
    """Seven bad lines: the first five are named, the other two counted."""
    source = tmp_path / "payloads.jsonl"
    source.write_text("".join(f"[{n}]\n" for n in range(7)))
    status, _, err = run("tasks", "create", "imageannotation", "--file", str(source))
    named = [line for line in err.splitlines() if ": not a JSON object" in line]
    assert status == 2 and len(named) == 5 and named[-1].startswith(f"scaleapi: error: {source}: line 5:")
    assert "nothing was sent (2 more problems not shown)" in err and task_posts(emu) == []


@pytest.mark.parametrize("own_journal", [True, False], ids=["--journal", "temporary-journal"])
def test_a_create_that_fails_partway_prints_its_tasks_and_resumes_without_duplicates(
    run: Any, client: Client, emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_journal: bool
) -> None:
    """Item 4 of 10 is refused once (a 400, never retried): the other 9 are printed, the hint names
    a journal, and running the hint creates item 4 alone."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(b"\n".join(payload_lines(10)) + b"\n")
    journal = tmp_path / "create.journal"
    emu.add_fault(action="delay", method="POST", path="/v1/task/*", delay_ms=0, count=4)
    emu.add_fault(action="status", method="POST", path="/v1/task/*", status=400, count=1)
    extra = ["--journal", str(journal)] if own_journal else []
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(source), "--concurrency", "1",
                           "--no-progress", *extra)
    outcome = lines(out)
    assert status == 1 and [(o["index"], o["ok"]) for o in outcome] == [(i, i != 4) for i in range(10)]
    assert "9 succeeded" in err and "1 of 10 tasks not created" in err
    again = resume_command(err)
    assert again[:5] == ["tasks", "create", "imageannotation", "--file", str(source)]
    if own_journal:
        assert again[5:] == ["--journal", str(journal)]
    else:
        assert again[5] == "--journal" and Path(again[6]).parent == tmp_path
    assert {t["task_id"] for t in all_tasks(client)} == {o["task_id"] for o in outcome if o["ok"]}
    emu.clear_faults()

    status, out, err = run(*again, "--no-progress")
    assert status == 0 and "10 succeeded (9 from the journal), 0 failed" in err
    rerun = lines(out)
    assert [o["task_id"] for o in rerun if o["index"] != 4] == [o["task_id"] for o in outcome if o["ok"]]
    assert_each_payload_once(client, rerun, 10)
    assert len(task_posts(emu)) == 10  # 9 + the retried one: nothing was sent twice


def test_a_create_that_succeeds_leaves_no_temporary_journal(
    run: Any, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --journal a run journals to a temporary file (so its creates are keyed, and safe to
    resume), removed once every task exists."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(b"\n".join(payload_lines(4)))
    status, out, err = run("tasks", "create", "imageannotation", "--file", str(source), "--no-progress")
    assert status == 0 and "to resume" not in err and len(lines(out)) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payloads.jsonl"]
    assert all(line["unique_id"].startswith("bulk-") for line in lines(out))
    assert_each_payload_once(client, lines(out), 4)


def interrupt_when(done_at_least: int) -> Callable[[int, Optional[int]], None]:
    """A progress callback that raises KeyboardInterrupt in the main thread, as Ctrl-C would."""
    def progress(done: int, _total: Optional[int]) -> None:
        if done >= done_at_least:
            raise KeyboardInterrupt
    return progress


def test_an_interrupted_create_prints_its_tasks_and_resumes_without_duplicates(
    run: Any, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after 3 of 10 tasks: exit 130, the tasks created so far are printed (every one the
    emulator holds), the hint names the temporary journal, and running it completes the 10."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(b"\n".join(payload_lines(10)) + b"\n")
    with monkeypatch.context() as patch:
        patch.setattr(common, "progress", lambda _args: interrupt_when(3))
        status, out, err = run("tasks", "create", "imageannotation", "--file", str(source),
                               "--concurrency", "2")
    created = lines(out)
    held = {t["task_id"] for t in all_tasks(client)}
    assert status == 130 and err.rstrip().endswith("scaleapi: interrupted")
    assert 3 <= len(created) < 10 and all(line["ok"] for line in created)
    assert {line["task_id"] for line in created} == held  # every task made is reported, and only those
    assert f"{10 - len(created)} of 10 tasks not created" in err

    status, out, err = run(*resume_command(err), "--no-progress")
    assert status == 0 and f"10 succeeded ({len(created)} from the journal)" in err
    assert_each_payload_once(client, lines(out), 10)


def test_ctrl_c_on_a_create_subprocess_prints_its_tasks_and_the_resume_hint(
    run: Any, client: Client, emu: Any, tmp_path: Path
) -> None:
    """A real SIGINT to ``python -m scaleapi tasks create`` while a create is in flight."""
    source = tmp_path / "payloads.jsonl"
    source.write_bytes(b"\n".join(payload_lines(10)) + b"\n")
    journal = tmp_path / "create.journal"
    emu.add_fault(action="delay", method="POST", path="/v1/task/*", delay_ms=0, count=3)
    emu.add_fault(action="delay", method="POST", path="/v1/task/*", delay_ms=1000)  # the rest are slow
    env = dict(os.environ, SCALE_API_KEY=TEST_KEY, SCALE_API_BASE_URL=emu.url,
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with subprocess.Popen(
        [sys.executable, "-m", "scaleapi", "tasks", "create", "imageannotation", "--file", str(source),
         "--journal", str(journal), "--concurrency", "1", "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT),
    ) as process:
        wait_for(lambda: process.poll() is not None
                 or (journal.exists() and journal.read_text().count('"state":"done"') >= 3), timeout=60)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    created = lines(out)
    assert process.returncode == 130, err
    assert 3 <= len(created) < 10 and {line["task_id"] for line in created} == {
        t["task_id"] for t in all_tasks(client)
    }
    again = resume_command(err)
    assert again == ["tasks", "create", "imageannotation", "--file", str(source), "--journal", str(journal)]
    emu.clear_faults()
    status, out, err = run(*again, "--no-progress")
    assert status == 0 and f"10 succeeded ({len(created)} from the journal)" in err
    assert_each_payload_once(client, lines(out), 10)


def test_cancel_from_a_file_gives_the_progress_bar_its_total(
    run: Any, emu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids read from a file are counted first, so the bar shows ``done/total`` rather than a bare count."""
    live = Client(LIVE_KEY, api_instance_url=emu.url)
    live.create_project(PROJECT, "imageannotation")
    ids = [t.id for t in live.create_tasks("imageannotation", [payload(i) for i in range(3)]).succeeded]
    live.close()
    id_file = tmp_path / "ids.txt"
    id_file.write_text("\n".join(ids[1:]) + "\n")
    seen: List[Tuple[int, Optional[int]]] = []
    monkeypatch.setattr(common, "progress", lambda _args: lambda done, total: seen.append((done, total)))
    status, out, _ = run("tasks", "cancel", ids[0], "--from-file", str(id_file), key=LIVE_KEY)
    assert status == 0 and len(lines(out)) == 3
    assert seen and {total for _, total in seen} == {3}
