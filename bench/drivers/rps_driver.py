"""Load generator: several threads, one ``requests.Session`` each, hammer one emulator endpoint.

Run by path with a JSON job: ``url``, ``key``, ``threads``, ``duration`` (seconds), and either
``task_ids`` (``GET task/{id}`` for ids drawn at random) or ``params`` (``GET tasks`` with that query,
e.g. a project filter and a ``next_token`` from the middle of the listing). Prints one JSON line:
requests per second, errors, and this process's CPU use (to tell whether the load generator, rather
than the emulator, was the limit).
"""
import json
import os
import random
import sys
import threading
import time
from typing import Any, Dict, List

import requests

Job = Dict[str, Any]


def hammer(job: Job, deadline: float, seed: int, tally: List[int]) -> None:
    """Send requests until ``deadline``; store (successes, errors) in ``tally``."""
    session = requests.Session()
    auth = (job["key"], "")
    rng = random.Random(seed)
    ids: List[str] = job.get("task_ids") or []
    params = job.get("params")
    done = errors = 0
    while time.perf_counter() < deadline:
        if ids:
            resp = session.get(f"{job['url']}/task/{rng.choice(ids)}", auth=auth, timeout=30)
        else:
            resp = session.get(f"{job['url']}/tasks", params=params, auth=auth, timeout=30)
        _ = resp.content
        if resp.status_code == 200:
            done += 1
        else:
            errors += 1
    session.close()
    tally[0], tally[1] = done, errors  # each thread has its own tally


def main(argv: List[str]) -> int:
    """Run the job given as the first argument and print requests per second as JSON."""
    job: Job = json.loads(argv[1])
    threads = int(job["threads"])
    tallies = [[0, 0] for _ in range(threads)]
    cpu_before = sum(os.times()[:2])
    started = time.perf_counter()
    deadline = started + float(job["duration"])
    workers = [
        threading.Thread(target=hammer, args=(job, deadline, i, tallies[i]), daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    done = sum(t[0] for t in tallies)
    errors = sum(t[1] for t in tallies)
    cpu = sum(os.times()[:2]) - cpu_before
    print(json.dumps({
        "rps": done / elapsed, "requests": done, "errors": errors, "seconds": elapsed,
        "client_cpu_share": cpu / elapsed,
    }), flush=True)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
