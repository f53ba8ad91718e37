"""The ``scaleapi`` command lines of the docs parse with the CLI's own parsers, so the docs and the
command line cannot drift apart.

Which lines are commands: in shell blocks (```` ```sh ````, ``bash`` and ``shell`` fences,
``.. code-block:: sh`` and README's shell ``::`` literal blocks) every line that runs ``scaleapi``,
``python -m scaleapi`` or ``python -m scaleapi.emulator``; in ``console`` blocks (a session with its
output) and ``text`` blocks (output, error messages, usage synopses) only lines typed after a ``$ ``
prompt. (Every Markdown fence
names its language: ``test_docs_text.py`` checks that.)
Comments, redirections and pipes are cut off (``shlex`` with comments), ``\\`` continuations joined,
and leading ``VAR=value`` assignments and a trailing ``&`` dropped. A line holding a placeholder
(``...`` or ``…``) is skipped. ``scaleapi emulator ...`` is parsed by the emulator's parser, as the
command hands it over.
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
from typing import List, Optional, Tuple

import pytest
from support.doc_blocks import SHELL_LANGUAGES, all_blocks, where

from scaleapi.cli import build_parser
from scaleapi.emulator.__main__ import build_parser as build_emulator_parser

_STOP = {"|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "2>&1"}


def command_lines() -> List[Tuple[str, str]]:
    """``(where, line)`` for every documented scaleapi command line."""
    found: List[Tuple[str, str]] = []
    for block in all_blocks():
        shell = block.language in SHELL_LANGUAGES - {"console"} or block.language == ""
        if block.language == "python":
            continue
        joined = block.code.replace("\\\n", " ")
        for number, line in enumerate(joined.split("\n")):
            text = line.strip()
            prompted = text.startswith("$ ")
            if prompted:
                text = text[2:]
            elif not shell:
                continue
            if re.match(r"^([A-Z_]+=\S*\s+)*(scaleapi|python -m scaleapi(\.emulator)?)(\s|$)", text):
                found.append((f"{where(block)}+{number}", text))
    return found


def argv_of(line: str) -> Optional[Tuple[str, List[str]]]:
    """``("cli" | "emulator", argv)`` for a command line, or None for a line with a placeholder."""
    if "..." in line or "…" in line:
        return None
    words = shlex.split(line, comments=True)
    while words and re.match(r"^[A-Z_]+=", words[0]):
        words.pop(0)
    for index, word in enumerate(words):
        if word in _STOP or word.startswith((">", "2>")):
            words = words[:index]
            break
    if words[:3] == ["python", "-m", "scaleapi.emulator"]:
        return "emulator", words[3:]
    if words[:3] == ["python", "-m", "scaleapi"]:
        words = words[3:]
    else:
        words = words[1:]
    if words[:1] == ["emulator"]:
        return "emulator", words[1:]
    return "cli", words


def parse_error(kind: str, argv: List[str]) -> Optional[str]:
    """None when the parser accepts ``argv`` (``--help``/``--version`` included), else its message."""
    parser = build_parser() if kind == "cli" else build_emulator_parser()
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser.parse_args(argv)
        except SystemExit as done:
            if done.code not in (0, None):
                return errors.getvalue().strip() or f"exit status {done.code}"
    return None


LINES = command_lines()


def test_the_docs_show_many_command_lines() -> None:
    assert len(LINES) >= 15, LINES
    assert any(argv_of(line) and argv_of(line)[0] == "emulator" for _, line in LINES)  # type: ignore[index]


@pytest.mark.parametrize("place, line", LINES, ids=[place for place, _ in LINES])
def test_a_documented_command_line_parses(place: str, line: str) -> None:
    parsed = argv_of(line)
    if parsed is None:
        pytest.skip(f"a placeholder in {line!r}")
    kind, argv = parsed
    assert parse_error(kind, argv) is None, f"{place}: {line}\n{parse_error(kind, argv)}"


def test_a_misspelled_command_would_be_caught() -> None:
    assert parse_error("cli", ["tasks", "lst", "--project", "p"])
    assert parse_error("cli", ["tasks", "list", "--projet", "p"])
    assert parse_error("emulator", ["--prot", "8080"])
