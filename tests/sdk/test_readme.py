"""Every code sample of the seed README runs, in order, against the emulator.

The samples (``support.readme_samples``) are exec'd unchanged in one shared namespace, configured only
through ``SCALE_API_KEY`` and ``SCALE_API_BASE_URL``. What the README leaves to the reader is supplied here,
each case marked SUBSTITUTION or PREREQUISITE:

* SUBSTITUTION: the placeholder key ``"YOUR_API_KEY_HERE"`` becomes the test key from ``SCALE_API_KEY``
  (the emulator refuses keys that are not Scale-shaped, as the real API would refuse the placeholder).
* SUBSTITUTION: the fixed task id ``30553edd0b6a93f8f05f0fee`` becomes the id of a task the samples
  created (ids are server-generated); for the cancel sample, the id of a pending task of a ``live_``
  account, since test-mode tasks complete at creation and a completed task cannot be canceled (400).
* SUBSTITUTION: the placeholders ``'emails_to_add'`` / ``'emails_to_remove'`` become real teammates.
* PREREQUISITE: projects, batches, teammate assignments and a file that the samples assume exist.
* The proxy sample only builds a client; it runs in its own namespace so the proxied client does not
  replace ``client`` for the later samples (its ``cert`` path does not exist here).
* The cancel sample runs with ``client`` bound to the live account; the evaluation-task sample runs with
  ``client`` bound to a second test account whose ``test_project`` is a Rapid TextCollection project
  (evaluation tasks need Rapid, while the README's ``create_task`` needs ``test_project`` non-Rapid).
"""
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from support.sdk import image_task_payload
from support.readme_samples import SAMPLES

from scaleapi import ScaleClient, TaskType

README_KEY = "test_readme_samples_key"
README_LIVE_KEY = "live_readme_samples_key"
README_RAPID_KEY = "test_readme_rapid_key"
README_TASK_ID = "30553edd0b6a93f8f05f0fee"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_bef3a9acf9eb004b.txt"


class Runner:
    """Runs the samples in order, with the prerequisites each needs."""

    def __init__(self, emu: Any, tmp_path: Path) -> None:
        self.setup = ScaleClient(README_KEY, api_instance_url=emu.url)
        self.live = ScaleClient(README_LIVE_KEY, api_instance_url=emu.url)
        self.rapid = ScaleClient(README_RAPID_KEY, api_instance_url=emu.url)
        self.tmp_path = tmp_path
        self.namespace: Dict[str, Any] = {"__name__": "readme"}
        self.ran: List[str] = []
        self._task_id: Optional[str] = None

    def close(self) -> None:
        """Close the helper clients."""
        for scale in (self.setup, self.live, self.rapid):
            scale.close()

    def task_id(self) -> str:
        """The README's own task: the one created with unique_id c235d023af73 (looked up once, since
        later samples change its unique_id)."""
        if self._task_id is None:
            (task,) = self.setup.tasks(unique_id="c235d023af73").docs
            self._task_id = str(task.id)
        return self._task_id

    def run(self, sample_id: str, code: str) -> None:
        """Exec one sample, with its prerequisites and substitutions."""
        code = code.replace('"YOUR_API_KEY_HERE"', 'os.environ["SCALE_API_KEY"]')  # SUBSTITUTION
        namespace = self.namespace
        hook: Callable[[str], str] = getattr(self, "before_" + sample_id.replace("-", "_"), lambda c: c)
        code = hook(code)
        if README_TASK_ID in code:
            code = code.replace(README_TASK_ID, self.task_id())  # SUBSTITUTION
        if sample_id == "usage-2":
            namespace = {"scaleapi": namespace["scaleapi"]}  # isolated: builds a proxied client only
        elif sample_id == "cancel-task":
            namespace = {**namespace, "client": self.live}
        elif sample_id == "create-evaluation-task-2":
            namespace = {**namespace, "client": self.rapid}
        exec(compile("import os\n" + code, f"<README {sample_id}>", "exec"), namespace)  # pylint: disable=exec-used
        self.ran.append(sample_id)

    # -- prerequisites, each named after the sample it prepares ----------------------------------

    def before_create_task_2(self, code: str) -> str:
        """PREREQUISITE: the projects the task samples use."""
        self.setup.create_project("test_project", TaskType.ImageAnnotation)
        self.setup.create_project("My Project", TaskType.ImageAnnotation)
        return code

    def before_cancel_task(self, code: str) -> str:
        """PREREQUISITE + SUBSTITUTION: a pending live-mode task to cancel."""
        self.live.create_project("test_project", TaskType.ImageAnnotation)
        task = self.live.create_task(
            TaskType.ImageAnnotation, **image_task_payload(project="test_project", unique_id="cancel-me")
        )
        assert task.status == "pending"
        return code.replace(README_TASK_ID, str(task.id))

    def before_upload_files(self, code: str) -> str:
        """PREREQUISITE: the local file the sample opens as ``file_name``."""
        path = self.tmp_path / "kitten.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 128)
        self.namespace["file_name"] = str(path)
        return code

    def before_create_evaluation_task_2(self, code: str) -> str:
        """PREREQUISITE: a Rapid TextCollection "test_project" in the second test account.

        The sample sends only ``attachments``; as on Scale, the task's ``fields`` come from the
        project's params, which tasks inherit.
        """
        fields = [{"type": "category", "field_id": "answer_reasonable", "title": "Is the answer reasonable?",
                   "choices": [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]}]
        self.rapid.create_project(
            "test_project", TaskType.TextCollection, params={"fields": fields}, rapid=True
        )
        return code

    def before_add_studio_assignment(self, code: str) -> str:
        """PREREQUISITE: the projects named in the assignment samples."""
        for name in ("project 1", "project 2"):
            self.setup.create_project(name, TaskType.ImageAnnotation, studio=True)
        return code

    def before_list_studio_project_groups(self, code: str) -> str:
        """PREREQUISITE: the Studio project "project_name" with both teammates assigned."""
        self.setup.create_project("project_name", TaskType.ImageAnnotation, studio=True)
        self.setup.add_studio_assignments(["email1@example.com", "email2@example.com"], ["project_name"])
        return code

    def before_update_studio_project_group(self, code: str) -> str:
        """SUBSTITUTION: the README's placeholder emails become the two teammates."""
        code = code.replace("['emails_to_add']", "['email2@example.com']")
        return code.replace("['emails_to_remove']", "['email1@example.com']")

    def before_list_studio_batches(self, code: str) -> str:
        """PREREQUISITE: a pending Studio batch named "batch_name"."""
        self.setup.create_batch("project_name", "batch_name")
        return code

    def before_set_studio_batches_priority(self, code: str) -> str:
        """PREREQUISITE: exactly three pending Studio batches, named as in the sample.

        "batch_name" (from the assign sample) is completed first: the list must name every pending batch.
        """
        self.setup.finalize_batch("batch_name")
        self.setup.create_task(TaskType.ImageAnnotation, **image_task_payload(batch="batch_name"))
        for name in ("pending_batch_1", "pending_batch_2", "pending_batch_3"):
            self.setup.create_batch("project_name", name)
        return code


def test_readme_samples_run_in_order(
    emu: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All runnable samples run; a few of their outcomes are checked afterwards."""
    monkeypatch.setenv("SCALE_API_KEY", README_KEY)
    monkeypatch.setenv("SCALE_API_BASE_URL", emu.url)
    runner = Runner(emu, tmp_path)
    try:
        for sample_id, runnable, code in SAMPLES:
            if runnable:
                runner.run(sample_id, code)
        ns = runner.namespace
        assert ns["client"].api.base_url == emu.url
        assert ns["task"].tags == ["tag3", "tag4", "tag5"]
        assert ns["batch"].name in {"batch_name_01_07_2021"} or ns["batch"].status
        assert ns["project"].name and ns["my_file"].attachment_url.startswith("scaledata://")
        assert {t.email for t in ns["teammates"]} >= {"email1@example.com", "email2@example.com"}
        assert [w.email for w in ns["updated_project_group"].workers] == ["email2@example.com"]
        assert [b.name for b in ns["studio_batch_priority"]] == [
            "pending_batch_1", "pending_batch_2", "pending_batch_3",
        ]  # fmt: skip
        assert runner.live.get_task(runner.live.tasks(project="test_project").docs[0].id).status == "canceled"
        out = capsys.readouterr().out
        assert "batch_name_01_07_2021" in out and "Test_Project" in out
        assert '400\nParameter is invalid, reason: "attachments" is required' in out
    finally:
        runner.close()
    skipped = [sample_id for sample_id, runnable, _ in SAMPLES if not runnable]
    assert skipped == ["create-task", "import-files-2", "create-evaluation-task", "create-training-task"]
    assert len(runner.ran) == len(SAMPLES) - len(skipped)


def _seed_blocks(text: str) -> List[str]:
    lines = text.split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].startswith(".. code-block") and "bash" not in lines[i]:
            j, body = i + 1, []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
                body.append(lines[j])
                j += 1
            blocks.append(textwrap.dedent("\n".join(body)).strip("\n"))
            i = j
        else:
            i += 1
    return blocks


@pytest.mark.skipif(not SEED.exists(), reason="the seed README is not beside this checkout")
def test_samples_match_the_seed_readme() -> None:
    """Our copy equals the seed's code blocks, apart from the lines marked FIXED."""
    ours = [code.strip("\n") for _, _, code in SAMPLES]
    seed = _seed_blocks(SEED.read_text(encoding="utf-8"))
    assert len(ours) == len(seed)
    for mine, theirs in zip(ours, seed):
        mine_lines, their_lines = mine.split("\n"), theirs.split("\n")
        assert len(mine_lines) == len(their_lines)
        for a, b in zip(mine_lines, their_lines):
            if "# FIXED" not in a:
                assert a == b
            else:
                assert re.sub(r"\s+", "", a.split("# FIXED")[0]) != re.sub(r"\s+", "", b)
