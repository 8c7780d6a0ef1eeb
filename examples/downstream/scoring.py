"""A tiny fraud score behind a guard: the model only ever sees fresh, known-term records."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import inputguard as ig

VOCAB = ig.Vocabulary(
    "countries",
    "1",
    {
        "AT": ("AUT", "Austria"),
        "AU": ("AUS", "Australia"),
        "DE": ("DEU", "Germany"),
        "FR": ("FRA", "France"),
    },
    distinct=(("AT", "AU"),),
    known_other=("Western Australia",),
)
RISKY = frozenset({"AU"})


def make_guard(clock: ig.Clock | None = None) -> ig.Guard:
    """The guard in front of the model."""
    return ig.Guard(
        [
            ig.freshness("event_ts", error_after="1h", warn_after="15m"),
            ig.terminology("country", VOCAB),
        ],
        name="fraud-score",
        clock=clock,
    )


def model(record: dict[str, Any]) -> float:
    """The 'model': needs a canonical country code and an aware UTC timestamp."""
    assert record["country"] in VOCAB.canonicals, record["country"]
    assert isinstance(record["event_ts"], datetime), record["event_ts"]
    assert record["event_ts"].utcoffset() == timedelta(0), record["event_ts"]
    amount = float(record["amount"])
    return min(1.0, amount / 10_000 + (0.5 if record["country"] in RISKY else 0.0))


def score(guard: ig.Guard, record: dict[str, Any]) -> float | None:
    """Score a record, or None when the guard rejects it (the record is never guessed at)."""
    verdict = guard.check(record)
    if not verdict.ok:
        return None
    return model(dict(verdict.record))
