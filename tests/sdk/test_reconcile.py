"""The matching rule behind every reconcile (scaleapi/_reconcile.py), pinned in tables.

What a keyed create may report as its own after a 409 depends only on these functions; the end-to-end
cases against the emulator are in test_keyed_create.py and tests/longwork/test_scale_reconcile.py.
"""
from typing import Any, Dict, List

import pytest

from scaleapi._reconcile import (
    batch_differences,
    group_differences,
    json_equal,
    mismatch,
    project_differences,
    task_differences,
    teammate_differences,
)
from scaleapi.exceptions import ScaleDuplicateResource

GEOMETRIES = {"box": {"objects_to_annotate": ["car"], "min_height": 10}}
STORED_TASK: Dict[str, Any] = {
    "task_id": "t1", "type": "imageannotation", "status": "completed", "project": "p", "batch": "b",
    "unique_id": "u", "instruction": "Draw.", "callback_url": "https://cb.example.com/x",
    "metadata": {"n": 1, "tags": ["x"]}, "tags": ["a", "b"], "project_param_version": 0,
    "params": {"attachment": "https://img.example.com/1.png", "geometries": GEOMETRIES,
               "with_labels": True, "allow_multiple": False},
}  # fmt: skip
REQUEST: Dict[str, Any] = {
    "project": "p", "batch": "b", "unique_id": "u", "instruction": "Draw.",
    "callback_url": "https://cb.example.com/x", "metadata": {"n": 1, "tags": ["x"]}, "tags": ["a", "b"],
    "attachment": "https://img.example.com/1.png", "geometries": GEOMETRIES,
}  # fmt: skip


def with_(base: Dict[str, Any], **changes: Any) -> Dict[str, Any]:
    """``base`` with ``changes``; a change to ``...`` removes the key."""
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not ...}


@pytest.mark.parametrize(
    "task_type, request_body, stored, expected",
    [
        # the same task, with keys the server added (status, inherited params, defaults): ours
        ("imageannotation", REQUEST, STORED_TASK, []),
        # a request that sets little is compared on little
        ("imageannotation", {"unique_id": "u", "attachment": "https://img.example.com/1.png"},
         STORED_TASK, []),
        ("categorization", REQUEST, STORED_TASK, ["type"]),
        ("imageannotation", with_(REQUEST, project="q"), STORED_TASK, ["project"]),
        ("imageannotation", with_(REQUEST, batch="c"), STORED_TASK, ["batch"]),
        ("imageannotation", with_(REQUEST, project=...), with_(STORED_TASK, project=...), []),
        ("imageannotation", REQUEST, with_(STORED_TASK, batch=...), ["batch"]),
        ("imageannotation", with_(REQUEST, unique_id="v"), STORED_TASK, ["unique_id"]),
        ("imageannotation", with_(REQUEST, instruction="Other."), STORED_TASK, ["instruction"]),
        ("imageannotation", with_(REQUEST, callback_url="https://cb.example.com/y"), STORED_TASK,
         ["callback_url"]),
        # params: every key the request set must be equal, nested values whole
        ("imageannotation", with_(REQUEST, attachment="https://img.example.com/2.png"), STORED_TASK,
         ["params.attachment"]),
        ("imageannotation", with_(REQUEST, geometries={"box": {"objects_to_annotate": ["car"]}}),
         STORED_TASK, ["params.geometries"]),
        ("imageannotation", with_(REQUEST, with_labels=False), STORED_TASK, ["params.with_labels"]),
        ("imageannotation", with_(REQUEST, with_labels=1), STORED_TASK, ["params.with_labels"]),
        ("imageannotation", with_(REQUEST, force=True), STORED_TASK, ["params.force"]),
        ("imageannotation", REQUEST, with_(STORED_TASK, params=...),
         ["params.attachment", "params.geometries"]),
        # a param the request sends as null counts as not set
        ("imageannotation", with_(REQUEST, force=None), STORED_TASK, []),
        # metadata is the caller's own data, stored as sent: equal whole
        ("imageannotation", with_(REQUEST, metadata={"n": 1}), STORED_TASK, ["metadata"]),
        ("imageannotation", with_(REQUEST, metadata={}), STORED_TASK, ["metadata"]),
        ("imageannotation", with_(REQUEST, metadata={"n": 1.0, "tags": ("x",)}), STORED_TASK, []),
        ("imageannotation", with_(REQUEST, metadata={}), with_(STORED_TASK, metadata=...), []),
        ("imageannotation", with_(REQUEST, metadata=None), with_(STORED_TASK, metadata={"z": 1}), []),
        # tags: the server drops repeats and keeps the order
        ("imageannotation", with_(REQUEST, tags=["a", "a", "b"]), STORED_TASK, []),
        ("imageannotation", with_(REQUEST, tags=["b", "a"]), STORED_TASK, ["tags"]),
        ("imageannotation", with_(REQUEST, tags=[]), with_(STORED_TASK, tags=...), []),
        # project_version steers inheritance and is not stored as sent
        ("imageannotation", with_(REQUEST, project_version=3), STORED_TASK, []),
        # several at once, top-level fields first
        ("imageannotation", with_(REQUEST, project="q", attachment="x", metadata={}), STORED_TASK,
         ["project", "metadata", "params.attachment"]),
        # not an object at all
        ("imageannotation", REQUEST, None, ["type", "project", "batch", "unique_id", "instruction",
                                            "callback_url", "metadata", "tags", "params.attachment",
                                            "params.geometries"]),
    ],
)  # fmt: skip
def test_task_differences(
    task_type: str, request_body: Dict[str, Any], stored: Any, expected: List[str]
) -> None:
    """Which fields of a task create the stored task does not hold."""
    assert task_differences(task_type, request_body, stored) == expected


STORED_PROJECT: Dict[str, Any] = {
    "id": "p1", "name": "p", "type": "imageannotation", "rapid": False, "studio": True,
    "datasetId": "d1", "archived": False,
    "param_history": [
        {"version": 0, "created_at": "2024-01-01T00:00:00.000Z", "instruction": "i", "with_labels": True},
        {"version": 1, "created_at": "2024-01-02T00:00:00.000Z", "instruction": "later"},
    ],
}  # fmt: skip
PROJECT_BODY: Dict[str, Any] = {
    "type": "imageannotation", "name": "p", "params": {"instruction": "i"}, "rapid": False,
    "studio": True, "datasetId": "d1",
}  # fmt: skip


@pytest.mark.parametrize(
    "body, stored, expected",
    [
        # params are compared with the entry the create made (version 0), key by key
        (PROJECT_BODY, STORED_PROJECT, []),
        (with_(PROJECT_BODY, params={"instruction": "later"}), STORED_PROJECT, ["params.instruction"]),
        (with_(PROJECT_BODY, params={"instruction": "i", "with_labels": False}), STORED_PROJECT,
         ["params.with_labels"]),
        (with_(PROJECT_BODY, params=None, datasetId=None), STORED_PROJECT, []),
        (with_(PROJECT_BODY, params={}), with_(STORED_PROJECT, param_history=[]), []),
        (PROJECT_BODY, with_(STORED_PROJECT, param_history=[]), ["params.instruction"]),
        (PROJECT_BODY, with_(STORED_PROJECT, param_history=...,
                             params={"instruction": "i"}), []),
        (with_(PROJECT_BODY, type="categorization"), STORED_PROJECT, ["type"]),
        (with_(PROJECT_BODY, rapid=True), STORED_PROJECT, ["rapid"]),
        (with_(PROJECT_BODY, studio=False), STORED_PROJECT, ["studio"]),
        (with_(PROJECT_BODY, datasetId="d2"), STORED_PROJECT, ["datasetId"]),
        # a flag the server does not echo counts as its default, false
        (with_(PROJECT_BODY, studio=False), with_(STORED_PROJECT, studio=...), []),
        (PROJECT_BODY, with_(STORED_PROJECT, studio=...), ["studio"]),
    ],
)  # fmt: skip
def test_project_differences(body: Dict[str, Any], stored: Any, expected: List[str]) -> None:
    """Which fields of a project create the stored project does not hold."""
    assert project_differences(body, stored) == expected


STORED_BATCH: Dict[str, Any] = {
    "id": "b1", "name": "b", "project": "p", "status": "in_progress", "callback": "https://cb/x",
    "metadata": {"k": 1}, "calibration_batch": False, "self_label_batch": True,
}  # fmt: skip
BATCH_BODY: Dict[str, Any] = {
    "project": "p", "name": "b", "calibration_batch": False, "self_label_batch": True,
    "callback": "https://cb/x", "metadata": {"k": 1},
}  # fmt: skip


@pytest.mark.parametrize(
    "body, stored, expected",
    [
        (BATCH_BODY, STORED_BATCH, []),
        (with_(BATCH_BODY, project="q"), STORED_BATCH, ["project"]),
        (with_(BATCH_BODY, callback=""), STORED_BATCH, ["callback"]),
        (with_(BATCH_BODY, callback=""), with_(STORED_BATCH, callback=...), []),
        (with_(BATCH_BODY, callback="https://cb/y"), STORED_BATCH, ["callback"]),
        (with_(BATCH_BODY, calibration_batch=True), STORED_BATCH, ["calibration_batch"]),
        (with_(BATCH_BODY, self_label_batch=False), STORED_BATCH, ["self_label_batch"]),
        (with_(BATCH_BODY, self_label_batch=False), with_(STORED_BATCH, self_label_batch=...), []),
        (with_(BATCH_BODY, metadata={}), STORED_BATCH, ["metadata"]),
        (with_(BATCH_BODY, metadata={"k": 1, "j": 2}), STORED_BATCH, ["metadata"]),
        (with_(BATCH_BODY, metadata={}), with_(STORED_BATCH, metadata=...), []),
        (with_(BATCH_BODY, name="other"), STORED_BATCH, []),  # found by name: the name is the key
    ],
)  # fmt: skip
def test_batch_differences(body: Dict[str, Any], stored: Any, expected: List[str]) -> None:
    """Which fields of a batch create the stored batch does not hold."""
    assert batch_differences(body, stored) == expected


TEAM = [
    {"email": "owner@example.com", "role": "admin"},
    {"email": "a@example.com", "role": "labeler"},
    {"email": "b@example.com", "role": "member"},
]


@pytest.mark.parametrize(
    "emails, role, expected",
    [
        (["a@example.com"], "labeler", []),
        (["A@Example.com", "a@example.com"], "labeler", []),
        (["a@example.com", "b@example.com"], "labeler", ["'b@example.com' (role member)"]),
        (["c@example.com"], "labeler", ["'c@example.com' (not listed)"]),
        (["owner@example.com"], "manager", ["'owner@example.com' (role admin)"]),
    ],
)
def test_teammate_differences(emails: List[str], role: str, expected: List[str]) -> None:
    """Which invited emails are not on the team with the requested role."""
    assert teammate_differences(emails, role, TEAM) == expected


@pytest.mark.parametrize(
    "emails, group, expected",
    [
        (["a@example.com", "B@example.com"],
         {"workers": [{"email": "b@example.com"}, {"email": "A@example.com"}]}, []),
        (["a@example.com"], {"workers": [{"email": "a@example.com"}, {"email": "b@example.com"}]},
         ["members"]),
        (["a@example.com"], {"name": "g"}, ["members"]),
        ([], {"name": "g"}, []),
    ],
)  # fmt: skip
def test_group_differences(emails: List[str], group: Dict[str, Any], expected: List[str]) -> None:
    """A Studio group is ours only with exactly the requested members."""
    assert group_differences(emails, group) == expected


@pytest.mark.parametrize(
    "left, right, equal",
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        (True, True, True),
        (None, None, True),
        (None, {}, False),
        ("1", 1, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1], [1, 1], False),
        ({"a": [1, {"b": True}]}, {"a": [1.0, {"b": True}]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": True}, {"a": 1}, False),
    ],
)
def test_json_equal(left: Any, right: Any, equal: bool) -> None:
    """JSON equality: numbers by value, booleans apart from numbers, containers whole."""
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal  # pylint: disable=arguments-out-of-order


def test_mismatch_names_the_object_and_the_fields_only() -> None:
    """The error is a 409 ScaleDuplicateResource naming what exists and the field names, no values."""
    body = with_(BATCH_BODY, callback="https://cb/x?token=s3cr3t")
    error = mismatch("batch 'b' (id b1, in project 'p')", batch_differences(body, STORED_BATCH))
    assert isinstance(error, ScaleDuplicateResource) and error.code == 409
    assert str(error) == (
        "<Response [409]> batch 'b' (id b1, in project 'p') already exists and differs from this "
        "request in: callback"
    )
    assert "s3cr3t" not in repr(error)
