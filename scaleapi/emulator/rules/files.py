"""File rules: multipart uploads (only size, type and digest are kept) and imports by URL.

An imported URL is recorded, never fetched: the emulator makes no outbound requests.
"""
from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import urlsplit

from .context import ServiceContext
from .errors import ApiError, conflict, invalid_param
from .identity import Account, new_object_id
from .projects import load_project
from .timeutil import iso_from_ms
from .validation import (
    JsonTextError, check_metadata, optional_str, require_object, required_str, strict_json,
)

JsonDict = Dict[str, Any]

MAX_FILE_BYTES = 80 * 1024 * 1024

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


@dataclass
class UploadedFile:
    """What the route learned from the multipart ``file`` part while streaming it."""

    filename: str
    content_type: Optional[str]
    size: int
    sha256: str
    head: bytes


def _mime(upload: UploadedFile) -> str:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    for magic, mime in _MAGIC:
        if upload.head.startswith(magic):
            return mime
    guessed, _ = mimetypes.guess_type(upload.filename)
    return guessed or "application/octet-stream"


def _file_doc(
    ctx: ServiceContext, account: Account, fields: Mapping[str, Any], extra: JsonDict
) -> JsonDict:
    """Common part of upload and import: options, checks (404/409) and the File JSON."""
    project_name = optional_str(fields, "project_name", allow_empty=False)
    display_name = optional_str(fields, "display_name")
    reference_id = optional_str(fields, "reference_id", allow_empty=False)
    metadata = fields.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = strict_json(metadata) if metadata else {}
        except JsonTextError as err:
            raise invalid_param("metadata", f"must be a JSON object (the text {err})") from err
    metadata = check_metadata(metadata)
    projects: List[str] = []
    if project_name is not None:
        projects.append(load_project(ctx, account, project_name)["name"])
    if reference_id is not None and ctx.store.files.reference_taken(account.id, reference_id):
        raise conflict(f'A file with reference_id "{reference_id}" already exists.')
    now = ctx.now()
    doc: JsonDict = {
        "id": new_object_id(),
        "attachment_url": f"scaledata://{account.short}/{uuid.uuid4()}",
        "created_at": iso_from_ms(now), "updated_at": iso_from_ms(now), "project_names": projects,
        "metadata": metadata, **extra,
    }
    if display_name is not None:
        doc["display_name"] = display_name
    if reference_id is not None:
        doc["reference_id"] = reference_id
    ctx.store.files.insert(account.id, doc, now)
    return doc


def upload_file(
    ctx: ServiceContext, account: Account, upload: Optional[UploadedFile], form: Mapping[str, str]
) -> JsonDict:
    """``POST files/upload``: needs a ``file`` part of at most 80 MB."""
    if upload is None:
        raise invalid_param("file", "is required (multipart/form-data part named file)")
    if upload.size > MAX_FILE_BYTES:
        raise ApiError(413, f"File is too large: {upload.size} bytes; the limit is 80 MB.")
    extra = {"mime_type": _mime(upload), "size": upload.size, "sha256": upload.sha256}
    if "display_name" not in form and upload.filename:
        extra["display_name"] = upload.filename
    with ctx.store.transaction():
        return _file_doc(ctx, account, form, extra)


def import_file(ctx: ServiceContext, account: Account, body: Any) -> JsonDict:
    """``POST files/import``: records the URL; nothing is downloaded."""
    body = require_object(body if body is not None else {})
    file_url = required_str(body, "file_url")
    try:
        parts = urlsplit(file_url)
    except ValueError as err:  # e.g. "http://[::1" (an unclosed IPv6 literal)
        raise invalid_param("file_url", f"must be a valid absolute URL ({err})") from err
    if not parts.scheme or not (parts.netloc or parts.path):
        raise invalid_param("file_url", "must be an absolute URL")
    guessed, _ = mimetypes.guess_type(parts.path)
    extra = {"mime_type": guessed or "application/octet-stream", "size": None, "source_url": file_url}
    with ctx.store.transaction():
        return _file_doc(ctx, account, body, extra)
