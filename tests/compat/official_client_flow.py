"""Drive the *official* ``scaleapi`` client through a full v1 flow against an emulator.

Usage::

    /path/to/venv-with-official-scaleapi/bin/python tests/compat/official_client_flow.py \
        http://127.0.0.1:PORT/v1 [--key test_official_check] [--report FILE]

This script is run with an interpreter that has Scale's official client installed (a throwaway
venv; it is never a dependency of this project). It must not import this repository's own
``scaleapi`` package: it refuses to run if ``import scaleapi`` resolves inside this repository.
It uses only the official client's public, documented API (the README's calls and the model
objects they return).

With ``--https-url URL --ca-bundle PEM`` (the same emulator, or another one, served over HTTPS
with a certificate signed by that CA) a second phase checks what the official client only does
over HTTPS (its retries are mounted for ``https://`` only, API_REFERENCE §1.8): a GET retried
after a 503, and the 409-after-5xx recovery of task creation (§1.9). That phase uses the
emulator's fault-injection control API (``/_emulator/faults``) to set the stage.

Every step is recorded as ``ok``, ``fail`` (an unexpected exception or a mismatch, with details)
or ``skip`` (the call does not exist in the installed client version). The JSON report goes to
stdout (and to ``--report FILE``); the exit status is 1 if any step failed, 0 otherwise.

Where the official client itself misbehaves (API_REFERENCE §5), the expectation below follows what
the client actually does and cites the quirk number (``Q14`` etc.).
"""
# The step methods live in the mixins beside this script (official_flow_*.py); Flow.run's step table
# is their documentation.
from __future__ import annotations

import argparse
import os
import platform
import sys
from typing import Any, Dict, List, Optional

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The interpreter puts this script's directory first on sys.path; that is tests/compat, which has
# no ``scaleapi`` in it. Drop any entry that points at the repository root, so that a PYTHONPATH
# or an editable install can never shadow the official client with ours.
sys.path[:] = [
    p for p in sys.path if os.path.abspath(p or os.getcwd()).rstrip(os.sep) != REPO_ROOT.rstrip(os.sep)
]

# Imported only now, once the repository is off sys.path: the official client, from site-packages.
# pylint: disable=wrong-import-position
from flow_steps import finish, run_steps  # noqa: E402  (beside this script)
from official_flow_base import describe_exception  # noqa: E402
from official_flow_https import HttpsSteps  # noqa: E402
from official_flow_projects_tasks import ProjectTaskSteps  # noqa: E402
from official_flow_rapid_studio import RapidStudioSteps  # noqa: E402
from official_flow_task_edits import TaskEditSteps  # noqa: E402
import scaleapi  # noqa: E402

DEFAULT_KEY = "test_official_check"

# Loopback traffic must not be routed through a proxy, and Q7 (API_REFERENCE §5): CA-bundle
# variables would override the client's ``verify=``. The driver owns its process environment.
for _name in (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"


class Flow(ProjectTaskSteps, TaskEditSteps, RapidStudioSteps, HttpsSteps):
    """The steps, in order (each mixin holds one topic's steps; FlowState holds what they share)."""

    def run(self) -> List[Dict[str, Any]]:
        """Run every step in order."""
        return run_steps([
            ("client: empty key refused before any request", self.s_empty_key),
            ("client: invalid key -> ScaleUnauthorized", self.s_invalid_key),
            ("create_project (ImageAnnotation)", self.s_create_project),
            ("create_project duplicate -> ScaleDuplicateResource", self.s_create_project_dup),
            ("get_project", self.s_get_project),
            ("get_project unknown -> ScaleResourceNotFound", self.s_get_project_missing),
            ("projects() / get_projects()", self.s_projects),
            ("client: base URL with a trailing slash (Q30: '//' in paths)", self.s_trailing_slash),
            ("update_project (setParams)", self.s_update_project),
            ("get_project_template", self.s_project_template),
            ("create_batch", self.s_create_batch),
            ("create_task x3 (imageannotation, batch, one with unique_id)", self.s_create_tasks),
            ("create_task duplicate unique_id -> ScaleDuplicateResource", self.s_create_task_dup),
            ("create_task missing params -> ScaleInvalidRequest", self.s_create_task_invalid),
            ("get_task", self.s_get_task),
            ("get_task unknown -> ScaleResourceNotFound", self.s_get_task_missing),
            ("tasks(limit=3)", self.s_tasks_limit),
            ("tasks(bogus=0) -> client-side ScaleInvalidRequest", self.s_tasks_bogus),
            ("tasks(start_time, end_time) empty window", self.s_tasks_window),
            ("get_tasks(project_name, batch_name, limit=1)", self.s_get_tasks),
            ("get_tasks(batch_name only)", self.s_get_tasks_batch_only),
            ("get_tasks(unique_id=...)", self.s_get_tasks_unique),
            ("get_tasks(task_type, status, time filters, limited_response)", self.s_get_tasks_filters),
            ("get_tasks_count", self.s_get_tasks_count),
            ("finalize_batch / Batch.finalize", self.s_finalize_batch),
            ("batch_status / Batch.get_status", self.s_batch_status),
            ("get_batch", self.s_get_batch),
            ("batches(limit=...) / get_batches", self.s_batches),
            ("batches(status=...) / get_batches(batch_status, created_after)", self.s_batches_filters),
            ("set_batch_metadata", self.s_set_batch_metadata),
            ("set_task_metadata / Task.set_metadata / refresh", self.s_set_metadata),
            ("set_task_metadata({}) (falsy body)", self.s_set_metadata_empty),
            ("set_task_tags / add_task_tags / delete_task_tags", self.s_tags),
            ("set_task_tags([]) (falsy body)", self.s_tags_empty),
            ("get_tasks(tags=...)", self.s_get_tasks_tags),
            ("update_task_unique_id / clear_task_unique_id", self.s_unique_id),
            ("cancel completed test-mode task -> ScaleInvalidRequest 400", self.s_cancel_completed),
            ("audit_task / Task.audit", self.s_audit),
            ("get_tasks(review_status=Accepted)", self.s_review_status_filter),
            ("upload_file (PNG written at run time)", self.s_upload_file),
            ("import_file", self.s_import_file),
            ("list_teammates", self.s_list_teammates),
            ("invite_teammates", self.s_invite_teammates),
            ("update_teammates_role", self.s_update_teammates_role),
            ("rapid project + batch (staging -> finalize)", self.s_rapid_batch),
            ("create_evaluation_task on a rapid project", self.s_evaluation_task),
            ("create_training_task on a rapid project", self.s_training_task),
            ("studio: add/list_studio_assignments", self.s_studio_assignments),
            ("studio: create/list/update project groups", self.s_studio_groups),
            ("studio: list/assign studio batches", self.s_studio_batches),
            ("studio: set/reset studio batch priorities", self.s_studio_priorities),
            ("studio: remove_studio_assignments", self.s_studio_remove_assignments),
            ("v2_get_tasks (v2 API, not emulated)", self.s_v2),
            ("https: GET retried after a 503", self.s_https_retry),
            ("https: create_task 409-after-5xx recovery by unique_id", self.s_https_recovery),
        ], describe_exception)


def main(argv: Optional[List[str]] = None) -> int:
    """Parse arguments, run the flow, print the report; 1 if any step failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("base_url", help="the emulator's base URL, ending in /v1")
    parser.add_argument("--key", default=DEFAULT_KEY, help="a test-mode API key (default %(default)s)")
    parser.add_argument("--report", help="also write the JSON report to this file")
    parser.add_argument("--https-url", help="the emulator over HTTPS (enables the retry steps)")
    parser.add_argument("--ca-bundle", help="PEM of the CA that signed the HTTPS emulator's certificate")
    args = parser.parse_args(argv)

    location = os.path.abspath(scaleapi.__file__)
    if location.startswith(REPO_ROOT + os.sep):
        print(f"refusing to run: 'scaleapi' resolved to this repository ({location})", file=sys.stderr)
        return 2

    https_url = args.https_url.rstrip("/") if args.https_url else None
    flow = Flow(args.base_url.rstrip("/"), args.key, https_url, args.ca_bundle)
    results = flow.run()
    report = {
        "client": {"version": getattr(scaleapi, "__version__", "?"), "location": location},
        "python": platform.python_version(),
        "base_url": args.base_url,
        "https_url": args.https_url,
    }
    return finish(report, results, args.report)


if __name__ == "__main__":
    sys.exit(main())
