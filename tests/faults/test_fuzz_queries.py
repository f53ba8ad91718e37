"""The emulator under targeted query generators: time ranges, integer extremes, forged page tokens.

Time filters at the edges of years 1 and 9999 with every UTC offset, integer extremes for
``limit``/``offset``, and forged ``next_token`` values; no response is ever >= 500 (support.fuzz_v1).
"""
import base64
import json
from datetime import datetime
from typing import Any, Dict, List, Tuple

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz_v1 import INTEGERS, QUERY_VALUES, check_answer
from support.fuzzing import FUZZ_SETTINGS, JSON

from scaleapi.emulator import Emulator

_OFFSETS = st.builds(
    lambda minutes: f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
_MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999))
_EDGES = st.sampled_from([datetime(1, 1, 1), datetime(1, 1, 1, 23, 59), datetime(9999, 12, 31),
                          datetime(9999, 12, 31, 23, 59, 59, 999999), datetime(1970, 1, 1)])


@st.composite
def times(draw: Any) -> str:
    """A time filter: any moment of years 1-9999 in any format the emulator reads, any offset."""
    moment = draw(st.one_of(_EDGES, _MOMENTS))
    text: str = draw(st.sampled_from([
        moment.strftime("%Y-%m-%d"), moment.isoformat(), moment.isoformat(sep=" "),
        moment.strftime("%Y-%m-%dT%H:%M"), moment.isoformat(timespec="milliseconds"),
    ]))
    zone: str = draw(
        st.one_of(_OFFSETS, st.sampled_from(["", "Z", "+99:99", "-24:00", "+0530", "+05:00", "-05:00"]))
    )
    return text + zone if "T" in text or " " in text else text


TIME_QUERY = st.dictionaries(
    st.sampled_from(["start_time", "end_time", "updated_after", "updated_before", "completed_after",
                     "completed_before"]),
    st.one_of(times(), QUERY_VALUES), min_size=1, max_size=3,
)
INTEGER_TEXT = st.one_of(
    INTEGERS.map(str), st.sampled_from(["+5", " 5 ", "1_000", "1e3", "0x10", "\u0661", "9" * 5000, "-0", ""]),
)


def _token(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _real_token(session: requests.Session, url: str) -> str:
    return str(session.get(f"{url}/tasks", params={"limit": 1}, timeout=10).json()["next_token"])


TOKEN_NUMBERS = st.one_of(
    INTEGERS, st.floats(allow_nan=False, allow_infinity=False), st.none(), st.text(max_size=5)
)


@pytest.mark.parametrize("path", ["/tasks", "/batches"])
def test_time_ranges_and_integer_extremes(
    fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], path: str
) -> None:
    emu, session, _ = fuzz_target

    @FUZZ_SETTINGS
    @given(times_=TIME_QUERY, ints=st.one_of(
        st.just({}), st.dictionaries(st.sampled_from(["limit", "offset"]), INTEGER_TEXT, max_size=2)
    ))
    def check(times_: Dict[str, str], ints: Dict[str, str]) -> None:
        query = {**times_, **ints}
        resp = session.get(f"{emu.url}{path}", params=query, timeout=30)
        check_answer(resp, f"GET {path} {query}")

    check()  # pylint: disable=no-value-for-parameter


def test_forged_page_tokens(fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]]) -> None:
    emu, session, _ = fuzz_target
    real = _real_token(session, emu.url)
    fields = json.loads(base64.urlsafe_b64decode(real + "=="))

    @FUZZ_SETTINGS
    @given(
        kind=st.sampled_from(["mutated", "mutated", "mutated", "random-list", "text", "bytes"]),
        index=st.sampled_from([1, 2, 1, 2, 3, 4, 0, 5]), value=st.one_of(INTEGERS, TOKEN_NUMBERS, JSON),
        values=st.lists(st.one_of(TOKEN_NUMBERS, JSON), max_size=8), text=st.text(max_size=80),
        raw=st.binary(max_size=80),
    )
    def check(kind: str, index: int, value: Any, values: List[Any], text: str, raw: bytes) -> None:
        if kind == "mutated":  # a real token with one field replaced: the fingerprint still matches
            forged = list(fields)
            forged[index] = value
            token = _token(forged)
        elif kind == "random-list":
            token = _token(values)
        elif kind == "text":
            token = text
        else:
            token = base64.urlsafe_b64encode(raw).decode()
        query: Dict[str, Any] = {"limit": 1, "next_token": token}
        resp = session.get(f"{emu.url}/tasks", params=query, timeout=30)
        check_answer(resp, f"GET /tasks next_token={token[:80]!r}")

    check()  # pylint: disable=no-value-for-parameter
