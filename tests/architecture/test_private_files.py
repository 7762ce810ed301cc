"""Private files leave the platform through core/files.py alone: no other module builds a
FileResponse (its headers, Cache-Control private/no-store and nosniff, are set there)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "people", "exam", "review", "config")
SERVER = ROOT / "core" / "files.py"


def file_response_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "FileResponse"
    ]


def test_only_core_files_builds_a_file_response():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != SERVER
        for line in file_response_calls(path)
    ]
    assert not found, "serve private files with core.files: " + ", ".join(found)


def test_the_check_sees_a_file_response(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from django import http\n\ndef f(h):\n    return http.FileResponse(h)\n")
    assert file_response_calls(probe) == [4]
    assert file_response_calls(SERVER)
