"""The package version, kept apart so setup.py can read it without importing anything."""
__version__ = "2.18.4"
__package_name__ = "scaleapi"
#: The release of the official ``scaleapi`` client whose interface this SDK keeps (the two share
#: the package name, so ``scaleapi --version`` says which one is installed).
__compatible_official_version__ = "2.18.4"
