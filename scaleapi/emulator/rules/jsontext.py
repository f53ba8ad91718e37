"""Payloads already encoded as JSON, so a stored document can be served without decode + re-encode.

Task documents are stored as compact JSON (``separators=(",", ":")``, ASCII-escaped), exactly what
the response encoder would produce for them, so splicing the stored text gives the same bytes.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

COMPACT = (",", ":")


class EncodedJson:
    """A response payload already encoded as compact JSON."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body


def encode(value: Any) -> str:
    """Compact JSON text, as every response and stored document is written."""
    return json.dumps(value, separators=COMPACT)


def splice_object(first_key: str, items: Sequence[str], rest: Any) -> EncodedJson:
    """``{first_key: [items...], **rest}`` with ``items`` already JSON texts (``rest`` non-empty)."""
    tail = encode(rest)
    return EncodedJson(f'{{{encode(first_key)}:[{",".join(items)}],{tail[1:]}'.encode("utf-8"))
