"""``ScaleClient`` methods for batches."""
from functools import partial
from typing import Any, Dict, Generator, Optional, Union

from ._client_base import ClientBase, expect_object, query_value, resource_path
from ._models import enum_value
from ._reconcile import batch_differences
from ._retry import CallKind
from .api import Api
from .batches import Batch, BatchStatus
from .exceptions import ScaleInvalidRequest
from .pagination import Batchlist, walk_offset_pages

BATCHES_ALLOWED_KWARGS = frozenset(
    {"start_time", "end_time", "exclude_archived", "status", "project", "limit", "offset"}
)


_batch_path = partial(resource_path, "batches")


class BatchesMixin(ClientBase):
    """Batch methods of ``ScaleClient``."""

    def create_batch(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        project: str,
        batch_name: str,
        callback: str = "",
        calibration_batch: bool = False,
        self_label_batch: bool = False,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> Batch:
        """Create a batch in a project.

        Batch names are unique, so the create is retried on server errors; a 409 after an ambiguous
        attempt counts as success only when the batch of that name has this call's project,
        callback, flags and metadata (see docs/retries.md).

        Args:
            project: the project's name.
            batch_name: the new batch's name.
            callback: a URL or email notified when the batch completes.
            calibration_batch: make it a calibration batch (Rapid).
            self_label_batch: make it a self-label batch (Rapid).
            metadata: an object stored with the batch.

        Returns:
            the created ``Batch``.

        Raises:
            ScaleDuplicateResource: a batch with that name exists (409), also after a retry when it
                is not the one this call asked for.
            ScaleResourceNotFound: no such project (404).
        """
        body = {
            "project": project,
            "name": batch_name,
            "calibration_batch": calibration_batch,
            "self_label_batch": self_label_batch,
            "callback": callback,
            "metadata": {} if metadata is None else metadata,
        }

        answer = self._keyed_create(
            "batches", body, _batch_path(batch_name), batch_differences,
            lambda found: f"batch {batch_name!r} (id {found.get('id')}, in project {found.get('project')!r})",
        )  # fmt: skip
        return self._one(Batch, answer, "POST batches")

    def finalize_batch(self, batch_name: str) -> Batch:
        """Finalize a batch so its tasks get worked (Rapid/Studio; a no-op elsewhere).

        Retried freely: finalizing twice changes nothing.

        Args:
            batch_name: the batch's name.

        Returns:
            the updated ``Batch``.

        Raises:
            ScaleResourceNotFound: no such batch (404).
        """
        answer = self.api.request(
            "POST", _batch_path(batch_name, "finalize"), kind=CallKind.IDEMPOTENT
        )
        return self._one(Batch, answer, "POST batch finalize")

    def batch_status(self, batch_name: str) -> Dict[str, Any]:
        """Fetch a batch's status and its task counts.

        A read, retried freely.

        Args:
            batch_name: the batch's name.

        Returns:
            a dict such as ``{"status": "in_progress", "pending": 2, "completed": 1}``
            (a count the server leaves out means 0).

        Raises:
            ScaleResourceNotFound: no such batch (404).
        """
        return expect_object(
            self.api.request("GET", _batch_path(batch_name, "status")), "GET batch status"
        )

    def get_batch(self, batch_name: str) -> Batch:
        """The batch of this name (a read, retried freely); ``ScaleResourceNotFound`` when there is none."""
        return self._one(Batch, self.api.request("GET", _batch_path(batch_name)), "GET batch")

    def batches(self, **kwargs: Any) -> Batchlist:
        """Fetch one page of batches, newest first.

        A read, retried freely.

        Args:
            **kwargs: query filters; allowed: ``start_time``, ``end_time``, ``exclude_archived``,
                ``status``, ``project``, ``limit``, ``offset``.

        Returns:
            a ``Batchlist`` (a list of ``Batch`` with ``total``, ``limit``, ``offset``, ``has_more``).

        Raises:
            ScaleInvalidRequest: an unknown keyword argument (raised before any request).
        """
        return self._batches_page(self.api, kwargs)

    def _batches_page(self, api: Api, query: Dict[str, Any]) -> Batchlist:
        """One page of ``GET batches`` sent through ``api`` (the generator's long-work copy, or our own)."""
        for key in query:
            if key not in BATCHES_ALLOWED_KWARGS:
                raise ScaleInvalidRequest(f"Illegal parameter {key} for ScaleClient.batches()")
        params = {key: query_value(value) for key, value in query.items()}
        return Batchlist.from_json(api.request("GET", "batches", params=params), self._self())

    def get_batches(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        project_name: Optional[str] = None,
        batch_status: Optional[Union[BatchStatus, str]] = None,
        created_after: Optional[str] = None,
        created_before: Optional[str] = None,
        exclude_archived: bool = False,
        *,
        retry_budget: Optional[float] = None,
    ) -> Generator[Batch, None, None]:
        """Iterate over every batch matching the filters, page after page (one page in memory).

        Each page is a read, retried freely: through server trouble (5xx, 429, dropped connections)
        for up to the retry budget, so a long walk rides out an outage.

        Args:
            project_name: only batches of this project.
            batch_status: only batches in this status.
            created_after: ISO-8601 time (UTC when no zone).
            created_before: ISO-8601 time.
            exclude_archived: leave archived batches out.
            retry_budget: seconds each page goes on retrying (default: the client's ``retry_budget``).

        Returns:
            a generator of ``Batch``.

        Raises:
            ScalePaginationError: the server's pages would make the walk loop forever.
        """
        args: Dict[str, Any] = {
            "start_time": created_after,
            "end_time": created_before,
            "project": project_name,
            "exclude_archived": exclude_archived,
        }
        if batch_status:
            args["status"] = enum_value(batch_status)
        api = self.api.long_work(retry_budget)
        return walk_offset_pages(lambda offset: self._batches_page(api, {**args, "offset": offset}))

    def set_batch_metadata(self, batch_name: str, metadata: Dict[str, Any]) -> Batch:
        """Set a batch's metadata (retried freely).

        Args:
            batch_name: the batch's name.
            metadata: the metadata object.

        Returns:
            the updated ``Batch``.

        Raises:
            ScaleResourceNotFound: no such batch (404).
        """
        answer = self.api.request(
            "POST", _batch_path(batch_name, "setMetadata"), body=metadata, kind=CallKind.IDEMPOTENT
        )
        return self._one(Batch, answer, "POST batch setMetadata")
