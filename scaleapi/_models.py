"""The small base every model shares: the raw JSON, the client, equality by a key, pickling, and
``Field``, the typed read-only attribute that reads one key of the raw JSON.

A model never does I/O on its own; its helper methods call a ``ScaleClient`` method and then take
the server's answer in place with ``_replace``.
"""
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Generic, Hashable, List, NoReturn, Optional
from typing import Tuple, TypeVar, overload

from .exceptions import ScaleException

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    from .client import ScaleClient

JSONDict = Dict[str, Any]
T = TypeVar("T")
M = TypeVar("M", bound="Model")
_ABSENT: Any = object()


def dict_or_empty(value: Any) -> Dict[str, Any]:
    """``value`` if it is a JSON object, else ``{}``."""
    return value if isinstance(value, dict) else {}


def list_or_empty(value: Any) -> List[Any]:
    """``value`` if it is a JSON array, else ``[]``."""
    return value if isinstance(value, list) else []


class Field(Generic[T]):
    """A typed, read-only attribute: one key of the model's raw JSON (``as_dict()``), read on each access.

    Args:
        key: the JSON key.
        read: turns the value (None when the key is absent) into the attribute's; default as is.
        required: a model without the key raises ``AttributeError`` (so ``hasattr`` is false)
            instead of reading None.
    """

    def __init__(
        self, key: str, read: Optional[Callable[[Any], T]] = None, *, required: bool = False
    ) -> None:
        self.key = key
        self.read = read
        self.required = required
        self.name = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: Any) -> "Field[T]": ...

    @overload
    def __get__(self, obj: object, owner: Any) -> T: ...

    def __get__(self, obj: Optional[object], owner: Any) -> Any:
        if obj is None:
            return self
        json = obj.__dict__.get("_json")
        value = json.get(self.key, _ABSENT) if isinstance(json, dict) else _ABSENT
        if value is _ABSENT:
            if self.required:
                raise AttributeError(f"{type(obj).__name__!r} object has no attribute {self.name!r}")
            value = None
        return value if self.read is None else self.read(value)

    def __set__(self, obj: object, value: NoReturn) -> None:
        raise AttributeError(f"{self.name} is read-only: it reads as_dict()[{self.key!r}]")


def enum_value(value: Any) -> Any:
    """The wire value of an enum member; any other value (a plain string, say) is returned as is."""
    return value.value if isinstance(value, Enum) else value


class BaseModel:
    """Equality and hashing by a key, pickling, and access to the client that made the object."""

    _client: Optional["ScaleClient"]
    #: The attribute that identifies an object (equality and hash); None means identity only.
    _key_attr: ClassVar[Optional[str]] = None
    #: The attributes ``repr()`` (and so ``str()``) shows, in order.
    _repr_attrs: ClassVar[Tuple[str, ...]] = ()

    def _key(self) -> Optional[Hashable]:
        """The value two objects of the same class must share to be equal (None: identity only)."""
        if self._key_attr is None:
            return None
        key: Optional[Hashable] = getattr(self, self._key_attr, None)
        return key

    def _bound_client(self) -> "ScaleClient":
        """The client this object calls for its helper methods.

        Raises:
            ScaleException: the object was built without a client.
        """
        client: Optional["ScaleClient"] = self.__dict__.get("_client")
        if client is None:
            raise ScaleException(f"this {type(self).__name__} was built without a ScaleClient")
        return client

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, BaseModel)
        mine = self._key()
        if mine is None:
            return self is other
        return mine == other._key()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_attrs)
        return f"{type(self).__name__}({shown})"

    def __hash__(self) -> int:
        key = self._key()
        return id(self) if key is None else hash((type(self).__name__, key))

    def __getstate__(self) -> Dict[str, Any]:
        # The client pickles without its API key (Api drops it), so a pickled model carries none.
        return dict(self.__dict__)

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)


class Model(BaseModel):
    """A model built from one JSON object.

    Args:
        json: the object as the server sent it (kept as is, returned by ``as_dict()``).
        client: the ``ScaleClient`` used by the helper methods.
    """

    def __init__(self, json: JSONDict, client: Optional["ScaleClient"] = None) -> None:
        self._json: JSONDict = json
        self._client = client
        self._load(json)

    def _load(self, json: JSONDict) -> None:
        """Set the eager attributes from ``json`` (subclasses override)."""

    def _replace(self, json: JSONDict) -> None:
        """Take a newer copy of this object's JSON from the server."""
        self._json = json
        self._load(json)

    def _take(self: M, fresh: "Model") -> M:
        """Take ``fresh``'s JSON (the server's newer copy of this object) and return this object."""
        self._replace(fresh.as_dict())
        return self

    def as_dict(self) -> JSONDict:
        """Return the raw JSON dict of this object (the stored dict itself, not a copy)."""
        return self._json
