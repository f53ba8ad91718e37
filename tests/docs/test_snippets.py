"""Every Python snippet of README.rst and docs/*.md runs as written against the emulator.

How the snippets are run:

* The Python blocks of one document (``.. code-block:: python`` and Python ``::`` literal blocks in
  README.rst, ```` ```python ```` fences in docs/*.md) run **cumulatively, in document order, in one
  fresh interpreter per document**: a snippet may use the names an earlier snippet of the same
  document defined (``client``, ``task``, ``TaskType``), as a reader going down the page would. Each
  block is compiled under its own name (``README.rst:123``), so a failure points at its line.
* The interpreter is a subprocess started with ``SCALE_API_BASE_URL`` pointing at an emulator this
  test starts, ``SCALE_API_KEY`` a test-mode key of its own (one account per document, so documents
  do not see each other's projects), ``PYTHONPATH`` the repository, the working directory a
  temporary one, and the proxy variables removed (the emulator is on 127.0.0.1). Nothing else is
  substituted or patched: the code runs exactly as the document shows it.
* The working directory holds the one input file a snippet reads, ``cow.jpg`` (a few bytes with
  a JPEG signature), as the reader's own directory would.
* A block preceded by a not-run marker (``.. not-run: REASON`` in reStructuredText,
  ``<!-- not-run: REASON -->`` in Markdown) is not run; the reason is printed in the document
  itself. ``test_not_run_blocks_are_few_and_say_why`` keeps the list short and explicit.
* The blocks of README's "Testing with pytest" section are pytest test files, not scripts: they are
  run under pytest with the package's plugin by ``tests/emulator/test_plugin_docs.py`` and are left
  out here.

Shell blocks are not run; ``test_shell_blocks.py`` parses their ``scaleapi`` command lines instead.
The seed README's samples are run by ``tests/sdk/test_readme.py``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

import pytest
from support.doc_blocks import ROOT, Block, all_blocks, doc_paths, blocks_of, where

from scaleapi.emulator import Emulator

PYTEST_SECTION = "Testing with pytest"
#: The blocks allowed to carry a not-run marker: (document, reason).
EXPECTED_NOT_RUN = {
    ("README.rst", "needs a real proxy, client certificate and CA file"),
}

RUNNER = r"""
import json, sys
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
for name, code in blocks:
    print(f"--- running {name}", flush=True)
    exec(compile(code, name, "exec"), namespace)
print("--- all blocks ran", flush=True)
"""


def runnable(block: Block) -> bool:
    """A Python block that this test runs."""
    if block.language != "python" or block.not_run is not None:
        return False
    return not (block.path.name == "README.rst" and block.section == PYTEST_SECTION)


def documents_with_snippets() -> List[Path]:
    """The documents holding at least one block to run."""
    return [path for path in doc_paths() if any(runnable(block) for block in blocks_of(path))]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One emulator for every document (each uses its own account)."""
    with Emulator() as emu:
        yield emu


@pytest.mark.parametrize("path", documents_with_snippets(), ids=lambda p: p.name)
def test_the_snippets_of_a_document_run(path: Path, emulator: Emulator, tmp_path: Path) -> None:
    blocks = [block for block in blocks_of(path) if runnable(block)]
    script = tmp_path / "blocks.json"
    script.write_text(json.dumps([[where(block), block.code] for block in blocks]), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / "cow.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9")
    env = {name: value for name, value in os.environ.items()
           if not name.lower().endswith("_proxy") and not name.startswith("SCALE")}
    env.update({
        "SCALE_API_BASE_URL": emulator.url,
        "SCALE_API_KEY": f"test_docs_{path.stem.lower()}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "NO_PROXY": "127.0.0.1,localhost",
    })
    done = subprocess.run([sys.executable, "-c", RUNNER, str(script)], cwd=str(work), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and "--- all blocks ran" in done.stdout, (
        f"a snippet of {path.name} failed\n{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    for block in blocks:
        assert f"--- running {where(block)}" in done.stdout


def test_every_python_block_is_run_or_says_why_not() -> None:
    blocks = [block for block in all_blocks() if block.language == "python"]
    run = [block for block in blocks if runnable(block)]
    assert len(run) >= 20, [where(block) for block in run]
    for block in blocks:
        if runnable(block):
            continue
        pytest_file = block.path.name == "README.rst" and block.section == PYTEST_SECTION
        assert pytest_file or block.not_run, where(block)


def test_not_run_blocks_are_few_and_say_why() -> None:
    marked = [block for block in all_blocks() if block.not_run is not None]
    found = {(block.path.name, block.not_run) for block in marked}
    assert found == EXPECTED_NOT_RUN, [(where(block), block.not_run) for block in marked]
