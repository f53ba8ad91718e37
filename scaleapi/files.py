"""Files: the ``File`` model (uploaded or imported files)."""
from ._models import Field, Model

__all__ = ["File"]


class File(Model):
    """A file in Scale storage; ``attachment_url`` (``scaledata://...``) can be a task attachment."""

    id: Field[str] = Field("id")
    attachment_url: Field[str] = Field("attachment_url")

    _key_attr = "id"

    _repr_attrs = ("id", "attachment_url")
