"""The seed README's code samples, read from ``readme_samples.md`` beside this module (what they are and
the three typo fixes are said there): ``SAMPLES`` holds ``(id, runnable, code)`` in README order, where
``id`` is the sample's section name and ``runnable`` is False for the blocks marked ``not-run``."""
from pathlib import Path
from typing import List, Tuple

from support.doc_blocks import md_blocks

SAMPLES_PATH = Path(__file__).with_name("readme_samples.md")

# (id, runnable, code)
SAMPLES: List[Tuple[str, bool, str]] = [
    (block.section, block.not_run is None, block.code) for block in md_blocks(SAMPLES_PATH)
]
