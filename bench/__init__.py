"""Benchmarks of the scaleapi SDK against the raw wire and the existing client (``python -m bench``).

See docs/benchmarks.md. The package is not part of the SDK and not run by pytest.
"""
