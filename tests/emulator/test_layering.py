"""The emulator's layers, checked by what each module imports.

``http/`` (werkzeug) calls ``rules/`` (the services), which read and write through ``storage/``
(SQLite). ``console/`` (the browser pages) sits beside ``http/``: it calls the rules, never the
store. The facade at the package top (``facade.py``, ``__main__``, the pytest plugin) wires them
together. Each module's imports are read with ``ast``, so a lazy import inside a function counts too.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import scaleapi.emulator

PACKAGE = "scaleapi.emulator"
ROOT = Path(scaleapi.emulator.__file__).parent
LAYERS = ("http", "console", "rules", "storage")


def module_name(path: Path) -> str:
    """``scaleapi.emulator.rules.tasks`` for ``.../emulator/rules/tasks.py``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def imports_of(path: Path) -> Set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from ..rules import tasks`` imports the module ``rules.tasks``.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> str:
    """``http``, ``console``, ``rules``, ``storage`` or ``facade`` for an emulator module."""
    rest = module[len(PACKAGE) + 1:].split(".")[0] if module != PACKAGE else ""
    return rest if rest in LAYERS else "facade"


MODULES: Dict[str, Set[str]] = {module_name(path): imports_of(path) for path in sorted(ROOT.rglob("*.py"))}


def offenders(layers: Set[str], banned: str) -> List[str]:
    """Modules of ``layers`` that import ``banned`` or a module below it."""
    return sorted(
        module for module, imported in MODULES.items() if layer_of(module) in layers
        and any(name == banned or name.startswith(banned + ".") for name in imported)
    )


def test_every_module_is_read() -> None:
    """The walk sees each layer (a moved tree would make every check below pass vacuously)."""
    seen = {layer_of(module) for module in MODULES}
    assert seen == {"facade", *LAYERS}
    assert len(MODULES) > 30


def test_no_store_import_outside_the_rules() -> None:
    """Routes and the HTTP plumbing reach data only through the rules; only the facade wires stores."""
    assert offenders({"http"}, f"{PACKAGE}.storage") == []


def test_the_console_reaches_data_only_through_the_rules() -> None:
    """The console imports the rules (and the fault layer), never the store or SQLite."""
    assert offenders({"console"}, f"{PACKAGE}.storage") == []
    assert offenders({"console"}, "sqlite3") == []
    assert any(layer_of(module) == "console" for module in MODULES)


def test_sqlite_only_in_storage() -> None:
    """No module outside storage/ imports sqlite3."""
    assert offenders({"facade", "http", "rules"}, "sqlite3") == []
    assert offenders({"storage"}, "sqlite3") == [f"{PACKAGE}.storage.db"]


def test_no_werkzeug_in_rules_or_storage() -> None:
    """The rules and the storage know nothing of HTTP frameworks."""
    assert offenders({"rules", "storage"}, "werkzeug") == []


def test_layers_import_only_downwards() -> None:
    """storage imports no other layer; rules import no http; nothing below imports the facade."""
    assert offenders({"storage"}, f"{PACKAGE}.rules") == []
    assert offenders({"storage", "rules"}, f"{PACKAGE}.http") == []
    assert offenders({"storage", "rules"}, f"{PACKAGE}.console") == []
    for module in (f"{PACKAGE}.facade", f"{PACKAGE}.__main__", f"{PACKAGE}.pytest_plugin"):
        assert offenders(set(LAYERS), module) == []
