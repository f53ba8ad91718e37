"""Progress reporting for long work (bulk runs, exports): when to show a bar, and the sink that feeds it.

Every long-running call takes ``progress``, a ``ProgressArg``:

* ``None`` (the default): a bar when a person is watching, that is when stderr is a terminal or the
  code runs in a Jupyter/IPython kernel (a notebook); nothing otherwise, so CI logs, pipes and
  redirected output stay clean. Silent as well when tqdm is not installed.
* ``True``: always a bar; without tqdm, one warning that says how to install it, then silence.
* ``False``: never a bar.
* a callable: called as ``progress(done, total)`` instead of drawing anything.

Bars come from ``tqdm.auto``: a widget in a notebook, text on a terminal. They show the total when
it is known, the workers' shared pauses ("waiting 4s: server 503"), and stay on screen when done
with the final count and rate. The command line passes its ``--progress`` / ``--no-progress`` flags
here unchanged (``None`` without either), so it decides exactly as the library does.

tqdm is imported only when a bar is drawn: ``import scaleapi`` never loads it.
"""
import functools
import inspect
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Callable, Optional, Sized, Union

if TYPE_CHECKING:  # pragma: no cover
    from ._ratelimit import RateLimiter

__all__ = ["INSTALL_HINT", "ProgressArg", "ProgressSink", "bar_wanted", "in_kernel", "size_of"]

#: ``None``: a bar when a person is watching (see ``bar_wanted``). ``True``: a bar. ``False``: none.
#: A callable: called as ``progress(done, total)`` (``total`` is None when unknown).
ProgressArg = Union[None, bool, Callable[[int, Optional[int]], None]]

#: How to get the ``progress`` extra (tqdm) into a checkout of this project.
INSTALL_HINT = 'python -m pip install -e ".[progress]"'


def in_kernel() -> bool:
    """Whether this code runs inside a Jupyter/IPython kernel (a notebook, JupyterLab, VS Code, Colab).

    IPython is looked up in ``sys.modules``, never imported: a kernel has always loaded it already,
    and importing it elsewhere would cost every script for nothing. Its shell has a ``kernel`` in a
    kernel and none in a terminal IPython (whose stderr is a terminal anyway).
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if not callable(get_ipython):
        return False
    try:
        shell = get_ipython()
    except Exception:  # pylint: disable=broad-exception-caught
        return False  # a half-initialised or unusual IPython: no notebook to draw in
    return getattr(shell, "kernel", None) is not None


def _stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def bar_wanted(progress: ProgressArg) -> bool:
    """Whether ``progress`` asks for a bar: ``True``, or ``None`` where a person is watching.

    A person is taken to be watching when stderr is a terminal or the code runs in a notebook kernel.
    """
    if progress is None:
        return _stderr_is_terminal() or in_kernel()
    return progress is True


def size_of(items: Any) -> Optional[int]:
    """``len(items)`` for a sized input (a list, a tuple, a dict...), else None (a generator)."""
    return len(items) if isinstance(items, Sized) else None


def _package_of(frame: Any) -> str:
    return str(frame.f_globals.get("__name__", "")).split(".", maxsplit=1)[0]


def _outside_level() -> int:
    """The ``stacklevel`` of the first frame outside this package: the caller's own line."""
    level, frame = 1, inspect.currentframe()
    while frame is not None and _package_of(frame) == "scaleapi":
        level, frame = level + 1, frame.f_back
    return level - 1  # warnings.warn counts from its caller: this function's frame is not counted


@functools.lru_cache(maxsize=None)
def _warn_no_tqdm() -> None:
    # Cached: the first bar asked for without tqdm warns, later ones stay quiet.
    warnings.warn(
        f"a progress bar was asked for, but tqdm is not installed; continuing without one "
        f"(install the progress extra: {INSTALL_HINT})",
        UserWarning,
        stacklevel=_outside_level(),
    )


def tqdm_bar(total: Optional[int], desc: str, unit: str, forced: bool) -> Any:
    """A ``tqdm.auto`` bar that stays on screen when closed; None when tqdm is not installed.

    ``forced``: the caller asked for the bar explicitly (``progress=True``), so a missing tqdm is
    worth one warning.
    """
    try:
        from tqdm.auto import tqdm  # pylint: disable=import-outside-toplevel
    except ImportError:
        if forced:
            _warn_no_tqdm()
        return None
    options = {"total": total, "desc": desc or None, "unit": unit, "leave": True, "dynamic_ncols": True}
    try:
        return tqdm(**options)
    except ImportError:
        # Older tqdm picks its notebook bar in any kernel and only finds out here that ipywidgets
        # is missing: draw text instead.
        from tqdm.std import tqdm as text_bar  # pylint: disable=import-outside-toplevel

        return text_bar(**options)


class ProgressSink:
    """Reports ``(done, total)`` to a tqdm bar or a callable; thread-safe; silent otherwise.

    Args:
        progress: see ``ProgressArg``.
        total: the number of units, or None when unknown.
        desc: the bar's label.
        unit: the bar's unit name.
        throttle: the limiter the workers share; the bar shows why it makes them wait.
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        progress: ProgressArg,
        total: Optional[int],
        desc: str = "",
        unit: str = "item",
        throttle: Optional["RateLimiter"] = None,
    ) -> None:
        self.total = total
        self._lock = threading.Lock()
        self._shown = 0
        self._waiting = False
        self._bar: Any = None
        self._callback: Optional[Callable[[int, Optional[int]], None]] = None
        if callable(progress):
            self._callback = progress
        elif progress is not None and not isinstance(progress, bool):
            raise TypeError("progress must be None, a bool or a callable(done, total)")
        elif bar_wanted(progress):
            self._bar = tqdm_bar(total, desc, unit, forced=progress is True)
        self._throttle = throttle
        if throttle is not None and self._bar is not None:
            throttle.listen(self.waiting)

    def waiting(self, message: str) -> None:
        """Show on the bar why every worker waits, e.g. "waiting 4s: server 503", until progress resumes."""
        with self._lock:
            if self._bar is not None:
                self._bar.set_postfix_str(message)
                self._waiting = True

    def _clear_note(self) -> None:
        if self._waiting:
            self._bar.set_postfix_str("", refresh=False)
            self._waiting = False

    def update(self, done: int) -> None:
        """Report that ``done`` units are finished (exceptions from a callable propagate)."""
        with self._lock:
            if self._bar is not None and done > self._shown:
                self._clear_note()
                self._bar.update(done - self._shown)
            self._shown = max(self._shown, done)
            if self._callback is not None:
                self._callback(done, self.total)

    def close(self) -> None:
        """Close the bar, if any; it stays on screen with the final count and rate."""
        if self._throttle is not None:
            self._throttle.unlisten(self.waiting)
        with self._lock:
            if self._bar is not None:
                self._clear_note()  # the workers are not waiting any more
                self._bar.close()
                self._bar = None
