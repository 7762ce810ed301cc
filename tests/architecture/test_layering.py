"""The apps' layering: core ← people ← exam ← review. A module may import from its own app
and the apps below it, never from one above. Function-local imports count: they hide a
cycle, they do not remove it. devtools (demo data, benchmarks) sits above everything; that
nothing outside devtools/ and tests/ imports it is tests/devtools/test_isolation.py's check.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("core", "people", "exam", "review")
TOOLING = ("devtools",)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from review import services` imports review.services
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _source_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def upward_imports() -> set[tuple[str, str]]:
    """Every (module, imported module) where the imported app sits above the module's."""
    found: set[tuple[str, str]] = set()
    for level, app in enumerate(LAYERS):
        above = LAYERS[level + 1 :] + TOOLING
        for path in _source_files(app):
            module = _module_name(path)
            for name in _imports(path):
                top = name.split(".")[0]
                if top in above and _is_module(name):
                    found.add((module, name))
    return found


def _is_module(name: str) -> bool:
    """`from review import services` names a module; `from core.errors import
    ServiceError` names a class: only modules (and packages) are counted."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_no_upward_import():
    found = upward_imports()
    assert not found, "upward imports (see the layering in README, Architecture): " + ", ".join(
        f"{module} → {name}" for module, name in sorted(found)
    )


def test_the_check_sees_an_upward_import(tmp_path):
    """The reader itself: a function-local upward import is found."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from core.errors import ServiceError\n")
    assert "core.errors" in _imports(module)
