"""Provenance: the allowlist/status guard vs a hand-written ``is_in`` query, and signatures.

1. Sources only: ``Guard([provenance(registry)]).validate`` vs the polars query a careful engineer
   writes by hand for the same split (``is_in`` per status, owner lookup, reasons, accepted and
   quarantined frames). Target: within 1.2x.
2. Signatures: rows/s of ``validate`` with HMAC-SHA256 (and Ed25519) verification, beside a plain
   standard-library ``hmac`` loop over bytes that are already encoded (the floor for per-row
   crypto in Python), and the record path's ``check``.

``python -m benchmarks.provenance --rows 1000000 --signed-rows 200000``
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import logging
import os
import time
from datetime import timedelta
from functools import partial

import numpy as np
import polars as pl
import structlog
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import inputguard as ig
from benchmarks._data import NOW
from benchmarks._harness import interleaved, measure, report
from inputguard._provenance.canonical import canonical_message, decode_signature

DEFAULT_OWNER = "data-platform"
HMAC_KEY = bytes(range(32))  # benchmark-only key
ED_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))


def _registry() -> ig.SourceRegistry:
    os.environ["IG_BENCH_HMAC"] = base64.b64encode(HMAC_KEY).decode()
    os.environ["IG_BENCH_ED"] = base64.b64encode(ED_KEY.public_key().public_bytes_raw()).decode()
    sources = [
        ig.Source(f"source-{i:02d}", f"team-{i % 5}", "active")
        for i in range(20)  # a realistic registry: a few dozen sources
    ]
    sources += [
        ig.Source("partner-feed", "team-partners", "suspended"),
        ig.Source("legacy-crm", "team-crm", "retired"),
        ig.Source(
            "signer",
            "team-signer",
            "active",
            keys=(
                ig.SigningKey("h1", "hmac-sha256", env="IG_BENCH_HMAC"),
                ig.SigningKey("e1", "ed25519", env="IG_BENCH_ED"),
            ),
        ),
    ]
    return ig.SourceRegistry(sources, default_owner=DEFAULT_OWNER)


def source_frame(rows: int, *, seed: int = 11) -> pl.DataFrame:
    """About 96% active sources, 1% each unknown, suspended, retired and null."""
    rng = np.random.default_rng(seed)
    names = np.array(
        [f"source-{i:02d}" for i in range(20)]
        + ["scraper-7", "partner-feed", "legacy-crm", "__null__"]
    )
    weights = np.array([0.96 / 20] * 20 + [0.01] * 4)
    picked = pl.Series("source", rng.choice(names, rows, p=weights / weights.sum()))
    return pl.DataFrame(
        {
            "txn_id": np.arange(rows, dtype=np.int64),
            "source": picked.replace("__null__", None),
            "amount": np.round(rng.lognormal(3.0, 1.0, rows), 2),
        }
    )


def hand_written(
    frame: pl.DataFrame, registry: ig.SourceRegistry
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same split, written by hand with ``is_in``."""
    by_status = {
        status: [s.id for s in registry.sources if s.status == status]
        for status in ("active", "suspended", "retired")
    }
    src = pl.col("source")
    flagged = (
        frame.lazy()
        .with_row_index("row_id")
        .with_columns(
            missing=src.is_null(),
            unknown=src.is_not_null() & ~src.is_in(list(registry.ids)),
            suspended=src.is_in(by_status["suspended"]).fill_null(value=False),
            retired=src.is_in(by_status["retired"]).fill_null(value=False),
        )
        .with_columns(
            bad=pl.col("missing") | pl.col("unknown") | pl.col("suspended") | pl.col("retired")
        )
        .collect()
    )
    accepted = flagged.filter(~pl.col("bad")).select(
        "row_id", *frame.columns, warnings=pl.lit([], dtype=pl.List(pl.String))
    )
    quarantined = flagged.filter(pl.col("bad")).select(
        "row_id",
        *frame.columns,
        reasons=pl.concat_list(
            [
                pl.when(pl.col(c)).then(pl.lit(f"source.{c}"))
                for c in ("missing", "unknown", "suspended", "retired")
            ]
        ).list.drop_nulls(),
        owner=src.replace_strict(
            list(registry.ids),
            [s.owner for s in registry.sources],
            default=DEFAULT_OWNER,
            return_dtype=pl.String,
        ),
    )
    return accepted, quarantined


def allowlist(rows: int, repeat: int) -> dict[str, object]:
    registry = _registry()
    guard = ig.Guard([ig.provenance(registry)], name="bench", clock=ig.FixedClock(NOW))
    frame = source_frame(rows)
    accepted, quarantined = hand_written(frame, registry)
    result = guard.validate(frame)
    assert result.accepted.height == accepted.height, "outputs differ"
    assert result.quarantined.select("reasons", "owner").equals(
        quarantined.select("reasons", "owner")
    ), "outputs differ"
    timings = interleaved(
        {
            "inputguard": lambda: guard.validate(frame),
            "baseline": lambda: hand_written(frame, registry),
        },
        repeat=repeat,
    )
    return report(
        "provenance allowlist+status vs hand is_in",
        rows,
        timings["inputguard"],
        timings["baseline"],
    )


def signed_frame(rows: int, kid: str) -> pl.DataFrame:
    """``rows`` signed records (signing is vectorized here only by reusing a few templates)."""
    key = HMAC_KEY if kid == "h1" else ED_KEY
    rng = np.random.default_rng(3)
    amounts = np.round(rng.lognormal(3.0, 1.0, rows), 2)
    base = NOW - timedelta(minutes=1)
    records = [
        ig.sign(
            {"source": "signer", "txn_id": i, "amount": float(amounts[i])},
            key=key,
            key_id=kid,
            signed=("txn_id", "amount"),
            issued=base,
        )
        for i in range(rows)
    ]
    frame = pl.DataFrame(records)
    # 2% tampered rows, so the benchmark pays for both outcomes
    tampered = pl.Series(rng.random(rows) < 0.02)
    return frame.with_columns(
        pl.when(tampered).then(pl.col("amount") + 1).otherwise(pl.col("amount")).alias("amount")
    )


def plain_hmac_loop(messages: list[bytes], signatures: list[bytes]) -> int:
    """The floor: the standard-library HMAC loop over bytes that are already encoded."""
    ok = 0
    for message, signature in zip(messages, signatures, strict=True):
        digest = hmac.new(HMAC_KEY, message, hashlib.sha256).digest()
        ok += hmac.compare_digest(digest, signature)
    return ok


def plain_ed25519_loop(messages: list[bytes], signatures: list[bytes]) -> int:
    """The floor for Ed25519: `cryptography` verification in a loop."""
    public = ED_KEY.public_key()
    ok = 0
    for message, signature in zip(messages, signatures, strict=True):
        try:
            public.verify(signature, message)
        except InvalidSignature:
            continue
        ok += 1
    return ok


def signatures(rows: int, repeat: int) -> list[dict[str, object]]:
    registry = _registry()
    validator = ig.provenance(registry, signature="signature", signed=("txn_id", "amount"))
    guard = ig.Guard([validator], name="bench-sig", clock=ig.FixedClock(NOW))
    lines = []
    for kid in ("h1", "e1"):
        frame = signed_frame(rows, kid)
        result = guard.validate(frame)
        assert set(result.counts()) <= {"signature.invalid"}, result.counts()
        records = frame.rows(named=True)
        messages = [
            canonical_message(
                source="signer",
                kid=kid,
                issued_at=NOW - timedelta(minutes=1),
                fields={"txn_id": r["txn_id"], "amount": r["amount"]},
            )
            for r in records
        ]
        raw = [decode_signature(r["signature"]) or b"" for r in records]
        subject = measure(f"validate {kid}", partial(guard.validate, frame), repeat=repeat)
        if kid == "h1":
            baseline = measure(
                "plain hmac loop", partial(plain_hmac_loop, messages, raw), repeat=repeat
            )
        else:
            baseline = measure(
                "plain ed25519 loop", partial(plain_ed25519_loop, messages, raw), repeat=1
            )
        alg = "hmac-sha256" if kid == "h1" else "ed25519"
        lines.append(report(f"validate with {alg} vs plain loop", rows, subject, baseline))
        sample = records[: min(rows, 20_000)]
        started = time.perf_counter()
        for record in sample:
            guard.check(record)
        per_s = len(sample) / (time.perf_counter() - started)
        print(f"{'check() with ' + alg:<44} {per_s:>12,.0f} records/s (record path, one at a time)")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--signed-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for rows in args.rows:
        allowlist(rows, args.repeat)
    signatures(args.signed_rows, args.repeat)


if __name__ == "__main__":
    main()
