"""Exceptions raised by the SDK.

The tree (the class is chosen from the HTTP status code alone, never from message text)::

    ScaleException                      base; .message (str) and .code (HTTP status or None);
                                        str() is "<Response [code]> message", or the message alone
                                        when there was no HTTP response (code None)
    ├── ScaleInvalidRequest             400
    │   └── ScaleInvalidChoice          an unknown task type or status, refused before sending
                                        (also a ValueError; .code is None)
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
    ├── ScaleConfigurationError         a client setting is unusable (also a ValueError): the key,
    │                                   timeout or max_retries given to ScaleClient / Api
    └── ScaleTransportError             no usable HTTP response at all
        ├── ScaleConnectionError        could not connect, or the connection broke
        └── ScaleClientTimeout          the client's own timeout expired
"""
from typing import Dict, Optional, Type


class ScaleException(Exception):
    """Base class of every error the SDK raises.

    Args:
        message: what went wrong, as text.
        errcode: the HTTP status code, when there was a response.
    """

    code: Optional[int] = None

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


class ScaleInvalidRequest(ScaleException):
    """400: the request was unacceptable, often a missing or invalid parameter."""

    code: Optional[int] = 400  # Optional: ScaleInvalidChoice below has no status


class ScaleInvalidChoice(ScaleInvalidRequest, ValueError):
    """An argument is not one of its valid values (a task type, a status), found before sending.

    It is a ``ScaleInvalidRequest``, as the server's 400 for the same mistake would be, and a
    ``ValueError``, as a bad argument is; ``.code`` is None because no request was made.
    """

    code = None


class ScaleUnauthorized(ScaleException):
    """401: no valid API key was provided."""

    code = 401


class ScaleNotEnabled(ScaleException):
    """402: the feature or task type is not enabled for this account."""

    code = 402


class ScaleResourceNotFound(ScaleException):
    """404: the requested resource does not exist."""

    code = 404


class ScaleDuplicateResource(ScaleException):
    """409: an object with the same name, idempotency key or unique_id exists."""

    code = 409


class ScaleTooManyRequests(ScaleException):
    """429: rate limited."""

    code = 429


class ScaleInternalError(ScaleException):
    """500: the server had a problem."""

    code = 500


class ScaleServiceUnavailable(ScaleException):
    """503: the server timed out while the request was queued."""

    code = 503


class ScaleTimeoutError(ScaleException):
    """504: the server (or a gateway in front of it) timed out."""

    code = 504


class ScalePaginationError(ScaleException):
    """A listing broke its own paging rules, so walking it further could loop forever."""


class ScaleWaitTimeout(ScaleException):
    """Waiting for tasks or batches to finish took longer than the given timeout."""


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


# The name is the existing client's, kept for code that imports it.
ExceptionMap: Dict[int, Type[ScaleException]] = {  # pylint: disable=invalid-name
    400: ScaleInvalidRequest,
    401: ScaleUnauthorized,
    402: ScaleNotEnabled,
    404: ScaleResourceNotFound,
    409: ScaleDuplicateResource,
    429: ScaleTooManyRequests,
    500: ScaleInternalError,
    503: ScaleServiceUnavailable,
    504: ScaleTimeoutError,
}


def exception_for_status(status: int, message: str) -> ScaleException:
    """Build the exception for an HTTP status: its own class, else ``ScaleException``."""
    cls = ExceptionMap.get(status, ScaleException)
    return cls(message, status)
