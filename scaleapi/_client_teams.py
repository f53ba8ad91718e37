"""``ScaleClient`` methods for teammates and Scale Studio."""
from typing import Any, Dict, List, Union

from ._client_base import ClientBase, expect_list, expect_object, expect_strings, resource_path
from ._models import enum_value
from ._reconcile import group_differences, mismatch, teammate_differences
from ._retry import CallKind
from .api import Api
from .exceptions import ScaleDuplicateResource
from .studio import StudioBatch, StudioLabelerAssignment, StudioProjectGroup
from .teams import Teammate, TeammateRole


def _groups_path(project: str, *rest: str) -> str:
    return resource_path("studio/projects", project, "groups", *rest)


class TeamsMixin(ClientBase):
    """Teammate and Studio methods of ``ScaleClient``."""

    # -- teammates ------------------------------------------------------------------------------

    def list_teammates(self) -> List[Teammate]:
        """List the members of your team.

        A read, retried freely.

        Returns:
            a list of ``Teammate``.
        """
        return self._many(Teammate, self.api.request("GET", "teams"), "GET teams")

    def invite_teammates(
        self, emails: List[str], role: Union[TeammateRole, str]
    ) -> List[Teammate]:
        """Invite people to your team.

        Emails are a natural key, so the call is retried on server errors; a 409 after an ambiguous
        attempt counts as success only when every email is on the team with this ``role`` (see
        docs/retries.md).

        Args:
            emails: the email addresses to invite.
            role: their role (labeler, member or manager).

        Returns:
            all teammates, invited ones included.

        Raises:
            ScaleDuplicateResource: one of them is already on the team (409), also after a retry when
                one of them is on it with another role.
        """
        body = {"emails": list(emails), "team_role": enum_value(role)}

        def reconcile() -> Any:
            team = expect_list(self.api.request("GET", "teams"), "GET teams")
            diffs = teammate_differences(emails, body["team_role"], team)
            if diffs:
                raise mismatch(f"teammate {', '.join(diffs)}", ["role"])
            return team

        answer = self.api.request(
            "POST", "teams/invite", body=body, kind=CallKind.KEYED_CREATE, reconcile=reconcile
        )
        return self._many(Teammate, answer, "POST teams/invite")

    def update_teammates_role(
        self, emails: List[str], role: Union[TeammateRole, str]
    ) -> List[Teammate]:
        """Give team members a new role (retried freely).

        Args:
            emails: the members' email addresses.
            role: the new role.

        Returns:
            all teammates, after the change.
        """
        body = {"emails": list(emails), "team_role": enum_value(role)}
        answer = self.api.request("POST", "teams/set_role", body=body, kind=CallKind.IDEMPOTENT)
        return self._many(Teammate, answer, "POST teams/set_role")

    # -- studio assignments ---------------------------------------------------------------------

    def _assignments(self, answer: Any, what: str) -> Dict[str, StudioLabelerAssignment]:
        table = expect_object(answer, what)
        client = self._self()
        return {
            email: StudioLabelerAssignment(list(expect_strings(projects, what)), email, client)
            for email, projects in table.items()
        }

    def list_studio_assignments(self) -> Dict[str, StudioLabelerAssignment]:
        """List which projects each labeler is assigned to (Studio).

        A read, retried freely.

        Returns:
            a dict from email to ``StudioLabelerAssignment``.
        """
        return self._assignments(self.api.request("GET", "studio/assignments"), "GET studio/assignments")

    def add_studio_assignments(
        self, emails: List[str], projects: List[str]
    ) -> Dict[str, StudioLabelerAssignment]:
        """Assign projects to labelers (Studio; retried freely).

        Args:
            emails: the labelers' email addresses.
            projects: the project names.

        Returns:
            every labeler's assignments, after the change.
        """
        return self._change_assignments("add", emails, projects)

    def remove_studio_assignments(
        self, emails: List[str], projects: List[str]
    ) -> Dict[str, StudioLabelerAssignment]:
        """Unassign projects from labelers (Studio; retried freely).

        Args and return value as for ``add_studio_assignments``.
        """
        return self._change_assignments("remove", emails, projects)

    def _change_assignments(
        self, change: str, emails: List[str], projects: List[str]
    ) -> Dict[str, StudioLabelerAssignment]:
        endpoint = f"studio/assignments/{change}"
        body = {"emails": list(emails), "projects": list(projects)}
        answer = self.api.request("POST", endpoint, body=body, kind=CallKind.IDEMPOTENT)
        return self._assignments(answer, f"POST {endpoint}")

    # -- studio project groups --------------------------------------------------------------------

    def list_project_groups(self, project: str) -> List[StudioProjectGroup]:
        """List the labeler groups of a Studio project.

        A read, retried freely.

        Args:
            project: the project's name.

        Returns:
            a list of ``StudioProjectGroup``.
        """
        answer = self.api.request("GET", _groups_path(project))
        return self._many(StudioProjectGroup, answer, "GET project groups")

    def create_project_group(
        self, project: str, emails: List[str], project_group: str
    ) -> StudioProjectGroup:
        """Create a labeler group in a Studio project (members must be assigned to it already).

        Group names are unique per project, so the create is retried on server errors; a 409 after
        an ambiguous attempt counts as success only when the group of that name has exactly these
        members (see docs/retries.md).

        Args:
            project: the project's name.
            emails: the members' email addresses.
            project_group: the new group's name.

        Returns:
            the created ``StudioProjectGroup``.

        Raises:
            ScaleDuplicateResource: a group with that name exists (409), also after a retry when it
                has other members.
        """

        def reconcile() -> Any:
            groups = expect_list(self.api.request("GET", _groups_path(project)), "GET project groups")
            for group in groups:
                if group.get("name") == project_group:
                    diffs = group_differences(emails, group)
                    if diffs:
                        raise mismatch(
                            f"group {project_group!r} (id {group.get('id')}) of project {project!r}", diffs
                        )
                    return group
            raise ScaleDuplicateResource(f"group {project_group!r} is taken, but not listed")

        answer = self.api.request(
            "POST",
            _groups_path(project),
            body={"emails": list(emails), "name": project_group},
            kind=CallKind.KEYED_CREATE,
            reconcile=reconcile,
        )
        return self._one(StudioProjectGroup, answer, "POST project groups")

    def update_project_group(
        self, project: str, project_group: str, add_emails: List[str], remove_emails: List[str]
    ) -> StudioProjectGroup:
        """Add members to and remove members from a Studio project group.

        A PUT, retried freely (the same change twice gives the same group).

        Args:
            project: the project's name.
            project_group: the group's name.
            add_emails: members to add.
            remove_emails: members to remove.

        Returns:
            the updated ``StudioProjectGroup``.
        """
        body = {"add_emails": list(add_emails), "remove_emails": list(remove_emails)}
        answer = self.api.request(
            "PUT", _groups_path(project, Api.quote_string(project_group)), body=body
        )
        return self._one(StudioProjectGroup, answer, "PUT project group")

    # -- studio batches ---------------------------------------------------------------------------

    def list_studio_batches(self) -> List[StudioBatch]:
        """List the pending Studio batches in priority order.

        A read, retried freely.

        Returns:
            a list of ``StudioBatch``.
        """
        return self._many(StudioBatch, self.api.request("GET", "studio/batches"), "GET studio/batches")

    def assign_studio_batches(self, batch_name: str, project_groups: List[str]) -> StudioBatch:
        """Set which labeler groups work a Studio batch (replaces the current groups).

        A PUT, retried freely (it sets, not adds).

        Args:
            batch_name: the batch's name.
            project_groups: the group names (an email works as a one-person group).

        Returns:
            the updated ``StudioBatch``.
        """
        answer = self.api.request(
            "PUT",
            resource_path("studio/batches", batch_name),
            body={"groups": list(project_groups)},
        )
        return self._one(StudioBatch, answer, "PUT studio batch")

    def set_studio_batches_priorities(self, batch_names: List[str]) -> List[StudioBatch]:
        """Set the order in which pending Studio batches are worked (retried freely).

        Args:
            batch_names: every pending batch's name, most urgent first.

        Returns:
            the pending ``StudioBatch`` list in the new order.
        """
        body = {"batches": [{"name": name} for name in batch_names]}
        answer = self.api.request(
            "POST", "studio/batches/set_priorities", body=body, kind=CallKind.IDEMPOTENT
        )
        return self._many(StudioBatch, answer, "POST studio/batches/set_priorities")

    def reset_studio_batches_priorities(self) -> List[StudioBatch]:
        """Restore the default order of pending Studio batches (retried freely).

        Returns:
            the pending ``StudioBatch`` list in the default order.
        """
        answer = self.api.request(
            "POST", "studio/batches/reset_priorities", kind=CallKind.IDEMPOTENT
        )
        return self._many(StudioBatch, answer, "POST studio/batches/reset_priorities")
