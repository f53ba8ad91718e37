"""Studio rules: labeler assignments, project groups, and the priority order of Studio batches."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Set

from .batches import load_batch
from .context import ServiceContext, worker_id
from .errors import bad_request, conflict, invalid_param, not_found
from .identity import Account, new_object_id
from .projects import load_project
from .validation import require_object, resource_name, string_list

JsonDict = Dict[str, Any]


def _names(body: JsonDict, key: str, required: bool = True) -> List[str]:
    value = body.get(key)
    if value is None:
        if required:
            raise invalid_param(key, "is required")
        return []
    return list(dict.fromkeys(string_list(value, key)))


def _assignment_map(ctx: ServiceContext, account: Account) -> Dict[str, List[str]]:
    result: Dict[str, List[str]] = {member["email"]: [] for member in ctx.store.teams.list(account.id)}
    for email, project in ctx.store.studio.assignments(account.id):
        result.setdefault(email, []).append(project)
    return result


def _check_people(ctx: ServiceContext, account: Account, emails: List[str], projects: List[str]) -> None:
    for email in emails:
        if ctx.store.teams.get(account.id, email) is None:
            raise not_found(f"{email} is not a member of the team.")
    for project in projects:
        load_project(ctx, account, project)


def list_assignments(ctx: ServiceContext, account: Account) -> Dict[str, List[str]]:
    """``GET studio/assignments``: email → assigned project names, for every teammate."""
    with ctx.store.transaction():
        return _assignment_map(ctx, account)


def add_assignments(ctx: ServiceContext, account: Account, body: Any) -> Dict[str, List[str]]:
    """``POST studio/assignments/add``."""
    def assign(emails: List[str], project: str) -> None:
        for email in emails:
            ctx.store.studio.assign(account.id, email, project)

    return _change_assignments(ctx, account, body, assign)


def remove_assignments(ctx: ServiceContext, account: Account, body: Any) -> Dict[str, List[str]]:
    """``POST studio/assignments/remove``; the teammates also leave those projects' groups."""
    def unassign(emails: List[str], project: str) -> None:
        for email in emails:
            ctx.store.studio.unassign(account.id, email, project)
        for group in ctx.store.studio.groups(account.id, project):
            _set_members(group, [m for m in _members(group) if m not in emails], account)
            ctx.store.studio.save_group(account.id, project, group)

    return _change_assignments(ctx, account, body, unassign)


def _change_assignments(
    ctx: ServiceContext, account: Account, body: Any, change: Callable[[List[str], str], None]
) -> Dict[str, List[str]]:
    """Check the body's teammates and projects, apply ``change(emails, project)`` to each project."""
    body = require_object(body if body is not None else {})
    emails = [email.lower() for email in _names(body, "emails")]
    projects = _names(body, "projects")
    with ctx.store.transaction():
        _check_people(ctx, account, emails, projects)
        for project in projects:
            change(emails, project)
        return _assignment_map(ctx, account)


def _members(group: JsonDict) -> List[str]:
    return [worker["email"] for worker in group.get("workers") or []]


def _set_members(group: JsonDict, emails: List[str], account: Account) -> None:
    group["workers"] = [{"id": worker_id(account.id, email), "email": email} for email in emails]
    group["numWorkers"] = len(emails)


def _assigned(ctx: ServiceContext, account: Account, project: str) -> Set[str]:
    return {email for email, name in ctx.store.studio.assignments(account.id) if name == project}


def _check_assigned(ctx: ServiceContext, account: Account, project: str, emails: List[str]) -> None:
    assigned = _assigned(ctx, account, project)
    missing = [email for email in emails if email not in assigned]
    if missing:
        raise bad_request(f'Not assigned to project "{project}": {", ".join(missing)}.')


def list_groups(ctx: ServiceContext, account: Account, project: str) -> List[JsonDict]:
    """``GET studio/projects/{project}/groups``."""
    with ctx.store.transaction():
        load_project(ctx, account, project)
        return ctx.store.studio.groups(account.id, project)


def create_group(ctx: ServiceContext, account: Account, project: str, body: Any) -> JsonDict:
    """``POST studio/projects/{project}/groups``: members must be assigned to the project."""
    body = require_object(body if body is not None else {})
    name = resource_name(body, "name")
    emails = [email.lower() for email in _names(body, "emails")]
    with ctx.store.transaction():
        load_project(ctx, account, project)
        if ctx.store.studio.get_group(account.id, project, name) is not None:
            raise conflict(f'Project "{project}" already has a group named "{name}".')
        _check_assigned(ctx, account, project, emails)
        group: JsonDict = {"id": new_object_id(), "name": name, "isSingleton": False}
        _set_members(group, emails, account)
        ctx.store.studio.save_group(account.id, project, group)
        return group


def update_group(ctx: ServiceContext, account: Account, project: str, name: str, body: Any) -> JsonDict:
    """``PUT studio/projects/{project}/groups/{group}``: add then remove members."""
    body = require_object(body if body is not None else {})
    add = [email.lower() for email in _names(body, "add_emails", required=False)]
    remove = [email.lower() for email in _names(body, "remove_emails", required=False)]
    with ctx.store.transaction():
        load_project(ctx, account, project)
        group = ctx.store.studio.get_group(account.id, project, name)
        if group is None:
            raise not_found(f'Project "{project}" has no group named "{name}".')
        _check_assigned(ctx, account, project, add)
        members = _members(group)
        members += [email for email in add if email not in members]
        _set_members(group, [email for email in members if email not in remove], account)
        ctx.store.studio.save_group(account.id, project, group)
        return group


def _pending_studio_batches(ctx: ServiceContext, account: Account) -> List[JsonDict]:
    """Pending batches of Studio projects in priority order (custom order, else the default)."""
    projects = {doc["name"]: doc for doc in ctx.store.projects.list(account.id) if doc.get("studio")}
    batches = ctx.store.batches.in_projects(account.id, list(projects), exclude_status="completed")
    # Default: calibration batches first, then oldest first (the list is already oldest first).
    batches.sort(key=lambda doc: not doc.get("calibration_batch"))
    custom = ctx.store.studio.priorities(account.id)
    if custom:
        rank = {name: index for index, name in enumerate(custom)}
        batches.sort(key=lambda doc: rank.get(doc["name"], len(rank)))
    result = []
    for priority, doc in enumerate(batches, start=1):
        counts = ctx.store.tasks.status_counts(account.id, doc["name"])
        project = projects[doc["project"]]
        result.append({
            "id": doc["id"], "name": doc["name"], "projectId": project["id"], "projectName": project["name"],
            "batchType": "Calibration" if doc.get("calibration_batch") else "Production",
            "studioPriority": priority, "total": sum(counts.values()),
            "completed": counts.get("completed", 0), "groups": list(doc.get("studio_groups") or []),
        })
    return result


def list_studio_batches(ctx: ServiceContext, account: Account) -> List[JsonDict]:
    """``GET studio/batches``."""
    with ctx.store.transaction():
        return _pending_studio_batches(ctx, account)


def assign_batch(ctx: ServiceContext, account: Account, name: str, body: Any) -> JsonDict:
    """``PUT studio/batches/{batch}``: set (not add) the groups; a teammate email also counts."""
    body = require_object(body if body is not None else {})
    groups = _names(body, "groups")
    with ctx.store.transaction():
        batch = load_batch(ctx, account, name)
        project = load_project(ctx, account, batch["project"])
        if not project.get("studio"):
            raise bad_request(f'Batch "{name}" does not belong to a Studio project.')
        known = {group["name"] for group in ctx.store.studio.groups(account.id, project["name"])}
        known |= _assigned(ctx, account, project["name"])
        unknown = [group for group in groups if group not in known]
        if unknown:
            raise bad_request(f'Unknown groups for project "{project["name"]}": {", ".join(unknown)}.')
        batch["studio_groups"] = groups
        ctx.store.batches.save(account.id, batch)
        for item in _pending_studio_batches(ctx, account):
            if item["name"] == name:
                return item
    raise bad_request(f'Batch "{name}" is completed; only pending Studio batches can be assigned.')


def set_priorities(ctx: ServiceContext, account: Account, body: Any) -> List[JsonDict]:
    """``POST studio/batches/set_priorities``: the list must name every pending Studio batch once."""
    body = require_object(body if body is not None else {})
    entries = body.get("batches")
    if not isinstance(entries, list) or not all(
        isinstance(item, dict) and isinstance(item.get("name"), str) for item in entries
    ):
        raise invalid_param("batches", 'must be an array of {"name": ...} objects')
    names = [item["name"] for item in entries]
    with ctx.store.transaction():
        pending = {item["name"] for item in _pending_studio_batches(ctx, account)}
        if len(set(names)) != len(names):
            raise bad_request("Each batch may appear only once in the priority list.")
        if set(names) != pending:
            missing = sorted(pending - set(names))
            extra = sorted(set(names) - pending)
            raise bad_request(
                "The priority list must name every pending Studio batch exactly once "
                f"(missing: {missing or 'none'}; not pending Studio batches: {extra or 'none'})."
            )
        ctx.store.studio.set_priorities(account.id, names)
        return _pending_studio_batches(ctx, account)


def reset_priorities(ctx: ServiceContext, account: Account) -> List[JsonDict]:
    """``POST studio/batches/reset_priorities``: back to calibration first, then oldest first."""
    with ctx.store.transaction():
        ctx.store.studio.set_priorities(account.id, None)
        return _pending_studio_batches(ctx, account)
