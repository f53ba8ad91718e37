"""Reading the value a v2 oneOf wrapper holds (an expanded object or an id string), checked and typed."""
from __future__ import annotations

from typing import Optional, Protocol, Type, TypeVar

T = TypeVar("T")


class OneOfHolder(Protocol):
    """What every generated oneOf wrapper has: the chosen alternative in ``actual_instance``."""

    @property
    def actual_instance(self) -> object:
        """The chosen alternative."""


def held(wrapper: Optional[OneOfHolder], kind: Type[T]) -> T:
    """The value ``wrapper`` holds, asserting the wrapper is there and the value is a ``kind``.

    ``held(task.project, Project)`` proves the project was expanded into a model;
    ``held(task.project, str)`` proves it came back as an id.
    """
    assert wrapper is not None, f"expected a wrapper holding a {kind.__name__}, got None"
    value = wrapper.actual_instance
    assert isinstance(value, kind), f"expected a {kind.__name__}, got {value!r}"
    return value
