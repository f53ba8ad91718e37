"""Projects: the ``Project`` and ``TaskTemplate`` models."""
from typing import Any, Dict, Hashable, Optional

from ._models import Field, Model, dict_or_empty

__all__ = ["TaskTemplate", "Project"]


def _latest_params(history: Any) -> Optional[Dict[str, Any]]:
    latest = history[-1] if isinstance(history, list) and history else None
    return latest if isinstance(latest, dict) else None


class TaskTemplate(Model):
    """A project's task template (TextCollection and Chat projects).

    Attributes: ``id``, ``version``, ``created_at``, ``updated_at``, ``template_variables``,
    ``response_schema`` (``None`` when absent) and ``auto_onboard_enabled`` (``False`` when absent).
    """

    id: Field[str] = Field("id")
    version: Field[int] = Field("version")
    created_at: Field[Optional[str]] = Field("created_at")
    updated_at: Field[Optional[str]] = Field("updated_at")
    template_variables: Field[Dict[str, Any]] = Field("template_variables", dict_or_empty)
    response_schema: Field[Optional[Dict[str, Any]]] = Field("response_schema")
    auto_onboard_enabled: Field[bool] = Field("auto_onboard_enabled", bool)

    def _key(self) -> Optional[Hashable]:
        return (self.id, self.version)

    _repr_attrs = ("id", "version")

    def get_template_variables(self) -> Dict[str, Any]:
        """Return the template variables."""
        return self.template_variables

    def is_auto_onboardable(self) -> bool:
        """Return whether auto-onboarding is enabled for the template."""
        return self.auto_onboard_enabled

    def get_response_schema(self) -> Optional[Dict[str, Any]]:
        """Return the response schema, or ``None``."""
        return self.response_schema


class Project(Model):
    """A project, equal to another ``Project`` with the same name.

    ``params`` is the latest ``param_history`` entry (``None`` when the history is empty or absent);
    ``version`` and ``instruction`` come from that entry (``None`` when it lacks them).
    """

    name: Field[str] = Field("name")
    type: Field[str] = Field("type")
    params: Field[Optional[Dict[str, Any]]] = Field("param_history", _latest_params)

    @property
    def version(self) -> Optional[int]:
        """The ``version`` of the latest parameters (None without them)."""
        params = self.params
        return params.get("version") if params else None

    @property
    def instruction(self) -> Optional[str]:
        """The ``instruction`` of the latest parameters (None without them)."""
        params = self.params
        return params.get("instruction") if params else None

    _key_attr = "name"

    _repr_attrs = ("name", "type", "version")

    def get_template(self) -> TaskTemplate:
        """Fetch this project's task template.

        Returns:
            the ``TaskTemplate``.
        """
        return self._bound_client().get_project_template(self.name)
