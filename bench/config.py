"""How big each scenario is: the full run that produces RESULTS.md, and the ``--quick`` smoke run."""
from dataclasses import dataclass, replace
from typing import Tuple


@dataclass(frozen=True)
class Profile:  # pylint: disable=too-many-instance-attributes  # one knob per scenario size
    """Counts, repeats and durations for one run of the bench (the defaults are the full run).

    ``create_slow_tasks`` is the number of tasks for the runs whose rate is fixed by the added
    latency (one request in flight: sequential, and ``create_tasks`` at concurrency 1); their rate is
    steady, and creating the full count one at a time at 50 ms would take minutes per repeat.
    """

    name: str = "full"
    list_tasks: int = 20_000
    list_repeats: int = 5
    create_tasks: int = 2_000
    create_slow_tasks: int = 300
    create_repeats: int = 3
    concurrencies: Tuple[int, ...] = (1, 4, 8, 16)
    latencies_ms: Tuple[int, ...] = (0, 50)
    export_tasks: int = 100_000
    export_latency_ms: int = 50
    export_workers: int = 8
    export_repeats: int = 3
    import_repeats: int = 15
    stored_tasks: int = 1_000_000
    rps_threads: int = 8
    rps_seconds: float = 5.0
    rps_repeats: int = 3
    # Scenario 6, latency: a delay proxy (one-way ms) in front of the HTTPS emulator.
    latency_delay_ms: float = 10.0
    latency_list_tasks: int = 2_000
    latency_create_tasks: int = 500
    latency_repeats: int = 3
    # Scenario 7, faults: bulk create and export with 429s and a burst of 503s.
    faults_create_tasks: int = 2_000
    faults_concurrency: int = 16
    faults_latency_ms: int = 50
    faults_burst_s: float = 10.0
    faults_burst_at_s: float = 1.5
    faults_export_tasks: int = 100_000
    faults_repeats: int = 2
    # Scenario 8, v2: listing and the model-parse micro-benchmark.
    v2_tasks: int = 20_000
    v2_repeats: int = 3
    v2_parse_number: int = 300
    v2_parse_repeats: int = 7


#: The run that produces RESULTS.md: every size as declared above.
FULL = Profile()

#: The ``--quick`` smoke run: the same scenarios, smaller.
QUICK = replace(
    FULL,
    name="quick",
    list_tasks=2_000,
    list_repeats=2,
    create_tasks=200,
    create_slow_tasks=40,
    create_repeats=1,
    export_tasks=5_000,
    export_repeats=1,
    import_repeats=5,
    stored_tasks=50_000,
    rps_seconds=1.5,
    rps_repeats=1,
    latency_list_tasks=300,
    latency_create_tasks=40,
    latency_repeats=1,
    faults_create_tasks=800,
    faults_burst_s=3.0,
    faults_burst_at_s=0.5,
    faults_export_tasks=5_000,
    faults_repeats=1,
    v2_tasks=500,
    v2_repeats=1,
    v2_parse_number=50,
    v2_parse_repeats=3,
)
