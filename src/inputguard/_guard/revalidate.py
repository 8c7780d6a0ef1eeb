"""Re-validation: re-run quarantined rows through a (fixed) guard and report what now passes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from inputguard._core.result import DEFAULT_COLUMNS, ResultColumns, count_codes
from inputguard._ops import audit as _audit
from inputguard._ops.sinks import quarantine_columns, read_quarantine
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from datetime import datetime

    from inputguard._guard.guard import Guard

__all__ = ["PREVIOUS_REASONS", "Revalidation", "revalidate"]

PREVIOUS_REASONS = "previous_reasons"
_POSITION = "__ig_position"


def _origin(n: ResultColumns) -> tuple[str, str, str]:
    """Columns that identify where a quarantined row came from; carried to the report."""
    return (n.row_id, n.guard_fingerprint, n.checked_at)


@dataclass(frozen=True, slots=True)
class Revalidation:
    """What re-running quarantined rows through a guard decided.

    Every row given to `revalidate` is in exactly one of the two frames. Both start with the
    row's origin: its original ``row_id`` (its position in the batch it was first quarantined
    from) and, when the rows came from a `ParquetSink`, that batch's ``guard_fingerprint`` and
    ``checked_at``; then ``previous_reasons`` (why it was quarantined before).

    Attributes:
        accepted: Rows the guard now accepts, with normalized values and ``warnings``.
        quarantined: Rows that still fail, with their original values and the NEW ``reasons``,
            ``owner`` and ``warnings``.
        guard: The re-running guard's name.
        fingerprint: The re-running guard's fingerprint.
        checked_at: The clock reading of the re-run (None when there were no rows to re-run).
        duration_s: Wall time, in seconds.
        columns: The names of the result columns (the re-running guard's).
    """

    accepted: pl.DataFrame
    quarantined: pl.DataFrame
    guard: str
    fingerprint: str
    checked_at: datetime | None
    duration_s: float = field(compare=False)
    columns: ResultColumns = field(default_factory=lambda: DEFAULT_COLUMNS)

    @property
    def rows(self) -> int:
        """Rows re-run."""
        return self.accepted.height + self.quarantined.height

    @property
    def accepted_row_ids(self) -> list[int]:
        """Original row ids now accepted, in input order."""
        return self.accepted.get_column(self.columns.row_id).to_list()

    @property
    def quarantined_row_ids(self) -> list[int]:
        """Original row ids that still fail, in input order."""
        return self.quarantined.get_column(self.columns.row_id).to_list()

    def counts(self) -> dict[str, int]:
        """Rows that still fail, by their new reason codes, most frequent first."""
        return count_codes(self.quarantined, self.columns.reasons)

    def __repr__(self) -> str:
        return (
            f"Revalidation(guard={self.guard!r}, rows={self.rows}, "
            f"accepted={self.accepted.height}, quarantined={self.quarantined.height}, "
            f"counts={self.counts()!r})"
        )


def revalidate(
    guard: Guard,
    quarantined: pl.DataFrame | str | os.PathLike[str],
    *,
    columns: ResultColumns | None = None,
) -> Revalidation:
    """Re-run quarantined rows through ``guard``, e.g. after a vocabulary or registry fix.

    The columns inputguard added (the result columns) are dropped, the original columns are
    validated again in one call of `Guard.validate` (which logs its own ``inputguard.validate``
    event), and each row keeps its original ``row_id``. One ``inputguard.revalidate`` event
    with the counts is logged. No row is lost: a row is either accepted now or still
    quarantined, with its new reasons.

    Note that the guard's clock is read again: rows quarantined for staleness only get staler.

    Args:
        guard: The guard to re-run, usually the one that quarantined the rows, rebuilt with the
            fixed vocabulary or registry.
        quarantined: `Result.quarantined`, a frame read back from a `ParquetSink`, or the
            sink's directory.
        columns: The result column names ``quarantined`` carries. Default: those its files
            recorded (a directory), else the guard's ``result_columns``. The re-run's frames
            use the guard's names.

    Returns:
        A `Revalidation`.

    Raises:
        ConfigurationError: The frame has no ``row_id`` column, so rows could not be traced
            back to their origin.
        InputRejected: The guard cannot validate the original columns at all (for example a
            column it needs is missing); no row is decided in that case.
    """
    started = time.perf_counter()
    n = guard.result_columns
    if isinstance(quarantined, pl.DataFrame):
        frame, given = quarantined, columns or n
    else:
        frame = read_quarantine(quarantined)
        given = columns or quarantine_columns(quarantined)
    if given.row_id not in frame.columns:
        raise ConfigurationError(
            f"revalidate() needs the {given.row_id!r} column of quarantined rows, as in "
            f"Result.quarantined or a ParquetSink directory (got columns {frame.columns[:20]!r})"
        )
    origin = frame.select(
        *(
            pl.col(c).alias(new)
            for c, new in zip(_origin(given), _origin(n), strict=True)
            if c in frame.columns
        ),
        (
            pl.col(given.reasons).cast(pl.List(pl.String))  # the earlier guard's codes, as text
            if given.reasons in frame.columns
            else pl.lit(None, pl.List(pl.String))
        ).alias(PREVIOUS_REASONS),
    ).with_row_index(_POSITION)
    originals = frame.drop([c for c in given.names if c in frame.columns])
    if PREVIOUS_REASONS in originals.columns:
        raise ConfigurationError(
            f"quarantined rows have a column {PREVIOUS_REASONS!r}, which revalidate() adds "
            "itself; rename it first"
        )

    if originals.height == 0:  # nothing to decide; the frame may not even have the columns
        checked_at, fingerprint, name = None, guard.fingerprint, guard.name
        body = originals.with_row_index(_POSITION)
        empty = pl.lit([], pl.List(pl.String))
        accepted = _join(origin, body.with_columns(empty.alias(n.warnings)))
        still = _join(
            origin,
            body.with_columns(
                empty.alias(n.reasons),
                empty.alias(n.reason_columns),
                pl.lit(None, pl.String).alias(n.owner),
                empty.alias(n.warnings),
            ),
        )
    else:
        result = guard.validate(originals)
        checked_at, fingerprint, name = result.checked_at, result.fingerprint, result.guard
        # The re-run's row_id is the position in ``originals``, i.e. in ``frame``.
        accepted = _join(origin, result.accepted.rename({n.row_id: _POSITION}))
        still = _join(origin, result.quarantined.rename({n.row_id: _POSITION}))

    report = Revalidation(
        accepted=accepted,
        quarantined=still,
        guard=name,
        fingerprint=fingerprint,
        checked_at=checked_at,
        duration_s=time.perf_counter() - started,
        columns=n,
    )
    _audit.logger.info(
        "inputguard.revalidate",
        audit_schema=_audit.AUDIT_SCHEMA_VERSION,
        guard=name,
        guard_fingerprint=fingerprint,
        checked_at=None if checked_at is None else checked_at.isoformat(),
        rows_in=report.rows,
        accepted=accepted.height,
        quarantined=still.height,
        previous_fingerprints=_previous_fingerprints(frame, given.guard_fingerprint),
        reasons=report.counts(),
        duration_ms=round(report.duration_s * 1000, 3),
    )
    return report


def _join(origin: pl.DataFrame, decided: pl.DataFrame) -> pl.DataFrame:
    """Put the origin columns in front of the re-run's rows, matched by position."""
    return origin.join(decided, on=_POSITION, how="inner").sort(_POSITION).drop(_POSITION)


def _previous_fingerprints(frame: pl.DataFrame, column: str) -> Sequence[str]:
    if column not in frame.columns:
        return []
    return sorted(frame.get_column(column).drop_nulls().unique().to_list())
