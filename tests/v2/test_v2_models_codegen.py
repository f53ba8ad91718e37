"""The v2 models against the checked-in model facts (tools/v2_models_spec.json): the counts, the facts
against the full spec, the generated files against a fresh generator run, and each model's field table.
"""
import json
import os
import subprocess
import sys
import tempfile

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


def test_generator_needs_no_network_and_runs_as_a_script() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tools", "gen_v2_models.py"), "--out", tmp],
            capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
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
