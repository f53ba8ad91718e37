"""The public names of ``scaleapi``: exactly these, each importable, every exception in one module."""
import inspect
import re
from typing import Any, Callable, List

import scaleapi
from scaleapi import _journal, _task_query, bulk, callbacks, exceptions, export, waiting

# In the order of scaleapi.__all__: the version, the client and pages, the models, then the
# exceptions (the base, the status classes, the rest), then the v2 names (loaded on first use).
PUBLIC_NAMES = """
__version__ ScaleClient Paginator Tasklist Batchlist Task TaskType TaskStatus TaskReviewStatus
Batch BatchStatus Project TaskTemplate File EvaluationTask TrainingTask Teammate TeammateRole
StudioBatch StudioLabelerAssignment StudioProjectGroup Api
ScaleException ScaleInvalidRequest ScaleInvalidChoice InvalidCallback ScaleUnauthorized
ScaleNotEnabled ScaleResourceNotFound ScaleDuplicateResource ScaleTooManyRequests
ScaleInternalError ScaleServiceUnavailable ScaleTimeoutError ScalePaginationError
ScaleWaitTimeout WaitTimeout BulkError JournalMismatch ExportError ScaleConfigurationError
ScaleTransportError ScaleConnectionError ScaleClientTimeout
ApiClient Configuration ExpandableEnumTask Option V2Api V2Task
""".split()


def test_all_is_pinned() -> None:
    assert scaleapi.__all__ == PUBLIC_NAMES
    for name in PUBLIC_NAMES:
        assert hasattr(scaleapi, name), name


def test_every_exception_lives_in_exceptions_and_is_exported_and_drawn() -> None:
    defined = [
        value
        for value in vars(exceptions).values()
        if inspect.isclass(value) and issubclass(value, exceptions.ScaleException)
    ]
    tree = exceptions.__doc__ or ""
    for cls in defined:
        assert cls.__module__ == "scaleapi.exceptions", cls
        assert getattr(scaleapi, cls.__name__) is cls, cls
        assert re.search(rf"(── |^    ){cls.__name__} ", tree, re.MULTILINE), cls


def test_old_import_paths_name_the_same_classes() -> None:
    assert waiting.WaitTimeout is exceptions.WaitTimeout
    assert bulk.BulkError is exceptions.BulkError
    assert bulk.JournalMismatch is _journal.JournalMismatch is exceptions.JournalMismatch
    assert export.ExportError is exceptions.ExportError
    assert callbacks.InvalidCallback is exceptions.InvalidCallback


def test_status_classes_map_their_codes() -> None:
    assert {code: cls.__name__ for code, cls in exceptions.ExceptionMap.items()} == {
        400: "ScaleInvalidRequest",
        401: "ScaleUnauthorized",
        402: "ScaleNotEnabled",
        404: "ScaleResourceNotFound",
        409: "ScaleDuplicateResource",
        429: "ScaleTooManyRequests",
        500: "ScaleInternalError",
        503: "ScaleServiceUnavailable",
        504: "ScaleTimeoutError",
    }
    for code, cls in exceptions.ExceptionMap.items():
        assert cls.code == code
        assert cls.__doc__ and cls.__doc__.startswith(f"{code}: ")
    assert exceptions.ScaleInvalidChoice.code is None
    assert exceptions.InvalidCallback.code == 400


def test_one_table_of_task_filters_and_query_names(client: scaleapi.ScaleClient) -> None:
    """``get_tasks``, ``get_tasks_count``, ``export_tasks`` and the served OpenAPI document agree."""
    def filters(method: Callable[..., Any]) -> List[str]:
        return [name for name in inspect.signature(method).parameters if name in _task_query.TASK_FILTERS]

    assert filters(scaleapi.ScaleClient.get_tasks) == list(_task_query.TASK_FILTERS)
    assert filters(scaleapi.ScaleClient.get_tasks_count) == list(_task_query.TASK_FILTERS[:-1])
    assert filters(scaleapi.ScaleClient.export_tasks) == list(_task_query.TASK_FILTERS)
    assert set(_task_query.TASK_FILTER_TO_QUERY) <= set(_task_query.TASK_FILTERS)
    assert set(_task_query.TASK_FILTER_TO_QUERY.values()) <= set(_task_query.TASK_QUERY_NAMES)
    document = client.api.request("GET", "openapi.json")
    listing = document["paths"]["/tasks"]["get"]["parameters"]
    assert [parameter["name"] for parameter in listing] == list(_task_query.TASK_QUERY_NAMES)
