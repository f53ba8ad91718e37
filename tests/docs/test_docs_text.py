"""The docs stand alone and install this project.

* No document (README.rst, docs/*.md) cites material that is not in the repository: the reference
  notes the project was built from, their section numbers, their evidence tags or their numbered
  list of the official client's quirks. Each such fact is said in words where it is used.
* Every install command installs this project, from a checkout (``pip install -e .``/``-e ".[x]"``)
  or from a wheel built from it (``pip wheel --no-deps -w dist .``, then ``pip install
  "dist/scaleapi-...whl[x]"``), and its section says so (a checkout, a clone of this repository, a
  wheel built from it). The one exception is the official
  client installed into a throwaway virtualenv, on purpose, to check the emulator against it: only
  in docs/compat.md, and the command's line itself must say it installs the official client; the
  bench, which installs that client into a venv of its own, says so in docs/benchmarks.md.
* Every Markdown code fence names its language, so the docs tests know which blocks are Python,
  which are shell commands and which are output.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest
from support.doc_blocks import ROOT, doc_paths

from scaleapi._version import __version__

FORBIDDEN = re.compile(
    r"API_REFERENCE|V2_REFERENCE|v2_spec\.json|shared/|\[(NODE|SDK|SDK2|DOC2|PROBE|TEST2|WIRE|REC)\]"
    r"|\(Q[0-9]+|\bQ[0-9]+\b|Q[0-9]+[–-]Q[0-9]+|§|\bthe contract\b|\bAPI reference\b"
)
INSTALL = re.compile(r"\bpip3? (install|wheel)\b[^\n`]*")
FROM_THIS_PROJECT = [
    re.compile(r"""^pip3? install -e (\.|"\.\[[a-z,]+\]")( |$)"""),
    re.compile(r"""^pip3? wheel --no-deps -w dist \.( |$)"""),
    re.compile(r"""^pip3? install "dist/scaleapi-[^"\s]*\.whl(\[[a-z,]+\])?"( |$)"""),
]
SAYS_SO = re.compile(r"checkout|clone of this repository|built from (it|the clone|this repository)", re.I)
OFFICIAL_ON_PURPOSE = ("docs/compat.md",)


def lines_of(path: Path) -> List[Tuple[int, str]]:
    """(1-based number, text) of each line of a document."""
    return list(enumerate(path.read_text(encoding="utf-8").split("\n"), 1))


def name(path: Path) -> str:
    """The document's path inside the repository."""
    return str(path.relative_to(ROOT))


def installs() -> List[Tuple[Path, int, str]]:
    """Every ``pip install`` / ``pip wheel`` command in the docs."""
    return [(path, number, found.group(0).strip().rstrip("`)"))
            for path in doc_paths() for number, line in lines_of(path)
            for found in INSTALL.finditer(line)]


def section(path: Path, number: int) -> str:
    """The text of the section (heading to heading) holding line ``number``."""
    lines = path.read_text(encoding="utf-8").split("\n")

    def heading(index: int) -> bool:
        if path.suffix == ".md":
            return lines[index].startswith("#")
        return index + 1 < len(lines) and bool(re.fullmatch(r"[=-]{3,}", lines[index + 1]))

    start = number - 1
    while start > 0 and not heading(start):
        start -= 1
    end = number
    while end < len(lines) and not heading(end):
        end += 1
    return "\n".join(lines[start:end])


@pytest.mark.parametrize("path", doc_paths(), ids=name)
def test_no_reference_to_material_outside_the_repository(path: Path) -> None:
    hits = [f"{name(path)}:{number}: {line.strip()}" for number, line in lines_of(path)
            if FORBIDDEN.search(line)]
    assert not hits, "\n".join(hits)


def test_the_reference_check_catches_each_kind() -> None:
    for text in ("see API_REFERENCE", "shared/notes.md", "[NODE] says", "(Q14)", "Q11-Q13", "§2.8",
                 "as the contract says", "quirk Q7 in the API reference"):
        assert FORBIDDEN.search(text), text
    for text in ("Quick start", "the Q&A", "section 3"):
        assert not FORBIDDEN.search(text), text


def test_every_install_command_installs_this_project_and_says_so() -> None:
    found = installs()
    assert len(found) >= 5, found
    problems = []
    for path, number, command in found:
        command = re.sub(r"^python3? -m ", "", command)
        command = re.sub(r"^\S*/bin/", "", command)  # a virtualenv's own pip
        where = f"{name(path)}:{number}: {command}"
        if any(pattern.match(command) for pattern in FROM_THIS_PROJECT):
            wheel = re.search(r"dist/(scaleapi-[^\[\"]*\.whl)", command)
            if wheel and wheel.group(1) != f"scaleapi-{__version__}-py3-none-any.whl":
                problems.append(
                    f"{where}: the wheel `pip wheel` builds is scaleapi-{__version__}-py3-none-any.whl"
                )
            if not SAYS_SO.search(section(path, number)):
                problems.append(f"{where}: its section does not say it installs from a checkout")
            continue
        line = path.read_text(encoding="utf-8").split("\n")[number - 1]
        official = re.match(r"^pip3? install scaleapi(==[\d.]+)?( |$)", command)
        if official and name(path) in OFFICIAL_ON_PURPOSE and re.search(r"the official client", line, re.I):
            continue
        problems.append(f"{where}: not an install of this project from a checkout or a wheel")
    assert not problems, "\n".join(problems)


def test_the_install_check_refuses_the_index_package() -> None:
    for command in ('pip install "scaleapi[emulator]"', "pip install scaleapi", "pip install -U scaleapi"):
        assert not any(pattern.match(command) for pattern in FROM_THIS_PROJECT), command
    for command in ('pip install -e ".[emulator]"', 'pip install -e .',
                    'pip wheel --no-deps -w dist .',
                    'pip install "dist/scaleapi-2.18.4-py3-none-any.whl[emulator]"'):
        assert any(pattern.match(command) for pattern in FROM_THIS_PROJECT), command


def test_the_bench_says_it_installs_the_official_client_on_purpose() -> None:
    """The bench installs the official client itself (into its own venv); its docs say so."""
    lines = [line for _, line in lines_of(ROOT / "docs" / "benchmarks.md")
             if "scaleapi==" in line and "install" in line]
    assert lines, "docs/benchmarks.md no longer says what the bench installs"
    for line in lines:
        assert "official" in line and "on purpose" in line, line


@pytest.mark.parametrize("path", [p for p in doc_paths() if p.suffix == ".md"], ids=name)
def test_every_markdown_fence_names_its_language(path: Path) -> None:
    opening = True
    bare = []
    for number, line in lines_of(path):
        if line.strip().startswith("```"):
            if opening and line.strip() == "```":
                bare.append(number)
            opening = not opening
    assert not bare, f"{name(path)}: fences without a language at lines {bare}"
