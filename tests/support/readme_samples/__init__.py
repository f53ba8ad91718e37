"""Every code sample of the seed README (shared/seeds/000_bef3a9acf9eb004b.txt), in README order.

Copied verbatim except for three typo fixes, each marked FIXED in its module:
* List Batches: ``print(f"{len(batch_list))} batches retrieved")`` has one ``)`` too many;
* Create Evaluation Task: the bare positional ``attachments,`` inside ``dict(...)`` is a SyntaxError and
  becomes ``attachments=attachments,``;
* Update Teammate Role: the README's directive lacks ``::`` (``.. code-block python``); the code itself is
  unchanged.

Blocks that are pseudo-code in the README (``...task parameters...``, ``dict(... ...)``) are kept with
``RUNNABLE = False`` so the copy stays complete; the test skips only those.

The samples sit in three modules by README section (``tasks``, ``batches_projects_files``,
``teams_studio_errors``); ``SAMPLES`` joins them in README order.
"""
from typing import List, Tuple

from support.readme_samples.batches_projects_files import BATCH_PROJECT_FILE_SAMPLES
from support.readme_samples.tasks import TASK_SAMPLES
from support.readme_samples.teams_studio_errors import TEAM_STUDIO_ERROR_SAMPLES

# (id, runnable, code)
SAMPLES: List[Tuple[str, bool, str]] = TASK_SAMPLES + BATCH_PROJECT_FILE_SAMPLES + TEAM_STUDIO_ERROR_SAMPLES
