"""Packaging for the scaleapi SDK and its local emulator."""
import os

from setuptools import find_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))


def read_version() -> str:
    """Read ``__version__`` from scaleapi/_version.py without importing the package."""
    scope: dict = {}
    with open(os.path.join(HERE, "scaleapi", "_version.py"), encoding="utf-8") as handle:
        exec(handle.read(), scope)  # pylint: disable=exec-used
    return str(scope["__version__"])


with open(os.path.join(HERE, "README.rst"), encoding="utf-8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="scaleapi",
    version=read_version(),
    description="Python SDK for the Scale AI v1 API, with a local emulator",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/x-rst",
    license="MIT",
    packages=find_packages(include=["scaleapi", "scaleapi.*"]),
    package_data={"scaleapi": ["py.typed"]},
    python_requires=">=3.9",
    install_requires=["requests>=2.25.0", "urllib3>=1.26.0"],
    extras_require={
        "emulator": ["werkzeug>=2.3"],
        "progress": ["tqdm>=4.60"],
        "dev": [
            "werkzeug>=2.3",
            "tqdm>=4.60",
            "pytest>=7",
            "pytest-timeout>=2.1",
            "hypothesis>=6.80",
            "trustme>=1.0",
            "mypy>=1.8",
            "pylint>=3.0",
            "types-requests>=2.31",
        ],
    },
    entry_points={
        "console_scripts": ["scaleapi=scaleapi.cli:main"],
        "pytest11": ["scaleapi_emulator=scaleapi.emulator.pytest_plugin"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: MIT License",
        "Typing :: Typed",
    ],
)
