"""The 25 v2 endpoints: method, path, parameters, body model and response map of each.

The table is data: ``tools/gen_v2_endpoints.py`` writes it from ``tools/v2_endpoints_spec.json`` to
``endpoints.json`` beside this module (package data), read once, when the v2 layer is first imported.
"""
import json
import pkgutil
from typing import Any, Dict, Tuple

#: The columns of a ``params`` row: (name, in, wire name, kind, enum, required, min, max).
PARAM_COLUMNS: Tuple[str, ...] = ("name", "in", "wire_name", "kind", "enum", "required", "min", "max")


def _load() -> Dict[str, Dict[str, Any]]:
    """The table of ``endpoints.json``, each ``params`` row a tuple of ``PARAM_COLUMNS``."""
    data = pkgutil.get_data(__name__.rsplit(".", 1)[0], "endpoints.json")
    if data is None:  # pragma: no cover - only a loader without get_data answers None
        raise ImportError("scaleapi.api_client.v2.api: endpoints.json cannot be read")
    table: Dict[str, Any] = json.loads(data)
    return {name: dict(row, params=tuple(tuple(param) for param in row["params"]))
            for name, row in table["endpoints"].items()}


#: name -> facts (``method``, ``path``, ``params``, ``body``, ``body_param``, ``responses``,
#: ``idempotent``, ``content_type``).
ENDPOINTS: Dict[str, Dict[str, Any]] = _load()
