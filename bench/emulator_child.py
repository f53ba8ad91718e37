"""Child-process entry point: run one emulator, seed it, report its URL, serve until stdin closes.

``python -m bench.emulator_child '<config json>'``. The emulator gets a process (and a GIL) of its
own, so a client measured in another process never competes with it for the interpreter lock.

Config keys: ``latency_ms``, ``certfile``/``keyfile`` (HTTPS), ``key`` (the API key used to seed),
``seeds`` (a list of ``{"project": name, "count": n}``; each project is created first, then filled
with ``Emulator.seed_tasks``). The one line printed on stdout is JSON: ``url``, ``pid`` and per
project the number seeded, the seconds it took and the ``created_at`` range in epoch milliseconds.
"""
import json
import os
import sys
import time
from typing import Any, Dict, List

from scaleapi import ScaleClient
from scaleapi.emulator import Emulator


def seed(emulator: Emulator, config: Dict[str, Any]) -> Dict[str, Any]:
    """Create each project over HTTP and fill it in bulk; returns what was seeded."""
    client = ScaleClient(config["key"], api_instance_url=emulator.url, verify=config.get("cafile"))
    seeded: Dict[str, Any] = {}
    with client:
        for item in config.get("seeds", []):
            client.create_project(item["project"], "imageannotation")
            first_ms = int(time.time() * 1000)
            started = time.perf_counter()
            count = emulator.seed_tasks(config["key"], int(item["count"]), project=item["project"])
            seeded[item["project"]] = {
                "count": count,
                "seconds": time.perf_counter() - started,
                "first_ms": first_ms,
                "last_ms": int(time.time() * 1000),
            }
    return seeded


def main(argv: List[str]) -> int:
    """Start, seed, print the JSON line, then serve until the parent closes our stdin."""
    config: Dict[str, Any] = json.loads(argv[1])
    emulator = Emulator(
        "127.0.0.1", 0, latency_ms=float(config.get("latency_ms", 0)),
        certfile=config.get("certfile"), keyfile=config.get("keyfile"),
    )
    with emulator:
        # Only the project creation goes over HTTP (and pays the added latency); tasks go in directly.
        seeded = seed(emulator, config)
        print(json.dumps({"url": emulator.url, "pid": os.getpid(), "seeded": seeded}), flush=True)
        sys.stdin.read()  # the parent closes the pipe to stop us
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
