"""The mistakes a newcomer makes first, and what the SDK says about them.

Errors without an HTTP response read as plain messages; a misspelled task type, status or keyword
names the closest valid one before anything is sent (checked on the emulator's request log); a
task parameter asked for as an attribute points to ``task.params``; argument errors name
``ScaleClient``; the pytest plugin without werkzeug gives the install command; the emulator and the
User-Agent say what they are.
"""
# pytest passes fixtures as same-named parameters.
# pylint: disable=redefined-outer-name
import inspect
import os
import pydoc
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest
from support.sdk import image_task_payload

import scaleapi
from scaleapi import ScaleClient, TaskReviewStatus, TaskStatus, TaskType
from scaleapi._client_tasks import TasksMixin
from scaleapi.bulk import BulkError
from scaleapi.emulator.rules.validation import REVIEW_STATUSES, TASK_STATUSES, TASK_TYPES
from scaleapi.exceptions import (
    ScaleConnectionError,
    ScaleException,
    ScaleInvalidChoice,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
    ScaleWaitTimeout,
)

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# Errors without a response -------------------------------------------------------------------


def test_errors_without_a_response_are_just_their_message(
    monkeypatch: pytest.MonkeyPatch, live_client: ScaleClient
) -> None:
    """No key, a wait that ran out, a refused connection: no "<Response>" in front."""
    monkeypatch.delenv("SCALE_API_KEY", raising=False)
    with pytest.raises(ScaleException) as no_key:
        ScaleClient()
    task = live_client.create_task(TaskType.ImageAnnotation, **image_task_payload())
    with pytest.raises(ScaleWaitTimeout) as waited:
        task.wait(timeout=0.05, poll=0.01)
    dead_url = f"http://127.0.0.1:{_closed_port()}/v1"
    with ScaleClient("test_x", api_instance_url=dead_url, max_retries=0) as dead:
        with pytest.raises(ScaleConnectionError) as refused:
            dead.get_task("abc")
    for error in (no_key.value, waited.value, refused.value):
        assert error.code is None
        assert str(error) == error.message and not str(error).startswith("<Response")
    assert "SCALE_API_KEY" in str(no_key.value)


def test_a_connection_failure_is_one_line_naming_the_url_and_why() -> None:
    """Not urllib3's nested text: which URL could not be reached, and the operating system's reason."""
    dead_url = f"http://127.0.0.1:{_closed_port()}/v1"
    with ScaleClient("test_x", api_instance_url=dead_url, max_retries=0) as dead:
        with pytest.raises(ScaleConnectionError) as refused:
            dead.get_tasks_count(project_name="kittens")
    assert str(refused.value) == f"cannot reach {dead_url}/tasks: Connection refused (ConnectionError)"


def test_http_errors_keep_the_response_prefix(live_client: ScaleClient) -> None:
    """The official client's users match on "<Response [404]> ..."; that form stays."""
    with pytest.raises(ScaleResourceNotFound) as err:
        live_client.get_task("no-such-task")
    assert str(err.value) == f"<Response [404]> {err.value.message}"


def test_bulk_error_names_each_status_once(live_client: ScaleClient) -> None:
    """A BulkError is not a response, and each failure shows its status once, in words."""
    result = live_client.cancel_tasks(["missing-1", "missing-2"], concurrency=1)
    with pytest.raises(BulkError) as err:
        result.raise_for_failures()
    text = str(err.value)
    assert "<Response" not in text
    assert text.startswith("2 of 2 items failed (0 succeeded, 0 skipped): ")
    assert text.count("ScaleResourceNotFound (HTTP 404): ") == 2
    assert "#0: " in text and "#1: " in text


# Misspelled values, refused before sending ----------------------------------------------------


def test_misspelled_task_type_names_the_closest_and_sends_nothing(emu: Any, client: ScaleClient) -> None:
    """create_task, create_project, quality tasks and the get_tasks filters check their values first."""
    calls: List[Any] = [
        lambda: client.create_task("imageanotation", **image_task_payload()),
        lambda: client.create_project("p", "ImageAnnotation"),
        lambda: client.create_evaluation_task("textcolection", expected_response={}),
        lambda: client.create_training_task("textcolection", expected_response={}),
        lambda: client.get_tasks(project_name="p", task_type="imageanotation"),
        lambda: client.get_tasks_count(project_name="p", status="complete"),
        lambda: client.get_tasks(project_name="p", review_status=["accepted", "fixd"]),
        lambda: client.get_tasks_count(project_name="p", review_status="accepted,rejectd"),
    ]
    expected = [
        "unknown task type 'imageanotation'. Did you mean 'imageannotation' (TaskType.ImageAnnotation)?",
        "unknown task type 'ImageAnnotation'. Did you mean 'imageannotation' (TaskType.ImageAnnotation)?",
        "unknown task type 'textcolection'. Did you mean 'textcollection' (TaskType.TextCollection)?",
        "unknown task type 'textcolection'. Did you mean 'textcollection' (TaskType.TextCollection)?",
        "unknown task type 'imageanotation'. Did you mean 'imageannotation' (TaskType.ImageAnnotation)?",
        "unknown task status 'complete'. Did you mean 'completed' (TaskStatus.Completed)?",
        "unknown review status 'fixd'. Did you mean 'fixed' (TaskReviewStatus.Fixed)?",
        "unknown review status 'rejectd'. Did you mean 'rejected' (TaskReviewStatus.Rejected)?",
    ]
    for call, message in zip(calls, expected):
        with pytest.raises(ScaleInvalidChoice) as err:
            call()
        assert str(err.value) == message
        # Code catching the server's 400 for a bad type, or a ValueError for a bad argument, still works.
        assert isinstance(err.value, ScaleInvalidRequest) and isinstance(err.value, ValueError)
        assert err.value.code is None
    assert emu.requests() == []


def test_a_value_far_from_every_choice_lists_them_all(emu: Any, client: ScaleClient) -> None:
    with pytest.raises(ScaleInvalidChoice) as err:
        client.create_task("xyz", **image_task_payload())
    assert str(err.value).startswith("unknown task type 'xyz'; the valid values are: annotation, ")
    assert all(member.value in str(err.value) for member in TaskType)
    assert emu.requests() == []


def test_every_value_the_server_takes_is_accepted(emu: Any, client: ScaleClient) -> None:
    """The client-side check refuses nothing the API takes: every type, status and review status."""
    assert {member.value for member in TaskType} == set(TASK_TYPES)
    assert {member.value for member in TaskStatus} == set(TASK_STATUSES)
    assert {member.value for member in TaskReviewStatus} == set(REVIEW_STATUSES)
    for task_type in sorted(TASK_TYPES):
        client.get_tasks_count(project_name="p", task_type=task_type)
        client.get_tasks_count(project_name="p", task_type=TaskType(task_type))
    for status in TASK_STATUSES:
        client.get_tasks_count(project_name="p", status=status)
    client.get_tasks_count(project_name="p", review_status=list(REVIEW_STATUSES))
    client.get_tasks_count(project_name="p", review_status="accepted,fixed")
    served = emu.requests()
    assert len(served) == 2 * len(TASK_TYPES) + len(TASK_STATUSES) + 2
    assert all(entry["status"] == 200 for entry in served)
    assert "customer_review_status=accepted%2Cfixed" in served[-1]["query"]
    created = client.create_task("imageannotation", **image_task_payload())
    assert created.type == "imageannotation"


# Task parameters as attributes --------------------------------------------------------------


def test_a_task_parameter_read_as_an_attribute_points_to_params(client: ScaleClient) -> None:
    task = client.create_task(TaskType.ImageAnnotation, **image_task_payload())
    with pytest.raises(AttributeError) as err:
        _ = task.geometries
    assert str(err.value) == (
        "'Task' object has no attribute 'geometries'; "
        'it is a task parameter: read task.params["geometries"]'
    )
    assert task.params["geometries"]["box"]["min_width"] == 10
    # Still an AttributeError, so hasattr() and getattr() with a default keep working.
    assert not hasattr(task, "attachment") and getattr(task, "geometries", "default") == "default"
    with pytest.raises(AttributeError, match=r'this task has no params\["taxonomies"\]'):
        _ = task.taxonomies
    with pytest.raises(AttributeError) as plain:
        _ = task.no_such_thing
    assert str(plain.value) == "'Task' object has no attribute 'no_such_thing'"


# Argument errors name ScaleClient ------------------------------------------------------------


def test_argument_errors_name_scale_client_and_the_closest_keyword(emu: Any, client: ScaleClient) -> None:
    cases: Dict[str, Any] = {
        "ScaleClient.get_tasks() got an unexpected keyword argument 'project'. Did you mean 'project_name'?":
            lambda: client.get_tasks(project="p"),  # type: ignore[call-arg]
        "ScaleClient.get_tasks_count() got an unexpected keyword argument 'type'. Did you mean 'task_type'?":
            lambda: client.get_tasks_count(project_name="p", type="imageannotation"),  # type: ignore[call-arg]
        "ScaleClient.get_tasks() got an unexpected keyword argument 'projct_name'. "
        "Did you mean 'project_name'?":
            lambda: client.get_tasks(projct_name="p"),  # type: ignore[call-arg]
        "ScaleClient.get_tasks() got an unexpected keyword argument 'zzz'":
            lambda: client.get_tasks(zzz="p"),  # type: ignore[call-arg]
        "ScaleClient.get_task() missing 1 required positional argument: 'task_id'":
            client.get_task,
        "ScaleClient.create_batch() got an unexpected keyword argument 'name'":
            lambda: client.create_batch(name="b", project="p"),  # type: ignore[call-arg]  # pylint: disable=unexpected-keyword-arg
    }  # fmt: skip
    for message, call in cases.items():
        with pytest.raises(TypeError) as err:
            call()
        assert str(err.value) == message
    with pytest.raises(ScaleInvalidRequest) as illegal:
        client.tasks(project_name="p")
    assert illegal.value.message == (
        "Illegal parameter project_name for ScaleClient.tasks(). Did you mean 'project'?"
    )
    assert emu.requests() == []


def test_every_public_method_reports_as_scale_client() -> None:
    for name in dir(ScaleClient):
        method = getattr(ScaleClient, name)
        if not name.startswith("_") and inspect.isfunction(method):
            assert method.__qualname__ == f"ScaleClient.{name}", name


def test_the_keyword_check_keeps_the_typed_signature() -> None:
    """inspect and help() still show get_tasks' own parameters and annotations."""
    for name in ("get_tasks", "get_tasks_count"):
        original = inspect.signature(getattr(TasksMixin, name))
        assert inspect.signature(getattr(ScaleClient, name)) == original
        assert "project_name" in original.parameters and "kwargs" not in original.parameters
    rendered = pydoc.render_doc(ScaleClient.get_tasks, renderer=pydoc.plaintext)  # type: ignore[attr-defined]  # not in typeshed
    assert "get_tasks(self, project_name: Optional[str] = None, batch_name: Optional[str] = None" in rendered
    assert "Iterate over every task matching the filters" in rendered


# The pytest plugin without the emulator extra -------------------------------------------------


def test_the_pytest_plugin_without_werkzeug_gives_the_install_hint(tmp_path: Path) -> None:
    """Only tests that use a fixture fail, and they say how to install the extra."""
    (tmp_path / "conftest.py").write_text("import sys\nsys.modules['werkzeug'] = None  # not installed\n")
    (tmp_path / "test_plugin_user.py").write_text(textwrap.dedent('''
        def test_without_the_emulator():
            assert True

        def test_with_the_client(scale_client):
            assert False, "never reached"
    '''))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "scaleapi.emulator.pytest_plugin", str(tmp_path / "test_plugin_user.py")],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=str(tmp_path),
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 passed, 1 error" in output
    assert 'python -m pip install -e ".[emulator]"' in output
    assert "ModuleNotFoundError" not in output and "Traceback" not in output


@pytest.mark.parametrize("command", [["scaleapi", "emulator"], ["scaleapi.emulator"]])
def test_the_emulator_commands_without_werkzeug_give_this_projects_install_command(
    command: List[str],
) -> None:
    """``pip install "scaleapi[emulator]"`` would fetch the official client: the hint installs this one."""
    code = (
        "import runpy, sys\n"
        "sys.modules['werkzeug'] = None  # not installed\n"
        f"sys.argv = ['x', *{command[1:]!r}, '--port', '0']\n"
        f"runpy.run_module({command[0]!r}, run_name='__main__')\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=60, check=False)  # fmt: skip
    assert result.returncode != 0
    assert 'from a checkout of this SDK run: python -m pip install -e ".[emulator]"' in result.stderr
    assert "scaleapi[emulator]" not in result.stderr and "Traceback" not in result.stderr


# Identity: the emulator and the User-Agent ---------------------------------------------------


def test_emulator_repr_shows_where_and_what() -> None:
    from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel

    emulator = Emulator(callback_auth_key="cb-secret-key")
    assert repr(emulator) == "Emulator(host='127.0.0.1', port=0, running=False, db=':memory:')"
    with emulator:
        assert repr(emulator) == f"Emulator(url={emulator.url!r}, running=True, db=':memory:')"
        assert "cb-secret-key" not in repr(emulator)


def test_user_agent_tells_this_sdk_apart(recorder: Any) -> None:
    """On the wire: the official client's leading product token, then this SDK's own, then the source."""
    recorder.responder = lambda seen: (200, {"task_id": "abc"})
    with ScaleClient("test_ua_key", source="mytool", api_instance_url=recorder.url) as client:
        client.get_task("abc")
    agent = recorder.last.headers["user-agent"]
    version = scaleapi.__version__
    assert agent.startswith(f"scaleapi/{version} Python/")
    assert agent.endswith(f" scaleapi-sdk (independent; compatible {version}) mytool")


def test_package_metadata_is_complete() -> None:
    """What ``pip show`` reads: author, home page, a description naming the official release."""
    result = subprocess.run(
        [sys.executable, "setup.py", "--author", "--maintainer", "--url", "--description", "--classifiers"],
        capture_output=True, text=True, cwd=str(ROOT), timeout=60, check=True,
    )  # fmt: skip
    author, maintainer, url, description, *classifiers = result.stdout.splitlines()
    assert author == maintainer == "The scaleapi SDK authors" and url.startswith("https://")
    assert description.startswith("Independent Python SDK")
    assert f"compatible with the official scaleapi {scaleapi.__version__} client" in description
    for minor in range(9, 14):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
