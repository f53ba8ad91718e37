"""The README's "Testing with pytest" snippets run as written, each as its own test file, under pytest
with the package's plugin (the way a project that installed scaleapi runs them)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[2]
SECTION = "Testing with pytest"


def readme_section_snippets(title: str) -> List[str]:
    """The ``.. code-block:: python`` bodies of the README section ``title``, dedented."""
    text = (ROOT / "README.rst").read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n{'=' * len(title)}\n")
    following = re.search(r"\n[^\n]+\n=+\n", text[start + len(title) + 2:])
    section = text[start: start + len(title) + 2 + following.start()] if following else text[start:]
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:(?: {4}[^\n]*)?\n)+)", section)
    return [textwrap.dedent(block).strip() + "\n" for block in blocks]


def test_the_readme_plugin_snippets_run_under_pytest(tmp_path: Path) -> None:
    snippets = readme_section_snippets(SECTION)
    assert len(snippets) == 2, snippets
    assert "scale_live_client" in snippets[0] and "scale_emulator.complete_task(" in snippets[0]
    files = []
    for number, code in enumerate(snippets, 1):
        path = tmp_path / f"test_readme_snippet_{number}.py"
        path.write_text(code, encoding="utf-8")
        files.append(str(path))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugin under test, loaded as below
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "scaleapi.emulator.pytest_plugin", *files],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=str(tmp_path),
    )
    expected = sum(code.count("\ndef test_") + code.startswith("def test_") for code in snippets)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{expected} passed" in done.stdout, done.stdout
