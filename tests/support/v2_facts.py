"""The checked-in v2 model facts and sample JSON built from their type trees, for the model tests."""
import importlib.util
import json
import os
from typing import Any, Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FACTS_PATH = os.path.join(ROOT, "tools", "v2_models_spec.json")
SHARED_SPEC = os.path.join(os.path.dirname(ROOT), "shared", "v2", "v2_spec.json")

with open(FACTS_PATH, encoding="utf-8") as _handle:
    FACTS: Dict[str, Any] = json.load(_handle)

MODELS: Dict[str, Any] = FACTS["models"]
OBJECTS = sorted(name for name, model in MODELS.items() if model["kind"] == "object")
ENUMS = sorted(name for name, model in MODELS.items() if model["kind"] == "enum")
WRAPPERS = sorted(name for name, model in MODELS.items() if model["kind"] == "oneOf")
# discriminator value of each concrete annotation class ("boolean" for AnnotationBoolean, ...)
ANNOTATION_TYPES: Dict[str, str] = {
    cls: value for value, cls in MODELS["Annotation"]["discriminator"]["mapping"].items()}

DATETIME = "2025-01-02T03:04:05.123Z"


def load_generator() -> Any:
    """The generator module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "gen_v2_models", os.path.join(ROOT, "tools", "gen_v2_models.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_value(tree: Dict[str, Any], full: bool, depth: int = 0) -> Any:
    """A JSON value fitting a type tree (``full``: every optional field too)."""
    kind = tree["kind"]
    if kind == "primitive":
        return {"str": "text", "int": 3, "bool": True, "float": 1.5, "bytes": "Ynl0ZXM=",
                "datetime": DATETIME}[tree["name"]]
    if kind == "optional":
        return sample_value(tree["of"], full, depth)
    if kind == "union":
        return sample_value(tree["of"][0], full, depth)
    if kind == "list":
        return [sample_value(tree["items"], full, depth)]
    if kind == "dict":
        return {"k": "v", "n": 1}
    if kind == "any":
        return {"any": [1, "two"]}
    return sample_model(tree["name"], full, depth + 1)


def sample_model(name: str, full: bool, depth: int = 0) -> Any:
    """A JSON value for model ``name``: an object, an enum value, or a wrapper's first alternative."""
    model = MODELS[name]
    if model["kind"] == "enum":
        return model["values"][0]
    if model["kind"] == "oneOf":
        return sample_alternative(name, 0, full, depth)
    full = full and depth < 6  # annotations can hold annotations (metadata.criteria): stop somewhere
    out = {}
    for field in model["fields"]:
        if field["required"] or full:
            out[field["json_name"]] = sample_value(field["type_tree"], full, depth)
    if name in ANNOTATION_TYPES:
        out["type"] = ANNOTATION_TYPES[name]
    if name == "ChunkText":
        out["type"] = "text"
    return out


def sample_alternative(wrapper: str, index: int, full: bool, depth: int = 0) -> Any:
    """A JSON value for one alternative of a wrapper."""
    return sample_value(MODELS[wrapper]["alternative_trees"][index], full, depth)


def optional_fields(name: str) -> List[str]:
    """The JSON names of the optional fields of an object model."""
    return [field["json_name"] for field in MODELS[name]["fields"] if not field["required"]]
