"""Scale Studio: labeler assignments, project groups, workers and studio batches."""
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Hashable, List, Optional

from ._models import BaseModel, Model

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = [
    "StudioLabelerAssignment",
    "StudioWorker",
    "StudioProjectGroup",
    "StudioBatchStatus",
    "StudioBatch",
]


class StudioBatchStatus(Enum):
    """Studio batch status."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Production = "Production"


class StudioLabelerAssignment(BaseModel):
    """The projects one labeler is assigned to.

    Args:
        assigned_projects: the project names.
        email: the labeler's email.
        client: the ``ScaleClient`` that fetched it.
    """

    def __init__(
        self, assigned_projects: List[str], email: str, client: Optional["ScaleClient"] = None
    ) -> None:
        self.email = email
        self.assigned_projects = assigned_projects
        self._json = assigned_projects
        self._client = client

    def _key(self) -> Optional[Hashable]:
        return (self.email, tuple(self.assigned_projects))

    def __repr__(self) -> str:
        return f"StudioLabelerAssignment(email={self.email!r}, assigned_projects={self.assigned_projects!r})"

    def as_dict(self) -> List[str]:
        """Return the assigned project names (the raw JSON value)."""
        return self._json


class StudioWorker(Model):
    """A worker in a project group: ``id`` and ``email``."""

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.email: Any = json.get("email")

    _key_attr = "id"

    def __repr__(self) -> str:
        return f"StudioWorker(id={self.id!r}, email={self.email!r})"


class StudioProjectGroup(Model):
    """A group of labelers in a Studio project.

    Attributes ``id``, ``name``, ``numWorkers``, ``isSingleton`` keep the JSON's camelCase names;
    ``workers`` is always a list of ``StudioWorker`` (empty when the JSON has none).
    """

    # pylint: disable=attribute-defined-outside-init,invalid-name
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.name: Any = json.get("name")
        self.numWorkers: Any = json.get("numWorkers")
        self.isSingleton: Any = json.get("isSingleton")
        workers = json.get("workers")
        self.workers: List[StudioWorker] = [
            StudioWorker(worker, self._client)
            for worker in (workers if isinstance(workers, list) else [])
            if isinstance(worker, dict)
        ]

    _key_attr = "id"

    def __repr__(self) -> str:
        return f"StudioProjectGroup(id={self.id!r}, name={self.name!r}, numWorkers={self.numWorkers!r})"


class StudioBatch(Model):
    """A pending Studio batch.

    Attributes: ``id``, ``name``, ``project_id``, ``project_name``, ``batch_type``,
    ``studio_priority`` (``None`` when absent), ``total``, ``completed`` and ``groups``.
    """

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.name: Any = json.get("name")
        self.project_id: Any = json.get("projectId")
        self.project_name: Any = json.get("projectName")
        self.batch_type: Any = json.get("batchType")
        self.studio_priority: Any = json.get("studioPriority")
        self.total: Any = json.get("total")
        self.completed: Any = json.get("completed")
        groups = json.get("groups")
        self.groups: List[Any] = groups if isinstance(groups, list) else []

    _key_attr = "id"

    def __repr__(self) -> str:
        return f"StudioBatch(id={self.id!r}, name={self.name!r}, project_name={self.project_name!r})"
