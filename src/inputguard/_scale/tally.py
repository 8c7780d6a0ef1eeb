"""Counts of a stream or a job: by reason, column, source and owner, mergeable across workers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from inputguard._ops.drift import NO_SOURCE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from inputguard._core.result import Result
    from inputguard._ops.drift import DriftAlert, DriftWatch

__all__ = ["Tally"]

K = TypeVar("K")


def _added(left: Mapping[K, int], right: Mapping[K, int]) -> dict[K, int]:
    """Counts of both, most frequent first (ties in key order)."""
    total: Counter[K] = Counter(left)
    total.update(right)
    return dict(sorted(total.items(), key=lambda kv: (-kv[1], str(kv[0]))))


@dataclass(frozen=True, slots=True)
class Tally:
    """What tagging counted: rows, reasons, columns, sources and owners; tallies add up.

    Every count is a count of rows, as in `Result` (a row with ``term.unknown`` on two columns
    counts once in ``reasons`` and once per column in ``reasons_by_column``). Sources are the
    values of the guard's ``source_column`` (``<none>`` for a null source or no such column).

    Attributes:
        accepted: Rows accepted.
        quarantined: Rows quarantined.
        reasons: Quarantined rows by reason code, most frequent first.
        reasons_by_column: Quarantined rows by (column, reason code).
        warnings: Accepted rows by warning code.
        rows_by_source: Rows (both outputs) by source.
        quarantined_by_source: Quarantined rows by source.
        reasons_by_source: Quarantined rows by (source, reason code).
        owners: Quarantined rows by owner (None: no owner known).
    """

    accepted: int = 0
    quarantined: int = 0
    reasons: Mapping[str, int] = field(default_factory=dict)
    reasons_by_column: Mapping[tuple[str | None, str], int] = field(default_factory=dict)
    warnings: Mapping[str, int] = field(default_factory=dict)
    rows_by_source: Mapping[str, int] = field(default_factory=dict)
    quarantined_by_source: Mapping[str, int] = field(default_factory=dict)
    reasons_by_source: Mapping[tuple[str, str], int] = field(default_factory=dict)
    owners: Mapping[str | None, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows counted."""
        return self.accepted + self.quarantined

    def counts(self) -> dict[str, int]:
        """Quarantined rows by reason code, as `Result.counts`."""
        return dict(self.reasons)

    @classmethod
    def of(cls, result: Result, *, source: str | None = "source") -> Tally:
        """Count one `Result` (``source``: the column sources are read from, or None)."""
        accepted, quarantined = result.accepted, result.quarantined
        return cls(
            accepted=accepted.height,
            quarantined=quarantined.height,
            reasons=result.counts(),
            reasons_by_column=result.counts_by_column(),
            warnings=result.warning_counts(),
            rows_by_source=_added(_sources(accepted, source), _sources(quarantined, source)),
            quarantined_by_source=_sources(quarantined, source),
            reasons_by_source=_source_reasons(quarantined, source, result.columns.reasons),
            owners=(
                _value_counts(quarantined.get_column(result.columns.owner))
                if quarantined.height
                else {}
            ),
        )

    def merge(self, other: Tally) -> Tally:
        """The tally of both (e.g. of two batches, or of two partitions)."""
        return Tally(
            accepted=self.accepted + other.accepted,
            quarantined=self.quarantined + other.quarantined,
            reasons=_added(self.reasons, other.reasons),
            reasons_by_column=_added(self.reasons_by_column, other.reasons_by_column),
            warnings=_added(self.warnings, other.warnings),
            rows_by_source=_added(self.rows_by_source, other.rows_by_source),
            quarantined_by_source=_added(self.quarantined_by_source, other.quarantined_by_source),
            reasons_by_source=_added(self.reasons_by_source, other.reasons_by_source),
            owners=_added(self.owners, other.owners),
        )

    def feed(
        self,
        watch: DriftWatch,
        *,
        guard: str | None = None,
        guard_fingerprint: str | None = None,
    ) -> tuple[DriftAlert, ...]:
        """Give these counts to a `DriftWatch` (rows and reasons per source).

        The sources are those of the guard's ``source_column``, whatever ``watch.source`` says.

        Returns:
            The departures and recoveries the counts caused.
        """
        return watch.observe_counts(
            self.rows_by_source,
            self.reasons_by_source,
            guard=guard,
            guard_fingerprint=guard_fingerprint,
        )


def _value_counts(series: pl.Series) -> dict[Any, int]:
    counted = series.value_counts(name="__n")
    return dict(zip(counted.to_series(0).to_list(), counted["__n"].to_list(), strict=True))


def _source_series(frame: pl.DataFrame, source: str | None) -> pl.Series:
    if source is None or source not in frame.columns:
        return pl.Series("s", [NO_SOURCE] * frame.height, dtype=pl.String)
    column = frame.get_column(source)
    text = column.cast(pl.String, strict=False) if column.dtype != pl.String else column
    return text.fill_null(NO_SOURCE).alias("s")


def _sources(frame: pl.DataFrame, source: str | None) -> dict[str, int]:
    return _value_counts(_source_series(frame, source)) if frame.height else {}


def _source_reasons(
    quarantined: pl.DataFrame, source: str | None, column: str
) -> dict[tuple[str, str], int]:
    if quarantined.height == 0:
        return {}
    reasons = quarantined.get_column(column).list.unique().cast(pl.List(pl.String)).alias("r")
    pairs = (
        pl.DataFrame([_source_series(quarantined, source), reasons])
        .explode("r")
        .drop_nulls("r")
        .group_by("s", "r")
        .len()
    )
    return {(s, r): n for s, r, n in pairs.iter_rows()}
