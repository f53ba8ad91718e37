"""``ApiClient``: sends v2 calls through the SDK's own transport (``scaleapi.api.Api``).

Every v2 call is one ``Api.request`` on a per-call copy of the client's ``Api``: the same pooled
session, timeouts, retry policy, proxies, ``verify`` and ``cert`` as the v1 calls, with Bearer auth,
the v2 host, the call's own headers, and the v2 answer handling (models, ``ApiResponse``, the raw
response, the v2 exception classes) in place of the v1 one.
"""
import json
from typing import Any, Dict, Mapping, Optional, Union

import requests

from ...api import Api, Timeout
from ...exceptions import ScaleConfigurationError, ScaleException
from ..._closing import Closing
from ..._retry import CallKind
from ._model import model_class
from .api_response import ApiResponse
from .configuration import Configuration
from .exceptions import ApiValueError, exception_for_status

__all__ = ["ApiClient"]

#: What a call's answer becomes: the model ("data"), an ApiResponse ("info") or the response ("raw").
VARIANTS = ("data", "info", "raw")


class ApiClient(Closing):
    """The connection of a ``V2Api``: its ``configuration``, default headers and transport.

    Args:
        configuration: host and key; default ``Configuration.get_default()``.
        header_name, header_value: one default header sent on every call.
        cookie: a ``Cookie`` header sent on every call.
        api: the SDK transport to share (``ScaleClient`` passes its own). Without one, a transport is
            built on first use from the configuration (``access_token``, ``verify_ssl``,
            ``ssl_ca_cert``, ``cert_file``/``key_file``, ``proxy``, ``retries``).
    """

    def __init__(self, configuration: Optional[Configuration] = None, header_name: Optional[str] = None,
                 header_value: Optional[str] = None, cookie: Optional[str] = None, *,
                 api: Optional[Api] = None) -> None:
        self.configuration = Configuration.get_default() if configuration is None else configuration
        self.default_headers: Dict[str, str] = {}
        if header_name is not None:
            self.default_headers[header_name] = str(header_value)
        self.cookie = cookie
        self._api = api
        # the key the transport sends; a different configuration.access_token is sent instead
        self._token = self.configuration.access_token if api is not None else None
        self.user_agent = api.user_agent if api is not None else Api._generate_useragent(None)  # pylint: disable=protected-access

    @property
    def user_agent(self) -> str:
        """The User-Agent sent on every call (ScaleClient sets the v1 one)."""
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send ``header_name: header_value`` on every call."""
        self.default_headers[header_name] = header_value

    @property
    def api(self) -> Api:
        """The SDK transport the calls go through (built from the configuration if none was given)."""
        if self._api is None:
            self._api = self._build_api()
        return self._api

    def _build_api(self) -> Api:
        config = self.configuration
        if not config.access_token:
            raise ScaleConfigurationError(
                "no API key: set Configuration.access_token (or use ScaleClient(api_key).v2)")
        verify: Union[bool, str, None] = config.ssl_ca_cert or (None if config.verify_ssl else False)
        cert: Any = config.cert_file
        if config.cert_file and config.key_file:
            cert = (config.cert_file, config.key_file)
        proxies = {"http": config.proxy, "https": config.proxy} if config.proxy else None
        api = Api(config.access_token, None, config.host, verify, proxies, cert, max_retries=config.retries)
        self._token = config.access_token
        return api

    def close(self) -> None:
        """Close the transport's pooled connections (those of the ScaleClient when shared)."""
        if self._api is not None:
            self._api.close()

    def __repr__(self) -> str:
        return f"ApiClient(host={self.configuration.host!r})"

    def __getstate__(self) -> Dict[str, Any]:
        # the key stays out of pickles (the transport recalls its own, see scaleapi.api)
        state = dict(self.__dict__)
        state["_token"] = None
        return state

    # -- one call ---------------------------------------------------------------------------------

    def call_api(  # pylint: disable=too-many-arguments
        self,
        endpoint: Mapping[str, Any],
        path: str,
        body: Any,
        variant: str,
        *,
        timeout: Optional[Timeout] = None,
        auth: Optional[Mapping[str, Any]] = None,
        content_type: Optional[str] = None,
        headers: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """Send one checked call (``path`` holds the query) and return what ``variant`` asks for."""
        transport = self.api.with_options(timeout=timeout)
        transport.base_url = self.configuration.get_host_from_settings(0).rstrip("/")
        sent: Dict[str, str] = {"Accept": "application/json"}
        if self.cookie:
            sent["Cookie"] = self.cookie
        sent.update(self.default_headers)
        if body is not None:
            sent["Content-Type"] = content_type or endpoint["content_type"] or "application/json"
        token = self.configuration.access_token
        transport.auth_scheme = "bearer"
        if token != self._token:
            transport.auth_scheme = "none"
            if token:
                sent["Authorization"] = f"Bearer {token}"
        if auth is not None:
            transport.auth_scheme = "none"
            sent.update(_auth_header(auth))
        sent.update({str(key): str(value) for key, value in (headers or {}).items()})
        for key, value in sent.items():
            if any(bad in key + value for bad in "\r\n\0"):
                # refused here, without the value, which may be a key (requests would quote it)
                raise ApiValueError(f"header {key!r}: a header name or value may not hold CR, LF or NUL")
        transport.extra_headers = sent
        transport.on_response = lambda resp: _answer(resp, endpoint, variant)
        kind = CallKind.IDEMPOTENT if endpoint["idempotent"] else CallKind.CREATE
        if body is None:
            return transport.request(endpoint["method"], path, kind=kind)
        return transport.request(endpoint["method"], path, body=body, kind=kind)


def _auth_header(auth: Mapping[str, Any]) -> Dict[str, str]:
    """The header of a ``_request_auth`` setting (``{"in": "header", "key": ..., "value": ...}``)."""
    if not isinstance(auth, Mapping) or auth.get("in", "header") != "header" or not auth.get("key"):
        raise ApiValueError('_request_auth: expected {"in": "header", "key": <header>, "value": <text>}')
    return {str(auth["key"]): str(auth.get("value", ""))}


def _json_body(resp: requests.Response) -> Any:
    """The JSON of a 2xx answer, or a ScaleException saying why it is not JSON."""
    content_type = resp.headers.get("Content-Type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    where = f"{resp.request.method} {resp.request.path_url.split('?', 1)[0]}" if resp.request else "the call"
    if media and media != "application/json" and not media.endswith("+json"):
        raise ScaleException(
            f"{where}: the server answered {resp.status_code} with Content-Type {media!r}, not JSON "
            f"({len(resp.content)} bytes)", resp.status_code)
    try:
        return json.loads(resp.content)
    except ValueError:
        raise ScaleException(
            f"{where}: the server answered {resp.status_code} with a body that is not JSON "
            f"({len(resp.content)} bytes)", resp.status_code) from None
    except RecursionError:
        raise ScaleException(
            f"{where}: the server answered {resp.status_code} with JSON nested too deeply to read",
            resp.status_code) from None


def _answer(resp: requests.Response, endpoint: Mapping[str, Any], variant: str) -> Any:
    """Turn the final answer of a call into its result (or raise the v2 exception of its status)."""
    if variant == "raw":
        return resp
    status = resp.status_code
    model_name = endpoint["responses"].get(str(status))
    if 200 <= status < 300:
        data = None
        if model_name is not None:
            parsed = _json_body(resp)
            if parsed is None:
                raise ScaleException(f"the server answered {status} with JSON null, expected a {model_name}",
                                     status)
            if variant == "json" and isinstance(parsed, dict):
                return parsed  # a list generator reads the page itself, one item at a time
            data = model_class(model_name).from_dict(parsed)  # type: ignore[attr-defined]
        if variant == "info":
            return ApiResponse(status_code=status, headers=dict(resp.headers), data=data,
                               raw_data=resp.content)
        return data
    error_model = None
    if model_name is not None:
        try:
            error_model = model_class(model_name).from_dict(json.loads(resp.content))  # type: ignore[attr-defined]
        except (ValueError, RecursionError):  # the body does not fit the error model: data stays None
            error_model = None
    raise exception_for_status(status, resp.reason, body=resp.text, headers=resp.headers, data=error_model)
