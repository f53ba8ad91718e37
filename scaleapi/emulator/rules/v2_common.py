"""Shared pieces of the /v2 rules: the error body, query parsing, page tokens, lookups by id or name.

Every /v2 error is an :class:`ApiError`, which the app sends as ``{"status_code": N, "error": "..."}``,
the shape of every v2 error model. Query values arrive as ``{name: [values...]}``; single-valued
parameters use the last value, ``expand`` and ``opts`` use every value (the key is repeated).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Collection, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from .context import ServiceContext
from .errors import ApiError
from .identity import Account
from .timeutil import parse_time
from .validation import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_SQL_INT, optional_bool

JsonDict = Dict[str, Any]
Query = Mapping[str, Sequence[str]]

#: The ``opts`` values of every v2 endpoint that takes them.
OPTIONS = ("annotation_details", "attachment_details", "model_parameters", "submissions")
_TOKEN_VERSION = 1


def v2_error(status: int, message: str) -> ApiError:
    """An error answered as ``{"status_code": status, "error": message}``."""
    return ApiError(status, message)


def query_str(query: Query, name: str) -> Optional[str]:
    """The last value of a query parameter; None when absent or empty."""
    values = query.get(name)
    return values[-1] if values and values[-1] != "" else None


def parse_limit(query: Query) -> int:
    """``limit``: 1..100, default 100; 400 otherwise."""
    raw = query_str(query, "limit")
    if raw is None:
        return DEFAULT_PAGE_LIMIT
    # ASCII digits only, and few of them: "²" is a digit to str.isdigit but not to int().
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_PAGE_LIMIT:
        raise v2_error(400, f"limit must be an integer from 1 to {MAX_PAGE_LIMIT} (got {raw!r}).")
    return int(raw)


def _choices(query: Query, name: str, allowed: Collection[str]) -> FrozenSet[str]:
    values = [value for value in query.get(name) or [] if value != ""]
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise v2_error(400, f"{name} must be among {', '.join(sorted(allowed))} (got {unknown[0]!r}).")
    return frozenset(values)


def parse_expand(query: Query, allowed: Collection[str]) -> FrozenSet[str]:
    """The ``expand`` values (key repeated); 400 for a value this endpoint cannot expand."""
    return _choices(query, "expand", allowed)


def parse_opts(query: Query) -> FrozenSet[str]:
    """The ``opts`` values (key repeated); 400 for an unknown option."""
    return _choices(query, "opts", OPTIONS)


def parse_v2_datetime(value: Optional[str], name: str) -> Optional[int]:
    """A query datetime in epoch milliseconds, or None when absent.

    Reads what the official client sends (``2025-01-02T03:04:05.000000+0000`` or, from a naive value,
    ``2025-01-02T03:04:05.000000``, which is UTC) and any ISO 8601 form; 400 naming the parameter
    otherwise.
    """
    if value is None or value == "":
        return None
    return parse_time(value, name)


def time_range(query: Query, low: str, high: str) -> Tuple[Optional[int], Optional[int]]:
    """``[low, high)`` bounds in epoch milliseconds from two query datetimes."""
    return parse_v2_datetime(query_str(query, low), low), parse_v2_datetime(query_str(query, high), high)


def fingerprint(account: Account, *parts: Any) -> str:
    """Ties a page token to its account and filters, so it cannot be replayed against other ones."""
    raw = json.dumps([account.id, *[repr(part) for part in parts]], separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def encode_page_token(kind: str, cursor: Sequence[int], mark: str) -> str:
    """An opaque, URL-safe cursor for the list ``kind`` holding the last position served."""
    raw = json.dumps([_TOKEN_VERSION, kind, list(cursor), mark], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, kind: str, mark: str, size: int) -> Tuple[int, ...]:
    """The cursor of a token made by :func:`encode_page_token`; 400 when forged or for other filters."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, token_kind, cursor, token_mark = json.loads(raw)
        valid = (
            version == _TOKEN_VERSION and token_kind == kind and isinstance(cursor, list)
            and len(cursor) == size and all(
                isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_SQL_INT for n in cursor
            )
        )
    except (ValueError, TypeError, RecursionError, binascii.Error):
        valid, token_mark, cursor = False, "", []
    if not valid:
        raise v2_error(400, "next_token is not a valid page token.")
    if token_mark != mark:
        raise v2_error(400, "next_token belongs to a different query; keep the filters unchanged.")
    return tuple(cursor)


def body_object(body: Any) -> JsonDict:
    """The JSON body as an object (an empty body is ``{}``); 400 otherwise."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise v2_error(400, "The request body must be a JSON object.")
    return body


def body_str(body: Mapping[str, Any], name: str) -> Optional[str]:
    """An optional string field of a body (null and absent are None; "" is refused); 400 for other types."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value == "":
        raise v2_error(400, f"{name} must be a non-empty string.")
    return value


def body_bool(body: Mapping[str, Any], name: str, default: bool = False) -> bool:
    """An optional boolean field of a body; 400 for other types."""
    return optional_bool(body, name, default, refuse=_not_a_bool)


def _not_a_bool(name: str) -> ApiError:
    return v2_error(400, f"{name} must be a boolean.")


def body_object_field(body: Mapping[str, Any], name: str, required: bool = False) -> Optional[JsonDict]:
    """An object field of a body; 400 when missing (if required) or not an object."""
    value = body.get(name)
    if value is None:
        if required:
            raise v2_error(400, f"{name} is required.")
        return None
    if not isinstance(value, dict):
        raise v2_error(400, f"{name} must be an object.")
    return value


def which(id_value: Optional[str], name_value: Optional[str], what: str) -> Tuple[str, str]:
    """``("id", value)`` or ``("name", value)``: the id wins when both came; 400 with neither."""
    if id_value is not None:
        return "id", id_value
    if name_value is not None:
        return "name", name_value
    raise v2_error(400, f"Either {what}_id or {what}_name is required.")


def _find(what: str, key: str, value: str, doc: Optional[JsonDict]) -> JsonDict:
    if doc is None:
        raise v2_error(404, f"{what} with {key} {value!r} not found.")
    return doc


def find_project(ctx: ServiceContext, account: Account, project_id: Optional[str],
                 project_name: Optional[str]) -> JsonDict:
    """The project named by id or name (id first); 400 with neither, 404 when unknown."""
    key, value = which(project_id, project_name, "project")
    by_key = ctx.store.v2.project_by_id if key == "id" else ctx.store.projects.get
    return _find("Project", key, value, by_key(account.id, value))


def find_batch(ctx: ServiceContext, account: Account, batch_id: Optional[str],
               batch_name: Optional[str]) -> JsonDict:
    """The batch named by id or name (id first); 400 with neither, 404 when unknown."""
    key, value = which(batch_id, batch_name, "batch")
    by_key = ctx.store.v2.batch_by_id if key == "id" else ctx.store.batches.get
    return _find("Batch", key, value, by_key(account.id, value))


def deep_merge(base: Mapping[str, Any], new: Mapping[str, Any]) -> JsonDict:
    """``new`` merged into ``base``: nested objects key by key, anything else (arrays too) replaced."""
    merged: JsonDict = dict(base)
    for key, value in new.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def names_in(docs: Sequence[Mapping[str, Any]], key: str) -> List[str]:
    """The distinct string values of ``key`` over documents, in first-seen order."""
    return list(dict.fromkeys(str(doc[key]) for doc in docs if isinstance(doc.get(key), str)))
