"""Response schemas: stored JSON Schemas served by ``GET /v2/schema`` as a string."""
from __future__ import annotations

import json
import re
from typing import Any, Dict

from .context import ServiceContext
from .errors import invalid_param, not_found
from .identity import Account, new_object_id
from .jsontext import encode
from .v2_common import Query, query_str, v2_error

JsonDict = Dict[str, Any]

#: What a schema id may look like; anything else is a 400, not a lookup.
SCHEMA_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
#: Largest JSON Schema accepted, serialised.
MAX_SCHEMA_BYTES = 1024 * 1024


def create_schema(ctx: ServiceContext, account: Account, json_schema: Any) -> JsonDict:
    """Store a JSON Schema (an object, or its JSON text); returns ``{"id", "json"}`` as served."""
    if isinstance(json_schema, str):
        try:
            json_schema = json.loads(json_schema)
        except ValueError as err:
            raise invalid_param("json_schema", "must be a JSON object or its JSON text") from err
    if not isinstance(json_schema, dict):
        raise invalid_param("json_schema", "must be a JSON object (a JSON Schema)")
    text = encode(json_schema)
    if len(text) > MAX_SCHEMA_BYTES:
        raise invalid_param("json_schema", f"must be at most {MAX_SCHEMA_BYTES} bytes as JSON")
    schema_id = new_object_id()
    with ctx.store.transaction():
        ctx.store.v2data.insert_schema(account.id, schema_id, text)
    return {"id": schema_id, "json": text}


def schema_exists(ctx: ServiceContext, account: Account, schema_id: str) -> bool:
    """True when the account has a schema with this id."""
    return ctx.store.v2data.schema(account.id, schema_id) is not None


def get_schema(ctx: ServiceContext, account: Account, query: Query) -> JsonDict:
    """``GET /v2/schema``: 400 without a well-formed ``schema_id``, 404 for an unknown one."""
    schema_id = query_str(query, "schema_id")
    if schema_id is None or not SCHEMA_ID.fullmatch(schema_id):
        raise v2_error(400, "schema_id is required: an id of letters, digits and _.:- (at most 128).")
    with ctx.store.transaction():
        text = ctx.store.v2data.schema(account.id, schema_id)
    if text is None:
        raise not_found("Schema not found.")
    return {"schema": {"id": schema_id, "json": text}}
