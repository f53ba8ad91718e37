"""The SDK through a matrix of injected faults x operations, against the emulator over real HTTP.

Every cell either succeeds with exactly one effect on the server, or raises the expected
``ScaleException`` subclass with the effect the fault implies (0 when the server never processed the
request, 1 when it did) — never a hang, never a duplicate, never a lost write. Each cell states its
time bound. Set ``SCALEAPI_RELIABILITY_TABLE=path`` to write the observed matrix as Markdown.
"""
import io
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import pytest
from support.sdk import cow_task_payload

import scaleapi
from scaleapi import exceptions as E
from scaleapi.emulator import Emulator
from scaleapi.tasks import TaskType

KEY = "live_faultmatrix"  # live mode: tasks stay pending, so cancel and tags have work to do
PROJECT = "fault-project"
READ_TIMEOUT = 0.6
SLOW_MS = 1500
CELL_BOUND = 10.0  # seconds: no cell may take longer, whatever the fault

HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 2000 + "</body></html>"


@dataclass(frozen=True)
class Fault:
    """A fault column: the rule to inject (count 1: only the first attempt meets it)."""

    name: str
    spec: Dict[str, Any]
    processed: bool  # does the server carry out the request that meets this fault?
    error: Optional[Type[E.ScaleException]]  # what a call that cannot be retried raises

    def rule(self, method: str, path: str) -> Dict[str, Any]:
        return {"method": method, "path": path, "count": 1, **self.spec}


FAULTS = [
    Fault("429 + Retry-After", {"action": "status", "status": 429, "retry_after": "0"}, False, None),
    Fault("500", {"action": "status", "status": 500}, False, E.ScaleInternalError),
    Fault(
        "502 HTML body",
        {"action": "status", "status": 502, "body": HTML_502, "content_type": "text/html"},
        False,
        E.ScaleException,
    ),
    Fault("503", {"action": "status", "status": 503}, False, E.ScaleServiceUnavailable),
    Fault("504", {"action": "status", "status": 504}, False, E.ScaleTimeoutError),
    Fault("false 500 after commit", {"action": "error_after", "status": 500}, True, E.ScaleInternalError),
    Fault("drop before processing", {"action": "drop_before"}, False, E.ScaleConnectionError),
    Fault("drop after processing", {"action": "drop_after"}, True, E.ScaleConnectionError),
    Fault("slower than the timeout", {"action": "delay", "delay_ms": SLOW_MS}, True, E.ScaleClientTimeout),
    Fault("truncated JSON", {"action": "truncate"}, True, E.ScaleConnectionError),
]


@dataclass
class World:
    """What a cell works on: the emulator, a client, a pending task."""

    emu: Emulator
    client: scaleapi.ScaleClient
    task_id: str


@dataclass(frozen=True)
class Operation:
    """An operation row: how to call it, where its request goes, and how to count its effect."""

    name: str
    method: str
    path: Callable[[World], str]
    call: Callable[[World, str], Any]
    effects: Optional[Callable[[World, str], int]]  # None for reads
    keyed: bool  # safe to retry (idempotent or natural key)


def _task_payload(unique_id: Optional[str]) -> Dict[str, Any]:
    extra: Dict[str, Any] = {"unique_id": unique_id} if unique_id else {}
    return cow_task_payload(PROJECT, metadata={"tag": ""}, **extra)


def _create_plain(world: World, tag: str) -> Any:
    payload = _task_payload(None)
    payload["metadata"] = {"tag": tag}
    return world.client.create_task(TaskType.ImageAnnotation, **payload)


def _count_tasks_tagged(world: World, tag: str) -> int:
    return sum(1 for t in world.client.get_tasks(project_name=PROJECT) if t.metadata.get("tag") == tag)


def _count_unique(world: World, tag: str) -> int:
    return len(world.client.tasks(project=PROJECT, unique_id=tag).docs)


def _count_batches(world: World, tag: str) -> int:
    return sum(1 for b in world.client.get_batches(project_name=PROJECT) if b.name == tag)


def _upload(world: World, tag: str) -> Any:
    return world.client.upload_file(io.BytesIO(b"\x89PNG fake image " + tag.encode()), display_name=tag)


def _files(world: World, _tag: str) -> int:
    return int(world.emu.health()["files"])


def _cancelled(world: World, _tag: str) -> int:
    return 1 if world.client.get_task(world.task_id).status == "canceled" else 0


def _tagged(world: World, tag: str) -> int:
    return 1 if getattr(world.client.get_task(world.task_id), "tags", None) == [tag, "second"] else 0


OPERATIONS = [
    Operation("get task", "GET", lambda w: f"/v1/task/{w.task_id}", lambda w, t: w.client.get_task(w.task_id),
              None, True),
    Operation("list page", "GET", lambda w: "/v1/tasks",
              lambda w, t: w.client.tasks(project=PROJECT, limit=5), None, True),
    Operation("create task with unique_id", "POST", lambda w: "/v1/task/imageannotation",
              lambda w, t: w.client.create_task(TaskType.ImageAnnotation, **_task_payload(t)),
              _count_unique, True),
    Operation("create task without unique_id", "POST", lambda w: "/v1/task/imageannotation", _create_plain,
              _count_tasks_tagged, False),
    Operation("cancel", "POST", lambda w: f"/v1/task/{w.task_id}/cancel",
              lambda w, t: w.client.cancel_task(w.task_id), _cancelled, True),
    Operation("set tags", "POST", lambda w: f"/v1/task/{w.task_id}/tags",
              lambda w, t: w.client.set_task_tags(w.task_id, [t, "second"]), _tagged, True),
    Operation("create batch", "POST", lambda w: "/v1/batches",
              lambda w, t: w.client.create_batch(project=PROJECT, batch_name=t), _count_batches, True),
    Operation("upload file", "POST", lambda w: "/v1/files/upload", _upload, _files, False),
]

OUTCOMES: Dict[Tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu
    path = os.environ.get("SCALEAPI_RELIABILITY_TABLE")
    if path and OUTCOMES:
        _write_table(path)


@pytest.fixture
def world(emulator: Emulator) -> Iterator[World]:
    emulator.reset()
    client = scaleapi.ScaleClient(KEY, api_instance_url=emulator.url, timeout=(2.0, READ_TIMEOUT))
    client.create_project(PROJECT, TaskType.ImageAnnotation)
    task = client.create_task(TaskType.ImageAnnotation, **_task_payload("the-pending-task"))
    assert task.status == "pending"
    yield World(emulator, client, task.id)
    emulator.clear_faults()
    client.close()


def _expected(fault: Fault, op: Operation) -> Tuple[Optional[Type[E.ScaleException]], int]:
    """The exception (None: success) and the number of effects a cell must end with."""
    if op.keyed or fault.error is None:
        return None, 1
    return fault.error, 1 if fault.processed else 0


@pytest.mark.parametrize("op", OPERATIONS, ids=[o.name for o in OPERATIONS])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_cell(world: World, fault: Fault, op: Operation) -> None:
    tag = f"cell-{uuid.uuid4().hex[:10]}"
    rule = world.emu.add_fault(**fault.rule(op.method, op.path(world)))
    before = op.effects(world, tag) if op.effects else 0
    expected_error, expected_effects = _expected(fault, op)

    started = time.monotonic()
    raised: Optional[BaseException] = None
    try:
        result = op.call(world, tag)
    except E.ScaleException as err:
        raised = err
    elapsed = time.monotonic() - started
    assert elapsed < CELL_BOUND, f"{fault.name} x {op.name} took {elapsed:.1f}s"
    assert world.emu.faults()[0]["fired"] == 1 and rule["id"]

    if fault.processed and fault.spec["action"] == "delay":
        # The client gave up on the slow attempt; the server finishes it before the effects are counted.
        assert world.emu._in_flight.wait_idle(SLOW_MS / 1000.0 + 10), "the slow attempt never finished"
    world.emu.clear_faults()

    if expected_error is None:
        assert raised is None, f"{fault.name} x {op.name}: unexpected {raised!r}"
        assert result is not None
    else:
        assert type(raised) is expected_error, f"{fault.name} x {op.name}: got {raised!r}"
        assert isinstance(raised.message, str) and raised.message
        if fault.name.startswith("502"):
            assert raised.code == 502 and len(raised.message) < 200
    effects = op.effects(world, tag) - before if op.effects else None
    if effects is not None:
        assert effects == expected_effects, f"{fault.name} x {op.name}: {effects} effects"
    OUTCOMES[(fault.name, op.name)] = _describe(raised, effects, elapsed)


def _describe(raised: Optional[BaseException], effects: Optional[int], elapsed: float) -> str:
    what = "ok" if raised is None else type(raised).__name__
    if effects is not None:
        what += f", {effects} effect" + ("" if effects == 1 else "s")
    return f"{what} ({elapsed:.1f}s)"


def test_a_persistent_fault_ends_in_the_right_error_within_the_bound(world: World) -> None:
    world.emu.add_fault(method="GET", path="/v1/tasks", action="status", status=503)
    started = time.monotonic()
    with pytest.raises(E.ScaleServiceUnavailable):
        world.client.tasks(project=PROJECT)
    assert time.monotonic() - started < CELL_BOUND
    assert world.emu.faults()[0]["fired"] == 4  # the first attempt and three retries


def _write_table(path: str) -> None:
    ops = [o.name for o in OPERATIONS]
    lines = ["| fault | " + " | ".join(ops) + " |", "|---" * (len(ops) + 1) + "|"]
    for fault in FAULTS:
        cells: List[str] = [OUTCOMES.get((fault.name, name), "not run") for name in ops]
        lines.append(f"| {fault.name} | " + " | ".join(cells) + " |")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
