"""Type expressions: the annotation text of a v2 model field, parsed once into a tree of tuples."""
import re
from importlib import import_module
from typing import Any, List, Tuple

from ._registry import MODEL_MODULES
from .exceptions import ApiAttributeError

MODELS_PACKAGE = "scaleapi.api_client.v2.models"

Node = Tuple[Any, ...]

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
