"""The package version, kept apart so setup.py can read it without importing anything."""
__version__ = "2.18.4"
__package_name__ = "scaleapi"
