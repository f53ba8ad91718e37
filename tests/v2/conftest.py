"""The v2 model tests: make the shared helpers (v2_facts) importable."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
