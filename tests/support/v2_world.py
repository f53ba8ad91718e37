"""A v2 world on a running emulator for the SDK-over-emulator v2 tests (tests/v2/test_v2_emulator_*.py).

One test-mode account holds: an imageannotation project whose tasks were created through v1 (test
mode completes them at creation, so each carries threads, turns, messages and annotations in its v2
form) in one v1 batch; a chat project; many v2 batches; and the delivered resources (a delivery of
the completed tasks, a dataset with a delivery and tasks, a schema) made through the emulator.
"""
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from support.sdk import image_task_payload

from scaleapi import ScaleClient, TaskType
from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "tools", "v2_endpoints_spec.json"), encoding="utf-8") as _handle:
    #: Every v2 endpoint's facts (method, path, parameters, response map), by SDK method name.
    ENDPOINTS: Dict[str, Dict[str, Any]] = {
        endpoint["name"]: endpoint for endpoint in json.load(_handle)["endpoints"]}


@dataclass
class V2World:  # pylint: disable=too-many-instance-attributes  # one record of what was made
    """What :func:`build_world` made, with ids and names."""

    key: str
    url: str
    project: str
    project_id: str
    batch: str
    batch_id: str
    task_ids: List[str]
    chat_project: str
    v2_batches: List[str] = field(default_factory=list)
    delivery: Optional[Dict[str, Any]] = None
    dataset: Optional[Dict[str, Any]] = None
    dataset_delivery: Optional[Dict[str, Any]] = None
    dataset_task: Optional[Dict[str, Any]] = None
    schema_id: Optional[str] = None

    def client(self, **options: Any) -> ScaleClient:
        """A new client of this world's account (the caller closes it)."""
        return ScaleClient(api_key=self.key, api_instance_url=self.url, source="pytest", **options)

    def unique(self, prefix: str) -> str:
        """A fresh name (for resources a test creates)."""
        del self
        return f"{prefix}-{uuid.uuid4().hex[:10]}"


def build_world(emu: Any, key: str, tasks: int = 12, batches: int = 0) -> V2World:
    """Make a :class:`V2World` on ``emu`` for the test-mode ``key``."""
    with ScaleClient(api_key=key, api_instance_url=emu.url, source="pytest") as client:
        project = client.create_project("v2 world", TaskType.ImageAnnotation)
        batch = client.create_batch(project.name, "v2 world batch")
        task_ids = [
            client.create_task(TaskType.ImageAnnotation, project=project.name, batch=batch.name,
                               **image_task_payload()).id
            for _ in range(tasks)
        ]
        chat = client.create_project("v2 world chat", TaskType.Chat)
        world = V2World(key=key, url=emu.url, project=project.name, project_id=project.as_dict()["id"],
                        batch=batch.name, batch_id=batch.as_dict()["id"], task_ids=task_ids,
                        chat_project=chat.name)
        if batches:
            for index in range(batches):
                made = client.v2.create_batch(CreateBatchRequest(name=f"v2 world {index}",
                                                                 project_name=project.name))
                world.v2_batches.append(made.id)
    add_delivered(emu, world)
    return world


def add_delivered(emu: Any, world: V2World) -> None:
    """The delivered resources: a delivery of the project's completed tasks, a dataset, a schema."""
    found = make_delivered(emu, world.key, world.project)
    world.delivery = found["delivery"]
    world.dataset = found["dataset"]
    world.dataset_delivery = found["dataset_delivery"]
    world.dataset_task = found["dataset_task"]
    world.schema_id = found["schema_id"]


def make_delivered(emu: Any, key: str, project: str, dataset_tasks: int = 9) -> Dict[str, Any]:
    """Make, through the emulator, a schema, a delivery of every completed task of ``project``, and a
    dataset with one delivery of ``dataset_tasks`` tasks (the first with an attachment).

    Returns ``delivery`` (``id``, ``name``, ``task_count``), ``dataset`` (``id``, ``name``,
    ``task_count``), ``dataset_delivery`` (``id``, ``task_count``), ``dataset_task`` (``task_id``,
    ``attachment_id``) and ``schema_id``.
    """
    schema = emu.create_schema(key, {"type": "object", "properties": {"essay": {"type": "string"}}})
    delivery = emu.deliver(key, project, "v2 world delivery", response_schema_id=schema["id"])
    dataset = emu.create_dataset(key, "v2 world dataset")
    items: List[Dict[str, Any]] = [{"response": {"answer": index}} for index in range(dataset_tasks)]
    items[0]["attachments"] = [{"text": "attached text", "content_type": "text/plain", "filename": "a.txt"}]
    delivered = emu.deliver_dataset(key, dataset["id"], "v2 world dataset delivery", items)
    first = delivered["tasks"][0]
    return {
        "delivery": {"id": delivery["id"], "name": delivery["name"], "task_count": delivery["task_count"]},
        "dataset": {"id": dataset["id"], "name": dataset["name"], "task_count": dataset_tasks},
        "dataset_delivery": {"id": delivered["delivery"]["id"], "task_count": dataset_tasks},
        "dataset_task": {"task_id": first["task_id"], "attachment_id": first["attachment_ids"][0]},
        "schema_id": schema["id"],
    }
