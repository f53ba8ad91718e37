"""Teams: the ``Teammate`` model and ``TeammateRole``."""
from enum import Enum
from typing import Any, Dict, List, Union

from ._models import Model

__all__ = ["TeammateRole", "Teammate"]


class TeammateRole(Enum):
    """Roles of a team member."""

    # pylint: disable=invalid-name  # member names are fixed by the public interface

    Labeler = "labeler"
    Member = "member"
    Manager = "manager"
    Admin = "admin"


class Teammate(Model):
    """A member of your Scale team, equal to another ``Teammate`` with the same email.

    Attributes: ``email``, ``role``, ``company``, ``first_name``, ``last_name``,
    ``is_studio_labeler`` and ``expiry`` (``None`` when absent).
    """

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.email: Any = json.get("email")
        self.role: Any = json.get("role")
        self.company: Any = json.get("company")
        self.first_name: Any = json.get("firstName")
        self.last_name: Any = json.get("lastName")
        self.is_studio_labeler: Any = json.get("isStudioLabeler")
        self.expiry: Any = json.get("expiry")

    _key_attr = "email"

    def __repr__(self) -> str:
        return f"Teammate(email={self.email!r}, role={self.role!r})"

    def update_teammate_role(self, new_role: Union[TeammateRole, str]) -> List["Teammate"]:
        """Give this teammate a new role.

        Args:
            new_role: the role to set.

        Returns:
            all teammates, as the server lists them after the change; this object is updated too.
        """
        teammates = self._bound_client().update_teammates_role([self.email], new_role)
        for teammate in teammates:
            if teammate.email == self.email:
                self._replace(teammate.as_dict())
                break
        return teammates
