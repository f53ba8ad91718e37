"""The v2 models, one module a class (``scaleapi.api_client.v2.models.task.Task``).

The re-exported classes (``from scaleapi.api_client.v2.models import Task``) are loaded on first use,
so importing this package does not import the 119 model modules.
"""
# The names in __all__ are loaded on first use by __getattr__ below.
# pylint: disable=undefined-all-variable
from importlib import import_module
from typing import Any, List

from .._registry import EXPORTED, MODEL_MODULES

__all__ = list(EXPORTED)
_EXPORTED = frozenset(EXPORTED)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{MODEL_MODULES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | _EXPORTED)
