"""Pieces of SQL text the stores share: placeholder lists and half-open range clauses.

Only ``?`` placeholders are built here; values always travel as parameters.
"""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple


def marks(values: Sequence[Any]) -> str:
    """``?,?,?``: one placeholder per value, for an ``IN (...)`` list."""
    return ",".join("?" * len(values))


def range_clauses(column: str, bounds: Tuple[Any, Any], params: List[Any]) -> List[str]:
    """``column >= from`` and ``column < to`` for the bounds that are set (None is an open end).

    The bound values are appended to ``params`` in the order of the returned clauses.
    """
    clauses: List[str] = []
    low, high = bounds
    if low is not None:
        clauses.append(f"{column} >= ?")
        params.append(low)
    if high is not None:
        clauses.append(f"{column} < ?")
        params.append(high)
    return clauses
