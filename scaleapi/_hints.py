"""Hints for common mistakes: the closest valid value or keyword, for error messages.

Everything here runs before a request is sent, so a misspelled task type or filter costs no call.
"""
import difflib
import functools
import inspect
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Type, TypeVar, cast

from ._models import enum_value
from .exceptions import ScaleInvalidChoice

F = TypeVar("F", bound=Callable[..., Any])

#: How to install the emulator from a checkout of this SDK (the package index has another ``scaleapi``).
EMULATOR_INSTALL_HINT = 'python -m pip install -e ".[emulator]"'

def closest(value: str, choices: Iterable[str], aliases: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The choice ``value`` most likely meant, or None when none is close.

    Args:
        value: what was given.
        choices: the valid values.
        aliases: values known to mean a particular choice (checked first).

    Returns:
        an alias's target, else the closest choice by ``difflib`` (ignoring case), else None.
    """
    if aliases and value in aliases:
        return aliases[value]
    by_lower = {choice.lower(): choice for choice in choices}
    found = difflib.get_close_matches(value.lower(), list(by_lower), n=1)
    return by_lower[found[0]] if found else None


def did_you_mean(value: str, choices: Iterable[str], aliases: Optional[Mapping[str, str]] = None) -> str:
    """``". Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    near = closest(value, choices, aliases)
    return "" if near is None else f". Did you mean {near!r}?"


def choice_value(what: str, value: Any, enum: Type[Enum]) -> Any:
    """The wire value of ``value``, which must be a member or a value of ``enum``.

    Args:
        what: the argument's name for the message, e.g. ``"task type"``.
        value: an enum member or its value as a plain string.
        enum: the enum whose values are valid.

    Returns:
        the value to send (``TaskType.ImageAnnotation`` and ``"imageannotation"`` both give
        ``"imageannotation"``).

    Raises:
        ScaleInvalidChoice: ``value`` is not valid (a ``ValueError`` and a ``ScaleInvalidRequest``);
            the message names the closest valid value and its enum member, or lists them all when
            none is close.
    """
    wire = enum_value(value)
    valid: Sequence[Any] = [member.value for member in enum]
    if wire in valid:
        return wire
    text = f"unknown {what} {wire!r}"
    near = closest(str(wire), [str(choice) for choice in valid])
    if near is not None:
        raise ScaleInvalidChoice(f"{text}. Did you mean {near!r} ({enum.__name__}.{enum(near).name})?")
    raise ScaleInvalidChoice(f"{text}; the valid values are: {', '.join(str(choice) for choice in valid)}")


def check_keywords(method: F, aliases: Optional[Mapping[str, str]] = None) -> F:
    """``method``, with an unknown keyword argument reported with the closest parameter name.

    Python's own ``TypeError`` for an unexpected keyword names no alternative; this one adds
    ``Did you mean 'project_name'?``. Everything else goes to ``method`` untouched, and the result
    keeps its name, docstring and signature (``inspect.signature`` and ``help()`` follow
    ``__wrapped__``).

    Args:
        method: a function without ``**kwargs``.
        aliases: keyword names known to mean a particular parameter.

    Returns:
        the checking function.
    """
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    valid = [
        name
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.kind in keyword_kinds and name != "self"
    ]
    accepted = frozenset(valid)

    @functools.wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name in kwargs:
            if name not in accepted:
                raise TypeError(
                    f"{checked.__qualname__}() got an unexpected keyword argument {name!r}"
                    f"{did_you_mean(name, valid, aliases)}"
                )
        return method(*args, **kwargs)

    return cast(F, checked)
