"""Training tasks (Scale Rapid): tasks used to onboard taskers onto a project."""
from .quality_tasks import QualityTask

__all__ = ["TrainingTask"]


class TrainingTask(QualityTask):
    """A training task: ``id``, ``expected_response``, ``initial_response`` (or ``None``)."""
