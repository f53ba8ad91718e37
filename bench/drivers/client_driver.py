"""Time one client doing one job against a running emulator; print the figures as one JSON line.

Run by path (``python bench/drivers/client_driver.py '<job json>'``) with the interpreter of the
client under test: ours, or the existing ``scaleapi==2.15.1`` in its own venv. The clock runs inside
this process, so interpreter start-up and imports are never part of a figure.

Job keys: ``op`` (``list``, ``create_seq``, ``create_bulk``, ``export_seq``, ``export_par``),
``client`` (``ours``, ``existing`` or ``raw``), ``url``, ``key``, ``project``, ``verify`` (a CA path or
null), and per op ``expected``, ``count``, ``concurrency``, ``workers``, ``out``.
"""
import json
import os
import resource
import sys
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

import requests

Job = Dict[str, Any]


def current_rss_kb() -> int:
    """Resident set size now, in KiB (Linux ``/proc``; else the peak so far)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            resident_pages = int(handle.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return peak_rss_kb()


def peak_rss_kb() -> int:
    """Peak resident set size of this process, in KiB (macOS reports bytes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])  # follows a reset through clear_refs
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def make_sdk_client(job: Job) -> Any:
    """A ``scaleapi.ScaleClient`` of whichever SDK this interpreter imports (with bulk methods)."""
    import scaleapi  # pylint: disable=import-outside-toplevel

    client_class: Any = scaleapi.ScaleClient
    if job["client"] == "ours" and not hasattr(client_class, "create_tasks"):
        # Until BulkMixin is mixed into ScaleClient itself.
        from scaleapi._client_bulk import BulkMixin  # pylint: disable=import-outside-toplevel

        client_class = type("ScaleClient", (client_class, BulkMixin), {})
    return client_class(job["key"], api_instance_url=job["url"], verify=job.get("verify"))


def raw_tasks(job: Job, session: requests.Session) -> Iterator[Dict[str, Any]]:
    """The listing as a bare ``requests.Session`` loop: the same query, JSON decoded, nothing more.

    Like ``get_tasks`` it hands out the tasks one by one (as plain dicts), so the two differ only by
    what the SDK adds: building a ``Task`` per document and checking each page.
    """
    url = job["url"] + "/tasks"
    # What get_tasks sends by default (requests spells True as "True").
    params: Dict[str, Any] = {"project": job["project"], "include_attachment_url": True}
    auth = (job["key"], "")
    verify = job.get("verify") or True
    while True:
        resp = session.get(url, params=params, auth=auth, verify=verify, timeout=60)
        resp.raise_for_status()
        page = json.loads(resp.content)
        yield from page["docs"]
        if not page["has_more"]:
            return
        params["next_token"] = page["next_token"]


def list_once(job: Job, client: Any) -> int:
    """Walk the whole listing once; returns how many tasks came back."""
    if job["client"] == "raw":
        return sum(1 for _ in raw_tasks(job, client))
    return sum(1 for _ in client.get_tasks(project_name=job["project"]))


def warm_up(job: Job, client: Any) -> None:
    """One small request, so the first timed request does not pay for lazy set-up."""
    if job["client"] == "raw":
        client.get(
            job["url"] + "/tasks", params={"project": job["project"], "limit": 1},
            auth=(job["key"], ""), verify=job.get("verify") or True, timeout=60,
        ).raise_for_status()
    else:
        client.tasks(project=job["project"], limit=1)


def op_list(job: Job) -> Dict[str, Any]:
    """Time complete listings of the project, ``repeats`` per client.

    With several clients (``clients``: ours and raw share one interpreter), the walks alternate and
    the order flips every round (A B, B A, ...), so a change in machine load hits each side alike.
    """
    names: List[str] = list(job.get("clients") or [job["client"]])
    clients: Dict[str, Any] = {}
    for name in names:
        sub = dict(job, client=name)
        clients[name] = requests.Session() if name == "raw" else make_sdk_client(sub)
        warm_up(sub, clients[name])
    times: Dict[str, List[float]] = {name: [] for name in names}
    for round_no in range(int(job.get("repeats", 1))):
        for name in names if round_no % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            count = list_once(dict(job, client=name), clients[name])
            times[name].append(time.perf_counter() - started)
            if count != job["expected"]:
                raise SystemExit(f"{name} listed {count} tasks, expected {job['expected']}")
    return {"times": times, "count": job["expected"]}


def payloads(job: Job) -> List[Dict[str, Any]]:
    """``count`` distinct image-annotation payloads in the job's project."""
    tag = job.get("tag", "run")
    return [
        {
            "project": job["project"],
            "instruction": "Draw a box around each car.",
            "attachment": f"https://example.com/bench/{tag}/{i}.png",
            "attachment_type": "image",
            "geometries": {"box": {"objects_to_annotate": ["car"], "min_width": 5, "min_height": 5}},
            "metadata": {"bench": tag, "index": i},
        }
        for i in range(int(job["count"]))
    ]


def image_annotation() -> Any:
    """``TaskType.ImageAnnotation`` of whichever SDK this interpreter imports."""
    import scaleapi  # pylint: disable=import-outside-toplevel

    return scaleapi.TaskType.ImageAnnotation


def op_create_seq(job: Job) -> Dict[str, Any]:
    """Create the tasks one after another with ``create_task``."""
    client = make_sdk_client(job)
    items = payloads(job)
    task_type = image_annotation()
    warm_up(job, client)
    cpu_before = sum(os.times()[:2])
    started = time.perf_counter()
    for payload in items:
        client.create_task(task_type, **payload)
    elapsed = time.perf_counter() - started
    return {"times": [elapsed], "count": len(items), "cpu_run": sum(os.times()[:2]) - cpu_before}


def op_create_bulk(job: Job) -> Dict[str, Any]:
    """Create the tasks with ``create_tasks(concurrency=N)``; every payload must succeed."""
    client = make_sdk_client(job)
    items = payloads(job)
    warm_up(job, client)
    cpu_before = sum(os.times()[:2])
    started = time.perf_counter()
    result = client.create_tasks(image_annotation(), items, concurrency=int(job["concurrency"]))
    elapsed = time.perf_counter() - started
    cpu_run = sum(os.times()[:2]) - cpu_before
    if result.failed or len(result.succeeded) != len(items):
        raise SystemExit(f"create_tasks: {len(result.failed)} of {len(items)} failed: {result.failed[:3]}")
    return {"times": [elapsed], "count": len(items), "cpu_run": cpu_run}


def reset_peak_rss() -> bool:
    """Make the kernel's peak-RSS mark start again from the current RSS (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def measure_memory(run: Callable[[], int]) -> Dict[str, Any]:
    """Run ``run`` once; its time, its result and how far it raised the peak RSS above the start.

    Where the peak can be reset, the growth is exact; elsewhere it is the process's lifetime peak
    minus the RSS at the start, an upper bound (start-up may have peaked higher and then freed).
    """
    exact = reset_peak_rss()
    before = current_rss_kb()
    cpu_before = sum(os.times()[:2])
    started = time.perf_counter()
    count = run()
    elapsed = time.perf_counter() - started
    growth_kb = max(0, peak_rss_kb() - before)
    return {
        "times": [elapsed], "count": count, "rss_start_mb": before / 1024, "rss_growth_mb": growth_kb / 1024,
        "rss_exact": exact, "cpu_run": sum(os.times()[:2]) - cpu_before,
    }


def op_export_seq(job: Job) -> Dict[str, Any]:
    """Write every task of the project to a JSON Lines file with one sequential ``get_tasks`` walk."""
    client = make_sdk_client(job)
    warm_up(job, client)

    def run() -> int:
        written = 0
        with open(job["out"], "w", encoding="utf-8") as out:
            for task in client.get_tasks(project_name=job["project"], include_attachment_url=False):
                out.write(json.dumps(task.as_dict(), separators=(",", ":")) + "\n")
                written += 1
        return written

    return checked(job, measure_memory(run))


def op_export_par(job: Job) -> Dict[str, Any]:
    """Write every task of the project to a JSON Lines file with ``export_tasks(workers=N)``."""
    client = make_sdk_client(job)
    warm_up(job, client)
    def run() -> int:
        return int(client.export_tasks(job["out"], project_name=job["project"], workers=int(job["workers"])))

    return checked(job, measure_memory(run))


def checked(job: Job, result: Dict[str, Any]) -> Dict[str, Any]:
    """Fail loudly when an export wrote a different number of lines than the project holds."""
    with open(job["out"], "rb") as handle:
        lines = sum(1 for _ in handle)
    if result["count"] != job["expected"] or lines != job["expected"]:
        raise SystemExit(f"exported {result['count']} tasks ({lines} lines), expected {job['expected']}")
    os.remove(job["out"])
    return result


OPS: Dict[str, Callable[[Job], Dict[str, Any]]] = {
    "list": op_list,
    "create_seq": op_create_seq,
    "create_bulk": op_create_bulk,
    "export_seq": op_export_seq,
    "export_par": op_export_par,
}


def client_identity(job: Job) -> Dict[str, Optional[str]]:
    """Which client actually ran: its version and where it was imported from."""
    if job["client"] == "raw" and not job.get("clients"):
        return {"client_version": f"requests {requests.__version__}", "client_file": requests.__file__}
    import scaleapi  # pylint: disable=import-outside-toplevel

    return {"client_version": getattr(scaleapi, "__version__", None), "client_file": scaleapi.__file__}


def main(argv: List[str]) -> int:
    """Run the job given as the first argument and print its figures as JSON."""
    job: Job = json.loads(argv[1])
    result = OPS[job["op"]](job)
    result.update(client_identity(job))
    result["cpu_seconds"] = sum(os.times()[:2])
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
