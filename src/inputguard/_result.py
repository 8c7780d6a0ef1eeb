"""What a guard returns: `Result` for frames, `Verdict` for one record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from inputguard.exceptions import InputRejected

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = [
    "OWNER",
    "REASONS",
    "RESERVED_COLUMNS",
    "ROW_ID",
    "WARNINGS",
    "Result",
    "Verdict",
    "count_codes",
]

ROW_ID = "row_id"
REASONS = "reasons"
WARNINGS = "warnings"
OWNER = "owner"
RESERVED_COLUMNS = frozenset({ROW_ID, REASONS, WARNINGS, OWNER})


def count_codes(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows by code in a list[str] column, most frequent first (a row counts once per code)."""
    if frame.height == 0:
        return {}
    counted = (
        frame.select(pl.col(column).explode().drop_nulls().alias("code"))
        .group_by("code")
        .len()
        .sort(["len", "code"], descending=[True, False])
    )
    return dict(zip(counted["code"].to_list(), counted["len"].to_list(), strict=True))


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of `Guard.validate`: every input row is in exactly one of the two frames.

    Attributes:
        accepted: Rows that passed, with normalized values, a ``row_id`` (the row's position in
            the input) and a ``warnings`` list column.
        quarantined: Rows that failed, with their ORIGINAL values, ``row_id``, a ``reasons`` list
            column (never empty) and the ``owner`` who must fix them (null when no validator
            knows the owner).
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

    def rejection(self, context: str = "") -> InputRejected:
        """The `InputRejected` that stands for this result's quarantined rows.

        Carries the reason counts and up to five examples (row ids and reasons, never values).

        Args:
            context: Words appended after "rows", e.g. ``"given to predict()"``.
        """
        counts = self.counts()
        where = f" {context}" if context else ""
        return InputRejected(
            f"guard {self.guard!r} quarantined {self.quarantined.height} of {self.rows} "
            f"rows{where}: {counts!r}",
            reasons=list(counts),
            examples=self.quarantined.select(ROW_ID, REASONS).head(5).rows(named=True),
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
    """

    ok: bool
    record: Mapping[str, Any]
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    owner: str | None = None
    checked_at: datetime | None = None
