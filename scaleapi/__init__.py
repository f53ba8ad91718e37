"""Python SDK for the Scale AI v1 API (and the v2 API: ``ScaleClient(...).v2``)."""
from typing import Any, List

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
    "ApiClient",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
    "Configuration",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
    "ExpandableEnumTask",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
    "Option",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
    "V2Api",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
    "V2Task",  # pylint: disable=undefined-all-variable  # loaded by __getattr__
]

#: The v2 names offered here, loaded on first use (``import scaleapi`` loads no v2 module).
_V2_NAMES = {
    "ApiClient": ("scaleapi.api_client.v2.api_client", "ApiClient"),
    "Configuration": ("scaleapi.api_client.v2.configuration", "Configuration"),
    "ExpandableEnumTask": ("scaleapi.api_client.v2.models.expandable_enum_task", "ExpandableEnumTask"),
    "Option": ("scaleapi.api_client.v2.models.option", "Option"),
    "V2Api": ("scaleapi.api_client.v2.api.v2_api", "V2Api"),
    "V2Task": ("scaleapi.api_client.v2.models.task", "Task"),
}


def __getattr__(name: str) -> Any:
    if name not in _V2_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module  # pylint: disable=import-outside-toplevel

    module, attr = _V2_NAMES[name]
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
