"""`manage.py bench --profile <operation>`: where one operation's time goes, as a pyinstrument
profile (html to open in a browser, or text), so the next change starts from a measurement."""

from __future__ import annotations

from pathlib import Path

from devtools.bench.measuring import Operation


def profile_operation(op: Operation, *, runs: int, path: Path) -> Path:
    """Runs `op` once to warm up (outside the profile), then `runs` times under the
    profiler, and writes the profile to `path`: `.html` or anything else for text."""
    from pyinstrument import Profiler  # a development tool: only imported when asked for

    if op.setup:
        op.setup()
    op.run()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        for _ in range(runs):
            op.run()
    finally:
        profiler.stop()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".html":
        path.write_text(profiler.output_html(), encoding="utf-8")
    else:
        path.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    return path
