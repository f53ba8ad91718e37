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

#: Statuses worth another attempt (when the call is safe to repeat).
RETRYABLE_STATUSES: FrozenSet[int] = frozenset(
    {408, 429, 500, 502, 503, 504} | set(range(520, 531))
)

#: Connection pool: enough sockets for a thread pool sharing one client.
DEFAULT_POOL_CONNECTIONS = 4
DEFAULT_POOL_MAXSIZE = 32

#: Page sizes. The v1 API accepts 1..100 per page for tasks and batches.
MAX_PAGE_LIMIT = 100
DEFAULT_TASKS_PAGE_LIMIT = 100
