"""Fault injection: a WSGI layer in front of the emulator that makes chosen requests fail on purpose.

A rule matches a method, a path pattern (shell-style, e.g. ``/v1/task/*``) and optionally an account
(given as its API key, kept only as a hash), and does one of:

========================  ===========================================================================
``status``                answer ``status`` at once, before processing (optionally with Retry-After)
``error_after``           process the request, then answer ``status`` instead (the "false 500": the
                          write is committed, the client is told it failed)
``delay``                 wait ``delay_ms`` and then process normally (or time out the client)
``drop_before``           close the connection without processing or answering
``drop_after``            process, then close the connection without answering
``truncate``              process, then send only the first half of the body and close
========================  ===========================================================================

Each rule fires at most ``count`` times (unlimited when ``None``) and, when ``probability`` < 1, on a
seeded random draw so runs are reproducible. Rules are tried in the order they were added; the first
that fires wins. The layer also serves ``/_emulator/faults`` (GET lists, POST adds, DELETE clears).
"""
import fnmatch
import json
import random
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from werkzeug.exceptions import HTTPException

from ..rules.identity import account_id
from .request import basic_username

WSGIEnviron = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]

ACTIONS = ("status", "error_after", "delay", "drop_before", "drop_after", "truncate")
CONTROL_PATH = "/_emulator/faults"
#: Faults apply to the API surfaces only, never to the control API or the console.
API_PREFIXES = ("v1", "v2")
#: Longest delay a rule may add: one hour.
MAX_DELAY_MS = 3_600_000
#: Largest body ``POST /_emulator/faults`` reads (a list of rules).
MAX_RULES_BYTES = 1 << 20
# The JSON type each field must have (None is allowed where the default is None).
_FIELD_TYPES: Dict[str, Tuple[type, ...]] = {
    "action": (str,), "method": (str,), "path": (str,), "account": (str,), "status": (int,),
    "retry_after": (str, int), "delay_ms": (int, float), "body": (str,), "content_type": (str,),
    "count": (int,), "probability": (int, float), "seed": (int, str), "id": (str,),
}


class FaultRuleError(ValueError):
    """A fault rule that cannot be used (unknown action, bad numbers, ...)."""


@dataclass
class FaultRule:  # pylint: disable=too-many-instance-attributes
    """One fault: what it matches, what it does, and how often."""

    action: str
    method: str = "*"
    path: str = "*"
    account: Optional[str] = None
    status: int = 500
    retry_after: Optional[str] = None
    delay_ms: int = 0
    body: Optional[str] = None
    content_type: str = "application/json"
    count: Optional[int] = None
    probability: float = 1.0
    seed: Optional[int] = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, kinds in _FIELD_TYPES.items():
            value = getattr(self, name)
            if value is None and getattr(type(self), name, "") is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise FaultRuleError(f"{name} must be {' or '.join(kind.__name__ for kind in kinds)}")
        for name in ("retry_after", "content_type"):  # they become response headers
            text = getattr(self, name)
            if isinstance(text, str) and not (text.isascii() and text.isprintable()):
                raise FaultRuleError(f"{name} must be printable ASCII")
        if self.action not in ACTIONS:
            raise FaultRuleError(f"unknown fault action {self.action!r}; use one of {', '.join(ACTIONS)}")
        if not 100 <= int(self.status) <= 599:
            raise FaultRuleError("status must be an HTTP status between 100 and 599")
        if self.count is not None and int(self.count) < 0:
            raise FaultRuleError("count must be 0 or more")
        if not 0.0 <= float(self.probability) <= 1.0:
            raise FaultRuleError("probability must be between 0 and 1")
        if not 0 <= self.delay_ms <= MAX_DELAY_MS:  # also refuses NaN
            raise FaultRuleError(f"delay_ms must be between 0 and {MAX_DELAY_MS}")
        self.method = self.method.upper()
        self._rng = random.Random(self.seed)

    @classmethod
    def from_dict(cls, spec: Dict[str, Any]) -> "FaultRule":
        """Build a rule from its JSON form; ``api_key`` is turned into an account hash."""
        if not isinstance(spec, dict):
            raise FaultRuleError("a fault rule is a JSON object")
        spec = dict(spec)
        key = spec.pop("api_key", None)
        if key is not None:
            spec["account"] = account_id(str(key))
        allowed = {f.name for f in fields(cls) if not f.name.startswith("_")} - {"fired"}
        unknown = set(spec) - allowed
        if unknown:
            raise FaultRuleError(f"unknown fault rule fields: {', '.join(sorted(unknown))}")
        if "action" not in spec:
            raise FaultRuleError("a fault rule needs an action")
        try:
            return cls(**spec)
        except (TypeError, ValueError) as err:
            raise FaultRuleError(str(err)) from None

    def to_dict(self) -> Dict[str, Any]:
        """The rule as JSON, with how often it has fired."""
        data = asdict(self)
        data.pop("_rng", None)
        return data

    def matches(self, method: str, path: str, account: Optional[str]) -> bool:
        """Whether this rule applies to a request (ignoring count and probability)."""
        if self.method not in ("*", method):
            return False
        if self.account is not None and self.account != account:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def draw(self) -> bool:
        """Decide, and record, whether the rule fires now. Call with the injector's lock held."""
        if self.count is not None and self.fired >= self.count:
            return False
        if self.probability < 1.0 and self._rng.random() >= self.probability:
            return False
        self.fired += 1
        return True


class FaultInjector:
    """The WSGI layer: wraps the emulator app and applies the first rule that fires."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._rules: List[FaultRule] = []
        self._lock = threading.Lock()

    # -- managing rules ---------------------------------------------------------------------------

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule after the existing ones."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def rules(self) -> List[Dict[str, Any]]:
        """Every rule, as JSON, in order."""
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def remove(self, rule_id: str) -> bool:
        """Remove the rule with this id; False when there is none."""
        with self._lock:
            kept = [rule for rule in self._rules if rule.id != rule_id]
            found = len(kept) != len(self._rules)
            self._rules[:] = kept
        return found

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def _pick(self, method: str, path: str, account: Optional[str]) -> Optional[FaultRule]:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, account) and rule.draw():
                    return rule
        return None

    # -- serving ----------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.rstrip("/") == CONTROL_PATH:
            return self._control(environ, start_response)
        if not path.lstrip("/").startswith(API_PREFIXES):
            return self.app(environ, start_response)
        rule = self._pick(environ.get("REQUEST_METHOD", "GET").upper(), path, _account(environ))
        if rule is None:
            return self.app(environ, start_response)
        return self._apply(rule, environ, start_response)

    def _apply(self, rule: FaultRule, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        action = rule.action
        if action == "delay":
            time.sleep(rule.delay_ms / 1000.0)
            return self.app(environ, start_response)
        if action == "status":
            return _answer(rule, start_response)
        if action == "drop_before":
            _drop(environ)
        status, headers, body = _run(self.app, environ)
        if action == "error_after":
            return _answer(rule, start_response)
        if action == "drop_after":
            _drop(environ)
        # truncate: promise the whole body, send half, then cut the connection.
        start_response(status, headers)
        return _half_then_drop(body, environ)

    def _control(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method == "GET":
            return _json(start_response, 200, {"faults": self.rules()})
        if method == "DELETE":
            self.clear()
            return _json(start_response, 200, {"faults": []})
        if method != "POST":
            return _json(start_response, 405, {"status_code": 405, "error": "use GET, POST or DELETE"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_RULES_BYTES:
            status = 413 if length > 0 else 400
            error = f"fault rules are sent as a JSON body of at most {MAX_RULES_BYTES} bytes"
            return _json(start_response, status, {"status_code": status, "error": error})
        try:
            try:
                data = environ["wsgi.input"].read(length)
            except (OSError, HTTPException) as err:  # e.g. werkzeug's ClientDisconnected
                raise FaultRuleError("the body could not be read") from err
            if len(data) != length:
                raise FaultRuleError("the body is shorter than its Content-Length")
            spec = json.loads(data or b"null")
            specs = spec if isinstance(spec, list) else [spec]
            added = [self.add(FaultRule.from_dict(item)).to_dict() for item in specs]
        except (ValueError, KeyError, RecursionError) as err:
            return _json(start_response, 400, {"status_code": 400, "error": f"bad fault rule: {err}"})
        return _json(start_response, 200, {"faults": added})


def _account(environ: WSGIEnviron) -> Optional[str]:
    """The account hash of the request's API key; None without (valid) Basic credentials."""
    try:
        user = basic_username(environ)
    except ValueError:
        return None
    return account_id(user) if user else None


def _run(app: WSGIApp, environ: WSGIEnviron) -> Tuple[str, List[Tuple[str, str]], bytes]:
    """Run the app to completion and return what it answered."""
    captured: Dict[str, Any] = {}

    def start_response(status: str, headers: List[Tuple[str, str]], _exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], body


def _answer(rule: FaultRule, start_response: StartResponse) -> Iterable[bytes]:
    if rule.body is not None:
        body = rule.body.encode("utf-8")
    else:
        body = json.dumps({"status_code": rule.status, "error": f"injected fault {rule.id}"}).encode()
    headers = [("Content-Type", rule.content_type), ("Content-Length", str(len(body)))]
    if rule.retry_after is not None:
        headers.append(("Retry-After", str(rule.retry_after)))
    start_response(f"{rule.status} Injected Fault", headers)
    return [body]


def _json(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload).encode("utf-8")
    start_response(
        f"{status} {'OK' if status == 200 else 'Error'}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _drop(environ: WSGIEnviron) -> None:
    """Cut the client's connection; werkzeug treats the raised error as a dropped connection."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("fault injected: connection dropped")


def _half_then_drop(body: bytes, environ: WSGIEnviron) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    _drop(environ)
