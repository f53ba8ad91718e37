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

# The repository has no public address yet; this reserved (.invalid) name stands in until it does.
REPOSITORY = "https://scaleapi-sdk.example.invalid"

# The version is that of the official client release this SDK matches method for method.
VERSION = read_version()

setup(
    name="scaleapi",
    version=VERSION,
    description=(
        f"Independent Python SDK for the Scale AI v1 and v2 APIs, compatible with the official scaleapi "
        f"{VERSION} client, with a local emulator of the API"
    ),
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/x-rst",
    author="The scaleapi SDK authors",
    maintainer="The scaleapi SDK authors",
    url=REPOSITORY,
    project_urls={"Source": REPOSITORY},
    keywords=["scale", "scale ai", "scaleapi", "labeling", "annotation", "sdk", "emulator"],
    license="MIT",
    packages=find_packages(include=["scaleapi", "scaleapi.*"]),
    package_data={
        "scaleapi": ["py.typed"],
        "scaleapi.api_client.v2.api": ["endpoints.json"],
        "scaleapi.emulator.console": ["templates/*.html", "static/*.js", "static/*.css", "static/*.svg"],
        "scaleapi.emulator.storage": ["schema.sql"],
    },
    python_requires=">=3.9",
    install_requires=["requests>=2.25.0", "urllib3>=1.26.0"],
    extras_require={
        "emulator": ["werkzeug>=2.3", "jinja2>=3.0"],
        "progress": ["tqdm>=4.60"],
        "dev": [
            "werkzeug>=2.3",
            "jinja2>=3.0",
            "selenium>=4.10",
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
        "Intended Audience :: Developers",
        "License :: OSI Approved :: MIT License",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Software Development :: Libraries :: Python Modules",
        "Topic :: Software Development :: Testing",
        "Typing :: Typed",
    ],
)
