"""Batches: the ``Batch`` model and ``BatchStatus``."""
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Optional

from ._models import Field, Model, dict_or_empty
from ._waitable import _Waitable
from .waiting import wait_for_batch

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = ["BatchStatus", "Batch"]


class BatchStatus(Enum):
    """Batch status."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Staging = "staging"
    InProgress = "in_progress"
    Completed = "completed"


class Batch(_Waitable):
    """A batch of tasks, equal to another ``Batch`` with the same name.

    Attributes ``name``, ``status``, ``project``, ``created_at``, ``metadata`` (``{}`` when absent) and
    ``callback`` come from the JSON; ``tasks_pending``, ``tasks_completed``, ``tasks_error`` and
    ``tasks_canceled`` are ``None`` until ``get_status()`` fills them.

    Args:
        json: the batch JSON.
        client: the ``ScaleClient`` used by the helper methods.
    """

    def __init__(self, json: Dict[str, Any], client: Optional["ScaleClient"] = None) -> None:
        self.tasks_pending: Optional[int] = None
        self.tasks_completed: Optional[int] = None
        self.tasks_error: Optional[int] = None
        self.tasks_canceled: Optional[int] = None
        super().__init__(json, client)

    name: Field[str] = Field("name")
    status: Field[str] = Field("status")
    project: Field[str] = Field("project")
    created_at: Field[Optional[str]] = Field("created_at")
    metadata: Field[Dict[str, Any]] = Field("metadata", dict_or_empty)
    callback: Field[Optional[str]] = Field("callback")

    _key_attr = "name"

    _repr_attrs = ("name", "project", "status")

    def finalize(self) -> "Batch":
        """Finalize this batch (staging to in progress, for Rapid and Studio projects).

        Returns:
            this batch, updated with the server's answer.
        """
        return self._take(self._bound_client().finalize_batch(self.name))

    def _wait_finished(self, timeout: Optional[float], poll: float, retry_budget: Optional[float]) -> Model:
        return wait_for_batch(self._bound_client(), self.name, timeout, poll, retry_budget=retry_budget)

    def _take_finished(self, fresh: Model) -> None:
        assert isinstance(fresh, Batch)
        super()._take_finished(fresh)
        self.tasks_pending, self.tasks_completed = fresh.tasks_pending, fresh.tasks_completed
        self.tasks_error, self.tasks_canceled = fresh.tasks_error, fresh.tasks_canceled

    def get_status(self) -> Dict[str, Any]:
        """Fetch this batch's status and task counts and set them on the object.

        Sets ``status`` and the four ``tasks_*`` counters (a count the server leaves out is 0).

        Returns:
            the server's status dict, e.g. ``{"status": "in_progress", "pending": 3}``.
        """
        answer = self._bound_client().batch_status(self.name)
        if "status" in answer:
            self._json["status"] = answer["status"]
        self.tasks_pending = answer.get("pending", 0)
        self.tasks_completed = answer.get("completed", 0)
        self.tasks_error = answer.get("error", 0)
        self.tasks_canceled = answer.get("canceled", 0)
        return answer
