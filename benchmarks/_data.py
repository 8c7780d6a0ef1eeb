"""Deterministic synthetic transactions for benchmarks (vectorized: 10M rows in seconds)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
_US = 1_000_000


def transactions(rows: int, *, seed: int = 7, text_timestamps: bool = False) -> pl.DataFrame:
    """``rows`` transactions; about 94% fresh, 3% stale, 1% future, 1% aging, 1% null timestamps."""
    rng = np.random.default_rng(seed)
    now_us = int(NOW.timestamp() * _US)
    age_s = rng.exponential(600.0, rows)  # most events are minutes old
    kind = rng.random(rows)
    age_s = np.where(kind < 0.03, 7200 + age_s, age_s)  # stale
    age_s = np.where((kind >= 0.03) & (kind < 0.04), -600 - age_s, age_s)  # future
    age_s = np.where((kind >= 0.04) & (kind < 0.05), 2400 + age_s % 600, age_s)  # aging
    ts = pl.Series("ts", now_us - (age_s * _US).astype(np.int64)).cast(pl.Datetime("us", "UTC"))
    ts = ts.set(pl.Series(kind >= 0.99), None)
    frame = pl.DataFrame(
        {
            "txn_id": np.arange(rows, dtype=np.int64),
            "ts": ts,
            "amount": np.round(rng.lognormal(3.0, 1.0, rows), 2),
            "source": pl.Series(rng.choice(["web", "pos", "crm", "batch-export"], rows)),
        }
    )
    if text_timestamps:
        frame = frame.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z"))
    return frame
