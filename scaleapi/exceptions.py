"""Exceptions raised by the SDK.

The tree (the class is chosen from the HTTP status code alone, never from message text)::

    ScaleException                      base; .message (str) and .code (HTTP status or None);
                                        str() is "<Response [code]> message", or the message alone
                                        when there was no HTTP response (code None)
    ├── ScaleInvalidRequest             400
    │   ├── ScaleInvalidChoice          an unknown task type or status, refused before sending
    │   │                               (also a ValueError; .code is None)
    │   └── InvalidCallback             a callback body that is not a Scale task callback
    │                                   (also a ValueError)
    ├── ScaleUnauthorized               401
    ├── ScaleNotEnabled                 402
    ├── ScaleResourceNotFound           404
    ├── ScaleDuplicateResource          409
    ├── ScaleTooManyRequests            429
    ├── ScaleInternalError              500
    ├── ScaleServiceUnavailable         503
    ├── ScaleTimeoutError               504 (the server timed out)
    ├── ScalePaginationError            a page broke the paging rules (repeated cursor, ...)
    ├── ScaleWaitTimeout                a wait for tasks or batches ran out of time
    │   └── WaitTimeout                 the waiters' error: .pending, .finished, .waited
    ├── BulkError                       some items of a bulk run failed; .result is the BulkResult
    ├── JournalMismatch                 a bulk journal file belongs to another run or operation
    ├── ExportError                     an export cannot go on (a plan made with other filters, ...)
    ├── ScaleConfigurationError         a client setting is unusable (also a ValueError): the key,
    │                                   timeout or max_retries given to ScaleClient / Api
    └── ScaleTransportError             no usable HTTP response at all
        ├── ScaleConnectionError        could not connect, or the connection broke
        └── ScaleClientTimeout          the client's own timeout expired

The classes that used to live beside the code raising them (``scaleapi.waiting.WaitTimeout``,
``scaleapi.bulk.BulkError``, ``scaleapi._journal.JournalMismatch``, ``scaleapi.export.ExportError``,
``scaleapi.callbacks.InvalidCallback``) are still importable from there.
"""
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type

from ._constants import BULK_ERRORS_SHOWN

if TYPE_CHECKING:  # pragma: no cover
    from .bulk import BulkResult

#: The class for each HTTP status that has its own (filled as the classes below are defined).
#: The name is the existing client's, kept for code that imports it.
ExceptionMap: Dict[int, Type["ScaleException"]] = {}  # pylint: disable=invalid-name


class ScaleException(Exception):
    """Base class of every error the SDK raises.

    Args:
        message: what went wrong, as text.
        errcode: the HTTP status code, when there was a response.
    """

    code: Optional[int] = None

    def __init_subclass__(cls, status: Optional[int] = None, **kwargs: Any) -> None:
        # ``class ScaleNotEnabled(ScaleException, status=402)`` sets ``code`` and maps 402 to it.
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.code = status
            ExceptionMap[status] = cls

    def __init__(self, message: object, errcode: Optional[int] = None) -> None:
        text = str(message) if message is not None else ""
        if not text:
            text = type(self).__name__
        self.message: str = text
        if errcode is not None:
            self.code = errcode
        super().__init__(text)

    def __str__(self) -> str:
        # HTTP errors keep the official client's "<Response [404]> message" form, which callers match
        # on; an error that had no response at all (no key, a wait timeout, a broken connection) is
        # just its message.
        if self.code is None:
            return self.message
        return f"<Response [{self.code}]> {self.message}"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keep the status code across pickling (default pickling only keeps args).
        return (type(self), (self.message, self.code))


class ScaleInvalidRequest(ScaleException, status=400):
    """400: the request was unacceptable, often a missing or invalid parameter."""


class ScaleInvalidChoice(ScaleInvalidRequest, ValueError):
    """An argument is not one of its valid values (a task type, a status), found before sending.

    It is a ``ScaleInvalidRequest``, as the server's 400 for the same mistake would be, and a
    ``ValueError``, as a bad argument is; ``.code`` is None because no request was made.
    """

    code = None


class InvalidCallback(ScaleInvalidRequest, ValueError):
    """A callback body that is not a Scale task callback (also a ``ValueError``)."""


# The status classes: one line each, ``status=`` sets ``code`` and their entry in ``ExceptionMap``.
class ScaleUnauthorized(ScaleException, status=401):
    """401: no valid API key was provided."""
class ScaleNotEnabled(ScaleException, status=402):
    """402: the feature or task type is not enabled for this account."""
class ScaleResourceNotFound(ScaleException, status=404):
    """404: the requested resource does not exist."""
class ScaleDuplicateResource(ScaleException, status=409):
    """409: an object with the same name, idempotency key or unique_id exists."""
class ScaleTooManyRequests(ScaleException, status=429):
    """429: rate limited."""
class ScaleInternalError(ScaleException, status=500):
    """500: the server had a problem."""
class ScaleServiceUnavailable(ScaleException, status=503):
    """503: the server timed out while the request was queued."""
class ScaleTimeoutError(ScaleException, status=504):
    """504: the server (or a gateway in front of it) timed out."""


class ScalePaginationError(ScaleException):
    """A listing broke its own paging rules, so walking it further could loop forever."""


class ScaleWaitTimeout(ScaleException):
    """Waiting for tasks or batches to finish took longer than the given timeout."""


class WaitTimeout(ScaleWaitTimeout):
    """A wait ran out of time.

    Attributes:
        pending: ids (or batch names) still unfinished, in input order.
        finished: the tasks that did finish before the deadline (``wait_for_tasks`` only).
        waited: seconds spent waiting.
    """

    def __init__(self, message: str, pending: List[str], finished: Optional[List[Any]] = None,
                 waited: float = 0.0) -> None:
        super().__init__(message)
        self.pending = pending
        self.finished = finished or []
        self.waited = waited

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (WaitTimeout, (self.message, self.pending, self.finished, self.waited))


class BulkError(ScaleException):
    """Some items of a bulk run failed. ``.result`` is the full ``BulkResult``.

    The message gives the counts and the first few errors (server messages, never item contents,
    which may hold data you would not want in a log).
    """

    def __init__(self, result: "BulkResult[Any, Any]") -> None:
        self.result = result
        shown = "; ".join(str(failure) for failure in result.failed[:BULK_ERRORS_SHOWN])
        more = len(result.failed) - BULK_ERRORS_SHOWN
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(
            f"{len(result.failed)} of {result.total} items failed "
            f"({len(result.succeeded)} succeeded, {len(result.skipped)} skipped): {shown}"
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (BulkError, (self.result,))


class JournalMismatch(ScaleException):
    """The journal file belongs to another operation, or records a different item at an index."""


class ExportError(ScaleException):
    """An export cannot go on (e.g. ``<path>.parts/`` holds a plan made with other filters)."""


class ScaleConfigurationError(ScaleException, ValueError):
    """A setting given to the client cannot work; raised when the client is built, before any request.

    It is also a ``ValueError``, as for any bad argument. Its message never contains the API key.
    """


class ScaleTransportError(ScaleException):
    """No usable HTTP response: the request failed below HTTP."""


class ScaleConnectionError(ScaleTransportError):
    """Could not connect to the server, or the connection broke mid-request."""


class ScaleClientTimeout(ScaleTransportError):
    """The client's own connect or read timeout expired."""


def exception_for_status(status: int, message: str) -> ScaleException:
    """Build the exception for an HTTP status: its own class, else ``ScaleException``."""
    cls = ExceptionMap.get(status, ScaleException)
    return cls(message, status)
