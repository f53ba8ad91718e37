"""What a failed attempt says: the SDK exception for a failure below HTTP, and the short message of an
error response whatever its body looks like."""
import json
import socket
from typing import Any, List, Optional

import requests
import urllib3.exceptions

from .exceptions import ScaleClientTimeout, ScaleConnectionError, ScaleException, ScaleTransportError

__all__ = ["AnswerTooSlow", "error_message", "never_reached_server", "short", "transport_exception",
           "transport_reason"]


def never_reached_server(err: requests.RequestException) -> bool:
    """True when the request provably never left this machine (so repeating it is always safe)."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(err, requests.exceptions.SSLError):
        return False
    if isinstance(err, requests.exceptions.ConnectionError):
        reason: Any = err.args[0] if err.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


class AnswerTooSlow(requests.exceptions.ReadTimeout):
    """The answer was not complete within the read timeout (the watchdog cut the connection)."""


def _is_read_timeout(err: requests.RequestException) -> bool:
    """A read timeout, also one that requests reports as a ConnectionError (while reading a body)."""
    if isinstance(err, requests.exceptions.ReadTimeout):
        return True
    reason: Any = err.args[0] if err.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, (urllib3.exceptions.ReadTimeoutError, socket.timeout))


def transport_exception(err: requests.RequestException, where: str = "") -> ScaleTransportError:
    """The SDK's error for a failure below HTTP; ``where`` is the URL (without its query) asked for."""
    if isinstance(err, AnswerTooSlow):
        return ScaleClientTimeout(f"the answer was not complete within the read timeout ({err})")
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return ScaleClientTimeout("the client's connect timeout expired (ConnectTimeout)")
    if _is_read_timeout(err):
        return ScaleClientTimeout(f"the client's read timeout expired ({type(err).__name__})")
    target = f"cannot reach {where}: " if where else ""
    return ScaleConnectionError(f"{target}{short(transport_reason(err))} ({type(err).__name__})")


def transport_reason(error: BaseException) -> str:
    """Why a request got no answer, in the operating system's words where they can be found under
    the wrappers of requests and urllib3 (``Connection refused``); else the innermost message."""
    seen: List[BaseException] = []
    todo: List[Any] = [error]
    leaf: Optional[BaseException] = None
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is old for old in seen):
            continue
        seen.append(item)
        wrapper = isinstance(item, (ScaleException, requests.RequestException)) or (
            type(item).__module__.startswith("urllib3"))
        if not wrapper and isinstance(item, OSError) and item.strerror:
            return str(item.strerror)
        if not wrapper and str(item):
            leaf = item
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    if leaf is not None:
        return str(leaf)
    return error.message if isinstance(error, ScaleException) else str(error)


def short(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_message(resp: requests.Response) -> str:
    """A short message from an error response, whatever its body looks like."""
    if 300 <= resp.status_code < 400:
        return _redirect_message(resp)
    try:
        payload = json.loads(resp.content) if resp.content else None
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, str) and error:
            return error
        if error:
            return short(json.dumps(error))
        message = payload.get("message")
        if isinstance(message, str) and message:
            return message
    content_type = resp.headers.get("Content-Type", "")
    if payload is None and "html" in content_type.lower():
        return f"HTTP {resp.status_code} {resp.reason or ''} (HTML error page)".strip()
    text = resp.text if resp.content else ""
    return short(text) if text.strip() else f"HTTP {resp.status_code} {resp.reason or ''}".strip()


def _redirect_message(resp: requests.Response) -> str:
    location = resp.headers.get("Location")
    where = f" to {short(location, 200)}" if location else " without a Location"
    method = resp.request.method if resp.request is not None else None
    if method in (None, "GET"):
        return f"HTTP {resp.status_code} {resp.reason or ''}".strip() + where + " that was not followed"
    return (
        f"HTTP {resp.status_code} {resp.reason or ''}".strip() + where + f": the {method} was not "
        "sent again (a write never follows a redirect), so it did not take effect there"
    )
