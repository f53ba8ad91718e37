"""The official-client flow's HTTPS phase: a retried GET and the 409-after-5xx recovery.

The emulator's fault rules (``/_emulator/faults``) set the stage.

Imported by official_client_flow.py once the repository is off ``sys.path``: ``scaleapi`` here is
the official client (see that script's docstring).
"""
# The step methods are named in the step table of Flow.run, which is their documentation.
# pylint: disable=missing-function-docstring
from __future__ import annotations

import os
from typing import Any, Dict, Optional

from flow_steps import Mismatch, Skip, expect
from official_flow_base import FlowState
import scaleapi
from scaleapi.exceptions import ScaleException
from scaleapi.tasks import TaskType


class HttpsSteps(FlowState):
    """Steps that need ``--https-url`` and ``--ca-bundle`` (skipped without them)."""

    # ---------------------------------------------------------------- https (retries)

    def _https(self) -> Any:
        if not (self.https_url and self.ca_bundle):
            raise Skip("needs --https-url and --ca-bundle")
        return scaleapi.ScaleClient(self.key, api_instance_url=self.https_url, verify=self.ca_bundle)

    def _control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        """Call the emulator's control API (test setup, not part of the client under test)."""
        # requests is installed with the official client; imported here as only this phase needs it.
        import requests  # pylint: disable=import-outside-toplevel

        assert self.https_url is not None
        base = self.https_url[: -len("/v1")] if self.https_url.endswith("/v1") else self.https_url
        res = requests.request(
            method, f"{base}/_emulator/{path}", json=body, verify=self.ca_bundle, timeout=10
        )
        res.raise_for_status()
        return res.json() if res.content else None

    def _add_fault(self, spec: Dict[str, Any]) -> Dict[str, Any]:
        added: Dict[str, Any] = self._control("POST", "faults", spec)["faults"][0]
        return added

    def _faults_fired(self, rule_id: str) -> int:
        rules = self._control("GET", "faults")["faults"]
        return next(int(r["fired"]) for r in rules if r["id"] == rule_id)

    def s_https_retry(self) -> str:
        client = self._https()
        self._control("DELETE", "faults")
        # The HTTPS emulator may be another server than the plain one: give it its own project.
        client.create_project(project_name=self.https_project, task_type=TaskType.ImageAnnotation)
        rule = self._add_fault(
            {"action": "status", "method": "GET", "path": "/v1/projects/*", "status": 503,
             "retry_after": "0", "count": 1, "api_key": self.key},
        )
        project = client.get_project(self.https_project)
        expect(project.name == self.https_project, f"name {project.name!r}")
        expect(self._faults_fired(rule["id"]) == 1, "the 503 rule did not fire exactly once")
        return "503 then 200: the client retried once"

    def _false_500_then_create(self, client: Any, uid: str) -> Any:
        """Arm one "false 500" on task creation, then create a task with ``uid`` over HTTPS."""
        self._control("DELETE", "faults")
        # "error_after": the emulator creates the task, then answers 500. The client retries the
        # POST, gets 409 for the unique_id, and recovers the task with GET tasks?unique_id=...
        rule = self._add_fault(
            {"action": "error_after", "method": "POST", "path": "/v1/task/imageannotation",
             "status": 500, "count": 1, "api_key": self.key},
        )
        try:
            return client.create_task(
                TaskType.ImageAnnotation, **self._task_payload(project=self.https_project, unique_id=uid)
            )
        finally:
            fired = self._faults_fired(rule["id"])
            self._control("DELETE", "faults")
            expect(fired == 1, f"the false-500 rule fired {fired} times")

    def s_https_recovery(self) -> str:
        client = self._https()
        # Q13: the recovery GET is sent without the client's verify/cert/proxies, so with a private
        # CA given only as verify=... it fails certificate verification (after urllib3's own
        # retries: 0 + 4 + 8 s). The task was created all the same.
        uid = f"{self.unique_id}-q13"
        try:
            task = self._false_500_then_create(client, uid)
        except ScaleException as exc:
            expect("CERTIFICATE_VERIFY_FAILED" in str(exc), f"Q13 expected an SSL error, got {exc}")
        else:
            raise Mismatch(f"Q13 no longer holds: recovery worked with verify= only ({task.id})")
        ids = [t.id for t in client.get_tasks(project_name=self.https_project, unique_id=uid)]
        expect(len(ids) == 1, f"the first attempt should have created exactly one task: {ids}")

        # With the CA also in REQUESTS_CA_BUNDLE (what the recovery GET does honour) it works.
        uid = f"{self.unique_id}-recovered"
        os.environ["REQUESTS_CA_BUNDLE"] = str(self.ca_bundle)
        try:
            task = self._false_500_then_create(client, uid)
        finally:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        expect(task.as_dict().get("unique_id") == uid, f"recovered task {task.as_dict()!r}")
        ids = [t.id for t in client.get_tasks(project_name=self.https_project, unique_id=uid)]
        expect(ids == [task.id], f"exactly one task should hold the unique_id: {ids}")
        return (
            "false 500 -> retry -> 409 -> GET tasks?unique_id -> the one task; Q13: with verify= only, "
            "the recovery GET fails TLS verification"
        )
