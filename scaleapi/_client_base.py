"""What every group of ``ScaleClient`` methods shares: the ``Api`` and checks on answer shapes."""
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TypeVar, cast

from ._models import enum_value
from ._ratelimit import RateLimiter
from .api import Api
from .exceptions import ScaleException

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

JSONDict = Dict[str, Any]
ClientT = TypeVar("ClientT", bound="ClientBase")


class ClientBase:
    """Holds the transport; the method groups (mixins) build on it."""

    api: Api

    def _self(self) -> "ScaleClient":
        """This object as the full client that models keep for their helper methods."""
        return cast("ScaleClient", self)


def with_api(client: ClientT, api: Api) -> ClientT:
    """A shallow copy of ``client`` that talks through ``api`` (which may share the same pool)."""
    # Not copy.copy: a client's pickling hooks (which drop the key) must not run here.
    clone = object.__new__(type(client))
    clone.__dict__.update(client.__dict__)
    clone.api = api
    return clone


def long_work(client: ClientT, retry_budget: Optional[float] = None, *, threads: bool = False) -> ClientT:
    """A copy of ``client`` whose calls ride out outages (see ``Api.long_work``).

    Args:
        client: the client to copy (the copy shares its connection pool).
        retry_budget: seconds; default the client's ``retry_budget``.
        threads: the copy will be used by many threads: give it one shared ``RateLimiter`` (unless
            it has one), so that they slow down on a 429 and pause together in an outage.
    """
    api = client.api
    if threads and api.throttle is None:
        api = api.with_options(throttle=RateLimiter(policy=api.policy))
    return with_api(client, api.long_work(retry_budget))


def expect_object(answer: Any, what: str) -> JSONDict:
    """Return ``answer`` if it is a JSON object, else raise a ``ScaleException`` naming the call."""
    if not isinstance(answer, dict):
        raise ScaleException(f"{what} answered with a JSON {type(answer).__name__}, expected an object")
    return answer


def expect_list(answer: Any, what: str) -> List[JSONDict]:
    """Return ``answer`` if it is a JSON array of objects, else raise a ``ScaleException``."""
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise ScaleException(f"{what} answered with a JSON {type(answer).__name__}, expected an array")
    return answer


def expect_strings(answer: Any, what: str) -> List[str]:
    """Return ``answer`` if it is a JSON array of strings (``null`` reads as empty), else raise."""
    if answer is None:
        return []
    if not isinstance(answer, list) or not all(isinstance(item, str) for item in answer):
        raise ScaleException(f"{what} answered with a JSON {type(answer).__name__}, expected strings")
    return answer


def query_value(value: Any) -> Any:
    """A query value as requests should send it: enum members by value, lists item by item."""
    if isinstance(value, (list, tuple)):
        return [query_value(item) for item in value]
    return enum_value(value)
