"""Terminology validation speed against a hand-written polars mapping, in the same process.

Two term columns (country, currency); most values are exact codes or synonyms, about 5% need
fuzzy matching, with thousands of distinct values. The baseline is what a careful engineer would
write by hand: per column, the distinct values mapped through a dict of exact keys and synonyms,
joined back, and the rows split into mapped / unmapped. inputguard does more (folding,
fingerprints, fuzzy matching of the distinct misses, reasons, row ids); the ratio says what
that costs. The decision cache is cleared before every run, so fuzzy work is measured each time.

Run ``python -m benchmarks.terminology --rows 1000000``.
"""

from __future__ import annotations

import argparse
import logging
import random
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import structlog

import inputguard as ig
from benchmarks._harness import interleaved, report

ROOT = Path(__file__).resolve().parent.parent
_SEED = 7


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]


def _values(vocab: ig.Vocabulary, rows: int, rng: random.Random) -> list[str]:
    """Rows of one column: 70% codes, 25% synonyms (names), 5% seeded typos of names."""
    codes = list(vocab.canonicals)
    names = [s for c in codes for s in vocab.terms[c] if len(s) >= 6]
    typos = sorted({_typo(rng, n) for n in names for _ in range(6)})  # thousands of distinct
    pool = rng.choices(codes, k=7000) + rng.choices(names, k=2500) + rng.choices(typos, k=500)
    return [pool[rng.randrange(len(pool))] for _ in range(rows)]


def frame(rows: int) -> pl.DataFrame:
    """The benchmark input."""
    rng = random.Random(_SEED)
    countries = ig.Vocabulary.from_file(ROOT / "vocab" / "countries.toml")
    currencies = ig.Vocabulary.from_file(ROOT / "vocab" / "currencies.toml")
    base = 20_000
    data = pl.DataFrame(
        {"country": _values(countries, base, rng), "currency": _values(currencies, base, rng)}
    )
    picks = pl.Series([rng.randrange(base) for _ in range(rows)], dtype=pl.UInt32)
    return data[picks].with_columns(amount=pl.int_range(rows, dtype=pl.Int64))


def baseline(df: pl.DataFrame, tables: dict[str, dict[str, str]]) -> tuple[pl.DataFrame, ...]:
    """Exact + synonym mapping via the distinct values, joined back, split in two."""
    lf = df.lazy()
    for column, mapping in tables.items():
        distinct = df.get_column(column).unique().drop_nulls()
        mapped = pl.DataFrame(
            {column: distinct, f"{column}_canon": [mapping.get(v) for v in distinct]},
            schema={column: pl.String, f"{column}_canon": pl.String},
        )
        lf = lf.join(mapped.lazy(), on=column, how="left", maintain_order="left")
    ok = pl.all_horizontal(pl.col(f"{c}_canon").is_not_null() for c in tables)
    out = lf.with_columns(ok.alias("ok")).collect()
    return out.filter(pl.col("ok")), out.filter(~pl.col("ok"))


def main(argv: list[str] | None = None) -> None:
    """Time inputguard against the baseline and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--warm", action="store_true", help="keep the decision cache between runs (steady state)"
    )
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    df = frame(args.rows)
    countries = ig.Vocabulary.from_file(ROOT / "vocab" / "countries.toml")
    currencies = ig.Vocabulary.from_file(ROOT / "vocab" / "currencies.toml")
    validators = [ig.terminology("country", countries), ig.terminology("currency", currencies)]
    guard = ig.Guard(
        validators, name="bench", clock=ig.FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    )
    tables = {
        "country": {k: c for c, s in countries.terms.items() for k in (c, *s)},
        "currency": {k: c for c, s in currencies.terms.items() for k in (c, *s)},
    }

    def subject() -> object:
        for v in validators if not args.warm else ():
            v.matcher._cache.clear()
        return guard.validate(df)

    distinct = {c: df.get_column(c).n_unique() for c in ("country", "currency")}
    result = guard.validate(df)
    print(
        f"distinct values {distinct}; accepted {result.accepted.height:,}, "
        f"quarantined {result.quarantined.height:,}"
    )
    timings = interleaved(
        {"inputguard": subject, "baseline": lambda: baseline(df, tables)}, repeat=args.repeat
    )
    title = "terminology: 2 columns, " + ("warm cache" if args.warm else "cold cache")
    report(title, args.rows, timings["inputguard"], timings["baseline"])


if __name__ == "__main__":
    main()
