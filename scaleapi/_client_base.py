"""What every group of ``ScaleClient`` methods shares: the ``Api`` and checks on answer shapes."""
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Type, TypeVar, cast

from ._models import Model, enum_value
from ._ratelimit import RateLimiter
from ._reconcile import mismatch
from ._retry import CallKind
from .api import Api, Timeout
from .exceptions import ScaleException

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

JSONDict = Dict[str, Any]
ClientT = TypeVar("ClientT", bound="ClientBase")
ModelT = TypeVar("ModelT", bound=Model)


class ClientBase:
    """Holds the transport; the method groups (mixins) build on it."""

    api: Api

    def _self(self) -> "ScaleClient":
        """This object as the full client that models keep for their helper methods."""
        return cast("ScaleClient", self)

    def _one(self, cls: Type[ModelT], answer: Any, what: str) -> ModelT:
        """``answer`` (of the call ``what``) checked to be a JSON object, read as a ``cls``."""
        return cls(expect_object(answer, what), self._self())

    def _many(self, cls: Type[ModelT], answer: Any, what: str) -> List[ModelT]:
        """``answer`` (of the call ``what``) checked to be a JSON list, read as ``cls`` items."""
        return [cls(item, self._self()) for item in expect_list(answer, what)]

    def with_options(  # the SDK's own long work sets the two private knobs
        self: ClientT, *, timeout: Optional[Timeout] = None, max_retries: Optional[int] = None,
        retry_budget: Optional[float] = None, _long_work: bool = False, _threads: bool = False,
    ) -> ClientT:
        """Return a client with other timeout/retry settings that shares this one's connections.

        Args:
            timeout: seconds, or a ``(connect, read)`` pair; unchanged when None.
            max_retries: retries after the first attempt; unchanged when None.
            retry_budget: seconds long work goes on retrying; unchanged when None.
            _long_work: (the SDK's own long work) every call that is safe to repeat goes on
                retrying until the retry budget runs out (see ``Api.long_work``).
            _threads: (the SDK's own thread pools) give the copy one shared ``RateLimiter``
                unless it has one, so that its threads slow down on a 429 and pause together in
                an outage.

        Returns:
            a new ``ScaleClient``; closing either closes the shared pool.
        """
        api = self.api.with_options(timeout=timeout, max_retries=max_retries, retry_budget=retry_budget)
        if _threads and api.throttle is None:
            api = api.with_options(throttle=RateLimiter(policy=api.policy))
        if _long_work:
            api = api.long_work()
        # Not copy.copy: a client's pickling hooks (which drop the key) must not run here.
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.api = api
        return clone

    def _keyed_create(  # pylint: disable=too-many-arguments
        self,
        endpoint: str,
        body: JSONDict,
        lookup: str,
        differences: Callable[[JSONDict, JSONDict], List[str]],
        describe: Callable[[JSONDict], str],
    ) -> Any:
        """POST ``body`` to ``endpoint`` as a create keyed by a name (retried; a 409 reconciled).

        After an ambiguous attempt a 409 counts as success only when the object at ``lookup``
        matches ``body`` (``differences`` is empty); else it raises a ``ScaleDuplicateResource``
        naming the object (``describe``) and the fields that differ (see docs/retries.md).
        """

        def reconcile() -> Any:
            found = expect_object(self.api.request("GET", lookup), f"GET {lookup}")
            diffs = differences(body, found)
            if diffs:
                raise mismatch(describe(found), diffs)
            return found

        return self.api.request("POST", endpoint, body=body, kind=CallKind.KEYED_CREATE, reconcile=reconcile)


def resource_path(collection: str, name: str, *rest: str) -> str:
    """``collection/<name>/rest...``, the name percent-encoded as one path segment (``/`` becomes ``%2F``)."""
    return "/".join((collection, Api.quote_string(str(name))) + rest)


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
