"""The official-client flow's steps on rapid projects (quality tasks), Studio, and the v2 note.

Imported by official_client_flow.py once the repository is off ``sys.path``: ``scaleapi`` here is
the official client (see that script's docstring).
"""
# The step methods are named in the step table of Flow.run, which is their documentation.
# pylint: disable=missing-function-docstring
from __future__ import annotations

from typing import Any, Dict

from flow_steps import Skip, expect
from official_flow_base import FlowState, expect_raises
import scaleapi
from scaleapi.exceptions import ScaleInvalidRequest
from scaleapi.tasks import TaskType


class RapidStudioSteps(FlowState):
    """Steps from the rapid batch to the v2 note."""

    # ---------------------------------------------------------------- rapid

    def s_rapid_batch(self) -> None:
        self.client.create_project(
            project_name=self.rapid_project,
            task_type=TaskType.ImageAnnotation,
            rapid=True,
            params={"geometries": {"box": {"objects_to_annotate": ["car"]}}},
        )
        batch = self.client.create_batch(self.rapid_project, self.rapid_batch, calibration_batch=True)
        expect(batch.status == "staging", f"new rapid batch status {batch.status!r}")
        batch = self.client.finalize_batch(self.rapid_batch)
        expect(batch.status == "in_progress", f"finalized rapid batch status {batch.status!r}")

    def _rapid_task(self, expected: Dict[str, Any]) -> Dict[str, Any]:
        """The parameters of a quality task in the Rapid project: an image and its expected answer."""
        return {"project": self.rapid_project, "attachment": "http://i.imgur.com/v4cBreD.jpg",
                "expected_response": expected}

    def s_evaluation_task(self) -> str:
        expected = {"annotations": [{"label": "car", "left": 1, "top": 2, "width": 3, "height": 4}]}
        initial: Dict[str, Any] = {"annotations": []}
        task = self.client.create_evaluation_task(
            TaskType.ImageAnnotation, **self._rapid_task(expected), initial_response=initial
        )
        expect(bool(task.id), "evaluation task id")
        expect(task.expected_response == expected, f"expected_response {task.expected_response!r}")
        expect(task.as_dict().get("initial_response") == initial, "initial_response in the JSON")
        # Q16: QualityTask.initial_response is always None in the official client.
        expect(task.initial_response is None, f"Q16 no longer holds: {task.initial_response!r}")
        expect_raises(
            ScaleInvalidRequest,
            lambda: self.client.create_evaluation_task(TaskType.ImageAnnotation, project=self.rapid_project),
            code=400,
        )
        return "Q16: .initial_response is None although the JSON carries it"

    def s_training_task(self) -> None:
        expected: Dict[str, Any] = {"annotations": []}
        task = self.client.create_training_task(TaskType.ImageAnnotation, **self._rapid_task(expected))
        expect(bool(task.id) and task.expected_response == expected, f"training task {task.as_dict()!r}")

    # ---------------------------------------------------------------- studio

    def s_studio_assignments(self) -> None:
        self.client.create_project(
            project_name=self.studio_project, task_type=TaskType.ImageAnnotation, studio=True
        )
        assignments = self.client.add_studio_assignments([self.labeler], [self.studio_project])
        expect(self.labeler in assignments, f"assignments keys {sorted(assignments)!r}")
        expect(
            assignments[self.labeler].assigned_projects == [self.studio_project],
            f"assigned {assignments[self.labeler].assigned_projects!r}",
        )
        listed = self.client.list_studio_assignments()
        expect(listed[self.labeler].assigned_projects == [self.studio_project], "list_studio_assignments")

    def s_studio_groups(self) -> str:
        group = self.client.create_project_group(self.studio_project, [self.labeler], self.group)
        expect(group.name == self.group and group.numWorkers == 1, f"group {group.as_dict()!r}")
        # Q17: .workers is a 1-tuple holding the list when workers exist.
        workers = group.workers[0] if isinstance(group.workers, tuple) else group.workers
        expect([w.email for w in workers] == [self.labeler], f"workers {group.as_dict()!r}")
        groups = self.client.list_project_groups(self.studio_project)
        expect([g.name for g in groups] == [self.group], f"groups {[g.name for g in groups]!r}")
        group = self.client.update_project_group(self.studio_project, self.group, [], [self.labeler])
        expect(group.numWorkers == 0, f"after remove {group.as_dict()!r}")
        group = self.client.update_project_group(self.studio_project, self.group, [self.labeler], [])
        expect(group.numWorkers == 1, f"after add {group.as_dict()!r}")
        return "Q17: workers is a 1-tuple wrapping the list"

    def s_studio_batches(self) -> None:
        for name in self.studio_batches:
            batch = self.client.create_batch(self.studio_project, name)
            expect(batch.status == "staging", f"studio batch status {batch.status!r}")
        listed = self.client.list_studio_batches()
        names = [b.name for b in listed]
        expect(all(n in names for n in self.studio_batches), f"list_studio_batches {names!r}")
        assigned = self.client.assign_studio_batches(self.studio_batches[0], [self.group])
        expect(assigned.name == self.studio_batches[0], f"assigned {assigned.as_dict()!r}")
        expect(assigned.groups == [self.group], f"groups {assigned.groups!r}")
        expect(assigned.project_name == self.studio_project, f"projectName {assigned.project_name!r}")

    def s_studio_priorities(self) -> None:
        names = [b.name for b in self.client.list_studio_batches()]
        wanted = list(reversed(names))
        ordered = self.client.set_studio_batches_priorities(wanted)
        expect([b.name for b in ordered] == wanted, f"set priorities {[b.name for b in ordered]!r}")
        expect([b.name for b in self.client.list_studio_batches()] == wanted, "list after set")
        expect_raises(
            ScaleInvalidRequest, lambda: self.client.set_studio_batches_priorities(wanted[:1]), code=400
        )
        reset = self.client.reset_studio_batches_priorities()
        expect(sorted(b.name for b in reset) == sorted(names), f"reset {[b.name for b in reset]!r}")

    def s_studio_remove_assignments(self) -> None:
        assignments = self.client.remove_studio_assignments([self.labeler], [self.studio_project])
        expect(assignments[self.labeler].assigned_projects == [], "assignment not removed")

    # ---------------------------------------------------------------- v2

    def s_v2(self) -> None:
        # The generated v2 client is out of scope (API_REFERENCE §0, Q32): it is not pointed at
        # api_instance_url, so calling it would go to the real service. Only its presence is noted.
        raise Skip(
            "v2 API is out of scope and not emulated"
            + ("" if hasattr(self.client, "v2_get_tasks") else f"; absent in scaleapi {scaleapi.__version__}")
        )
