"""Files: the ``File`` model (uploaded or imported files)."""
from typing import Any, Dict

from ._models import Model

__all__ = ["File"]


class File(Model):
    """A file in Scale storage; ``attachment_url`` (``scaledata://...``) can be a task attachment."""

    # pylint: disable=attribute-defined-outside-init
    def _load(self, json: Dict[str, Any]) -> None:
        self.id: Any = json.get("id")
        self.attachment_url: Any = json.get("attachment_url")

    _key_attr = "id"

    def __repr__(self) -> str:
        return f"File(id={self.id!r}, attachment_url={self.attachment_url!r})"
