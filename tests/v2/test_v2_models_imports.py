"""The v2 models' import paths: every path imports, which are re-exported, the exception names, and
the laziness of the v2 packages (also when first used from many threads at once).
"""
import importlib
import os
import subprocess
import sys

import pytest
from support.v2_facts import FACTS, ROOT

from scaleapi.api_client.v2 import exceptions as v2_exceptions


# --- imports ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", FACTS["re_exported_model_paths"] + FACTS["not_re_exported"])
def test_every_import_path_imports(path: str) -> None:
    module_name, cls_name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), cls_name)
    assert cls.__name__ == cls_name
    assert cls.__module__ == module_name


@pytest.mark.parametrize("path", FACTS["re_exported_model_paths"])
def test_re_exported_from_v2_and_models(path: str) -> None:
    module_name, cls_name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), cls_name)
    v2 = importlib.import_module("scaleapi.api_client.v2")
    models = importlib.import_module("scaleapi.api_client.v2.models")
    assert getattr(v2, cls_name) is cls
    assert getattr(models, cls_name) is cls
    assert cls_name in v2.__all__ and cls_name in models.__all__


@pytest.mark.parametrize("path", FACTS["not_re_exported"])
def test_the_four_stale_models_are_not_re_exported(path: str) -> None:
    cls_name = path.rsplit(".", 1)[1]
    models = importlib.import_module("scaleapi.api_client.v2.models")
    with pytest.raises(AttributeError):
        getattr(models, cls_name)
    assert cls_name not in models.__all__


def test_v2_re_exports_the_exception_names() -> None:
    from scaleapi.api_client import v2  # pylint: disable=import-outside-toplevel

    for name in ("OpenApiException", "ApiTypeError", "ApiValueError", "ApiKeyError", "ApiAttributeError",
                 "ApiException"):
        assert getattr(v2, name) is getattr(v2_exceptions, name)
    with pytest.raises(AttributeError):
        getattr(v2, "NoSuchName")


def _run(code: str) -> str:
    # The repository and tests/ (for ``support``), as setup.cfg's pythonpath gives the suite itself.
    path = os.pathsep.join([ROOT, os.path.join(ROOT, "tests"), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_scaleapi_loads_no_v2_module() -> None:
    out = _run(
        "import sys, scaleapi; print(sorted(m for m in sys.modules if m.startswith('scaleapi.api_client')"
        " or m.startswith('pydantic')))"
    )
    assert out == "[]"


def test_importing_the_v2_packages_is_lazy() -> None:
    out = _run("import sys, scaleapi.api_client.v2, scaleapi.api_client.v2.models; "
               "print(sorted(m for m in sys.modules if m.startswith('scaleapi.api_client.v2.models.')))")
    assert out == "[]"
    out = _run("import sys; from scaleapi.api_client.v2 import Project; "
               "print(len([m for m in sys.modules if m.startswith('scaleapi.api_client.v2.models.')]))")
    assert out == "1"


def test_first_use_from_many_threads_compiles_once_and_agrees() -> None:
    code = """
import json, threading
from support.v2_facts import sample_model
from scaleapi.api_client.v2 import Annotation, Task
data = sample_model("Task", True)
results, errors = [], []
def work():
    try:
        results.append(json.dumps(Task.from_dict(data).to_dict(), sort_keys=True))
    except Exception as err:  # noqa: BLE001 - reported below
        errors.append(repr(err))
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join(30)
assert not errors, errors
assert len(results) == 8 and len(set(results)) == 1
print("ok")
"""
    assert _run(code) == "ok"
