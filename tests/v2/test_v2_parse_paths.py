"""The read path of the v2 models: compiled per key order, and the same answer as the plain reading.

``from_dict`` reads through straight-line code compiled for each key order it meets, with a plain
fallback for anything unusual; these tests hold it to what the plain reading gives: the same
models, equality, datetimes, and errors naming the same key.
"""
import copy
import random
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Tuple

import pytest

from scaleapi.api_client.v2._convert import _read
from scaleapi.api_client.v2._modelbase import EXACT, READ
from scaleapi.api_client.v2._object_model import SHAPES_PER_CLASS
from scaleapi.api_client.v2.exceptions import ResponseValidationError
from scaleapi.api_client.v2.models.annotation import Annotation
from scaleapi.api_client.v2.models.annotation_category import AnnotationCategory
from scaleapi.api_client.v2.models.base_annotation import BaseAnnotation
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
from scaleapi.api_client.v2.models.task import Task
from scaleapi.api_client.v2._datetimes import parse_datetime


def _task(index: int = 0) -> Dict[str, Any]:
    """A completed task with known, unknown and file annotations and unknown keys."""
    annotations = [
        {"id": f"a{index}", "key": "quality", "type": "category", "value": "good",
         "possible_values": ["good", "bad"]},
        {"id": f"b{index}", "key": "score", "type": "integer", "value": 4},
        {"id": f"c{index}", "key": "new", "type": "not_known_yet", "value": {"x": 1}},
        {"id": f"d{index}", "key": "files", "type": "file",
         "value": [{"url": "https://example.com/a.png", "name": "a.png", "mime_type": "image/png"}]},
    ]
    message = {"role": "assistant", "source_id": "s", "content": {"text": "hi", "later": True},
               "annotations": annotations}
    return {"task_id": f"{index:024x}", "project": "p1", "status": "completed",
            "created_at": "2026-11-01T10:00:00.000Z", "completed_at": "2026-11-01T11:00:00.123456Z",
            "metadata": {"n": index}, "future_key": [1, 2],
            "threads": [{"id": "th", "turns": [{"id": "tu", "messages": [message], "annotations": []}],
                         "annotations": annotations}]}


def _both(cls: Any, data: Any) -> Tuple[Any, Any]:
    """The model as the READ and the EXACT parsers read it."""
    return cls._parser(READ)(data), cls._parser(EXACT)(data)  # pylint: disable=protected-access


def test_the_fast_reading_gives_the_plain_reading() -> None:
    """READ and EXACT give equal models, dicts and reprs; unknown keys are kept."""
    data = _task(1)
    fast, plain = _both(Task, copy.deepcopy(data))
    assert fast == plain
    assert fast.to_dict() == plain.to_dict()
    assert repr(fast) == repr(plain)
    assert fast.additional_properties == {"future_key": [1, 2]}
    inner = fast.threads[0].annotations
    assert [type(one.actual_instance).__name__ for one in inner] == [
        "AnnotationCategory", "AnnotationInteger", "BaseAnnotation", "AnnotationFile"]
    assert inner[2].actual_instance.additional_properties == {"value": {"x": 1}}
    assert fast.threads[0].turns[0].messages[0].content.additional_properties == {"later": True}
    assert fast.completed_at == datetime(2026, 11, 1, 11, 0, 0, 123456, tzinfo=timezone.utc)


def test_a_parsed_model_equals_one_built_in_code() -> None:
    """Absent optional fields read as None and compare equal to a built model."""
    parsed = AnnotationCategory.from_dict({"id": "a", "key": "k", "type": "category"})
    built = AnnotationCategory(id="a", key="k", type="category")
    assert parsed == built
    assert parsed.title is None and parsed.possible_values is None
    assert parsed.to_dict() == built.to_dict() == {"id": "a", "key": "k", "type": "category"}
    assert AnnotationCategory.from_dict({"id": "a", "key": "k", "type": "category", "title": "T"}) != built


def test_a_default_that_is_not_none_is_kept_for_an_absent_key() -> None:
    """A False default is there when the key is absent."""
    request = CreateBatchRequest.from_dict({"name": "b", "project_name": "p"})
    assert request.staging_batch is False
    assert request == CreateBatchRequest(name="b", project_name="p")


def test_every_key_order_reads_the_same_even_past_the_compiled_orders() -> None:
    """Many key orders (past the compiled ones) all read the same."""
    base = _task(2)["threads"][0]["annotations"][0]
    rng = random.Random(7)
    seen: List[Any] = []
    for round_no in range(SHAPES_PER_CLASS * 3):
        keys = list(base)
        rng.shuffle(keys)
        data = {key: copy.deepcopy(base[key]) for key in keys}
        data[f"extra{round_no}"] = round_no  # a new key order every round
        fast, plain = _both(Annotation, data)
        assert fast == plain
        assert fast.to_dict() == data
        seen.append(fast)
    assert all(one.actual_instance.value == "good" for one in seen)


@pytest.mark.parametrize("data, where", [
    ({"key": "k", "type": "category"}, "BaseAnnotation.id: is required"),
    ({"id": None, "key": "k", "type": "category"}, "AnnotationCategory.id: is null, but required"),
    ({"id": "a", "key": "k", "type": "category", "possible_values": ["x", 3]},
     "AnnotationCategory.possible_values[1]: expected a string, got an integer"),
])
def test_an_error_names_the_key_as_the_plain_reading_does(data: Dict[str, Any], where: str) -> None:
    """A refused answer names the key and path the plain reading names."""
    task = _task(3)
    task["threads"][0]["turns"][0]["messages"][0]["annotations"] = [data]
    with pytest.raises(ResponseValidationError) as caught:
        Task.from_dict(task)
    assert str(caught.value).startswith("Task.threads[0].turns[0].messages[0].annotations[0].")
    assert str(caught.value).endswith(where.split(".", 1)[1])
    with pytest.raises(ResponseValidationError) as again:
        _read(Task, task, False)
    assert str(again.value) == str(caught.value)


def test_a_deep_error_is_found_without_reading_again_and_again() -> None:
    """A deep error is reported once with its whole path."""
    # Annotation metadata may hold annotations: a bad value at the bottom of a deep chain
    # is reported once, with its whole path (the rereading is linear, not exponential).
    leaf: Dict[str, Any] = {"id": "x", "key": "k", "type": "integer", "value": "not a number"}
    depth = 60
    for _ in range(depth):
        leaf = {"id": "x", "key": "k", "type": "text", "metadata": {"criteria": leaf}}
    with pytest.raises(ResponseValidationError) as caught:
        Annotation.from_dict(leaf)
    assert str(caught.value).count(".metadata.criteria") == depth
    assert str(caught.value).endswith(".value: expected an integer, got a string")


@pytest.mark.parametrize("text", [
    "2026-11-01T10:00:00.000Z", "2026-11-01T10:00:00.123456Z", "2026-11-01T10:00:00Z",
    "2026-11-01T10:00:00.5Z", "2026-11-01t10:00:00Z", "2026-11-01T10:00:00+02:00", "2026-11-01",
    "\u0662\u0660\u0662\u0666-11-01T10:00:00.000Z",
])
def test_datetimes_read_in_the_common_shape_match_the_long_way(text: str) -> None:
    """The common shapes read as aware datetimes with the right value."""
    value = parse_datetime(text)
    assert value.tzinfo is not None
    if text.endswith("Z") and len(text) in (20, 24, 27):
        assert value.utcoffset() == timedelta(0)
        assert value.isoformat().startswith("2026-11-01T10:00:00")


@pytest.mark.parametrize("text", [
    "2026-W01-1T10:00:00.000Z",  # an ISO week date: not a shape the API sends, refused as before
    "2026-11-01X10:00:00.000Z",
    "2026-11-01T24:00:00.000Z",
    "2026-02-30T10:00:00.000Z",
])
def test_datetimes_the_long_way_refuses_stay_refused(text: str) -> None:
    """Texts the long way refuses are refused by the fast shape check too."""
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_a_base_annotation_subclass_reads_its_own_and_inherited_fields() -> None:
    """Inherited and own fields both read, in any key order."""
    data = {"title": "T", "id": "a", "type": "category", "key": "k", "value": "v"}
    fast, plain = _both(AnnotationCategory, data)
    assert fast == plain and fast.title == "T" and fast.value == "v"
    assert isinstance(fast, BaseAnnotation)


def test_additional_properties_of_a_model_read_without_unknown_keys() -> None:
    """An empty additional_properties is made on first use, per model, and can be filled in place."""
    first = AnnotationCategory.from_dict({"id": "a", "key": "k", "type": "category"})
    second = AnnotationCategory.from_dict({"id": "a", "key": "k", "type": "category"})
    assert first.additional_properties == {} and first == second
    first.additional_properties["later"] = 1
    assert second.additional_properties == {}
    assert first.to_dict() == {"id": "a", "key": "k", "type": "category", "later": 1}
    assert first != second
    first.additional_properties = {"other": "x"}
    assert first.to_dict()["other"] == "x"
