"""Scale Studio: labeler assignments, project groups, workers and studio batches."""
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Hashable, List, Optional

from ._models import BaseModel, Field, Model, list_or_empty

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

    id: Field[str] = Field("id")
    email: Field[str] = Field("email")

    _key_attr = "id"

    _repr_attrs = ("id", "email")


class StudioProjectGroup(Model):
    """A group of labelers in a Studio project.

    Attributes ``id``, ``name``, ``numWorkers``, ``isSingleton`` keep the JSON's camelCase names;
    ``workers`` is always a list of ``StudioWorker`` (empty when the JSON has none).
    """

    # pylint: disable=invalid-name  # the JSON's names, kept by the public interface
    id: Field[str] = Field("id")
    name: Field[str] = Field("name")
    numWorkers: Field[Optional[int]] = Field("numWorkers")
    isSingleton: Field[Optional[bool]] = Field("isSingleton")

    # pylint: disable-next=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        workers = json.get("workers")
        self.workers: List[StudioWorker] = [
            StudioWorker(worker, self._client)
            for worker in (workers if isinstance(workers, list) else [])
            if isinstance(worker, dict)
        ]

    _key_attr = "id"

    _repr_attrs = ("id", "name", "numWorkers")


class StudioBatch(Model):
    """A pending Studio batch.

    Attributes: ``id``, ``name``, ``project_id``, ``project_name``, ``batch_type``,
    ``studio_priority`` (``None`` when absent), ``total``, ``completed`` and ``groups``.
    """

    id: Field[str] = Field("id")
    name: Field[str] = Field("name")
    project_id: Field[Optional[str]] = Field("projectId")
    project_name: Field[Optional[str]] = Field("projectName")
    batch_type: Field[Optional[str]] = Field("batchType")
    studio_priority: Field[Optional[int]] = Field("studioPriority")
    total: Field[Optional[int]] = Field("total")
    completed: Field[Optional[int]] = Field("completed")
    groups: Field[List[Any]] = Field("groups", list_or_empty)

    _key_attr = "id"

    _repr_attrs = ("id", "name", "project_name")
