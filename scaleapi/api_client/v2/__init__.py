"""The v2 API: its models, its exceptions, and the ``V2Api`` client classes.

Every public name is loaded on first use (module ``__getattr__``), so ``import
scaleapi.api_client.v2`` imports almost nothing. The names are those v2 code already imports from
here: ``V2Api``, ``ApiResponse``, ``ApiClient``, ``Configuration``, the exception classes, and the
re-exported models (``from scaleapi.api_client.v2 import Task``).
"""
# The names in __all__ are loaded on first use by __getattr__ below.
# pylint: disable=undefined-all-variable
from importlib import import_module
from typing import Any, Dict, List

from ._registry import EXPORTED

#: The client classes and the module (below this package) that holds each.
_CLIENT: Dict[str, str] = {
    "V2Api": "api.v2_api",
    "ApiClient": "api_client",
    "Configuration": "configuration",
    "ApiResponse": "api_response",
}
_EXCEPTIONS = (
    "OpenApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiException",
)
_MODELS = frozenset(EXPORTED)

__all__ = list(_CLIENT) + list(_EXCEPTIONS) + list(EXPORTED)


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        value = getattr(import_module(f"{__name__}.models"), name)
    elif name in _EXCEPTIONS:
        value = getattr(import_module(f"{__name__}.exceptions"), name)
    elif name in _CLIENT:
        target = f"{__name__}.{_CLIENT[name]}"
        try:
            module = import_module(target)
        except ModuleNotFoundError as err:
            if err.name != target:
                raise
            raise AttributeError(f"{name} is not available in this version ({target} is missing)") from None
        value = getattr(module, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
