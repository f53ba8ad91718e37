"""What every scenario gets: the profile, a scratch directory, TLS files and the existing client."""
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from .config import Profile
from .emulators import CpuUse, TlsFiles
from .procs import ChildFailed, our_python
from .venvs import ExistingClient


@dataclass
class BenchContext:
    """Shared, read-mostly state of one bench run.

    Attributes:
        profile: sizes and repeats.
        workdir: a scratch directory removed at the end of the run.
        tls: certificate files for the HTTPS emulator, or None (with ``tls_note`` saying why).
        existing: the existing client's venv, or None (with ``existing_note`` saying why).
    """

    profile: Profile
    workdir: Path
    tls: Optional[TlsFiles]
    tls_note: str
    existing: Optional[ExistingClient]
    existing_note: str
    started: float = field(default_factory=time.monotonic)

    def python_for(self, client: str) -> Optional[str]:
        """The interpreter that runs ``client`` (``ours``, ``raw`` or ``existing``); None if absent."""
        if client == "existing":
            return self.existing.python if self.existing is not None else None
        return our_python()

    def log(self, message: str) -> None:
        """Progress on stderr, stamped with the time since the run began."""
        elapsed = time.monotonic() - self.started
        print(f"[bench {elapsed:6.0f}s] {message}", file=sys.stderr, flush=True)

    def run_measured(
        self, entry: Dict[str, Any], label: str, pid: int, child: Callable[..., Dict[str, Any]], *args: Any
    ) -> Optional[Tuple[Dict[str, Any], Optional[float]]]:
        """Run ``child(*args)``; its answer and the CPU seconds process ``pid`` (the emulator) spent
        meanwhile (None where unreadable). When the child fails, ``entry["error"]`` and the log say
        so and the result is None."""
        try:
            with CpuUse(pid) as use:
                answer = child(*args)
        except ChildFailed as err:
            entry["error"] = str(err)
            self.log(f"{label}: FAILED {err}")
            return None
        return answer, use.seconds
