"""Projects: the ``Project`` and ``TaskTemplate`` models."""
from typing import Any, Dict, Hashable, Optional

from ._models import Model

__all__ = ["TaskTemplate", "Project"]


class TaskTemplate(Model):
    """A project's task template (TextCollection and Chat projects).

    Attributes: ``id``, ``version``, ``created_at``, ``updated_at``, ``template_variables``,
    ``response_schema`` (``None`` when absent) and ``auto_onboard_enabled`` (``False`` when absent).
    """

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.version: Any = json.get("version")
        self.created_at: Any = json.get("created_at")
        self.updated_at: Any = json.get("updated_at")
        variables = json.get("template_variables")
        self.template_variables: Dict[str, Any] = variables if isinstance(variables, dict) else {}
        self.response_schema: Optional[Dict[str, Any]] = json.get("response_schema")
        self.auto_onboard_enabled: bool = bool(json.get("auto_onboard_enabled", False))

    def _key(self) -> Optional[Hashable]:
        return (self.__dict__.get("id"), self.__dict__.get("version"))

    def __repr__(self) -> str:
        return f"TaskTemplate(id={self.id!r}, version={self.version!r})"

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

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.name: Any = json.get("name")
        self.type: Any = json.get("type")
        history = json.get("param_history")
        latest = history[-1] if isinstance(history, list) and history else None
        self.params: Optional[Dict[str, Any]] = latest if isinstance(latest, dict) else None
        self.version: Any = self.params.get("version") if self.params else None
        self.instruction: Optional[str] = self.params.get("instruction") if self.params else None

    _key_attr = "name"

    def __repr__(self) -> str:
        return f"Project(name={self.name!r}, type={self.type!r}, version={self.version!r})"

    def get_template(self) -> TaskTemplate:
        """Fetch this project's task template.

        Returns:
            the ``TaskTemplate``.
        """
        return self._bound_client().get_project_template(self.name)
