"""The emulator introduces itself: start-up lines that paste into a shell, and 401s that say what to do.

The start-up tests run the real command as a subprocess and paste its ``export`` lines into ``sh``,
which then runs an SDK client configured by nothing but those variables.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest

from support.emulator import IMAGE_TASK, Api, error_of

from scaleapi import ScaleClient
from scaleapi.emulator import Emulator
from scaleapi.emulator.__main__ import banner
from scaleapi.exceptions import ScaleUnauthorized

ROOT = Path(__file__).resolve().parents[2]
PINNED_LIVE = "live_pinned_Z9y8x7w6v5"
PINNED_TEST = "test_pinned_Q1w2e3r4t5"
REFUSED = "NotAScaleKey_5e4f3a2b1c"

# Run by the shell after the pasted lines: a client from the environment alone creates one task.
CREATE_ONE_TASK = f"""
import scaleapi
with scaleapi.ScaleClient() as client:
    task = client.create_task("imageannotation", **{IMAGE_TASK!r})
    print(task.status)
"""


def _env() -> Dict[str, str]:
    proxies = ("http_proxy", "https_proxy", "all_proxy")
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("SCALE_API_") and name.lower() not in proxies}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., List[str]]]:
    """Start ``command --port 0 ...`` and return its start-up lines (through the Ctrl-C line)."""
    running: List["subprocess.Popen[str]"] = []

    def run(command: List[str], *flags: str) -> List[str]:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped below
            [sys.executable, *command, "--port", "0", "--db", str(tmp_path / f"e{len(running)}.db"), *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )
        running.append(proc)
        assert proc.stdout is not None
        lines: List[str] = []
        for line in proc.stdout:  # ends at EOF if the process dies
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        assert lines and "Ctrl-C" in lines[-1], lines
        return lines

    yield run
    for proc in running:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def _block(lines: List[str], mode: str) -> List[str]:
    """The comment line naming ``mode`` and the export lines under it."""
    (at,) = [i for i, line in enumerate(lines) if line.strip().startswith(f"# {mode}:")]
    block = [lines[at]]
    for line in lines[at + 1:]:
        if not line.strip().startswith("export "):
            break
        block.append(line)
    return block


def _paste(block: List[str]) -> str:
    """Paste ``block`` into sh as it is, then run the SDK there; returns what it printed."""
    script = "\n".join(block) + f"\nexec {shlex.quote(sys.executable)} -\n"
    done = subprocess.run(["sh", "-c", script], input=CREATE_ONE_TASK, capture_output=True, text=True,
                          env=_env(), timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("command", [["-m", "scaleapi.emulator"], ["-m", "scaleapi", "emulator"]],
                         ids=["python -m scaleapi.emulator", "scaleapi emulator"])
def test_the_start_up_lines_paste_into_a_shell_in_both_modes(
    start: Callable[..., List[str]], command: List[str]
) -> None:
    lines = start(command)
    url = lines[0]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")  # alone on the first line
    test_block, live_block = _block(lines, "test mode"), _block(lines, "live mode")
    assert "tasks complete at creation with a synthetic response" in test_block[0]
    assert "tasks stay pending until" in live_block[0] and "--complete-after" in live_block[0]
    for block, prefix in ((test_block, "test_"), (live_block, "live_")):
        assert [line.split("=")[0].strip() for line in block[1:]] == [
            "export SCALE_API_BASE_URL", "export SCALE_API_KEY"]
        assert block[1].strip() == f"export SCALE_API_BASE_URL={url}"
        assert block[2].strip().startswith(f"export SCALE_API_KEY={prefix}")
    assert _paste(test_block) == "completed"
    assert _paste(live_block) == "pending"
    base = url[: -len("/v1")]
    assert f"  control API:        {base}/_emulator/health" in lines
    assert any(line.startswith("  callback auth key:  ") for line in lines)
    assert lines[-2].strip().startswith("database:") and lines[-2].strip().endswith(".db")


def test_with_pinned_keys_the_start_up_lines_count_them_and_never_print_them(
    start: Callable[..., List[str]]
) -> None:
    lines = start(["-m", "scaleapi.emulator"], "--api-key", PINNED_LIVE, "--api-key", PINNED_TEST)
    text = "\n".join(lines)
    assert PINNED_LIVE not in text and PINNED_TEST not in text
    assert "the 2 keys given with --api-key (1 of them test mode)" in text
    # No example key is offered that this emulator would refuse.
    assert "export SCALE_API_KEY=test_" not in text and "export SCALE_API_KEY=live_" not in text
    assert f"  export SCALE_API_BASE_URL={lines[0]}" in lines


def test_the_live_mode_line_gives_the_complete_after_delay() -> None:
    with Emulator() as emu:
        lines = banner(emu, None, 2.5, None)
    (live,) = [line for line in lines if "# live mode:" in line]
    assert "2.5 s after creation" in live and "/_emulator/tasks/ID/complete" in live
    assert lines[-2] == "  database:           in memory"


def test_a_request_without_a_key_is_told_how_to_send_one(api_for: Callable[[Optional[str]], Api]) -> None:
    message = error_of(api_for(None).get("projects"), 401)
    assert message.startswith("No API key was sent: send your key as the HTTP Basic username")
    assert "starting with test_ (test mode) or live_ (live mode)" in message


def test_a_refused_key_is_told_which_keys_are_accepted_and_how_to_pin_one(
    api_for: Callable[[Optional[str]], Api]
) -> None:
    response = api_for(REFUSED).get("projects")
    message = error_of(response, 401)
    assert message.startswith("This API key is not accepted.")
    assert "starting with test_ (test mode) or live_ (live mode)" in message
    assert "--api-key KEY" in message and "Emulator(api_keys=[...])" in message
    assert REFUSED not in response.text and "NotAScale" not in response.text
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_the_sdk_shows_the_refusal_without_the_key(emu: Emulator) -> None:
    with ScaleClient(REFUSED, api_instance_url=emu.url, max_retries=0) as client:
        with pytest.raises(ScaleUnauthorized) as caught:
            client.get_projects()
    assert "--api-key KEY" in str(caught.value) and REFUSED not in str(caught.value)


def test_a_pinned_emulator_says_only_its_pinned_keys_are_accepted() -> None:
    with Emulator(api_keys=[PINNED_LIVE]) as emu:
        clients = [Api(emu.url, key) for key in ("test_shaped_but_not_pinned", None, PINNED_LIVE)]
        refused, missing, accepted = (client.get("projects") for client in clients)
        for client in clients:
            client.close()
    assert accepted.status_code == 200
    message = error_of(refused, 401)
    assert message.startswith("This API key is not accepted.")
    assert "accepts only the keys it was started with (--api-key)" in message
    assert "one more --api-key KEY" in message
    assert "only the keys it was started with" in error_of(missing, 401)
    for text in (refused.text, missing.text):
        assert PINNED_LIVE not in text and "test_shaped_but_not_pinned" not in text


def test_docs_show_the_start_up_lines_as_printed() -> None:
    """docs/emulator.md quotes the start-up lines; they match the real ones (port and random key aside)."""
    docs = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    quoted = docs.split("It prints how to use it", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    with Emulator() as emu:
        printed = "\n".join(banner(emu, None, None, None)) + "\n"
        printed = printed.replace(f":{emu.port}/", ":8080/").replace(emu.callback_auth_key, "KEY")
    assert re.sub(r"(callback auth key:  )\S+", r"\1KEY", quoted) == printed
