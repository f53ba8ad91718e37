"""Query parsing and page tokens shared by the deliveries, datasets and schemas rules."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .context import ServiceContext
from .errors import bad_request, invalid_param, not_found
from .identity import Account
from .timeutil import parse_time
from .validation import MAX_KEY_LENGTH, choice_list, parse_int

JsonDict = Dict[str, Any]
Query = Mapping[str, Sequence[str]]

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
OPTIONS = ("annotation_details", "attachment_details", "model_parameters", "submissions")
_TOKEN_KEY = secrets.token_bytes(16)


def first(query: Query, name: str) -> Optional[str]:
    """The value of a single-valued query parameter (the last one when repeated), or None."""
    values = query.get(name) or []
    return values[-1] if values else None


def check_name(value: Any, name: str) -> str:
    """A resource name: a non-empty string that fits in a query string."""
    if not isinstance(value, str) or not value.strip():
        raise invalid_param(name, "must be a non-empty string")
    if len(value) > MAX_KEY_LENGTH:
        raise invalid_param(name, f"must be at most {MAX_KEY_LENGTH} characters")
    return value


def expand_of(query: Query, allowed: Sequence[str]) -> List[str]:
    """The ``expand`` values (repeated or comma-separated), each one of ``allowed``."""
    return choice_list(query.get("expand") or [], allowed, "expand")


def opts_of(query: Query) -> List[str]:
    """The ``opts`` values."""
    return choice_list(query.get("opts") or [], OPTIONS, "opts")


def page_limit(query: Query) -> int:
    """``limit``: 1..100, 100 when absent."""
    value = first(query, "limit")
    return DEFAULT_LIMIT if value is None else parse_int(value, "limit", 1, MAX_LIMIT)


def _sign(text: str) -> str:
    return hmac.new(_TOKEN_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def page_token(kind: str, cursor: int) -> str:
    """An opaque token for the page after ``cursor`` of the listing ``kind``."""
    text = f"{kind}|{cursor}"
    return base64.urlsafe_b64encode(f"{text}|{_sign(text)}".encode("utf-8")).decode("ascii").rstrip("=")


def page_after(query: Query, kind: str) -> Optional[int]:
    """The cursor ``next_token`` resumes after (None on the first page); 400 for a forged token."""
    token = first(query, "next_token")
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    body, _, signature = text.rpartition("|")
    token_kind, _, cursor = body.rpartition("|")
    if not (hmac.compare_digest(signature, _sign(body)) and token_kind == kind and cursor.isdigit()):
        raise invalid_param("next_token", "is not a token this listing handed out")
    return int(cursor)


def page_result(body: JsonDict, kind: str, cursors: Sequence[int], limit: int) -> JsonDict:
    """``body`` plus ``next_token`` when ``cursors`` (fetched ``limit + 1``) show more remain."""
    if len(cursors) > limit:
        body["next_token"] = page_token(kind, cursors[limit - 1])
    return body


def time_range(query: Query, after: str, before: str) -> Tuple[Optional[int], Optional[int]]:
    """``[from, to)`` in epoch ms: strictly after ``after``, strictly before ``before``."""
    low, high = first(query, after), first(query, before)
    return (
        None if low is None else parse_time(low, after) + 1,
        None if high is None else parse_time(high, before),
    )


def find_project(
    ctx: ServiceContext, account: Account, project_id: Optional[str], name: Optional[str]
) -> JsonDict:
    """The project with ``project_id`` (preferred) or ``name``; 404 when unknown."""
    doc: Optional[JsonDict] = None
    if project_id is not None:
        docs = ctx.store.projects.list(account.id)
        doc = next((item for item in docs if item.get("id") == project_id), None)
    elif name is not None:
        doc = ctx.store.projects.get(account.id, name)
    if doc is None:
        raise not_found("Project not found.")
    return doc


def project_of_query(
    ctx: ServiceContext, account: Account, query: Query, required: bool
) -> Optional[JsonDict]:
    """The project named by ``project_id``/``project_name``; None (or 400 if ``required``) when neither."""
    project_id, name = first(query, "project_id"), first(query, "project_name")
    if project_id is None and name is None:
        if required:
            raise bad_request("One of project_id or project_name is required.")
        return None
    return find_project(ctx, account, project_id, name)


def project_v2(doc: JsonDict) -> JsonDict:
    """The v2 Project of a stored project."""
    return {"id": doc["id"], "name": doc["name"], "created_at": doc["created_at"], "types": [doc["type"]]}


def task_v2(
    ctx: ServiceContext, account: Account, doc_text: str, expand: Sequence[str], opts: Sequence[str]
) -> JsonDict:
    """The v2 Task of a stored task (its stored JSON text)."""
    import json  # pylint: disable=import-outside-toplevel

    del opts
    doc = json.loads(doc_text)
    project = ctx.store.projects.get(account.id, doc.get("project") or "")
    task: JsonDict = {
        "task_id": doc["task_id"], "status": doc["status"], "created_at": doc["created_at"],
        "project": (project_v2(project) if "project" in expand else project["id"]) if project else "",
        "metadata": doc.get("metadata") or {}, "threads": [],
    }
    if doc.get("completed_at"):
        task["completed_at"] = doc["completed_at"]
    return task
