"""The ``scaleapi`` command as a user runs it: ``python -m scaleapi ...`` in a subprocess, over real
HTTP to the emulator, checking the exit status, stdout, stderr and what reached the server."""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import argparse
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from support.longwork import LIVE_KEY, PROJECT, TEST_KEY, Client, payload
from scaleapi import cli

ROOT = Path(__file__).resolve().parents[2]
#: Bounds the wait for any one command (proves "no hang"; no command needs more than a few seconds).
BOUND = 60


class Cli:
    """Runs ``python -m scaleapi`` against the emulator, with the test key in the environment."""

    def __init__(self, emu: Any, cwd: Path) -> None:
        self.emu = emu
        self.cwd = cwd
        self.env = dict(os.environ, SCALE_API_KEY=TEST_KEY, SCALE_API_BASE_URL=emu.url,
                        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.env.pop("HTTP_PROXY", None)
        self.env.pop("http_proxy", None)

    def command(self, *args: str) -> List[str]:
        """The argument vector of ``scaleapi <args>``."""
        return [sys.executable, "-m", "scaleapi", *args]

    def __call__(self, *args: str, stdin: Optional[str] = None,
                 env: Optional[Dict[str, Optional[str]]] = None) -> "subprocess.CompletedProcess[str]":
        environment = dict(self.env)
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        return subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True,
                              env=environment, cwd=str(self.cwd), timeout=BOUND, check=False)


@pytest.fixture
def scaleapi(emu: Any, tmp_path: Path) -> Cli:
    """``scaleapi(*args)`` runs the command; returns the CompletedProcess."""
    return Cli(emu, tmp_path)


def lines(text: str) -> List[Dict[str, Any]]:
    """Parse JSON Lines output."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def api_requests(emu: Any) -> List[Dict[str, Any]]:
    """The API requests the emulator received (its control API left out)."""
    return [r for r in emu.requests() if r["path"].startswith("/v1/")]


def assert_one_line_no_traceback(err: str) -> None:
    """stderr holds exactly one message line and no Python traceback."""
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err


# -- every documented command ------------------------------------------------------------------


def test_a_session_with_every_command(scaleapi: Cli, emu: Any, tmp_path: Path) -> None:
    """Projects, batches and tasks, each command once, as docs/cli.md shows them."""
    done = scaleapi("projects", "create", PROJECT, "--type", "imageannotation",
                    "--params", '{"instruction": "box the cars"}')
    assert done.returncode == 0 and json.loads(done.stdout)["name"] == PROJECT, done.stderr
    assert json.loads(scaleapi("projects", "get", PROJECT).stdout)["type"] == "imageannotation"
    assert [p["name"] for p in lines(scaleapi("projects", "list").stdout)] == [PROJECT]

    done = scaleapi("batches", "create", "b1", "--project", PROJECT, "--metadata", '{"week": 7}')
    assert done.returncode == 0 and json.loads(done.stdout)["metadata"] == {"week": 7}, done.stderr
    assert [b["name"] for b in lines(scaleapi("batches", "list", "--project", PROJECT).stdout)] == ["b1"]
    assert json.loads(scaleapi("batches", "get", "b1").stdout)["name"] == "b1"
    assert scaleapi("batches", "finalize", "b1").returncode == 0
    assert "status" in json.loads(scaleapi("batches", "status", "b1").stdout)

    source = tmp_path / "payloads.jsonl"
    source.write_text("".join(json.dumps(payload(i, batch="b1")) + "\n" for i in range(5)))
    done = scaleapi("tasks", "create", "imageannotation", "--file", str(source), "--no-progress")
    created = lines(done.stdout)
    assert done.returncode == 0 and [c["index"] for c in created] == list(range(5)), done.stderr
    assert done.stderr == "scaleapi: 5 succeeded (0 from the journal), 0 failed, 0 skipped\n"
    ids = [c["task_id"] for c in created]

    assert json.loads(scaleapi("tasks", "get", ids[0]).stdout)["task_id"] == ids[0]
    assert [t["task_id"] for t in lines(scaleapi("tasks", "get", *ids[:2]).stdout)] == ids[:2]
    listed = lines(scaleapi("tasks", "list", "--batch", "b1", "--status", "completed", "--limit", "3").stdout)
    assert len(listed) == 3 and {t["task_id"] for t in listed} <= set(ids)
    assert json.loads(scaleapi("tasks", "count", "--project", PROJECT).stdout) == {"count": 5}
    target = tmp_path / "export.jsonl"
    done = scaleapi("tasks", "export", str(target), "--project", PROJECT, "--workers", "2")
    assert done.returncode == 0 and json.loads(done.stdout)["count"] == 5, done.stderr
    assert sorted(t["task_id"] for t in lines(target.read_text())) == sorted(ids)

    # Live mode (tasks stay pending), with the key given as a flag.
    live = Client(LIVE_KEY, api_instance_url=emu.url)
    live.create_project(PROJECT, "imageannotation")
    pending = [t.id for t in live.create_tasks("imageannotation", [payload(i) for i in range(2)]).succeeded]
    live.close()
    done = scaleapi("--api-key", LIVE_KEY, "tasks", "cancel", pending[0], "--no-progress")
    assert done.returncode == 0 and lines(done.stdout)[0]["status"] == "canceled", done.stderr
    emu.complete_task(pending[1])
    done = scaleapi("--api-key", LIVE_KEY, "tasks", "wait", *pending, "--timeout", "10", "--poll", "0.05")
    assert [t["status"] for t in lines(done.stdout)] == ["canceled", "completed"], done.stderr
    assert LIVE_KEY not in done.stdout + done.stderr


def subcommands(parser: argparse.ArgumentParser) -> Dict[str, argparse.ArgumentParser]:
    """Every leaf command (``"tasks list"`` -> its parser)."""
    found: Dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # pylint: disable=protected-access
        if isinstance(action, argparse._SubParsersAction):  # pylint: disable=protected-access
            for name, child in action.choices.items():
                inner = subcommands(child)
                if not inner:
                    found[name] = child
                found.update({f"{name} {key}": value for key, value in inner.items()})
    return found


def all_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every option and argument of the parser and its subcommands, and every subcommand's entry."""
    for action in parser._actions:  # pylint: disable=protected-access
        if isinstance(action, argparse._SubParsersAction):  # pylint: disable=protected-access
            yield from action._choices_actions  # pylint: disable=protected-access  # their help lines
            for name, child in action.choices.items():
                if name != "emulator":  # the emulator has its own parser and help
                    yield from all_actions(child)
        else:
            yield action


def test_every_command_and_option_has_help_and_is_documented() -> None:
    """Every command and option has help text, and docs/cli.md names every command and flag."""
    parser = cli.build_parser()
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = subcommands(parser)
    assert set(commands) >= {"tasks list", "tasks create", "batches status", "projects create", "emulator"}
    assert all(action.help for action in all_actions(parser))
    for name, command in commands.items():
        if name == "emulator":
            continue  # its own parser, with its own help
        assert command.description and "examples:" in (command.epilog or ""), name
        assert f"scaleapi {name}" in docs or f"`{name.split()[-1]} " in docs, name
        for action in command._actions:  # pylint: disable=protected-access
            assert action.help, (name, action.dest)
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in docs, (name, flag)
    for flag in ("--api-key", "--base-url", "--version"):
        assert flag in docs


def test_top_level_help_has_examples_and_exit_statuses(scaleapi: Cli) -> None:
    """``scaleapi --help``: examples, the exit status table, and why the key belongs in the environment."""
    done = scaleapi("--help")
    assert done.returncode == 0 and done.stderr == ""
    assert "examples:\n  export SCALE_API_KEY=" in done.stdout
    table = done.stdout.split("exit status:\n", 1)[1]
    assert [line.split()[0] for line in table.splitlines() if line[:3].strip().isdigit()] == \
        ["0", "1", "2", "3", "130", "141"]
    assert "--api-key KEY" in done.stdout and "process list" in done.stdout
    done = scaleapi("tasks", "list", "--help")
    assert done.returncode == 0 and "examples:\n  scaleapi tasks list --project" in done.stdout


def test_version_says_which_sdk_this_is(scaleapi: Cli) -> None:
    """``--version`` tells this SDK from the official client of the same name and version."""
    done = scaleapi("--version")
    assert done.returncode == 0
    assert re.fullmatch(r"scaleapi \S+ \(this SDK, with emulator; compatible with the official scaleapi "
                        r"\d+\.\d+\.\d+ client\)\n", done.stdout), done.stdout


# -- usage errors: exit 2, the flag named, nothing sent -----------------------------------------


@pytest.mark.parametrize("args, named", [
    (["tasks", "list"], "--project or --batch"),
    (["tasks", "count"], "--project or --batch"),
    (["tasks", "export", "out.jsonl"], "--project or --batch"),
    (["tasks", "list", "--project", PROJECT, "--limit", "0"], "argument --limit: must be at least 1"),
    (["tasks", "list", "--project", PROJECT, "--status", "complted"],
     "argument --status: unknown task status 'complted'; did you mean 'completed'?"),
    (["tasks", "count", "--project", PROJECT, "--review-status", "accepted,fixd"],
     "argument --review-status: unknown review status 'fixd'; did you mean 'fixed'?"),
    (["tasks", "list", "--project", PROJECT, "--type", "imageanotation"],
     "argument --type: unknown task type 'imageanotation'; did you mean 'imageannotation'?"),
    (["tasks", "list", "--project", PROJECT, "--created-after", "yesterday"],
     "argument --created-after: not an ISO-8601 date or time: 'yesterday'"),
    (["tasks", "list", "--project", PROJECT, "--updated-before", "2024-13-01"], "argument --updated-before"),
    (["tasks", "export", "out.jsonl", "--project", PROJECT, "--workers", "0"], "argument --workers"),
    (["tasks", "cancel"], "give TASK_ID arguments, or --from-file"),
    (["tasks", "cancel", "x", "--concurrency", "0"], "argument --concurrency: must be at least 1"),
    (["tasks", "wait", "x", "--timeout", "0"], "argument --timeout"),
    (["tasks", "wait", "x", "--poll", "soon"], "argument --poll: not a number of seconds"),
    (["tasks", "get"], "TASK_ID"),
    (["tasks", "create", "imageannotation"], "--file"),
    (["projects", "create", "p", "--type", "imageanotation"],
     "argument --type: unknown task type 'imageanotation'; did you mean 'imageannotation'?"),
    (["projects", "create", "p", "--type", "imageannotation", "--params", "[1]"],
     "argument --params: must be a JSON object"),
    (["projects", "create", "p"], "--type"),
    (["batches", "create", "b", "--project", PROJECT, "--metadata", "{oops"],
     "argument --metadata: not valid JSON"),
    (["batches", "create", "b"], "--project"),
    (["batches", "list", "--status", "staged"], "argument --status: unknown batch status 'staged'"),
    (["tasks", "frobnicate"], "invalid choice: 'frobnicate'"),
], ids=lambda value: "-".join(value)[:60] if isinstance(value, list) else None)
def test_a_usage_error_exits_2_naming_the_flag_before_any_request(
    scaleapi: Cli, emu: Any, args: List[str], named: str
) -> None:
    """Each usage error: status 2, the flag (not a Python or API parameter) named on stderr, nothing sent."""
    done = scaleapi(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and named in done.stderr and "Traceback" not in done.stderr
    python_names = r"project_name|batch_name|start_time|end_time|customer_review_status"
    assert re.search(python_names, done.stderr) is None
    assert api_requests(emu) == []


def test_no_key_is_a_usage_error(scaleapi: Cli, emu: Any) -> None:
    """No key: status 2, one line naming the variable and the flag."""
    done = scaleapi("projects", "list", env={"SCALE_API_KEY": None})
    assert done.returncode == 2
    assert done.stderr == "scaleapi: error: no API key: set SCALE_API_KEY (or pass --api-key)\n"
    assert api_requests(emu) == []


def test_a_misspelled_task_type_is_refused_once_and_nothing_is_sent(
    scaleapi: Cli, emu: Any, tmp_path: Path
) -> None:
    """300 payloads and a misspelled type: one message with the closest type, not 300 failed requests."""
    source = tmp_path / "payloads.jsonl"
    source.write_text("".join(json.dumps(payload(i)) + "\n" for i in range(300)))
    done = scaleapi("tasks", "create", "imageanotation", "--file", str(source), "--no-progress")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("error:") == 1
    hint = "argument TASK_TYPE: unknown task type 'imageanotation'; did you mean 'imageannotation'?"
    assert hint in done.stderr
    assert api_requests(emu) == []


# -- output to a closed pipe ---------------------------------------------------------------------


def test_a_closed_pipe_ends_the_listing_quietly(scaleapi: Cli, client: Client) -> None:
    """``scaleapi tasks list ... | head -1``: the command stops, says nothing, exits 141."""
    client.create_tasks("imageannotation", [payload(i) for i in range(300)]).raise_for_failures()
    with subprocess.Popen(scaleapi.command("tasks", "list", "--project", PROJECT), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=scaleapi.env, cwd=str(scaleapi.cwd)) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away, as `head -1` does
        err = process.stderr.read().decode()
        status = process.wait(timeout=BOUND)
    assert json.loads(first)["project"] == PROJECT
    assert status == cli.EXIT_CLOSED_PIPE == 141
    assert err == ""


# -- named things that do not exist --------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["tasks", "list", "--project", "kitens"], "project 'kitens' not found"),
    (["tasks", "count", "--project", "kitens"], "project 'kitens' not found"),
    (["tasks", "list", "--project", PROJECT, "--batch", "nob"], "batch 'nob' not found"),
    (["tasks", "count", "--batch", "nob"], "batch 'nob' not found"),
    (["tasks", "export", "out.jsonl", "--project", "kitens"], "project 'kitens' not found"),
    (["batches", "list", "--project", "kitens"], "project 'kitens' not found"),
], ids=["list-project", "count-project", "list-batch", "count-batch", "export-project", "batches-project"])
def test_a_missing_project_or_batch_is_said_with_status_3(
    scaleapi: Cli, client: Client, emu: Any, args: List[str], message: str
) -> None:
    """A misspelled project or batch is not an empty listing: one line, status 3, no listing request."""
    client.create_tasks("imageannotation", [payload(0)]).raise_for_failures()
    before = len(api_requests(emu))
    done = scaleapi(*args)
    assert (done.returncode, done.stdout, done.stderr) == (3, "", f"scaleapi: error: {message}\n")
    asked = [r["path"] for r in api_requests(emu)[before:]]
    assert all(not path.startswith("/v1/tasks") for path in asked) and len(asked) <= 2, asked


@pytest.mark.parametrize("args, message", [
    (["tasks", "get", "abc"], "task 'abc' not found"),
    (["tasks", "wait", "abc", "--timeout", "5"], "task 'abc' not found"),
    (["batches", "get", "nob"], "batch 'nob' not found"),
    (["batches", "status", "nob"], "batch 'nob' not found"),
    (["batches", "finalize", "nob"], "batch 'nob' not found"),
    (["projects", "get", "kitens"], "project 'kitens' not found"),
], ids=["task", "wait", "batch", "batch-status", "finalize", "project"])
def test_a_404_names_what_was_not_found(scaleapi: Cli, args: List[str], message: str) -> None:
    """A 404 says which task, batch or project does not exist; status 3."""
    done = scaleapi(*args)
    assert (done.returncode, done.stdout, done.stderr) == (3, "", f"scaleapi: error: {message}\n")


def test_a_second_task_id_not_found_is_named(scaleapi: Cli, client: Client) -> None:
    """``tasks get A B`` with B missing: A is printed, then B is named."""
    task = client.create_task("imageannotation", **payload(0))
    done = scaleapi("tasks", "get", task.id, "no-such-task")
    assert done.returncode == 3 and [t["task_id"] for t in lines(done.stdout)] == [task.id]
    assert done.stderr == "scaleapi: error: task 'no-such-task' not found\n"


def test_a_bulk_line_names_the_task_not_found(scaleapi: Cli, emu: Any) -> None:
    """``tasks cancel`` of an unknown id: its line names the id."""
    done = scaleapi("--api-key", LIVE_KEY, "tasks", "cancel", "no-such-task", "--no-progress")
    assert done.returncode == 1
    assert lines(done.stdout) == [{"index": 0, "ok": False,
                                   "error": "ScaleResourceNotFound (404): task 'no-such-task' not found"}]
    assert len(api_requests(emu)) == 1


# -- export onto a finished file -------------------------------------------------------------------


def test_export_refuses_to_replace_a_finished_file_without_force(
    scaleapi: Cli, client: Client, emu: Any, tmp_path: Path
) -> None:
    """A finished export is kept unless --force; an unfinished one is resumed without it."""
    client.create_tasks("imageannotation", [payload(i) for i in range(6)]).raise_for_failures()
    target = tmp_path / "kittens.jsonl"
    target.write_text("my earlier export\n")
    before = len(api_requests(emu))
    done = scaleapi("tasks", "export", str(target), "--project", PROJECT)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"scaleapi: error: {target} already exists (a finished export?); "
                           "add --force to replace it\n")
    assert target.read_text() == "my earlier export\n" and len(api_requests(emu)) == before

    done = scaleapi("tasks", "export", str(target), "--project", PROJECT, "--force")
    assert done.returncode == 0 and json.loads(done.stdout)["count"] == 6, done.stderr
    assert len(lines(target.read_text())) == 6

    # An export that stops part-way leaves <path>.parts/ (and the old file): a rerun resumes it.
    emu.add_fault(action="delay", method="GET", path="/v1/tasks", delay_ms=0, count=2)
    emu.add_fault(action="status", method="GET", path="/v1/tasks", status=400, count=1)
    done = scaleapi("tasks", "export", str(target), "--project", PROJECT, "--force", "--workers", "1")
    assert done.returncode == 1 and (tmp_path / "kittens.jsonl.parts").is_dir(), done.stderr
    emu.clear_faults()
    done = scaleapi("tasks", "export", str(target), "--project", PROJECT, "--workers", "1")
    assert done.returncode == 0 and json.loads(done.stdout)["count"] == 6, done.stderr
    assert len(lines(target.read_text())) == 6 and not (tmp_path / "kittens.jsonl.parts").exists()


# -- an unreachable server -------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (bound once to find it free, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


def test_an_unreachable_server_is_one_line_naming_the_url(scaleapi: Cli, closed_port: int) -> None:
    """Nothing listening: one line naming the URL and why, and a hint to start the emulator there."""
    url = f"http://127.0.0.1:{closed_port}/v1"
    done = scaleapi("--base-url", url, "projects", "list")
    assert (done.returncode, done.stdout) == (1, "")
    assert_one_line_no_traceback(done.stderr)
    assert done.stderr.startswith(f"scaleapi: error: cannot reach {url}: connection refused"), done.stderr
    assert f"scaleapi emulator --port {closed_port}" in done.stderr
    done = scaleapi("projects", "list", env={"SCALE_API_BASE_URL": url})
    assert done.returncode == 1 and f"cannot reach {url}: connection refused" in done.stderr


def test_a_connection_lost_mid_command_is_one_line_naming_the_url(scaleapi: Cli, emu: Any) -> None:
    """The server drops every connection: after the retries, one line naming the URL and why."""
    emu.add_fault(action="drop_before", method="GET", path="/v1/projects")
    done = scaleapi("projects", "list")
    assert (done.returncode, done.stdout) == (1, "")
    assert_one_line_no_traceback(done.stderr)
    assert done.stderr.startswith(f"scaleapi: error: cannot reach {emu.url}: "), done.stderr
    assert "HTTPConnectionPool" not in done.stderr and "Max retries" not in done.stderr


def test_the_key_given_as_a_flag_is_never_printed(scaleapi: Cli, closed_port: int) -> None:
    """Neither a failure nor a usage error shows a key given with --api-key."""
    secret = "live_flag_key_0123456789"
    for args in (["--api-key", secret, "tasks", "get", "abc"],
                 ["--api-key", secret, "--base-url", f"http://127.0.0.1:{closed_port}/v1", "projects",
                  "list"],
                 ["--api-key", secret, "tasks", "list", "--limit", "0"]):
        done = scaleapi(*args, env={"SCALE_API_KEY": None})
        assert done.returncode != 0 and secret not in done.stdout + done.stderr
