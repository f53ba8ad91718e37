"""A fake monotonic clock for the tests of code that takes ``clock`` and ``sleep`` callables."""
from typing import List


class FakeClock:
    """A clock that moves only when something sleeps on it; calling it reads the time."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the pause and move the clock by it."""
        self.slept.append(seconds)
        self.now += seconds
