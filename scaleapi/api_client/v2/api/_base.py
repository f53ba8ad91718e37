"""What the generated ``V2Api`` methods share: argument checks, the URL and body, and the call.

Every argument is checked before anything is sent, and a bad one raises ``ApiValueError`` (a
``ValueError`` and a ``ScaleInvalidRequest``) naming the parameter: str parameters take only text,
``limit`` only an int in 1..100, datetimes a ``datetime`` or ISO 8601 text, enum parameters a member,
its value or a member of another enum with a valid value (the v1 ``TaskStatus.Completed``), list
parameters a list or tuple of those, and the body its request model or a dict of the model's keys.

Each endpoint's typed signature is written once (``endpoint``, on a body-less method of ``V2Api``);
``with_http_info`` and ``without_preload_content`` derive the other two variants from it, with the
same parameters and their own return type.
"""
from __future__ import annotations

import inspect
import textwrap
import urllib.parse
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union

from ....api import Timeout
from .._model import as_request, model_class, parse_datetime
from ..api_client import ApiClient
from ..exceptions import ApiValueError
from ._endpoints import ENDPOINTS

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    from typing import Concatenate, ParamSpec

    import requests

    from ..api_response import ApiResponse

    P = ParamSpec("P")

__all__ = ["V2ApiBase", "DateTimeArg", "EnumArg", "Timeout", "check_call", "endpoint", "with_http_info",
           "without_preload_content"]

R = TypeVar("R")

#: A datetime parameter: a ``datetime`` (naive is sent without an offset) or ISO 8601 text.
DateTimeArg = Union[datetime, str]
#: An enum parameter: a member of its enum, its value, or a member of another enum with that value.
EnumArg = Union[Enum, str]

_DEFAULT_CLIENT: Optional[ApiClient] = None


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool"
    return f"{'an' if type(value).__name__[0] in 'aeiou' else 'a'} {type(value).__name__}"


def _enum_value(enum_name: str, name: str, value: Any) -> str:
    cls: Any = model_class(enum_name)
    raw = value.value if isinstance(value, Enum) else value
    if not isinstance(raw, str):
        raise ApiValueError(f"{name}: expected a {enum_name} or its value, got {_kind(value)}")
    try:
        return str(cls(raw).value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in cls)
        raise ApiValueError(f"{name}: {raw!r} is not a {enum_name} (one of {allowed})") from None


def _checked(row: Tuple[Any, ...], value: Any, datetime_format: str) -> List[str]:
    """The wire texts of one parameter (several for a list), or ApiValueError."""
    name, _where, _wire, kind, enum_name, _required, low, high = row
    if kind == "str":
        if not isinstance(value, str):
            raise ApiValueError(f"{name}: expected a string, got {_kind(value)}")
        return [value]
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApiValueError(f"{name}: expected an integer, got {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ApiValueError(f"{name}: must be between {low} and {high}, got {value}")
        return [str(value)]
    if kind == "datetime":
        if isinstance(value, str):
            try:
                value = parse_datetime(value)
            except ValueError as err:
                raise ApiValueError(f"{name}: {err} ({value!r})") from None
        if not isinstance(value, datetime):
            raise ApiValueError(f"{name}: expected a datetime or ISO 8601 text, got {_kind(value)}")
        return [value.strftime(datetime_format)]
    if kind == "enum":
        return [_enum_value(enum_name, name, value)]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ApiValueError(f"{name}: expected a list of {enum_name}, got {_kind(value)}")
    return [_enum_value(enum_name, f"{name}[{index}]", item) for index, item in enumerate(value)]


def check_call(row: Mapping[str, Any], args: Mapping[str, Any],
               datetime_format: str = "%Y-%m-%dT%H:%M:%S.%f%z", safe_path: str = "") -> Tuple[str, Any]:
    """The path with its query string, and the body (a JSON-ready dict or None), of one call.

    Query values are percent-encoded with ``/`` left as is, list parameters repeat their key, and
    None parameters are left out; path parameters are percent-encoded with nothing left safe.

    Raises:
        ApiValueError: an argument is missing, of the wrong type or out of range (names it).
    """
    path = row["path"]
    pairs: List[str] = []
    for param in row["params"]:
        name, where, wire, _kind_name, _enum, required = param[:6]
        value = args.get(name)
        if value is None:
            if required:
                raise ApiValueError(f"{name}: is required")
            continue
        texts = _checked(param, value, datetime_format)
        if where == "path":
            path = path.replace("{" + wire + "}", urllib.parse.quote(texts[0], safe=safe_path))
        else:
            pairs += [f"{wire}={urllib.parse.quote(text, safe='/')}" for text in texts]
    body: Optional[Dict[str, Any]] = None
    if row["body_param"] is not None:
        given = args.get(row["body_param"])
        if given is None:
            raise ApiValueError(f"{row['body_param']}: is required")
        body = as_request(model_class(row["body"]), given).to_dict()
    return path + ("?" + "&".join(pairs) if pairs else ""), body


class V2ApiBase:
    """The state of a ``V2Api``: its ``api_client``."""

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        global _DEFAULT_CLIENT  # pylint: disable=global-statement
        if api_client is None:
            if _DEFAULT_CLIENT is None:
                _DEFAULT_CLIENT = ApiClient()
            api_client = _DEFAULT_CLIENT
        self.api_client = api_client

    def __repr__(self) -> str:
        return f"V2Api(host={self.api_client.configuration.host!r})"

    def _call(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        name: str,
        variant: str,
        timeout: Optional[Timeout],
        auth: Optional[Dict[str, Any]],
        content_type: Optional[str],
        headers: Optional[Dict[str, Any]],
        host_index: int,
        **args: Any,
    ) -> Any:
        row = ENDPOINTS[name]
        config = self.api_client.configuration
        if host_index != 0 or isinstance(host_index, bool):
            raise ApiValueError(f"_host_index: there is one server, so only 0 is valid, not {host_index!r}")
        if content_type is not None and not isinstance(content_type, str):
            raise ApiValueError(f"_content_type: expected a string, got {_kind(content_type)}")
        if headers is not None and not isinstance(headers, Mapping):
            raise ApiValueError(f"_headers: expected a dict, got {_kind(headers)}")
        path, body = check_call(row, args, config.datetime_format, config.safe_chars_for_path_param)
        return self.api_client.call_api(row, path, body, variant, timeout=timeout, auth=auth,
                                        content_type=content_type, headers=headers)


    def _page(self, name: str, **args: Any) -> Any:
        """One page of the paged endpoint ``name``, checked like any call but left as decoded JSON
        (a dict) for a list generator to read item by item; any other answer comes back as its model."""
        return self._call(name, "json", None, None, None, None, 0, **args)


def page_models(name: str, items: str) -> Tuple[type, type]:
    """The page model of endpoint ``name`` and the model of the items in its list field ``items``."""
    page = model_class(ENDPOINTS[name]["responses"]["200"])
    annotation = str(getattr(page, "__annotations__", {})[items])
    assert annotation.startswith("List[") and annotation.endswith("]"), annotation
    return page, model_class(annotation[len("List["):-1])


#: The keyword-only call options every method takes, in the order ``V2ApiBase._call`` reads them.
CALL_OPTIONS = ("_request_timeout", "_request_auth", "_content_type", "_headers", "_host_index")

_RETURNS = {
    "data": "the {ret} the server answered",
    "info": "an ``ApiResponse`` (status_code, headers, data, raw_data)",
    "raw": "the ``requests.Response`` as received: not checked, not parsed",
}
_NO_MODEL = ("Returns None: the answer has no model (the 302 is followed; read the target with the "
             "``_with_http_info`` or ``_without_preload_content`` variant).")


def _doc(summary: str, variant: str, ret: str, names: List[str]) -> str:
    """The docstring of one variant: the endpoint's summary, what it returns, its parameters."""
    returns = f"Returns {_RETURNS[variant].format(ret=ret)}."
    if variant == "data" and ret == "None":
        returns = _NO_MODEL
    params = f"Parameters: {', '.join(names) or 'none'}; the call options are described on ``V2Api``."
    indent = " " * 8
    lines = [summary, ""] + textwrap.wrap(returns, 92) + [""] + textwrap.wrap(params, 92)
    return "\n".join(line and indent + line for line in lines).lstrip() + "\n" + indent


def _variant(definition: Callable[..., Any], suffix: str, variant: str, returns: str) -> Callable[..., Any]:
    """A method that sends the endpoint ``definition`` describes and answers per ``variant``."""
    name = definition.__name__
    signature = inspect.signature(definition)
    names = [param for param in signature.parameters if param != "self" and param not in CALL_OPTIONS]
    ret = str(signature.return_annotation)

    def method(self: V2ApiBase, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)  # a TypeError names a missing or unknown argument
        bound.apply_defaults()
        values = bound.arguments
        options = [values[option] for option in CALL_OPTIONS]
        return self._call(name, variant, *options,  # pylint: disable=protected-access
                          **{param: values[param] for param in names})

    method.__name__ = name + suffix
    method.__qualname__ = definition.__qualname__ + suffix
    method.__module__ = definition.__module__
    method.__doc__ = _doc((definition.__doc__ or name).strip(), variant, ret, names)
    setattr(method, "__signature__", signature.replace(return_annotation=returns.format(ret=ret)))
    setattr(method, "_v2_definition", definition)
    return method


def endpoint(definition: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """The method ``x`` of the endpoint ``x`` whose typed, body-less definition this decorates."""
    return _variant(definition, "", "data", "{ret}")


def with_http_info(method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], ApiResponse[R]]:
    """The ``x_with_http_info`` variant of an ``endpoint`` method: the same call, an ``ApiResponse``."""
    return _variant(getattr(method, "_v2_definition"), "_with_http_info", "info", "ApiResponse[{ret}]")


def without_preload_content(
        method: Callable[Concatenate[Any, P], Any]) -> Callable[Concatenate[Any, P], requests.Response]:
    """The ``x_without_preload_content`` variant of an ``endpoint`` method: the raw ``requests.Response``."""
    return _variant(getattr(method, "_v2_definition"), "_without_preload_content", "raw", "requests.Response")
