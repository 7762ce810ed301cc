"""The apps' layering: core ← people ← exam ← review (a module may import from its own app and
the apps below it, never from one above). Function-local imports count: they hide a cycle,
they do not remove it. devtools (demo data, benchmarks) sits above everything; that nothing
outside devtools/ and tests/ imports it is tests/devtools/test_isolation.py's check.

The upward imports that exist today are listed in `KNOWN_UPWARD`, each to be removed
(issue 13: a core app below people for the errors, the audit log, permissions, imports and
jobs). The list may only shrink: a new upward import fails here, and so does a listed one
that is gone (take it off the list).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("core", "people", "exam", "review")
TOOLING = ("devtools",)

# (importing module, imported module) for every upward import left; see the docstring.
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset(
    {
        # The jobs' log lines (review.log.log_write, with the owner's institution), moved
        # with the jobs from review/: they go with the audit log's move to core.
        ("core.jobs.services", "people.models"),
        ("core.jobs.services", "review.log"),
        ("exam.admin.reference", "review.imports.admin"),
        ("exam.material_writes", "review"),
        ("exam.material_writes", "review.log"),
        ("exam.material_writes", "review.workflow"),
        ("exam.recommender_services", "review"),
        ("exam.recommender_services", "review.log"),
        ("exam.recommender_services", "review.workflow"),
        ("exam.selectors", "review.models"),
        ("exam.services", "review"),
        ("exam.services", "review.log"),
        ("exam.services", "review.models"),
        ("exam.services", "review.workflow"),
        ("exam.teacher_identity", "review"),
        ("exam.teacher_identity", "review.log"),
        ("exam.teacher_identity", "review.workflow"),
        ("people.admin.confirmation_code", "exam.models"),
        ("people.admin.confirmation_code", "exam.models.projects"),
        ("people.admin.confirmation_code", "exam.urls_public"),
        ("people.admin.confirmation_code", "review.business"),
        ("people.admin.institutions", "review.imports.admin"),
        ("people.admin.registry", "review.imports.admin"),
        ("people.admin.reviewers", "review.imports.admin"),
        ("people.reference_data", "exam.models"),
        ("people.reference_data", "review.models"),
        ("people.services", "review"),
        ("people.services", "review.log"),
        ("people.services", "review.workflow"),
    }
)


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


def test_no_new_upward_import():
    new = upward_imports() - KNOWN_UPWARD
    assert not new, "upward imports (see the layering in README, Architecture): " + ", ".join(
        f"{module} → {name}" for module, name in sorted(new)
    )


def test_the_known_list_only_shrinks():
    gone = KNOWN_UPWARD - upward_imports()
    assert not gone, "no longer imported, take off KNOWN_UPWARD: " + ", ".join(
        f"{module} → {name}" for module, name in sorted(gone)
    )


def test_the_check_sees_an_upward_import(tmp_path):
    """The reader itself: a function-local upward import is found."""
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from core.errors import ServiceError\n")
    assert "core.errors" in _imports(module)
