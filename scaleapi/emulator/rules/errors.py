"""The one exception the service layer raises, and helpers that build it.

Routes turn an :class:`ApiError` into the wire shape ``{"status_code": N, "error": "..."}``
(API reference §1.6); nothing below the routes knows about HTTP beyond the status number.
"""
from __future__ import annotations


class ApiError(Exception):
    """A client-visible failure with the HTTP status it maps to (API reference §1.7)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    """A 400: the request is malformed or a parameter is missing or invalid."""
    return ApiError(400, message)


def invalid_param(name: str, reason: str) -> ApiError:
    """A 400 in Scale's validation wording, e.g. ``Parameter is invalid, reason: "x" is required``."""
    return ApiError(400, f'Parameter is invalid, reason: "{name}" {reason}')


def missing_param(name: str) -> ApiError:
    """A 400 naming a required parameter that was not sent."""
    return invalid_param(name, "is required")


def not_found(message: str) -> ApiError:
    """A 404: the named resource does not exist in this account."""
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    """A 409: a name, ``unique_id`` or ``reference_id`` is already taken."""
    return ApiError(409, message)


TASK_NOT_FOUND = "Task with that ID not found."
