"""The official-client flow's steps that change tasks (metadata, tags, unique ids, audits), files, teammates.

Imported by official_client_flow.py once the repository is off ``sys.path``: ``scaleapi`` here is
the official client (see that script's docstring).
"""
# The step methods are named in the step table of Flow.run, which is their documentation.
# pylint: disable=missing-function-docstring
from __future__ import annotations

import io
import os
import tempfile

from flow_steps import expect
from official_flow_base import FlowState, expect_raises, tiny_png
from scaleapi.exceptions import ScaleDuplicateResource, ScaleInvalidRequest, ScaleResourceNotFound
from scaleapi.tasks import TaskReviewStatus, TaskType
from scaleapi.teams import TeammateRole


class TaskEditSteps(FlowState):
    """Steps from task metadata to teammate roles."""

    # ---------------------------------------------------------------- task mutations

    def s_set_metadata(self) -> None:
        task = self.client.set_task_metadata(self.task_ids[0], {"a": 1, "nested": {"b": [1, 2]}})
        expect(task.metadata == {"a": 1, "nested": {"b": [1, 2]}}, f"metadata {task.metadata!r}")
        task.set_metadata({"via": "model"})  # Q20: returns None, the object is stale until refresh()
        task.refresh()
        expect(task.metadata == {"via": "model"}, f"after refresh {task.metadata!r}")

    def s_set_metadata_empty(self) -> str:
        # Q14: the official client drops a falsy body, so {} goes out as an empty POST. The
        # emulator reads an empty body as {} (docs/emulator.md), so the metadata is cleared.
        task = self.client.set_task_metadata(self.task_ids[0], {})
        expect(task.metadata == {}, f"metadata {task.metadata!r}")
        return "Q14: sent with no body; emulator treats it as {}"

    def s_tags(self) -> None:
        tid = self.task_ids[1]
        task = self.client.set_task_tags(tid, ["tag1", "tag2", "tag3"])
        expect(task.tags == ["tag1", "tag2", "tag3"], f"set {task.tags!r}")
        expect(self.client.get_task(tid).tags == ["tag1", "tag2", "tag3"], "GET after set")
        task = self.client.add_task_tags(tid, ["tag3", "tag4"])
        expect(task.tags == ["tag1", "tag2", "tag3", "tag4"], f"add {task.tags!r}")
        task = self.client.delete_task_tags(tid, ["tag1", "tag2", "nope"])
        expect(task.tags == ["tag3", "tag4"], f"delete {task.tags!r}")
        model = self.client.get_task(self.task_ids[2])
        model.add_tags(["x"])
        model.set_tags(["y", "z"])
        model.delete_tags(["y"])
        model.refresh()
        expect(model.tags == ["z"], f"model methods {model.tags!r}")

    def s_tags_empty(self) -> str:
        # Q14 again: [] is dropped; the emulator treats the empty body as [] and clears the tags.
        task = self.client.set_task_tags(self.task_ids[2], [])
        expect(task.as_dict().get("tags") == [], f"tags {task.as_dict().get('tags')!r}")
        return "Q14: sent with no body; emulator treats it as []"

    def s_get_tasks_tags(self) -> None:
        ids = [t.id for t in self.client.get_tasks(project_name=self.project, tags=["tag3", "tag4"])]
        expect(ids == [self.task_ids[1]], f"tags filter {ids}")
        ids = [t.id for t in self.client.get_tasks(project_name=self.project, tags="tag4")]
        expect(ids == [self.task_ids[1]], f"single tag filter {ids}")

    def s_unique_id(self) -> None:
        tid = self.task_ids[0]
        new_uid = f"{self.unique_id}-new"
        task = self.client.update_task_unique_id(tid, new_uid)
        expect(task.as_dict().get("unique_id") == new_uid, f"unique_id {task.as_dict().get('unique_id')!r}")
        expect_raises(
            ScaleDuplicateResource, lambda: self.client.update_task_unique_id(tid, self.unique_id), code=409
        )
        task = self.client.clear_task_unique_id(tid)
        expect(
            "unique_id" not in task.as_dict(), f"unique_id still present: {task.as_dict().get('unique_id')!r}"
        )
        model = self.client.get_task(tid)
        model.update_unique_id(new_uid)
        model.refresh()
        expect(model.as_dict().get("unique_id") == new_uid, "Task.update_unique_id")
        model.clear_unique_id()
        model.refresh()
        expect("unique_id" not in model.as_dict(), "Task.clear_unique_id")

    def s_cancel_completed(self) -> None:
        tid = self.task_ids[0]
        expect_raises(ScaleInvalidRequest, lambda: self.client.cancel_task(tid), code=400)
        expect_raises(
            ScaleInvalidRequest, lambda: self.client.cancel_task(tid, clear_unique_id=True), code=400
        )
        model = self.client.get_task(tid)
        expect_raises(ScaleInvalidRequest, model.cancel, code=400)
        expect_raises(ScaleResourceNotFound, lambda: self.client.cancel_task("fake_id_qwertyuiop"), code=404)

    def s_audit(self) -> None:
        # pylint: disable-next=assignment-from-no-return
        result = self.client.audit_task(self.task_ids[0], True, "looks right")  # type: ignore[func-returns-value]
        expect(result is None, f"audit_task returns None in the official client, got {result!r}")
        task = self.client.get_task(self.task_ids[0])
        expect(task.as_dict().get("customer_review_status") == "accepted", f"review {task.as_dict()!r}")
        self.client.get_task(self.task_ids[1]).audit(False, "missed a car")
        task = self.client.get_task(self.task_ids[1])
        expect(task.as_dict().get("customer_review_status") == "rejected", "Task.audit(False)")

    def s_review_status_filter(self) -> None:
        ids = [
            t.id
            for t in self.client.get_tasks(project_name=self.project, review_status=TaskReviewStatus.Accepted)
        ]
        expect(ids == [self.task_ids[0]], f"accepted filter {ids}")
        both = [
            t.id
            for t in self.client.get_tasks(
                project_name=self.project,
                review_status=[TaskReviewStatus.Accepted, TaskReviewStatus.Rejected],
            )
        ]
        expect(sorted(both) == sorted(self.task_ids[:2]), f"accepted,rejected filter {both}")

    # ---------------------------------------------------------------- files

    def s_upload_file(self) -> str:
        data = tiny_png()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "compat.png")
            with open(path, "wb") as handle:
                handle.write(data)
            with open(path, "rb") as handle:
                uploaded = self.client.upload_file(file=handle, project_name=self.project)
        expect(
            uploaded.attachment_url.startswith("scaledata://"), f"attachment_url {uploaded.attachment_url!r}"
        )
        info = uploaded.as_dict()
        expect(info.get("size") == len(data), f"size {info.get('size')!r} vs {len(data)}")
        expect(info.get("mime_type") == "image/png", f"mime_type {info.get('mime_type')!r}")
        expect(self.project in info.get("project_names", []), f"project_names {info.get('project_names')!r}")
        # A nameless stream works too, and the scaledata:// URL is usable as a task attachment.
        self.client.upload_file(file=io.BytesIO(data), display_name="stream.png")
        task = self.client.create_task(
            TaskType.ImageAnnotation,
            **self._task_payload(project=self.project, attachment=uploaded.attachment_url),
        )
        expect(task.params.get("attachment") == uploaded.attachment_url, "task with scaledata:// attachment")
        self.task_ids.append(task.id)
        return f"{len(data)}-byte PNG -> {uploaded.attachment_url}"

    def s_import_file(self) -> None:
        imported = self.client.import_file(
            file_url="http://i.imgur.com/v4cBreD.jpg", project_name=self.project
        )
        expect(
            imported.attachment_url.startswith("scaledata://"), f"attachment_url {imported.attachment_url!r}"
        )
        expect(bool(imported.id), "file id")

    # ---------------------------------------------------------------- teammates

    def s_list_teammates(self) -> str:
        teammates = self.client.list_teammates()
        expect(len(teammates) >= 1, "the account should have at least one teammate")
        expect(all(t.email and t.role for t in teammates), "teammate email/role")
        return f"{len(teammates)} teammate(s)"

    def s_invite_teammates(self) -> None:
        team = self.client.invite_teammates([self.invitee, self.labeler], TeammateRole.Member)
        roles = {t.email: t.role for t in team}
        expect(roles.get(self.invitee) == "member", f"invitee role {roles.get(self.invitee)!r}")
        expect(len(team) >= 3, "invite returns every teammate")

    def s_update_teammates_role(self) -> None:
        team = self.client.update_teammates_role([self.labeler], TeammateRole.Labeler)
        roles = {t.email: t.role for t in team}
        expect(roles.get(self.labeler) == "labeler", f"role {roles.get(self.labeler)!r}")
        member = [t for t in team if t.email == self.invitee][0]
        member.update_teammate_role(TeammateRole.Manager)
        roles = {t.email: t.role for t in self.client.list_teammates()}
        expect(
            roles.get(self.invitee) == "manager",
            f"Teammate.update_teammate_role -> {roles.get(self.invitee)!r}",
        )
