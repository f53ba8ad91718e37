"""Cancel every pending task of one or more batches, concurrently, on one shared client.

    python examples/cancel_batch.py BATCH [BATCH ...] [--project NAME] [--workers N] [--clear-unique-id]

With ``SCALE_API_KEY`` set it works on your account (``SCALE_API_BASE_URL`` picks another base URL).
Without it, it starts the local emulator, makes a demo batch of pending (live-mode) tasks, and
cancels those, so you can watch it work with nothing to set up.

The client is shared by every thread: one connection pool, one rate limiter that slows every thread
down when Scale answers 429. A cancel is idempotent, so the SDK retries it safely after server errors;
tasks that are no longer pending (completed, or already canceled) are reported, not retried.
"""
import argparse
import contextlib
import os
import sys
from typing import Iterator, List, Optional, Sequence

import scaleapi
from scaleapi.exceptions import ScaleInvalidRequest
from scaleapi.tasks import TaskStatus, TaskType


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("batches", nargs="*", help="batch names (a demo batch on the emulator if none)")
    parser.add_argument("--project", help="the batches' project (optional)")
    parser.add_argument("--workers", type=int, default=8, help="cancels in flight at once (default 8)")
    parser.add_argument("--clear-unique-id", action="store_true", help="also free each task's unique_id")
    return parser.parse_args(argv)


@contextlib.contextmanager
def client_and_batches(batches: List[str]) -> Iterator["tuple[scaleapi.ScaleClient, List[str]]"]:
    """The real API when a key is configured; else an emulator with a demo batch of pending tasks."""
    if os.environ.get("SCALE_API_KEY"):
        if not batches:
            sys.exit("name at least one batch to cancel")
        with scaleapi.ScaleClient(source="cancel_batch") as client:
            yield client, batches
        return
    from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel

    with Emulator() as emulator, scaleapi.ScaleClient("live_demo", api_instance_url=emulator.url) as client:
        client.create_project("demo-project", TaskType.ImageAnnotation)
        client.create_batch("demo-project", "demo-batch")
        for number in range(25):
            client.create_task(
                TaskType.ImageAnnotation, batch="demo-batch", attachment=f"https://example.com/{number}.jpg",
                geometries={"box": {"objects_to_annotate": ["cow"]}},
            )
        print(f"Demo on the local emulator at {emulator.url}: 25 pending tasks in 'demo-batch'")
        yield client, batches or ["demo-batch"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Cancel the pending tasks of each batch; print a summary. Returns the exit status."""
    args = parse_args(argv)
    failures = 0
    with client_and_batches(list(args.batches)) as (client, batches):
        for batch in batches:
            pending = [
                task.id
                for task in client.get_tasks(project_name=args.project, batch_name=batch, status=TaskStatus.Pending)
            ]
            result = client.cancel_tasks(pending, clear_unique_id=args.clear_unique_id, concurrency=args.workers)
            not_pending = [f for f in result.failed if isinstance(f.error, ScaleInvalidRequest)]
            failures += len(result.failed) - len(not_pending)
            print(
                f"{batch}: {len(pending)} pending, {len(result.succeeded)} canceled, "
                f"{len(not_pending)} no longer pending, {len(result.failed) - len(not_pending)} failed"
            )
            for failure in result.failed:
                print(f"  {failure.item}: {failure.error}")
            print(f"{batch} status now: {client.batch_status(batch)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
