"""Validation errors of the v2 model runtime: the internal failure and its public exceptions."""
import json
from typing import Any, List, Union

from .exceptions import ApiValueError, ResponseValidationError, render_path


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



def _fail(cls: type, err: _Invalid, strict: bool) -> Exception:
    """The public exception for a failed parse of ``cls``."""
    path = list(reversed(err.path))
    where = f"{cls.__name__}.{render_path(path)}" if path else cls.__name__
    message = f"{where}: {err.message}"
    if strict:
        return ApiValueError(message, path, model=cls.__name__)
    return ResponseValidationError(message, path, model=cls.__name__)



def _loads(cls: type, json_str: Union[str, bytes]) -> Any:
    try:
        return json.loads(json_str)
    except (ValueError, TypeError, RecursionError) as err:
        raise ResponseValidationError(f"{cls.__name__}: not valid JSON ({type(err).__name__})",
                                      model=cls.__name__) from None
