"""Input rules: known task types, required parameters per type (API reference §2.8), and type checks.

Every failure is a 400 whose message names the parameter, in Scale's wording:
``Parameter is invalid, reason: "attachments" is required``.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .errors import ApiError, bad_request, invalid_param, missing_param

JsonDict = Dict[str, Any]

TASK_TYPES = frozenset({
    "annotation", "categorization", "comparison", "cuboidannotation", "datacollection",
    "documentmodel", "documenttranscription", "imageannotation", "laneannotation", "lidarannotation",
    "lidarlinking", "lidarsegmentation", "lidartopdown", "lineannotation", "namedentityrecognition",
    "pointannotation", "polygonannotation", "segmentannotation", "transcription", "textcollection",
    "videoannotation", "videoboxannotation", "videoplaybackannotation", "videocuboidannotation",
    "sensorfusion", "chat", "chatexperimental", "chatlite", "multichat", "multistage",
    "federal2dvideoannotation",
})
TASK_STATUSES = ("pending", "completed", "canceled", "error")
REVIEW_STATUSES = ("pending", "fixed", "accepted", "rejected", "commented")
BATCH_STATUSES = ("staging", "in_progress", "completed")
TEAM_ROLES = ("labeler", "member", "manager", "admin")
TEMPLATE_PROJECT_TYPES = frozenset({"textcollection", "chat"})

METADATA_MAX_BYTES = 10 * 1024
MAX_JSON_DEPTH = 64
MAX_TAG_LENGTH = 256
#: Longest ``unique_id``, and longest project, batch or group name, in characters. Such a value
#: travels in a URL (``GET tasks?unique_id=...``, ``GET batches/{name}``): percent-encoded, 1,024
#: characters take at most 12,288 bytes, well inside the 64 KiB request line the server accepts,
#: so whatever is created can also be looked up.
MAX_KEY_LENGTH = 1024
#: Largest integer a query parameter or page token may carry: SQLite's INTEGER range.
MAX_SQL_INT = 2**63 - 1
#: Page size of every listing, v1 and v2: ``limit`` runs from 1 to the maximum, the default when absent.
DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 100

# A JSON text can only decode to a lone surrogate through a \uD800-\uDFFF escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")

# Parameters every task type takes at the top level of the task, not under ``params``.
COMMON_TASK_KEYS = frozenset({
    "project", "batch", "instruction", "callback_url", "metadata", "unique_id", "tags",
    "project_version",
})

# What each kind of parameter must look like, by parameter name.
_KINDS: Dict[str, Tuple[type, ...]] = {
    "attachment": (str,), "attachment_type": (str,), "attachments": (list,), "geometries": (dict,),
    "objects_to_annotate": (list,), "categories": (list,), "taxonomies": (dict,), "fields": (list, dict),
    "features": (list,), "text": (str,), "labels": (list,),
}
_KIND_NAMES: Dict[type, str] = {str: "a string", list: "an array", dict: "an object"}


@dataclass(frozen=True)
class Requirement:
    """One required input: any one of ``names`` must be present and non-null."""

    names: Tuple[str, ...]
    message: Optional[str] = None

    def check(self, params: Mapping[str, Any]) -> None:
        """Raise a 400 when none of the names is present."""
        if any(params.get(name) is not None for name in self.names):
            return
        if self.message:
            raise bad_request(self.message)
        if len(self.names) == 1:
            raise missing_param(self.names[0])
        quoted = " or ".join(f'"{name}"' for name in self.names)
        raise bad_request(f"Parameter is invalid, reason: one of {quoted} is required")


def _req(*names: str, message: Optional[str] = None) -> Requirement:
    return Requirement(tuple(names), message)


_SHAPES = ("attachment", "objects_to_annotate")
REQUIRED: Dict[str, List[Requirement]] = {
    "imageannotation": [_req("attachment"), _req("geometries")],
    "annotation": [_req(name) for name in _SHAPES],
    "polygonannotation": [_req(name) for name in _SHAPES],
    "lineannotation": [_req(name) for name in _SHAPES],
    "pointannotation": [_req(name) for name in _SHAPES],
    "categorization": [_req("attachment"), _req("attachment_type"), _req("taxonomies", "categories")],
    "transcription": [_req("attachment"), _req("attachment_type"), _req("fields")],
    "datacollection": [_req("attachment"), _req("attachment_type"), _req("fields")],
    "documenttranscription": [_req("attachment"), _req("features")],
    "namedentityrecognition": [_req("text"), _req("labels")],
    "textcollection": [_req("attachments"), _req("fields")],
    "segmentannotation": [_req("attachment"), _req("labels")],
    "videoannotation": [
        _req("geometries"),
        _req("attachments", "attachment", message="Please include an attachment or attachments parameter."),
    ],
}


def check_task_type(task_type: str) -> None:
    """Reject a task type that is not one of the 31 known values."""
    if task_type not in TASK_TYPES:
        raise bad_request(f'Unknown task type "{task_type}".')


def check_task_params(task_type: str, params: Mapping[str, Any], require: bool = True) -> None:
    """Check the type-specific parameters: presence of required ones (unless ``require`` is
    false), shape of known ones."""
    for name, kinds in _KINDS.items():
        value = params.get(name)
        if value is not None and not isinstance(value, kinds):
            raise invalid_param(name, f"must be {' or '.join(_KIND_NAMES[k] for k in kinds)}")
    for requirement in REQUIRED.get(task_type, ()) if require else ():
        requirement.check(params)
    for name in ("labels", "objects_to_annotate", "categories", "features", "attachments"):
        value = params.get(name)
        if isinstance(value, list) and not value:
            raise invalid_param(name, "must not be empty")


@dataclass
class CommonParams:
    """The task parameters that live at the top level of a task."""

    project: Optional[str] = None
    batch: Optional[str] = None
    instruction: Optional[str] = None
    callback_url: Optional[str] = None
    metadata: JsonDict = field(default_factory=dict)
    unique_id: Optional[str] = None
    tags: Optional[List[str]] = None
    project_version: Optional[int] = None


def optional_str(body: Mapping[str, Any], name: str, allow_empty: bool = True) -> Optional[str]:
    """A string parameter or None; a non-string is a 400."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_param(name, "must be a string")
    if not allow_empty and not value:
        raise invalid_param(name, "must not be empty")
    return value


def required_str(body: Mapping[str, Any], name: str) -> str:
    """A non-empty string parameter; absent, empty or non-string is a 400."""
    value = optional_str(body, name, allow_empty=False)
    if value is None:
        raise missing_param(name)
    return value


def resource_name(body: Mapping[str, Any], name: str) -> str:
    """A project, batch or group name: non-empty, not ``.`` or ``..``, at most 1,024 characters.

    Names travel as one URL path segment; ``.`` and ``..`` are dot segments that HTTP clients
    remove before sending (RFC 3986), and a name too long for a URL could not be sent at all, so
    such a resource could never be addressed again.
    """
    value = check_key_length(required_str(body, name), name)
    if value in (".", ".."):
        raise invalid_param(name, "must not be '.' or '..'")
    return value


def check_key_length(value: str, name: str) -> str:
    """A ``unique_id`` or name that fits in a lookup URL (:data:`MAX_KEY_LENGTH` characters)."""
    if len(value) > MAX_KEY_LENGTH:
        raise invalid_param(name, f"must be at most {MAX_KEY_LENGTH} characters (got {len(value)})")
    return value


def optional_bool(body: Mapping[str, Any], name: str, default: bool = False,
                  refuse: Optional[Callable[[str], ApiError]] = None) -> bool:
    """A boolean parameter (null means the default); anything else is a 400.

    ``refuse(name)`` builds that 400 where the caller answers in another wording (v2 does).
    """
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise refuse(name) if refuse is not None else invalid_param(name, "must be a boolean")
    return value


def string_list(value: Any, name: str, allow_empty: bool = True) -> List[str]:
    """A list of non-empty strings; anything else is a 400."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise invalid_param(name, "must be an array of non-empty strings")
    if not allow_empty and not value:
        raise invalid_param(name, "must not be empty")
    return list(value)


def check_metadata(value: Any, name: str = "metadata") -> JsonDict:
    """A metadata object of at most 10 KB once serialised as UTF-8 (API reference §2.1).

    Counted in UTF-8 bytes of the compact JSON text, so ``"é"`` counts 2 bytes, not the 6 of its
    ASCII escape ``\u00e9``.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_param(name, "must be an object")
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a lone surrogate still gets a size (the JSON decoder refuses them anyway).
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > METADATA_MAX_BYTES:
        raise invalid_param(name, f"must be at most 10 KB when serialized (got {size} bytes)")
    return value


def check_tags(value: Any, name: str = "tags") -> List[str]:
    """A list of tag strings, de-duplicated with the first occurrence's order kept."""
    tags = string_list(value, name)
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise invalid_param(name, f"entries must be at most {MAX_TAG_LENGTH} characters")
    return list(dict.fromkeys(tags))


def common_params(body: Mapping[str, Any]) -> CommonParams:
    """Read and type-check the common task parameters."""
    version = body.get("project_version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise invalid_param("project_version", "must be an integer")
    tags = body.get("tags")
    return CommonParams(
        project=optional_str(body, "project", allow_empty=False),
        batch=optional_str(body, "batch", allow_empty=False),
        instruction=optional_str(body, "instruction"),
        callback_url=optional_str(body, "callback_url"),
        metadata=check_metadata(body.get("metadata")),
        unique_id=optional_unique_id(body),
        tags=None if tags is None else check_tags(tags),
        project_version=version,
    )


def optional_unique_id(body: Mapping[str, Any]) -> Optional[str]:
    """The ``unique_id`` of a create: None, or a non-empty string of at most 1,024 characters."""
    value = optional_str(body, "unique_id", allow_empty=False)
    return None if value is None else check_key_length(value, "unique_id")


class JsonTextError(ValueError):
    """Why a JSON text was refused; the message reads after "Request body", e.g. "is not valid JSON"."""


def strict_json(text: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON that can be stored and sent back: no NaN/Infinity (nor numbers that overflow to
    them), no lone surrogates, nesting within ``limit``.

    Raises:
        JsonTextError: with the reason.
    """
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError as err:
        raise JsonTextError("is nested too deeply.") from err
    except ValueError as err:
        raise JsonTextError(f"is not valid JSON: {err}") from err
    problem = _json_walk(value, limit, check_strings=_SURROGATE_ESCAPE.search(text) is not None)
    if problem:
        raise JsonTextError(problem)
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_walk(value: Any, limit: int, check_strings: bool) -> Optional[str]:
    """What is wrong with a decoded value: nesting beyond ``limit`` or, with ``check_strings``, a
    string (keys too) that is not valid Unicode; None when nothing. Walked without recursion."""
    surrogate = "holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not valid Unicode."
    stack: List[Tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth > limit:
            return "is nested too deeply."
        if isinstance(item, dict):
            if check_strings and not all(_valid_unicode(key) for key in item):
                return surrogate
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif check_strings and isinstance(item, str) and not _valid_unicode(item):
            return surrogate
    return None


def parse_bool(value: str, name: str) -> bool:
    """A boolean query value: ``true``/``false`` in any case (the SDK sends ``True``), or 1/0."""
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise invalid_param(name, "must be true or false")


def parse_int(value: str, name: str, low: int, high: int = MAX_SQL_INT) -> int:
    """An integer query value within ``[low, high]`` (``high`` at most SQLite's largest INTEGER)."""
    text = value.strip()
    # int() also takes "1_000" and non-ASCII digits; a query parameter is plain ASCII digits.
    if not (text.isascii() and text.lstrip("+-").isdigit()) or len(text) > 24:
        raise invalid_param(name, "must be an integer")
    number = int(text)
    if not low <= number <= high:
        raise invalid_param(name, f"must be between {low} and {high}")
    return number


def choice_list(values: Sequence[str], allowed: Sequence[str], name: str) -> List[str]:
    """Comma-separated and/or repeated values, each one of ``allowed``."""
    result: List[str] = []
    for raw in values:
        for part in raw.split(","):
            item = part.strip()
            if not item:
                continue
            if item not in allowed:
                raise invalid_param(name, f"must be one of {', '.join(allowed)} (got {item!r})")
            result.append(item)
    return result


def require_object(body: Any, what: str = "request body") -> JsonDict:
    """The body must be a JSON object."""
    if not isinstance(body, dict):
        raise ApiError(400, f"The {what} must be a JSON object.")
    return body
