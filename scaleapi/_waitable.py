"""``wait()`` for the models that finish (tasks and batches): one signature and one docstring."""
from typing import List, Optional, TypeVar

from ._models import Model
from .waiting import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT

__all__: List[str] = []  # _Waitable is a private base, not a model of its own

W = TypeVar("W", bound="_Waitable")


class _Waitable(Model):
    """A model whose ``wait()`` polls until the object is finished; subclasses say how."""

    def _wait_finished(self, timeout: Optional[float], poll: float, retry_budget: Optional[float]) -> Model:
        """The server's copy once finished (a ``waiting`` function)."""
        raise NotImplementedError

    def _take_finished(self, fresh: Model) -> None:
        self._take(fresh)

    def wait(
        self: W,
        timeout: Optional[float] = DEFAULT_WAIT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
        *,
        retry_budget: Optional[float] = None,
    ) -> W:
        """Poll until this object is finished, then take the server's copy.

        A task is finished when completed, canceled or in error; a batch when completed.

        Args:
            timeout: seconds to wait at most (None: no limit).
            poll: the first pause between polls; pauses grow 1.5x up to 30 s.
            retry_budget: seconds a poll rides out server trouble (default: the client's).

        Returns:
            this object, updated.

        Raises:
            ScaleWaitTimeout: the object was not finished by the deadline.
        """
        self._take_finished(self._wait_finished(timeout, poll, retry_budget))
        return self
