"""Handlers that only pass on what a route matched to one service function.

``service(ctx, account, [path argument,] [query or JSON body])``: used for routes with at most one
path argument, so the argument's position is never in doubt.
"""
from __future__ import annotations

from typing import Any, Callable

from ..rules.context import ServiceContext
from .request import ApiRequest
from .router import Handler


def with_body(service: Callable[..., Any]) -> Handler:
    """A handler calling ``service`` with the account, the path argument if any, and the JSON body."""
    def handler(ctx: ServiceContext, req: ApiRequest, **path: str) -> Any:
        return service(ctx, req.authenticated(), *path.values(), req.json())
    return handler


def account_only(service: Callable[..., Any]) -> Handler:
    """A handler calling ``service`` with the account and the path argument if any."""
    def handler(ctx: ServiceContext, req: ApiRequest, **path: str) -> Any:
        return service(ctx, req.authenticated(), *path.values())
    return handler


def with_query(service: Callable[..., Any]) -> Handler:
    """A handler calling ``service`` with the account, the path argument if any, and the query."""
    def handler(ctx: ServiceContext, req: ApiRequest, **path: str) -> Any:
        return service(ctx, req.authenticated(), *path.values(), req.query)
    return handler
