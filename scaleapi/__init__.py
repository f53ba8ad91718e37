"""Python SDK for the Scale AI v1 API."""
from ._version import __version__
from .api import Api
from .batches import Batch, BatchStatus
from .client import ScaleClient
from .evaluation_tasks import EvaluationTask
from .exceptions import (
    BulkError,
    ExportError,
    InvalidCallback,
    JournalMismatch,
    ScaleClientTimeout,
    ScaleConfigurationError,
    ScaleConnectionError,
    ScaleDuplicateResource,
    ScaleException,
    ScaleInternalError,
    ScaleInvalidChoice,
    ScaleInvalidRequest,
    ScaleNotEnabled,
    ScalePaginationError,
    ScaleResourceNotFound,
    ScaleServiceUnavailable,
    ScaleTimeoutError,
    ScaleTooManyRequests,
    ScaleTransportError,
    ScaleUnauthorized,
    ScaleWaitTimeout,
    WaitTimeout,
)
from .files import File
from .pagination import Batchlist, Paginator, Tasklist
from .projects import Project, TaskTemplate
from .studio import StudioBatch, StudioLabelerAssignment, StudioProjectGroup
from .tasks import Task, TaskReviewStatus, TaskStatus, TaskType
from .teams import Teammate, TeammateRole
from .training_tasks import TrainingTask

__all__ = [
    "__version__",
    "ScaleClient",
    "Paginator",
    "Tasklist",
    "Batchlist",
    "Task",
    "TaskType",
    "TaskStatus",
    "TaskReviewStatus",
    "Batch",
    "BatchStatus",
    "Project",
    "TaskTemplate",
    "File",
    "EvaluationTask",
    "TrainingTask",
    "Teammate",
    "TeammateRole",
    "StudioBatch",
    "StudioLabelerAssignment",
    "StudioProjectGroup",
    "Api",
    "ScaleException",
    "ScaleInvalidRequest",
    "ScaleInvalidChoice",
    "InvalidCallback",
    "ScaleUnauthorized",
    "ScaleNotEnabled",
    "ScaleResourceNotFound",
    "ScaleDuplicateResource",
    "ScaleTooManyRequests",
    "ScaleInternalError",
    "ScaleServiceUnavailable",
    "ScaleTimeoutError",
    "ScalePaginationError",
    "ScaleWaitTimeout",
    "WaitTimeout",
    "BulkError",
    "JournalMismatch",
    "ExportError",
    "ScaleConfigurationError",
    "ScaleTransportError",
    "ScaleConnectionError",
    "ScaleClientTimeout",
]
