"""Receiving Scale's task callbacks: check the ``scale-callback-auth`` header, parse the body.

Scale POSTs a JSON body ``{"task": {...}, "response": {...}, "task_id": "..."}`` to a task's
``callback_url`` with the account's callback auth key in the ``scale-callback-auth`` header. A
receiver should compare that header to its key (``verify_callback_auth`` does so in constant time,
so the comparison leaks nothing about the key through timing), answer 2xx quickly, and only then do
its work; Scale retries a non-2xx answer. See ``examples/callback_receiver.py``.
"""
import hmac
import json
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

from .exceptions import InvalidCallback
from .tasks import Task

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = [
    "CALLBACK_AUTH_HEADER",
    "InvalidCallback",
    "callback_auth_from_headers",
    "parse_callback",
    "verify_callback_auth",
]

#: The header that carries the callback auth key (HTTP header names are case-insensitive).
CALLBACK_AUTH_HEADER = "scale-callback-auth"


def verify_callback_auth(received: Optional[str], expected: str) -> bool:
    """Whether the received ``scale-callback-auth`` value equals your callback auth key.

    The comparison runs in constant time. A missing header never matches, and neither does
    anything when ``expected`` is empty (a misconfigured receiver must not accept every caller).

    Args:
        received: the header's value as received, or None when the header is missing.
        expected: your account's callback auth key.

    Returns:
        True when they match.
    """
    if received is None or not expected:
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def callback_auth_from_headers(headers: Mapping[str, str]) -> Optional[str]:
    """The ``scale-callback-auth`` value from a headers mapping, looked up case-insensitively."""
    getter = getattr(headers, "get", None)
    if getter is not None:
        value = getter(CALLBACK_AUTH_HEADER)
        if value is not None:
            return str(value)
    for name, value in headers.items():
        if name.lower() == CALLBACK_AUTH_HEADER:
            return str(value)
    return None


def _decode(body: Union[bytes, bytearray, str, Mapping[str, Any]]) -> Any:
    if isinstance(body, Mapping):
        return body
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as err:
            raise InvalidCallback("the callback body is not UTF-8 text") from err
    if not isinstance(body, str):
        raise InvalidCallback(f"a callback body must be bytes, text or a mapping, not {type(body).__name__}")
    try:
        return json.loads(body)
    except ValueError as err:
        raise InvalidCallback("the callback body is not JSON") from err


def parse_callback(
    body: Union[bytes, bytearray, str, Mapping[str, Any]], client: Optional["ScaleClient"] = None
) -> Task:
    """Turn a callback body into the ``Task`` it reports.

    Accepts Scale's envelope ``{"task": {...}, "response": ..., "task_id": ...}`` and also a bare
    task object. When the envelope's ``response`` is set and the task object has none, the task gets
    it, so ``task.response`` works either way.

    Args:
        body: the raw request body (bytes or text) or the already-decoded JSON object.
        client: a ``ScaleClient`` for the task's helper methods (``refresh()``, ``audit()``, ...).

    Returns:
        the ``Task``.

    Raises:
        InvalidCallback: the body is not JSON, not an object, has no task, or its ``task_id``
            disagrees with the task's (a ``ScaleInvalidRequest`` and a ``ValueError``).
    """
    data = _decode(body)
    if not isinstance(data, Mapping):
        raise InvalidCallback(f"the callback body is a JSON {type(data).__name__}, expected an object")
    if "task" in data:
        task = data["task"]
        if not isinstance(task, Mapping):
            raise InvalidCallback("the callback's 'task' is not an object")
        doc = dict(task)
        outer_id = data.get("task_id")
        if outer_id is not None and doc.get("task_id") is None:
            doc["task_id"] = outer_id
        if outer_id is not None and str(doc.get("task_id")) != str(outer_id):
            raise InvalidCallback("the callback's task_id does not match its task")
        if data.get("response") is not None and doc.get("response") is None:
            doc["response"] = data["response"]
    else:
        doc = dict(data)
    if not isinstance(doc.get("task_id"), str) or not doc["task_id"]:
        raise InvalidCallback("the callback names no task (no task_id)")
    return Task(doc, client)
