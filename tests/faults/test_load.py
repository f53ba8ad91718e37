"""Many threads sharing one ``ScaleClient``, creating and listing against the emulator at once.

16 writer threads make 50 tasks each (half with a ``unique_id``) across two projects and a few
batches, while 4 reader threads walk listings (``get_tasks``, ``tasks(...)``, ``get_batches``). Then
every count must match exactly, every created id must be listed exactly once, no thread may have
raised, and the client must have used no more connections than it had threads. A second run adds
light injected faults (503 and 429 with ``Retry-After: 0`` on creates, 503 on pages); with a
``unique_id`` on every create the counts must still be exact. Each run is bounded in requests and
in time (``RUN_BOUND``).
"""
# pytest injects fixtures by parameter name, so parameters shadowing fixtures are the norm here.
# pylint: disable=redefined-outer-name
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import pytest

import scaleapi
from scaleapi.emulator import Emulator
from scaleapi.emulator.rules.control import MAX_LOGGED_REQUESTS
from scaleapi.tasks import TaskType

KEY = "test_load_shared_client"
PROJECTS = ("load-alpha", "load-beta")
BATCHES_PER_PROJECT = 3
WRITERS = 16
CREATES_PER_WRITER = 50
READERS = 4
READS_PER_READER = 40  # upper bound on a reader's listings; readers also stop when the writers are done
RUN_BOUND = 60.0  # seconds, generous for 2 slow cores; a run normally takes a few seconds
CREATE_PATH = "/v1/task/imageannotation"


@dataclass(frozen=True)
class Created:
    """One task a writer created, as the writer saw it."""

    task_id: str
    project: str
    batch: Optional[str]
    unique_id: Optional[str]


@dataclass
class Run:
    """What the threads of one run share: results, errors and what readers saw."""

    created: List[Created] = field(default_factory=list)
    errors: List[Tuple[str, BaseException]] = field(default_factory=list)
    reads: "Counter[str]" = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writers_done: threading.Event = field(default_factory=threading.Event)

    def done_ids(self, project: str) -> Set[str]:
        """Ids of the tasks of ``project`` whose create has already returned."""
        with self.lock:
            return {c.task_id for c in self.created if c.project == project}


def batch_name(project: str, index: int) -> str:
    """The name of batch ``index`` of ``project``."""
    return f"{project}-batch-{index}"


def plan(writer: int, n: int, all_keyed: bool) -> Tuple[str, Optional[str], Optional[str]]:
    """Where create ``n`` of ``writer`` goes: ``(project, batch or None, unique_id or None)``."""
    project = PROJECTS[(writer + n) % len(PROJECTS)]
    slot = (writer + n // 2) % (BATCHES_PER_PROJECT + 1)
    batch = batch_name(project, slot) if slot < BATCHES_PER_PROJECT else None  # a quarter in no batch
    keyed = all_keyed or n % 2 == 0
    return project, batch, (f"load-w{writer}-n{n}" if keyed else None)


def payload(
    project: str, batch: Optional[str], unique_id: Optional[str], writer: int, n: int
) -> Dict[str, Any]:
    """A valid imageannotation payload, tagged with its writer and position."""
    body: Dict[str, Any] = {
        "project": project,
        "instruction": "Box every cow.",
        "attachment_type": "image",
        "attachment": f"https://example.com/cow-{writer}-{n}.jpg",
        "geometries": {"box": {"objects_to_annotate": ["cow"]}},
        "metadata": {"writer": writer, "n": n},
    }
    if batch is not None:
        body["batch"] = batch
    if unique_id is not None:
        body["unique_id"] = unique_id
    return body


def writer_thread(client: scaleapi.ScaleClient, run: Run, writer: int, all_keyed: bool) -> None:
    """Make ``CREATES_PER_WRITER`` tasks; record each result, or the exception that stopped us."""
    try:
        for n in range(CREATES_PER_WRITER):
            project, batch, unique_id = plan(writer, n, all_keyed)
            body = payload(project, batch, unique_id, writer, n)
            task = client.create_task(TaskType.ImageAnnotation, **body)
            assert task.project == project and task.metadata == {"writer": writer, "n": n}
            with run.lock:
                run.created.append(Created(task.id, project, batch, unique_id))
    except BaseException as err:  # pylint: disable=broad-exception-caught  # reported by the test
        with run.lock:
            run.errors.append((f"writer {writer}", err))


def reader_thread(client: scaleapi.ScaleClient, run: Run, reader: int) -> None:
    """Walk listings until the writers finish; every listing must hold what was created before it."""
    try:
        for i in range(READS_PER_READER):
            if run.writers_done.is_set():
                break
            project = PROJECTS[(reader + i) % len(PROJECTS)]
            kind = i % 3
            if kind == 0:
                before = run.done_ids(project)
                ids = [t.id for t in client.get_tasks(project_name=project, limit=100)]
                assert len(ids) == len(set(ids)), "a concurrent walk listed a task twice"
                assert before <= set(ids), f"{len(before - set(ids))} finished creates missing from a listing"
            elif kind == 1:
                before_count = len(run.done_ids(project))
                page = client.tasks(project=project, limit=25)
                assert len(page) <= 25 and page.total >= before_count
            else:
                names = {b.name for b in client.get_batches(project_name=project)}
                assert names == {batch_name(project, k) for k in range(BATCHES_PER_PROJECT)}
            with run.lock:
                run.reads[("get_tasks", "tasks", "get_batches")[kind]] += 1
    except BaseException as err:  # pylint: disable=broad-exception-caught  # reported by the test
        with run.lock:
            run.errors.append((f"reader {reader}", err))


def run_load(client: scaleapi.ScaleClient, all_keyed: bool) -> Tuple[Run, float]:
    """Start the writers and readers on the shared client, wait for all of them, return the run."""
    run = Run()
    writers = [
        threading.Thread(target=writer_thread, args=(client, run, w, all_keyed), name=f"writer-{w}")
        for w in range(WRITERS)
    ]
    readers = [
        threading.Thread(target=reader_thread, args=(client, run, r), name=f"reader-{r}")
        for r in range(READERS)
    ]
    started = time.monotonic()
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(RUN_BOUND)
    run.writers_done.set()
    for thread in readers:
        thread.join(max(1.0, RUN_BOUND - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    hung = [t.name for t in writers + readers if t.is_alive()]
    assert not hung, f"threads still running after {elapsed:.1f}s: {hung}"
    return run, elapsed


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator per run, so its accepted-connection count belongs to this run alone."""
    with Emulator() as emu:
        yield emu


def setup_projects(client: scaleapi.ScaleClient) -> None:
    """The two projects and their batches, made before the threads start."""
    for project in PROJECTS:
        client.create_project(project, TaskType.ImageAnnotation)
        for k in range(BATCHES_PER_PROJECT):
            client.create_batch(project, batch_name(project, k))


def assert_exact(client: scaleapi.ScaleClient, run: Run, all_keyed: bool) -> None:
    """Every create is on the server exactly once, in the right project and batch, and nothing else."""
    assert not run.errors, f"{len(run.errors)} threads failed, first: {run.errors[0]!r}"
    total = WRITERS * CREATES_PER_WRITER
    assert len(run.created) == total
    assert len({c.task_id for c in run.created}) == total, "two creates returned the same task"

    expected_per_project = Counter(c.project for c in run.created)
    expected_per_batch = Counter(c.batch for c in run.created if c.batch is not None)
    planned = Counter(plan(w, n, all_keyed)[0] for w in range(WRITERS) for n in range(CREATES_PER_WRITER))
    assert expected_per_project == planned
    for project in PROJECTS:
        assert client.get_tasks_count(project_name=project) == expected_per_project[project]
        for k in range(BATCHES_PER_PROJECT):
            name = batch_name(project, k)
            assert client.get_tasks_count(batch_name=name) == expected_per_batch[name] > 0

    listed: List[Any] = []
    for project in PROJECTS:
        listed.extend(client.get_tasks(project_name=project, limit=100))
    listed_ids = Counter(t.id for t in listed)
    assert not [i for i, seen in listed_ids.items() if seen > 1], "a task was listed twice"
    assert set(listed_ids) == {c.task_id for c in run.created}, "lost or extra tasks"
    by_id = {c.task_id: c for c in run.created}
    for task in listed:
        mine = by_id[task.id]
        doc = task.as_dict()
        seen = (doc["project"], doc.get("batch"), doc.get("unique_id"))
        assert seen == (mine.project, mine.batch, mine.unique_id)
    keyed = sum(1 for c in run.created if c.unique_id)
    assert keyed == (total if all_keyed else total // 2)


def creates_logged(emu: Emulator) -> "Counter[int]":
    """Statuses of the task creates that reached the emulator's app (injected faults answer earlier)."""
    log = emu.requests()
    assert len(log) < MAX_LOGGED_REQUESTS, "the request log overflowed; the counts below would lie"
    return Counter(e["status"] for e in log if e["method"] == "POST" and e["path"] == CREATE_PATH)


def connections_used(emu: Emulator, before: int) -> int:
    """Connections the emulator accepted since ``before``."""
    return emu.server.accepted - before


def test_shared_client_under_load(emulator: Emulator) -> None:
    """No errors, no lost or duplicated writes, exact counts, and one connection per thread at most."""
    with scaleapi.ScaleClient(KEY, api_instance_url=emulator.url) as client:
        setup_projects(client)
        accepted = emulator.server.accepted
        run, elapsed = run_load(client, all_keyed=False)
        connections = connections_used(emulator, accepted)
        assert_exact(client, run, all_keyed=False)

    # No retries were needed, so every create is exactly one request that answered 200.
    assert creates_logged(emulator) == Counter({200: WRITERS * CREATES_PER_WRITER})
    assert 1 <= connections <= WRITERS + READERS, f"{connections} connections for {WRITERS + READERS} threads"
    assert sum(run.reads.values()) >= READERS and elapsed < RUN_BOUND
    print(f"[load] {WRITERS}x{CREATES_PER_WRITER} creates + {sum(run.reads.values())} listings "
          f"{dict(run.reads)} in {elapsed:.1f}s over {connections} connections, "
          f"{len(emulator.requests())} requests logged")  # shown with pytest -s


def test_shared_client_under_load_with_light_faults(emulator: Emulator) -> None:
    """With 503s and 429s injected on ~10% of creates and 5% of pages, keyed creates stay exact."""
    rules = [
        emulator.add_fault(action="status", status=503, probability=0.05, seed=7, method="POST",
                           path="/v1/task/*"),
        emulator.add_fault(action="status", status=429, retry_after="0", probability=0.05, seed=8,
                           method="POST", path="/v1/task/*"),
        emulator.add_fault(action="status", status=503, probability=0.05, seed=9, method="GET",
                           path="/v1/tasks"),
    ]
    # With ~10% of attempts faulted, 4 faults in a row (the default 3 retries used up) would hit one
    # of 800 creates in ~7% of runs; 6 retries make that ~1 in 10,000 runs.
    with scaleapi.ScaleClient(KEY, api_instance_url=emulator.url, max_retries=6) as client:
        setup_projects(client)
        accepted = emulator.server.accepted
        run, elapsed = run_load(client, all_keyed=True)
        connections = connections_used(emulator, accepted)
        fired = {rule["id"]: rule["fired"] for rule in emulator.faults()}
        emulator.clear_faults()  # the checks below read through the same client, undisturbed
        assert_exact(client, run, all_keyed=True)

    assert set(fired) == {rule["id"] for rule in rules}
    assert all(count > 0 for count in fired.values()), f"a fault rule never fired: {fired}"
    # A status fault answers before the app, so the app saw each create exactly once: no duplicates,
    # and no 409 (no create was ever processed twice, nor reconciled).
    assert creates_logged(emulator) == Counter({200: WRITERS * CREATES_PER_WRITER})
    # Error answers keep the connection alive, so faults cost no extra connections.
    assert 1 <= connections <= WRITERS + READERS, f"{connections} connections for {WRITERS + READERS} threads"
    print(f"[load+faults] {WRITERS}x{CREATES_PER_WRITER} keyed creates + {sum(run.reads.values())} "
          f"listings in {elapsed:.1f}s over {connections} connections; faults fired "
          f"{sorted(fired.values())}, {len(emulator.requests())} requests logged")  # shown with pytest -s
