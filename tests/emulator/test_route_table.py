"""The v1 route table and the OpenAPI document served at /v1/openapi.json describe the same API."""
from __future__ import annotations

import re
from typing import Dict, Set

from support.emulator import Api

from scaleapi.emulator.http.routes_v1 import ROUTES

# The document describes the API, not itself.
UNDOCUMENTED = {"/v1/openapi.json"}


def shape(path: str) -> str:
    """A path with its parameters blanked: ``/batches/<name>`` and ``/batches/{batch_name}`` match."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_every_route_is_documented_with_its_methods_and_nothing_more(api: Api) -> None:
    """Same paths, same methods, both ways."""
    document = api.ok("GET", "openapi.json")
    assert [server["url"] for server in document["servers"]] == [api.base]
    documented: Dict[str, Set[str]] = {}
    for path, operations in document["paths"].items():
        assert operations, path
        documented.setdefault(shape(path), set()).update(method.upper() for method in operations)
    routed: Dict[str, Set[str]] = {}
    for rule, methods, _handler in ROUTES:
        if rule in UNDOCUMENTED:
            continue
        assert rule.startswith("/v1/"), rule
        routed.setdefault(shape(rule[len("/v1"):]), set()).update(methods)
    assert routed == documented
    assert len(routed) >= 30


def test_pass_through_handlers_take_at_most_one_path_argument() -> None:
    """``with_body``/``account_only`` pass path arguments by position: one at most, never ambiguous."""
    generic = [rule for rule, _methods, handler in ROUTES
               if handler.__qualname__.split(".")[0] in ("with_body", "account_only")]
    assert len(generic) > 20
    assert [rule for rule in generic if rule.count("<") > 1] == []
