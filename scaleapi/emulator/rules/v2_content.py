"""Synthetic v2 content of a completed task: threads → turns → messages, with annotations.

Everything is derived from the task document (its id, type, first message, attachment), so the same
task always reads the same; the kinds of annotation fit the task's type (chat-like, media, other).
Annotation ids are ``ann_<task id>_<n>``, which is how ``GET /v2/annotation`` finds the task again.

The JSON is shaped for the official client's strict models: every required key present, required
lists sent as ``[]``, file annotation values as arrays, and message attachments only with
``opts=attachment_details``.
"""
from __future__ import annotations

import hashlib
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

JsonDict = Dict[str, Any]

CHAT_TYPES = frozenset({"chat", "chatlite", "chatexperimental", "multichat", "textcollection"})
MEDIA_PARAMS = ("attachment", "image")
MODEL_NAME = "emulator-chat-1"
_QUALITY = ("excellent", "good", "fair", "poor")
_ANNOTATION_PREFIX = "ann_"


class _Digits:
    """Deterministic small numbers from a task id (no global random state)."""

    def __init__(self, seed: str) -> None:
        self._bytes = hashlib.sha256(seed.encode()).digest()

    def pick(self, index: int, count: int) -> int:
        """A number in ``[0, count)``."""
        return self._bytes[index % len(self._bytes)] % count

    def tag(self) -> str:
        """A short hex tag."""
        return self._bytes[:4].hex()


def annotation_id(task_id: str, number: int) -> str:
    """The id of the ``number``-th annotation of a task."""
    return f"{_ANNOTATION_PREFIX}{task_id}_{number}"


def task_of_annotation(annotation: str) -> Optional[str]:
    """The task id inside an annotation id, or None when it is not one of ours."""
    if not annotation.startswith(_ANNOTATION_PREFIX):
        return None
    task_id, sep, number = annotation[len(_ANNOTATION_PREFIX):].rpartition("_")
    return task_id if sep and task_id and number.isdigit() else None


class _Builder:
    """Builds one task's content, numbering annotations in order."""

    def __init__(self, doc: Mapping[str, Any], details: bool) -> None:
        self.task_id = str(doc["task_id"])
        self.digits = _Digits(self.task_id)
        self.details = details
        self.count = 0

    def annotation(self, key: str, kind: str, value: Any, title: str,
                   possible: Optional[List[Any]] = None) -> JsonDict:
        """One annotation; ``title``, ``description`` and ``possible_values`` only with details."""
        self.count += 1
        item: JsonDict = {"id": annotation_id(self.task_id, self.count), "key": key, "type": kind}
        if self.details:
            item["title"] = title
            item["description"] = f"{title} (emulated)"
            item["labels"] = []
            if possible is not None:
                item["possible_values"] = possible
        item["value"] = value
        return item


def _user_text(doc: Mapping[str, Any]) -> str:
    params = doc.get("params") or {}
    first = params.get("first_message") if isinstance(params, dict) else None
    if isinstance(first, str):
        return first
    instruction = doc.get("instruction")
    if isinstance(instruction, str) and instruction:
        return instruction
    return f"Please complete this {doc.get('type', 'task')} task."


def _attachment(doc: Mapping[str, Any]) -> Optional[str]:
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        return None
    for key in MEDIA_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _labels(doc: Mapping[str, Any]) -> List[str]:
    """The task's labels: ``objects_to_annotate`` (top level or per geometry) or ``categories``."""
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        return ["object"]
    sources = [params.get("objects_to_annotate"), params.get("categories")]
    geometries = params.get("geometries")
    if isinstance(geometries, dict):
        sources += [item.get("objects_to_annotate") for item in geometries.values() if isinstance(item, dict)]
    labels: List[str] = []
    for raw in sources:
        if isinstance(raw, list):
            labels += [item for item in raw if isinstance(item, str) and item not in labels]
    return labels or ["object"]


def _file(url: str) -> JsonDict:
    name = url.rstrip("/").rsplit("/", 1)[-1] or "file"
    mime = "image/png" if name.endswith(".png") else "application/octet-stream"
    return {"url": url, "name": name, "mime_type": mime}


Annotations = List[JsonDict]


def _annotations(build: _Builder, doc: Mapping[str, Any]) -> Tuple[Annotations, Annotations, Annotations]:
    """(thread, turn, assistant message) annotations fitting the task's type."""
    digits = build.digits
    kind = str(doc.get("type", ""))
    turn = [
        build.annotation("overall_quality", "category", _QUALITY[digits.pick(1, 4)], "Overall quality",
                         list(_QUALITY)),
        build.annotation("rating", "integer", 1 + digits.pick(2, 7), "Rating (1-7)", list(range(1, 8))),
        build.annotation("is_safe", "boolean", digits.pick(3, 5) != 0, "Safe", [True, False]),
    ]
    thread: List[JsonDict] = []
    message: List[JsonDict] = []
    attachment = _attachment(doc)
    if kind in CHAT_TYPES:
        message.append(build.annotation("rewrite", "text", f"A better answer ({digits.tag()}).", "Rewrite"))
        message.append(build.annotation(
            "entities", "labeled_text", [{"label": "topic", "text": "the question"}], "Entities"))
        thread.append(build.annotation(
            "ranking", "ranked_choices", ["response_a", "response_b"] if digits.pick(4, 2) else
            ["response_b", "response_a"], "Preferred response", ["response_a", "response_b"]))
    elif attachment is not None:
        labels = _labels(doc)
        thread.append(build.annotation("source_file", "file", [_file(attachment)], "Annotated file"))
        present = labels[: 1 + digits.pick(5, len(labels))]
        thread.append(build.annotation("labels", "category_multiple", present, "Labels present", labels))
    else:
        message.append(build.annotation("notes", "text", f"Checked ({digits.tag()}).", "Notes"))
    return thread, turn, message


def build_threads(doc: Mapping[str, Any], opts: FrozenSet[str]) -> List[JsonDict]:
    """The threads of a completed task (see the module docstring)."""
    build = _Builder(doc, "annotation_details" in opts)
    task_id = build.task_id
    thread_annotations, turn_annotations, message_annotations = _annotations(build, doc)
    user_content: JsonDict = {"text": _user_text(doc)}
    attachment = _attachment(doc)
    if attachment is not None and "attachment_details" in opts:
        user_content["attachments"] = [_file(attachment)]
    assistant: JsonDict = {
        "role": "assistant",
        "content": {"text": f"Emulated response {build.digits.tag()} to task {task_id}."},
        "source_id": f"src_{task_id}_assistant", "annotations": message_annotations,
    }
    if "model_parameters" in opts:
        assistant["model_parameters"] = {
            "model": MODEL_NAME, "temperature": 0.7, "max_completion_tokens": 1024, "top_p": 1.0,
        }
    messages = [
        {"role": "user", "content": user_content, "source_id": f"src_{task_id}_user", "annotations": []},
        assistant,
    ]
    thread: JsonDict = {
        "id": f"thread_{task_id}_1",
        "turns": [{"id": f"turn_{task_id}_1", "messages": messages, "annotations": turn_annotations}],
        "annotations": thread_annotations,
    }
    if "submissions" in opts:
        completed = doc.get("completed_at") or doc.get("created_at")
        contributor = f"contributor_{build.digits.tag()}"
        thread["submissions"] = [{"submitted_at": completed, "contributor_id": contributor}]
    return [thread]


def find_annotation(doc: Mapping[str, Any], annotation: str) -> Optional[JsonDict]:
    """The annotation with this id among a completed task's content (with details), or None."""
    for thread in build_threads(doc, frozenset({"annotation_details"})):
        found = list(thread["annotations"])
        for turn in thread["turns"]:
            found += turn["annotations"]
            for message in turn["messages"]:
                found += message["annotations"]
        for item in found:
            if item["id"] == annotation:
                return dict(item)
    return None
