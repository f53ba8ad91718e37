"""The base class of the generated v2 object models, their field tables and request checking."""
# The class-level tables (_fields_, _cells_, ...) belong to these modules, which read them across classes.
# pylint: disable=protected-access
from typing import (
    Any,
    ClassVar,
    Dict,
    FrozenSet,
    List,
    NamedTuple,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from ._convert import _Never, _read, converter_for, dumper_for, _dump
from ._invalid import _fail, _Invalid, _kind, _loads
from ._modelbase import READ, STRICT, Converter, _ModelBase
from ._typeexpr import Node, parse_type
from .exceptions import ApiAttributeError, ApiValueError

M = TypeVar("M", bound="ObjectModel")


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


class _Extra:
    """``additional_properties`` of a model that holds none yet: an empty dict, made on first use.

    A model read from JSON without unknown keys stores no dict of its own (one object fewer a
    model, which a listing of thousands of tasks feels); the first read of the attribute makes
    the empty dict and keeps it on the model, so it can be filled in place as before.
    """

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        extra: Dict[str, Any] = {}
        obj.__dict__["additional_properties"] = extra
        return extra


def _strip_optional(text: str) -> str:
    return text[len("Optional["):-1] if text.startswith("Optional[") else text


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
    additional_properties: Dict[str, Any] = _Extra()  # type: ignore[assignment]  # made on first use

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
    def _build_parser(cls, mode: int) -> Converter:
        convs = [converter_for(field.node, mode) for field in cls._fields_]
        generic = _generic_parser(cls, convs, mode == STRICT and not cls._open_)
        return _fast_parser(cls, convs, generic) if mode == READ else generic

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
        # field by field: a parsed model stores no absent field whose default is None
        mine, theirs = self.__dict__, other.__dict__
        return all(mine.get(field.attr) == theirs.get(field.attr) for field in self._fields_) and (
            (mine.get("additional_properties") or {}) == (theirs.get("additional_properties") or {}))

    def __repr__(self) -> str:
        values = self.__dict__
        parts = [f"{field.attr}={values.get(field.attr)!r}" for field in self._fields_
                 if values.get(field.attr) is not None]
        if values.get("additional_properties"):
            parts.append(f"additional_properties={values['additional_properties']!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _generic_parser(cls: Type[ObjectModel], convs: List[Tuple[type, Converter]],
                    refuse_unknown: bool) -> Converter:
    """The plain parser of a class: it walks the keys the JSON has, in their order.

    (Often far fewer keys than fields: annotations have twelve.) It starts from a copy of the
    defaults; unknown keys go to additional_properties (or are refused, ``refuse_unknown``).
    """
    rows: Dict[str, Tuple[str, type, Converter, bool]] = {}
    for field, (fast, conv) in zip(cls._fields_, convs):
        rows[field.json_name] = (field.attr, fast, conv, field.required)
    defaults = {field.attr: field.default for field in cls._fields_}
    required = cls._required_
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


#: At most this many key orders of one class get straight-line code of their own (see _fast_parser).
SHAPES_PER_CLASS = 32


def _fast_parser(cls: Type[ObjectModel], convs: List[Tuple[type, Converter]],
                 generic: Converter) -> Converter:
    """The READ parser of a class: straight-line code, compiled once for each order of keys met.

    The JSON objects of one server come in a few key orders (an annotation of one type has the
    same keys every time), so each order seen gets its own code, which takes the values by
    position: no lookup per field. It gives what ``generic`` gives for every plain dict whose
    required keys are all there and not null; anything else (not a dict, a required key missing or
    null) is handed to ``generic``, which reads it or raises the error. A converter's error passes
    through unnamed; ``_read`` then reads the value again with the EXACT parsers to name it.
    Fields absent from the JSON whose default is None are not stored on the object (the class
    attribute gives the None), nor is an empty ``additional_properties`` (see ``_Extra``).
    """
    shapes: Dict[Tuple[Any, ...], Converter] = {}
    by_key = {field.json_name: index for index, field in enumerate(cls._fields_)}
    longest = 2 * len(by_key) + 8

    def parse(data: Any) -> Any:
        if data.__class__ is not dict:
            return generic(data)
        shape = tuple(data)
        found = shapes.get(shape)
        if found is None:
            if len(shapes) >= SHAPES_PER_CLASS or len(shape) > longest or not all(
                    key.__class__ is str for key in shape):
                found = generic
            else:
                found = shapes[shape] = _shape_parser(cls, convs, by_key, shape, generic)
        return found(data)

    return parse


def _shape_parser(cls: Type[ObjectModel], convs: List[Tuple[type, Converter]], by_key: Dict[str, int],
                  shape: Tuple[str, ...], generic: Converter) -> Converter:
    """The code reading a dict of ``cls`` whose keys are ``shape``, in that order (see _fast_parser)."""
    fields = cls._fields_
    if not cls._required_.issubset(shape):
        return generic  # it raises the error naming the missing key
    space: Dict[str, Any] = {"generic": generic, "new": object.__new__, "cls": cls,
                             "hold": object.__setattr__}
    lines = ["def parse(data):"]
    if shape:
        lines.append("    " + "".join(f"a{pos}, " for pos in range(len(shape))) + "= data.values()")
    stored, extra = [], []
    for pos, key in enumerate(shape):
        var = f"a{pos}"
        index = by_key.get(key)
        if index is None:
            extra.append(f"{key!r}: {var}")
            continue
        field = fields[index]
        fast, conv = convs[index]
        space[f"c{pos}"], space[f"f{pos}"], space[f"d{pos}"] = conv, fast, field.default
        check = "" if fast is _Never else f" and {var}.__class__ is not f{pos}"
        if field.required:
            lines += [f"    if {var} is None:", "        return generic(data)",
                      f"    if {check[5:] or 'True'}:"]
        elif field.default is None:
            lines.append(f"    if {var} is not None{check}:")
        else:
            lines += [f"    if {var} is None:", f"        {var} = d{pos}", f"    elif {check[5:] or 'True'}:"]
        lines.append(f"        {var} = c{pos}({var})")
        stored.append(f"{field.attr!r}] = {var}")
    for index, field in enumerate(fields):
        if field.default is not None and field.json_name not in shape:
            space[f"default{index}"] = field.default
            stored.append(f"{field.attr!r}] = default{index}")
    if extra:
        stored.append("'additional_properties'] = {" + ", ".join(extra) + "}")
    # object.__setattr__ keeps the values in the object itself: no __dict__ is made until asked for
    lines += ["    obj = new(cls)"]
    lines += ["    hold(obj, " + item.replace("] = ", ", ", 1) + ")" for item in stored] + ["    return obj"]
    code = compile("\n".join(lines), f"<v2 parser of {cls.__name__}>", "exec")
    exec(code, space)  # pylint: disable=exec-used
    parse: Converter = space["parse"]
    return parse


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


def fields_of(cls: Type[ObjectModel]) -> Tuple[FieldInfo, ...]:
    """The fields an object model declares, in wire order."""
    return cls._fields_


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
