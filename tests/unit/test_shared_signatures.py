"""Methods whose parameters are written once: the bulk tag methods and ``export_tasks``."""
import inspect
import subprocess
import sys

import pytest

from scaleapi import ScaleClient
from scaleapi.export import export_tasks

CLIENT = ScaleClient("test_signatures_key", api_instance_url="http://127.0.0.1:9/v1")


@pytest.mark.parametrize("name", ["add_tasks_tags", "delete_tasks_tags"])
def test_the_tag_methods_take_the_parameters_of_set_tasks_tags(name: str) -> None:
    """Their signature (what ``help`` shows) is ``set_tasks_tags``'s, parameter for parameter."""
    assert inspect.signature(getattr(ScaleClient, name)) == inspect.signature(ScaleClient.set_tasks_tags)
    assert inspect.signature(getattr(CLIENT, name)) == inspect.signature(CLIENT.set_tasks_tags)


@pytest.mark.parametrize(
    ("name", "first", "typo", "meant"),
    [
        ("add_tasks_tags", ["t1"], "concurency", "concurrency"),
        ("delete_tasks_tags", ["t1"], "retry_budjet", "retry_budget"),
        ("export_tasks", "out.jsonl", "workres", "workers"),
    ],
)
def test_a_misspelled_keyword_names_the_method_and_the_closest_parameter(
    name: str, first: object, typo: str, meant: str
) -> None:
    """Refused before anything runs (the port is closed: a request would be a connection error)."""
    with pytest.raises(TypeError) as caught:
        getattr(CLIENT, name)(first, **{typo: 2})
    assert str(caught.value) == (
        f"ScaleClient.{name}() got an unexpected keyword argument {typo!r}. Did you mean {meant!r}?"
    )


def test_export_tasks_is_the_export_function_with_the_client_first() -> None:
    """``client.export_tasks`` shows ``scaleapi.export.export_tasks``'s parameters without ``client``."""
    expected = list(inspect.signature(export_tasks).parameters)[1:]
    assert list(inspect.signature(CLIENT.export_tasks).parameters) == expected
    assert ScaleClient.export_tasks.__qualname__ == "ScaleClient.export_tasks"
    assert ScaleClient.export_tasks.__doc__ == export_tasks.__doc__


def test_the_export_engine_is_imported_at_the_first_lookup_not_at_import() -> None:
    """``import scaleapi`` and a client leave ``scaleapi.export`` unloaded until ``export_tasks`` is read."""
    code = (
        "import sys, scaleapi\n"
        "client = scaleapi.ScaleClient('test_signatures_key')\n"
        "print('scaleapi.export' in sys.modules)\n"
        "client.export_tasks\n"
        "print('scaleapi.export' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["False", "True"]


def test_python_s_own_argument_errors_name_the_method_too() -> None:
    """Too many positional arguments: the error names ``ScaleClient.add_tasks_tags``, not a mixin."""
    with pytest.raises(TypeError) as caught:
        CLIENT.add_tasks_tags(["t1"], ["tag"], 4)  # type: ignore[call-arg]  # pylint: disable=too-many-function-args
    assert str(caught.value).startswith("ScaleClient.add_tasks_tags() takes from 2 to 3 positional arguments")
    assert ScaleClient.set_tasks_tags.__qualname__ == "ScaleClient.set_tasks_tags"  # the template keeps it
