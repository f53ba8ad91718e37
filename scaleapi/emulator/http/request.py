"""One incoming request as the routes see it: raw path, query, bounded body, JSON, multipart.

Paths are taken from the raw request line (``RAW_URI``), not ``PATH_INFO``, because a project or
batch name may contain an encoded ``/`` (``%2F``) that must stay inside its path segment; captured
segments are percent-decoded by the router.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from ..rules.errors import ApiError, bad_request
from ..rules.files import UploadedFile
from ..rules.identity import Account
from ..rules.jsontext import EncodedJson, encode
from ..rules.validation import JsonTextError, strict_json

# environ key set once the request body has been read to its end, so the connection can be
# reused; without it the server closes the connection after answering.
BODY_CONSUMED = "scaleapi.emulator.body_consumed"
# environ key set when the body could not be read (malformed chunked encoding, a client gone):
# nothing more is read from the connection, and the server closes it after answering.
BODY_BROKEN = "scaleapi.emulator.body_broken"

_JSON_TYPES = ("application/json", "text/json")
_BAD_AUTH = "Invalid API key: the Authorization header is not valid HTTP Basic credentials."


def raw_path(environ: Mapping[str, Any]) -> Tuple[str, str]:
    """(path still percent-encoded, query string) of the request."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return str(environ.get("PATH_INFO") or "/"), str(environ.get("QUERY_STRING") or "")
    raw = str(raw)
    if "://" in raw.split("?", 1)[0]:
        parts = urlsplit(raw)
        return parts.path or "/", parts.query
    path, _, query = raw.partition("?")
    return path or "/", query


def json_response(payload: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
    """A JSON response with an explicit Content-Length (needed for keep-alive)."""
    if isinstance(payload, Response):
        return payload  # a handler that answers other than JSON (a redirect, file bytes)
    if isinstance(payload, EncodedJson):
        body = payload.body
    else:
        body = encode(payload).encode("utf-8")
    response = Response(body, status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> Response:
    """The error shape of API reference §1.6."""
    return json_response({"status_code": status, "error": message}, status, headers)


def basic_username(environ: Mapping[str, Any]) -> Optional[str]:
    """The username of the request's HTTP Basic credentials (the API key); None when none came.

    Raises:
        ValueError: the Basic credentials are not base64 of UTF-8 text (e.g. raw non-ASCII bytes).
    """
    header = str(environ.get("HTTP_AUTHORIZATION") or "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        # The server hands header bytes over as latin-1 text; base64 needs them as bytes.
        raw = base64.b64decode(credentials.strip(" \t").encode("latin-1"), validate=True)
        username = raw.decode("utf-8").partition(":")[0]
    except (UnicodeError, binascii.Error) as err:
        raise ValueError("not valid HTTP Basic credentials") from err
    return username or None


class ApiRequest:
    """Parsed view of a request, with the body read at most once and never past its limit."""

    def __init__(self, environ: Dict[str, Any], max_json_bytes: int, max_upload_bytes: int) -> None:
        self.environ = environ
        self.request = Request(environ)
        self.method = self.request.method.upper()
        self.path, self.query_string = raw_path(environ)
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.account: Optional[Account] = None
        self._body: Optional[bytes] = None

    def authenticated(self) -> Account:
        """The account the request was authenticated as (API routes run only after authentication)."""
        assert self.account is not None, "API routes run only after authentication"
        return self.account

    @property
    def query(self) -> Dict[str, List[str]]:
        """Query parameters, every value of repeated keys kept in order."""
        return {key: self.request.args.getlist(key) for key in self.request.args.keys()}

    @property
    def api_key(self) -> Optional[str]:
        """The username of HTTP Basic auth (the API key), or None when no Basic credentials came.

        Raises:
            ApiError: 401 when the Basic credentials are not base64 of UTF-8 text (e.g. raw
                non-ASCII bytes in the header).
        """
        try:
            return basic_username(self.environ)
        except ValueError as err:
            raise ApiError(401, _BAD_AUTH) from err

    def is_multipart(self) -> bool:
        """True for ``multipart/form-data`` bodies."""
        return self.request.mimetype == "multipart/form-data"

    def read_body(self) -> bytes:
        """The whole body, bounded by the JSON limit (413 beyond it)."""
        if self._body is None:
            self.request.max_content_length = self.max_json_bytes
            if self.environ.get(BODY_BROKEN):
                raise bad_request("The request body could not be read.")
            try:
                self._body = self.request.get_data(cache=True)
            except RequestEntityTooLarge as err:
                raise ApiError(413, f"Request body is larger than {self.max_json_bytes} bytes.") from err
            except ClientDisconnected as err:
                raise self._broken(err) from err
            self.environ[BODY_CONSUMED] = True
        return self._body

    def _broken(self, err: Exception) -> ApiError:
        """Mark the body unreadable (the connection will be closed) and build its 400."""
        self.environ[BODY_BROKEN] = True
        cause = err.__context__ or err
        detail = f" ({cause})" if isinstance(cause, OSError) and str(cause) else ""
        return bad_request(f"The request body could not be read{detail}: it is malformed or was cut short.")

    def json(self) -> Any:
        """The JSON body, or None for an empty body (the official client drops falsy bodies)."""
        body = self.read_body()
        if not body.strip():
            return None
        mimetype = self.request.mimetype
        if mimetype and mimetype not in _JSON_TYPES and not mimetype.endswith("+json"):
            raise bad_request(f"Content-Type must be application/json, not {mimetype}.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise bad_request("Request body is not valid UTF-8.") from err
        try:
            return strict_json(text)
        except JsonTextError as err:
            raise bad_request(f"Request body {err}") from err

    def multipart(self) -> Tuple[Optional[UploadedFile], Dict[str, str]]:
        """Stream a multipart body: the ``file`` part is hashed and measured, never kept."""
        request = self.request
        request.max_content_length = self.max_upload_bytes
        request.max_form_memory_size = self.max_json_bytes
        try:
            form = request.form
            files = request.files
            # Drain anything after the closing boundary so the connection can be reused.
            while request.stream.read(65536):
                pass
        except RequestEntityTooLarge as err:
            raise ApiError(413, f"Request body is larger than {self.max_upload_bytes} bytes.") from err
        except ClientDisconnected as err:
            raise self._broken(err) from err
        except ValueError as err:
            raise bad_request(f"Malformed multipart body: {err}") from err
        self.environ[BODY_CONSUMED] = True
        fields = {key: form.get(key, "") for key in form.keys()}
        storage = files.get("file")
        if storage is None:
            return None, fields
        digest = hashlib.sha256()
        size = 0
        head = b""
        while True:
            chunk = storage.stream.read(1 << 20)
            if not chunk:
                break
            if not head:
                head = chunk[:16]
            digest.update(chunk)
            size += len(chunk)
        storage.close()
        upload = UploadedFile(
            filename=storage.filename or "file", content_type=storage.content_type, size=size,
            sha256=digest.hexdigest(), head=head,
        )
        return upload, fields
