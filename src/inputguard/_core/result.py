"""What a guard returns: `Result` for frames, `Verdict` for one record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from inputguard.exceptions import InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

__all__ = [
    "OWNER",
    "REASONS",
    "REASON_COLUMNS",
    "RESERVED_COLUMNS",
    "ROW_ID",
    "WARNINGS",
    "Result",
    "SinkSummary",
    "Verdict",
    "count_codes",
    "count_columns",
    "reasons_dtype",
]

ROW_ID = "row_id"
REASONS = "reasons"
REASON_COLUMNS = "reason_columns"
WARNINGS = "warnings"
OWNER = "owner"
RESERVED_COLUMNS = frozenset({ROW_ID, REASONS, REASON_COLUMNS, WARNINGS, OWNER})


def reasons_dtype(codes: Iterable[str]) -> pl.List:
    """The dtype of a ``reasons`` / ``warnings`` column: a list of an Enum over ``codes``.

    The categories are sorted, so a guard's frames always share one dtype (and concatenate).
    """
    return pl.List(pl.Enum(sorted(set(codes))))


def count_codes(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows by code in a list column, most frequent first (a row counts once per code)."""
    if frame.height == 0:
        return {}
    counted = (
        frame.select(pl.col(column).list.unique().explode().drop_nulls().cast(pl.String))
        .to_series()
        .value_counts(name="len")
        .sort(["len", column], descending=[True, False])
    )
    return dict(zip(counted[column].to_list(), counted["len"].to_list(), strict=True))


def count_columns(frame: pl.DataFrame) -> dict[tuple[str | None, str], int]:
    """Quarantined rows by (column, reason code), most frequent first."""
    if frame.height == 0 or REASON_COLUMNS not in frame.columns:
        return {}
    pairs = (
        frame.select(
            pl.col(ROW_ID),
            pl.col(REASON_COLUMNS).alias("column"),
            pl.col(REASONS).cast(pl.List(pl.String)).alias("code"),
        )
        .explode("column", "code")
        .drop_nulls("code")
        .unique()
        .group_by("column", "code")
        .len()
        .sort(["len", "column", "code"], descending=[True, False, False], nulls_last=True)
    )
    return {(c, r): n for c, r, n in pairs.iter_rows()}


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of `Guard.validate`: every input row is in exactly one of the two frames.

    Attributes:
        accepted: Rows that passed, with normalized values, a ``row_id`` (the row's position in
            the input) and a ``warnings`` list column.
        quarantined: Rows that failed, with their ORIGINAL values, ``row_id``, a ``reasons`` list
            column (never empty), a ``reason_columns`` list naming the input column each reason
            is about (aligned with ``reasons``; null for a reason about no single column) and
            the ``owner`` who must fix them (null when no validator knows the owner).
        guard: The guard's name.
        fingerprint: The guard's fingerprint (configuration and library version).
        checked_at: The clock reading every rule of this call used.
        duration_s: Wall time of the call, in seconds.
    """

    accepted: pl.DataFrame
    quarantined: pl.DataFrame
    guard: str
    fingerprint: str
    checked_at: datetime
    duration_s: float = field(compare=False)

    @property
    def ok(self) -> bool:
        """True when no row was quarantined."""
        return self.quarantined.height == 0

    @property
    def rows(self) -> int:
        """Rows in the input."""
        return self.accepted.height + self.quarantined.height

    def counts(self) -> dict[str, int]:
        """Quarantined rows by reason code, most frequent first (a row counts once per reason)."""
        return count_codes(self.quarantined, REASONS)

    def counts_by_column(self) -> dict[tuple[str | None, str], int]:
        """Quarantined rows by (column, reason code), most frequent first.

        A row with the same code on two columns counts once for each column.
        """
        return count_columns(self.quarantined)

    def rejection(self, context: str = "") -> InputRejected:
        """The `InputRejected` that stands for this result's quarantined rows.

        Carries the reason counts and up to five examples (row ids and reasons, never values).

        Args:
            context: Words appended after "rows", e.g. ``"given to predict()"``.
        """
        counts = self.counts()
        where = f" {context}" if context else ""
        columns = {column for column, _ in self.counts_by_column()}
        examples = self.quarantined.head(5).select(
            ROW_ID,
            pl.col(REASONS).cast(pl.List(pl.String)),
            *([REASON_COLUMNS] if REASON_COLUMNS in self.quarantined.columns else []),
        )
        return InputRejected(
            f"guard {self.guard!r} quarantined {self.quarantined.height} of {self.rows} "
            f"rows{where}: {counts!r}",
            reasons=list(counts),
            field=next(iter(columns)) if len(columns) == 1 else None,
            examples=examples.rows(named=True),
            verdict=self,
        )

    def warning_counts(self) -> dict[str, int]:
        """Accepted rows by warning code, most frequent first."""
        return count_codes(self.accepted, WARNINGS)

    def __repr__(self) -> str:
        return (
            f"Result(guard={self.guard!r}, rows={self.rows}, accepted={self.accepted.height}, "
            f"quarantined={self.quarantined.height}, counts={self.counts()!r})"
        )


@dataclass(frozen=True, slots=True)
class SinkSummary:
    """The outcome of `Guard.sink`: what was written where, counted as `Result` counts.

    Attributes:
        guard: The guard's name.
        fingerprint: The guard's fingerprint.
        checked_at: The clock reading every rule of the stream used.
        accepted: Rows written to the accepted output.
        quarantined: Rows written to the quarantined output.
        reasons: Quarantined rows by reason code, most frequent first (a row counts once per
            code), as `Result.counts`.
        reasons_by_column: Quarantined rows by (column, reason code), as
            `Result.counts_by_column`.
        warnings: Accepted rows by warning code, as `Result.warning_counts`.
        duration_s: Wall time of the call, in seconds.
    """

    guard: str
    fingerprint: str
    checked_at: datetime
    accepted: int
    quarantined: int
    reasons: Mapping[str, int]
    reasons_by_column: Mapping[tuple[str | None, str], int]
    warnings: Mapping[str, int]
    duration_s: float = field(compare=False)

    @property
    def rows(self) -> int:
        """Rows in the input."""
        return self.accepted + self.quarantined

    def counts(self) -> dict[str, int]:
        """Quarantined rows by reason code (the same as ``reasons``, as `Result.counts`)."""
        return dict(self.reasons)


class Verdict(NamedTuple):
    """The outcome of `Guard.check` on one record: an immutable named tuple.

    A named tuple rather than a dataclass because one is built for every record a model scores:
    it costs a quarter of a frozen dataclass to construct (see ``docs/decorators.md``).

    Attributes:
        ok: True when the record passed.
        record: The normalized record when it passed; the original record when it did not.
        reasons: Reason codes that rejected the record (empty when ``ok``).
        warnings: Warning codes (the record may still be ``ok``).
        owner: Who must fix a rejected record, when a validator knows (None when ``ok``, as
            accepted rows of a frame have no owner either).
        checked_at: The clock reading the checks used.
        reason_columns: The input column (record key) each reason is about, aligned with
            ``reasons`` (None for a reason about no single column), as in a quarantined frame.
    """

    ok: bool
    record: Mapping[str, Any]
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    owner: str | None = None
    checked_at: datetime | None = None
    reason_columns: tuple[str | None, ...] = ()
