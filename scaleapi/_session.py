"""The pooled ``requests.Session`` every ``Api`` uses: timed connections, no urllib3 retries, and
redirects that carry the key only to the very same origin; and the rewinding of uploaded file
streams between two attempts."""
import urllib.parse
from typing import Any, Callable, Mapping, Optional, Tuple

import requests

from . import _constants as C
from ._deadline import DeadlineAdapter

__all__ = ["new_session", "rewinder"]


def _origin(url: str) -> Tuple[str, Optional[str], Optional[int]]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return scheme, None, None
    return scheme, parts.hostname, port if port is not None else {"http": 80, "https": 443}.get(scheme)


class _Session(requests.Session):
    """A Session whose redirects carry the key only to the very same origin (scheme, host, port).

    requests already strips it for another host or port, but keeps it from http to https on the same
    host; this keeps it nowhere but where it was first sent.
    """

    def should_strip_auth(self, old_url: str, new_url: str) -> bool:
        """True unless ``new_url`` has the same scheme, host and port as ``old_url``."""
        return _origin(old_url) != _origin(new_url) or _origin(old_url)[1] is None



def new_session() -> requests.Session:
    """A ``_Session`` with a ``DeadlineAdapter`` sized for concurrent use, for http and https."""
    session = _Session()
    adapter = DeadlineAdapter(
        pool_connections=C.DEFAULT_POOL_CONNECTIONS,
        pool_maxsize=C.DEFAULT_POOL_MAXSIZE,
        max_retries=0,  # retries are decided by our own loop, never by urllib3
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def rewinder(files: Optional[Mapping[str, Any]]) -> Optional[Callable[[], None]]:
    """A function that puts every file stream back where it started, or None if one cannot be."""
    if not files:
        return lambda: None
    marks = []
    for value in files.values():
        stream: Any = value[1] if isinstance(value, tuple) else value
        if isinstance(stream, (bytes, str)):
            continue
        if not hasattr(stream, "seek") or not hasattr(stream, "tell"):
            return None
        try:
            marks.append((stream, stream.tell()))
        except (OSError, ValueError):
            return None

    def rewind() -> None:
        for stream, position in marks:
            stream.seek(position)

    return rewind


def request_auth(scheme: str, api_key: str) -> Any:
    """The requests ``auth`` for a scheme: Basic with the key as user, ``Bearer <key>``, or none."""
    if scheme == "basic":
        return (api_key, "")

    def apply(request: requests.PreparedRequest) -> requests.PreparedRequest:
        if scheme == "bearer":
            request.headers["Authorization"] = f"Bearer {api_key}"
        return request

    return apply
