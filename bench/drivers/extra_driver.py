"""The jobs of the latency, faults and v2 scenarios; every job of ``client_driver.py`` too.

Run by path like ``client_driver.py`` (``python bench/drivers/extra_driver.py '<job json>'``), with
the interpreter of the client under test; prints one JSON line. Ops added here:

* ``create_raw``: a bare ``requests.Session`` loop posting the same payloads as ``create_seq``;
* ``create_faults`` / ``export_faults``: ``create_tasks`` / ``export_tasks`` while a fault plan
  (``faults``: ``[{"at": seconds, "add": rule} | {"at": seconds, "clear": true}]``) is applied to
  the emulator's ``/_emulator/faults`` on this process's clock; ``create_faults`` also records when
  each completion was reported (``(seconds, done)`` pairs) for the recovery curve;
* ``v2_list``: walk the v2 listing with ``v2_get_tasks`` (ours, existing) or a raw session loop;
* ``v2_parse``: the v2 ``Task.from_dict`` micro-benchmark against ``json.loads`` of the same text.
"""
import json
import statistics
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import urlsplit

import requests

from client_driver import (  # type: ignore[import-not-found,unused-ignore]  # pylint: disable=import-error
    OPS as BASE_OPS, Job, checked, client_identity, image_annotation, make_sdk_client, measure_memory,
    payloads, warm_up,
)
from v2_sample import sample_v2_task  # type: ignore[import-not-found,unused-ignore]  # pylint: disable=import-error


def _root(job: Job) -> str:
    """The emulator's root URL (the job's ``url`` ends in ``/v1``)."""
    url: str = job["url"]
    return url[: -len("/v1")] if url.endswith("/v1") else url


def op_create_raw(job: Job) -> Dict[str, Any]:
    """Create the tasks one after another with a bare ``requests.Session``: the wire's own cost."""
    session = requests.Session()
    items = payloads(job)
    verify = job.get("verify") or True
    auth = (job["key"], "")
    url = job["url"] + "/task/imageannotation"
    session.get(job["url"] + "/tasks", params={"project": job["project"], "limit": 1}, auth=auth,
                verify=verify, timeout=60).raise_for_status()
    started = time.perf_counter()
    for payload in items:
        resp = session.post(url, json=payload, auth=auth, verify=verify, timeout=60)
        resp.raise_for_status()
        json.loads(resp.content)
    return {"times": [time.perf_counter() - started], "count": len(items)}


class FaultPlan:
    """Apply ``job["faults"]`` to the emulator at their times after ``start()``, in a thread."""

    def __init__(self, job: Job) -> None:
        self.control = _root(job) + "/_emulator/faults"
        self.steps: List[Dict[str, Any]] = sorted(job.get("faults") or [], key=lambda step: step["at"])
        self.applied: List[Dict[str, Any]] = []
        self.fired = 0
        self._started = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = threading.Event()

    def start(self, started: float) -> None:
        """Begin the plan; ``started`` is the run's ``perf_counter()`` origin."""
        self._started = started
        self._thread.start()

    def _run(self) -> None:
        with requests.Session() as session:
            for step in self.steps:
                if self._stop.wait(max(0.0, self._started + float(step["at"]) - time.perf_counter())):
                    return
                self._apply(session, step)

    def _apply(self, session: requests.Session, step: Dict[str, Any]) -> None:
        at = time.perf_counter() - self._started
        if step.get("clear"):
            self.fired += self._fired(session)
            session.delete(self.control, timeout=30).raise_for_status()
        else:
            session.post(self.control, json=step["add"], timeout=30).raise_for_status()
        self.applied.append({"at": at, "clear": bool(step.get("clear"))})

    def _fired(self, session: requests.Session) -> int:
        resp = session.get(self.control, timeout=30)
        resp.raise_for_status()
        return sum(int(rule.get("fired", 0)) for rule in resp.json()["faults"])

    def finish(self) -> None:
        """Stop the plan and clear what is left (counting how often the rules fired)."""
        self._stop.set()
        self._thread.join(60)
        with requests.Session() as session:
            self.fired += self._fired(session)
            session.delete(self.control, timeout=30).raise_for_status()


def keyed_payloads(job: Job) -> List[Dict[str, Any]]:
    """The payloads with a ``unique_id`` each, so a create answered 5xx may be sent again safely."""
    tag = job.get("tag", "run")
    return [dict(payload, unique_id=f"bench-{tag}-{index}") for index, payload in enumerate(payloads(job))]


def op_create_faults(job: Job) -> Dict[str, Any]:
    """``create_tasks(concurrency=N)`` under a fault plan; every payload must end up created."""
    client = make_sdk_client(job)
    items = keyed_payloads(job)
    warm_up(job, client)
    marks: List[Tuple[float, int]] = []
    started = time.perf_counter()

    def progress(done: int, _total: Any) -> None:
        marks.append((time.perf_counter() - started, int(done)))  # list.append is atomic

    plan = FaultPlan(job)
    started = time.perf_counter()
    plan.start(started)
    try:
        result = client.create_tasks(
            image_annotation(), items, concurrency=int(job["concurrency"]), progress=progress,
        )
        elapsed = time.perf_counter() - started
    finally:
        plan.finish()
    if result.failed or len(result.succeeded) != len(items):
        raise SystemExit(f"create_tasks: {len(result.failed)} of {len(items)} failed: {result.failed[:3]}")
    return {"times": [elapsed], "count": len(items), "marks": marks, "applied": plan.applied,
            "fired": plan.fired}


def op_export_faults(job: Job) -> Dict[str, Any]:
    """``export_tasks(workers=N)`` under a fault plan; the file must hold every task once."""
    client = make_sdk_client(job)
    warm_up(job, client)
    plan = FaultPlan(job)

    def run() -> int:
        plan.start(time.perf_counter())
        return int(client.export_tasks(job["out"], project_name=job["project"], workers=int(job["workers"])))

    try:
        answer = measure_memory(run)
    finally:
        plan.finish()
    answer.update(applied=plan.applied, fired=plan.fired)
    return dict(checked(job, answer))


def _per_call(func: Callable[[], Any], number: int, repeats: int) -> List[float]:
    """Seconds per call of ``func`` over ``repeats`` runs of ``number`` calls each."""
    found = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(number):
            func()
        found.append((time.perf_counter() - started) / number)
    return found


def op_v2_parse(job: Job) -> Dict[str, Any]:
    """Seconds per ``Task.from_dict`` of the sample task, and per ``json.loads`` of its text."""
    from scaleapi.api_client.v2.models.task import Task  # pylint: disable=import-outside-toplevel

    text = json.dumps(sample_v2_task())
    data = json.loads(text)
    task = Task.from_dict(data)
    turns = task.threads[0].turns
    if len(turns) != 2 or len(turns[0].messages) != 2 or len(turns[1].messages[1].annotations) != 2:
        raise SystemExit("Task.from_dict lost part of the sample task")
    number, repeats = int(job.get("number", 200)), int(job.get("repeats", 5))
    parse = _per_call(lambda: Task.from_dict(data), number, repeats)
    loads = _per_call(lambda: json.loads(text), number * 10, repeats)
    return {"from_dict": parse, "json_loads": loads, "from_dict_median": statistics.median(parse),
            "json_loads_median": statistics.median(loads), "bytes": len(text)}


def v2_raw_tasks(job: Job, session: requests.Session) -> int:
    """The v2 listing as a bare session loop (JSON decoded, nothing more); returns how many had threads."""
    url = _root(job) + "/v2/tasks"
    params: Dict[str, Any] = {"project_name": job["project"], "limit": 100}
    count = 0
    while True:
        resp = session.get(url, params=params, auth=(job["key"], ""), verify=job.get("verify") or True,
                           timeout=60)
        resp.raise_for_status()
        page = json.loads(resp.content)
        count += sum(1 for task in page["tasks"] if task.get("threads"))
        if not page.get("next_token"):
            return count
        params["next_token"] = page["next_token"]


def v2_client(job: Job) -> Any:
    """An SDK client whose v2 calls go to the emulator, never anywhere else.

    The existing client's v2 API ignores ``api_instance_url`` (its generated configuration has a
    fixed public host), so its host is set to the emulator's root here; any client whose v2 host is
    not on loopback afterwards stops the job before a request is sent.
    """
    client = make_sdk_client(job)
    configuration = getattr(getattr(getattr(client, "v2", None), "api_client", None), "configuration", None)
    if configuration is not None:
        configuration.host = _root(job)
        if urlsplit(str(configuration.host)).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("the v2 API of this client is not pointed at the emulator")
    return client


def op_v2_list(job: Job) -> Dict[str, Any]:
    """Time complete v2 listings, ``repeats`` per client, alternating like ``list`` (A B, B A, ...)."""
    names: List[str] = list(job.get("clients") or [job["client"]])
    clients: Dict[str, Any] = {
        name: requests.Session() if name == "raw" else v2_client(dict(job, client=name)) for name in names
    }
    times: Dict[str, List[float]] = {name: [] for name in names}
    for round_no in range(int(job.get("repeats", 1))):
        for name in names if round_no % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            if name == "raw":
                count = v2_raw_tasks(job, clients[name])
            else:
                walk = clients[name].v2_get_tasks(project_name=job["project"])
                count = sum(1 for task in walk if task.threads)
            times[name].append(time.perf_counter() - started)
            if count != job["expected"]:
                raise SystemExit(f"{name} listed {count} v2 tasks with threads, expected {job['expected']}")
    return {"times": times, "count": job["expected"]}


OPS: Dict[str, Callable[[Job], Dict[str, Any]]] = dict(
    BASE_OPS, create_raw=op_create_raw, create_faults=op_create_faults, export_faults=op_export_faults,
    v2_parse=op_v2_parse, v2_list=op_v2_list,
)


def main(argv: List[str]) -> int:
    """Run the job given as the first argument and print its figures as JSON."""
    job: Job = json.loads(argv[1])
    result = OPS[job["op"]](job)
    result.update(client_identity(job))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
