"""tests/.pylintrc is the project's .pylintrc plus the few differences the suite needs, and no more."""
import configparser
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parents[2]
#: What tests/.pylintrc may add to the project's settings (its header says why for each).
TESTS_ONLY_DISABLED = {
    "missing-function-docstring",
    "redefined-outer-name",
    "protected-access",
    "unidiomatic-typecheck",
    "use-implicit-booleaness-not-comparison",
}
TESTS_ONLY_OPTIONS = {("MAIN", "ignored-modules"), ("MAIN", "source-roots"), ("MAIN", "init-hook")}


def _read(path: Path) -> Dict[str, Dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return {section: dict(parser[section]) for section in parser.sections()}


def _names(value: str) -> Set[str]:
    return {name.strip() for name in value.replace("\n", ",").split(",") if name.strip()}


def test_the_tests_pylintrc_is_the_project_one_plus_its_listed_differences() -> None:
    project, tests = _read(ROOT / ".pylintrc"), _read(ROOT / "tests" / ".pylintrc")
    assert set(tests) == set(project)
    for section, options in project.items():
        extra = {(section, name) for name in tests[section]} - {(section, name) for name in options}
        assert extra <= TESTS_ONLY_OPTIONS, f"[{section}] options only in tests/.pylintrc: {sorted(extra)}"
        for name, value in options.items():
            if (section, name) == ("MESSAGES CONTROL", "disable"):
                assert _names(tests[section][name]) == _names(value) | TESTS_ONLY_DISABLED
            else:
                assert tests[section].get(name) == value, f"[{section}] {name} differs from .pylintrc"
