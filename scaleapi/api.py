"""``Api``: the only place in the SDK that does HTTP.

One pooled ``requests.Session`` per client (shared by every thread using it), a timeout on every request,
``verify``/``cert``/``proxies`` passed on every request so they win over environment variables, and a
retry loop that never repeats a call whose repetition could duplicate something (see docs/retries.md).
"""
import hashlib
import json
import logging
import math
import os
import random
import socket
import threading
import time
import urllib.parse
import warnings
import functools
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union, cast

import requests
import urllib3.exceptions

from . import _constants as C
from ._deadline import Deadline, DeadlineAdapter
from ._net import is_loopback_host
from ._ratelimit import RateLimiter
from ._retry import CallKind, RetryPolicy, check_budget, may_retry_status, may_retry_transport
from ._version import __version__
from .exceptions import (
    ScaleClientTimeout,
    ScaleConfigurationError,
    ScaleConnectionError,
    ScaleException,
    ScaleTransportError,
    exception_for_status,
)

__all__ = [
    "Api",
    "CallKind",
    "SCALE_API_BASE_URL_V1",
    "HTTP_TOTAL_RETRIES",
    "HTTP_RETRY_BACKOFF_FACTOR",
    "HTTP_STATUS_FORCE_LIST",
    "HTTP_RETRY_ALLOWED_METHODS",
]

# Names kept from the existing client's module for code that imports them. Our policy is in _retry.py.
SCALE_API_BASE_URL_V1 = C.DEFAULT_BASE_URL
HTTP_TOTAL_RETRIES = C.DEFAULT_MAX_RETRIES
HTTP_RETRY_BACKOFF_FACTOR = 2
HTTP_STATUS_FORCE_LIST = sorted(C.RETRYABLE_STATUSES)
HTTP_RETRY_ALLOWED_METHODS = frozenset({"GET", "PUT", "DELETE", "POST"})

logger = logging.getLogger("scaleapi")

Timeout = Union[float, Tuple[float, float]]
#: Marks "no JSON body" (distinct from a body that is ``{}``, ``[]`` or ``None``-as-null).
NO_BODY: Any = object()

# Process-wide memory of keys by fingerprint, so a client unpickled in this process (or a forked child)
# finds its key again without the key ever being written into the pickle.
_KEYS_BY_FINGERPRINT: Dict[str, str] = {}
_KEYS_LOCK = threading.Lock()


def key_fingerprint(api_key: str) -> str:
    """A short, non-reversible name for a key, safe to show in reprs and logs."""
    # surrogatepass: a key read from the environment may hold lone surrogates, and the
    # UnicodeEncodeError that would otherwise escape carries the whole key.
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def key_problem(api_key: object) -> Optional[str]:
    """Why ``api_key`` cannot be sent as the Basic-auth user name, or None if it can.

    The answer never contains the key: only the position and code point of the first bad character.
    No exception is raised on the way (an encoding error would carry the whole key in its args).
    """
    if not isinstance(api_key, str):
        return f"the API key must be a str, not {type(api_key).__name__}"
    for index, char in enumerate(api_key):
        code = ord(char)
        # requests encodes the user name as Latin-1; control characters are never part of a key.
        if code > 0xFF or code < 0x20 or 0x7F <= code <= 0x9F:
            return (
                f"the API key cannot be sent in an HTTP header: character {index + 1} of "
                f"{len(api_key)} is U+{code:04X}; copy the key again without it"
            )
    return None


def _remember_key(api_key: str) -> str:
    fingerprint = key_fingerprint(api_key)
    with _KEYS_LOCK:
        _KEYS_BY_FINGERPRINT[fingerprint] = api_key
    return fingerprint


def _recall_key(fingerprint: str) -> Optional[str]:
    with _KEYS_LOCK:
        known = _KEYS_BY_FINGERPRINT.get(fingerprint)
    if known is not None:
        return known
    env_key = os.environ.get(C.ENV_API_KEY)
    if env_key and key_problem(env_key) is None and key_fingerprint(env_key) == fingerprint:
        return _KEYS_BY_FINGERPRINT.setdefault(fingerprint, env_key)
    return None


@functools.lru_cache(maxsize=1)
def _base_useragent() -> str:
    # platform is imported (and asked, which reads system files) once, on first use, not at import.
    import platform  # pylint: disable=import-outside-toplevel

    return (
        f"scaleapi/{__version__} Python/{platform.python_version()} OS/{platform.platform()} "
        f"scaleapi-sdk (independent; compatible {__version__})"
    )


def _never_reached_server(err: requests.RequestException) -> bool:
    """True when the request provably never left this machine (so repeating it is always safe)."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(err, requests.exceptions.SSLError):
        return False
    if isinstance(err, requests.exceptions.ConnectionError):
        reason: Any = err.args[0] if err.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


class _AnswerTooSlow(requests.exceptions.ReadTimeout):
    """The answer was not complete within the read timeout (the watchdog cut the connection)."""


def _is_read_timeout(err: requests.RequestException) -> bool:
    """A read timeout, also one that requests reports as a ConnectionError (while reading a body)."""
    if isinstance(err, requests.exceptions.ReadTimeout):
        return True
    reason: Any = err.args[0] if err.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, (urllib3.exceptions.ReadTimeoutError, socket.timeout))


def _transport_exception(err: requests.RequestException, where: str = "") -> ScaleTransportError:
    """The SDK's error for a failure below HTTP; ``where`` is the URL (without its query) asked for."""
    if isinstance(err, _AnswerTooSlow):
        return ScaleClientTimeout(f"the answer was not complete within the read timeout ({err})")
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return ScaleClientTimeout("the client's connect timeout expired (ConnectTimeout)")
    if _is_read_timeout(err):
        return ScaleClientTimeout(f"the client's read timeout expired ({type(err).__name__})")
    target = f"cannot reach {where}: " if where else ""
    return ScaleConnectionError(f"{target}{_short(transport_reason(err))} ({type(err).__name__})")


def transport_reason(error: BaseException) -> str:
    """Why a request got no answer, in the operating system's words where they can be found under
    the wrappers of requests and urllib3 (``Connection refused``); else the innermost message."""
    seen: List[BaseException] = []
    todo: List[Any] = [error]
    leaf: Optional[BaseException] = None
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is old for old in seen):
            continue
        seen.append(item)
        wrapper = isinstance(item, (ScaleException, requests.RequestException)) or (
            type(item).__module__.startswith("urllib3"))
        if not wrapper and isinstance(item, OSError) and item.strerror:
            return str(item.strerror)
        if not wrapper and str(item):
            leaf = item
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    if leaf is not None:
        return str(leaf)
    return error.message if isinstance(error, ScaleException) else str(error)


#: The longest timeout accepted: sockets and threading refuse waits much beyond a few centuries.
_LONGEST_TIMEOUT = 7 * 24 * 3600.0


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScaleConfigurationError(
            f"{name} must be a number of seconds, not {type(value).__name__}"
        )
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= _LONGEST_TIMEOUT:
        raise ScaleConfigurationError(
            f"{name} must be more than 0 and at most {_LONGEST_TIMEOUT:g} seconds, not {value!r}"
        )
    return seconds


def timeout_pair(timeout: object) -> Tuple[float, float]:
    """``timeout`` checked and spelled as ``(connect, read)`` seconds.

    Raises:
        ScaleConfigurationError: (a ``ValueError``) the value is not a positive, finite number of
            seconds or a pair of them; ``None`` inside a pair is refused, every request keeps a timeout.
    """
    if isinstance(timeout, (tuple, list)):
        if len(timeout) != 2:
            raise ScaleConfigurationError(
                f"timeout must be seconds or a (connect, read) pair, not a sequence of {len(timeout)}"
            )
        return _seconds(timeout[0], "timeout (connect)"), _seconds(timeout[1], "timeout (read)")
    seconds = _seconds(timeout, "timeout")
    return seconds, seconds


def checked_max_retries(max_retries: object) -> int:
    """``max_retries`` checked: a whole number, 0 or more.

    Raises:
        ScaleConfigurationError: (a ``ValueError``) anything else, booleans and floats included.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise ScaleConfigurationError(
            f"max_retries must be a whole number (int), not {type(max_retries).__name__}"
        )
    if max_retries < 0:
        raise ScaleConfigurationError(f"max_retries must be 0 or more, not {max_retries}")
    return max_retries


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_message(resp: requests.Response) -> str:
    """A short message from an error response, whatever its body looks like."""
    if 300 <= resp.status_code < 400:
        return _redirect_message(resp)
    try:
        payload = json.loads(resp.content) if resp.content else None
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, str) and error:
            return error
        if error:
            return _short(json.dumps(error))
        message = payload.get("message")
        if isinstance(message, str) and message:
            return message
    content_type = resp.headers.get("Content-Type", "")
    if payload is None and "html" in content_type.lower():
        return f"HTTP {resp.status_code} {resp.reason or ''} (HTML error page)".strip()
    text = resp.text if resp.content else ""
    return _short(text) if text.strip() else f"HTTP {resp.status_code} {resp.reason or ''}".strip()


def _redirect_message(resp: requests.Response) -> str:
    location = resp.headers.get("Location")
    where = f" to {_short(location, 200)}" if location else " without a Location"
    method = resp.request.method if resp.request is not None else None
    if method in (None, "GET"):
        return f"HTTP {resp.status_code} {resp.reason or ''}".strip() + where + " that was not followed"
    return (
        f"HTTP {resp.status_code} {resp.reason or ''}".strip() + where + f": the {method} was not "
        "sent again (a write never follows a redirect), so it did not take effect there"
    )


class _Call(NamedTuple):
    """What stays the same across the attempts of one call."""

    method: str
    endpoint: str
    kind: CallKind
    reconcile: Optional[Callable[[], Any]]
    rewind: Optional[Callable[[], None]]  # None: a file stream cannot be rewound, so no retry
    began: float  # time.monotonic() when the first attempt was about to be sent


class _Again(Exception):
    """Raised inside the retry loop: wait ``wait`` seconds and send the call again."""

    def __init__(self, wait: float, maybe_processed: bool) -> None:
        super().__init__(wait)
        self.wait = wait
        self.maybe_processed = maybe_processed


class _BadResponse(Exception):
    """A 200 whose body is not JSON (e.g. cut short): the call's outcome is unknown."""


class Api:  # pylint: disable=too-many-instance-attributes
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
        self._fingerprint = _remember_key(api_key)
        self.base_url = (api_instance_url or C.DEFAULT_BASE_URL).rstrip("/")
        self.source = source
        self.verify = verify
        self.proxies = dict(proxies) if proxies else None
        self.cert = cert
        self.timeout: Timeout = C.DEFAULT_TIMEOUT if timeout is None else _checked_timeout(timeout)
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
        self._session = self._new_session()
        self._check_transport_safety()

    # -- construction helpers -------------------------------------------------------------------

    @staticmethod
    def _new_session() -> requests.Session:
        session = _Session()
        adapter = DeadlineAdapter(
            pool_connections=C.DEFAULT_POOL_CONNECTIONS,
            pool_maxsize=C.DEFAULT_POOL_MAXSIZE,
            max_retries=0,  # retries are decided by our own loop, never by urllib3
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

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
            clone.timeout = _checked_timeout(timeout)
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

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Api(base_url={self.base_url!r}, key=<{self._fingerprint}>)"

    def __getstate__(self) -> Dict[str, Any]:
        # Neither the key nor the session goes into a pickle; see _recall_key.
        state = {k: v for k, v in self.__dict__.items() if k not in ("_session", "_api_key")}
        state.pop("_sleep", None)
        state.pop("_rand", None)
        state.pop("throttle", None)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._api_key = _recall_key(self._fingerprint)
        self._sleep = time.sleep
        self._rand = random.random
        self.throttle = None
        self._session = self._new_session()

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
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        headers = {"User-Agent": self.user_agent}
        payload: Optional[bytes] = None
        if body is not NO_BODY:
            payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        headers.update(self.extra_headers)
        call = _Call(method, endpoint, kind, reconcile, _rewinder(files), time.monotonic())
        maybe_processed = False  # did an earlier attempt perhaps take effect on the server?
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1 and call.rewind is not None:
                call.rewind()
            if self.throttle is not None:
                self.throttle.acquire()
            started = time.monotonic()
            try:
                try:
                    resp = self._send(method, url, params, payload if files is None else data, files, headers)
                except OSError as err:
                    raise self._after_transport_failure(err, call, attempt, started) from err
                return self._after_response(resp, call, attempt, started, maybe_processed)
            except _Again as again:
                maybe_processed = maybe_processed or again.maybe_processed
                self._sleep(again.wait)

    def _send(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        method: str,
        url: str,
        params: Optional[Mapping[str, Any]],
        data: Any,
        files: Optional[Mapping[str, Any]],
        headers: Mapping[str, str],
    ) -> requests.Response:
        """One attempt on the wire, its whole answer read within the read timeout.

        Only a GET follows redirects (and its key goes only to the same origin, see ``_Session``);
        any other method gets the 3xx itself, which becomes an error.
        """
        read_timeout = timeout_pair(self.timeout)[1]
        with Deadline(read_timeout) as deadline:
            try:
                resp = self._session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    auth=_auth(self.auth_scheme, cast(str, self._api_key)),
                    timeout=self.timeout,
                    verify=True if self.verify is None else self.verify,
                    cert=self.cert,
                    proxies=self.proxies,
                    allow_redirects=method == "GET",
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
        raise _AnswerTooSlow(f"{read_timeout:g} s") from failure

    def _may_repeat(self, call: "_Call", attempt: int, wait: float) -> bool:
        elapsed = time.monotonic() - call.began
        return call.rewind is not None and self.policy.may_repeat(attempt, elapsed, wait)

    def _given_up(self, call: "_Call", attempt: int, message: str) -> str:
        """The final error's message; says so when the retry budget ran out."""
        if self.policy.budget is None or attempt <= self.policy.max_retries:
            return message
        return (
            f"{message} (gave up after {attempt} attempts in {time.monotonic() - call.began:.1f} s: "
            f"the retry budget of {self.policy.budget:g} s ran out)"
        )

    def _after_transport_failure(
        self, err: OSError, call: "_Call", attempt: int, started: float
    ) -> "_Again":
        """Decide what a failure below HTTP means: another attempt (returned) or the final error (raised)."""
        if not isinstance(err, requests.RequestException):
            # requests reports unreadable local files (a cert or CA bundle path) as a bare OSError.
            raise ScaleConnectionError(f"could not send the request: {_short(str(err))}") from err
        reached = not _never_reached_server(err)
        failure = _transport_exception(err, f"{self.base_url}/{call.endpoint.split('?', 1)[0].lstrip('/')}")
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
        return _Again(wait, reached)

    def _after_response(
        self, resp: requests.Response, call: "_Call", attempt: int, started: float, maybe_processed: bool
    ) -> Any:
        """The parsed result, or the final error (raised), or ``_Again`` (raised) for another attempt."""
        status = resp.status_code
        self._log(call.method, call.endpoint, str(status), attempt, started)
        retry_after = resp.headers.get("Retry-After")
        if self.throttle is not None:
            self.throttle.record(status, self.policy.delay(attempt, retry_after) if status == 429 else 0.0)
        if self.on_response is not None and (status < 300 or not may_retry_status(call.kind, status)):
            return self.on_response(resp)  # pylint: disable=not-callable
        if status == 200:
            try:
                return _parse_json(resp)
            except _BadResponse as err:
                wait = self.policy.delay(attempt, None, self._rand)
                if self._may_repeat(call, attempt, wait) and call.kind is not CallKind.CREATE:
                    raise _Again(wait, True) from None
                raise ScaleConnectionError(str(err), 200) from None
        if status == 409 and maybe_processed and call.reconcile is not None:
            logger.info("%s %s: 409 after an ambiguous attempt; reconciling", call.method, call.endpoint)
            return call.reconcile()
        if may_retry_status(call.kind, status):
            wait = self.policy.delay(attempt, retry_after, self._rand)
            if self._may_repeat(call, attempt, wait):
                resp.close()
                raise _Again(wait, status != 429)
            if self.on_response is not None:
                return self.on_response(resp)  # pylint: disable=not-callable
            raise exception_for_status(status, self._given_up(call, attempt, _error_message(resp)))
        raise exception_for_status(status, _error_message(resp))

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


def _checked_timeout(timeout: object) -> Timeout:
    """A valid ``timeout`` as given (a pair stays a tuple), or ScaleConfigurationError."""
    pair = timeout_pair(timeout)
    return pair if isinstance(timeout, (tuple, list)) else pair[0]


def _origin(url: str) -> Tuple[str, Optional[str], Optional[int]]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return scheme, None, None
    return scheme, parts.hostname, port if port is not None else {"http": 80, "https": 443}.get(scheme)


class _Session(requests.Session):
    """A Session whose redirects carry the key only to the very same origin (scheme, host, port).

    requests already strips it for another host or port, but keeps it from http to https on the same
    host; this keeps it nowhere but where it was first sent.
    """

    def should_strip_auth(self, old_url: str, new_url: str) -> bool:
        """True unless ``new_url`` has the same scheme, host and port as ``old_url``."""
        return _origin(old_url) != _origin(new_url) or _origin(old_url)[1] is None


def _auth(scheme: str, api_key: str) -> Any:
    """The requests ``auth`` for a scheme: Basic with the key as user, ``Bearer <key>``, or none."""
    if scheme == "basic":
        return (api_key, "")

    def apply(request: requests.PreparedRequest) -> requests.PreparedRequest:
        if scheme == "bearer":
            request.headers["Authorization"] = f"Bearer {api_key}"
        return request

    return apply


def _rewinder(files: Optional[Mapping[str, Any]]) -> Optional[Callable[[], None]]:
    """A function that puts every file stream back where it started, or None if one cannot be."""
    if not files:
        return lambda: None
    marks = []
    for value in files.values():
        stream: Any = value[1] if isinstance(value, tuple) else value
        if isinstance(stream, (bytes, str)):
            continue
        if not hasattr(stream, "seek") or not hasattr(stream, "tell"):
            return None
        try:
            marks.append((stream, stream.tell()))
        except (OSError, ValueError):
            return None

    def rewind() -> None:
        for stream, position in marks:
            stream.seek(position)

    return rewind
