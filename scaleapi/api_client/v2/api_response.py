"""``ApiResponse``: what the ``x_with_http_info`` methods of ``V2Api`` return."""
from typing import Generic, Mapping, Optional, TypeVar

__all__ = ["ApiResponse"]

T = TypeVar("T")


class ApiResponse(Generic[T]):
    """One answer of the v2 API.

    Attributes:
        status_code: the HTTP status (of the final answer, after a followed redirect).
        headers: the response headers, a plain dict.
        data: the response model (None where the endpoint has none for this status).
        raw_data: the body as received.
    """

    def __init__(self, *, status_code: int, headers: Optional[Mapping[str, str]] = None, data: T,
                 raw_data: bytes) -> None:
        self.status_code = status_code
        self.headers = dict(headers) if headers is not None else None
        self.data = data
        self.raw_data = raw_data

    def __repr__(self) -> str:
        return (f"ApiResponse(status_code={self.status_code}, data={self.data!r}, "
                f"raw_data=<{len(self.raw_data)} bytes>)")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiResponse):
            return NotImplemented
        return (self.status_code, self.headers, self.data, self.raw_data) == (
            other.status_code, other.headers, other.data, other.raw_data)

    __hash__ = None  # type: ignore[assignment]
