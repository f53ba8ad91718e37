"""Evaluation tasks (Scale Rapid): tasks with a known answer used to measure workers."""
from .quality_tasks import QualityTask

__all__ = ["EvaluationTask"]


class EvaluationTask(QualityTask):
    """An evaluation task: ``id``, ``expected_response``, ``initial_response`` (review phase only)."""
