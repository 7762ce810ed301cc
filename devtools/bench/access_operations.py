"""个人信息访问记录's cost on the review detail page (`bench --only access`): the same page
with settings.ACCESS_LOG_ENABLED off (the reference) and on (one buffered INSERT at the end
of the request). Timed separately, and as alternating pairs in one operation, which keeps
a shared machine's drift out of the comparison. The log rows the runs write are kept (they
are what the page does); `seed_bench --clear` removes them with the rest."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.test import override_settings
from django.urls import reverse

from devtools.bench.measuring import BenchContext, Operation

PAIRS = 20  # off/on pairs per run of access:paired


def _get(ctx: BenchContext, url: str) -> None:
    response = ctx.client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code}")


def access_operations(ctx: BenchContext) -> list[Operation]:
    url = reverse("admin:review_reviewapplication_change", args=[ctx.samples["detail_pk"]])

    def page(enabled: bool):
        def run() -> dict[str, Any]:
            with override_settings(ACCESS_LOG_ENABLED=enabled):
                _get(ctx, url)
            return {"url": url}

        return run

    # Every pair of every run (the figures are the medians over all of them, not the
    # last run's): wall time, and this process's CPU time, which other processes on a
    # shared machine barely move.
    pairs: dict[str, list[float]] = {"off": [], "on": [], "off_cpu": [], "on_cpu": []}

    def paired() -> dict[str, Any]:
        for _ in range(PAIRS):
            for enabled, key in ((False, "off"), (True, "on")):
                with override_settings(ACCESS_LOG_ENABLED=enabled):
                    started, cpu = time.perf_counter(), time.process_time()
                    _get(ctx, url)
                    pairs[key].append(time.perf_counter() - started)
                    pairs[f"{key}_cpu"].append(time.process_time() - cpu)
        med = {key: statistics.median(values) * 1000 for key, values in pairs.items()}
        ratios = [on / off for off, on in zip(pairs["off"], pairs["on"], strict=True)]
        return {
            "pairs": len(pairs["off"]),
            "off_ms": med["off"],
            "on_ms": med["on"],
            "off_cpu_ms": med["off_cpu"],
            "on_cpu_ms": med["on_cpu"],
            "slower_pct": (med["on"] / med["off"] - 1) * 100,
            "pair_ratio_pct": (statistics.median(ratios) - 1) * 100,
            "cpu_slower_pct": (med["on_cpu"] / med["off_cpu"] - 1) * 100,
        }

    return [
        Operation("access:detail_off", "review detail, access log off", page(False)),
        Operation(
            "access:detail_on", "review detail, access log on", page(True), target="≤ 5 % over off"
        ),
        Operation("access:paired", f"{PAIRS} off/on pairs", paired, target="on ≤ 5 % over off"),
    ]
