"""Finding the code blocks of README.rst and docs/*.md, for the docs tests.

A block is ``(path, line, language, code, not_run)``: ``line`` is the 1-based line of the block's first
code line, ``language`` is lower case (``""`` when the block names none), ``code`` is dedented, and
``not_run`` is the reason given by a marker placed right before the block (blank lines between are
allowed), else None:

* reStructuredText: a comment ``.. not-run: REASON`` before the ``.. code-block::`` directive (or
  before the paragraph that ends in ``::``);
* Markdown: a line ``<!-- not-run: REASON -->`` before the fence.

In README.rst, a literal block (a paragraph ending in ``::``) counts as Python when it parses as
Python and is not a shell command line; the README's literal blocks are shell commands.
"""
from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import List, NamedTuple, Optional

ROOT = Path(__file__).resolve().parents[2]
SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
_NOT_RUN_RST = re.compile(r"^\.\. not-run: (.+)$")
_NOT_RUN_MD = re.compile(r"^<!-- not-run: (.+?) -->$")
_FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)\s*$")


class Block(NamedTuple):
    """One code block of a document."""

    path: Path
    line: int
    language: str
    code: str
    not_run: Optional[str]
    section: str


def doc_paths() -> List[Path]:
    """README.rst, then docs/*.md in name order."""
    return [ROOT / "README.rst", *sorted((ROOT / "docs").glob("*.md"))]


def _marker_before(lines: List[str], index: int, pattern: "re.Pattern[str]") -> Optional[str]:
    """The reason of a not-run marker on the last non-blank line before ``lines[index]``."""
    before = index - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before < 0:
        return None
    found = pattern.match(lines[before].strip())
    return found.group(1).strip() if found else None


def _indented_body(lines: List[str], start: int) -> "tuple[int, str]":
    """The indented block that starts after ``lines[start - 1]`` (skipping blank lines and directive
    options): its first line number (1-based) and its dedented text."""
    index = start
    while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith(":")):
        index += 1
    first = index
    body: List[str] = []
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
        body.append(lines[index])
        index += 1
    return first + 1, textwrap.dedent("\n".join(body)).strip("\n") + "\n"


def _is_python(code: str) -> bool:
    first = code.lstrip().split("\n", 1)[0]
    if re.match(r"^(\$ )?(python|pip|scaleapi|export|cd|git|[A-Z_]+=)\b", first):
        return False
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def rst_blocks(path: Path) -> List[Block]:
    """The code blocks of a reStructuredText file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: List[Block] = []
    section = ""
    for index, line in enumerate(lines):
        if index + 1 < len(lines) and re.fullmatch(r"=+", lines[index + 1]) and line.strip() \
                and len(lines[index + 1]) >= len(line.strip()):
            section = line.strip()
        directive = re.match(r"^\.\. code-block::\s*(\S*)\s*$", line)
        if directive:
            first, code = _indented_body(lines, index + 1)
            blocks.append(Block(path, first, directive.group(1).lower(), code,
                                _marker_before(lines, index, _NOT_RUN_RST), section))
        elif line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            first, code = _indented_body(lines, index + 1)
            paragraph = index
            while paragraph > 0 and lines[paragraph - 1].strip():
                paragraph -= 1
            language = "python" if _is_python(code) else ""
            blocks.append(Block(path, first, language, code,
                                _marker_before(lines, paragraph, _NOT_RUN_RST), section))
    return blocks


def md_blocks(path: Path) -> List[Block]:
    """The fenced code blocks of a Markdown file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: List[Block] = []
    section = ""
    index = 0
    while index < len(lines):
        heading = re.match(r"^#+\s+(.*)$", lines[index])
        if heading:
            section = heading.group(1).strip()
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        code = textwrap.dedent("\n".join(lines[index + 1:end])).strip("\n") + "\n"
        blocks.append(Block(path, index + 2, fence.group(2).lower(), code,
                            _marker_before(lines, index, _NOT_RUN_MD), section))
        index = end + 1
    return blocks


def blocks_of(path: Path) -> List[Block]:
    """The code blocks of one document."""
    return rst_blocks(path) if path.suffix == ".rst" else md_blocks(path)


def all_blocks() -> List[Block]:
    """The code blocks of every document, in order."""
    return [block for path in doc_paths() for block in blocks_of(path)]


def where(block: Block) -> str:
    """``README.rst:123``."""
    return f"{block.path.relative_to(ROOT)}:{block.line}"
