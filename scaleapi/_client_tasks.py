"""``ScaleClient`` methods for tasks: create, fetch, change, list."""
from functools import partial
from typing import Any, Dict, Generator, List, Optional, Union

from ._client_base import ClientBase, JSONDict, expect_object, resource_path
from ._hints import choice_value
from ._reconcile import mismatch, task_differences
from ._retry import CallKind
from .api import Api
from .evaluation_tasks import EvaluationTask
from ._task_query import ReviewStatusArg, StrOrList, check_limit, filters_in, query_params, task_query
from .exceptions import ScaleDuplicateResource
from .pagination import Tasklist, walk_cursor_pages
from .tasks import Task, TaskStatus, TaskType
from .training_tasks import TrainingTask

_task_path = partial(resource_path, "task")


class TasksMixin(ClientBase):
    """Task methods of ``ScaleClient``."""

    def create_task(self, task_type: Union[TaskType, str], **kwargs: Any) -> Task:
        """Create a task of any type.

        With a ``unique_id`` the create is retried on server errors; a 409 after an ambiguous attempt
        counts as success only when the task holding the ``unique_id`` matches this request in every
        field it sets (type, project, batch, params, metadata, ...; see docs/retries.md). Without a
        ``unique_id`` it is retried only when the request provably never reached the server.

        Args:
            task_type: the task type, e.g. ``TaskType.ImageAnnotation``.
            **kwargs: the task parameters, sent as the JSON body.

        Returns:
            the created ``Task``.

        Raises:
            ScaleInvalidRequest: missing or invalid parameters (400).
            ScaleDuplicateResource: the ``unique_id`` is already used (409), also after a retry when
                the task holding it is not the one this call asked for.
            ScaleInvalidChoice: ``task_type`` is not a task type (a ``ValueError`` too; raised
                before any request, naming the closest type).
        """
        type_value = str(choice_value("task type", task_type, TaskType))
        endpoint = f"task/{Api.quote_string(type_value)}"
        unique_id = kwargs.get("unique_id")
        if not unique_id:
            return self._one(Task, self.api.request("POST", endpoint, body=kwargs), endpoint)

        def reconcile() -> Any:
            return self._reconcile_task(type_value, kwargs)

        answer = self.api.request(
            "POST", endpoint, body=kwargs, kind=CallKind.KEYED_CREATE, reconcile=reconcile
        )
        return self._one(Task, answer, endpoint)

    def _reconcile_task(self, type_value: str, body: Dict[str, Any]) -> JSONDict:
        """The task holding ``body``'s ``unique_id``, if it is what ``body`` asks for (see _reconcile).

        Raises:
            ScaleDuplicateResource: no task has the ``unique_id``, or the one that has it differs
                from ``body`` (the message names the task and the fields that differ).
        """
        unique_id = body["unique_id"]
        found = self.api.request("GET", "tasks", params={"unique_id": unique_id})
        docs = found.get("docs") if isinstance(found, dict) else None
        if not docs or not isinstance(docs[0], dict):
            raise ScaleDuplicateResource(f"unique_id {unique_id!r} is taken, but no task has it")
        task: JSONDict = docs[0]
        diffs = task_differences(type_value, body, task)
        if diffs:
            raise mismatch(
                f"task {task.get('task_id')} (a {task.get('type')} task in project "
                f"{task.get('project')!r}, unique_id {unique_id!r})",
                diffs,
            )
        return task

    def get_task(self, task_id: str) -> Task:
        """The task with this id (a read, retried freely); ``ScaleResourceNotFound`` when there is none."""
        return self._one(Task, self.api.request("GET", _task_path(task_id)), "GET task")

    def cancel_task(self, task_id: str, clear_unique_id: bool = False) -> Task:
        """Cancel a pending task (retried freely: cancelling twice changes nothing).

        Args:
            task_id: the task's id.
            clear_unique_id: also remove the task's ``unique_id``.

        Returns:
            the canceled ``Task``.

        Raises:
            ScaleInvalidRequest: the task is not pending (400).
            ScaleResourceNotFound: no such task (404).
        """
        params = {"clear_unique_id": "true"} if clear_unique_id else None
        answer = self.api.request(
            "POST", _task_path(task_id, "cancel"), params=params, kind=CallKind.IDEMPOTENT
        )
        return self._one(Task, answer, "POST task cancel")

    def _audit_task_json(self, task_id: str, accepted: bool, comments: Optional[str]) -> Any:
        return self.api.request(
            "POST",
            _task_path(task_id, "audit"),
            body={"accepted": accepted, "comments": comments},
            kind=CallKind.IDEMPOTENT,
        )

    def audit_task(self, task_id: str, accepted: bool, comments: Optional[str] = None) -> None:
        """Accept or reject a completed task (retried freely).

        Args:
            task_id: the task's id.
            accepted: True to accept the task, False to reject it.
            comments: the reason for the audit result.

        Raises:
            ScaleResourceNotFound: no such task (404).
        """
        self._audit_task_json(task_id, accepted, comments)

    def update_task_unique_id(self, task_id: str, unique_id: str) -> Task:
        """Set a task's ``unique_id`` (retried freely).

        Args:
            task_id: the task's id.
            unique_id: the new value.

        Returns:
            the updated ``Task``.

        Raises:
            ScaleDuplicateResource: another task uses that ``unique_id`` (409).
        """
        answer = self.api.request(
            "POST",
            _task_path(task_id, "unique_id"),
            body={"unique_id": unique_id},
            kind=CallKind.IDEMPOTENT,
        )
        return self._one(Task, answer, "POST task unique_id")

    def clear_task_unique_id(self, task_id: str) -> Task:
        """Remove a task's ``unique_id``.

        A DELETE, retried freely (clearing twice changes nothing).

        Args:
            task_id: the task's id.

        Returns:
            the updated ``Task`` (without a ``unique_id`` key).
        """
        answer = self.api.request("DELETE", _task_path(task_id, "unique_id"))
        return self._one(Task, answer, "DELETE task unique_id")

    def set_task_metadata(self, task_id: str, metadata: Dict[str, Any]) -> Task:
        """Replace a task's metadata; ``{}`` is sent as such and clears it (retried freely).

        Args:
            task_id: the task's id.
            metadata: the new metadata object.

        Returns:
            the updated ``Task``.
        """
        answer = self.api.request(
            "POST", _task_path(task_id, "setMetadata"), body=metadata, kind=CallKind.IDEMPOTENT
        )
        return self._one(Task, answer, "POST task setMetadata")

    def set_task_tags(self, task_id: str, tags: List[str]) -> Task:
        """Replace a task's tags; ``[]`` is sent as such and removes them all (retried freely).

        Args:
            task_id: the task's id.
            tags: the new tags, in order.

        Returns:
            the updated ``Task``.
        """
        answer = self.api.request(
            "POST", _task_path(task_id, "tags"), body=list(tags), kind=CallKind.IDEMPOTENT
        )
        return self._one(Task, answer, "POST task tags")

    def add_task_tags(self, task_id: str, tags: List[str]) -> Task:
        """Add tags to a task; tags it already has are ignored.

        A PUT, retried freely (adding twice changes nothing).

        Args:
            task_id: the task's id.
            tags: the tags to add.

        Returns:
            the updated ``Task``.
        """
        answer = self.api.request("PUT", _task_path(task_id, "tags"), body=list(tags))
        return self._one(Task, answer, "PUT task tags")

    def delete_task_tags(self, task_id: str, tags: List[str]) -> Task:
        """Remove tags from a task; tags it does not have are ignored.

        A DELETE, retried freely.

        Args:
            task_id: the task's id.
            tags: the tags to remove.

        Returns:
            the updated ``Task``.
        """
        answer = self.api.request("DELETE", _task_path(task_id, "tags"), body=list(tags))
        return self._one(Task, answer, "DELETE task tags")

    def tasks(self, **kwargs: Any) -> Tasklist:
        """Fetch one page of tasks, newest first.

        A read, retried freely.

        Args:
            **kwargs: the ``GET tasks`` query, by its own names (``project``, ``batch``, ``type``,
                ``start_time``, ``limit``, ``next_token``, ...; the full list is
                ``scaleapi._task_query.TASK_QUERY_NAMES``).

        Returns:
            a ``Tasklist`` (a list of ``Task`` with ``total``, ``has_more``, ``next_token``, ...).

        Raises:
            ScaleInvalidRequest: an unknown keyword argument (raised before any request).
        """
        return self._tasks_page(self.api, kwargs)

    def _tasks_page(self, api: Api, query: Dict[str, Any]) -> Tasklist:
        """One page of ``GET tasks`` sent through ``api`` (the generator's long-work copy, or our own)."""
        params = query_params(query)
        return Tasklist.from_json(api.request("GET", "tasks", params=params), self._self())

    @staticmethod
    def _process_tasks_endpoint_args(**filters: Any) -> Dict[str, Any]:
        """The query for ``get_tasks`` filters given by name (see ``_task_query.task_query``)."""
        return task_query(filters)

    def get_tasks(  # pylint: disable=unused-argument,too-many-arguments,too-many-positional-arguments,too-many-locals
        self,
        project_name: Optional[str] = None,
        batch_name: Optional[str] = None,
        task_type: Optional[Union[TaskType, str]] = None,
        status: Optional[Union[TaskStatus, str]] = None,
        review_status: ReviewStatusArg = None,
        unique_id: StrOrList = None,
        completed_after: Optional[str] = None,
        completed_before: Optional[str] = None,
        updated_after: Optional[str] = None,
        updated_before: Optional[str] = None,
        created_after: Optional[str] = None,
        created_before: Optional[str] = None,
        tags: StrOrList = None,
        include_attachment_url: bool = True,
        limited_response: Optional[bool] = None,
        limit: Optional[int] = None,
        *,
        retry_budget: Optional[float] = None,
    ) -> Generator[Task, None, None]:
        """Iterate over every task matching the filters, page after page (one page in memory).

        Each page is a read, retried freely: through server trouble (5xx, 429, dropped connections)
        for up to the retry budget, so a long walk rides out an outage.

        The arguments are checked now; pages are fetched lazily as you iterate.

        Args:
            project_name: the project's name.
            batch_name: the batch's name (at least one of the two is required).
            task_type: only tasks of this type.
            status: only tasks in this status.
            review_status: one customer review status or a list of them.
            unique_id: one ``unique_id`` or a list of them.
            completed_after: ISO-8601 time (UTC when no zone).
            completed_before: ISO-8601 time.
            updated_after: ISO-8601 time.
            updated_before: ISO-8601 time.
            created_after: ISO-8601 time.
            created_before: ISO-8601 time.
            tags: one tag or a list of tags.
            include_attachment_url: ask the server to add a pre-signed attachment URL.
            limited_response: return only ``task_id``, ``status``, ``metadata``, ``project``.
            limit: page size, 1 to 100 (the server's default when omitted).
            retry_budget: seconds each page goes on retrying (default: the client's ``retry_budget``).

        Returns:
            a generator of ``Task``.

        Raises:
            ValueError: no project or batch name, or ``limit`` out of range (raised at call time).
            ScalePaginationError: the server's pages would make the walk loop forever.
        """
        check_limit(limit)
        args = task_query(filters_in(locals()))  # the filters, by name
        if limit is not None:
            args["limit"] = limit
        api = self.api.long_work(retry_budget)
        return walk_cursor_pages(lambda token: self._tasks_page(api, {**args, "next_token": token}))

    def get_tasks_count(  # pylint: disable=unused-argument,too-many-arguments,too-many-positional-arguments
        self,
        project_name: Optional[str] = None,
        batch_name: Optional[str] = None,
        task_type: Optional[Union[TaskType, str]] = None,
        status: Optional[Union[TaskStatus, str]] = None,
        review_status: ReviewStatusArg = None,
        unique_id: StrOrList = None,
        completed_after: Optional[str] = None,
        completed_before: Optional[str] = None,
        updated_after: Optional[str] = None,
        updated_before: Optional[str] = None,
        created_after: Optional[str] = None,
        created_before: Optional[str] = None,
        tags: StrOrList = None,
        include_attachment_url: bool = True,
    ) -> int:
        """Count the tasks matching the filters (one request for a one-task page).

        A read, retried freely.

        Args:
            project_name, batch_name, task_type, status, review_status, unique_id, completed_after,
            completed_before, updated_after, updated_before, created_after, created_before, tags,
            include_attachment_url: the filters, as in ``get_tasks``.

        Returns:
            the number of matching tasks.

        Raises:
            ValueError: neither ``project_name`` nor ``batch_name`` is given.
        """
        args = task_query(filters_in(locals()))  # the filters, by name
        args["limit"] = 1
        return self.tasks(**args).total

    def _quality_task(self, kind: str, task_type: Union[TaskType, str], body: JSONDict) -> JSONDict:
        endpoint = f"{kind}/{Api.quote_string(str(choice_value('task type', task_type, TaskType)))}"
        return expect_object(self.api.request("POST", endpoint, body=body), f"POST {kind}")

    def create_evaluation_task(self, task_type: Union[TaskType, str], **kwargs: Any) -> EvaluationTask:
        """Create an evaluation task (Scale Rapid); retried only when provably never sent.

        Args:
            task_type: the task type, e.g. ``TaskType.TextCollection``.
            **kwargs: the task parameters plus ``expected_response`` (required) and, for a
                review-phase evaluation task, ``initial_response``.

        Returns:
            the created ``EvaluationTask``.

        Raises:
            ScaleInvalidRequest: missing or invalid parameters (400).
        """
        return EvaluationTask(self._quality_task("evaluation_tasks", task_type, kwargs), self._self())

    def create_training_task(self, task_type: Union[TaskType, str], **kwargs: Any) -> TrainingTask:
        """Create a training task (Scale Rapid); retried only when provably never sent.

        Args:
            task_type: the task type.
            **kwargs: the task parameters plus ``expected_response``.

        Returns:
            the created ``TrainingTask``.

        Raises:
            ScaleInvalidRequest: missing or invalid parameters (400).
        """
        return TrainingTask(self._quality_task("training_tasks", task_type, kwargs), self._self())
