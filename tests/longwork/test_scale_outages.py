"""Long work rides out outages: bulk, export, waiters and list generators retry until a time budget runs out.

Faults are injected by the emulator (``emu.add_fault``) over real HTTP on loopback. An "outage" answers
every v1 request with 503 until it is cleared. Every wait on a worker thread is bounded, so a test
that would hang fails instead; nothing asserts on speed.
"""
# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name
import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from support.longwork import PROJECT, TEST_KEY, Client, all_tasks, fast_retries, payload
from scaleapi import cli
from scaleapi._ratelimit import RateLimiter
from scaleapi._retry import RetryPolicy
from scaleapi.exceptions import ScaleServiceUnavailable

#: A worker thread that has not finished by then counts as hung.
BOUND = 150.0


class Outage:
    """Every v1 request is answered 503 from ``start()`` until ``end()`` (or ``seconds`` later)."""

    def __init__(self, emu: Any, seconds: Optional[float] = None) -> None:
        self.emu = emu
        self.seconds = seconds
        self.answered = 0  # requests the outage answered
        self.over = threading.Event()
        self._timer: Optional[threading.Timer] = None

    def start(self) -> "Outage":
        """Begin the outage (and schedule its end, when it has a length)."""
        self.emu.add_fault(action="status", status=503, path="/v1/*")
        if self.seconds is not None:
            self._timer = threading.Timer(self.seconds, self.end)
            self._timer.start()
        return self

    def end(self) -> None:
        """Count what the outage answered, then lift it."""
        if self.over.is_set():
            return
        self.answered = sum(rule["fired"] for rule in self.emu.faults() if rule["status"] == 503)
        self.emu.clear_faults()
        self.over.set()

    def __enter__(self) -> "Outage":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.end()


def in_thread(work: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``work`` on a thread now; the returned function joins it (bounded) and returns or raises."""
    outcome: Dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as err:  # pylint: disable=broad-except
            outcome["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()

    def join() -> Any:
        thread.join(BOUND)
        assert not thread.is_alive(), f"still running after {BOUND} s: hung"
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return join


def exported_ids(path: Path) -> List[str]:
    """The task ids of an export file, in file order."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line)["task_id"] for line in handle]


@pytest.fixture
def seeded(emu: Any, client: Client) -> List[str]:
    """500 tasks in the test project; their ids."""
    emu.seed_tasks(TEST_KEY, 500, project=PROJECT)
    return [task["task_id"] for task in all_tasks(client)]


# -- bursts ------------------------------------------------------------------------------------


def test_1000_keyed_creates_ride_out_bursts_of_429_false_500s_and_drops(emu: Any, client: Client) -> None:
    """1,000 keyed creates at concurrency 16 end with exactly 1,000 tasks and no failed item.

    Each burst is longer than 16 workers x 4 attempts can absorb, so with only max_retries some item
    is bound to fail; here a 429 only slows the shared limiter, and 5xx/drops are ridden out.
    """
    fast_retries(client)
    # The limiter's floor is raised so that 64 429s in a row cost seconds, not half a minute.
    client.api.throttle = RateLimiter(min_rate=25.0, policy=client.api.policy)
    creates = "/v1/task/*"
    emu.add_fault(action="status", status=429, retry_after="0", method="POST", path=creates, count=64)
    later = {
        250: {"action": "error_after", "status": 500, "method": "POST", "path": creates, "count": 64},
        500: {"action": "drop_after", "method": "POST", "path": creates, "count": 32},
        700: {"action": "drop_before", "method": "POST", "path": creates, "count": 32},
    }

    def progress(done: int, _total: Optional[int]) -> None:
        for at in [at for at in later if done >= at]:
            emu.add_fault(**later.pop(at))

    payloads = [payload(i, unique_id=f"burst-{i}") for i in range(1000)]
    result = client.create_tasks("imageannotation", payloads, concurrency=16, progress=progress,
                                 retry_budget=120)
    assert not later, "every burst was injected"
    assert {rule["action"]: rule["fired"] for rule in emu.faults()} == {
        "status": 64, "error_after": 64, "drop_after": 32, "drop_before": 32}
    assert result.failed == [] and result.ok
    assert len(result.succeeded) == 1000
    tasks = all_tasks(client)
    assert len(tasks) == 1000
    assert sorted(task["unique_id"] for task in tasks) == sorted(f"burst-{i}" for i in range(1000))
    assert [task.as_dict()["unique_id"] for task in result.succeeded] == [f"burst-{i}" for i in range(1000)]


def test_export_survives_503s_then_drops_at_its_start(emu: Any, client: Client, seeded: List[str],
                                                      tmp_path: Path) -> None:
    """An 8-worker export that meets 5 x 503 and then 3 dropped connections at its start is exact."""
    fast_retries(client)
    emu.add_fault(action="status", status=503, path="/v1/tasks", count=5)
    emu.add_fault(action="drop_before", path="/v1/tasks", count=3)
    out = tmp_path / "export.jsonl"
    count = client.export_tasks(out, project_name=PROJECT, workers=8)
    assert [rule["fired"] for rule in emu.faults()] == [5, 3]
    assert count == 500
    assert sorted(exported_ids(out)) == sorted(seeded)


# -- a 30-second outage --------------------------------------------------------------------------


# Not timing-sensitive: the budget (120 s) is four times the outage and every join is bounded; the
# timeout is raised above the suite's 120 s only because this test waits the whole outage out.
@pytest.mark.timeout(300)
def test_export_and_bulk_create_ride_out_a_30_second_outage(emu: Any, client: Client, seeded: List[str],
                                                           tmp_path: Path) -> None:
    """Every request is answered 503 for 30 s: an 8-worker export and a bulk create both finish exact.

    The clients keep the default retry policy (backoff 0.5 s doubling to 8 s) and a budget of two
    minutes, so the outage is ridden out with room to spare on a loaded machine.
    """
    client.create_project("outage-create", "imageannotation")
    out = tmp_path / "export.jsonl"
    with Outage(emu, seconds=30.0) as outage:
        export = in_thread(lambda: client.export_tasks(out, project_name=PROJECT, workers=8,
                                                       retry_budget=120))
        create = in_thread(lambda: client.create_tasks(
            "imageannotation",
            [payload(i, project="outage-create", unique_id=f"out-{i}") for i in range(200)],
            concurrency=8, retry_budget=120,
        ))  # fmt: skip
        count = export()
        result = create()
    assert outage.over.is_set() and outage.answered > 0
    assert count == 500 and sorted(exported_ids(out)) == sorted(seeded)
    assert result.ok and len(result.succeeded) == 200
    created = all_tasks(client, "outage-create")
    assert sorted(task["unique_id"] for task in created) == sorted(f"out-{i}" for i in range(200))


# -- the workers back off together -------------------------------------------------------------


def test_workers_back_off_together_in_an_outage(emu: Any, client: Client, seeded: List[str]) -> None:
    """During an outage 16 workers send far fewer requests than 16 workers each backing off alone."""
    policy = RetryPolicy(max_retries=3, initial_delay=0.05, max_delay=0.4)
    client.api.policy = policy
    seconds = 6.0
    # A worker backing off alone makes at least this many attempts in the outage (the jitter only
    # shortens waits, so the longest waits give the fewest attempts).
    alone, waited = 1, 0.0
    while waited + policy.backoff(alone, lambda: 0.0) <= seconds:
        waited += policy.backoff(alone, lambda: 0.0)
        alone += 1
    workers = 16
    with Outage(emu, seconds=seconds) as outage:
        result = client.set_tasks_tags(seeded[:160], ["outage"], concurrency=workers, retry_budget=120)
    assert result.ok and len(result.succeeded) == 160
    assert all(task.as_dict()["tags"] == ["outage"] for task in result.succeeded)
    assert outage.answered > 0
    assert outage.answered < workers * alone / 3, (outage.answered, workers * alone)


# -- waiters and list generators -----------------------------------------------------------------


def test_a_waiter_rides_out_an_outage(emu: Any, live_client: Client) -> None:
    """Task.wait keeps polling through a 3-second outage and returns the task completed after it."""
    fast_retries(live_client)
    task = live_client.create_task("imageannotation", **payload(1))
    with Outage(emu, seconds=3.0) as outage:
        threading.Timer(1.0, lambda: emu.complete_task(task.id)).start()
        task.wait(timeout=60, poll=0.1)
    assert outage.answered > 0
    assert task.status == "completed"


def test_wait_for_tasks_rides_out_an_outage(emu: Any, live_client: Client) -> None:
    """wait_for_tasks (8 polling threads) rides out an outage."""
    fast_retries(live_client)
    ids = [live_client.create_task("imageannotation", **payload(i)).id for i in range(12)]
    with Outage(emu, seconds=2.0) as outage:
        threading.Timer(0.5, lambda: [emu.complete_task(task_id) for task_id in ids]).start()
        done = live_client.wait_for_tasks(ids, timeout=60, poll=0.1)
    assert outage.answered > 0
    assert [task.id for task in done] == ids and {task.status for task in done} == {"completed"}


def test_a_list_generator_rides_out_an_outage_mid_walk(emu: Any, client: Client, seeded: List[str]) -> None:
    """get_tasks and get_batches walks go on through an outage that starts between two pages."""
    fast_retries(client)
    for name in ("b1", "b2", "b3"):
        client.create_batch(PROJECT, name)
    walk = client.get_tasks(project_name=PROJECT, limit=100)
    first = [next(walk).id for _ in range(150)]
    batches = client.get_batches(project_name=PROJECT)
    with Outage(emu, seconds=2.0) as outage:
        rest = [task.id for task in walk]
        names = [batch.name for batch in batches]
    assert outage.answered > 0
    assert sorted(first + rest) == sorted(seeded)
    assert names == ["b3", "b2", "b1"]


# -- the budget runs out -------------------------------------------------------------------------


def test_a_spent_budget_ends_the_work_with_a_clear_error(emu: Any, client: Client, tmp_path: Path) -> None:
    """An outage longer than the budget ends in ScaleServiceUnavailable naming the budget; no hang."""
    fast_retries(client)
    client.create_task("imageannotation", **payload(0, unique_id="before"))
    with Outage(emu):
        listing = in_thread(lambda: list(client.get_tasks(project_name=PROJECT, retry_budget=1.0)))
        with pytest.raises(ScaleServiceUnavailable, match=r"retry budget of 1 s ran out") as caught:
            listing()
        assert "gave up after" in caught.value.message
        bulk = in_thread(lambda: client.create_tasks(
            "imageannotation", [payload(i, unique_id=f"late-{i}") for i in range(3)], retry_budget=0.5))
        result = bulk()
        assert [type(failure.error) for failure in result.failed] == [ScaleServiceUnavailable] * 3
        assert all("retry budget" in str(failure.error) for failure in result.failed)
        export = in_thread(lambda: client.export_tasks(tmp_path / "x.jsonl", project_name=PROJECT,
                                                       retry_budget=0.5))
        with pytest.raises(ScaleServiceUnavailable, match="retry budget"):
            export()
        waiter = in_thread(lambda: client.wait_for_tasks(["nope"], timeout=60, retry_budget=0.5))
        with pytest.raises(ScaleServiceUnavailable, match="retry budget"):
            waiter()


def test_ordinary_calls_keep_max_retries(emu: Any, client: Client) -> None:
    """A single call outside long work stops after max_retries, however large the client's budget."""
    fast_retries(client)
    budgeted = client.with_options(retry_budget=3600)
    assert budgeted.api.retry_budget == 3600.0 and client.api.retry_budget == 600.0
    emu.add_fault(action="status", status=503, path="/v1/tasks")
    with pytest.raises(ScaleServiceUnavailable) as caught:
        budgeted.tasks(project=PROJECT)
    assert "retry budget" not in caught.value.message
    assert emu.faults()[0]["fired"] == 4  # the first attempt and max_retries=3 more


def test_models_from_long_work_make_ordinary_calls(emu: Any, live_client: Client) -> None:
    """Tasks from generators, waiters and bulk runs use the caller's client: their calls keep max_retries."""
    scale = fast_retries(live_client).with_options(retry_budget=2.0)  # long work would go on for 2 s
    made = scale.create_task("imageannotation", **payload(0))
    walked = next(scale.get_tasks(project_name=PROJECT))
    emu.complete_task(made.id)
    waited = scale.wait_for_tasks([made.id], timeout=30, poll=0.1)[0]
    created = scale.create_tasks("imageannotation", [payload(1)]).succeeded[0]
    tagged = scale.set_tasks_tags([made.id], ["t"]).succeeded[0]
    emu.add_fault(action="status", status=503, method="GET", path="/v1/task/*")
    for task in (walked, waited, created, tagged):
        with pytest.raises(ScaleServiceUnavailable):
            task.refresh()
    assert emu.faults()[0]["fired"] == 16  # 4 attempts each


def test_a_bad_budget_is_refused_before_any_request(client: Client) -> None:
    """Nonsense budgets raise ValueError at once."""
    with pytest.raises(ValueError, match="retry_budget"):
        Client(TEST_KEY, api_instance_url=client.api.base_url, retry_budget=-1)
    with pytest.raises(ValueError, match="retry_budget"):
        client.with_options(retry_budget=float("nan"))
    with pytest.raises(ValueError, match="retry_budget"):
        client.create_tasks("imageannotation", [payload(0)], retry_budget=-5)


# -- progress bars and the CLI -------------------------------------------------------------------


def test_the_progress_bar_says_why_the_workers_wait(emu: Any, client: Client,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The tqdm bar of a bulk run shows "waiting ...: server 503" during an outage."""
    pytest.importorskip("tqdm")
    fast_retries(client)
    with Outage(emu, seconds=1.5):
        result = client.create_tasks("imageannotation", [payload(i, unique_id=f"bar-{i}") for i in range(20)],
                                     concurrency=4, progress=True)
    assert result.ok
    err = capsys.readouterr().err
    assert "waiting" in err and "server 503" in err


@pytest.fixture
def run_cli(emu: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Run ``scaleapi <args>`` in-process; returns (exit status, stdout, stderr)."""
    monkeypatch.setenv("SCALE_API_KEY", TEST_KEY)
    monkeypatch.setenv("SCALE_API_BASE_URL", emu.url)

    def invoke(*args: str) -> Any:
        status = cli.main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    yield invoke


def test_cli_retry_budget_flag(emu: Any, client: Client, run_cli: Any) -> None:
    """``--retry-budget`` reaches long work: 0 gives up after max_retries and says so; bad values exit 2."""
    client.create_task("imageannotation", **payload(0))
    emu.add_fault(action="status", status=503, path="/v1/tasks")
    started = time.monotonic()
    status, out, err = run_cli("--retry-budget", "0", "tasks", "list", "--project", PROJECT)
    assert status == 1 and out == ""
    assert "ScaleServiceUnavailable (503)" in err and "retry budget of 0 s ran out" in err
    assert time.monotonic() - started < BOUND
    emu.clear_faults()
    status, out, _ = run_cli("--retry-budget", "30", "tasks", "list", "--project", PROJECT)
    assert status == 0 and len(out.splitlines()) == 1
    for bad in ("-1", "soon", "nan"):
        with pytest.raises(SystemExit) as caught:
            cli.build_parser().parse_args(["--retry-budget", bad, "tasks", "list", "--project", "p"])
        assert caught.value.code == 2
