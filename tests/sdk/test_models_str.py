"""``str()`` of every model says as much as its ``repr()`` (``print(task)`` is what people type first)."""
import contextlib
import io
from typing import Any, Dict, Iterator, List, Type

from support.sdk import image_task_payload

from scaleapi import ScaleClient, TaskType  # importing scaleapi imports every model module
from scaleapi._models import BaseModel
from scaleapi.studio import StudioLabelerAssignment

SAMPLES: Dict[str, Dict[str, Any]] = {
    "Task": {"task_id": "t1", "type": "imageannotation", "status": "pending", "params": {}},
    "Batch": {"name": "b1", "project": "p1", "status": "staging"},
    "Project": {"name": "p1", "type": "imageannotation", "param_history": [{"version": 3}]},
    "TaskTemplate": {"id": "tt1", "version": 2},
    "File": {"id": "f1", "attachment_url": "scaledata://f1"},
    "Teammate": {"email": "a@example.com", "role": "admin"},
    "StudioWorker": {"id": "w1", "email": "w@example.com"},
    "StudioProjectGroup": {"id": "g1", "name": "group", "numWorkers": 2, "isSingleton": False},
    "StudioBatch": {"id": "sb1", "name": "b1", "projectName": "p1"},
    "QualityTask": {"id": "q1", "expected_response": {}},
    "EvaluationTask": {"id": "e1", "expected_response": {}},
    "TrainingTask": {"id": "r1", "expected_response": {}},
}


def _model_classes() -> Iterator[Type[BaseModel]]:
    pending: List[Type[BaseModel]] = list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("scaleapi.") and not cls.__name__.startswith("_"):
            yield cls


def _instance(cls: Type[BaseModel]) -> BaseModel:
    if cls is StudioLabelerAssignment:
        return StudioLabelerAssignment(["p1", "p2"], "l@example.com")
    return cls(dict(SAMPLES[cls.__name__]), None)  # type: ignore[call-arg]


def test_every_model_prints_what_its_repr_shows() -> None:
    classes = sorted({cls for cls in _model_classes() if cls.__name__ != "Model"}, key=lambda c: c.__name__)
    assert {cls.__name__ for cls in classes} >= set(SAMPLES) | {"StudioLabelerAssignment"}
    for cls in classes:
        if cls.__name__ not in SAMPLES and cls is not StudioLabelerAssignment:
            raise AssertionError(f"add a sample for the new model {cls.__name__}")
        model = _instance(cls)
        text = str(model)
        assert text == repr(model), cls.__name__
        assert text.startswith(f"{cls.__name__}(") and " object at 0x" not in text


def test_print_task_shows_its_type_and_status(client: ScaleClient) -> None:
    """The first thing a newcomer does with a new task."""
    task = client.create_task(TaskType.ImageAnnotation, **image_task_payload())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(task)
    assert out.getvalue() == f"Task(task_id={task.id!r}, type='imageannotation', status='completed')\n"


def test_print_batch_and_project_show_their_project_and_state(client: ScaleClient) -> None:
    project = client.create_project("print-project", TaskType.ImageAnnotation)
    batch = client.create_batch("print-project", "print-batch")
    assert str(project) == (
        f"Project(name='print-project', type='imageannotation', version={project.version!r})"
    )
    assert str(batch) == "Batch(name='print-batch', project='print-project', status='in_progress')"
