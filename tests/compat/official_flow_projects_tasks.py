"""The official-client flow's steps on the client, projects, batches and task creation and listing.

Imported by official_client_flow.py once the repository is off ``sys.path``: ``scaleapi`` here is
the official client (see that script's docstring).
"""
# The step methods are named in the step table of Flow.run, which is their documentation.
# pylint: disable=missing-function-docstring
from __future__ import annotations

import inspect
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from flow_steps import Skip, expect
from official_flow_base import FlowState, expect_raises, has_param, utc_naive
import scaleapi
from scaleapi.batches import BatchStatus
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleException,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
    ScaleUnauthorized,
)
from scaleapi.tasks import TaskStatus, TaskType


class ProjectTaskSteps(FlowState):
    """Steps from the client's key checks to batch metadata."""

    # ---------------------------------------------------------------- client

    def s_empty_key(self) -> str:
        exc = expect_raises(ScaleException, lambda: scaleapi.ScaleClient("", api_instance_url=self.base_url))
        expect(getattr(exc, "code", None) is None, "the empty-key error should carry no HTTP code")
        return "raised client-side"

    def s_invalid_key(self) -> None:
        bad = scaleapi.ScaleClient("dummy_api_key", api_instance_url=self.base_url)
        expect_raises(ScaleUnauthorized, lambda: bad.batches(limit=1), code=401)

    # ---------------------------------------------------------------- projects

    def s_create_project(self) -> None:
        project = self.client.create_project(
            project_name=self.project,
            task_type=TaskType.ImageAnnotation,
            params={"instruction": "Draw a box around each car."},
        )
        expect(project.name == self.project, f"name {project.name!r}")
        expect(project.type == "imageannotation", f"type {project.type!r}")
        expect(isinstance(project.version, int), f"version {project.version!r}")

    def s_create_project_dup(self) -> None:
        expect_raises(
            ScaleDuplicateResource,
            lambda: self.client.create_project(project_name=self.project, task_type=TaskType.ImageAnnotation),
            code=409,
        )

    def s_get_project(self) -> None:
        project = self.client.get_project(self.project)
        expect(project.name == self.project, f"name {project.name!r}")
        expect(project.type == "imageannotation", f"type {project.type!r}")
        expect(
            (project.params or {}).get("instruction") == "Draw a box around each car.",
            f"params {project.params!r}",
        )

    def s_get_project_missing(self) -> None:
        expect_raises(
            ScaleResourceNotFound, lambda: self.client.get_project(f"missing {uuid.uuid4().hex}"), code=404
        )

    def s_projects(self) -> None:
        names = [p.name for p in self.client.projects()]
        expect(self.project in names, f"{self.project!r} not in projects(): {names!r}")
        names2 = [p.name for p in self.client.get_projects()]
        expect(names == names2, "get_projects() differs from projects()")

    def s_trailing_slash(self) -> str:
        # Q30: the official client joins base and endpoint with "/", so a base ending in "/" sends
        # "/v1//projects/...". The emulator collapses "//" (docs/emulator.md), so this works.
        slashed = scaleapi.ScaleClient(self.key, api_instance_url=self.base_url + "/")
        expect(
            slashed.get_project(self.project).name == self.project, "get_project via a '/'-terminated base"
        )
        return "Q30: '//' paths accepted by the emulator"

    def s_update_project(self) -> None:
        before = self.client.get_project(self.project).version
        project = self.client.update_project(self.project, patch=True, instruction="Box every car.")
        expect(before is not None and project.version == before + 1, f"version {before} -> {project.version}")
        expect((project.params or {}).get("instruction") == "Box every car.", f"params {project.params!r}")

    def s_project_template(self) -> str:
        if not hasattr(self.client, "get_project_template"):
            raise Skip(f"get_project_template does not exist in scaleapi {scaleapi.__version__}")
        # Only text collection / chat projects have templates; others are an error.
        expect_raises(ScaleInvalidRequest, lambda: self.client.get_project_template(self.project), code=400)
        self.client.create_project(
            project_name=self.text_project,
            task_type=TaskType.TextCollection,
            params={"template_variables": {"greeting": "hello"}},
        )
        template = self.client.get_project_template(self.text_project)
        expect(template.template_variables == {"greeting": "hello"}, f"template {template.as_dict()!r}")
        return "imageannotation -> 400; textcollection -> TaskTemplate"

    # ---------------------------------------------------------------- batches / tasks

    def s_create_batch(self) -> str:
        self.window_start_batch = utc_naive(datetime.now(timezone.utc))
        kwargs: Dict[str, Any] = {}
        if has_param(self.client.create_batch, "metadata"):
            kwargs["metadata"] = {"some_key": "some_value"}
        batch = self.client.create_batch(self.project, self.batch, **kwargs)
        expect(batch.name == self.batch, f"name {batch.name!r}")
        expect(batch.project == self.project, f"project {batch.project!r}")
        expect(batch.status == "in_progress", f"a new standard-project batch has status {batch.status!r}")
        if kwargs:
            expect(batch.metadata == kwargs["metadata"], f"metadata {batch.metadata!r}")
            return "with metadata"
        return "this client version has no metadata parameter"

    def s_create_tasks(self) -> None:
        self.window_start = utc_naive(datetime.now(timezone.utc))
        for index in range(3):
            extra: Dict[str, Any] = {"batch": self.batch, "metadata": {"index": index}}
            if index == 2:
                extra["unique_id"] = self.unique_id
            task = self.client.create_task(TaskType.ImageAnnotation, **self._task_payload(**extra))
            data = task.as_dict()
            expect(isinstance(task.id, str) and bool(task.id), f"task id {task.id!r}")
            expect(data.get("type") == "imageannotation", f"type {data.get('type')!r}")
            expect(data.get("batch") == self.batch, f"batch {data.get('batch')!r}")
            expect(
                data.get("project") == self.project, f"project inherited from batch: {data.get('project')!r}"
            )
            expect(data.get("status") == "completed", f"test-mode task status {data.get('status')!r}")
            expect(
                data.get("params", {}).get("attachment") == self._task_payload()["attachment"], "params echo"
            )
            expect(data.get("metadata") == {"index": index}, f"metadata {data.get('metadata')!r}")
            if index == 2:
                expect(data.get("unique_id") == self.unique_id, f"unique_id {data.get('unique_id')!r}")
            else:
                expect("unique_id" not in data, "unique_id key present on a task created without one")
            expect("tags" not in data, "a new task should have no tags key")
            self.task_ids.append(task.id)

    def s_create_task_dup(self) -> None:
        expect_raises(
            ScaleDuplicateResource,
            lambda: self.client.create_task(
                TaskType.ImageAnnotation, **self._task_payload(batch=self.batch, unique_id=self.unique_id)
            ),
            code=409,
        )

    def s_create_task_invalid(self) -> None:
        expect_raises(
            ScaleInvalidRequest,
            lambda: self.client.create_task(TaskType.ImageAnnotation, instruction="no attachment"),
            code=400,
        )

    def s_get_task(self) -> None:
        task = self.client.get_task(self.task_ids[0])
        expect(task.id == self.task_ids[0], f"id {task.id!r}")
        expect(task.status == "completed", f"status {task.status!r}")
        expect(task.instruction == "Draw a box around each car.", f"instruction {task.instruction!r}")
        expect(task.type == "imageannotation", f"type {task.type!r}")
        expect(bool(task.created_at), "created_at missing")
        expect(task.params.get("geometries") == self._task_payload()["geometries"], "geometries echo")
        expect(isinstance(task.response, dict), f"response {task.response!r}")

    def s_get_task_missing(self) -> None:
        expect_raises(ScaleResourceNotFound, lambda: self.client.get_task("fake_id_qwertyuiop"), code=404)

    def s_tasks_limit(self) -> None:
        page = self.client.tasks(limit=3)
        ids = [t.id for t in page]
        expect(ids == list(reversed(self.task_ids)), f"newest first: {ids} vs {self.task_ids}")
        expect(page.limit == 3, f"limit {page.limit!r}")
        expect(page.total >= 3, f"total {page.total!r}")
        expect(isinstance(page.has_more, bool), f"has_more {page.has_more!r}")

    def s_tasks_bogus(self) -> None:
        expect_raises(ScaleInvalidRequest, lambda: self.client.tasks(bogus=0))

    def s_tasks_window(self) -> None:
        start = datetime.now(timezone.utc)
        time.sleep(0.5)
        end = datetime.now(timezone.utc)
        page = self.client.tasks(start_time=utc_naive(start), end_time=utc_naive(end))
        expect(list(page) == [], f"empty window returned {len(page)} tasks")
        # ... and a window around the three creations finds them.
        page = self.client.tasks(
            start_time=self.window_start, end_time=utc_naive(start), project=self.project
        )
        expect(len(page) == 3, f"window around creation found {len(page)}")

    def s_get_tasks(self) -> str:
        kwargs: Dict[str, Any] = {"project_name": self.project, "batch_name": self.batch}
        if has_param(self.client.get_tasks, "limit"):
            kwargs["limit"] = 1  # page size 1: three pages, two next_tokens
        ids = [t.id for t in self.client.get_tasks(**kwargs)]
        expect(sorted(ids) == sorted(self.task_ids), f"get_tasks returned {ids}")
        expect(ids == list(reversed(self.task_ids)), "get_tasks order is newest first")
        return "paged with limit=1" if "limit" in kwargs else "no limit parameter in this version"

    def s_get_tasks_batch_only(self) -> None:
        params = inspect.signature(self.client.get_tasks).parameters
        if params["project_name"].default is inspect.Parameter.empty:
            raise Skip(f"project_name is required in scaleapi {scaleapi.__version__}")
        ids = [t.id for t in self.client.get_tasks(batch_name=self.batch)]
        expect(sorted(ids) == sorted(self.task_ids), f"get_tasks(batch_name) returned {ids}")

    def s_get_tasks_unique(self) -> None:
        ids = [t.id for t in self.client.get_tasks(project_name=self.project, unique_id=self.unique_id)]
        expect(ids == [self.task_ids[2]], f"unique_id filter returned {ids}")

    def s_get_tasks_filters(self) -> None:
        def ids(**kwargs: Any) -> List[str]:
            return [t.id for t in self.client.get_tasks(project_name=self.project, **kwargs)]

        newest_first = list(reversed(self.task_ids))
        expect(ids(task_type=TaskType.ImageAnnotation) == newest_first, "task_type filter")
        expect(ids(task_type=TaskType.Categorization) == [], "task_type filter (no match)")
        expect(ids(status=TaskStatus.Completed) == newest_first, "status=completed")
        expect(ids(status=TaskStatus.Pending) == [], "status=pending")
        later = utc_naive(datetime.now(timezone.utc) + timedelta(minutes=5))
        expect(ids(created_after=self.window_start) == newest_first, "created_after")
        expect(ids(created_before=self.window_start) == [], "created_before")
        expect(
            ids(completed_after=self.window_start, completed_before=later) == newest_first, "completed window"
        )
        expect(ids(updated_after=later) == [], "updated_after in the future")
        limited = list(self.client.get_tasks(project_name=self.project, limited_response=True))
        expect(len(limited) == 3, f"limited_response count {len(limited)}")
        keys = set(limited[0].as_dict())
        expect({"task_id", "status", "metadata"} <= keys, f"limited_response keys {sorted(keys)}")
        expect("params" not in keys, f"limited_response should drop params: {sorted(keys)}")

    def s_get_tasks_count(self) -> None:
        count = self.client.get_tasks_count(project_name=self.project)
        total = self.client.tasks(project=self.project).total
        expect(count == total == 3, f"get_tasks_count {count}, tasks().total {total}")
        by_status = self.client.get_tasks_count(project_name=self.project, status=TaskStatus.Completed)
        expect(by_status == 3, f"completed count {by_status}")
        by_batch = self.client.get_tasks_count(project_name=self.project, batch_name=self.batch)
        expect(by_batch == 3, f"batch count {by_batch}")

    def s_finalize_batch(self) -> None:
        batch = self.client.finalize_batch(self.batch)
        expect(batch.name == self.batch, f"name {batch.name!r}")
        batch.finalize()

    def s_batch_status(self) -> str:
        status = self.client.batch_status(self.batch)
        expect(isinstance(status, dict), f"batch_status returned {status!r}")
        # Test-mode tasks complete at creation, so the batch may already be completed (an emulator
        # design decision, docs/emulator.md) or still in_progress; both are valid statuses.
        expect(status.get("status") in ("in_progress", "completed"), f"status {status!r}")
        expect(status.get("completed") == 3, f"completed count {status!r}")
        batch = self.client.get_batch(self.batch)
        batch.get_status()
        expect(batch.status == status["status"], f"Batch.get_status -> {batch.status!r}")
        return f"status {status}"

    def s_get_batch(self) -> None:
        batch = self.client.get_batch(self.batch)
        expect(batch.name == self.batch and batch.project == self.project, f"batch {batch.as_dict()!r}")
        if has_param(self.client.create_batch, "metadata"):
            expect(batch.metadata.get("some_key") == "some_value", f"metadata {batch.metadata!r}")
        expect_raises(
            ScaleResourceNotFound, lambda: self.client.get_batch(f"missing {uuid.uuid4().hex}"), code=404
        )

    def s_batches(self) -> None:
        page = self.client.batches(limit=1, project=self.project)
        expect(len(page) == 1 and page.total == 1, f"batches(project) total {page.total} len {len(page)}")
        expect(page[0].name == self.batch, f"batches() doc {page[0].name!r}")
        listed = [b.name for b in self.client.get_batches(project_name=self.project)]
        expect(listed == [self.batch], f"get_batches {listed!r}")
        expect(page.total == len(listed), "total vs get_batches count")
        everything = self.client.batches(limit=3)
        expect(everything[0].name == self.batch, "account-wide batches(): newest first")

    def s_batches_filters(self) -> None:
        status = self.client.get_batch(self.batch).status
        page = self.client.batches(project=self.project, status=status)
        expect([b.name for b in page] == [self.batch], f"batches(status={status})")
        other = "staging" if status != "staging" else "completed"
        expect(
            list(self.client.batches(project=self.project, status=other)) == [], f"batches(status={other})"
        )
        listed = [
            b.name
            for b in self.client.get_batches(
                project_name=self.project,
                batch_status=BatchStatus(status),
                created_after=self.window_start_batch,
            )
        ]
        expect(listed == [self.batch], f"get_batches(batch_status, created_after) {listed}")
        later = utc_naive(datetime.now(timezone.utc) + timedelta(minutes=5))
        expect(
            list(self.client.get_batches(project_name=self.project, created_after=later)) == [],
            "future window",
        )

    def s_set_batch_metadata(self) -> None:
        if not hasattr(self.client, "set_batch_metadata"):
            raise Skip(f"set_batch_metadata does not exist in scaleapi {scaleapi.__version__}")
        batch = self.client.set_batch_metadata(self.batch, {"new_key": "new_value"})
        expect(batch.metadata.get("new_key") == "new_value", f"metadata {batch.metadata!r}")
