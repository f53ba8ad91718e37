"""``GET tasks``: every filter of API reference §2.1 with ``next_token`` cursor pages, newest first.

The token holds the (created_ms, seq) position of the last task served, so a page costs one indexed
range scan however deep the client has paged; the running offset and the first page's total ride
along in the token, so later pages need no COUNT.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..storage.task_store import Cursor, TaskFilter
from .context import ServiceContext
from .errors import invalid_param
from .identity import Account
from .jsontext import EncodedJson, encode, splice_object
from .timeutil import parse_time
from .validation import (
    DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_SQL_INT, REVIEW_STATUSES, TASK_STATUSES, TASK_TYPES,
    choice_list, parse_bool, parse_int,
)

JsonDict = Dict[str, Any]
Query = Mapping[str, Sequence[str]]

LIMITED_KEYS = ("task_id", "status", "metadata", "project")
#: Most distinct ``tags`` one listing may require (each one is a term of the SQL query).
MAX_TAG_FILTERS = 100

_RANGES = (
    ("created", "start_time", "end_time"),
    ("updated", "updated_after", "updated_before"),
    ("completed", "completed_after", "completed_before"),
)


def _last(query: Query, name: str) -> Optional[str]:
    values = query.get(name)
    return values[-1] if values else None


def parse_filter(query: Query) -> TaskFilter:
    """Turn the query string into a :class:`TaskFilter` (400 on any malformed value)."""
    flt = TaskFilter(
        project=_last(query, "project") or None,
        batch=_last(query, "batch") or None,
        statuses=choice_list(query.get("status") or [], TASK_STATUSES, "status"),
        types=choice_list(query.get("type") or [], sorted(TASK_TYPES), "type"),
        review_statuses=choice_list(
            query.get("customer_review_status") or [], REVIEW_STATUSES, "customer_review_status"
        ),
        unique_ids=[value for value in query.get("unique_id") or [] if value],
        tags_all=list(dict.fromkeys(value for value in query.get("tags") or [] if value)),
    )
    if len(flt.tags_all) > MAX_TAG_FILTERS:
        raise invalid_param("tags", f"may list at most {MAX_TAG_FILTERS} distinct tags")
    for attribute, low_name, high_name in _RANGES:
        low = _last(query, low_name)
        high = _last(query, high_name)
        bounds = (
            parse_time(low, low_name) if low else None,
            parse_time(high, high_name) if high else None,
        )
        setattr(flt, attribute, bounds)
    return flt


def _fingerprint(account: Account, flt: TaskFilter) -> str:
    """Ties a token to its account and filters, so it can't be replayed against other ones."""
    raw = json.dumps([account.id, repr(flt)], separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def encode_token(cursor: Cursor, offset: int, total: int, fingerprint: str) -> str:
    """An opaque, URL-safe cursor."""
    raw = json.dumps([2, cursor[0], cursor[1], offset, total, fingerprint], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> Tuple[Cursor, int, int]:
    """(cursor, offset, total) from a token; 400 when it is malformed or for other filters."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, created, seq, offset, total, mark = json.loads(raw)
        numbers = (created, seq, offset, total)
        valid = version == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_SQL_INT for n in numbers
        )
    except (ValueError, TypeError, RecursionError, binascii.Error):
        valid, created, seq, offset, total, mark = False, 0, 0, 0, 0, ""
    if not valid:
        raise invalid_param("next_token", "is not a valid page token")
    if mark != fingerprint:
        raise invalid_param("next_token", "belongs to a different query; keep the filters unchanged")
    return (created, seq), offset, total


def _limited(text: str) -> str:
    doc = json.loads(text)
    small = {key: doc[key] for key in LIMITED_KEYS if key in doc}
    small["otherVersion"] = doc.get("otherVersion")
    return encode(small)


def list_tasks(ctx: ServiceContext, account: Account, query: Query) -> EncodedJson:
    """One page of the account's tasks matching the query.

    The stored documents are spliced into the response as written (compact JSON, the same bytes
    the encoder would give), so a full page is never decoded and re-encoded.
    """
    limit_raw = _last(query, "limit")
    limit = DEFAULT_PAGE_LIMIT if limit_raw is None else parse_int(limit_raw, "limit", 1, MAX_PAGE_LIMIT)
    limited_raw = _last(query, "limited_response")
    limited = parse_bool(limited_raw, "limited_response") if limited_raw is not None else False
    attachment_raw = _last(query, "include_attachment_url")
    if attachment_raw is not None:
        # Attachments are the caller's own URLs, already in params: nothing to presign.
        parse_bool(attachment_raw, "include_attachment_url")
    flt = parse_filter(query)
    fingerprint = _fingerprint(account, flt)
    token = _last(query, "next_token")
    with ctx.store.transaction():
        after: Optional[Cursor] = None
        if token:
            after, offset, total = decode_token(token, fingerprint)
        else:
            offset = 0
            total = ctx.store.tasks.count(account.id, flt)
        rows = ctx.store.tasks.page_docs(account.id, flt, after, limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    docs: List[str] = [_limited(row[2]) if limited else row[2] for row in rows]
    next_token = (
        encode_token((rows[-1][0], rows[-1][1]), offset + len(rows), total, fingerprint)
        if has_more and rows else None
    )
    return splice_object("docs", docs, {
        "total": total, "limit": limit, "offset": offset, "has_more": has_more, "next_token": next_token,
    })
