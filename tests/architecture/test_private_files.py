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


# --- stored files through the storage API ---------------------------------------------------
# Stored files may live in a bucket (HBWSRC_S3_BUCKET), where they have no path: nothing
# outside the tests asks a storage or a stored file for one. MEDIA_ROOT is a local folder
# named only by the settings and by the two modules whose files are local on purpose
# (core/tmpfiles.py: scratch folders; core/jobs/progress.py: SQLite's side files).
LOCAL_MEDIA_MODULES = {ROOT / "core" / "tmpfiles.py", ROOT / "core" / "jobs" / "progress.py"}
CODE = ("core", "people", "exam", "review", "devtools")


def file_field_names() -> set[str]:
    from django.apps import apps
    from django.db.models import FileField

    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    }


def path_uses(path: Path, file_fields: set[str]) -> list[str]:
    """`x.path(...)` (a storage's path), `<file field>.path` and `MEDIA_ROOT` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "path":
            found.append(f"{node.lineno}: .path()")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and getattr(node.value, "attr", getattr(node.value, "id", None)) in file_fields
        ):
            found.append(f"{node.lineno}: file field .path")
        elif getattr(node, "attr", getattr(node, "id", None)) == "MEDIA_ROOT":
            found.append(f"{node.lineno}: MEDIA_ROOT")
    return found


def test_stored_files_are_read_through_the_storage_never_by_path():
    fields = file_field_names()
    assert {"file", "image", "result_file", "photo", "signature"} <= fields
    found = [
        f"{path.relative_to(ROOT)}:{use}"
        for app in CODE
        for path in sorted((ROOT / app).rglob("*.py"))
        if path not in LOCAL_MEDIA_MODULES and "migrations" not in path.parts
        for use in path_uses(path, fields)
    ]
    assert not found, "use the storage API (open, save, exists, delete): " + ", ".join(found)


def test_the_check_sees_a_path(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from django.conf import settings\n"
        "def f(storage, staged, institution):\n"
        "    a = storage.path('x')\n"
        "    b = staged.file.path\n"
        "    c = institution.path\n"
        "    return settings.MEDIA_ROOT\n"
    )
    assert path_uses(probe, {"file"}) == ["3: .path()", "4: file field .path", "6: MEDIA_ROOT"]
