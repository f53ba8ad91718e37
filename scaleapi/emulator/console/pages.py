"""The console's pages and actions.

Pages read through the v1 services (:mod:`..rules.tasks`, :mod:`..rules.task_list`, ...), the
console's own reads (:mod:`..rules.console_data`) and the :class:`~..rules.control.Controller`;
actions call exactly what the control API calls. Nothing here touches the store.
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from werkzeug.wrappers import Response

from ..http.faults import ACTIONS, FaultRule, FaultRuleError
from ..rules import console_data
from ..rules.batches import batch_status, list_batches
from ..rules.errors import ApiError
from ..rules.projects import list_projects
from ..rules.task_list import list_tasks
from ..rules.tasks import cancel_task
from ..rules.timeutil import iso_from_ms
from ..rules.v2_deliveries import create_delivery
from ..rules.v2_tasks import task_v2
from ..rules.validation import TASK_STATUSES, TASK_TYPES

if TYPE_CHECKING:  # pragma: no cover
    from .app import ConsoleApp, ConsoleRequest

JsonDict = Dict[str, Any]

#: Rows per page of the task and batch lists.
PAGE_SIZE = 20
#: Newest entries shown from the request log and the callback log.
LOG_ROWS = 200
#: Largest response a console completion accepts, as compact JSON (the v1 body limit is larger;
#: a labeler's answer typed into a form is not).
MAX_RESPONSE_BYTES = 1024 * 1024

RULES: List[Tuple[str, str, Tuple[str, ...]]] = [
    ("/", "accounts", ("GET",)),
    ("/reset", "reset_all", ("POST",)),
    ("/accounts/<fingerprint>/reset", "reset_account", ("POST",)),
    ("/accounts/<fingerprint>/projects", "projects", ("GET",)),
    ("/accounts/<fingerprint>/batches", "batches", ("GET",)),
    ("/accounts/<fingerprint>/tasks", "tasks", ("GET",)),
    ("/accounts/<fingerprint>/deliver", "deliver", ("POST",)),
    ("/tasks/<task_id>", "task", ("GET",)),
    ("/tasks/<task_id>/complete", "complete", ("POST",)),
    ("/tasks/<task_id>/fail", "fail", ("POST",)),
    ("/tasks/<task_id>/cancel", "cancel", ("POST",)),
    ("/requests", "requests", ("GET",)),
    ("/callbacks", "callbacks", ("GET",)),
    ("/faults", "faults", ("GET", "POST")),
    ("/faults/<rule_id>/remove", "remove_fault", ("POST",)),
    ("/faults/clear", "clear_faults", ("POST",)),
    ("/lifecycle", "lifecycle", ("GET", "POST")),
    ("/static/<name>", "static", ("GET",)),
]

#: The task list's filters (each a query parameter of GET tasks).
TASK_FILTERS = ("project", "batch", "status", "type")
FAULT_FIELDS = ("method", "path", "status", "retry_after", "delay_ms", "count", "probability", "body")
_INT_FIELDS = ("status", "count")
_NUMBER_FIELDS = ("delay_ms", "probability")


def when(seconds: Any) -> str:
    """Epoch seconds as ISO-8601 UTC text ("" for none)."""
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and math.isfinite(seconds):
        return iso_from_ms(int(seconds * 1000))
    return ""


def short_id(account_id: Any) -> str:
    """An account id (key hash) as its fingerprint."""
    return str(account_id or "")[:console_data.FINGERPRINT_HEX]


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in JSON")

    return json.loads(text, parse_constant=refuse)


def parse_response(text: str) -> JsonDict:
    """The labeler's response from the complete form: a JSON object, checked before it is used.

    Raises:
        ApiError: 400 saying what is wrong (not JSON, not an object, too large).
    """
    if len(text.encode("utf-8")) > MAX_RESPONSE_BYTES:
        raise ApiError(400, f"The response is larger than {MAX_RESPONSE_BYTES} bytes.")
    try:
        value = _strict_json(text)
    except (ValueError, RecursionError) as err:
        raise ApiError(400, f"The response is not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "The response must be a JSON object, e.g. {\"annotations\": []}.")
    return value


def fault_spec(form: Mapping[str, str]) -> JsonDict:
    """A fault rule spec from the form's fields (empty fields are left out).

    Raises:
        ApiError: 400 for a number field that is not a number.
    """
    spec: JsonDict = {"action": form.get("action", "")}
    for name in FAULT_FIELDS:
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        try:
            if name in _INT_FIELDS:
                spec[name] = int(raw, 10)
            elif name in _NUMBER_FIELDS:
                number = float(raw)
                spec[name] = int(number) if number.is_integer() and name == "delay_ms" else number
            else:
                spec[name] = raw
        except ValueError:
            raise ApiError(400, f"bad fault rule: {name} must be a number") from None
    api_key = (form.get("api_key") or "").strip()
    if api_key:
        spec["api_key"] = api_key
    return spec


class Pages:  # pylint: disable=too-many-public-methods  # one method per page or action
    """The views, bound to one console."""

    def __init__(self, app: "ConsoleApp") -> None:
        self.app = app
        self.ctx = app.ctx
        self.controller = app.controller

    # -- helpers -------------------------------------------------------------------------------

    def _account(self, fingerprint_text: str) -> console_data.AccountSummary:
        return console_data.find_account(self.ctx, fingerprint_text)

    def _render(self, req: "ConsoleRequest", template: str, status: int = 200, **values: Any) -> Response:
        return self.app.render(req, template, status=status, **values)

    # -- start and accounts --------------------------------------------------------------------

    def start(self, req: "ConsoleRequest") -> Response:
        """``GET /``: where things are."""
        return self._render(req, "start.html", title="Scale API emulator", base=req.host_url.rstrip("/"))

    def accounts(self, req: "ConsoleRequest") -> Response:
        """The accounts, by fingerprint and mode."""
        return self._render(req, "accounts.html", title="Accounts", nav="accounts",
                            accounts=console_data.list_accounts(self.ctx))

    def reset_all(self, _req: "ConsoleRequest") -> Response:
        """Reset the whole emulator (``POST /_emulator/reset``)."""
        self.controller.reset()
        return self.app.redirect(f"{self.app_prefix}/", "reset")

    def reset_account(self, _req: "ConsoleRequest", fingerprint: str) -> Response:
        """Delete one account and everything in it."""
        summary = self._account(fingerprint)
        console_data.reset_account(self.ctx, summary.account.id)
        return self.app.redirect(f"{self.app_prefix}/", "account-reset")

    @property
    def app_prefix(self) -> str:
        """The console's mount point."""
        return str(self.app.env.globals["prefix"])

    # -- projects, batches, tasks --------------------------------------------------------------

    def projects(self, req: "ConsoleRequest", fingerprint: str) -> Response:
        """The account's projects."""
        summary = self._account(fingerprint)
        projects = list_projects(self.ctx, summary.account)
        return self._render(req, "projects.html", title="Projects", nav="projects", account=summary,
                            projects=projects)

    def batches(self, req: "ConsoleRequest", fingerprint: str) -> Response:
        """The account's batches with their task counts, newest first."""
        summary = self._account(fingerprint)
        project = req.args.get("project", "")
        offset = _offset(req.args.get("offset"))
        query: Dict[str, List[str]] = {"limit": [str(PAGE_SIZE)], "offset": [str(offset)]}
        if project:
            query["project"] = [project]
        page = list_batches(self.ctx, summary.account, query)
        rows = [(doc, batch_status(self.ctx, summary.account, doc["name"])) for doc in page["docs"]]
        return self._render(
            req, "batches.html", title="Batches", nav="batches", account=summary, rows=rows, project=project,
            total=page["total"], offset=offset, page_size=PAGE_SIZE, has_more=page["has_more"],
            projects=list_projects(self.ctx, summary.account),
        )

    def tasks(self, req: "ConsoleRequest", fingerprint: str) -> Response:
        """The account's tasks, newest first, filtered and paged; a search goes to the task."""
        summary = self._account(fingerprint)
        search = (req.args.get("q") or "").strip()
        filters = {name: (req.args.get(name) or "").strip() for name in TASK_FILTERS}
        missing = False
        if search:
            found = console_data.find_task_id(self.ctx, summary.account, search)
            if found is not None:
                response = Response("", status=303)
                response.headers["Location"] = f"{self.app_prefix}/tasks/{found}"
                return response
            missing = True
        query: Dict[str, List[str]] = {name: [value] for name, value in filters.items() if value}
        query["limit"] = [str(PAGE_SIZE)]
        token = req.args.get("next_token")
        if token:
            query["next_token"] = [token]
        page = json.loads(list_tasks(self.ctx, summary.account, query).body)
        return self._render(
            req, "tasks.html", title="Tasks", nav="tasks", account=summary, docs=page["docs"],
            total=page["total"], offset=page["offset"], next_token=page["next_token"], filters=filters,
            search=search, missing=missing, statuses=TASK_STATUSES, types=sorted(TASK_TYPES),
            projects=list_projects(self.ctx, summary.account), page_size=PAGE_SIZE,
        )

    # -- one task ------------------------------------------------------------------------------

    def task(self, req: "ConsoleRequest", task_id: str, status: int = 200, **form: Any) -> Response:
        """A task: its v1 (and v2) JSON, callback attempts, history and the labeler's actions."""
        account, doc = console_data.task_of_any_account(self.ctx, task_id)
        callbacks = [record for record in self.controller.callbacks() if record.get("task_id") == task_id]
        history = console_data.task_history(doc, self.controller.requests(), callbacks)
        form.setdefault("response_text", console_data.pretty(console_data.suggested_response(doc)))
        form.setdefault("error_text", "Task failed (emulated)")
        form.setdefault("form_error", None)
        try:
            form.setdefault("v2_json", console_data.pretty(task_v2(self.ctx, account, doc)))
        except ApiError as err:
            form.setdefault("v2_json", None)
            form.setdefault("v2_missing", f"No v2 shape: {err.message}")
        form.setdefault("v2_missing", "")
        return self._render(
            req, "task.html", status=status, title=f"Task {task_id}", nav="tasks",
            account=console_data.find_account(self.ctx, account.id[:console_data.FINGERPRINT_HEX]),
            doc=doc, v1_json=console_data.pretty(doc), callbacks=callbacks, history=history, **form,
        )

    def complete(self, req: "ConsoleRequest", task_id: str) -> Response:
        """Complete the task with the (edited) response from the form."""
        text = req.form.get("response", "")
        try:
            response = parse_response(text)
            self.controller.complete_task(task_id, response)
        except ApiError as err:
            return self.task(req, task_id, status=err.status, response_text=text, form_error=err.message)
        return self.app.redirect(f"{self.app_prefix}/tasks/{task_id}", "completed")

    def fail(self, req: "ConsoleRequest", task_id: str) -> Response:
        """Fail the task with the form's error message."""
        error = req.form.get("error", "")
        try:
            self.controller.fail_task(task_id, error)
        except ApiError as err:
            return self.task(req, task_id, status=err.status, error_text=error, form_error=err.message)
        return self.app.redirect(f"{self.app_prefix}/tasks/{task_id}", "failed")

    def cancel(self, req: "ConsoleRequest", task_id: str) -> Response:
        """Cancel the task (as ``POST /v1/task/{id}/cancel`` does for its account)."""
        account, _doc = console_data.task_of_any_account(self.ctx, task_id)
        try:
            cancel_task(self.ctx, account, task_id, clear_unique=False)
        except ApiError as err:
            return self.task(req, task_id, status=err.status, form_error=err.message)
        return self.app.redirect(f"{self.app_prefix}/tasks/{task_id}", "canceled")

    def deliver(self, req: "ConsoleRequest", fingerprint: str) -> Response:
        """Deliver a project's completed tasks (all not delivered yet, or the listed ones) as a v2
        delivery, as ``POST /_emulator/v2/deliveries`` does."""
        summary = self._account(fingerprint)
        project = req.form.get("project", "")
        name = (req.form.get("name") or "").strip() or None
        listed = [part for part in (req.form.get("task_ids") or "").replace(",", " ").split() if part]
        create_delivery(self.ctx, summary.account, project, name, listed or None)
        back = req.form.get("back") or f"{self.app_prefix}/accounts/{summary.fingerprint}/projects"
        if not back.startswith(f"{self.app_prefix}/"):  # only ever back into the console
            back = f"{self.app_prefix}/"
        return self.app.redirect(back, "delivered")

    # -- logs ----------------------------------------------------------------------------------

    def requests(self, req: "ConsoleRequest") -> Response:
        """The newest entries of the request log."""
        entries = list(reversed(self.controller.requests()[-LOG_ROWS:]))
        return self._render(req, "requests.html", title="Requests", nav="requests", entries=entries,
                            when=when, short_id=short_id)

    def callbacks(self, req: "ConsoleRequest") -> Response:
        """The newest callback delivery records."""
        records = list(reversed(self.controller.callbacks()[-LOG_ROWS:]))
        return self._render(req, "callbacks.html", title="Callbacks", nav="callbacks", records=records,
                            when=when, short_id=short_id)

    # -- faults and lifecycle ------------------------------------------------------------------

    def _injector(self) -> Any:
        if self.app.faults is None:
            raise ApiError(503, "Fault injection is not installed in this emulator.")
        return self.app.faults

    def faults(self, req: "ConsoleRequest", status: int = 200, form_error: Optional[str] = None) -> Response:
        """The fault rules, and the form that adds one (POST)."""
        injector = self._injector()
        if req.method == "POST" and form_error is None:
            try:
                injector.add(FaultRule.from_dict(fault_spec(req.form)))
            except FaultRuleError as err:
                return self.faults(req, status=400, form_error=f"bad fault rule: {err}")
            except ApiError as err:
                return self.faults(req, status=err.status, form_error=err.message)
            return self.app.redirect(f"{self.app_prefix}/faults", "fault-added")
        form: Mapping[str, str] = req.form if req.method == "POST" else {}
        return self._render(req, "faults.html", status=status, title="Fault rules", nav="faults",
                            rules=injector.rules(), actions=ACTIONS, form_error=form_error, form=form,
                            fields=FAULT_FIELDS)

    def remove_fault(self, _req: "ConsoleRequest", rule_id: str) -> Response:
        """Remove one fault rule."""
        if not self._injector().remove(rule_id):
            raise ApiError(404, "There is no fault rule with that id.")
        return self.app.redirect(f"{self.app_prefix}/faults", "fault-removed")

    def clear_faults(self, _req: "ConsoleRequest") -> Response:
        """Remove every fault rule."""
        self._injector().clear()
        return self.app.redirect(f"{self.app_prefix}/faults", "faults-cleared")

    def lifecycle(self, req: "ConsoleRequest") -> Response:
        """The lifecycle policy, and the form that sets it (POST; empty means off)."""
        form_error = None
        status = 200
        if req.method == "POST":
            raw = (req.form.get("complete_after") or "").strip()
            try:
                try:
                    seconds = None if not raw else float(raw)
                except ValueError:
                    raise ApiError(400, "complete_after must be a number of seconds (empty: off)") from None
                self.controller.set_lifecycle(seconds)
                return self.app.redirect(f"{self.app_prefix}/lifecycle", "lifecycle")
            except ApiError as err:
                form_error, status = err.message, err.status
        return self._render(req, "lifecycle.html", status=status, title="Lifecycle policy", nav="lifecycle",
                            policy=self.controller.lifecycle(), form_error=form_error)

    def static(self, _req: "ConsoleRequest", name: str) -> Response:
        """The console's script and style sheet."""
        return self.app.static(name)


def _offset(raw: Optional[str]) -> int:
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return 0
    return min(int(raw), 2**62)


def views(app: "ConsoleApp") -> Dict[str, Any]:
    """Endpoint name → view, for :class:`ConsoleApp`."""
    pages = Pages(app)
    names: Sequence[str] = [name for _rule, name, _methods in RULES] + ["start"]
    return {name: getattr(pages, name) for name in names}
