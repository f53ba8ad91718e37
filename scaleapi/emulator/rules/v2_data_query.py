"""What the deliveries, datasets and schemas rules share beyond :mod:`.v2_common`: names and pages.

Pages resume after one row number; the token (``v2_common``'s) is tied to the account and to the
listing's filters, so a token of one listing is a 400 on another.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from .errors import invalid_param
from .identity import Account
from .v2_common import Query, decode_page_token, encode_page_token, fingerprint, query_str
from .validation import MAX_KEY_LENGTH

JsonDict = Dict[str, Any]


def check_name(value: Any, name: str) -> str:
    """A resource name or id given to a create call: a non-empty string that fits in a query string."""
    if not isinstance(value, str) or not value.strip():
        raise invalid_param(name, "must be a non-empty string")
    if len(value) > MAX_KEY_LENGTH:
        raise invalid_param(name, f"must be at most {MAX_KEY_LENGTH} characters")
    return value


class Pager:
    """One listing's page position: where ``next_token`` resumes, and the token for the next page."""

    def __init__(self, query: Query, account: Account, kind: str, *filters: Any) -> None:
        self.kind = kind
        self.mark = fingerprint(account, *filters)
        token = query_str(query, "next_token")
        self.after: Optional[int] = None if token is None else decode_page_token(token, kind, self.mark, 1)[0]

    def finish(self, body: JsonDict, cursors: Sequence[int], limit: int) -> JsonDict:
        """``body`` plus ``next_token`` when ``cursors`` (fetched ``limit + 1``) show more remain."""
        if len(cursors) > limit:
            body["next_token"] = encode_page_token(self.kind, (cursors[limit - 1],), self.mark)
        return body
