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

This module is the one the generated models and the API import from; the work lives in small
modules: ``_typeexpr`` (annotation text to type trees, ``model_class``), ``_datetimes``,
``_invalid`` (the internal failure and the public exceptions it becomes), ``_modelbase`` (parsers
compiled once a class), ``_convert`` (the converters and dumpers), ``_object_model`` and ``_one_of``
(the two base classes). ``JsonEnum`` is defined here.
"""
import json
from enum import Enum
from typing import Type, TypeVar

from ._convert import converter_for, dumper_for
from ._datetimes import format_datetime, parse_datetime
from ._object_model import FieldInfo, ObjectModel, as_request, fields_of
from ._one_of import OneOfModel
from ._typeexpr import MODELS_PACKAGE, Node, model_class, parse_type

__all__ = [
    "FieldInfo", "JsonEnum", "MODELS_PACKAGE", "Node", "ObjectModel", "OneOfModel", "as_request",
    "converter_for", "dumper_for", "fields_of", "format_datetime", "model_class", "parse_datetime",
    "parse_type",
]

E = TypeVar("E", bound="JsonEnum")


class JsonEnum(str, Enum):
    """Base class of the generated v2 enums: ``(str, Enum)`` with ``from_json``."""

    @classmethod
    def from_json(cls: Type[E], json_str: str) -> E:
        """The member whose value is the JSON string ``json_str`` (``'"completed"'``)."""
        return cls(json.loads(json_str))
