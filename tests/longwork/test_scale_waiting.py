"""Waiting for tasks and batches: the polling schedule, clean timeouts, and real waits on the emulator."""
import threading
import time
from typing import Any, List

import pytest

from support.fake_clock import FakeClock
from support.longwork import PROJECT, Client, payload
from scaleapi.exceptions import ScaleResourceNotFound, ScaleWaitTimeout
from scaleapi.waiting import Poller, WaitTimeout, wait_for_batch, wait_for_task


def pauses(fake: FakeClock) -> List[float]:
    """The pauses slept so far, to the microsecond."""
    return [round(seconds, 6) for seconds in fake.slept]

def test_pauses_grow_by_half_up_to_the_cap_and_never_pass_the_deadline() -> None:
    """Pauses grow by half up to the cap and never pass the deadline."""
    fake = FakeClock()
    poller = Poller(300.0, 1.0, sleep=fake.sleep, clock=fake)
    while poller.pause():
        pass
    assert pauses(fake)[:6] == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375]
    assert pauses(fake)[8:12] == [25.628906, 30.0, 30.0, 30.0]
    assert sum(pauses(fake)) == pytest.approx(300.0)  # the last pause is cut to the deadline
    assert pauses(fake)[-1] < 30.0
    assert fake.now == pytest.approx(400.0)


def test_no_timeout_means_no_deadline_and_bad_arguments_are_refused() -> None:
    """No timeout means no deadline and bad arguments are refused."""
    fake = FakeClock()
    poller = Poller(None, 2.0, sleep=fake.sleep, clock=fake)
    assert all(poller.pause() for _ in range(50))
    with pytest.raises(ValueError):
        Poller(1.0, 0.0)
    with pytest.raises(ValueError):
        Poller(-1.0, 1.0)


def test_a_pending_task_times_out_cleanly(live_client: Client) -> None:
    """A pending task times out cleanly."""
    task = live_client.create_task("imageannotation", **payload(1))
    started = time.monotonic()
    with pytest.raises(ScaleWaitTimeout) as caught:
        wait_for_task(live_client, task.id, timeout=0.3, poll=0.05)
    assert time.monotonic() - started < 2.0
    assert isinstance(caught.value, WaitTimeout) and caught.value.pending == [task.id]
    assert task.id in str(caught.value) and "pending" in str(caught.value)


def test_a_task_completed_meanwhile_ends_the_wait(live_client: Client, emu: Any) -> None:
    """A task completed meanwhile ends the wait."""
    task = live_client.create_task("imageannotation", **payload(1))
    timer = threading.Timer(0.2, emu.complete_task, args=(task.id,))
    timer.start()
    try:
        done = wait_for_task(live_client, task.id, timeout=10, poll=0.05)
    finally:
        timer.join()
    assert done.id == task.id and done.as_dict()["status"] == "completed"


def test_an_error_or_canceled_task_is_finished_too(live_client: Client, emu: Any) -> None:
    """An error or canceled task is finished too."""
    first = live_client.create_task("imageannotation", **payload(1))
    second = live_client.create_task("imageannotation", **payload(2))
    emu.fail_task(first.id, error="unreadable attachment")
    live_client.cancel_task(second.id)
    finished = live_client.wait_for_tasks([second.id, first.id], timeout=1, poll=0.05)
    assert [(t.id, t.as_dict()["status"]) for t in finished] == [(second.id, "canceled"), (first.id, "error")]


def test_wait_for_tasks_reports_what_is_still_pending_then_returns_in_input_order(
    live_client: Client, emu: Any
) -> None:
    """Wait for tasks reports what is still pending then returns in input order."""
    ids = [live_client.create_task("imageannotation", **payload(i)).id for i in range(4)]
    emu.complete_task(ids[0])
    emu.complete_task(ids[2])
    with pytest.raises(WaitTimeout) as caught:
        live_client.wait_for_tasks(ids + [ids[0]], timeout=0.2, poll=0.05)
    assert caught.value.pending == [ids[1], ids[3]]
    assert [t.id for t in caught.value.finished] == [ids[0], ids[2]]
    assert "2 of 4 tasks still unfinished" in str(caught.value)

    emu.complete_task(ids[1])
    emu.complete_task(ids[3])
    finished = live_client.wait_for_tasks(ids + [ids[0]], timeout=5, poll=0.05)
    assert [t.id for t in finished] == ids + [ids[0]]


def test_polling_errors_are_not_swallowed(live_client: Client) -> None:
    """Polling errors are not swallowed."""
    with pytest.raises(ScaleResourceNotFound):
        wait_for_task(live_client, "no-such-task", timeout=1, poll=0.05)


def test_batch_wait_times_out_then_returns_when_every_task_is_done(live_client: Client, emu: Any) -> None:
    """Batch wait times out then returns when every task is done."""
    live_client.create_batch(PROJECT, "wait-batch")
    ids = [live_client.create_task("imageannotation", **payload(i, batch="wait-batch")).id for i in range(3)]
    with pytest.raises(WaitTimeout) as caught:
        wait_for_batch(live_client, "wait-batch", timeout=0.2, poll=0.05)
    assert "wait-batch" in str(caught.value) and "pending 3" in str(caught.value)

    for task_id in ids:
        emu.complete_task(task_id)
    batch = wait_for_batch(live_client, "wait-batch", timeout=5, poll=0.05)
    assert batch.name == "wait-batch" and batch.status == "completed"
    assert batch.tasks_completed == 3 and batch.tasks_pending == 0


def test_waits_poll_with_backoff_not_in_a_tight_loop(live_client: Client) -> None:
    """Waits poll with backoff not in a tight loop."""
    task = live_client.create_task("imageannotation", **payload(1))
    calls = 0
    real_get = live_client.get_task

    def counting_get(task_id: str) -> Any:
        nonlocal calls
        calls += 1
        return real_get(task_id)

    live_client.get_task = counting_get  # type: ignore[method-assign]
    with pytest.raises(WaitTimeout):
        wait_for_task(live_client, task.id, timeout=0.5, poll=0.1)
    # 0.1 + 0.15 + 0.225 = 0.475, then the 0.025 left: 5 polls in all.
    assert 4 <= calls <= 6


def test_task_wait_method_updates_the_task_in_place(live_client: Client, emu: Any) -> None:
    """``task.wait()`` times out cleanly, then returns the same object, updated, once completed."""
    task = live_client.create_task("imageannotation", **payload(1))
    with pytest.raises(ScaleWaitTimeout):
        task.wait(timeout=0.2, poll=0.05)
    assert task.status == "pending"
    emu.complete_task(task.id)
    assert task.wait(timeout=5, poll=0.05) is task
    assert task.status == "completed" and "response" in task.as_dict()


def test_batch_wait_method_updates_the_batch_and_its_counts(live_client: Client, emu: Any) -> None:
    """``batch.wait()`` returns the same batch, completed, with its task counts."""
    batch = live_client.create_batch(PROJECT, "wait-method-batch")
    task = live_client.create_task("imageannotation", **payload(1, batch="wait-method-batch"))
    with pytest.raises(ScaleWaitTimeout):
        batch.wait(timeout=0.2, poll=0.05)
    emu.complete_task(task.id)
    assert batch.wait(timeout=5, poll=0.05) is batch
    assert batch.status == "completed" and batch.tasks_completed == 1 and batch.tasks_pending == 0
