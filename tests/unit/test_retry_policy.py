"""The retry policy's arithmetic and classification, pinned in tables."""
from datetime import datetime, timezone

import pytest

from scaleapi import _constants as C
from scaleapi._retry import (
    CallKind,
    RetryPolicy,
    check_budget,
    may_retry_status,
    may_retry_transport,
    parse_retry_after,
)

POLICY = RetryPolicy()  # the defaults: 0.5 s initial, 8 s cap, 25 % jitter, Retry-After cap 60 s
NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "retry_number, rand, expected",
    [
        (1, 0.0, 0.5),
        (1, 1.0, 0.375),
        (1, 0.5, 0.4375),
        (2, 0.0, 1.0),
        (2, 1.0, 0.75),
        (3, 0.0, 2.0),
        (3, 1.0, 1.5),
        (4, 0.0, 4.0),
        (5, 0.0, 8.0),
        (6, 0.0, 8.0),  # capped at MAX_RETRY_DELAY
        (20, 1.0, 6.0),  # capped, then jittered
        (0, 0.0, 0.5),  # a nonsense retry number never goes below the initial delay
    ],
)
def test_backoff_table(retry_number: int, rand: float, expected: float) -> None:
    assert POLICY.backoff(retry_number, lambda: rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("0", 0.0),
        ("1", 1.0),
        ("2.5", 2.5),
        (" 7 ", 7.0),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("Sun, 22 Nov 2026 12:00:30 GMT", 30.0),
        ("Sun, 22 Nov 2026 11:59:00 GMT", 0.0),  # a date in the past means "now"
    ],
)
def test_parse_retry_after_table(header: str, expected: float) -> None:
    assert parse_retry_after(header, NOW) == (
        expected if expected is None else pytest.approx(expected)
    )


@pytest.mark.parametrize(
    "retry_number, header, expected",
    [
        (1, "3", 3.0),  # the server's wish wins over backoff
        (3, "0", 0.0),
        (1, "600", C.MAX_RETRY_AFTER),  # but is capped
        (1, "garbage", 0.5),  # unusable header: backoff (rand=0)
        (2, None, 1.0),
        (1, "Sun, 22 Nov 2026 12:05:00 GMT", C.MAX_RETRY_AFTER),
    ],
)
def test_delay_prefers_retry_after_up_to_a_cap(retry_number: int, header: str, expected: float) -> None:
    assert POLICY.delay(retry_number, header, lambda: 0.0, NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    "kind, status, expected",
    [
        (CallKind.IDEMPOTENT, 429, True),
        (CallKind.IDEMPOTENT, 500, True),
        (CallKind.IDEMPOTENT, 502, True),
        (CallKind.IDEMPOTENT, 503, True),
        (CallKind.IDEMPOTENT, 504, True),
        (CallKind.IDEMPOTENT, 408, True),
        (CallKind.IDEMPOTENT, 520, True),
        (CallKind.IDEMPOTENT, 530, True),
        (CallKind.IDEMPOTENT, 531, False),
        (CallKind.IDEMPOTENT, 501, False),
        (CallKind.IDEMPOTENT, 400, False),
        (CallKind.IDEMPOTENT, 404, False),
        (CallKind.IDEMPOTENT, 409, False),
        (CallKind.KEYED_CREATE, 500, True),
        (CallKind.KEYED_CREATE, 503, True),
        (CallKind.KEYED_CREATE, 429, True),
        (CallKind.KEYED_CREATE, 409, False),
        (CallKind.CREATE, 429, True),  # turned away before processing: safe even without a key
        (CallKind.CREATE, 500, False),  # may have been committed: never repeated
        (CallKind.CREATE, 502, False),
        (CallKind.CREATE, 503, False),
        (CallKind.CREATE, 504, False),
        (CallKind.CREATE, 408, False),
    ],
)
def test_which_statuses_are_retried(kind: CallKind, status: int, expected: bool) -> None:
    assert may_retry_status(kind, status) is expected


@pytest.mark.parametrize(
    "kind, reached_server, expected",
    [
        (CallKind.IDEMPOTENT, True, True),
        (CallKind.IDEMPOTENT, False, True),
        (CallKind.KEYED_CREATE, True, True),
        (CallKind.KEYED_CREATE, False, True),
        (CallKind.CREATE, True, False),
        (CallKind.CREATE, False, True),
    ],
)
def test_which_transport_failures_are_retried(kind: CallKind, reached_server: bool, expected: bool) -> None:
    assert may_retry_transport(kind, reached_server) is expected


BUDGETED = RetryPolicy(max_retries=3, budget=60.0)


@pytest.mark.parametrize(
    "policy, retry_number, elapsed, wait, expected",
    [
        (POLICY, 1, 0.0, 0.5, True),  # no budget: max_retries alone decides
        (POLICY, 3, 100.0, 8.0, True),
        (POLICY, 4, 0.0, 0.0, False),
        (BUDGETED, 3, 1000.0, 8.0, True),  # the first max_retries are always allowed
        (BUDGETED, 4, 0.0, 0.5, True),  # then more, while the wait ends within the budget
        (BUDGETED, 40, 50.0, 8.0, True),
        (BUDGETED, 40, 52.0, 8.0, True),  # ends exactly at the budget
        (BUDGETED, 40, 52.5, 8.0, False),  # would sleep past it
        (BUDGETED, 40, 61.0, 0.0, False),  # already spent
        (RetryPolicy(max_retries=0, budget=0.0), 1, 0.0, 0.0, True),  # a zero budget: zero waits only
        (RetryPolicy(max_retries=0, budget=0.0), 1, 0.0, 0.1, False),
        (RetryPolicy(max_retries=0, budget=10.0), 1, 9.0, 2.0, False),
    ],
)
def test_budget_table(policy: RetryPolicy, retry_number: int, elapsed: float, wait: float,
                      expected: bool) -> None:
    assert policy.may_repeat(retry_number, elapsed, wait) is expected


def test_a_budget_of_minutes_means_many_capped_attempts() -> None:
    """With the default budget and capped backoff, a call keeps trying through a 10-minute outage."""
    policy = RetryPolicy(budget=C.DEFAULT_RETRY_BUDGET)
    elapsed, retry = 0.0, 1
    while policy.may_repeat(retry, elapsed, policy.backoff(retry, lambda: 0.0)):
        elapsed += policy.backoff(retry, lambda: 0.0)
        retry += 1
    assert C.DEFAULT_RETRY_BUDGET >= 300  # minutes, not seconds
    assert C.DEFAULT_RETRY_BUDGET - C.MAX_RETRY_DELAY <= elapsed <= C.DEFAULT_RETRY_BUDGET
    # 0.5 + 1 + 2 + 4 = 7.5 s for the first four, then one attempt per 8 s cap.
    assert retry - 1 == 4 + int((C.DEFAULT_RETRY_BUDGET - 7.5) // C.MAX_RETRY_DELAY)


@pytest.mark.parametrize(
    "value, expected",
    [(None, C.DEFAULT_RETRY_BUDGET), (0, 0.0), (30, 30.0), (2.5, 2.5), (3600.0, 3600.0)],
)
def test_check_budget_accepts_seconds(value: object, expected: float) -> None:
    assert check_budget(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1, -0.5, float("nan"), float("inf"), "30", True])
def test_check_budget_refuses_nonsense(value: object) -> None:
    with pytest.raises(ValueError, match="retry_budget"):
        check_budget(value)  # type: ignore[arg-type]
