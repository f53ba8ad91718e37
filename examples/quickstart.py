"""Quickstart: the whole life of a labeling job, on a local Scale API.

By default everything runs on an embedded emulator started by this script, so nothing leaves the
machine: a project and a batch with a callback URL, three tasks that stay pending (a live-mode key)
until the emulator's lifecycle completes them the way a labeler would, the callbacks arriving at a
small receiver on 127.0.0.1, the annotation results, and an export to JSON Lines.

    python -m pip install -e ".[emulator]" && python examples/quickstart.py

``--real`` runs the same steps against your Scale account instead (``SCALE_API_KEY``, and
``SCALE_API_BASE_URL`` if set): it says what it will create first, and since real labelers take
hours it does not wait for the tasks to complete.
"""
import argparse
import contextlib
import http.server
import json
import os
import sys
import tempfile
import threading
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

import scaleapi
from scaleapi.callbacks import callback_auth_from_headers, parse_callback, verify_callback_auth
from scaleapi.tasks import TaskType

TASKS = 3
INSTRUCTION = "Draw a box around each cow."


class CallbackReceiver:
    """A tiny HTTP server on 127.0.0.1 that records the task callbacks it is sent."""

    def __init__(self, auth_key: str) -> None:
        self.received: List[Tuple[str, str]] = []  # (task id, status)
        self._done = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            """Checks ``scale-callback-auth``, parses the body, answers 200."""

            def do_POST(self) -> None:  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not verify_callback_auth(callback_auth_from_headers(dict(self.headers.items())), auth_key):
                    self.send_response(401)
                    self.end_headers()
                    return
                task = parse_callback(body)
                self.send_response(200)
                self.end_headers()
                with receiver._done:
                    receiver.received.append((task.id, task.status))
                    receiver._done.notify_all()

            def log_message(self, *_args: Any) -> None:
                pass  # keep the quickstart's output to its own lines

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/scale-callback"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until ``count`` callbacks have arrived (False if ``timeout`` runs out first)."""
        with self._done:
            return self._done.wait_for(lambda: len(self.received) >= count, timeout)

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def local_setup() -> Iterator[Tuple[scaleapi.ScaleClient, Any, CallbackReceiver]]:
    """An embedded emulator whose live-mode tasks complete 1 s after creation, and a receiver."""
    try:
        from scaleapi.emulator import Emulator  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.exit('the emulator is not installed: python -m pip install -e ".[emulator]"')
    with Emulator() as emulator:
        emulator.set_lifecycle(complete_after=1.0)
        receiver = CallbackReceiver(emulator.callback_auth_key)
        try:
            # A "live_" key: tasks stay pending until completed, as on Scale (a "test_" key would
            # complete every task the moment it is created).
            with scaleapi.ScaleClient("live_quickstart", api_instance_url=emulator.url) as client:
                yield client, emulator, receiver
        finally:
            receiver.close()


def describe(task: scaleapi.tasks.Task) -> str:
    """One line on a completed task's annotations."""
    response: Dict[str, Any] = task.response or {}
    annotations = response.get("annotations") or []
    if not isinstance(annotations, list):
        return f"response keys: {', '.join(sorted(response))}"
    labels: Dict[str, int] = {}
    for annotation in annotations:
        label = str(annotation.get("label", "?")) if isinstance(annotation, dict) else "?"
        labels[label] = labels.get(label, 0) + 1
    parts = ", ".join(f"{n} x {label}" for label, n in sorted(labels.items()))
    first = annotations[0] if annotations and isinstance(annotations[0], dict) else {}
    box = {k: first[k] for k in ("left", "top", "width", "height") if k in first}
    noun = "annotation" if len(annotations) == 1 else "annotations"
    return f"{len(annotations)} {noun} ({parts}); first box {box}" if box else f"{parts or 'none'}"


def run(client: scaleapi.ScaleClient, callback_url: Optional[str]) -> Tuple[str, str, List[str]]:
    """Create the project, the batch and the tasks; finalize the batch. Returns their names and ids."""
    suffix = uuid.uuid4().hex[:8]
    project = client.create_project(
        project_name=f"quickstart-{suffix}",
        task_type=TaskType.ImageAnnotation,
        params={"instruction": INSTRUCTION},
    )
    print(f"1. Created project {project.name!r} for {project.type} tasks")
    batch = client.create_batch(project=project.name, batch_name=f"quickstart-batch-{suffix}")
    print(f"2. Created batch {batch.name!r} (status {batch.status})")
    ids = []
    callback = {"callback_url": callback_url} if callback_url else {}
    for number in range(TASKS):
        task = client.create_task(
            TaskType.ImageAnnotation,
            batch=batch.name,
            **callback,
            instruction=INSTRUCTION,
            attachment_type="image",
            attachment=f"https://example.com/cows/{number}.jpg",
            unique_id=f"quickstart-{suffix}-{number}",
            geometries={"box": {"objects_to_annotate": ["Cow"], "min_height": 10, "min_width": 10}},
        )
        ids.append(task.id)
    print(f"3. Created {TASKS} tasks, all {task.status}: {', '.join(ids)}")
    client.finalize_batch(batch.name)
    counts = client.batch_status(batch.name)
    print(f"4. Finalized the batch: labelers now see it ({counts.get('pending', 0)} tasks pending)")
    return project.name, batch.name, ids


def main_local() -> None:
    """The whole flow on the embedded emulator."""
    with local_setup() as (client, emulator, receiver):
        print(f"Scale API emulator at {emulator.url} (nothing leaves this machine)")
        project, _batch, ids = run(client, receiver.url)
        print("5. Waiting for the labelers (the emulator completes each task 1 s after creation)...")
        tasks = client.wait_for_tasks(ids, timeout=60)
        for task in tasks:
            print(f"   {task.id} {task.status}: {describe(task)}")
        arrived = receiver.wait_for(TASKS, timeout=30)
        print(
            f"6. Callbacks received at {receiver.url}: {len(receiver.received)}"
            + ("" if arrived else f" of {TASKS} (timed out)")
        )
        for task_id, status in receiver.received:
            print(f"   {task_id} -> {status}")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "tasks.jsonl")
            written = client.export_tasks(path, project_name=project, workers=2)
            with open(path, encoding="utf-8") as handle:
                first = json.loads(handle.readline())
            print(f"7. Exported {written} tasks to JSON Lines (first: {first['task_id']}, {first['status']})")
        if not arrived or written != TASKS:
            sys.exit("the flow did not complete as expected")
        print("Done. Point your own code at the emulator with SCALE_API_BASE_URL, or run `scaleapi emulator`.")


def main_real() -> None:
    """The same steps on the account of ``SCALE_API_KEY`` (no waiting, no callbacks)."""
    if not os.environ.get("SCALE_API_KEY"):
        sys.exit("--real needs SCALE_API_KEY (and SCALE_API_BASE_URL to use another server)")
    where = os.environ.get("SCALE_API_BASE_URL", "the Scale API")
    print(f"This creates, on {where}: one project, one batch and {TASKS} image-annotation tasks.")
    with scaleapi.ScaleClient(source="quickstart") as client:
        _project, batch, ids = run(client, None)
        for task in client.get_tasks(batch_name=batch):
            print(f"   {task.id} {task.status}")
        print(f"Labelers complete tasks in hours, not seconds: check later with `scaleapi tasks wait {ids[0]}`.")


def main(argv: Optional[List[str]] = None) -> None:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--real", action="store_true", help="use your Scale account (SCALE_API_KEY) instead of the emulator"
    )
    args = parser.parse_args(argv)
    if args.real:
        main_real()
    else:
        main_local()


if __name__ == "__main__":
    main()
