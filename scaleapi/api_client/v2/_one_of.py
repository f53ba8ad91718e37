"""The base class of the generated v2 oneOf wrappers and how a JSON value picks its alternative."""
# The class-level tables (_fields_, _cells_, ...) belong to these modules, which read them across classes.
# pylint: disable=protected-access
from typing import Any, ClassVar, Dict, FrozenSet, List, NamedTuple, Optional, Tuple, Type, TypeVar, Union

from ._convert import _dump, _first_fit, _read, _ref_converter, converter_for
from ._invalid import _Invalid, _loads
from ._modelbase import STRICT, Converter, _ModelBase
from ._object_model import ObjectModel
from ._typeexpr import model_class, parse_type
from .exceptions import ApiAttributeError, ApiTypeError

W = TypeVar("W", bound="OneOfModel")


class _Choice(NamedTuple):
    """One JSON-object alternative of a wrapper, with what key matching needs."""

    cls: type
    required: FrozenSet[str]
    keys: FrozenSet[str]


class OneOfModel(_ModelBase):
    """Base class of the generated v2 oneOf wrappers; the value is in ``actual_instance``.

    ``Wrapper(value)`` or ``Wrapper(actual_instance=value)`` takes any alternative (a model of one
    of the listed classes, an id string, a list) or its JSON form; ``from_dict`` reads a server's JSON.
    How an alternative is chosen: a string goes to the string alternative and an array to the list
    one; an object goes to the class its discriminator names (annotations: ``type``), else to the
    class whose required keys it has and whose fields it matches best (files: by their keys). Reading
    a response, an object no listed class fits goes to the fallback class when there is one (an
    unknown annotation type becomes a ``BaseAnnotation``).
    """

    _one_of_: ClassVar[Tuple[str, ...]] = ()
    _discriminator_: ClassVar[Optional[str]] = None
    _mapping_: ClassVar[Dict[str, str]] = {}
    _fallback_: ClassVar[Optional[str]] = None
    #: The names of the alternatives.
    one_of_schemas: ClassVar[FrozenSet[str]] = frozenset()

    actual_instance: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.one_of_schemas = frozenset(cls._one_of_)

    @classmethod
    def _build_parser(cls, mode: int) -> Converter:  # pylint: disable=too-many-locals
        text_conv: Optional[Converter] = None
        list_conv: Optional[Converter] = None
        objects: List[Tuple[_Choice, Converter]] = []
        for text in cls._one_of_:
            node = parse_type(text)
            conv = converter_for(node, mode)[1]
            if node[0] == "str":
                text_conv = conv
            elif node[0] == "list":
                list_conv = conv
            else:
                target = model_class(node[1])
                objects.append((_choice(target), conv))
        mapping = {value: _ref_converter(name, mode)[1] for value, name in cls._mapping_.items()}
        fallback = _ref_converter(cls._fallback_, mode)[1] if cls._fallback_ and mode != STRICT else None
        held = tuple(choice.cls for choice, _ in objects)
        if cls._fallback_:
            held += (model_class(cls._fallback_),)
        prop = cls._discriminator_
        object_convs = [conv for _, conv in objects]
        new = object.__new__
        hold = object.__setattr__
        expected = " or ".join(
            (["a string"] if text_conv else []) + (["an array"] if list_conv else [])
            + (["an object"] if objects else []))

        choose = _chooser(prop, mapping, fallback, objects)

        def parse(value: Any) -> Any:
            kind = value.__class__
            if kind is dict and objects:
                # the common cases first: an annotation with a known type, an id string
                tag = value.get(prop) if prop is not None else None
                conv = mapping.get(tag) if tag.__class__ is str else None
                inner = conv(value) if conv is not None else choose(value)
            elif kind is str and text_conv is not None:
                inner = value
            elif isinstance(value, cls):
                return value
            elif isinstance(value, dict) and objects:
                inner = choose(value)
            elif isinstance(value, str) and text_conv is not None:
                inner = text_conv(value)
            elif isinstance(value, (list, tuple)) and list_conv is not None:
                inner = list_conv(value)
            elif held and isinstance(value, held):
                inner = value
            else:
                inner = _first_fit(object_convs, value, expected)
            wrapper = new(cls)
            hold(wrapper, "actual_instance", inner)  # kept in the object itself: no __dict__ made
            return wrapper

        return parse

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > 1 or (args and kwargs) or set(kwargs) - {"actual_instance"}:
            raise ApiTypeError(f"{type(self).__name__} takes one value, positionally or as actual_instance=")
        value = args[0] if args else kwargs.get("actual_instance")
        self.actual_instance = value

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "actual_instance":
            raise ApiAttributeError(f"{type(self).__name__} has no field {name!r}", [name])
        if value is not None:
            value = _read(type(self), value, True).actual_instance
        object.__setattr__(self, name, value)

    @classmethod
    def from_dict(cls: Type[W], obj: Any) -> W:
        """Read a server's JSON value (object, string or array) into this wrapper.

        Raises:
            ResponseValidationError: no alternative fits (the message says why).
        """
        result: W = _read(cls, obj, False)
        return result

    @classmethod
    def from_json(cls: Type[W], json_str: Union[str, bytes]) -> W:
        """Read this wrapper from JSON text."""
        return cls.from_dict(_loads(cls, json_str))

    def to_dict(self) -> Any:
        """The JSON-ready form of the held value (a dict, a string or a list), None when empty."""
        return _dump(self.__dict__.get("actual_instance"))

    def __getattr__(self, name: str) -> Any:
        # Reading a field of the held model through the wrapper (annotation.type, task.project.name).
        if name.startswith("_"):
            raise AttributeError(name)
        inner = self.__dict__.get("actual_instance")
        if isinstance(inner, _ModelBase):
            return getattr(inner, name)
        raise AttributeError(
            f"{type(self).__name__} (holding {type(inner).__name__}) has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self.__dict__.get("actual_instance") == other.__dict__.get("actual_instance"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__.get('actual_instance')!r})"


def _chooser(prop: Optional[str], mapping: Dict[str, Converter], fallback: Optional[Converter],
             objects: List[Tuple[_Choice, Converter]]) -> Converter:
    """The function that reads a JSON object into the right object alternative of a wrapper."""

    def by_discriminator(value: Dict[str, Any]) -> Any:
        tag = value.get(prop)  # type: ignore[arg-type]
        conv = mapping.get(tag) if isinstance(tag, str) else None
        if conv is not None:
            return conv(value)
        if fallback is not None:
            return fallback(value)
        err = _Invalid(f"{tag!r} is not one of {', '.join(map(repr, mapping))}"
                       if isinstance(tag, str) else "is required, a string naming the type")
        err.path.append(prop)  # type: ignore[arg-type]
        raise err

    def by_keys(value: Dict[str, Any]) -> Any:
        # The alternative whose required keys are all there and whose fields match most keys;
        # ties go to the first listed.
        best = None
        best_score = -1
        for choice, conv in objects:
            if choice.required.issubset(value):
                score = len(choice.keys.intersection(value))
                if score > best_score:
                    best, best_score = conv, score
        if best is None:
            if fallback is not None:
                return fallback(value)
            best = objects[0][1]  # its error names the missing key
        return best(value)

    return by_discriminator if prop is not None else by_keys


def _choice(target: type) -> _Choice:
    if issubclass(target, ObjectModel):
        return _Choice(target, target._required_, target._keys_)
    return _Choice(target, frozenset(), frozenset())
