"""Methods whose signature is written once, elsewhere.

``same_signature_as(template)`` gives a method the parameters of another (for type checkers, and
for ``inspect.signature`` and ``help``), so a family of methods that take the same arguments is
spelled out once. ``LazyFunction`` makes a function of another module a method of a class without
importing that module until the method is first looked up (``ScaleClient.export_tasks`` is
``scaleapi.export.export_tasks``, and ``import scaleapi`` does not load the export engine).
"""
from __future__ import annotations

import importlib
from types import MethodType
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from ._hints import check_keywords

if TYPE_CHECKING:  # pragma: no cover - typing_extensions is a type checker's, never imported at run time
    from typing_extensions import ParamSpec

    P = ParamSpec("P")

__all__ = ["LazyFunction", "same_signature_as"]

R = TypeVar("R")


def same_signature_as(template: Callable[P, Any]) -> Callable[[Callable[..., R]], Callable[P, R]]:
    """Give the decorated function ``template``'s parameters (its own return type is kept).

    The decorated function takes ``**kwargs`` or the like and hands them on to code whose own
    parameters check them; a keyword ``template`` does not take is refused first, naming the
    decorated function and the closest parameter (``_hints.check_keywords``). ``inspect.signature``
    (and so ``help``) shows ``template``'s parameters.
    """

    def apply(func: Callable[..., R]) -> Callable[P, R]:
        func.__wrapped__ = template  # type: ignore[attr-defined]  # read by inspect.signature
        return check_keywords(func)

    return apply


class LazyFunction:
    """A function of another module (``module`` relative to ``scaleapi``), imported at first lookup.

    As a class attribute it is a method: an instance gets the function bound to itself, the class
    the plain function. It reports as ``<class>.<attribute>`` (the class it is first looked up on)
    and refuses an unknown keyword with the closest parameter (``_hints.check_keywords``), like the
    methods written in the class; ``help`` and ``inspect.signature`` show the function's own
    parameters.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attribute = name
        self._method: Optional[Callable[..., Any]] = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = name

    def __get__(self, instance: Optional[object], owner: Optional[type] = None) -> Any:
        method = self._method
        if method is None:
            method = check_keywords(getattr(importlib.import_module(self.module, __package__), self.name))
            method.__qualname__ = f"{(owner or type(instance)).__name__}.{self.attribute}"
            self._method = method
        return method if instance is None else MethodType(method, instance)
