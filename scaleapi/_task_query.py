"""The task query, in one place: the filters of ``get_tasks`` and what ``GET tasks`` is sent for them.

``get_tasks``, ``get_tasks_count``, ``tasks``, ``export_tasks`` and the CLI's task filter flags build
their query here, and the emulator's OpenAPI description reads the query names from here. Everything
runs before a request is sent, so a bad filter costs no call.
"""
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._client_base import query_value
from ._constants import MAX_PAGE_LIMIT
from ._hints import choice_value, did_you_mean
from .exceptions import ScaleInvalidRequest
from .tasks import TaskReviewStatus, TaskStatus, TaskType

#: The query names ``GET tasks`` accepts (what ``ScaleClient.tasks(**query)`` may be given).
TASK_QUERY_NAMES: Tuple[str, ...] = (
    "start_time",
    "end_time",
    "status",
    "type",
    "project",
    "batch",
    "limit",
    "completed_before",
    "completed_after",
    "next_token",
    "customer_review_status",
    "tags",
    "updated_before",
    "updated_after",
    "unique_id",
    "include_attachment_url",
    "limited_response",
)
#: The filters of ``get_tasks`` (and ``get_tasks_count``, ``export_tasks``), in signature order.
TASK_FILTERS: Tuple[str, ...] = (
    "project_name",
    "batch_name",
    "task_type",
    "status",
    "review_status",
    "unique_id",
    "completed_after",
    "completed_before",
    "updated_after",
    "updated_before",
    "created_after",
    "created_before",
    "tags",
    "include_attachment_url",
    "limited_response",
)
#: ``get_tasks`` filter names and the ``tasks()`` query keys they become (where the names differ).
TASK_FILTER_TO_QUERY: Dict[str, str] = {
    "project_name": "project",
    "batch_name": "batch",
    "task_type": "type",
    "created_after": "start_time",
    "created_before": "end_time",
    "review_status": "customer_review_status",
}
#: The reverse: a ``tasks()`` query key given to ``get_tasks`` names the filter meant.
TASK_QUERY_TO_FILTER: Dict[str, str] = {query: name for name, query in TASK_FILTER_TO_QUERY.items()}

_ACCEPTED = frozenset(TASK_QUERY_NAMES)
_FILTERS = frozenset(TASK_FILTERS)
#: The filters sent as given (under their query name), in the order the query lists them.
_AS_GIVEN = (
    "created_after",
    "created_before",
    "project_name",
    "batch_name",
    "completed_before",
    "completed_after",
    "tags",
    "updated_before",
    "updated_after",
    "unique_id",
)

ReviewStatusArg = Optional[Union[List[Union[TaskReviewStatus, str]], TaskReviewStatus, str]]
StrOrList = Optional[Union[List[str], str]]


def check_limit(limit: Optional[int]) -> None:
    """Raise ``ValueError`` unless ``limit`` is None or a page size the API accepts (1..100)."""
    if limit is None:
        return
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValueError(f"limit must be an integer from 1 to {MAX_PAGE_LIMIT}, got {limit!r}")


def filters_in(names: Mapping[str, Any]) -> Dict[str, Any]:
    """The ``get_tasks`` filters found in ``names`` (a caller's ``locals()``), by filter name."""
    return {name: names[name] for name in TASK_FILTERS if name in names}


def query_params(query: Mapping[str, Any], method: str = "ScaleClient.tasks()") -> Dict[str, Any]:
    """A ``GET tasks`` query as requests should send it: enum members by value, lists item by item.

    Raises:
        ScaleInvalidRequest: a name ``GET tasks`` does not accept (the message names the closest).
    """
    for key in query:
        if key not in _ACCEPTED:
            hint = did_you_mean(key, sorted(_ACCEPTED), TASK_FILTER_TO_QUERY)
            raise ScaleInvalidRequest(f"Illegal parameter {key} for {method}{hint}")
    return {key: query_value(value) for key, value in query.items()}


def task_query(filters: Mapping[str, Any]) -> Dict[str, Any]:
    """Map the filters of ``get_tasks`` (by name, as ``filters_in`` gives them) to ``GET tasks``'s query.

    The filters are documented at ``ScaleClient.get_tasks``. Their names become the query's
    (``TASK_FILTER_TO_QUERY``), a type or status its enum value, and review statuses (a list, or
    text already comma-joined) one comma-joined value; ``include_attachment_url`` is True unless
    given.

    Returns:
        the query, by ``GET tasks`` name (None where a filter is not given).

    Raises:
        TypeError: a name that is not a filter of ``get_tasks``.
        ValueError: neither ``project_name`` nor ``batch_name`` is given.
        ScaleInvalidChoice: a type or status is not one of its enum's values (a ``ValueError``
            too; the message names the closest).
    """
    for name in filters:
        if name not in _FILTERS:
            raise TypeError(f"{name!r} is not a task filter{did_you_mean(name, TASK_FILTERS)}")
    if not filters.get("project_name") and not filters.get("batch_name"):
        raise ValueError("At least one of project_name or batch_name must be provided.")
    args: Dict[str, Any] = {TASK_FILTER_TO_QUERY.get(name, name): filters.get(name) for name in _AS_GIVEN}
    args["include_attachment_url"] = filters.get("include_attachment_url", True)
    status, limited_response, task_type, review_status = (
        filters.get(name) for name in ("status", "limited_response", "task_type", "review_status")
    )
    if status:
        args["status"] = choice_value("task status", status, TaskStatus)
    if limited_response:
        args["limited_response"] = limited_response
    if task_type:
        args["type"] = choice_value("task type", task_type, TaskType)
    if review_status:
        statuses = review_status if isinstance(review_status, (list, tuple)) else [review_status]
        # A string may come comma-joined already ("accepted,fixed"), as the query carries it.
        parts = [part for one in statuses for part in (one.split(",") if isinstance(one, str) else [one])]
        args["customer_review_status"] = ",".join(
            str(choice_value("review status", part, TaskReviewStatus)) for part in parts
        )
    return args
