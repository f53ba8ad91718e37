"""Teammates: list, invite, change roles. Every account starts with its owner, an admin."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Dict, List, Tuple

from .context import ServiceContext
from .errors import bad_request, conflict, invalid_param, not_found
from .identity import Account
from .timeutil import iso_from_ms
from .validation import TEAM_ROLES, require_object, required_str, string_list

JsonDict = Dict[str, Any]

INVITE_EXPIRY = timedelta(days=7)


def _emails(body: JsonDict) -> List[str]:
    if "emails" not in body or body["emails"] is None:
        raise invalid_param("emails", "is required")
    emails = string_list(body["emails"], "emails", allow_empty=False)
    for email in emails:
        local, _, domain = email.partition("@")
        if not local or not domain or " " in email:
            raise invalid_param("emails", f"contains an invalid email address: {email!r}")
    return list(dict.fromkeys(email.lower() for email in emails))


def _role(body: JsonDict) -> str:
    role = required_str(body, "team_role")
    if role not in TEAM_ROLES:
        raise invalid_param("team_role", f"must be one of {', '.join(TEAM_ROLES)}")
    return role


def _emails_and_role(body: Any) -> Tuple[List[str], str]:
    """The checked ``emails`` and ``team_role`` of a teams request body."""
    body = require_object(body if body is not None else {})
    return _emails(body), _role(body)


def list_teammates(ctx: ServiceContext, account: Account) -> List[JsonDict]:
    """``GET teams``: all teammates, owner first."""
    with ctx.store.transaction():
        return ctx.store.teams.list(account.id)


def invite_teammates(ctx: ServiceContext, account: Account, body: Any) -> List[JsonDict]:
    """``POST teams/invite``: add invited members; 409 if one is already on the team."""
    emails, role = _emails_and_role(body)
    with ctx.store.transaction():
        for email in emails:
            if ctx.store.teams.get(account.id, email) is not None:
                raise conflict(f"{email} is already a member of the team.")
        expiry = iso_from_ms(ctx.now() + int(INVITE_EXPIRY.total_seconds() * 1000))
        for email in emails:
            ctx.store.teams.upsert(account.id, {
                "email": email, "role": role, "company": "Scale Emulator", "firstName": "",
                "lastName": "", "isStudioLabeler": role == "labeler", "expiry": expiry,
            })
        return ctx.store.teams.list(account.id)


def set_roles(ctx: ServiceContext, account: Account, body: Any) -> List[JsonDict]:
    """``POST teams/set_role``: 404 for unknown emails; admins (the owner too) can't be changed."""
    emails, role = _emails_and_role(body)
    with ctx.store.transaction():
        members = []
        for email in emails:
            member = ctx.store.teams.get(account.id, email)
            if member is None:
                raise not_found(f"{email} is not a member of the team.")
            if member["role"] == "admin":
                raise bad_request(f"{email} is an admin; only non-admin members can change role.")
            members.append(member)
        for member in members:
            member["role"] = role
            member["isStudioLabeler"] = role == "labeler"
            ctx.store.teams.upsert(account.id, member)
        return ctx.store.teams.list(account.id)
