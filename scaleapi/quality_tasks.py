"""Quality tasks: the base of evaluation and training tasks."""
from typing import Any, Dict

from ._models import Model

__all__ = ["QualityTask"]


class QualityTask(Model):
    """A task with a known answer: ``id``, ``expected_response`` and ``initial_response`` (or None)."""

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.expected_response: Any = json.get("expected_response")
        self.initial_response: Any = json.get("initial_response")

    _key_attr = "id"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
