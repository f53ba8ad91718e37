"""``Api``: the only place in the SDK that does HTTP.

One pooled ``requests.Session`` per client (shared by every thread using it), a timeout on every request,
``verify``/``cert``/``proxies`` passed on every request so they win over environment variables, and a
retry loop that never repeats a call whose repetition could duplicate something (see docs/retries.md).
Each attempt ends in a value, ``_Retry`` (wait and send again) or ``_Done`` (the result), or raises the
call's final error; the loop in ``request`` reads top to bottom.
"""
import functools
import json
import logging
import random
import time
import urllib.parse
import warnings
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Tuple, Union, cast

import requests

from . import _constants as C
from ._closing import Closing
from ._deadline import Deadline
from ._http_errors import (
    AnswerTooSlow,
    error_message,
    never_reached_server,
    short,
    transport_exception,
    transport_reason,
)
from ._keys import key_problem, recall_key, remember_key
from ._net import is_loopback_host
from ._ratelimit import RateLimiter
from ._retry import CallKind, RetryPolicy, check_budget, may_retry_status, may_retry_transport
from ._session import new_session, request_auth, rewinder
from ._settings import Timeout, checked_max_retries, checked_timeout, timeout_pair
from ._version import __version__
from .exceptions import ScaleConfigurationError, ScaleConnectionError, ScaleException, exception_for_status

__all__ = [
    "Api",
    "CallKind",
    "Timeout",
    "SCALE_API_BASE_URL_V1",
    "HTTP_TOTAL_RETRIES",
    "HTTP_RETRY_BACKOFF_FACTOR",
    "HTTP_STATUS_FORCE_LIST",
    "HTTP_RETRY_ALLOWED_METHODS",
    "transport_reason",  # the CLI names a connection failure's reason with it
]

# Names kept from the existing client's module for code that imports them. Our policy is in _retry.py.
SCALE_API_BASE_URL_V1 = C.DEFAULT_BASE_URL
HTTP_TOTAL_RETRIES = C.DEFAULT_MAX_RETRIES
HTTP_RETRY_BACKOFF_FACTOR = 2
HTTP_STATUS_FORCE_LIST = sorted(C.RETRYABLE_STATUSES)
HTTP_RETRY_ALLOWED_METHODS = frozenset({"GET", "PUT", "DELETE", "POST"})

logger = logging.getLogger("scaleapi")

#: Marks "no JSON body" (distinct from a body that is ``{}``, ``[]`` or ``None``-as-null).
NO_BODY: Any = object()


@functools.lru_cache(maxsize=1)
def _base_useragent() -> str:
    # platform is imported (and asked, which reads system files) once, on first use, not at import.
    import platform  # pylint: disable=import-outside-toplevel

    return (
        f"scaleapi/{__version__} Python/{platform.python_version()} OS/{platform.platform()} "
        f"scaleapi-sdk (independent; compatible {__version__})"
    )


class _Call(NamedTuple):
    """What stays the same across the attempts of one call."""

    method: str
    endpoint: str
    url: str
    params: Optional[Mapping[str, Any]]
    data: Any  # the JSON payload, or the multipart fields sent with ``files``
    files: Optional[Mapping[str, Any]]
    headers: Mapping[str, str]
    kind: CallKind
    reconcile: Optional[Callable[[], Any]]
    rewind: Optional[Callable[[], None]]  # None: a file stream cannot be rewound, so no retry
    began: float  # time.monotonic() when the first attempt was about to be sent


class _Retry(NamedTuple):
    """An attempt's outcome: wait ``wait`` seconds and send the call again."""

    wait: float
    maybe_processed: bool  # this attempt may have taken effect on the server


class _Done(NamedTuple):
    """An attempt's outcome: the call's result."""

    result: Any


_Outcome = Union[_Retry, _Done]


class _BadResponse(Exception):
    """A 200 whose body is not JSON (e.g. cut short): the call's outcome is unknown."""


class Api(Closing):  # pylint: disable=too-many-instance-attributes
    """The HTTP transport shared by a ``ScaleClient`` and everything made from it.

    Args:
        api_key: the Scale API key (sent as the Basic-auth user name, never logged).
        source: a word appended to the User-Agent.
        api_instance_url: the full base URL, ending in ``/v1``.
        verify: ``False`` to skip TLS verification (with a warning), or a CA bundle path.
            ``None``/``True`` use requests' defaults (which honour ``REQUESTS_CA_BUNDLE``).
        proxies: requests-style proxies dict, passed on every request.
        cert: a client certificate path or ``(cert, key)`` pair.
        timeout: seconds, or a ``(connect, read)`` pair; default ``_constants.DEFAULT_TIMEOUT``.
        max_retries: retries after the first attempt; default ``_constants.DEFAULT_MAX_RETRIES``.
        throttle: a RateLimiter paced before every attempt and told how each ended (bulk work).
        retry_budget: seconds that long work (bulk methods, export, waiters, list generators) goes
            on retrying a safe call past ``max_retries``; default ``_constants.DEFAULT_RETRY_BUDGET``.
            Ordinary calls stop after ``max_retries``.
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        api_key: str,
        source: Optional[str] = None,
        api_instance_url: Optional[str] = None,
        verify: Optional[Union[bool, str]] = None,
        proxies: Optional[Mapping[str, str]] = None,
        cert: Optional[Union[str, Tuple[str, str]]] = None,
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        throttle: Optional[RateLimiter] = None,
        retry_budget: Optional[float] = None,
    ) -> None:
        if not api_key:
            raise ScaleException("Please provide a valid API Key.")
        problem = key_problem(api_key)
        if problem is not None:
            raise ScaleConfigurationError(problem)
        self._api_key: Optional[str] = api_key
        self._fingerprint = remember_key(api_key)
        self.base_url = (api_instance_url or C.DEFAULT_BASE_URL).rstrip("/")
        self.source = source
        self.verify = verify
        self.proxies = dict(proxies) if proxies else None
        self.cert = cert
        self.timeout: Timeout = C.DEFAULT_TIMEOUT if timeout is None else checked_timeout(timeout)
        self.policy = RetryPolicy(
            max_retries=C.DEFAULT_MAX_RETRIES if max_retries is None else checked_max_retries(max_retries)
        )
        self._sleep = sleep
        self._rand = rand
        self.throttle = throttle
        self.retry_budget = check_budget(retry_budget)
        self.user_agent = self._generate_useragent(source)
        # Set only on the per-call copies the v2 client makes (scaleapi.api_client.v2.api_client):
        # "bearer"/"none" auth, headers sent after ours, and a function that turns every final answer
        # (2xx or error, after retries) into the result instead of the v1 JSON and exceptions.
        self.auth_scheme = "basic"
        self.extra_headers: Mapping[str, str] = {}
        self.on_response: Optional[Callable[[requests.Response], Any]] = None
        self._session = new_session()
        self._check_transport_safety()

    # -- construction helpers -------------------------------------------------------------------

    def _check_transport_safety(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            warnings.warn(
                f"the API key would be sent over plain http to {parts.hostname}; use https",
                stacklevel=4,
            )
        if self.verify is False:
            warnings.warn(
                "TLS certificate verification is disabled (verify=False)", stacklevel=4
            )

    @staticmethod
    def _generate_useragent(extension: Optional[str] = None) -> str:
        """``scaleapi/<v> Python/<v> OS/<platform> scaleapi-sdk (independent; compatible <v>) [<source>]``.

        The leading ``scaleapi/<v>`` is the official client's form, kept for anything that reads it;
        the ``scaleapi-sdk`` token tells this SDK apart.
        """
        return " ".join(part for part in (_base_useragent(), extension or "") if part)

    @staticmethod
    def quote_string(text: str) -> str:
        """Percent-encode a name for use as one path segment (``/`` becomes ``%2F``)."""
        return urllib.parse.quote(text, safe="")

    def with_options(
        self,
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        throttle: Optional[RateLimiter] = None,
        retry_budget: Optional[float] = None,
    ) -> "Api":
        """A copy with other timeout/retry/throttle/budget settings that shares this one's connection pool."""
        clone = object.__new__(Api)
        clone.__dict__.update(self.__dict__)
        if throttle is not None:
            clone.throttle = throttle
        if retry_budget is not None:
            clone.retry_budget = check_budget(retry_budget)
        if timeout is not None:
            clone.timeout = checked_timeout(timeout)
        if max_retries is not None:
            clone.policy = self.policy._replace(max_retries=checked_max_retries(max_retries))
        return clone

    def long_work(self, retry_budget: Optional[float] = None) -> "Api":
        """A copy for long work: calls safe to repeat go on retrying until the retry budget runs out.

        Args:
            retry_budget: seconds; default this Api's ``retry_budget``.
        """
        clone = self.with_options(retry_budget=retry_budget)
        clone.policy = clone.policy._replace(budget=clone.retry_budget)
        return clone

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled connections (shared with every ``with_options`` copy)."""
        self._session.close()

    def __repr__(self) -> str:
        return f"Api(base_url={self.base_url!r}, key=<{self._fingerprint}>)"

    def __getstate__(self) -> Dict[str, Any]:
        # Neither the key nor the session goes into a pickle; see _keys.recall_key.
        state = {k: v for k, v in self.__dict__.items() if k not in ("_session", "_api_key")}
        state.pop("_sleep", None)
        state.pop("_rand", None)
        state.pop("throttle", None)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._api_key = recall_key(self._fingerprint)
        self._sleep = time.sleep
        self._rand = random.random
        self.throttle = None
        self._session = new_session()

    # -- the compatibility surface of the existing client's Api -----------------------------------

    def get_request(self, endpoint: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """GET ``endpoint``; returns the parsed JSON."""
        return self.request("GET", endpoint, params=params)

    def post_request(
        self,
        endpoint: str,
        body: Any = None,
        files: Optional[Mapping[str, Any]] = None,
        data: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """POST ``endpoint`` as a create without natural key (retried only when never sent)."""
        return self.request(
            "POST", endpoint, body=NO_BODY if body is None else body, files=files, data=data
        )

    def put_request(
        self, endpoint: str, body: Any = None, params: Optional[Mapping[str, Any]] = None
    ) -> Any:
        """PUT ``endpoint``; returns the parsed JSON."""
        return self.request("PUT", endpoint, params=params, body=NO_BODY if body is None else body)

    def delete_request(
        self, endpoint: str, params: Optional[Mapping[str, Any]] = None, body: Any = None
    ) -> Any:
        """DELETE ``endpoint``; returns the parsed JSON."""
        return self.request(
            "DELETE", endpoint, params=params, body=NO_BODY if body is None else body
        )

    # -- the request loop -------------------------------------------------------------------------

    def request(  # pylint: disable=too-many-arguments
        self,
        method: str,
        endpoint: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        body: Any = NO_BODY,
        files: Optional[Mapping[str, Any]] = None,
        data: Optional[Mapping[str, Any]] = None,
        kind: Optional[CallKind] = None,
        reconcile: Optional[Callable[[], Any]] = None,
    ) -> Any:
        """Send one API call, retrying it only where that is safe, and return its parsed JSON.

        Args:
            method: the HTTP method.
            endpoint: the path after the base URL (names already quoted by the caller).
            params: query parameters; ``None`` values are left out.
            body: a JSON-serialisable body (``{}`` and ``[]`` are sent as such); omit for none.
            files: multipart files (the ``file`` part of an upload).
            data: multipart text fields sent with ``files``.
            kind: how safe the call is to repeat; GET, PUT and DELETE default to idempotent,
                POST to a create without natural key.
            reconcile: for a keyed create, fetches what an earlier, ambiguous attempt created
                when a retry answers 409.

        Raises:
            ScaleException: the subclass chosen by the status code, or a ScaleTransportError.
        """
        if self._api_key is None:
            raise ScaleException(
                "this client was unpickled without its API key; set SCALE_API_KEY or build a new client"
            )
        if kind is None:
            kind = CallKind.IDEMPOTENT if method in ("GET", "PUT", "DELETE", "HEAD") else CallKind.CREATE
        headers = {"User-Agent": self.user_agent}
        payload: Optional[bytes] = None
        if body is not NO_BODY:
            payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        headers.update(self.extra_headers)
        call = _Call(
            method, endpoint, f"{self.base_url}/{endpoint.lstrip('/')}", params,
            payload if files is None else data, files, headers, kind, reconcile, rewinder(files),
            time.monotonic(),
        )  # fmt: skip
        maybe_processed = False  # did an earlier attempt perhaps take effect on the server?
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(call, attempt, maybe_processed)
            if isinstance(outcome, _Done):
                return outcome.result
            maybe_processed = maybe_processed or outcome.maybe_processed
            self._sleep(outcome.wait)

    def _attempt(self, call: _Call, attempt: int, maybe_processed: bool) -> _Outcome:
        """Send the call once: its result, another attempt after a wait, or (raised) its final error."""
        if attempt > 1 and call.rewind is not None:
            call.rewind()
        if self.throttle is not None:
            self.throttle.acquire()
        started = time.monotonic()
        try:
            resp = self._send(call)
        except OSError as err:
            return self._after_transport_failure(err, call, attempt, started)
        return self._after_response(resp, call, attempt, started, maybe_processed)

    def _send(self, call: _Call) -> requests.Response:
        """One attempt on the wire, its whole answer read within the read timeout.

        Only a GET follows redirects (and its key goes only to the same origin, see ``_Session``);
        any other method gets the 3xx itself, which becomes an error.
        """
        read_timeout = timeout_pair(self.timeout)[1]
        with Deadline(read_timeout) as deadline:
            try:
                resp = self._session.request(
                    call.method,
                    call.url,
                    params=call.params,
                    data=call.data,
                    files=call.files,
                    headers=call.headers,
                    auth=request_auth(self.auth_scheme, cast(str, self._api_key)),
                    timeout=self.timeout,
                    verify=True if self.verify is None else self.verify,
                    cert=self.cert,
                    proxies=self.proxies,
                    allow_redirects=call.method == "GET",
                )
            except requests.RequestException as err:
                if not deadline.fired:
                    raise
                failure: Optional[requests.RequestException] = err
            else:
                if not deadline.fired:
                    return resp
                resp.close()
                failure = None
        raise AnswerTooSlow(f"{read_timeout:g} s") from failure

    def _may_repeat(self, call: _Call, attempt: int, wait: float) -> bool:
        elapsed = time.monotonic() - call.began
        return call.rewind is not None and self.policy.may_repeat(attempt, elapsed, wait)

    def _given_up(self, call: _Call, attempt: int, message: str) -> str:
        """The final error's message; says so when the retry budget ran out."""
        if self.policy.budget is None or attempt <= self.policy.max_retries:
            return message
        return (
            f"{message} (gave up after {attempt} attempts in {time.monotonic() - call.began:.1f} s: "
            f"the retry budget of {self.policy.budget:g} s ran out)"
        )

    def _after_transport_failure(
        self, err: OSError, call: _Call, attempt: int, started: float
    ) -> _Retry:
        """What a failure below HTTP means: another attempt, or (raised) the final error."""
        if not isinstance(err, requests.RequestException):
            # requests reports unreadable local files (a cert or CA bundle path) as a bare OSError.
            raise ScaleConnectionError(f"could not send the request: {short(str(err))}") from err
        reached = not never_reached_server(err)
        failure = transport_exception(err, f"{self.base_url}/{call.endpoint.split('?', 1)[0].lstrip('/')}")
        self._log(call.method, call.endpoint, type(failure).__name__, attempt, started)
        if self.throttle is not None:
            self.throttle.record(None)
        wait = self.policy.delay(attempt, None, self._rand)
        if (
            isinstance(err, requests.exceptions.SSLError)  # a certificate problem will not fix itself
            or not may_retry_transport(call.kind, reached)
        ):
            raise failure from err
        if not self._may_repeat(call, attempt, wait):
            raise type(failure)(self._given_up(call, attempt, failure.message), failure.code) from err
        return _Retry(wait, reached)

    def _after_response(
        self, resp: requests.Response, call: _Call, attempt: int, started: float, maybe_processed: bool
    ) -> _Outcome:
        """What an answer means: the parsed result, another attempt, or (raised) the final error."""
        status = resp.status_code
        self._log(call.method, call.endpoint, str(status), attempt, started)
        retry_after = resp.headers.get("Retry-After")
        asked = self.policy.server_wait(retry_after) if status == 429 else None
        if self.throttle is not None:
            # Only a wait the server asked for pauses every thread; a bare 429 just lowers the rate.
            self.throttle.record(status, asked or 0.0)
        if self.on_response is not None and (status < 300 or not may_retry_status(call.kind, status)):
            return _Done(self.on_response(resp))  # pylint: disable=not-callable
        if status == 200:
            try:
                return _Done(_parse_json(resp))
            except _BadResponse as err:
                wait = self.policy.delay(attempt, None, self._rand)
                if self._may_repeat(call, attempt, wait) and call.kind is not CallKind.CREATE:
                    return _Retry(wait, True)
                raise ScaleConnectionError(str(err), 200) from None
        if status == 409 and maybe_processed and call.reconcile is not None:
            logger.info("%s %s: 409 after an ambiguous attempt; reconciling", call.method, call.endpoint)
            return _Done(call.reconcile())
        if may_retry_status(call.kind, status):
            # A bare 429 under a shared limiter: the limiter, just slowed down, paces the next attempt.
            bare = status == 429 and self.throttle is not None and asked is None
            wait = 0.0 if bare else self.policy.delay(attempt, retry_after, self._rand)
            if self._may_repeat(call, attempt, wait):
                resp.close()
                return _Retry(wait, status != 429)
            if self.on_response is not None:
                return _Done(self.on_response(resp))  # pylint: disable=not-callable
            raise exception_for_status(status, self._given_up(call, attempt, error_message(resp)))
        raise exception_for_status(status, error_message(resp))

    def _log(self, method: str, endpoint: str, outcome: str, attempt: int, started: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s (attempt %d, %.1f ms)",
                method,
                endpoint.split("?", 1)[0],
                outcome,
                attempt,
                (time.monotonic() - started) * 1000.0,
            )


def _parse_json(resp: requests.Response) -> Any:
    content = resp.content
    expected = resp.headers.get("Content-Length")
    if expected is not None and expected.isdigit() and int(expected) != len(content):
        raise _BadResponse(f"response body cut short ({len(content)} of {expected} bytes)")
    try:
        return json.loads(content)
    except ValueError:
        raise _BadResponse(
            f"the server answered 200 with a body that is not JSON ({len(content)} bytes)"
        ) from None
    except RecursionError:
        raise _BadResponse(
            f"the server answered 200 with JSON nested too deeply to read ({len(content)} bytes)"
        ) from None
