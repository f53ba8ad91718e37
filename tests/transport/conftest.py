"""Fixtures for transport tests: a scripted loopback server and an Api whose sleeps are recorded."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
