"""The :class:`Emulator`: a local Scale API server on a background thread.

Example::

    with Emulator() as emu:
        client = ScaleClient(api_key="test_me", api_instance_url=emu.url)
"""
from __future__ import annotations

import secrets
import ssl
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence

from .http.faults import FaultInjector, FaultRule
from .http.server_loop import EmulatorServer, make_emulator_server
from .http.wsgi_app import DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_UPLOAD_BYTES, EmulatorApp
from .rules import tasks as task_rules
from .rules import v2_datasets, v2_deliveries, v2_schemas
from .rules.callback_delivery import DEFAULT_BACKOFF, CallbackDispatcher
from .rules.context import ServiceContext
from .rules.control import Controller, RequestLog
from .rules.identity import Account, KeyPolicy, account_id, is_test_key
from .rules.lifecycle import LifecycleWorker
from .rules.task_state import record_callback_result
from .storage.store import Store

JsonDict = Dict[str, Any]
WsgiApp = Callable[..., Any]
Middleware = Callable[[WsgiApp], WsgiApp]


#: How long stop() waits for requests still being served before closing the database.
STOP_GRACE_SECONDS = 10.0


class InFlight:
    """The outermost WSGI layer: counts requests being served so shutdown can wait for them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._count = 0
        self._idle = threading.Condition()

    def __call__(self, environ: Dict[str, Any], start_response: Any) -> Iterator[bytes]:
        with self._idle:
            self._count += 1
        try:
            yield from self.app(environ, start_response)
        finally:
            with self._idle:
                self._count -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is being served (or ``timeout`` passes); True if idle."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


class Emulator:  # pylint: disable=too-many-instance-attributes  # it owns every moving part
    """A running (or ready to run) emulator.

    Args:
        host: interface to bind; the default keeps it on loopback.
        port: TCP port; 0 picks a free one (see :attr:`port` after :meth:`start`).
        db: SQLite file to persist to; None keeps everything in memory.
        api_keys: if given, only these exact keys are accepted; otherwise any Scale-shaped key.
        certfile, keyfile: serve HTTPS with this certificate chain and private key.
        latency_ms: delay added to every v1 request.
        complete_after: lifecycle policy: live-mode tasks complete this many seconds after creation.
        callback_auth_key: sent as ``scale-callback-auth`` with callbacks; generated if None.
        allow_callback_hosts: non-loopback hosts callbacks may be delivered to.
        max_body_bytes: largest JSON request body (413 beyond it).
        max_upload_bytes: largest multipart upload body (413 beyond it).
        callback_backoff: delays between callback delivery retries.
        middleware: extra WSGI wrappers, innermost first, applied outside the built-in fault
            injection layer; the built instances are in :attr:`layers`.
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        db: Optional[str] = None,
        api_keys: Optional[Iterable[str]] = None,
        certfile: Optional[str] = None,
        keyfile: Optional[str] = None,
        latency_ms: float = 0,
        complete_after: Optional[float] = None,
        callback_auth_key: Optional[str] = None,
        allow_callback_hosts: Iterable[str] = (),
        max_body_bytes: int = DEFAULT_MAX_JSON_BYTES,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        callback_backoff: Sequence[float] = DEFAULT_BACKOFF,
        middleware: Sequence[Middleware] = (),
    ) -> None:
        if (certfile is None) != (keyfile is None):
            raise ValueError("certfile and keyfile must be given together")
        self.host = host
        self.requested_port = port
        self.db = None if db is None else str(db)
        self.certfile = certfile
        self.keyfile = keyfile
        self.latency_ms = latency_ms
        self.callback_auth_key = callback_auth_key or secrets.token_urlsafe(24)
        self.allow_callback_hosts = tuple(allow_callback_hosts)
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.callback_backoff = tuple(callback_backoff)
        self.middleware = tuple(middleware)
        self.layers: List[Any] = []
        self._initial_complete_after = complete_after
        self._keys = KeyPolicy(list(api_keys) if api_keys is not None else None)
        self._server: Optional[EmulatorServer] = None
        self._thread: Optional[threading.Thread] = None
        self._controller: Optional[Controller] = None
        self._app: Optional[EmulatorApp] = None
        self._lifecycle: Optional[LifecycleWorker] = None
        self._in_flight = InFlight(None)
        self._faults: Optional[FaultInjector] = None

    # Lifecycle of the server ---------------------------------------------------------------

    def start(self) -> "Emulator":
        """Open the database, bind the port and serve from a daemon thread."""
        if self._server is not None:
            return self
        store = Store(self.db)
        dispatcher = CallbackDispatcher(
            self.callback_auth_key, self.allow_callback_hosts, backoff=self.callback_backoff
        )
        ctx = ServiceContext(store, dispatcher)
        ctx.complete_after = self._initial_complete_after
        dispatcher.on_result = lambda job, delivered: record_callback_result(ctx, job, delivered)
        controller = Controller(ctx, dispatcher, RequestLog())
        app = EmulatorApp(
            controller, self._keys, latency_ms=self.latency_ms,
            max_json_bytes=self.max_body_bytes, max_upload_bytes=self.max_upload_bytes,
        )
        ssl_context = None
        if self.certfile and self.keyfile:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(self.certfile, self.keyfile)
        # Fault injection sits right around the app (and serves /_emulator/faults itself).
        faults = FaultInjector(app)
        controller.reset_hooks.append(faults.clear)
        app.console_options.update(bind_host=self.host, faults=faults)
        wsgi: Any = faults
        layers: List[Any] = []
        for wrap in self.middleware:
            wsgi = wrap(wsgi)
            layers.append(wsgi)
        wsgi = self._in_flight = InFlight(wsgi)
        try:
            server = make_emulator_server(self.host, self.requested_port, wsgi, ssl_context)
        except SystemExit as err:
            # werkzeug reports a busy port with sys.exit(1); a library must raise instead.
            store.close()
            raise OSError(f"cannot listen on {self.host}:{self.requested_port}") from err
        dispatcher.start()
        lifecycle = LifecycleWorker(ctx)
        lifecycle.start()
        self._server, self._controller, self._app, self._lifecycle = server, controller, app, lifecycle
        self._faults = faults
        self.layers = layers
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="scale-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close client connections and the database."""
        server, controller = self._server, self._controller
        if server is None or controller is None:
            return
        server.shutdown()
        server.server_close()
        # A request still being served (a slow one, or one a fault delays) is let finish and answer
        # before its connection is cut and the database it uses is closed under it.
        self._in_flight.wait_idle(STOP_GRACE_SECONDS)
        server.close_connections()
        if self._thread is not None:
            self._thread.join(5)
        if self._lifecycle is not None:
            self._lifecycle.stop()
        controller.dispatcher.close()
        controller.ctx.store.close()
        self._server = self._thread = self._controller = self._app = self._lifecycle = None
        self._faults = None

    def serve_forever(self) -> None:
        """Start (if needed) and block until interrupted (Ctrl-C), then stop."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __repr__(self) -> str:
        where = f"url={self.url!r}" if self.running else f"host={self.host!r}, port={self.requested_port!r}"
        return f"Emulator({where}, running={self.running}, db={self.db or ':memory:'!r})"

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Addresses -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._require_server().server_address[1])

    @property
    def scheme(self) -> str:
        """``https`` when serving with a certificate, else ``http``."""
        return "https" if self.certfile else "http"

    @property
    def base(self) -> str:
        """``http(s)://host:port`` without ``/v1`` (the control API lives under it)."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL to give a client: ``http(s)://host:port/v1``."""
        return f"{self.base}/v1"

    @property
    def app(self) -> EmulatorApp:
        """The WSGI app (to add control routes)."""
        if self._app is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._app

    @property
    def server(self) -> EmulatorServer:
        """The underlying HTTP server (connection statistics)."""
        return self._require_server()

    def _require_server(self) -> EmulatorServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._server

    def _ctl(self) -> Controller:
        if self._controller is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._controller

    # Control operations (same as the /_emulator/ API) ----------------------------------------

    def health(self) -> JsonDict:
        """``GET /_emulator/health``."""
        return self._ctl().health()

    def reset(self) -> None:
        """``POST /_emulator/reset``: forget every account and everything in it, and all faults."""
        self._ctl().reset()

    # Fault injection (see http/faults.py; also served at /_emulator/faults) ------------------------

    def _injector(self) -> FaultInjector:
        if self._faults is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._faults

    def add_fault(self, **spec: Any) -> JsonDict:
        """Add a fault rule (fields of :class:`faults.FaultRule`; ``api_key`` is hashed)."""
        return self._injector().add(FaultRule.from_dict(spec)).to_dict()

    def faults(self) -> List[JsonDict]:
        """Every fault rule with how often it fired."""
        return self._injector().rules()

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._injector().clear()

    def complete_task(self, task_id: str, response: Optional[JsonDict] = None) -> JsonDict:
        """Complete a pending task (synthetic response when ``response`` is None)."""
        return self._ctl().complete_task(task_id, response)

    def fail_task(self, task_id: str, error: str = "Task failed (emulated)") -> JsonDict:
        """Put a pending task into ``error`` status."""
        return self._ctl().fail_task(task_id, error)

    def set_lifecycle(self, complete_after: Optional[float] = None) -> JsonDict:
        """Complete live-mode tasks ``complete_after`` seconds after creation (None: never)."""
        return self._ctl().set_lifecycle(complete_after)

    def callbacks(self) -> List[JsonDict]:
        """Every callback delivery record, oldest first."""
        return self._ctl().callbacks()

    def wait_for_callbacks(self, timeout: float = 5.0) -> bool:
        """Block until queued callbacks are delivered (or given up); False on timeout."""
        return self._ctl().dispatcher.wait_idle(timeout)

    def requests(self) -> List[JsonDict]:
        """The request log: method, path, query, status, account hash, duration."""
        return self._ctl().requests()

    def account_id(self, api_key: str) -> str:
        """The account id (key hash) the emulator uses for ``api_key``."""
        del self
        return account_id(api_key)

    def seed_tasks(  # pylint: disable=too-many-arguments
        self,
        api_key: str,
        count: int,
        project: Optional[str] = None,
        batch: Optional[str] = None,
        task_type: str = "imageannotation",
        status: str = "completed",
    ) -> int:
        """Insert ``count`` minimal tasks for ``api_key``'s account quickly (no callbacks)."""
        ctx = self._ctl().ctx
        account = Account(id=account_id(api_key), is_test=is_test_key(api_key))
        return task_rules.seed_tasks(
            ctx, account, count, task_type=task_type, project=project, batch=batch, status=status
        )

    # v2 data resources (also at /_emulator/v2/...; see docs/emulator.md) ---------------------

    def deliver(  # pylint: disable=too-many-arguments
        self, api_key: str, project: str, name: Optional[str] = None,
        task_ids: Optional[Sequence[str]] = None,
        *, response_schema_id: Optional[str] = None,
    ) -> JsonDict:
        """Deliver completed tasks of ``project`` (name or id) for ``api_key``'s account.

        Without ``task_ids``, every completed task of the project not delivered before goes; the
        named tasks must be completed tasks of the project. Returns the v2 ``Delivery``.
        """
        ctl = self._ctl()
        return v2_deliveries.create_delivery(
            ctl.ctx, ctl.account(api_key), project, name, task_ids, response_schema_id=response_schema_id
        )

    def create_dataset(self, api_key: str, name: str) -> JsonDict:
        """Create a dataset for ``api_key``'s account; returns ``{"id", "name"}``."""
        ctl = self._ctl()
        return v2_datasets.create_dataset(ctl.ctx, ctl.account(api_key), name)

    def deliver_dataset(
        self, api_key: str, dataset_id: str, name: str, tasks: Sequence[JsonDict]
    ) -> JsonDict:
        """Deliver ``tasks`` (``{"response", "attachments", ...}`` each) of a dataset as one delivery.

        Returns ``{"delivery": <DatasetDelivery>, "tasks": [{"task_id", "attachment_ids"}]}``.
        """
        ctl = self._ctl()
        return v2_datasets.deliver_dataset(ctl.ctx, ctl.account(api_key), dataset_id, name, tasks)

    def create_schema(self, api_key: str, json_schema: Any) -> JsonDict:
        """Store a JSON Schema (object or JSON text) for ``api_key``'s account; returns ``{"id", "json"}``."""
        ctl = self._ctl()
        return v2_schemas.create_schema(ctl.ctx, ctl.account(api_key), json_schema)
