"""Quality tasks: the base of evaluation and training tasks."""
from typing import Any

from ._models import Field, Model

__all__ = ["QualityTask"]


class QualityTask(Model):
    """A task with a known answer: ``id``, ``expected_response`` and ``initial_response`` (or None)."""

    id: Field[str] = Field("id")
    expected_response: Field[Any] = Field("expected_response")
    initial_response: Field[Any] = Field("initial_response")

    _key_attr = "id"

    _repr_attrs = ("id",)
