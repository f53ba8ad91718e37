"""What a scenario hands to the report: tables, checked ratios and notes."""
import statistics
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence


@dataclass
class Table:
    """A Markdown table: a title, a header row and rows of already formatted cells."""

    title: str
    header: List[str]
    rows: List[List[str]] = field(default_factory=list)


@dataclass
class Check:
    """A ratio measured in this run against its target.

    Attributes:
        name: what is compared, e.g. ``"listing over HTTPS: ours / raw session"``.
        value: the ratio, or None when a side could not be measured.
        target: the target as text, e.g. ``"≤ 1.05"``.
        met: whether the target was met (None when not measured).
        detail: the figures the ratio comes from.
        unit: how the value is shown (a ratio ``×`` by default, or e.g. `` MB``).
    """

    name: str
    value: Optional[float]
    target: str
    met: Optional[bool]
    detail: str = ""
    unit: str = "×"

    def shown(self) -> str:
        """The value as a table cell."""
        return fmt_ratio(self.value) if self.unit == "×" else fmt(self.value, 1, self.unit)


@dataclass
class ScenarioResult:
    """Everything one scenario measured."""

    key: str
    title: str
    tables: List[Table] = field(default_factory=list)
    checks: List[Check] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    data: Dict[str, Any] = field(default_factory=dict)


def median(values: Sequence[float]) -> Optional[float]:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    """``numerator / denominator``, or None when either side is missing or the divisor is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def at_most(value: Optional[float], limit: float) -> Optional[bool]:
    """Whether ``value <= limit`` (None when unmeasured)."""
    return None if value is None else value <= limit


def at_least(value: Optional[float], limit: float) -> Optional[bool]:
    """Whether ``value >= limit`` (None when unmeasured)."""
    return None if value is None else value >= limit


def fmt(value: Optional[float], digits: int = 2, unit: str = "") -> str:
    """A number for a table cell; an en dash when missing."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def fmt_ms(seconds: Optional[float]) -> str:
    """A duration given in seconds, shown in milliseconds (``12.3 ms``)."""
    return fmt(None if seconds is None else seconds * 1000, 1, " ms")


def fmt_us(seconds: Optional[float]) -> str:
    """A duration given in seconds, shown in microseconds (``12.3 µs``)."""
    return fmt(None if seconds is None else seconds * 1e6, 1, " µs")


def fmt_ratio(value: Optional[float]) -> str:
    """A ratio as ``3.41×``."""
    return "–" if value is None else f"{value:.2f}×"
