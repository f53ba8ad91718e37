"""Synthetic task responses for test mode, shaped like the real ones for each task type.

Values are derived from the task id, so the same task always gets the same response.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Dict, List, Mapping

JsonDict = Dict[str, Any]


class _Numbers:
    """A tiny deterministic number source seeded by the task id (no global random state)."""

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._counter = 0

    def next(self, low: float, high: float) -> float:
        """A number in ``[low, high)`` with one decimal."""
        self._counter += 1
        digest = hashlib.sha256(f"{self._seed}:{self._counter}".encode()).digest()
        fraction = int.from_bytes(digest[:4], "big") / 2**32
        return round(low + (high - low) * fraction, 1)


def _label(item: Any) -> str:
    """An ``objects_to_annotate`` entry is a label string or an object with a ``choice``."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        for key in ("choice", "name", "label"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return "object"


def _labels(value: Any) -> List[str]:
    return [_label(item) for item in value] if isinstance(value, list) and value else ["object"]


def _shape(kind: str, label: str, num: _Numbers) -> JsonDict:
    if kind == "box":
        return {"type": "box", "label": label, "left": num.next(0, 200), "top": num.next(0, 200),
                "width": num.next(10, 100), "height": num.next(10, 100)}
    if kind in ("polygon", "line"):
        count = 3 if kind == "polygon" else 2
        return {"type": kind, "label": label,
                "vertices": [{"x": num.next(0, 300), "y": num.next(0, 300)} for _ in range(count)]}
    if kind == "point":
        return {"type": "point", "label": label, "x": num.next(0, 300), "y": num.next(0, 300)}
    if kind == "ellipse":
        return {"type": "ellipse", "label": label, "x": num.next(0, 300), "y": num.next(0, 300),
                "rx": num.next(5, 50), "ry": num.next(5, 50), "rotation": 0}
    return {"type": kind, "label": label}


def _image(params: Mapping[str, Any], num: _Numbers) -> JsonDict:
    geometries = params.get("geometries")
    annotations: List[JsonDict] = []
    if isinstance(geometries, Mapping):
        for kind, spec in geometries.items():
            labels = _labels(spec.get("objects_to_annotate") if isinstance(spec, Mapping) else None)
            annotations.extend(_shape(str(kind), label, num) for label in labels)
    return {"annotations": annotations, "global_attributes": {}}


def _legacy(kind: str) -> Callable[[Mapping[str, Any], _Numbers], JsonDict]:
    def build(params: Mapping[str, Any], num: _Numbers) -> JsonDict:
        annotations = []
        for label in _labels(params.get("objects_to_annotate")):
            shape = _shape(kind, label, num)
            shape.pop("type")
            annotations.append(shape)
        return {"annotations": annotations}
    return build


def _categorization(params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    taxonomies = params.get("taxonomies")
    if isinstance(taxonomies, Mapping) and taxonomies:
        chosen: JsonDict = {}
        for name, spec in taxonomies.items():
            choices = spec.get("choices") if isinstance(spec, Mapping) else None
            chosen[str(name)] = _labels(choices)[:1]
        return {"taxonomies": chosen}
    categories = _labels(params.get("categories"))
    if params.get("allow_multiple") is True:
        return {"category": categories[:1]}
    return {"category": categories[0]}


def _field_keys(fields: Any) -> List[str]:
    if isinstance(fields, Mapping):
        return [str(key) for key in fields]
    if isinstance(fields, list):
        keys = []
        for index, item in enumerate(fields):
            if isinstance(item, Mapping):
                keys.append(str(item.get("field_id") or item.get("id") or item.get("title") or index))
            else:
                keys.append(str(item))
        return keys
    return []


def _fields(params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    response: JsonDict = {"fields": {key: f"synthetic {key}" for key in _field_keys(params.get("fields"))}}
    if "repeatable_fields" in params:
        response["repeatable_fields"] = []
    return response


def _document(params: Mapping[str, Any], num: _Numbers) -> JsonDict:
    features = params.get("features") if isinstance(params.get("features"), list) else []
    annotations = []
    for feature in features or []:
        feature = feature if isinstance(feature, Mapping) else {}
        annotations.append({
            "type": feature.get("type", "block"), "label": feature.get("label", "field"),
            "page": 1, "left": num.next(0, 500), "top": num.next(0, 700),
            "width": num.next(20, 200), "height": num.next(10, 50), "text": "synthetic text",
        })
    return {"annotations": annotations, "global_fields": {}}


def _ner(params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    text = params.get("text") if isinstance(params.get("text"), str) else ""
    labels = _labels(params.get("labels"))
    end = min(len(str(text)), 8)
    return {"annotations": [{"label": labels[0], "start": 0, "end": end, "text": str(text)[:end]}]}


def _segmentation(params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    labels = _labels(params.get("labels"))
    return {
        "annotations": {"combined": {"image": "scaledata://synthetic/combined.png",
                                     "indexedImage": "scaledata://synthetic/indexed.png"},
                        "labeled": {label: [] for label in labels}, "unlabeled": None},
        "labelMapping": {label: {"index": index + 1} for index, label in enumerate(labels)},
    }


def _video(_params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    return {"annotations": {"url": "scaledata://synthetic/annotations.json"}, "events": []}


def _text_collection(params: Mapping[str, Any], _num: _Numbers) -> JsonDict:
    return {"fields": {key: "synthetic answer" for key in _field_keys(params.get("fields"))}}


_BUILDERS: Dict[str, Callable[[Mapping[str, Any], _Numbers], JsonDict]] = {
    "imageannotation": _image,
    "annotation": _legacy("box"),
    "polygonannotation": _legacy("polygon"),
    "lineannotation": _legacy("line"),
    "pointannotation": _legacy("point"),
    "categorization": _categorization,
    "transcription": _fields,
    "datacollection": _fields,
    "documenttranscription": _document,
    "namedentityrecognition": _ner,
    "textcollection": _text_collection,
    "segmentannotation": _segmentation,
    "videoannotation": _video,
    "videoboxannotation": _video,
    "videoplaybackannotation": _video,
    "videocuboidannotation": _video,
}


def synthetic_response(task_type: str, task_id: str, params: Mapping[str, Any]) -> JsonDict:
    """The fake response a test-mode task of ``task_type`` completes with."""
    builder = _BUILDERS.get(task_type)
    if builder is None:
        return {"annotations": [], "synthetic": True}
    return builder(params, _Numbers(task_id))
