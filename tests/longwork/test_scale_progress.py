"""Progress bars of long work: on where a person is watching, a total, still on screen when done.

Real bulk runs and exports against the emulator. What the bar looks like is read from tqdm's own
output on a real pseudo-terminal (``pty.openpty()`` standing in for the user's terminal as stderr),
rendered the way a terminal would show it; in a notebook the bar is tqdm's widget, observed through
the widget objects tqdm creates.
"""
import fcntl
import io
import os
import pty
import re
import struct
import sys
import termios
import threading
import types
import warnings
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from support.longwork import PROJECT, Client, fast_retries, payload
from scaleapi import _progress, cli
from scaleapi._progress import INSTALL_HINT, ProgressSink, bar_wanted, in_kernel

tqdm = pytest.importorskip("tqdm")

# pytest injects fixtures by parameter name.
# pylint: disable=redefined-outer-name

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: A finished bar of 5: "create tasks: 100%|███| 5/5 [00:00<00:00, 61.2item/s]".
RATE = r"(\d+(\.\d+)?(item|task)/s|\d+(\.\d+)?s/(item|task))"


def screen(raw: str) -> List[str]:
    """The non-blank lines a terminal shows after printing ``raw`` (``\\r`` returns, ``\\n`` advances)."""
    lines = [""]
    column = 0
    for char in ESCAPE.sub("", raw):
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("")
            column = 0
        else:
            line = lines[-1].ljust(column)
            lines[-1] = line[:column] + char + line[column + 1:]
            column += 1
    return [line.rstrip() for line in lines if line.strip()]


class Terminal:
    """A pseudo-terminal standing in for the user's terminal: its slave end is ``sys.stderr``."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.stream = io.TextIOWrapper(io.FileIO(slave, "w"), encoding="utf-8", write_through=True)
        self._chunks: List[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._text: Optional[str] = None
        self._saved: Any = None

    def _read(self) -> None:
        # Drained all along: a pty holds only a few KiB, and a full one would block tqdm's writes.
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the slave end is closed
                return
            if not chunk:
                return
            self._chunks.append(chunk)

    def __enter__(self) -> "Terminal":
        self._saved = sys.stderr
        sys.stderr = self.stream
        return self

    def __exit__(self, *exc_info: object) -> None:
        sys.stderr = self._saved

    def text(self) -> str:
        """Everything written to the terminal (closes it)."""
        if self._text is None:
            self.stream.close()
            self._reader.join(10)
            os.close(self.master)
            self._text = b"".join(self._chunks).decode("utf-8", "replace")
        return self._text


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    """A terminal; ``with terminal:`` makes it stderr, as when a person runs the code in a shell.

    (Set in the test itself: pytest puts its own capture back as stderr when the test starts.)
    """
    term = Terminal()
    yield term
    term.text()


@pytest.fixture
def warn_afresh() -> Iterator[None]:
    """The "tqdm is missing" warning has not been given yet in this process."""
    _progress._warn_no_tqdm.cache_clear()  # pylint: disable=protected-access
    yield
    _progress._warn_no_tqdm.cache_clear()  # pylint: disable=protected-access


def no_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import tqdm`` (and its submodules) fail, as without the ``progress`` extra."""
    for name in ("tqdm", "tqdm.auto", "tqdm.std"):
        monkeypatch.setitem(sys.modules, name, None)


# -- when a bar is shown ---------------------------------------------------------------------------


def test_on_a_terminal_a_bulk_run_shows_its_bar_by_default_and_leaves_it_finished(
    client: Client, terminal: Terminal
) -> None:
    """Default progress on a terminal: a bar with the total, still on screen at n/n with the rate."""
    with terminal:
        result = client.create_tasks("imageannotation", [payload(i) for i in range(5)], concurrency=2)
    assert result.ok
    shown = screen(terminal.text())
    assert shown, "no progress bar on the terminal"
    assert re.search(rf"^create tasks: 100%.*\b5/5 \[.*{RATE}\]$", shown[-1]), shown


def test_progress_false_silences_the_bar_even_on_a_terminal(client: Client, terminal: Terminal) -> None:
    """``progress=False`` draws nothing, where the default would draw a bar."""
    with terminal:
        assert bar_wanted(None)
        client.create_tasks("imageannotation", [payload(i) for i in range(3)], progress=False)
    assert terminal.text() == ""


def test_without_a_terminal_the_default_is_silent_and_true_forces_a_bar(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pipes and CI logs stay clean by default; ``progress=True`` still draws there."""
    assert not sys.stderr.isatty() and not bar_wanted(None)
    client.create_tasks("imageannotation", [payload(i) for i in range(3)])
    assert capsys.readouterr().err == ""
    client.create_tasks("imageannotation", [payload(i) for i in range(3, 6)], progress=True)
    shown = screen(capsys.readouterr().err)
    assert shown and re.search(r"\b3/3 \[", shown[-1]), shown


# -- in a notebook ---------------------------------------------------------------------------------


class _Widget:
    """Enough of an ipywidgets widget for tqdm's notebook bar: attributes, layout, style, close()."""

    def __init__(self, **attributes: Any) -> None:
        self.value: Any = ""
        self.bar_style = ""
        self.closed = False
        self.layout = types.SimpleNamespace()
        self.style = types.SimpleNamespace()
        self.__dict__.update(attributes)

    def close(self) -> None:
        """Hide the widget, as ipywidgets' close() does."""
        self.closed = True


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Any]]:
    """Code runs in a Jupyter kernel with ipywidgets; yields the widgets displayed in the notebook.

    The kernel's modules are stand-ins registered in ``sys.modules`` (what a kernel has loaded); tqdm
    is real and re-imported, so ``tqdm.auto`` makes its own choice under them. Everything is put
    back afterwards.
    """
    displayed: List[Any] = []
    shell_class = type("ZMQInteractiveShell", (), {"kernel": object(), "config": {"IPKernelApp": {}}})
    shell = shell_class()
    fakes: Dict[str, Any] = {
        "IPython": types.SimpleNamespace(get_ipython=lambda: shell, __path__=[]),
        "IPython.display": types.SimpleNamespace(display=displayed.append),
        "ipykernel": types.SimpleNamespace(__path__=[]),
        "ipykernel.zmqshell": types.SimpleNamespace(),
        "ipywidgets": types.SimpleNamespace(
            HTML=_Widget, HBox=type("HBox", (_Widget,), {}),
            FloatProgress=type("FloatProgress", (_Widget,), {}),
        ),
    }
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    for name in ("tqdm.auto", "tqdm.autonotebook", "tqdm.notebook"):
        # Set, then delete: the undo deletes the re-imported module again if it was not loaded
        # before, or puts the original back.
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, name)
        monkeypatch.setattr(tqdm, name.split(".")[1], getattr(tqdm, name.split(".")[1], None), raising=False)
    yield displayed


def test_in_a_notebook_the_default_bar_is_tqdm_autos_widget(
    client: Client, notebook: List[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """In a kernel (stderr not a terminal) the default shows tqdm.auto's notebook widget, left finished."""
    assert in_kernel() and not sys.stderr.isatty()
    import tqdm.auto  # pylint: disable=import-outside-toplevel,redefined-outer-name
    import tqdm.notebook  # pylint: disable=import-outside-toplevel

    assert issubclass(tqdm.auto.tqdm, tqdm.notebook.tqdm)  # tqdm.auto chose its notebook bar
    result = client.create_tasks("imageannotation", [payload(i) for i in range(4)], concurrency=2)
    assert result.ok
    assert len(notebook) == 1, "no bar was displayed in the notebook"
    label, meter, numbers = notebook[0].children
    assert (meter.max, meter.value) == (4, 4)
    assert meter.bar_style == "success" and not notebook[0].closed  # finished and still shown
    text = (label.value + "|" + numbers.value).replace("\u2007", " ")  # tqdm pads with figure spaces
    assert text.startswith("create tasks: 100%|") and "4/4" in text, text
    assert "create tasks" not in capsys.readouterr().err  # no text bar besides the widget


def test_kernel_detection_does_not_import_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a kernel nothing is imported to find out; a terminal IPython is not a kernel."""
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not in_kernel() and "IPython" not in sys.modules
    terminal_shell = types.SimpleNamespace(get_ipython=lambda: types.SimpleNamespace(config={}))
    monkeypatch.setitem(sys.modules, "IPython", terminal_shell)
    assert not in_kernel()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert not in_kernel()


def test_a_tqdm_whose_notebook_bar_cannot_draw_falls_back_to_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Older tqdm picks its notebook bar in any kernel and fails only at creation without ipywidgets."""
    import tqdm.auto  # pylint: disable=import-outside-toplevel,redefined-outer-name

    def notebook_bar_without_ipywidgets(**_options: Any) -> Any:
        raise ImportError("IProgress not found. Please update jupyter and ipywidgets.")

    monkeypatch.setattr(tqdm.auto, "tqdm", notebook_bar_without_ipywidgets)
    sink = ProgressSink(True, 2, "things")
    sink.update(2)
    sink.close()
    assert re.search(r"^things: 100%.*\b2/2 \[", screen(capsys.readouterr().err)[-1])


# -- totals ----------------------------------------------------------------------------------------


def test_every_bulk_method_reports_the_total_of_a_sized_input(client: Client) -> None:
    """``len()`` of the input is the total, also where the method pairs the ids with one value."""
    totals: List[Any] = []

    def seen(_done: int, total: Optional[int]) -> None:
        totals.append(total)

    created = client.create_tasks("imageannotation", [payload(i) for i in range(3)], progress=seen)
    ids = [task.id for task in created.succeeded]
    assert set(totals) == {3}
    for run in (
        lambda: client.set_tasks_tags(ids, ["a"], progress=seen),
        lambda: client.add_tasks_tags({task_id: ["b"] for task_id in ids}, progress=seen),
        lambda: client.delete_tasks_tags(ids, ["a"], progress=seen),
        lambda: client.set_tasks_metadata(ids, {"k": 1}, progress=seen),
        lambda: client.audit_tasks(ids, True, progress=seen),
    ):
        totals.clear()
        assert run().ok
        assert totals == [3, 3, 3]


def test_a_generator_has_no_total_unless_run_bulk_is_told(client: Client) -> None:
    """A generator is read lazily, so its length is unknown; ``run_bulk(total=...)`` supplies it."""
    from scaleapi.bulk import run_bulk  # pylint: disable=import-outside-toplevel

    totals: List[Any] = []
    client.create_tasks("imageannotation", (payload(i) for i in range(2)),
                        progress=lambda done, total: totals.append(total))
    assert totals == [None, None]
    totals.clear()
    run_bulk((n for n in range(4)), lambda item, ctx: item, progress=lambda d, t: totals.append(t), total=4)
    assert totals == [4] * 4
    with pytest.raises(ValueError, match="total"):
        run_bulk([], lambda item, ctx: item, total=-1)


def test_an_export_on_a_terminal_leaves_its_finished_bar(
    client: Client, terminal: Terminal, tmp_path: Path
) -> None:
    """``export_tasks`` follows the same default: a bar with the counted total, left at n/n."""
    with terminal:
        client.create_tasks("imageannotation", [payload(i) for i in range(6)], progress=False)
        assert client.export_tasks(tmp_path / "out.jsonl", project_name=PROJECT, workers=2) == 6
    shown = screen(terminal.text())
    assert shown and re.search(rf"^export tasks: 100%.*\b6/6 \[.*{RATE}\]$", shown[-1]), shown


# -- without tqdm ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("warn_afresh")
def test_without_tqdm_the_default_is_silent_and_true_warns_once(
    client: Client, terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tqdm: the default says nothing (even on a terminal); ``progress=True`` warns once, with the hint."""
    no_tqdm(monkeypatch)
    with terminal, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert client.create_tasks("imageannotation", [payload(0)]).ok
        assert caught == []
        for i in (1, 2):
            assert client.create_tasks("imageannotation", [payload(i)], progress=True).ok
    assert [str(w.message) for w in caught] == [
        "a progress bar was asked for, but tqdm is not installed; continuing without one "
        f"(install the progress extra: {INSTALL_HINT})"
    ]
    assert caught[0].filename == __file__  # it points at the caller's line, not into the SDK
    assert terminal.text() == ""


# -- outages and the command line ------------------------------------------------------------------


def test_a_bar_closed_while_the_workers_wait_drops_the_stale_note(capsys: pytest.CaptureFixture[str]) -> None:
    """Closed during a pause (Ctrl-C, say), the bar's last line keeps the count, not the old note."""
    sink = ProgressSink(True, 2, "things")
    sink.update(1)
    sink.waiting("waiting 4s: server 503")
    sink.close()
    raw = capsys.readouterr().err
    assert "server 503" in raw
    final = screen(raw)[-1]
    assert re.search(r"^things: +50%.*\b1/2 \[", final) and "server 503" not in final, final


def test_the_default_bar_says_why_the_workers_wait_and_ends_clean(
    emu: Any, client: Client, terminal: Terminal
) -> None:
    """During an outage the bar notes "waiting ...: server 503"; the finished line has no stale note."""
    fast_retries(client)
    emu.add_fault(action="status", status=503, path="/v1/task/*", count=12)
    with terminal:
        result = client.create_tasks("imageannotation", [payload(i, unique_id=f"w-{i}") for i in range(8)],
                                     concurrency=4)
    assert result.ok
    raw = terminal.text()
    assert re.search(r"waiting [^,\]]*: server 503", ESCAPE.sub("", raw)), raw
    final = screen(raw)[-1]
    assert re.search(r"\b8/8 \[", final) and "waiting" not in final, final


def test_the_cli_decides_as_the_library_does(
    emu: Any, terminal: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scaleapi tasks create`` on a terminal: a bar left at n/n; ``--no-progress``: none."""
    monkeypatch.setenv("SCALE_API_KEY", "test_scale_bulk_0123456789")
    monkeypatch.setenv("SCALE_API_BASE_URL", emu.url)
    Client("test_scale_bulk_0123456789", api_instance_url=emu.url).create_project(PROJECT, "imageannotation")
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text("".join(f'{{"project": "{PROJECT}", "attachment": "https://e.x/{i}.png", '
                                f'"geometries": {{"box": {{"objects_to_annotate": ["car"]}}}}}}\n'
                                for i in range(4)))
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    with terminal:
        assert cli.main(["tasks", "create", "imageannotation", "--file", str(payloads), "--no-progress"]) == 0
        assert cli.main(["tasks", "create", "imageannotation", "--file", str(payloads),
                         "--journal", str(tmp_path / "second.journal")]) == 0
    shown = screen(terminal.text())
    bars = [line for line in shown if line.startswith("create tasks")]
    assert len(bars) == 1 and re.search(rf"\b4/4 \[.*{RATE}\]$", bars[0]), shown
