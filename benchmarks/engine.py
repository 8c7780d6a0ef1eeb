"""The combined guard on the shared headline workload: cold and warm caches, and `Guard.sink`.

    python -m benchmarks.engine caches --rows 1000000      # cold vs warm decision cache
    python -m benchmarks.engine sink --rows 50000000       # Guard.sink: peak RSS and counts
    python -m benchmarks.engine fuzzy --rows 1000000       # fuzzy matching on, warm and cold

Both use the headline guard and data of ``../shared/bench`` (beside the checkout): provenance
allowlist, per-source freshness, two terminology columns. ``caches`` times ``guard.validate``
against the hand-written reference (``impl_polars.run_a``) in one process, interleaved, median of
``--repeat`` paired ratios: *warm* reuses one guard (its matchers' decision caches are filled by
the warm-up); *cold* builds a new guard from the files before every run, so every distinct value
is matched again. ``sink`` writes a parquet file of ``--rows`` rows (copies of the generated
10M-row headline data with new ``txn_id``s), streams it through ``Guard.sink`` in a fresh process
whose peak RSS (VmHWM) is the figure, then validates the same file in slices with
``Guard.validate`` and checks that the counts agree. ``fuzzy`` is the headline guard with fuzzy
matching turned on for both terminology columns: its ratio with a warm decision cache, and the
cold cost per distinct value (a new guard's first run minus a warm run, divided by the distinct
values of the two columns).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Callable

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
_SLICE = 5_000_000


class _NoHarness(Exception):
    """The shared harness is not beside the checkout."""


def _shared() -> Any:
    if not SHARED.is_dir():
        raise _NoHarness(f"the shared headline harness is not at {SHARED}: skipped")
    sys.path.insert(0, str(SHARED))
    headline = importlib.import_module("headline")
    headline.quiet_events()
    return headline


def caches(rows: int, repeat: int) -> dict[str, Any]:
    headline = _shared()
    gen_data = importlib.import_module("gen_data")  # beside headline.py

    frame = gen_data.load(rows)
    folder = Path(tempfile.mkdtemp(prefix="ig-engine-"))
    warm, _ = headline.make_guard(folder)
    warm.validate(frame)
    headline.reference(frame, text=False)

    def cold() -> Any:
        guard, _ = headline.make_guard(folder)  # new vocabularies: empty decision caches
        return guard.validate(frame)

    def hot() -> Any:
        return warm.validate(frame)

    out: dict[str, Any] = {"rows": rows}
    runs: dict[str, Callable[[], Any]] = {"warm": hot, "cold": cold}
    for label, run in runs.items():
        ratios = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            ours = time.perf_counter() - started
            started = time.perf_counter()
            headline.reference(frame, text=False)
            ratios.append(ours / (time.perf_counter() - started))
        out[label] = {"ratio": statistics.median(ratios), "ratios": [round(r, 3) for r in ratios]}
        print(
            f"{label} decision cache, {rows:,} rows: ratio {out[label]['ratio']:.2f} "
            f"(runs {out[label]['ratios']})"
        )
    return out


def fuzzy(rows: int, repeat: int) -> dict[str, Any]:
    """The headline guard with fuzzy matching on: warm ratio, and cold cost per distinct value."""
    headline = _shared()
    gen_data = importlib.import_module("gen_data")
    import inputguard as ig  # noqa: PLC0415

    frame = gen_data.load(rows)
    folder = Path(tempfile.mkdtemp(prefix="ig-engine-"))

    def build() -> ig.Guard:
        base, _ = headline.make_guard(folder)
        return ig.Guard(
            [
                ig.terminology(v.column, v.vocab) if isinstance(v, ig.Terminology) else v
                for v in base.validators
            ],
            name="headline-fuzzy",
            clock=base.clock,
        )

    warm = build()
    warm.validate(frame)
    headline.reference(frame, text=False)
    ratios, warm_s = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        warm.validate(frame)
        warm_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        headline.reference(frame, text=False)
        ratios.append(warm_s[-1] / (time.perf_counter() - started))
    distinct = sum(frame[c].n_unique() for c in ("country", "currency"))
    extra = []
    for _ in range(max(3, repeat // 2)):
        guard = build()  # empty decision caches: every distinct value is matched again
        started = time.perf_counter()
        guard.validate(frame)
        extra.append(time.perf_counter() - started - statistics.median(warm_s))
    per_value_us = statistics.median(extra) / distinct * 1e6
    print(
        f"fuzzy on, {rows:,} rows: warm ratio {statistics.median(ratios):.2f} "
        f"(runs {[round(r, 3) for r in ratios]}); cold cost {per_value_us:.0f} us per distinct "
        f"value ({distinct:,} distinct values, runs {[round(e, 3) for e in extra]} s)"
    )
    return {"ratio": statistics.median(ratios), "cold_us_per_value": per_value_us}


def _big_file(rows: int) -> Path:
    gen_data = importlib.import_module("gen_data")

    path = Path(gen_data.DATA_DIR) / f"engine_sink_n{rows}.parquet"
    if path.exists():
        return path
    base = gen_data.load(min(rows, 10_000_000))
    import pyarrow.parquet as pq  # noqa: PLC0415

    tmp = path.with_suffix(".tmp")
    writer = None
    done = 0
    while done < rows:
        part = base.head(rows - done).with_columns(pl.col("txn_id") + done)
        table = part.to_arrow()
        writer = writer or pq.ParquetWriter(tmp, table.schema, compression="lz4")
        writer.write_table(table, row_group_size=500_000)
        done += part.height
    assert writer is not None
    writer.close()
    tmp.replace(path)
    return path


def _peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def _sink_child(path: str, out: str) -> None:
    headline = _shared()
    guard, _ = headline.make_guard()
    started = time.perf_counter()
    summary = guard.sink(
        pl.scan_parquet(path),
        accepted=Path(out) / "accepted.parquet",
        quarantined=Path(out) / "quarantined.parquet",
    )
    print(
        "SINK "
        + json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "peak_mib": _peak_kib() / 1024,
                "accepted": summary.accepted,
                "quarantined": summary.quarantined,
                "reasons": summary.reasons,
            }
        ),
        flush=True,
    )


def sink(rows: int) -> dict[str, Any]:
    headline = _shared()
    path = _big_file(rows)
    out = tempfile.mkdtemp(prefix="ig-sink-")
    child = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.engine", "sink-child", str(path), out],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    line = next(ln for ln in child.stdout.splitlines() if ln.startswith("SINK "))
    streamed = json.loads(line[5:])
    guard, _ = headline.make_guard()
    totals: dict[str, int] = {}
    accepted = 0
    for offset in range(0, rows, _SLICE):
        result = guard.validate(pl.scan_parquet(path).slice(offset, _SLICE))
        accepted += result.accepted.height
        for code, n in result.counts().items():
            totals[code] = totals.get(code, 0) + n
    same = accepted == streamed["accepted"] and totals == streamed["reasons"]
    print(
        f"sink, {rows:,} rows: peak RSS {streamed['peak_mib']:,.0f} MiB (goal <= 1024), "
        f"{streamed['seconds']:.1f} s ({rows / streamed['seconds'] / 1e6:.2f}M rows/s); "
        f"counts {'equal' if same else 'DIFFER'} to validate() in {_SLICE:,}-row slices"
    )
    for name in ("accepted.parquet", "quarantined.parquet"):
        os.unlink(Path(out) / name)
    return {**streamed, "rows": rows, "counts_equal": same}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "what", choices=["caches", "sink", "sink-child", "fuzzy"], nargs="?", default="caches"
    )
    parser.add_argument("args", nargs="*")
    parser.add_argument("--rows", type=lambda s: int(float(s)), default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    a = parser.parse_args(argv)
    try:
        _run(a)
    except _NoHarness as missing:
        print(missing)


def _run(a: argparse.Namespace) -> None:
    if a.what == "sink-child":
        _sink_child(*a.args)
    elif a.what == "sink":
        sink(a.rows)
    elif a.what == "fuzzy":
        fuzzy(a.rows, a.repeat)
    else:
        caches(a.rows, a.repeat)


if __name__ == "__main__":
    main()
