"""Tasks: the ``Task`` model and the task enums."""
from enum import Enum
from typing import Any, Dict, List, Optional

from ._models import Field, Model
from ._waitable import _Waitable
from .waiting import wait_for_task

__all__ = ["TaskType", "TaskReviewStatus", "TaskStatus", "Task"]


class TaskType(Enum):
    """Task types, as used in ``POST task/{type}``."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Annotation = "annotation"
    Categorization = "categorization"
    Comparison = "comparison"
    CuboidAnnotation = "cuboidannotation"
    DataCollection = "datacollection"
    DocumentModel = "documentmodel"
    DocumentTranscription = "documenttranscription"
    ImageAnnotation = "imageannotation"
    LaneAnnotation = "laneannotation"
    LidarAnnotation = "lidarannotation"
    LidarLinking = "lidarlinking"
    LidarSegmentation = "lidarsegmentation"
    LidarTopdown = "lidartopdown"
    LineAnnotation = "lineannotation"
    NamedEntityRecognition = "namedentityrecognition"
    PointAnnotation = "pointannotation"
    PolygonAnnotation = "polygonannotation"
    SegmentAnnotation = "segmentannotation"
    Transcription = "transcription"
    TextCollection = "textcollection"
    VideoAnnotation = "videoannotation"
    VideoBoxAnnotation = "videoboxannotation"
    VideoPlaybackAnnotation = "videoplaybackannotation"
    VideoCuboidAnnotation = "videocuboidannotation"
    SensorFusion = "sensorfusion"
    Chat = "chat"
    ChatExperimental = "chatexperimental"
    ChatLite = "chatlite"
    MultiChat = "multichat"
    MultiStage = "multistage"
    Federal2dVideoAnnotation = "federal2dvideoannotation"


class TaskReviewStatus(Enum):
    """Customer review (audit) status of a task."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Accepted = "accepted"
    Fixed = "fixed"
    Commented = "commented"
    Rejected = "rejected"
    Pending = "pending"


class TaskStatus(Enum):
    """Task status. ``Error`` is new here: the API does report tasks in ``error``."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Pending = "pending"
    Completed = "completed"
    Canceled = "canceled"
    Error = "error"


#: Task parameters (inputs echoed back under ``params``) that early clients read as attributes
#: (``task.geometries``); a task that lacks one still points to ``params`` when it is asked for.
PARAM_KEYS = frozenset(
    {
        "attachment", "attachment_type", "attachments", "geometries", "objects_to_annotate",
        "categories", "category_ids", "taxonomies", "allow_multiple", "fields", "repeatable_fields",
        "features", "labels", "text", "with_labels", "min_width", "min_height",
    }
)  # fmt: skip


class Task(_Waitable):
    """A task. Every top-level key of its JSON reads as an attribute (``task.status``, ``task.params``).

    A key the task does not have raises ``AttributeError``, so ``hasattr(task, "tags")`` is false
    until the task has tags. Keys inside ``params`` are read with ``task.params["..."]``; asking for
    one as an attribute (``task.geometries``) raises an ``AttributeError`` that says so.
    ``str()`` and ``repr()`` both give ``Task(task_id=..., type=..., status=...)``.

    The helper methods call the client, take the server's updated task in place and return ``self``.

    Args:
        json: the task JSON (``task_id`` is its id).
        client: the ``ScaleClient`` used by the helper methods.
    """

    #: The task's id (``task_id``; None only for a task built from JSON without one).
    id: Field[str] = Field("task_id")
    # Keys every task the API returns has, or may have; a task without the key raises AttributeError.
    task_id: Field[str] = Field("task_id", required=True)
    type: Field[str] = Field("type", required=True)
    status: Field[str] = Field("status", required=True)
    params: Field[Dict[str, Any]] = Field("params", required=True)
    project: Field[str] = Field("project", required=True)
    batch: Field[str] = Field("batch", required=True)
    created_at: Field[str] = Field("created_at", required=True)
    updated_at: Field[str] = Field("updated_at", required=True)
    completed_at: Field[str] = Field("completed_at", required=True)
    callback_url: Field[str] = Field("callback_url", required=True)
    unique_id: Field[str] = Field("unique_id", required=True)
    metadata: Field[Dict[str, Any]] = Field("metadata", required=True)
    tags: Field[List[str]] = Field("tags", required=True)
    response: Field[Any] = Field("response", required=True)

    _key_attr = "id"

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails. Private names (and everything before __init__ ran,
        # e.g. during unpickling or copy) never look into _json, so this cannot recurse.
        hint = ""
        if not name.startswith("_"):
            json = self.__dict__.get("_json")
            if isinstance(json, dict) and name in json:
                return json[name]
            params = json.get("params") if isinstance(json, dict) else None
            if isinstance(params, dict) and name in params:
                hint = f'; it is a task parameter: read task.params["{name}"]'
            elif name in PARAM_KEYS:
                hint = f'; task parameters are read from task.params (this task has no params["{name}"])'
        # Still an AttributeError, so hasattr() and getattr() with a default keep working.
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}{hint}")

    def __dir__(self) -> List[str]:
        json = self.__dict__.get("_json")
        keys = [key for key in json if isinstance(key, str)] if isinstance(json, dict) else []
        return sorted(set(super().__dir__()) | set(keys))

    def __repr__(self) -> str:
        parts = [f"task_id={self.id!r}"]
        for field in ("type", "status"):
            if field in self._json:
                parts.append(f"{field}={self._json[field]!r}")
        return f"Task({', '.join(parts)})"

    def refresh(self) -> "Task":
        """Fetch the task again and take the server's copy in place.

        Returns:
            this task, updated.
        """
        return self._take(self._bound_client().get_task(self.id))

    def _wait_finished(self, timeout: Optional[float], poll: float, retry_budget: Optional[float]) -> Model:
        return wait_for_task(self._bound_client(), self.id, timeout, poll, retry_budget=retry_budget)

    def cancel(self, clear_unique_id: bool = False) -> "Task":
        """Cancel this task (only pending tasks can be canceled).

        Args:
            clear_unique_id: also remove the task's ``unique_id``.

        Returns:
            this task, updated (status ``canceled``).

        Raises:
            ScaleInvalidRequest: the task is not pending any more.
        """
        return self._take(self._bound_client().cancel_task(self.id, clear_unique_id))

    def audit(self, accepted: bool, comments: Optional[str] = None) -> "Task":
        """Accept or reject this completed task.

        Args:
            accepted: True to accept, False to reject.
            comments: the reason, shown with the audit.

        Returns:
            this task; updated when the server answers with the task.
        """
        # pylint: disable-next=protected-access
        answer = self._bound_client()._audit_task_json(self.id, accepted, comments)
        if isinstance(answer, dict) and answer.get("task_id") == self.id:
            self._replace(answer)
        return self

    def update_unique_id(self, unique_id: str) -> "Task":
        """Set a new ``unique_id`` on this task.

        Args:
            unique_id: the new value, unique across your tasks.

        Returns:
            this task, updated.

        Raises:
            ScaleDuplicateResource: another task already uses that ``unique_id``.
        """
        return self._take(self._bound_client().update_task_unique_id(self.id, unique_id))

    def clear_unique_id(self) -> "Task":
        """Remove this task's ``unique_id``.

        Returns:
            this task, updated.
        """
        return self._take(self._bound_client().clear_task_unique_id(self.id))

    def set_metadata(self, metadata: Dict[str, Any]) -> "Task":
        """Replace this task's metadata (``{}`` clears it).

        Args:
            metadata: the new metadata object.

        Returns:
            this task, updated.
        """
        return self._take(self._bound_client().set_task_metadata(self.id, metadata))

    def set_tags(self, tags: List[str]) -> "Task":
        """Replace this task's tags (``[]`` removes them all); returns this task, updated."""
        return self._take(self._bound_client().set_task_tags(self.id, tags))

    def add_tags(self, tags: List[str]) -> "Task":
        """Add tags to this task (tags it already has are ignored); returns this task, updated."""
        return self._take(self._bound_client().add_task_tags(self.id, tags))

    def delete_tags(self, tags: List[str]) -> "Task":
        """Remove tags from this task (tags it does not have are ignored); returns this task, updated."""
        return self._take(self._bound_client().delete_task_tags(self.id, tags))
