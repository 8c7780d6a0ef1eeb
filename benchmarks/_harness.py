"""Shared timing helpers: medians of repeated runs, ratios against a same-process baseline."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Timing:
    """Median and spread of several runs of one callable."""

    label: str
    median_s: float
    runs: tuple[float, ...]

    @property
    def best_s(self) -> float:
        return min(self.runs)


def measure(label: str, fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times; report the median."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return Timing(label, statistics.median(runs), tuple(runs))


def interleaved(
    candidates: dict[str, Callable[[], Any]], *, repeat: int = 5, warmup: int = 1
) -> dict[str, Timing]:
    """Time several callables in alternation, so machine noise hits them alike."""
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    runs: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            gc.collect()
            started = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - started)
    return {name: Timing(name, statistics.median(r), tuple(r)) for name, r in runs.items()}


def report(title: str, rows: int, subject: Timing, baseline: Timing) -> dict[str, Any]:
    """Print one line with rows/s for both and the ratio subject/baseline; return it as a dict."""
    ratio = subject.median_s / baseline.median_s
    line = {
        "benchmark": title,
        "rows": rows,
        "subject_s": round(subject.median_s, 4),
        "baseline_s": round(baseline.median_s, 4),
        "subject_rows_per_s": round(rows / subject.median_s),
        "baseline_rows_per_s": round(rows / baseline.median_s),
        "ratio": round(ratio, 3),
    }
    print(
        f"{title:<44} rows={rows:>10,}  inputguard {subject.median_s:8.3f}s "
        f"({rows / subject.median_s:>12,.0f} rows/s)  baseline {baseline.median_s:8.3f}s  "
        f"ratio {ratio:5.2f}x"
    )
    return line
