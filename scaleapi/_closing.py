"""``Closing``: the ``with`` half every closeable SDK object shares (enter returns it, exit closes it)."""
from typing import TypeVar

__all__ = ["Closing"]

_C = TypeVar("_C", bound="Closing")


class Closing:
    """Base of the objects with a ``close()``: ``with obj:`` gives ``obj`` and closes it at the end."""

    def close(self) -> None:
        """Release what the object holds (each subclass says what)."""
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
