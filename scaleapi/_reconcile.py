"""When may a 409 on a retried keyed create count as success? Only when the object is provably ours.

A keyed create (a task with a ``unique_id``, a project, batch or Studio group by name, a teammate by
email) whose earlier attempt was ambiguous may answer 409 because that attempt did create the object.
It may also answer 409 because an older, unrelated object holds the key. The two are told apart by
comparing the object found with the request, field by field, the way the server stores them:

* every field the request set (not ``None``) must hold an equal value; JSON equality, so ``1`` and
  ``1.0`` are equal but ``true`` and ``1`` are not, and nested objects and lists must be equal whole;
* a field the request left out is not compared, and neither are keys the server added (inherited
  project params, defaults, timestamps, status);
* a field the server fills with a default when it is not sent is compared with that default when the
  object lacks it (``metadata`` ``{}``, ``callback`` ``""``, the batch and project flags ``false``);
* the server's own normalising is applied to the request first (task tags lose repeats, emails are
  compared in lower case).

The functions here return the names of the fields that differ, never the values sent (a callback
URL or metadata may hold secrets; a teammate's entry shows the email and the role it has); ``mismatch``
turns them into the ``ScaleDuplicateResource`` that
names the existing object. Every reconcile closure of the client and the bulk rerun path use them.
See docs/retries.md.
"""
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from .exceptions import ScaleDuplicateResource

__all__ = [
    "TASK_TOP_LEVEL_FIELDS",
    "batch_differences",
    "differences",
    "group_differences",
    "json_equal",
    "mismatch",
    "project_differences",
    "task_differences",
    "teammate_differences",
]

#: Task create keys the server keeps at the top level of the task; every other key is a param.
TASK_TOP_LEVEL_FIELDS = frozenset(
    {"project", "batch", "instruction", "callback_url", "metadata", "unique_id", "tags"}
)
#: Steers which project params a task inherits; not stored as sent, so never compared.
_TASK_STEERING = frozenset({"project_version"})
#: ``param_history`` entry keys that are bookkeeping, not params.
_HISTORY_KEYS = frozenset({"version", "created_at"})

_TASK_DEFAULTS: Dict[str, Any] = {"metadata": {}, "tags": []}
_PROJECT_DEFAULTS: Dict[str, Any] = {"rapid": False, "studio": False}
_BATCH_DEFAULTS: Dict[str, Any] = {
    "callback": "",
    "metadata": {},
    "calibration_batch": False,
    "self_label_batch": False,
}


def _as_json(value: Any) -> Any:
    """``value`` as the server received it (tuples become lists, str enums their values, ...)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def json_equal(left: Any, right: Any) -> bool:
    """Whether two JSON values are equal: numbers by value, but a boolean is never a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right))
    if type(left) is not type(right):
        return False
    return bool(left == right)


def differences(
    requested: Mapping[str, Any],
    found: Any,
    defaults: Optional[Mapping[str, Any]] = None,
    prefix: str = "",
) -> List[str]:
    """The names (with ``prefix``) of the fields the request set that ``found`` does not hold.

    Args:
        requested: the fields as sent; ``None`` values count as not set.
        found: the stored object (anything but a mapping holds nothing).
        defaults: what the server stores for a field it was not sent.
        prefix: put before each name, e.g. ``"params."``.
    """
    stored: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    fallback = defaults or {}
    return [
        prefix + name
        for name, value in requested.items()
        if value is not None and not json_equal(_as_json(value), stored.get(name, fallback.get(name)))
    ]


def task_differences(task_type: str, body: Mapping[str, Any], found: Any) -> List[str]:
    """What a task found by ``unique_id`` does not share with a create of ``task_type`` with ``body``.

    Top-level fields (project, batch, instruction, callback_url, metadata, unique_id, tags) are
    compared with the task's own; every other key with the task's ``params``, which may hold more
    (what the task inherited from its project, server defaults).
    """
    top: Dict[str, Any] = {"type": task_type}
    params: Dict[str, Any] = {}
    for key, value in body.items():
        if key in TASK_TOP_LEVEL_FIELDS:
            top[key] = value
        elif key not in _TASK_STEERING:
            params[key] = value
    tags = top.get("tags")
    if isinstance(tags, (list, tuple)):
        top["tags"] = list(dict.fromkeys(tags))  # the server drops repeated tags
    stored_params = found.get("params") if isinstance(found, Mapping) else None
    return differences(top, found, _TASK_DEFAULTS) + differences(params, stored_params, prefix="params.")


def _created_params(found: Mapping[str, Any]) -> Any:
    """The params the project's create stored: its first ``param_history`` entry."""
    history = found.get("param_history")
    if isinstance(history, list):
        first = history[0] if history else {}
        if isinstance(first, Mapping):
            return {key: value for key, value in first.items() if key not in _HISTORY_KEYS}
        return {}
    return found.get("params")


def project_differences(body: Mapping[str, Any], found: Any) -> List[str]:
    """What a project found by name does not share with a ``POST projects`` of ``body``.

    ``params`` are compared with the project's first ``param_history`` entry (the one its create
    made), key by key; keys the server added there are fine.
    """
    requested = {key: value for key, value in body.items() if key not in ("name", "params")}
    stored: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    return differences(requested, stored, _PROJECT_DEFAULTS) + differences(
        body.get("params") or {}, _created_params(stored), prefix="params."
    )


def batch_differences(body: Mapping[str, Any], found: Any) -> List[str]:
    """What a batch found by name does not share with a ``POST batches`` of ``body``."""
    requested = {key: value for key, value in body.items() if key != "name"}
    return differences(requested, found, _BATCH_DEFAULTS)


def teammate_differences(emails: Iterable[str], role: str, team: Sequence[Any]) -> List[str]:
    """The invited emails that are not on ``team`` with ``role``, each with what it has instead.

    Returns entries such as ``"'a@example.com' (role manager)"`` or ``"'b@example.com' (not
    listed)"``; empty when every email is on the team with ``role``.
    """
    members = {
        str(member.get("email", "")).lower(): member for member in team if isinstance(member, Mapping)
    }
    found: List[str] = []
    for email in dict.fromkeys(email.lower() for email in emails):
        member = members.get(email)
        if member is None:
            found.append(f"{email!r} (not listed)")
        elif differences({"role": role}, member):
            found.append(f"{email!r} (role {member.get('role')})")
    return found


def group_differences(emails: Iterable[str], found: Any) -> List[str]:
    """``["members"]`` when a Studio group's members are not exactly ``emails`` (in any case/order)."""
    workers = found.get("workers") if isinstance(found, Mapping) else None
    have = {
        str(worker.get("email", "")).lower()
        for worker in (workers if isinstance(workers, list) else [])
        if isinstance(worker, Mapping)
    }
    return [] if have == {email.lower() for email in emails} else ["members"]


def mismatch(existing: str, diffs: Sequence[str]) -> ScaleDuplicateResource:
    """The error for a 409 whose object is not this request's: names the object and what differs.

    Args:
        existing: describes the object that holds the key, e.g. ``task 5f1... (unique_id 'a')``.
        diffs: the fields that differ, as returned by the functions above.
    """
    return ScaleDuplicateResource(
        f"{existing} already exists and differs from this request in: {', '.join(diffs)}", 409
    )
