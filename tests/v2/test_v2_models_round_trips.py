"""A round trip of every v2 object model on minimal and full samples built from the type trees, the
missing-required-key error of each, every wrapper alternative, and the enums.
"""
import json
from enum import Enum

import pytest
from support.v2_facts import ENUMS, MODELS, OBJECTS, WRAPPERS, sample_alternative, sample_model
from support.v2_model_checks import cls_of, roundtrip

import scaleapi
from scaleapi.api_client.v2 import exceptions as v2_exceptions
from scaleapi.api_client.v2._model import fields_of

ApiValueError = v2_exceptions.ApiValueError
ResponseValidationError = v2_exceptions.ResponseValidationError


# --- round trips of every model ---------------------------------------------------------------------

@pytest.mark.parametrize("name", OBJECTS)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_object_model_round_trips(name: str, full: bool) -> None:
    cls = cls_of(name)
    sample = sample_model(name, full)
    parsed = roundtrip(cls, sample)
    dumped = parsed.to_dict()
    defaults = {field["json_name"] for field in MODELS[name]["fields"] if field["default"] is not None}
    assert set(dumped) == set(sample) | defaults
    assert parsed.additional_properties == {}
    # Keyword construction from the parsed attributes gives an equal model (the strict path).
    kwargs = {field.attr: getattr(parsed, field.attr) for field in fields_of(cls)}
    assert cls(**kwargs) == parsed


WITH_REQUIRED = [name for name in OBJECTS if any(field["required"] for field in MODELS[name]["fields"])]


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_object_model_missing_required_key_names_it(name: str) -> None:
    required = [field["json_name"] for field in MODELS[name]["fields"] if field["required"]]
    sample = sample_model(name, False)
    del sample[required[-1]]
    with pytest.raises(ResponseValidationError) as info:
        cls_of(name).from_dict(sample)
    assert info.value.path_to_item == [required[-1]]
    assert f"{name}.{required[-1]}" in str(info.value)
    assert isinstance(info.value, scaleapi.ScaleException)


WRAPPER_CASES = [
    (name, index) for name in WRAPPERS for index in range(len(MODELS[name]["alternative_trees"]))
]


@pytest.mark.parametrize("name,index", WRAPPER_CASES)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_every_wrapper_alternative_round_trips(name: str, index: int, full: bool) -> None:
    cls = cls_of(name)
    sample = sample_alternative(name, index, full)
    parsed = roundtrip(cls, sample)
    assert parsed.to_dict() == cls.from_dict(sample).to_dict()
    tree = MODELS[name]["alternative_trees"][index]
    inner = parsed.actual_instance
    if tree["kind"] == "primitive":
        assert inner == sample
    elif tree["kind"] == "list":
        assert isinstance(inner, list) and len(inner) == 1
    elif full or MODELS[tree["name"]]["kind"] != "object" or any(
            f["required"] for f in MODELS[tree["name"]]["fields"]):
        assert isinstance(inner, cls_of(tree["name"]))


@pytest.mark.parametrize("name", ENUMS)
def test_enum_members(name: str) -> None:
    cls = cls_of(name)
    assert issubclass(cls, str) and issubclass(cls, Enum)
    assert [(member.name, member.value) for member in cls] == [
        (member["name"], member["value"]) for member in MODELS[name]["members"]]
    for member in cls:
        assert cls.from_json(json.dumps(member.value)) is member
        assert member == member.value


def test_enum_examples() -> None:
    from scaleapi.api_client.v2 import BatchStatus, TaskStatus  # pylint: disable=import-outside-toplevel

    assert BatchStatus.IN_PROGRESS.value == "in_progress"
    assert BatchStatus.CANCELLED.value == "cancelled" and TaskStatus.CANCELED.value == "canceled"
