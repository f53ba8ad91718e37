"""The v2 exceptions, each also a member of the SDK's ``ScaleException`` tree.

The names and attributes are those v2 code already catches; every class is also a ``ScaleException``,
and the HTTP ones are the matching ``scaleapi.exceptions`` class, so one ``except`` of either family
catches the error::

    OpenApiException (ScaleException)
    ├── ApiTypeError                    also a TypeError
    ├── ApiValueError                   a request model or argument is invalid, found before sending;
    │                                   also a ValueError and a ScaleInvalidRequest (.code None)
    ├── ApiKeyError                     also a KeyError
    ├── ApiAttributeError               also an AttributeError
    ├── ResponseValidationError         a response does not fit its model; also a ValueError
    └── ApiException                    an HTTP error: .status .reason .body .headers .data
        ├── BadRequestException         400, a ScaleInvalidRequest
        ├── UnauthorizedException       401, a ScaleUnauthorized
        ├── NotEnabledException         402, a ScaleNotEnabled
        ├── ForbiddenException          403
        ├── NotFoundException           404, a ScaleResourceNotFound
        ├── ConflictException           409, a ScaleDuplicateResource
        ├── UnprocessableEntityException 422, a ScaleInvalidRequest
        ├── TooManyRequestsException    429, a ScaleTooManyRequests
        └── ServiceException            500-599
            ├── InternalServerErrorException 500, a ScaleInternalError
            ├── ServiceUnavailableException  503, a ScaleServiceUnavailable
            └── GatewayTimeoutException      504, a ScaleTimeoutError
"""
from typing import Any, Dict, Mapping, NoReturn, Optional, Sequence, Tuple, Type, Union

from ...exceptions import (
    ScaleDuplicateResource,
    ScaleException,
    ScaleInternalError,
    ScaleInvalidRequest,
    ScaleNotEnabled,
    ScaleResourceNotFound,
    ScaleServiceUnavailable,
    ScaleTimeoutError,
    ScaleTooManyRequests,
    ScaleUnauthorized,
)

PathToItem = Sequence[Union[str, int]]


def render_path(path: Optional[PathToItem]) -> str:
    """A field path as text: ``threads[0].turns[1].id``."""
    text = ""
    for part in path or ():
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class OpenApiException(ScaleException):
    """Base class of the v2 exceptions; also a ``ScaleException``."""

    def __init__(self, message: object = None, errcode: Optional[int] = None) -> None:
        super().__init__(message, errcode)


class _PathError(OpenApiException):
    """An error about one item, located by ``path_to_item`` (a list of keys and indexes)."""

    def __init__(self, msg: object, path_to_item: Optional[PathToItem] = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        super().__init__(msg)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.path_to_item))


class ApiTypeError(_PathError, TypeError):
    """A value has the wrong type."""

    def __init__(self, msg: object, path_to_item: Optional[PathToItem] = None,
                 valid_classes: Optional[Tuple[type, ...]] = None, key_type: Optional[bool] = None) -> None:
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(msg, path_to_item)


class _ModelError(_PathError):
    """An error about a field of a model: ``model`` names the model, ``path_to_item`` the field."""

    def __init__(self, msg: object, path_to_item: Optional[PathToItem] = None,
                 model: Optional[str] = None) -> None:
        self.model = model
        super().__init__(msg, path_to_item)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.path_to_item, self.model))


class ApiValueError(_ModelError, ScaleInvalidRequest, ValueError):  # pylint: disable=too-many-ancestors
    """A request model or argument is invalid; raised before anything is sent.

    ``model`` names the model (when the error is about one) and ``path_to_item`` the field, e.g.
    ``CreateBatchRequest`` and ``["name"]``.
    """

    code = None


class ApiKeyError(_PathError, KeyError):
    """A key is missing."""


class ApiAttributeError(_PathError, AttributeError):
    """An attribute does not exist (for example, setting a field a model does not have)."""


class ResponseValidationError(_ModelError, ValueError):
    """A server's JSON does not fit its model: a required key is missing or a value has the wrong type.

    ``model`` is the model being read and ``path_to_item`` the JSON path of the bad value, e.g.
    ``Task`` and ``["threads", 0, "turns", 1, "id"]``.
    """


def _header_dict(headers: Any) -> Optional[Dict[str, str]]:
    """Headers as a plain dict, from a dict, a case-insensitive mapping or a list of pairs."""
    if headers is None:
        return None
    if isinstance(headers, Mapping):
        return {str(key): str(value) for key, value in headers.items()}
    return {str(key): str(value) for key, value in headers}


def _response_parts(http_resp: Any) -> Tuple[Optional[int], Optional[str], Optional[str], Any]:
    """Status, reason, decoded body and headers of a urllib3 or requests response object."""
    status = getattr(http_resp, "status", None)
    if status is None:
        status = getattr(http_resp, "status_code", None)
    reason = getattr(http_resp, "reason", None)
    raw = getattr(http_resp, "data", None)
    if raw is None:
        raw = getattr(http_resp, "content", None)
    body = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
    return status, reason, body, getattr(http_resp, "headers", None)


class ApiException(OpenApiException):
    """An HTTP error answer of the v2 API; ``.code`` (as for every ``ScaleException``) is ``.status``.

    Args:
        status: the HTTP status code.
        reason: the HTTP reason phrase.
        http_resp: a response object (urllib3 or requests); status, reason, body and headers are
            taken from it when given.
        body: the decoded response body.
        data: the error model parsed from the body, when the endpoint has one for this status.
        headers: the response headers.
    """

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None,
                 http_resp: Any = None, *, body: Optional[str] = None, data: Any = None,
                 headers: Any = None) -> None:
        if http_resp is not None:
            resp_status, resp_reason, resp_body, resp_headers = _response_parts(http_resp)
            status = resp_status if status is None else status
            reason = resp_reason if reason is None else reason
            body = resp_body if body is None else body
            headers = resp_headers if headers is None else headers
        self.status: Optional[int] = status
        self.reason: Optional[str] = reason
        self.body: Optional[str] = body
        self.data: Any = data
        self.headers: Optional[Dict[str, str]] = _header_dict(headers)
        super().__init__(self._render(), status)

    def _render(self) -> str:
        text = f"({self.status})\nReason: {self.reason}\n"
        if self.headers:
            text += f"HTTP response headers: {self.headers}\n"
        if self.body:
            text += f"HTTP response body: {self.body}\n"
        if self.data is not None:
            text += f"HTTP response data: {self.data}\n"
        return text

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.status, self.reason), dict(self.__dict__))

    @classmethod
    def from_response(cls, *, http_resp: Any = None, body: Optional[str] = None, data: Any = None,
                      status: Optional[int] = None, reason: Optional[str] = None,
                      headers: Any = None) -> NoReturn:
        """Raise the exception class of the response's status (see ``exception_for_status``)."""
        if http_resp is not None and status is None:
            status = _response_parts(http_resp)[0]
        exc_cls = exception_class_for_status(status)
        raise exc_cls(status, reason, http_resp, body=body, data=data, headers=headers)


class BadRequestException(ApiException, ScaleInvalidRequest):
    """400: the request was invalid."""


class UnauthorizedException(ApiException, ScaleUnauthorized):
    """401: no valid API key."""


class NotEnabledException(ApiException, ScaleNotEnabled):
    """402: the feature is not enabled for this account."""


class ForbiddenException(ApiException):
    """403: the key may not do this."""


class NotFoundException(ApiException, ScaleResourceNotFound):
    """404: the resource does not exist."""


class ConflictException(ApiException, ScaleDuplicateResource):
    """409: the resource already exists, or conflicts with the request."""


class UnprocessableEntityException(ApiException, ScaleInvalidRequest):
    """422: the request was well formed but could not be processed."""


class TooManyRequestsException(ApiException, ScaleTooManyRequests):
    """429: rate limited."""


class ServiceException(ApiException):
    """500-599: the server failed."""


class InternalServerErrorException(ServiceException, ScaleInternalError):
    """500: the server had a problem."""


class ServiceUnavailableException(ServiceException, ScaleServiceUnavailable):
    """503: the service is unavailable."""


class GatewayTimeoutException(ServiceException, ScaleTimeoutError):
    """504: the server or a gateway timed out."""


_BY_STATUS: Dict[int, Type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    402: NotEnabledException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: TooManyRequestsException,
    500: InternalServerErrorException,
    503: ServiceUnavailableException,
    504: GatewayTimeoutException,
}


def exception_class_for_status(status: Optional[int]) -> Type[ApiException]:
    """The ``ApiException`` class for an HTTP status code (any other 5xx: ``ServiceException``)."""
    if status is not None and status in _BY_STATUS:
        return _BY_STATUS[status]
    if status is not None and 500 <= status <= 599:
        return ServiceException
    return ApiException


def exception_for_status(status: int, reason: Optional[str] = None, *, body: Optional[str] = None,
                         headers: Any = None, data: Any = None) -> ApiException:
    """Build (not raise) the exception for an HTTP error answer."""
    return exception_class_for_status(status)(status, reason, body=body, data=data, headers=headers)
