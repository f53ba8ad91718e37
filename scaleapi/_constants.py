"""Every default number the SDK uses, in one place.

Change a default here, never inline: the docs (docs/retries.md) quote these values.
"""
from typing import FrozenSet, Tuple

#: The public v1 API. ``api_instance_url`` or env ``SCALE_API_BASE_URL`` replace it whole.
DEFAULT_BASE_URL = "https://api.scale.com/v1"

#: Environment variables read when the matching constructor argument is not given.
ENV_API_KEY = "SCALE_API_KEY"
ENV_BASE_URL = "SCALE_API_BASE_URL"

#: (connect, read) timeout in seconds. The existing client had none and could hang forever.
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_TIMEOUT: Tuple[float, float] = (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)

#: Retries after the first attempt (so at most 4 attempts in all).
DEFAULT_MAX_RETRIES = 3
#: Backoff before retry n is INITIAL_RETRY_DELAY * 2**(n-1), capped at MAX_RETRY_DELAY,
#: then reduced by up to RETRY_JITTER of itself so that many clients do not retry in step.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRY_JITTER = 0.25
#: A server's Retry-After is obeyed up to this many seconds; longer waits are cut to it.
MAX_RETRY_AFTER = 60.0
#: Long work (bulk methods, export_tasks, the waiters, the list generators) does not stop after
#: max_retries: each of its calls that is safe to repeat goes on retrying for up to this many seconds
#: (10 minutes), so an outage shorter than this is ridden out. Backoff stays capped at MAX_RETRY_DELAY.
DEFAULT_RETRY_BUDGET = 600.0
#: The workers of one long job share a RateLimiter: after this many failures (5xx or no connection)
#: in a row with no success between them, it pauses all of them and lets one probe through at a time.
OUTAGE_AFTER_FAILURES = 3
#: During an outage the pause before each probe grows with the backoff only up to this many steps
#: (the 4th: 3-4 s with the defaults), so the end of an outage is noticed within about 4 s while the
#: server still sees only one request per pause from the whole job.
OUTAGE_MAX_STEP = 4
#: A probe that has not reported back after this many seconds no longer holds the others back.
PROBE_TIMEOUT = DEFAULT_CONNECT_TIMEOUT + DEFAULT_READ_TIMEOUT

#: Statuses worth another attempt (when the call is safe to repeat).
RETRYABLE_STATUSES: FrozenSet[int] = frozenset(
    {408, 429, 500, 502, 503, 504} | set(range(520, 531))
)

#: Connection pool: enough sockets for a thread pool sharing one client.
DEFAULT_POOL_CONNECTIONS = 4
DEFAULT_POOL_MAXSIZE = 32

#: Page sizes. The v1 API accepts 1..100 per page for tasks and batches.
MAX_PAGE_LIMIT = 100

#: A rate limiter waiting for its probe to report checks again at least this often (seconds).
PROBE_POLL = 0.05

#: Waits (``wait_for_task``, ``wait_for_tasks``, ``wait_for_batch``): seconds a wait lasts by
#: default (``timeout=None`` waits without limit), and the first pause between polls...
DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 1.0
#: ...which grows by this factor after every poll, up to MAX_POLL_INTERVAL seconds.
POLL_BACKOFF = 1.5
MAX_POLL_INTERVAL = 30.0

#: Calls a bulk method (and ``wait_for_tasks``) runs at once.
DEFAULT_CONCURRENCY = 8
#: How long an interrupted bulk run waits for the calls already in flight (seconds).
INTERRUPT_GRACE = 10.0
#: How many failures ``BulkError`` spells out.
BULK_ERRORS_SHOWN = 3

#: Threads ``export_tasks`` pages windows with.
DEFAULT_EXPORT_WORKERS = 4
