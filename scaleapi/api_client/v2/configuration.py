"""``Configuration``: where and how the v2 client connects.

``ScaleClient(...).v2`` gets one filled from the client (host derived from ``api_instance_url`` /
``SCALE_API_BASE_URL``, the API key as ``access_token``); its ``verify``, ``proxies`` and ``cert`` are
those of the client's own connection pool. A ``Configuration`` built by hand is used by a standalone
``ApiClient(configuration)``, which then builds its pool from ``verify_ssl``, ``ssl_ca_cert``,
``cert_file``/``key_file`` and ``proxy``.
"""
import copy
import logging
from typing import Any, Dict, List, Optional

__all__ = ["Configuration", "DEFAULT_HOST", "v2_host"]

#: The public API's host; v2 paths carry their own ``/v2`` prefix.
DEFAULT_HOST = "https://api.scale.com"


def v2_host(api_instance_url: str) -> str:
    """The v2 host of a v1 base URL: ``https://x/v1`` gives ``https://x`` (so v2 calls go to ``/v2/...``).

    A base URL that does not end in ``/v1`` is taken as the host itself.
    """
    url = api_instance_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class Configuration:  # pylint: disable=too-many-instance-attributes
    """Settings of a v2 ``ApiClient``.

    Args:
        host: scheme, host and port (and any path before ``/v2``); default ``https://api.scale.com``.
        access_token: the API key, sent as ``Authorization: Bearer <key>``.
        username, password: kept for code that sets them; this client sends Bearer auth only.
        server_index: must be 0 (there is one server).
    """

    _default: Optional["Configuration"] = None

    def __init__(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        host: Optional[str] = None,
        api_key: Optional[Dict[str, str]] = None,
        api_key_prefix: Optional[Dict[str, str]] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        access_token: Optional[str] = None,
        server_index: Optional[int] = None,
        ssl_ca_cert: Optional[str] = None,
        retries: Optional[int] = None,
    ) -> None:
        self.host: str = DEFAULT_HOST if host is None else host
        self.api_key: Dict[str, str] = dict(api_key or {})
        self.api_key_prefix: Dict[str, str] = dict(api_key_prefix or {})
        self.username = username
        self.password = password
        self.access_token = access_token
        if server_index not in (None, 0):
            raise ValueError("server_index: there is one server, so only 0 is valid")
        self.server_index = 0
        #: strftime format of datetimes in query strings (a naive datetime gets no offset).
        self.datetime_format = "%Y-%m-%dT%H:%M:%S.%f%z"
        self.date_format = "%Y-%m-%d"
        self.safe_chars_for_path_param = ""
        #: retries after the first attempt (None: the SDK default); used by a standalone ApiClient.
        self.retries = retries
        self.verify_ssl = True
        self.ssl_ca_cert = ssl_ca_cert
        self.cert_file: Optional[str] = None
        self.key_file: Optional[str] = None
        self.proxy: Optional[str] = None
        self.proxy_headers: Optional[Dict[str, str]] = None
        self.client_side_validation = True
        self.connection_pool_maxsize: Optional[int] = None
        self.logger = {"package_logger": logging.getLogger("scaleapi")}
        self.debug = False

    def __repr__(self) -> str:
        # never the key
        return f"Configuration(host={self.host!r}, access_token={'<set>' if self.access_token else None})"

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Configuration":
        clone = object.__new__(Configuration)
        for key, value in self.__dict__.items():
            clone.__dict__[key] = value if key == "logger" else copy.deepcopy(value, memo)
        return clone

    def __getstate__(self) -> Dict[str, Any]:
        # secrets stay out of pickles: an unpickled ScaleClient's v2 sends the key its transport recalls
        state = {key: value for key, value in self.__dict__.items() if key != "logger"}
        state.update(access_token=None, password=None, api_key={})
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.logger = {"package_logger": logging.getLogger("scaleapi")}

    @classmethod
    def set_default(cls, default: Optional["Configuration"]) -> None:
        """Make ``default`` (a copy) what ``get_default`` returns."""
        cls._default = copy.deepcopy(default) if default is not None else None

    @classmethod
    def get_default(cls) -> "Configuration":
        """The default configuration (a fresh one unless ``set_default`` was called)."""
        if cls._default is None:
            cls._default = Configuration()
        return cls._default

    @classmethod
    def get_default_copy(cls) -> "Configuration":
        """A copy of the default configuration."""
        return copy.deepcopy(cls.get_default())

    def get_host_settings(self) -> List[Dict[str, Any]]:
        """The one server of the v2 API."""
        return [{"url": DEFAULT_HOST, "description": "The Scale API"}]

    def get_host_from_settings(self, index: Optional[int], variables: Optional[Dict[str, str]] = None,
                               servers: Optional[List[Dict[str, Any]]] = None) -> str:
        """``host`` for index None or 0; any other index is a ``ValueError``."""
        del variables, servers
        if index not in (None, 0):
            raise ValueError(f"_host_index: there is one server, so only 0 is valid, not {index!r}")
        return self.host

    def auth_settings(self) -> Dict[str, Dict[str, str]]:
        """The auth this configuration sends: Bearer when ``access_token`` is set (value not shown)."""
        if not self.access_token:
            return {}
        return {"bearerAuth": {"type": "bearer", "in": "header", "key": "Authorization",
                               "value": "Bearer <access_token>"}}

    def to_debug_report(self) -> str:
        """Versions, for bug reports."""
        import platform  # pylint: disable=import-outside-toplevel

        from ..._version import __version__  # pylint: disable=import-outside-toplevel

        return (f"Python SDK Debug Report:\nOS: {platform.system()}\n"
                f"Python Version: {platform.python_version()}\nSDK Package Version: {__version__}")
