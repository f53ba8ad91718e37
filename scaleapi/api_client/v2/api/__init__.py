"""The v2 endpoint layer: ``V2Api`` (``v2_api``, generated: one typed definition an endpoint) and
the request checks and variant builders (``_base``)."""
from typing import Any

__all__ = ["V2Api"]  # pylint: disable=undefined-all-variable  # loaded by __getattr__


def __getattr__(name: str) -> Any:
    if name == "V2Api":
        from .v2_api import V2Api  # pylint: disable=import-outside-toplevel

        return V2Api
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
