"""What the machine is, and how busy other work kept it while the bench ran."""
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


def load_average() -> Optional[float]:
    """The 1-minute load average, where the OS has one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def cpu_model() -> str:
    """The CPU's marketing name (Linux ``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> Optional[float]:
    """Total memory in GiB (Linux ``/proc/meminfo``)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _machine_busy_seconds() -> Optional[float]:
    """CPU seconds all processes have spent busy since boot (Linux ``/proc/stat``)."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    except (OSError, ValueError, IndexError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU seconds of this process and of every child it has waited for (emulators, drivers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class CpuMark:
    """A point in time to measure the machine's other CPU use from."""

    wall: float
    machine: Optional[float]
    own: float

    @classmethod
    def now(cls) -> "CpuMark":
        """Take the mark."""
        return cls(time.monotonic(), _machine_busy_seconds(), _own_seconds())

    def other_cores(self) -> Optional[float]:
        """Cores used on average since the mark by processes that are not the bench's own.

        Exact at moments when every child has been waited for (between scenarios).
        """
        later = CpuMark.now()
        if self.machine is None or later.machine is None or later.wall <= self.wall:
            return None
        other = (later.machine - self.machine) - (later.own - self.own)
        return max(0.0, other / (later.wall - self.wall))
