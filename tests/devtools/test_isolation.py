"""The production code never imports the development tooling: production settings do not
install devtools, so an import of it from config/, people/, exam/ or review/ (at the top of
a module or inside a function) would fail there. Read from the source, not from what a test
run happened to import."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_PACKAGES = ("config", "people", "exam", "review")


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_no_production_module_imports_devtools():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for package in PRODUCTION_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in _imported_modules(path)
        if module == "devtools" or module.startswith("devtools.")
    ]
    assert offenders == []


def test_the_reader_finds_top_level_and_function_local_imports(tmp_path):
    """So an empty list above means something."""
    source = tmp_path / "module.py"
    source.write_text(
        "import devtools.demo\n"
        "def f():\n"
        "    from devtools.bench import dataset\n"
        "    from . import sibling\n"
    )
    assert _imported_modules(source) == {"devtools.demo", "devtools.bench"}
