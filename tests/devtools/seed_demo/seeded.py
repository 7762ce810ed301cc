"""What the `seeded` fixture (conftest.py) hands to the tests: both runs' results and files."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.demo.seed import SeedResult


@dataclass
class Seeded:
    first: SeedResult
    second: SeedResult
    counts_first: dict[str, Any]
    counts_second: dict[str, Any]
    media: Path
    files_first: set[Path]
    files_second: set[Path]
