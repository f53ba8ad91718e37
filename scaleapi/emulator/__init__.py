"""A local emulator of the Scale v1 REST API (needs the ``emulator`` extra: werkzeug).

Importing this package is cheap: :class:`Emulator` and werkzeug load on first use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .facade import Emulator

__all__ = ["Emulator"]


def __getattr__(name: str) -> Any:
    if name == "Emulator":
        from .facade import Emulator  # pylint: disable=import-outside-toplevel,redefined-outer-name

        return Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
