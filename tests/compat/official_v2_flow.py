"""Drive the *official* ``scaleapi`` client's v2 API (``client.v2``) through a v2 flow against an emulator.

Usage::

    /path/to/venv-with-scaleapi-2.18.4/bin/python tests/compat/official_v2_flow.py \
        http://127.0.0.1:PORT/v1 --data DATA.json [--key test_official_v2] [--report FILE]

Run with an interpreter that has Scale's official client (2.18.4 or later) installed, in a throwaway
venv; it never imports this repository's ``scaleapi`` (it refuses to run if ``import scaleapi``
resolves inside the repository). The official client's v2 host is fixed to the public API whatever
``api_instance_url`` says, so the flow sets it by hand, as v2 users must:
``client.v2.api_client.configuration.host = "http://127.0.0.1:PORT"``.

``DATA.json`` names what the calling test prepared on the same account: ``content_project`` (a
project whose ``content_count`` tasks are completed and carry threads, turns, messages and
annotations), ``chat_project`` (a chat project for ``create_chat_task``), and, when the emulator
has them, ``delivery`` (``id``, ``name``, ``task_count``), ``dataset`` (``id``, ``name``),
``dataset_delivery`` (``id``), ``dataset_task`` (``task_id``, ``attachment_id``) and ``schema_id``.
A step whose data is missing is recorded as ``skip``; every other outcome is ``ok`` or ``fail``.

The batch lifecycle steps are the ones the official client's own v2 test checks (create, get, list,
metadata, finalize; cancel then resume must raise; pause then resume), here held to the emulator's
documented batch states. The JSON report goes to stdout (and to ``--report FILE``); the exit status
is 1 if any step failed.
"""
# The step methods are named in the step table of Flow.run, which is their documentation; the
# official client is a different package than the one mypy and pylint see under this name.
# pylint: disable=missing-function-docstring,too-many-public-methods
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Type
from urllib.parse import urlsplit

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Never let an entry pointing at the repository root shadow the official client with ours.
sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or os.getcwd()).rstrip(os.sep) != REPO_ROOT.rstrip(os.sep)
]
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

# pylint: disable=wrong-import-position
from flow_steps import Mismatch, Skip, expect, finish, run_steps  # noqa: E402  (beside this script)
import scaleapi  # noqa: E402  (the official client, from the interpreter's site-packages)
from scaleapi.api_client.v2 import exceptions as v2_errors  # noqa: E402
from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest  # noqa: E402
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest  # noqa: E402
from scaleapi.api_client.v2.models.create_chat_task_request import CreateChatTaskRequest  # noqa: E402
from scaleapi.api_client.v2.models.set_batch_metadata_request import SetBatchMetadataRequest  # noqa: E402
from scaleapi.api_client.v2.models.set_task_metadata_request import SetTaskMetadataRequest  # noqa: E402

# pylint: enable=wrong-import-position

DEFAULT_KEY = "test_official_v2"


def describe(exc: BaseException) -> Dict[str, Any]:
    """A JSON-able description of an exception."""
    return {"class": type(exc).__name__, "status": getattr(exc, "status", None), "message": str(exc)[:600]}


def expect_raises(exc_type: Type[BaseException], func: Callable[[], Any],
                  status: Optional[int] = None) -> BaseException:
    """Call ``func`` and require it to raise ``exc_type`` (with ``.status == status`` if given)."""
    try:
        result = func()
    except exc_type as exc:  # the expected outcome
        if status is not None:
            expect(getattr(exc, "status", None) == status, f"expected status {status}, got {describe(exc)}")
        return exc
    except Exception as exc:  # noqa: BLE001  (reported as a mismatch)
        raise Mismatch(f"expected {exc_type.__name__}, got {describe(exc)}") from exc
    raise Mismatch(f"expected {exc_type.__name__}, but the call returned {result!r}")


def status_of(model: Any) -> str:
    """An enum field's value in lower case (``BatchStatus.PAUSED`` -> ``paused``)."""
    value = getattr(model, "value", model)
    return str(value).lower()


def ref_id(field: Any) -> Any:
    """The id held by an expandable field: the string itself, or the expanded object's ``id``."""
    inner = getattr(field, "actual_instance", field)
    return inner if isinstance(inner, str) else getattr(inner, "id", None)


class Flow:  # pylint: disable=too-many-instance-attributes
    """The steps, in order; state flows from one step to the next through attributes."""

    def __init__(self, base_url: str, key: str, data: Dict[str, Any]) -> None:
        self.root = base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url
        self.key = key
        self.data = data
        self.client: Any = scaleapi.ScaleClient(key, "compat-v2", api_instance_url=base_url)
        self.v2: Any = self.client.v2
        run = uuid.uuid4().hex[:8]
        self.project = f"compat v2 {run}"
        self.batch_name = f"compat-v2-batch-{run}"
        self.run = run
        self.project_id = ""
        self.batch_id = ""
        self.task: Any = None
        self.annotation_id = ""

    # ---------------------------------------------------------------- running

    def run_all(self) -> List[Dict[str, Any]]:
        """Run every step in order."""
        return run_steps([
            ("host set by hand to the emulator", self.s_host),
            ("request models keep their fields (offline checks of the official test)", self.s_models),
            ("v1 create_project, then v2 get_projects lists it", self.s_projects),
            ("get_project by name and by id", self.s_get_project),
            ("get_project unknown -> NotFoundException 404", self.s_get_project_missing),
            ("wrong key -> UnauthorizedException 401", self.s_unauthorized),
            ("create_batch", self.s_create_batch),
            ("create_batch same name -> ConflictException 409", self.s_create_batch_dup),
            ("get_batch by id and by name", self.s_get_batch),
            ("get_batch without id or name -> BadRequestException 400", self.s_get_batch_bad),
            ("get_batches(project_name, limit=10) contains the new batch", self.s_get_batches),
            ("set_batch_metadata, then get_batch has it", self.s_batch_metadata),
            ("finalize_batch (in progress: unchanged)", self.s_finalize),
            ("staging batch: finalize -> in_progress", self.s_staging),
            ("cancel_batch, then resume_batch must raise", self.s_cancel_resume),
            ("pause_batch, then resume_batch", self.s_pause_resume),
            ("get_tasks(project_name, status=completed) pages with content", self.s_get_tasks),
            ("v2_get_tasks walks every completed task with content", self.s_v2_get_tasks),
            ("get_task with expand=[project, batch]", self.s_get_task_expand),
            ("get_task with opts (annotation_details, model_parameters, submissions)", self.s_get_task_opts),
            ("get_task unknown -> NotFoundException 404", self.s_get_task_missing),
            ("get_annotation of a message annotation", self.s_get_annotation),
            ("create_chat_task", self.s_create_chat_task),
            ("set_task_metadata replace, then merge", self.s_set_task_metadata),
            ("get_deliveries / get_delivery / get_delivery_tasks", self.s_deliveries),
            ("get_datasets / get_dataset_deliveries / get_dataset_delivery", self.s_datasets),
            ("get_dataset_tasks / get_dataset_task / get_dataset_task_response_url", self.s_dataset_tasks),
            ("get_schema", self.s_schema),
        ], describe)

    def needs(self, name: str) -> Any:
        """The prepared datum ``name``, or :class:`Skip`."""
        value = self.data.get(name)
        if not value:
            raise Skip(f"no {name} was prepared for this emulator")
        return value

    # ---------------------------------------------------------------- setup and projects

    def s_host(self) -> str:
        configuration = self.v2.api_client.configuration
        before = configuration.host
        configuration.host = self.root
        expect(urlsplit(configuration.host).hostname == "127.0.0.1", configuration.host)
        return f"v2 host was {before}"

    def s_models(self) -> None:
        by_id = BatchOperationRequest(batch_id="b1")
        expect(by_id.batch_id == "b1" and by_id.batch_name is None, repr(by_id))
        by_name = BatchOperationRequest(batch_name="n1")
        expect(by_name.batch_name == "n1" and by_name.batch_id is None, repr(by_name))
        create = CreateBatchRequest(name="n", project_name="p")
        expect(create.name == "n" and create.project_name == "p", repr(create))
        expect(hasattr(self.client, "v2"), "no v2 attribute")

    def s_projects(self) -> None:
        project: Any = self.client.create_project(self.project, scaleapi.TaskType.ImageAnnotation)
        self.project_id = project.as_dict()["id"]
        names = [p.name for p in self.v2.get_projects().projects]
        expect(self.project in names, f"{self.project!r} not in {names}")
        expect(self.data.get("content_project") in names, f"content project missing from {names}")

    def s_get_project(self) -> None:
        by_name = self.v2.get_project(project_name=self.project)
        expect(by_name.name == self.project and by_name.id == self.project_id, repr(by_name))
        by_id = self.v2.get_project(project_id=self.project_id)
        expect(by_id.name == self.project, repr(by_id))

    def s_get_project_missing(self) -> None:
        expect_raises(v2_errors.NotFoundException, lambda: self.v2.get_project(project_name="no such"), 404)

    def s_unauthorized(self) -> None:
        other = scaleapi.ScaleClient("test_wrong_v2_key", "compat-v2")
        other.v2.api_client.configuration.host = self.root
        other.v2.api_client.configuration.access_token = "not-a-key"
        expect_raises(v2_errors.UnauthorizedException, other.v2.get_projects, 401)

    # ---------------------------------------------------------------- batches

    def create(self, suffix: str, staging: bool = False) -> Any:
        request = CreateBatchRequest(name=f"{self.batch_name}-{suffix}", project_name=self.project,
                                     staging_batch=staging)
        return self.v2.create_batch(create_batch_request=request)

    def operation(self, batch_id: str) -> Any:
        return BatchOperationRequest(batch_id=batch_id)

    def s_create_batch(self) -> None:
        request = CreateBatchRequest(name=self.batch_name, project_name=self.project)
        batch = self.v2.create_batch(create_batch_request=request)
        expect(bool(batch.id) and batch.name == self.batch_name, repr(batch))
        expect(status_of(batch.status) == "in_progress", f"status {batch.status!r}")
        expect(ref_id(batch.project) == self.project_id, f"project {batch.project!r}")
        self.batch_id = batch.id

    def s_create_batch_dup(self) -> None:
        request = CreateBatchRequest(name=self.batch_name, project_name=self.project)
        expect_raises(v2_errors.ConflictException, lambda: self.v2.create_batch(request), 409)

    def s_get_batch(self) -> None:
        by_id = self.v2.get_batch(batch_id=self.batch_id)
        expect(by_id.id == self.batch_id and by_id.name == self.batch_name, repr(by_id))
        by_name = self.v2.get_batch(batch_name=self.batch_name)
        expect(by_name.id == self.batch_id, repr(by_name))

    def s_get_batch_bad(self) -> None:
        expect_raises(v2_errors.BadRequestException, self.v2.get_batch, 400)

    def s_get_batches(self) -> None:
        page = self.v2.get_batches(project_name=self.project, limit=10)
        ids = [batch.id for batch in page.batches]
        expect(self.batch_id in ids, f"{self.batch_id} not in {ids}")

    def s_batch_metadata(self) -> None:
        stamp = datetime.now(timezone.utc).isoformat()
        metadata = {"reviewed": True, "owner": "compat", "at": stamp}
        request = SetBatchMetadataRequest(batch_id=self.batch_id, metadata=metadata)
        answered = self.v2.set_batch_metadata(set_batch_metadata_request=request)
        expect(answered.metadata == metadata, repr(answered.metadata))
        expect(self.v2.get_batch(batch_id=self.batch_id).metadata == metadata, "metadata not kept")

    def s_finalize(self) -> None:
        batch = self.v2.finalize_batch(batch_operation_request=self.operation(self.batch_id))
        expect(batch.id == self.batch_id and status_of(batch.status) == "in_progress", repr(batch))

    def s_staging(self) -> None:
        batch = self.create("staging", staging=True)
        expect(status_of(batch.status) == "staging", f"status {batch.status!r}")
        final = self.v2.finalize_batch(batch_operation_request=self.operation(batch.id))
        expect(status_of(final.status) == "in_progress", f"after finalize {final.status!r}")

    def s_cancel_resume(self) -> None:
        batch = self.create("cancel")
        answered = self.v2.cancel_batch(batch_operation_request=self.operation(batch.id))
        expect(answered.batch is not None and status_of(answered.batch.status) == "cancelled", repr(answered))
        expect(status_of(self.v2.get_batch(batch_id=batch.id).status) == "cancelled", "not cancelled")
        expect_raises(v2_errors.BadRequestException,
                      lambda: self.v2.resume_batch(batch_operation_request=self.operation(batch.id)), 400)

    def s_pause_resume(self) -> None:
        batch = self.create("pause")
        paused = self.v2.pause_batch(batch_operation_request=self.operation(batch.id))
        expect(paused.batch is not None and status_of(paused.batch.status) == "paused", repr(paused))
        expect(status_of(self.v2.get_batch(batch_id=batch.id).status) == "paused", "not paused")
        resumed = self.v2.resume_batch(batch_operation_request=self.operation(batch.id))
        expect(resumed.batch is not None and status_of(resumed.batch.status) == "in_progress", repr(resumed))

    # ---------------------------------------------------------------- tasks

    def check_content(self, task: Any) -> None:
        """A completed task with threads -> turns -> messages, and annotations somewhere on them."""
        expect(status_of(task.status) == "completed", f"{task.task_id}: status {task.status!r}")
        expect(bool(task.threads), f"{task.task_id}: no threads")
        annotations: List[Any] = []
        for thread in task.threads:
            expect(bool(thread.turns), f"{task.task_id}: a thread without turns")
            annotations += thread.annotations
            for turn in thread.turns:
                expect(bool(turn.messages), f"{task.task_id}: a turn without messages")
                annotations += turn.annotations
                for message in turn.messages:
                    expect(message.content is not None, f"{task.task_id}: a message without content")
                    annotations += message.annotations
        expect(bool(annotations), f"{task.task_id}: no annotations at all")
        if not self.annotation_id:
            self.annotation_id = annotations[0].actual_instance.id

    def s_get_tasks(self) -> str:
        project = self.needs("content_project")
        expected = int(self.needs("content_count"))
        seen: List[str] = []
        token = None
        pages = 0
        while True:
            page = self.v2.get_tasks(project_name=project, status="completed", limit=7, next_token=token)
            pages += 1
            expect(len(page.tasks) <= 7, f"page of {len(page.tasks)} with limit 7")
            for task in page.tasks:
                self.check_content(task)
                seen.append(task.task_id)
            token = page.next_token
            if not token:
                break
            expect(pages < 1000, "next_token never ended")
        expect(len(seen) == expected == len(set(seen)), f"{len(seen)} tasks ({len(set(seen))} distinct)")
        self.task = self.v2.get_task(task_id=seen[0])
        return f"{len(seen)} tasks in {pages} pages"

    def s_v2_get_tasks(self) -> None:
        project = self.needs("content_project")
        tasks = list(self.client.v2_get_tasks(project_name=project, limit=10))
        expect(len(tasks) == int(self.needs("content_count")), f"{len(tasks)} tasks")
        for task in tasks:
            self.check_content(task)

    def s_get_task_expand(self) -> None:
        if self.task is None:
            raise Skip("no task was listed")
        task = self.v2.get_task(task_id=self.task.task_id, expand=["project", "batch"])
        project = task.project.actual_instance
        expect(getattr(project, "name", None) == self.data["content_project"], f"project {project!r}")
        lean = self.v2.get_task(self.task.task_id)
        expect(isinstance(lean.project.actual_instance, str), f"unexpanded project {lean.project!r}")

    def s_get_task_opts(self) -> None:
        if self.task is None:
            raise Skip("no task was listed")
        task = self.v2.get_task(task_id=self.task.task_id,
                                opts=["annotation_details", "model_parameters", "submissions"])
        self.check_content(task)
        titled = [a.actual_instance for thread in task.threads for turn in thread.turns
                  for a in turn.annotations if a.actual_instance.title]
        expect(bool(titled), "annotation_details added no annotation titles")

    def s_get_task_missing(self) -> None:
        expect_raises(v2_errors.NotFoundException, lambda: self.v2.get_task(task_id="0" * 24), 404)

    def s_get_annotation(self) -> None:
        if not self.annotation_id:
            raise Skip("no annotation was seen")
        annotation = self.v2.get_annotation(annotation_id=self.annotation_id)
        expect(annotation.actual_instance.id == self.annotation_id, repr(annotation))
        expect(bool(annotation.actual_instance.type), "no type")

    def s_create_chat_task(self) -> None:
        project = self.needs("chat_project")
        request = CreateChatTaskRequest(project_name=project, template_variables={"topic": "rivers"},
                                        metadata={"run": self.run})
        task = self.v2.create_chat_task(create_chat_task_request=request)
        expect(bool(task.task_id), repr(task))
        expect(task.metadata == {"run": self.run}, f"metadata {task.metadata!r}")
        expect(self.v2.get_task(task.task_id).task_id == task.task_id, "not found again")

    def s_set_task_metadata(self) -> None:
        if self.task is None:
            raise Skip("no task was listed")
        task_id = self.task.task_id
        request = SetTaskMetadataRequest(task_id=task_id, metadata={"a": {"b": 1}, "keep": "x"})
        replaced = self.v2.set_task_metadata(set_task_metadata_request=request)
        expect(replaced.metadata == {"a": {"b": 1}, "keep": "x"}, f"replaced: {replaced.metadata!r}")
        merge = SetTaskMetadataRequest(task_id=task_id, metadata={"a": {"c": 2}}, merge=True)
        merged = self.v2.set_task_metadata(set_task_metadata_request=merge)
        expect(merged.metadata == {"a": {"b": 1, "c": 2}, "keep": "x"}, f"merged: {merged.metadata!r}")
        expect(self.v2.get_task(task_id).metadata == merged.metadata, "metadata not kept")

    # ---------------------------------------------------------------- deliveries, datasets, schemas

    def s_deliveries(self) -> str:
        delivery = self.needs("delivery")
        project = self.needs("content_project")
        listed = self.v2.get_deliveries(project_name=project).deliveries
        expect(delivery["id"] in [d.id for d in listed], f"{delivery['id']} not in {listed!r}")
        seen: List[str] = []
        token = None
        while True:
            page = self.v2.get_delivery(delivery_id=delivery["id"], limit=5, next_token=token)
            seen.extend(task.task_id for task in page.tasks)
            token = page.next_token
            if not token:
                break
        expect(len(seen) == delivery["task_count"] == len(set(seen)), f"{len(seen)} delivered tasks")
        by_name = self.v2.get_delivery(delivery_name=delivery["name"], project_name=project,
                                       expand=["delivery"])
        expect(len(by_name.tasks) > 0, "delivery by name has no tasks")
        docs = self.v2.get_delivery_tasks(delivery_id=delivery["id"], limit=100)
        expect(len(docs.docs) == docs.total > 0, f"{len(docs.docs)} docs, total {docs.total}")
        expect(all(doc.delivery_id == delivery["id"] for doc in docs.docs), "delivery_id differs")
        return f"{len(seen)} delivered tasks"

    def s_datasets(self) -> None:
        dataset = self.needs("dataset")
        found = self.v2.get_datasets().datasets
        expect(dataset["id"] in [d.id for d in found], f"{dataset['id']} not in {found!r}")
        deliveries = self.v2.get_dataset_deliveries(dataset_id=dataset["id"]).deliveries
        expect(len(deliveries) > 0, "no dataset deliveries")
        page = self.v2.get_dataset_delivery(delivery_id=deliveries[0].id, limit=100)
        expect(len(page.tasks) > 0, "dataset delivery has no tasks")

    def s_dataset_tasks(self) -> None:
        dataset = self.needs("dataset")
        item = self.needs("dataset_task")
        page = self.v2.get_dataset_tasks(dataset_id=dataset["id"], limit=100)
        expect(item["task_id"] in [task.task_id for task in page.tasks], "dataset task not listed")
        task = self.v2.get_dataset_task(task_id=item["task_id"])
        expect(task.task_id == item["task_id"] and task.response is not None, repr(task))
        answer = self.v2.get_dataset_task_response_url(task_id=item["task_id"],
                                                       attachment_id=item["attachment_id"])
        expect(answer is None, f"response_url answered {answer!r}")
        expect_raises(v2_errors.NotFoundException,
                      lambda: self.v2.get_dataset_task_response_url(task_id=item["task_id"],
                                                                    attachment_id="no-such"), 404)

    def s_schema(self) -> None:
        schema_id = self.needs("schema_id")
        schema = self.v2.get_schema(schema_id=schema_id).var_schema
        expect(schema.id == schema_id, repr(schema))
        expect(isinstance(json.loads(schema.var_json), dict), "schema json is not an object")
        expect_raises(v2_errors.NotFoundException, lambda: self.v2.get_schema(schema_id="no-such"), 404)


def main(argv: Optional[List[str]] = None) -> int:
    """Parse arguments, run the flow, print the report; 1 if any step failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("base_url", help="the emulator's base URL, ending in /v1")
    parser.add_argument("--data", required=True, help="JSON file naming what the test prepared")
    parser.add_argument("--key", default=DEFAULT_KEY, help="a test-mode API key (default %(default)s)")
    parser.add_argument("--report", help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    location = os.path.abspath(scaleapi.__file__)
    if location.startswith(REPO_ROOT + os.sep):
        print(f"refusing to run: 'scaleapi' resolved to this repository ({location})", file=sys.stderr)
        return 2
    with open(args.data, encoding="utf-8") as handle:
        data = json.load(handle)
    results = Flow(args.base_url.rstrip("/"), args.key, data).run_all()
    report = {
        "client": {"version": getattr(scaleapi, "__version__", "?"), "location": location},
        "python": platform.python_version(),
        "base_url": args.base_url,
    }
    return finish(report, results, args.report)

if __name__ == "__main__":
    sys.exit(main())
