"""What the v1 fuzz modules (tests/faults/test_fuzz*.py but ``test_fuzz_v2``) share.

One emulator per module (``fuzz_target``, through tests/faults/conftest.py) with a few real objects,
the answer check every generated request goes through, the running totals that
``test_fuzz_wire.py::test_report_counts`` reports, and the strategies more than one module draws from.
"""
from typing import Any, Dict, Iterator, Tuple

import pytest
import requests
from hypothesis import strategies as st

from scaleapi.emulator import Emulator

__all__ = ["BIG", "INTEGERS", "KEY", "NAMES", "QUERY_VALUES", "SENT", "check_answer", "count_status",
           "fuzz_target"]

KEY = "test_fuzzing"
SENT: Dict[str, int] = {"requests": 0, "5xx": 0}


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[Tuple[Emulator, requests.Session, Dict[str, Any]]]:
    """An emulator with a project ``p``, a batch ``b`` and 5 tasks, a session with KEY, and the spec."""
    with Emulator() as emu:
        session = requests.Session()
        session.auth = (KEY, "")
        spec = session.get(f"{emu.url}/openapi.json", timeout=10).json()
        _seed(session, emu.url)
        emu.seed_tasks(KEY, 5, project="p")
        yield emu, session, spec
        session.close()




def _seed(session: requests.Session, url: str) -> None:
    """A few real objects, so generated names sometimes hit something that exists."""
    session.post(f"{url}/projects", json={"type": "imageannotation", "name": "p"}, timeout=10)
    session.post(f"{url}/batches", json={"project": "p", "name": "b"}, timeout=10)


NAMES = st.one_of(
    st.sampled_from(["p", "b", "imageannotation", "textcollection", "0" * 24, "..", ".", "a/b", "../../etc"]),
    st.text(min_size=0, max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=5),
    st.text(min_size=200, max_size=400),
)
QUERY_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["True", "false", "0", "-1", "101", "1e9", "2021-13-45", "", "null"]),
)
BIG = [0, 1, -1, 100, 101, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), -(2**63) - 1,
       10**30, 2**1100]
INTEGERS = st.one_of(st.sampled_from(BIG), st.integers(min_value=-(2**80), max_value=2**80))


def check_answer(resp: requests.Response, what: str) -> None:
    """Count one answer; it must be below 500 and, when an error, in the JSON error shape."""
    count_status(resp.status_code)
    assert resp.status_code < 500, f"{what} -> {resp.status_code}: {resp.text[:300]}"
    if resp.status_code != 200:
        error = resp.json()
        assert isinstance(error.get("error"), str) and error.get("status_code") == resp.status_code


def count_status(status: int) -> None:
    """Count one answer's status in SENT."""
    SENT["requests"] += 1
    if status >= 500:
        SENT["5xx"] += 1
