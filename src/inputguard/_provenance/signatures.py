"""The batch path's signature check: issue instants, key windows, and one verification pass.

Everything up to the cryptographic check is vectorized (see the family's validator module);
`Prepare` adds the per-row signature outcome to the plan, and `BatchVerifier` is the one Python
pass over the rows that still need a verification, grouped by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import polars as pl

from inputguard._core.dtypes import US_UTC, is_text
from inputguard._core.reasons import Reason
from inputguard._core.timestamps import parse_timestamp_expr
from inputguard._provenance.canonical import (
    canonical_issued_at_expr,
    is_canonical_issued_at_expr,
)
from inputguard._provenance.keys import LoadedKey, batch_verifier

__all__ = [
    "SIGNATURE_REASONS",
    "SIG_CODE",
    "SIG_OK",
    "SIG_ORDER",
    "SIG_VERIFY",
    "BatchVerifier",
    "Prepare",
    "instant_expr",
    "is_canonical_issued",
    "per_key",
]

# Built once: a datetime literal costs a Series construction each time it is made.
_FIRST: Final = pl.lit(datetime(1, 1, 1, tzinfo=UTC), US_UTC)
_LAST: Final = pl.lit(datetime.max.replace(tzinfo=UTC), US_UTC)

# Signature outcomes, in the order they are decided (a row gets at most one).
SIG_ORDER: Final = (
    Reason.SIGNATURE_MISSING,
    Reason.SIGNATURE_MALFORMED,
    Reason.SIGNATURE_UNKNOWN_KEY,
    Reason.SIGNATURE_KEY_EXPIRED,
    Reason.SIGNATURE_KEY_NOT_YET_VALID,
    Reason.SIGNATURE_INVALID,
)
SIG_CODE: Final = {reason: i + 1 for i, reason in enumerate(SIG_ORDER)}
SIG_OK: Final = 0
SIG_VERIFY: Final = 99
SIGNATURE_REASONS: Final = frozenset(SIG_ORDER)


def per_key(index: pl.Expr, values: list[datetime | None]) -> pl.Expr:
    if all(value is None for value in values):  # no key has this bound: skip the lookup
        return pl.lit(None, US_UTC)
    return pl.lit(pl.Series(values, dtype=US_UTC)).gather(index)


def is_canonical_issued(column: str, dtype: pl.DataType) -> pl.Expr:
    """True where the issue-time column holds text in the canonical form (never null)."""
    if is_text(dtype):
        return is_canonical_issued_at_expr(pl.col(column).cast(pl.String))
    return pl.lit(value=False)


def instant_expr(column: str, dtype: pl.DataType, canonical: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The issue instant and, where the column already holds it, its canonical text.

    The instant is UTC ``datetime[us]``, null when missing, naive or invalid; the text is null
    where the column does not hold the canonical form. Instants outside the years 1-9999 in UTC
    are invalid, as on the record path (where Python cannot represent them). Texts already in
    the canonical form (``canonical``, computed in an earlier stage; what `sign` writes) take
    one fixed-format parse; only the others go through the general ISO-8601 parser, which the
    canonical rows reach as nulls.
    """
    col = pl.col(column)
    no_text = pl.lit(None, pl.String)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        instant = col.dt.convert_time_zone("UTC").cast(US_UTC)
        text = no_text
    elif is_text(dtype):
        raw = col.cast(pl.String)
        fast = canonical_issued_at_expr(pl.when(canonical).then(raw))
        general, _naive = parse_timestamp_expr(
            # polars 2.1: a regex costs full price on a null, next to nothing on ""
            pl.when(~canonical).then(raw).otherwise(pl.lit(""))
        )
        instant = pl.when(canonical).then(fast).otherwise(general)
        # a canonical text lies in years 1-9999 UTC, so it is valid wherever it parsed
        text = pl.when(canonical & fast.is_not_null()).then(raw)
    else:  # naive datetimes, numbers, dates ...: no instant to pin the signature to
        return pl.lit(None, US_UTC), no_text
    in_range = instant.is_between(_FIRST, _LAST)
    return pl.when(in_range).then(instant), text


class BatchVerifier:
    """The one Python pass: verify every pending row of a batch, given bytes already encoded.

    Rows are grouped by key (vectorized), so each key's prepared check runs over plain lists of
    bytes in a tight loop; the results are scattered back into place. Rows without a key index
    (not pending) come back null.
    """

    __slots__ = ("_checks",)

    def __init__(self, keys: tuple[LoadedKey, ...]) -> None:
        self._checks = tuple(batch_verifier(key) for key in keys)

    def __call__(self, work: pl.Series) -> pl.Series:
        indices = work.struct.field("k")
        messages = work.struct.field("m")
        signatures = work.struct.field("g")
        pending = indices.drop_nulls().unique().to_list()
        if len(pending) == 1 and indices.null_count() == 0:  # one key, every row: no regrouping
            verified = self._checks[pending[0]](messages.to_list(), signatures.to_list())
            return pl.Series(work.name, verified, dtype=pl.Boolean)
        out = pl.Series(work.name, [None] * len(work), dtype=pl.Boolean)
        for index in pending:
            rows = (indices == index).arg_true()
            verified = self._checks[index](
                messages.gather(rows).to_list(), signatures.gather(rows).to_list()
            )
            out.scatter(rows, verified)
        return out


@dataclass(frozen=True, slots=True)
class Prepare:
    """Add the signature outcome column: vectorized stages, then one verification pass."""

    helper: str
    stages: tuple[tuple[pl.Expr, ...], ...]
    temporaries: tuple[str, ...]
    verifier: BatchVerifier

    def __call__(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        for stage in self.stages:
            lf = lf.with_columns(stage)
        code = pl.col(f"{self.helper}_code")
        pending = code == SIG_VERIFY
        # Only the key index is masked: the verifier reads the rows of each key, so the
        # messages and signatures of other rows are never touched (and never copied).
        work = pl.struct(
            pl.when(pending).then(pl.col(f"{self.helper}_index")).alias("k"),
            pl.col(f"{self.helper}_message").cast(pl.Binary).alias("m"),
            pl.col(f"{self.helper}_raw").alias("g"),
        )
        verified = work.map_batches(self.verifier, return_dtype=pl.Boolean, is_elementwise=True)
        outcome = (
            pl.when(pending)
            .then(
                pl.when(verified)
                .then(pl.lit(SIG_OK))
                .otherwise(pl.lit(SIG_CODE[Reason.SIGNATURE_INVALID]))
            )
            .otherwise(code)
            .cast(pl.UInt8)
        )
        return lf.with_columns(outcome.alias(self.helper)).drop(self.temporaries)
