"""The main job on the embedded sample: validate messy transactions with a file-configured guard.

Run with ``make demo``. Prints accepted and quarantined counts by reason code, owners of the
quarantined rows, and throughput.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import structlog

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sample_data import NOW, transactions  # noqa: E402

import inputguard as ig  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--config", type=Path, default=HERE / "guard.toml")
    args = parser.parse_args(argv)
    # The application, not the library, decides where audit events go: here, nowhere.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    guard = ig.Guard.from_config(args.config, clock=ig.FixedClock(NOW))
    frame = transactions(args.rows)
    print(f"guard {guard.name!r} (fingerprint {guard.fingerprint})")
    for validator in guard.validators:
        print(f"  {validator!r}")
    print(f"sample: {frame.height:,} transactions, clock fixed at {NOW.isoformat()}")

    guard.validate(frame.head(1000))  # warm-up: first-call imports and caches
    started = time.perf_counter()
    result = guard.validate(frame)
    elapsed = time.perf_counter() - started

    print(f"\naccepted    {result.accepted.height:>9,}")
    print(f"quarantined {result.quarantined.height:>9,}")
    print("\nquarantined rows by reason (a row may have several):")
    for reason, count in result.counts().items():
        print(f"  {reason:<32} {count:>9,}")
    warnings = result.warning_counts()
    if warnings:
        print("accepted with warnings:")
        for reason, count in warnings.items():
            print(f"  {reason:<32} {count:>9,}")
    owners = result.quarantined.group_by("owner").len().sort("len", descending=True)
    if owners["owner"].null_count() < owners.height:
        print("quarantined rows by owner:")
        for owner, count in owners.iter_rows():
            print(f"  {owner or '(no owner)':<32} {count:>9,}")
    rate = frame.height / elapsed
    print(f"\nvalidated {frame.height:,} rows in {elapsed:.3f}s ({rate:,.0f} rows/s)")
    assert result.rows == frame.height, "every row is accepted or quarantined"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
