"""What the two fuzz tiers (v1 and v2) draw from alike: the settings, random JSON, and the unshaped bodies."""
import json
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SCALEAPI_FUZZ_EXAMPLES", "60"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def unshaped_body(draw: Any, kind: str) -> bytes:
    """The body of a kind that ignores the schema: random JSON, bytes, invalid UTF-8, deep nesting or none."""
    if kind in ("json", "shaped"):
        return json.dumps(draw(JSON)).encode()
    if kind == "bytes":
        return bytes(draw(st.binary(max_size=200)))
    if kind == "invalid-utf8":
        return b'{"name": "\xff\xfe\xc3\x28"}'
    if kind == "nested":
        depth = int(draw(st.integers(min_value=50, max_value=5000)))
        return b"[" * depth + b"]" * depth
    return b""
