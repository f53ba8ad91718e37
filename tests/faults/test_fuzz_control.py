"""The emulator's control API (``/_emulator/...``) under garbage, wrong types and huge numbers.

``lifecycle``, ``faults`` and the task completion routes get generated bodies; every fault rule
accepted is then exercised by a v1 request, which must not hit an internal error.
"""
import json
import urllib.parse
from typing import Any, Dict, List, Optional, Tuple

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from support.fuzz_v1 import BIG, INTEGERS, KEY, NAMES, check_answer
from support.fuzzing import EXAMPLES, FUZZ_SETTINGS, JSON

from scaleapi.emulator import Emulator
from scaleapi.emulator.http.faults import ACTIONS as FAULT_ACTIONS



CONTROL_FIELDS = st.sampled_from([
    "complete_after", "response", "error", "action", "status", "delay_ms", "count", "probability", "seed",
    "path", "method", "retry_after", "body", "content_type", "api_key", "account", "id", "fired",
])
CONTROL_VALUES = st.one_of(
    st.sampled_from(
        BIG + ["status", "delay", "error_after", "drop_before", "*", "/v1/*", 1e308, -1e308, 0.5]
    ),
    INTEGERS,
    JSON,
)


@pytest.mark.parametrize("route", ["lifecycle", "faults", "tasks/{id}/complete", "tasks/{id}/fail"])
def test_control_api(fuzz_target: Tuple[Emulator, requests.Session, Dict[str, Any]], route: str) -> None:
    emu, session, _ = fuzz_target
    control = requests.Session()
    control.trust_env = False
    task_ids = [
        doc["task_id"]
        for doc in session.get(f"{emu.url}/tasks", params={"limit": 2}, timeout=10).json()["docs"]
    ]

    @settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 2, 1))
    @given(
        method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
        task=st.one_of(st.sampled_from(task_ids), NAMES),
        body=st.dictionaries(CONTROL_FIELDS, CONTROL_VALUES, max_size=5),
        main=st.tuples(CONTROL_FIELDS, CONTROL_VALUES),
        action=st.one_of(st.none(), st.sampled_from(FAULT_ACTIONS)),
        as_list=st.booleans(),
        garbage=st.one_of(st.none(), st.none(), st.binary(max_size=30)),
    )
    def check(  # pylint: disable=too-many-arguments
        method: str,
        task: str,
        body: Dict[str, Any],
        main: Tuple[str, Any],
        action: Optional[str],
        as_list: bool,
        garbage: Optional[bytes],
    ) -> None:
        # The field the route reads gets a generated value; a fault rule also gets a valid action
        # now and then, so that its other fields are checked too.
        field = {"lifecycle": "complete_after", "tasks/{id}/complete": "response", "tasks/{id}/fail": "error"}
        body[field.get(route, main[0])] = main[1]
        if action is not None:
            body.setdefault("action", action)
        path = route.replace("{id}", urllib.parse.quote(task, safe=""))
        payload = garbage if garbage is not None else json.dumps([body] if as_list else body).encode()
        try:
            resp = control.request(method, f"{emu.base}/_emulator/{path}", data=payload,
                                   headers={"Content-Type": "application/json"}, timeout=30)
            check_answer(resp, f"{method} /_emulator/{path} {payload[:200]!r}")
            if route == "faults" and method == "POST" and resp.status_code == 200:
                _probe_with(emu, control, resp.json()["faults"])
        finally:
            control.delete(f"{emu.base}/_emulator/faults", timeout=10)
            control.post(f"{emu.base}/_emulator/lifecycle", json={"complete_after": None}, timeout=10)

    check()  # pylint: disable=no-value-for-parameter
    control.close()


def _probe_with(emu: Emulator, control: requests.Session, rules: List[Dict[str, Any]]) -> None:
    """A v1 request while the accepted rules are active: whatever they inject (a 5xx on purpose
    included, so the probe is not counted), the emulator itself must not fail."""
    if any(rule["action"] == "delay" and rule["delay_ms"] > 1000 for rule in rules):
        return  # a valid, long delay: it would only make the probe wait
    try:
        resp = control.get(f"{emu.url}/projects", auth=(KEY, ""), timeout=30)
    except requests.RequestException:
        return  # drop_* and truncate rules cut the connection on purpose
    assert "Internal emulator error" not in resp.text, (rules, resp.status_code, resp.text[:300])
