"""A deterministic sample of realistic, messy transactions as live systems send them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import polars as pl

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Source ids as producers write them: registered, suspended, retired, unknown, missing.
# (The ids match examples/sources.toml: partner-feed is suspended, legacy-crm retired.)
SOURCES = [("orders-api", 55), ("pos-terminals", 35), ("partner-feed", 3), ("legacy-crm", 2),
           ("scraper-7", 2), ("ORDERS-API", 1), (None, 2)]  # fmt: skip
# Country values: canonical names, codes, synonyms, case/spacing noise, typos, refusals.
# "G\u0435rmany" hides a Cyrillic "e" in a Latin word: a confusable, to be refused.
COUNTRIES = [("Germany", 20), ("DE", 8), ("france", 8), ("United States", 10), ("USA", 6),
             ("GB", 4), ("United Kingdom", 6), ("Austria", 4), ("Australia", 4),
             ("Untied States", 1), ("Germnay", 1), ("Austrlia", 1), ("Niger", 1),
             ("Nigeria", 1), ("Bavaria", 1), ("G\u0435rmany", 1), ("Atlantis", 1),
             (None, 1)]  # fmt: skip
CURRENCIES = [("EUR", 40), ("USD", 30), ("eur", 6), ("GBP", 8), ("Pound Sterling", 3),
              ("Euro", 4), ("usd ", 3), ("DEM", 1), ("XYZ", 1), (None, 1)]  # fmt: skip


def _pick(rng: random.Random, weighted: list[tuple[str | None, int]]) -> str | None:
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(values, weights)[0]


def _timestamp(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.01:
        return None
    if roll < 0.02:
        return rng.choice(["yesterday", "2026-13-01T00:00:00Z", "n/a", ""])
    if roll < 0.04:
        age = timedelta(hours=rng.uniform(2, 72))  # stale
    elif roll < 0.05:
        age = -timedelta(minutes=rng.uniform(5, 600))  # clock skew: from the future
    elif roll < 0.07:
        age = timedelta(minutes=rng.uniform(5, 14))  # aging (and stale for strict sources)
    else:
        age = timedelta(seconds=rng.expovariate(1 / 20))
    instant = NOW - age
    style = rng.random()
    if style < 0.6:
        return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if style < 0.85:
        return instant.strftime("%Y-%m-%d %H:%M:%S+00:00")
    if style < 0.97:
        paris = instant + timedelta(hours=1)
        return paris.strftime("%Y-%m-%dT%H:%M:%S+01:00")
    return instant.strftime("%Y-%m-%dT%H:%M:%S")  # naive: no offset


def transactions(rows: int = 200_000, *, seed: int = 20261122) -> pl.DataFrame:
    """``rows`` transactions; the same seed always gives the same frame."""
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "txn_id": [f"T{i:08d}" for i in range(rows)],
            "source": [_pick(rng, SOURCES) for _ in range(rows)],
            "event_ts": [_timestamp(rng) for _ in range(rows)],
            "country": [_pick(rng, COUNTRIES) for _ in range(rows)],
            "currency": [_pick(rng, CURRENCIES) for _ in range(rows)],
            "amount": [round(rng.lognormvariate(3.0, 1.2), 2) for _ in range(rows)],
        }
    )
