"""Teams: the ``Teammate`` model and ``TeammateRole``."""
from enum import Enum
from typing import List, Optional, Union

from ._models import Field, Model

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

    email: Field[str] = Field("email")
    role: Field[str] = Field("role")
    company: Field[Optional[str]] = Field("company")
    first_name: Field[Optional[str]] = Field("firstName")
    last_name: Field[Optional[str]] = Field("lastName")
    is_studio_labeler: Field[Optional[bool]] = Field("isStudioLabeler")
    expiry: Field[Optional[str]] = Field("expiry")

    _key_attr = "email"

    _repr_attrs = ("email", "role")

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
