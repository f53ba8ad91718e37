"""The runtime every generated v2 model shares: field tables, parsing, validation and JSON.

A generated object model declares its fields as class annotations (``task_id: str``,
``batch: Optional[ExpandableBatch] = None``); when the class is created, ``ObjectModel`` reads them
once into a field table. The first parse of a class compiles that table into a parser (one converter
a field, references to other classes resolved then), so reading a response does no introspection.

Two ways in, with different rules:

* Reading a server's answer (``from_dict``, ``from_json``) is tolerant: unknown keys are kept in
  ``additional_properties`` and written back by ``to_dict``; an enum value this SDK does not know is
  kept as a plain string; an annotation or chunk of an unknown ``type`` becomes a ``BaseAnnotation``
  or ``BaseChunk``; a file is typed by its keys. A missing required key or a value of the wrong JSON
  type raises ``ResponseValidationError`` naming the model and the JSON path.
* Building a model in code (keyword construction, attribute assignment) is strict: unknown fields
  and unknown enum values are refused too, and the error is an ``ApiValueError`` (a ``ValueError``)
  naming the model and field, raised before anything is sent.

``to_dict`` gives the JSON-ready dict (None fields left out, defaults kept, datetimes as ISO 8601
text, bytes as base64 text), and ``to_json`` is exactly ``json.dumps(to_dict())``, the wire body.
"""
# The class-level tables (_fields_, _cells_, ...) belong to this module, which reads them across classes.
# pylint: disable=protected-access
import base64
import json
import re
import threading
from datetime import datetime, timedelta, timezone
from enum import Enum
from importlib import import_module
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    NamedTuple,
    Optional,
    Set,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from ._registry import MODEL_MODULES
from .exceptions import ApiAttributeError, ApiTypeError, ApiValueError, ResponseValidationError, render_path

MODELS_PACKAGE = "scaleapi.api_client.v2.models"

Converter = Callable[[Any], Any]
Node = Tuple[Any, ...]
M = TypeVar("M", bound="ObjectModel")
W = TypeVar("W", bound="OneOfModel")
E = TypeVar("E", bound="JsonEnum")


class _Invalid(Exception):
    """A value does not fit; ``path`` collects the keys and indexes on the way out (innermost first)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: List[Union[str, int]] = []


def _kind(value: Any) -> str:
    """The JSON kind of a value, for messages (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


# ---------------------------------------------------------------------------------------------------
# Type expressions: the annotation text of a field, parsed once into a small tree of tuples.

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\[|\]|,)")
_PRIMITIVES = frozenset({"str", "int", "bool", "float", "bytes", "datetime", "Any"})


def parse_type(text: str) -> Node:
    """Parse an annotation such as ``Optional[List[Thread]]`` into a tree of tuples.

    Nodes: ``("str",)`` and the other primitives, ``("Any",)``, ``("optional", node)``,
    ``("list", node)``, ``("dict", key, value)``, ``("union", (node, ...))``, ``("ref", "Name")``.
    """
    tokens = _TOKEN.findall(text)
    node, end = _parse_tokens(tokens, 0)
    if end != len(tokens):
        raise TypeError(f"cannot read the type {text!r}")
    return node


def _parse_tokens(tokens: List[str], pos: int) -> Tuple[Node, int]:
    name = tokens[pos]
    pos += 1
    if name in _PRIMITIVES:
        return (name,), pos
    if name not in ("Optional", "List", "Dict", "Union"):
        return ("ref", name), pos
    if tokens[pos] != "[":
        raise TypeError(f"{name} needs arguments")
    args: List[Node] = []
    pos += 1
    while True:
        arg, pos = _parse_tokens(tokens, pos)
        args.append(arg)
        if tokens[pos] == "]":
            pos += 1
            break
        pos += 1  # the comma
    if name == "Optional":
        return ("optional", args[0]), pos
    if name == "List":
        return ("list", args[0]), pos
    if name == "Dict":
        return ("dict", args[0], args[1]), pos
    return ("union", tuple(args)), pos


def model_class(name: str) -> type:
    """The generated class called ``name`` (its module is imported on first use)."""
    try:
        module = MODEL_MODULES[name]
    except KeyError:
        raise ApiAttributeError(f"no v2 model is called {name!r}") from None
    cls: type = getattr(import_module(f"{MODELS_PACKAGE}.{module}"), name)
    return cls


# ---------------------------------------------------------------------------------------------------
# Datetimes (lax, as the API sends them): ISO 8601 with Z or an offset, with or without fractions,
# date only, or Unix seconds. Naive values are taken as UTC, so every parsed datetime is aware.

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?"
)


def parse_datetime(value: Any) -> datetime:
    """Read a datetime the way the API sends one; raises ``ValueError`` when it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError("the Unix time is out of range") from None
    if not isinstance(value, str):
        raise ValueError(f"expected a datetime, got {_kind(value)}")
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise ValueError("expected an ISO 8601 datetime")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    tz = timezone.utc
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    del zulu  # Z and no offset both mean UTC
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                    int(second or 0), micro, tzinfo=tz)


def format_datetime(value: datetime) -> str:
    """ISO 8601 text for a datetime; UTC is written with ``Z``, naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# ---------------------------------------------------------------------------------------------------
# Converters: one function a field, built once a class. Each returns the value to store or raises
# _Invalid. ``fast`` is the exact class a value may have to be stored as is without a call.

# Parsers are compiled once per class and mode, under one lock; _COMPILING holds those being built,
# so that a reference back to one of them (a cycle) is resolved when first called instead.
_COMPILE_LOCK = threading.RLock()
_COMPILING: Set[Tuple[type, bool]] = set()


def _compile_once(cls: Any, strict: bool) -> Converter:
    """Build the parser of a model class for one mode, unless another thread just did."""
    with _COMPILE_LOCK:
        done: Optional[Converter] = cls._cells_[strict][0]
        if done is not None:
            return done
        _COMPILING.add((cls, strict))
        try:
            parse: Converter = cls._build_parser(strict)
        finally:
            _COMPILING.discard((cls, strict))
        cls._cells_[strict][0] = parse
        return parse


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


def _dict_converter(node: Node, strict: bool) -> Tuple[type, Converter]:
    fast_v, conv_v = converter_for(node[2], strict)
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


def _list_converter(node: Node, strict: bool) -> Tuple[type, Converter]:
    fast, conv = converter_for(node[1], strict)

    def to_list(value: Any) -> Any:
        if value.__class__ is not list and not isinstance(value, (list, tuple)):
            raise _Invalid(f"expected an array, got {_kind(value)}")
        try:
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


def _union_converter(node: Node, strict: bool) -> Tuple[type, Converter]:
    members = [converter_for(member, strict) for member in node[1]]
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


def _ref_converter(name: str, strict: bool) -> Tuple[type, Converter]:
    target = model_class(name)
    if issubclass(target, Enum):
        return _enum_converter(target, strict)
    if not issubclass(target, _ModelBase):
        raise TypeError(f"{name} is not a v2 model")
    cell = target._cells_[strict]
    compile_parser = target._compile
    if cell[0] is not None:
        return _Never, cell[0]
    if (target, strict) not in _COMPILING:
        return _Never, compile_parser(strict)

    # A cycle (an annotation's metadata may hold an annotation): look the parser up when called.
    def to_model(value: Any) -> Any:
        parser = cell[0]
        if parser is None:
            parser = compile_parser(strict)
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


def converter_for(node: Node, strict: bool) -> Tuple[type, Converter]:
    """The (exact class stored as is, converter) pair for a type node."""
    head = node[0]
    if head in _SIMPLE:
        return _SIMPLE[head]
    if head == "optional":
        fast, conv = converter_for(node[1], strict)

        def optional(value: Any) -> Any:
            return None if value is None else conv(value)
        return fast, optional
    if head == "list":
        return _list_converter(node, strict)
    if head == "dict":
        return _dict_converter(node, strict)
    if head == "union":
        return _union_converter(node, strict)
    return _ref_converter(node[1], strict)


def _read(cls: Any, data: Any, strict: bool) -> Any:
    """Parse ``data`` as ``cls`` in one mode, raising the public exception of that mode."""
    try:
        return cls._parser(strict)(data)
    except _Invalid as err:
        raise _fail(cls, err, strict) from None
    except RecursionError:
        message = f"{cls.__name__}: the value is nested too deeply"
        if strict:
            raise ApiValueError(message, model=cls.__name__) from None
        raise ResponseValidationError(message, model=cls.__name__) from None


def _fail(cls: type, err: _Invalid, strict: bool) -> Exception:
    """The public exception for a failed parse of ``cls``."""
    path = list(reversed(err.path))
    where = f"{cls.__name__}.{render_path(path)}" if path else cls.__name__
    message = f"{where}: {err.message}"
    if strict:
        return ApiValueError(message, path, model=cls.__name__)
    return ResponseValidationError(message, path, model=cls.__name__)


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


def _pformat(value: Any) -> str:
    import pprint  # pylint: disable=import-outside-toplevel  # only to_str needs it

    return pprint.pformat(value)


# ---------------------------------------------------------------------------------------------------
# Object models.

class FieldInfo(NamedTuple):
    """One field of an object model, as the class declares it."""

    #: The Python attribute name (``var_schema``).
    attr: str
    #: The key on the wire (``schema``).
    json_name: str
    #: The annotation text without the outer Optional (``List[Thread]``).
    type_text: str
    #: Must be present and non-null.
    required: bool
    #: The value used when the field is absent or null (None for most fields).
    default: Any
    #: The parsed type (see ``parse_type``).
    node: Node


def _strip_optional(text: str) -> str:
    return text[len("Optional["):-1] if text.startswith("Optional[") else text


class _ModelBase:
    """What object models and wrappers share: the compiled parsers and the JSON text forms."""

    _cells_: ClassVar[Tuple[List[Optional[Converter]], List[Optional[Converter]]]] = ([None], [None])

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._cells_ = ([None], [None])  # [tolerant parser], [strict parser], built on first use

    @classmethod
    def _compile(cls, strict: bool) -> Converter:
        """Build (once) and return the parser of this class for one mode."""
        return _compile_once(cls, strict)

    @classmethod
    def _parser(cls, strict: bool) -> Converter:
        return cls._cells_[strict][0] or cls._compile(strict)

    @classmethod
    def _build_parser(cls, strict: bool) -> Converter:
        raise NotImplementedError

    def to_dict(self) -> Any:
        """The JSON-ready form of this value."""
        raise NotImplementedError

    def to_json(self) -> str:
        """The wire JSON: ``json.dumps(self.to_dict())``."""
        return json.dumps(self.to_dict())

    def to_str(self) -> str:
        """A readable, indented rendering of ``to_dict()``."""
        return _pformat(self.to_dict())

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict


class ObjectModel(_ModelBase):
    """Base class of the generated v2 object models.

    Build one with keyword arguments named by the fields (``CreateBatchRequest(name="b",
    project_name="p")``); the JSON name of an aliased field is accepted too (``schema=`` for
    ``var_schema``). Read one from a server's JSON with ``from_dict``/``from_json``.

    Raises:
        ApiValueError: (construction, assignment) a required field is missing or null, a field is
            unknown, or a value has the wrong type; the message names the model and the field.
    """

    _fields_: ClassVar[Tuple[FieldInfo, ...]] = ()
    _by_name_: ClassVar[Dict[str, FieldInfo]] = {}
    _by_attr_: ClassVar[Dict[str, FieldInfo]] = {}
    _keys_: ClassVar[FrozenSet[str]] = frozenset()
    _required_: ClassVar[FrozenSet[str]] = frozenset()
    _dumper_: ClassVar[List[Optional[Converter]]] = [None]
    #: The strict converter of each field, for attribute assignment (built on first assignment).
    _assign_: ClassVar[Dict[str, Tuple[type, Converter]]] = {}
    _aliases_: ClassVar[Dict[str, str]] = {}
    #: Unknown keys are part of the model (kept even in strict mode), as for rubric values.
    _open_: ClassVar[bool] = False

    #: Keys of the server's JSON that the model does not declare, kept and written back by to_dict.
    additional_properties: Dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations: Dict[str, Any] = cls.__dict__.get("__annotations__", {})
        fields = list(cls._fields_)  # a generated model may derive from another (BaseAnnotation)
        for attr, text in annotations.items():
            if attr.startswith("_") or attr == "additional_properties":
                continue
            node = parse_type(text)
            required = node[0] != "optional"
            fields.append(FieldInfo(attr, cls._aliases_.get(attr, attr), _strip_optional(text), required,
                                    cls.__dict__.get(attr), node if required else node[1]))
        cls._fields_ = tuple(fields)
        cls._by_attr_ = {field.attr: field for field in fields}
        cls._by_name_ = {**{field.json_name: field for field in fields}, **cls._by_attr_}
        cls._keys_ = frozenset(field.json_name for field in fields)
        cls._required_ = frozenset(field.json_name for field in fields if field.required)
        cls._dumper_ = [None]
        cls._assign_ = {}

    @classmethod
    def _build_parser(cls, strict: bool) -> Converter:
        # The parser walks the keys the JSON has (often far fewer than the fields: annotations have
        # twelve), starting from a copy of the defaults; unknown keys go to additional_properties.
        rows: Dict[str, Tuple[str, type, Converter, bool]] = {}
        for field in cls._fields_:
            fast, conv = converter_for(field.node, strict)
            rows[field.json_name] = (field.attr, fast, conv, field.required)
        defaults = {field.attr: field.default for field in cls._fields_}
        required = cls._required_
        refuse_unknown = strict and not cls._open_
        new = object.__new__
        find = rows.get

        def parse(data: Any) -> Any:
            if data.__class__ is not dict:
                if isinstance(data, cls):
                    return data
                if not isinstance(data, dict):
                    raise _Invalid(f"expected an object, got {_kind(data)}")
            obj = new(cls)
            values = obj.__dict__
            values.update(defaults)
            extra: Dict[str, Any] = {}
            key = None
            try:
                for key, value in data.items():
                    row = find(key)
                    if row is None:
                        extra[key] = value
                        continue
                    attr, fast, conv, needed = row
                    if value.__class__ is fast:
                        values[attr] = value
                    elif value is not None:
                        values[attr] = conv(value)
                    elif needed:
                        raise _Invalid("is null, but required")
            except _Invalid as err:
                err.path.append(key)  # type: ignore[arg-type]
                raise
            if not data.keys() >= required:
                raise _missing(cls, data)
            if extra and refuse_unknown:
                raise _unknown(cls.__name__, extra, rows)
            values["additional_properties"] = extra
            return obj

        return parse

    def __init__(self, **kwargs: Any) -> None:
        data = {}
        for name, value in kwargs.items():
            field = self._by_name_.get(name)
            data[field.json_name if field is not None else name] = value
        self.__dict__.update(_read(type(self), data, True).__dict__)

    @overload
    @classmethod
    def from_dict(cls: Type[M], obj: None) -> None: ...

    @overload
    @classmethod
    def from_dict(cls: Type[M], obj: Dict[str, Any]) -> M: ...

    @classmethod
    def from_dict(cls: Type[M], obj: Optional[Dict[str, Any]]) -> Optional[M]:
        """Read a server's JSON object (tolerantly, see the module docs); ``None`` gives ``None``.

        Raises:
            ResponseValidationError: a required key is missing or null, or a value has the wrong type.
        """
        if obj is None:
            return None
        result: M = _read(cls, obj, False)
        return result

    @classmethod
    def from_json(cls: Type[M], json_str: Union[str, bytes]) -> Optional[M]:
        """Read a model from JSON text (``null`` gives ``None``).

        Raises:
            ResponseValidationError: the text is not JSON, or does not fit the model.
        """
        data: Optional[Dict[str, Any]] = _loads(cls, json_str)
        return cls.from_dict(data)

    def to_dict(self) -> Dict[str, Any]:
        """The JSON-ready dict: None fields left out, defaults and unknown keys kept."""
        dump = self._dumper_[0] or type(self)._compile_dumper()
        out: Dict[str, Any] = dump(self)
        return out

    @classmethod
    def _compile_dumper(cls) -> Converter:
        rows = tuple((field.attr, field.json_name, dumper_for(field.node)) for field in cls._fields_)

        def dump(obj: Any) -> Dict[str, Any]:
            values = obj.__dict__
            out = {}
            for attr, key, dump_value in rows:
                value = values.get(attr)
                if value is not None:
                    out[key] = value if dump_value is None else dump_value(value)
            extra = values.get("additional_properties")
            if extra:
                for key, value in extra.items():
                    out.setdefault(key, _dump(value))
            return out

        cls._dumper_[0] = dump
        return dump

    def __setattr__(self, name: str, value: Any) -> None:
        field = self._by_attr_.get(name)
        if field is None:
            if name == "additional_properties" and isinstance(value, dict):
                object.__setattr__(self, name, value)
                return
            raise ApiAttributeError(f"{type(self).__name__} has no field {name!r}", [name])
        if value is None:
            if field.required:
                raise ApiValueError(f"{type(self).__name__}.{name}: is required", [name],
                                    model=type(self).__name__)
            object.__setattr__(self, name, field.default)
            return
        pair = self._assign_.get(name)
        if pair is None:
            pair = self._assign_[name] = converter_for(field.node, True)
        fast, conv = pair
        if value.__class__ is not fast:
            try:
                value = conv(value)
            except _Invalid as err:
                err.path.append(field.json_name)
                raise _fail(type(self), err, True) from None
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        values = self.__dict__
        parts = [f"{field.attr}={values.get(field.attr)!r}" for field in self._fields_
                 if values.get(field.attr) is not None]
        if values.get("additional_properties"):
            parts.append(f"additional_properties={values['additional_properties']!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _unknown(name: str, extra: Dict[str, Any], known: Dict[str, Any]) -> _Invalid:
    """The error for the first unknown key of a strict parse."""
    err = _Invalid(f"is not a field of {name} (fields: {', '.join(sorted(known))})")
    err.path.append(next(iter(extra)))
    return err


def _missing(cls: Type[ObjectModel], data: Dict[str, Any]) -> _Invalid:
    """The error for the first required key (in field order) that ``data`` lacks."""
    err = _Invalid("is required")
    err.path.append(next(field.json_name for field in cls._fields_
                         if field.required and field.json_name not in data))
    return err


def _loads(cls: type, json_str: Union[str, bytes]) -> Any:
    try:
        return json.loads(json_str)
    except (ValueError, TypeError, RecursionError) as err:
        raise ResponseValidationError(f"{cls.__name__}: not valid JSON ({type(err).__name__})",
                                      model=cls.__name__) from None


def fields_of(cls: Type[ObjectModel]) -> Tuple[FieldInfo, ...]:
    """The fields an object model declares, in wire order."""
    return cls._fields_


# ---------------------------------------------------------------------------------------------------
# oneOf wrappers.

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
    def _build_parser(cls, strict: bool) -> Converter:  # pylint: disable=too-many-locals
        text_conv: Optional[Converter] = None
        list_conv: Optional[Converter] = None
        objects: List[Tuple[_Choice, Converter]] = []
        for text in cls._one_of_:
            node = parse_type(text)
            conv = converter_for(node, strict)[1]
            if node[0] == "str":
                text_conv = conv
            elif node[0] == "list":
                list_conv = conv
            else:
                target = model_class(node[1])
                objects.append((_choice(target), conv))
        mapping = {value: _ref_converter(name, strict)[1] for value, name in cls._mapping_.items()}
        fallback = _ref_converter(cls._fallback_, strict)[1] if cls._fallback_ and not strict else None
        held = tuple(choice.cls for choice, _ in objects)
        if cls._fallback_:
            held += (model_class(cls._fallback_),)
        prop = cls._discriminator_
        object_convs = [conv for _, conv in objects]
        new = object.__new__
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
            wrapper.__dict__["actual_instance"] = inner
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


def _first_fit(convs: List[Converter], value: Any, expected: str) -> Any:
    """The value as converted by the first converter that takes it."""
    for conv in convs:
        try:
            return conv(value)
        except _Invalid:
            continue
    raise _Invalid(f"expected {expected}, got {_kind(value)}")


def _choice(target: type) -> _Choice:
    if issubclass(target, ObjectModel):
        return _Choice(target, target._required_, target._keys_)
    return _Choice(target, frozenset(), frozenset())


# ---------------------------------------------------------------------------------------------------
# Enums.

class JsonEnum(str, Enum):
    """Base class of the generated v2 enums: ``(str, Enum)`` with ``from_json``."""

    @classmethod
    def from_json(cls: Type[E], json_str: str) -> E:
        """The member whose value is the JSON string ``json_str`` (``'"completed"'``)."""
        return cls(json.loads(json_str))


def as_request(model: Type[M], value: Any) -> M:
    """Check a request body before sending: a ``model`` instance or a dict of its JSON keys.

    Returns the model to send (a dict is converted). An instance is checked again, since its
    lists and dicts may have been changed in place after it was built.

    Raises:
        ApiValueError: the body is not the model or a dict, or does not fit (names the field).
    """
    if isinstance(value, model):
        data: Any = value.to_dict()
    elif isinstance(value, dict):
        data = value
    else:
        raise ApiValueError(f"expected a {model.__name__} or a dict, got {_kind(value)}",
                            model=model.__name__)
    checked: M = _read(model, data, True)
    return value if isinstance(value, model) else checked
