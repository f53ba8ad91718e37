"""The v2 models against the checked-in model facts (tools/v2_models_spec.json): the counts, the facts
against the full spec, the generated files against a fresh generator run, and each model's field table;
the endpoint table (package data) against its generator and what the request layer loads from it.
"""
import ast
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from typing import Dict, List

import pytest
from support.v2_facts import (
    ANNOTATION_TYPES,
    ENUMS,
    FACTS,
    MODELS,
    OBJECTS,
    ROOT,
    SHARED_SPEC,
    WRAPPERS,
    load_generator,
)
from support.v2_model_checks import cls_of

from scaleapi.api_client.v2._model import fields_of
from scaleapi.api_client.v2.api._endpoints import ENDPOINTS, PARAM_COLUMNS

ENDPOINT_TABLE = os.path.join("scaleapi", "api_client", "v2", "api", "endpoints.json")


# --- the facts and the generated code ---------------------------------------------------------------

def test_counts_match_the_facts() -> None:
    assert len(MODELS) == 119
    assert len(FACTS["re_exported_model_paths"]) == 115
    assert len(FACTS["not_re_exported"]) == 4
    assert (len(OBJECTS), len(ENUMS), len(WRAPPERS)) == (93, 14, 12)
    assert sum(len(MODELS[name]["fields"]) for name in OBJECTS) == 385


@pytest.mark.skipif(not os.path.exists(SHARED_SPEC), reason="the full v2 spec is not beside the repository")
def test_checked_in_facts_equal_the_full_spec() -> None:
    with open(SHARED_SPEC, encoding="utf-8") as handle:
        full = json.load(handle)
    assert load_generator().facts_subset(full) == FACTS


def test_generated_files_are_what_the_generator_writes_now() -> None:
    generator = load_generator()
    with tempfile.TemporaryDirectory() as tmp:
        assert generator.main(["--out", tmp]) == 0
        written = {}
        for path in generator.render_all(generator.load_facts()):
            with open(os.path.join(tmp, path), encoding="utf-8") as handle:
                written[path] = handle.read()
    for path, text in written.items():
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            assert handle.read() == text, f"{path} is out of date: run python tools/gen_v2_models.py"
    models_dir = os.path.join(ROOT, "scaleapi", "api_client", "v2", "models")
    on_disk = {name for name in os.listdir(models_dir) if name.endswith(".py")} - {"__init__.py"}
    assert on_disk == {path.rsplit("/", 1)[1] for path in written if "/models/" in path}
    assert generator.main(["--check"]) == 0


def run_generator(script: str, out: str) -> None:
    """Run ``tools/<script>`` as a script (as a contributor does), writing below ``out``."""
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", script), "--out", out],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_generator_needs_no_network_and_runs_as_a_script() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_generator("gen_v2_models.py", tmp)
        assert len(os.listdir(os.path.join(tmp, "scaleapi", "api_client", "v2", "models"))) == 119


@pytest.mark.parametrize("name", OBJECTS)
def test_field_tables_match_the_facts(name: str) -> None:
    table = [(f.attr, f.json_name, f.required, f.default) for f in fields_of(cls_of(name))]
    assert table == [(f["name"], f["json_name"], f["required"], f["default"]) for f in MODELS[name]["fields"]]


def test_concrete_annotations_derive_from_base_annotation() -> None:
    base = cls_of("BaseAnnotation")
    for name in ANNOTATION_TYPES:
        assert issubclass(cls_of(name), base)
    assert issubclass(cls_of("ChunkText"), cls_of("BaseChunk"))


# --- the endpoint table: generated data, shipped as package data ------------------------------------

def test_endpoint_table_is_what_the_generator_writes_and_what_the_request_layer_loads() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run_generator("gen_v2_endpoints.py", tmp)
        with open(os.path.join(tmp, ENDPOINT_TABLE), encoding="utf-8") as handle:
            fresh = handle.read()
    with open(os.path.join(ROOT, ENDPOINT_TABLE), encoding="utf-8") as handle:
        assert handle.read() == fresh, "endpoints.json is out of date: run python tools/gen_v2_endpoints.py"
    table = json.loads(fresh)
    assert tuple(table["param_columns"]) == PARAM_COLUMNS
    assert list(ENDPOINTS) == sorted(table["endpoints"]) and len(ENDPOINTS) == 25
    for name, row in table["endpoints"].items():
        assert ENDPOINTS[name] == dict(row, params=tuple(tuple(param) for param in row["params"]))
        assert all(len(param) == len(PARAM_COLUMNS) for param in ENDPOINTS[name]["params"])


def _package_data() -> Dict[str, List[str]]:
    """setup.py's ``package_data`` (read as text: running setup.py would run setuptools)."""
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "package_data":
            value: Dict[str, List[str]] = ast.literal_eval(node.value)
            return value
    raise AssertionError("setup.py has no package_data")


def test_every_data_file_in_the_package_is_declared_package_data() -> None:
    """A file the package reads at run time (endpoints.json, the console's templates) reaches a wheel
    only when setup.py declares it; a checkout would not notice it missing."""
    patterns = _package_data()
    undeclared = []
    for folder, dirs, files in os.walk(os.path.join(ROOT, "scaleapi")):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in files:
            if name.endswith((".py", ".pyc")):
                continue
            path = os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/")
            owners = [package for package in patterns if path.startswith(package.replace(".", "/") + "/")]
            package = max(owners, key=len, default="")
            relative = path[len(package) + 1:]
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in patterns.get(package, [])):
                undeclared.append(path)
    assert not undeclared, f"not in setup.py's package_data: {undeclared}"
