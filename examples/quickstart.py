"""Quickstart: the main Scale flow, end to end.

Creates a project, a batch and a few image-annotation tasks, finalizes the batch, checks its status
and lists the tasks back. With ``SCALE_API_KEY`` set it talks to Scale (or to ``SCALE_API_BASE_URL``);
without it, it starts the local emulator (``pip install -e ".[emulator]"``) and runs there.
"""
import contextlib
import os
import sys
import uuid
from typing import Iterator, Tuple

import scaleapi
from scaleapi.tasks import TaskType


@contextlib.contextmanager
def scale_client() -> Iterator[Tuple[scaleapi.ScaleClient, str]]:
    """A client for the real API when a key is configured, else for an embedded emulator."""
    if os.environ.get("SCALE_API_KEY"):
        with scaleapi.ScaleClient(source="quickstart") as client:
            yield client, os.environ.get("SCALE_API_BASE_URL", "the Scale API")
        return
    try:
        from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit('SCALE_API_KEY is not set and the emulator is not installed: pip install -e ".[emulator]"')
    with Emulator() as emulator:
        with scaleapi.ScaleClient("test_quickstart", api_instance_url=emulator.url) as client:
            yield client, f"the local emulator at {emulator.url}"


def main() -> None:
    """Run the flow and print what happens at each step."""
    with scale_client() as (client, where):
        print(f"Using {where}")
        suffix = uuid.uuid4().hex[:8]
        project = client.create_project(
            project_name=f"quickstart-{suffix}",
            task_type=TaskType.ImageAnnotation,
            params={"instruction": "Draw a box around each cow."},
        )
        print(f"Created project {project.name!r} ({project.type})")

        batch = client.create_batch(project=project.name, batch_name=f"quickstart-batch-{suffix}")
        print(f"Created batch {batch.name!r}, status {batch.status}")

        for number in range(3):
            task = client.create_task(
                TaskType.ImageAnnotation,
                batch=batch.name,
                instruction="Draw a box around each cow.",
                attachment_type="image",
                attachment=f"https://example.com/cows/{number}.jpg",
                unique_id=f"quickstart-{suffix}-{number}",
                geometries={"box": {"objects_to_annotate": ["Cow"], "min_height": 10, "min_width": 10}},
            )
            print(f"Created task {task.id} ({task.status})")

        batch = client.finalize_batch(batch.name)
        print(f"Finalized batch {batch.name!r}, status {batch.status}")
        status = client.batch_status(batch.name)
        print(f"Batch status: {status}")

        count = client.get_tasks_count(project_name=project.name, batch_name=batch.name)
        print(f"{count} tasks in the batch:")
        for task in client.get_tasks(project_name=project.name, batch_name=batch.name):
            print(f"  {task.id}  {task.status:<9}  {task.params['attachment']}")


if __name__ == "__main__":
    main()
