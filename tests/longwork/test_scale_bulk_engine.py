"""The bulk engine and its journal, without a server: accounting, order, laziness, interrupts, reruns."""
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaleapi._journal import Journal, JournalMismatch, item_hash
from scaleapi._progress import _warn_no_tqdm
from scaleapi.bulk import BulkError, BulkResult, ItemContext, ProgressSink, is_ambiguous, run_bulk
from scaleapi.exceptions import (
    ScaleConnectionError,
    ScaleDuplicateResource,
    ScaleInternalError,
    ScaleInvalidRequest,
    ScaleTooManyRequests,
)


def square_unless_odd_multiple_of_3(item: int, _ctx: ItemContext) -> int:
    """A bulk call that fails for odd multiples of 3."""
    if item % 3 == 0 and item % 2:
        raise ValueError(f"bad item {item}")
    return item * item


@settings(max_examples=40, deadline=None)
@given(items=st.lists(st.integers(min_value=0, max_value=50), max_size=60),
       concurrency=st.integers(min_value=1, max_value=6))
def test_every_item_lands_in_exactly_one_place_in_input_order(items: List[int], concurrency: int) -> None:
    """Every item lands in exactly one place in input order."""
    result = run_bulk(items, square_unless_odd_multiple_of_3, concurrency=concurrency)
    expected_failed = [i for i, item in enumerate(items) if item % 3 == 0 and item % 2]
    assert [f.index for f in result.failed] == expected_failed
    assert [f.item for f in result.failed] == [items[i] for i in expected_failed]
    ok = [i for i in range(len(items)) if i not in expected_failed]
    assert result.succeeded_indices == ok
    assert result.succeeded == [items[i] ** 2 for i in ok]
    assert result.skipped == [] and result.total == len(items)
    assert result.ok == (not expected_failed)


def test_results_keep_input_order_when_calls_finish_out_of_order() -> None:
    """Results keep input order when calls finish out of order."""
    def slow_first(item: float, _ctx: ItemContext) -> float:
        time.sleep(item)
        return item

    delays = [0.05, 0.0, 0.03, 0.0, 0.01]
    assert run_bulk(delays, slow_first, concurrency=5).succeeded == delays


def test_items_are_fed_lazily_with_a_bounded_window() -> None:
    """Items are fed lazily with a bounded window."""
    pulled = 0
    most_in_flight = 0
    running = 0
    lock = threading.Lock()

    def source() -> Iterator[int]:
        nonlocal pulled
        for i in range(500):
            pulled += 1
            yield i

    def work(item: int, _ctx: ItemContext) -> int:
        nonlocal running, most_in_flight
        with lock:
            running += 1
            most_in_flight = max(most_in_flight, running)
            assert pulled - item <= 2 * 3 + 1  # never more than 2 x concurrency read ahead
        time.sleep(0.0005)
        with lock:
            running -= 1
        return item

    result = run_bulk(source(), work, concurrency=3)
    assert len(result.succeeded) == 500 and most_in_flight <= 3


def test_raise_for_failures_summarises_without_item_contents() -> None:
    """Raise for failures summarises without item contents."""
    def fail_some(item: str, _ctx: ItemContext) -> str:
        if item.startswith("secret"):
            raise ScaleInvalidRequest("Parameter is invalid", 400)
        return item

    items = ["ok", "secret-1", "secret-2", "ok", "secret-3", "secret-4"]
    result = run_bulk(items, fail_some)
    with pytest.raises(BulkError) as caught:
        result.raise_for_failures()
    message = str(caught.value)
    assert "4 of 6 items failed (2 succeeded, 0 skipped)" in message
    assert "#1: ScaleInvalidRequest" in message and "and 1 more" in message
    assert "secret" not in message
    assert caught.value.result is result
    assert run_bulk(["ok"], fail_some).raise_for_failures().succeeded == ["ok"]
    assert "failed=4" in repr(result)


def test_ambiguity_of_errors() -> None:
    """Ambiguity of errors."""
    assert is_ambiguous(ScaleInternalError("x", 500))
    assert is_ambiguous(ScaleConnectionError("reset"))
    assert is_ambiguous(RuntimeError("unexpected"))
    assert not is_ambiguous(ScaleInvalidRequest("x", 400))
    assert not is_ambiguous(ScaleDuplicateResource("x", 409))
    assert not is_ambiguous(ScaleTooManyRequests("x", 429))


def test_progress_callable_and_tqdm_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress callable and tqdm fallback."""
    seen: List[Any] = []
    run_bulk(range(5), lambda item, ctx: item, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 5) for i in range(1, 6)]
    for name in ("tqdm", "tqdm.auto"):  # as if the progress extra were not installed
        monkeypatch.setitem(sys.modules, name, None)
    _warn_no_tqdm.cache_clear()  # the warning is given once per process: start afresh
    with pytest.warns(UserWarning, match="tqdm is not installed"):
        assert run_bulk(range(3), lambda item, ctx: item, progress=True).succeeded == [0, 1, 2]
    with pytest.raises(TypeError):
        ProgressSink("yes", 3)  # type: ignore[arg-type]


def test_tqdm_bar_counts_to_the_total(capsys: pytest.CaptureFixture[str]) -> None:
    """Tqdm bar counts to the total."""
    pytest.importorskip("tqdm")
    sink = ProgressSink(True, 4, "things")
    for done in range(1, 5):
        sink.update(done)
    assert sink._bar is not None and sink._bar.n == 4  # pylint: disable=protected-access
    sink.close()
    capsys.readouterr()


def test_importing_scaleapi_never_imports_tqdm() -> None:
    """Importing scaleapi never imports tqdm."""
    code = "import sys, scaleapi, scaleapi.bulk, scaleapi.export, scaleapi.cli; print('tqdm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


# -- journal -------------------------------------------------------------------------------------


def test_interrupt_from_the_input_flushes_the_journal_and_a_rerun_skips_done_items(tmp_path: Path) -> None:
    """Interrupt from the input flushes the journal and a rerun skips done items."""
    journal = tmp_path / "j.jsonl"
    calls: List[int] = []

    def work(item: int, _ctx: ItemContext) -> int:
        calls.append(item)
        return item * 10

    def interrupted() -> Iterator[int]:
        for i in range(20):
            if i == 12:
                raise KeyboardInterrupt
            yield i

    with pytest.raises(KeyboardInterrupt):
        run_bulk(interrupted(), work, concurrency=2, journal=journal, operation="op",
                 encode=lambda r: r, decode=int)
    first_calls = set(calls)
    # Items read but still queued when Ctrl-C came were cancelled, never started.
    assert set(range(12 - 2 * 2)) <= first_calls <= set(range(12))
    done_records = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    assert {r["i"] for r in done_records if r["state"] == "done"} == first_calls

    calls.clear()
    result = run_bulk(list(range(20)), work, concurrency=2, journal=journal, operation="op",
                      encode=lambda r: r, decode=int)
    assert sorted(calls) == sorted(set(range(20)) - first_calls)  # nothing done twice
    assert result.succeeded == [i * 10 for i in range(20)] and result.resumed == len(first_calls)


def test_done_items_without_saved_results_are_reported_as_skipped(tmp_path: Path) -> None:
    """Done items without saved results are reported as skipped."""
    journal = tmp_path / "j.jsonl"
    run_bulk(["a", "b"], lambda item, ctx: item.upper(), journal=journal, operation="op")
    result = run_bulk(["a", "b", "c"], lambda item, ctx: item.upper(), journal=journal, operation="op")
    assert result.skipped == [0, 1] and result.succeeded == ["C"] and result.succeeded_indices == [2]


def test_failed_items_are_retried_on_rerun(tmp_path: Path) -> None:
    """Failed items are retried on rerun."""
    journal = tmp_path / "j.jsonl"
    broken = {"b"}

    def work(item: str, _ctx: ItemContext) -> str:
        if item in broken:
            raise ScaleInternalError("try again", 500)
        return item

    first = run_bulk(["a", "b", "c"], work, journal=journal, operation="op", encode=str, decode=str)
    assert [f.index for f in first.failed] == [1]
    broken.clear()
    contexts: List[ItemContext] = []

    def record(item: str, ctx: ItemContext) -> str:
        contexts.append(ctx)
        return work(item, ctx)

    second = run_bulk(["a", "b", "c"], record, journal=journal, operation="op", encode=str, decode=str)
    assert second.succeeded == ["a", "b", "c"] and second.run_id == first.run_id
    assert [(c.index, c.resumed) for c in contexts] == [(1, True)]  # a 500 is ambiguous


def test_a_journal_for_another_operation_is_refused(tmp_path: Path) -> None:
    """A journal for another operation is refused."""
    journal = tmp_path / "j.jsonl"
    run_bulk([1], lambda item, ctx: item, journal=journal, operation="create_tasks:imageannotation")
    with pytest.raises(JournalMismatch):
        run_bulk([1], lambda item, ctx: item, journal=journal, operation="cancel_tasks:clear_unique_id=False")
    (tmp_path / "other.txt").write_text('{"hello": 1}\n')
    with pytest.raises(JournalMismatch):
        Journal(tmp_path / "other.txt", "op")


def test_a_changed_item_is_a_failure_not_a_silent_skip(tmp_path: Path) -> None:
    """A changed item is a failure not a silent skip."""
    journal = tmp_path / "j.jsonl"
    run_bulk([{"a": 1}, {"a": 2}], lambda item, ctx: item, journal=journal, operation="op")
    calls: List[Any] = []
    result = run_bulk([{"a": 1}, {"a": 3}], lambda item, ctx: calls.append(item), journal=journal,
                      operation="op")
    assert not calls and result.skipped == [0]
    assert [(f.index, type(f.error)) for f in result.failed] == [(1, JournalMismatch)]


def test_a_torn_last_line_is_ignored_and_cut_off(tmp_path: Path) -> None:
    """A torn last line is ignored and cut off."""
    path = tmp_path / "j.jsonl"
    with Journal(path, "op") as journal:
        journal.done(0, item_hash("x"), "X", keep_result=True)
        run_id = journal.run_id
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"i": 1, "h": "abc", "sta')  # the crash happened mid-write
    with Journal(path, "op") as journal:
        assert journal.run_id == run_id
        assert journal.lookup(0) is not None and journal.lookup(1) is None
        journal.done(1, item_hash("y"), "Y", keep_result=True)
    lines = path.read_text().splitlines()
    assert [json.loads(line).get("i") for line in lines] == [None, 0, 1]


def test_journal_ambiguity_survives_across_runs(tmp_path: Path) -> None:
    """Journal ambiguity survives across runs."""
    path = tmp_path / "j.jsonl"
    with Journal(path, "op") as journal:
        journal.started(0, "h0")  # died in flight
        journal.started(1, "h1")
        journal.failed(1, "h1", ScaleInvalidRequest("no", 400), ambiguous=False)
        journal.started(2, "h2")
        journal.failed(2, "h2", ScaleInternalError("maybe", 500), ambiguous=True)
    with Journal(path, "op") as journal:
        states = {i: (e.state, e.ambiguous) for i, e in journal.entries.items()}
        assert states == {0: ("started", True), 1: ("failed", False), 2: ("failed", True)}
        journal.started(0, "h0")  # the rerun starts item 0 again, and gets a plain 400
        journal.failed(0, "h0", ScaleInvalidRequest("no", 400), ambiguous=False)
    with Journal(path, "op") as journal:
        entry = journal.lookup(0)
        assert entry is not None and entry.ambiguous  # the first attempt may still have landed


def test_keyboard_interrupt_inside_a_worker_stops_the_run(tmp_path: Path) -> None:
    """Keyboard interrupt inside a worker stops the run."""
    def work(item: int, _ctx: ItemContext) -> int:
        if item == 3:
            raise KeyboardInterrupt
        return item

    with pytest.raises(KeyboardInterrupt):
        run_bulk(range(10), work, concurrency=1, journal=tmp_path / "j", operation="op")


def test_invalid_concurrency() -> None:
    """Invalid concurrency."""
    with pytest.raises(ValueError):
        run_bulk([1], lambda item, ctx: item, concurrency=0)


def test_empty_input() -> None:
    """Empty input."""
    result: BulkResult[int, int] = run_bulk([], lambda item, ctx: item)
    assert result.ok and result.total == 0 and result.succeeded == []
