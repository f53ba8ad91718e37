"""Converters of the v2 models: one function a field, built once a class, and the JSON dumpers."""
# The class-level tables (_fields_, _cells_, ...) belong to these modules, which read them across classes.
# pylint: disable=protected-access
import base64
from datetime import datetime
from enum import Enum
from typing import Any, Dict, List, Optional, Tuple, Type

from ._datetimes import format_datetime, parse_datetime
from ._invalid import _fail, _Invalid, _kind
from ._modelbase import _COMPILING, EXACT, STRICT, Converter, _ModelBase
from ._typeexpr import Node, model_class
from .exceptions import ApiValueError, ResponseValidationError

# Converters: one function a field, built once a class. Each returns the value to store or raises
# _Invalid. ``fast`` is the exact class a value may have to be stored as is without a call.

class _Never:
    """No value has this class: a field whose every value goes through its converter."""


def _to_str(value: Any) -> Any:
    if isinstance(value, Enum) and isinstance(value.value, str):
        return value.value
    if isinstance(value, str):
        return str(value)
    raise _Invalid(f"expected a string, got {_kind(value)}")


def _to_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise _Invalid(f"expected an integer, got {_kind(value)}")


def _to_bool(value: Any) -> Any:
    raise _Invalid(f"expected a boolean, got {_kind(value)}")


def _to_float(value: Any) -> Any:
    if isinstance(value, float):
        return float(value)
    raise _Invalid(f"expected a number, got {_kind(value)}")


def _to_bytes(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise _Invalid(f"expected bytes, got {_kind(value)}")


def _to_datetime(value: Any) -> Any:
    try:
        return parse_datetime(value)
    except ValueError as err:
        raise _Invalid(str(err)) from None


def _to_any(value: Any) -> Any:
    return value


def _dict_converter(node: Node, mode: int) -> Tuple[type, Converter]:
    fast_v, conv_v = converter_for(node[2], mode)
    if node[2][0] == "Any":
        def to_plain_dict(value: Any) -> Any:
            if isinstance(value, dict):
                return dict(value)
            raise _Invalid(f"expected an object, got {_kind(value)}")
        return dict, to_plain_dict

    def to_dict(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Invalid(f"expected an object, got {_kind(value)}")
        out = {}
        for key, item in value.items():
            try:
                out[key] = item if item.__class__ is fast_v else conv_v(item)
            except _Invalid as err:
                err.path.append(key)
                raise
        return out
    return _Never, to_dict


def _list_converter(node: Node, mode: int) -> Tuple[type, Converter]:
    fast, conv = converter_for(node[1], mode)
    every = fast is _Never  # each item goes through the converter (models): map it

    def to_list(value: Any) -> Any:
        if value.__class__ is not list and not isinstance(value, (list, tuple)):
            raise _Invalid(f"expected an array, got {_kind(value)}")
        try:
            if every:
                return list(map(conv, value))
            return [item if item.__class__ is fast else conv(item) for item in value]
        except _Invalid as err:
            for index, item in enumerate(value):  # find the bad item again, for the path
                try:
                    conv(item)
                except _Invalid:
                    err.path.append(index)
                    break
            raise
    return _Never, to_list


def _union_converter(node: Node, mode: int) -> Tuple[type, Converter]:
    members = [converter_for(member, mode) for member in node[1]]
    exact = tuple(fast for fast, _ in members)
    convs = [conv for _, conv in members]
    kinds = " or ".join(member[0] for member in node[1])

    def to_member(value: Any) -> Any:
        if value.__class__ in exact:
            return value
        return _first_fit(convs, value, kinds)
    return members[0][0], to_member


def _enum_converter(cls: Type[Enum], strict: bool) -> Tuple[type, Converter]:
    by_value: Dict[Any, Enum] = {member.value: member for member in cls}
    name = cls.__name__

    def to_enum(value: Any) -> Any:
        if value.__class__ is str:  # the common case first: a member's value as the JSON sends it
            found = by_value.get(value)
            if found is not None:
                return found
        if isinstance(value, Enum):
            value = value.value  # a member of this enum, or of another one (the v1 TaskStatus, say)
        if isinstance(value, str):
            member = by_value.get(value)
            if member is not None:
                return member
            if not strict:
                return str(value)  # a value newer than this SDK: kept as text
            raise _Invalid(f"{value!r} is not a {name} (one of {', '.join(map(repr, by_value))})")
        raise _Invalid(f"expected a {name} string, got {_kind(value)}")
    return _Never, to_enum


def _ref_converter(name: str, mode: int) -> Tuple[type, Converter]:
    target = model_class(name)
    if issubclass(target, Enum):
        return _enum_converter(target, mode == STRICT)
    if not issubclass(target, _ModelBase):
        raise TypeError(f"{name} is not a v2 model")
    cell = target._cells_[mode]
    compile_parser = target._compile
    if cell[0] is not None:
        return _Never, cell[0]
    if (target, mode) not in _COMPILING:
        return _Never, compile_parser(mode)

    # A cycle (an annotation's metadata may hold an annotation): look the parser up when called.
    def to_model(value: Any) -> Any:
        parser = cell[0]
        if parser is None:
            parser = compile_parser(mode)
        return parser(value)
    return _Never, to_model


_SIMPLE: Dict[str, Tuple[type, Converter]] = {
    "str": (str, _to_str),
    "int": (int, _to_int),
    "bool": (bool, _to_bool),
    "float": (float, _to_float),
    "bytes": (bytes, _to_bytes),
    "datetime": (_Never, _to_datetime),
    "Any": (_Never, _to_any),
}


def converter_for(node: Node, mode: int) -> Tuple[type, Converter]:
    """The (exact class stored as is, converter) pair for a type node, in one parser mode.

    ``mode`` is READ, STRICT or EXACT (see ``_modelbase``); True means STRICT and False READ.
    """
    mode = int(mode)
    head = node[0]
    if head in _SIMPLE:
        return _SIMPLE[head]
    if head == "optional":
        fast, conv = converter_for(node[1], mode)

        def optional(value: Any) -> Any:
            return None if value is None else conv(value)
        return fast, optional
    if head == "list":
        return _list_converter(node, mode)
    if head == "dict":
        return _dict_converter(node, mode)
    if head == "union":
        return _union_converter(node, mode)
    return _ref_converter(node[1], mode)


def _read(cls: Any, data: Any, strict: bool) -> Any:
    """Parse ``data`` as ``cls`` (strictly, or as an answer), raising the public exception of that mode.

    An answer the fast READ parsers refuse is read again by the EXACT ones, whose error names the
    first bad key with its whole path (the fast path stops at the first problem it meets, unnamed).
    """
    try:
        return cls._parser(int(strict))(data)
    except _Invalid as err:
        failure = err
    except RecursionError:
        raise _too_deep(cls, strict) from None
    if not strict:
        try:
            cls._parser(EXACT)(data)
        except _Invalid as err:
            failure = err
        except RecursionError:
            raise _too_deep(cls, strict) from None
    raise _fail(cls, failure, strict) from None


def _too_deep(cls: Any, strict: bool) -> Exception:
    message = f"{cls.__name__}: the value is nested too deeply"
    if strict:
        return ApiValueError(message, model=cls.__name__)
    return ResponseValidationError(message, model=cls.__name__)



def _dump(value: Any) -> Any:
    """The JSON-ready form of a stored value."""
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _ModelBase):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def _dump_model(value: Any) -> Any:
    return value.to_dict() if isinstance(value, _ModelBase) else _dump(value)


def _dump_enum(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def dumper_for(node: Node) -> Optional[Converter]:
    """The function giving the JSON form of a value stored for ``node`` (None: the value itself)."""
    head = node[0]
    if head in ("str", "int", "bool", "float"):
        return None
    if head == "datetime":
        return format_datetime
    if head == "list":
        item = dumper_for(node[1])
        if item is None:
            return list
        return lambda value: [item(element) for element in value]
    if head == "ref":
        return _dump_enum if issubclass(model_class(node[1]), Enum) else _dump_model
    return _dump  # Any, dicts, unions (bytes become base64 text)



def _first_fit(convs: List[Converter], value: Any, expected: str) -> Any:
    """The value as converted by the first converter that takes it."""
    for conv in convs:
        try:
            return conv(value)
        except _Invalid:
            continue
    raise _Invalid(f"expected {expected}, got {_kind(value)}")
