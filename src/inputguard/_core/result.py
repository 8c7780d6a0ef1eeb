"""What a guard returns: `Result` for frames, `Verdict` for one record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

__all__ = [
    "COLUMNS_KEY",
    "DEFAULT_COLUMNS",
    "OWNER",
    "REASONS",
    "REASON_COLUMNS",
    "RESERVED_COLUMNS",
    "ROW_ID",
    "WARNINGS",
    "Result",
    "ResultColumns",
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
COLUMNS_KEY = "inputguard.result_columns"
"""The file metadata key under which a quarantine file records its result column names."""
"""The default names of the columns a guard adds to its frames (`ResultColumns`)."""


@dataclass(frozen=True, slots=True)
class ResultColumns:
    """The names of the columns a guard adds to its frames, so that inputs may use the defaults.

    An input column named like a result column is rejected as a whole
    (``schema.reserved_column``), on frames and records alike. Where ``owner`` or ``warnings``
    is a business column, give the results other names: ``ResultColumns(owner="fix_owner")``,
    or every name with a prefix, ``ResultColumns.prefixed("ig_")``.

    Attributes:
        row_id: The row's position in the input (both frames).
        reasons: The reason codes of a quarantined row.
        reason_columns: The input column each reason is about.
        owner: Who must fix a quarantined row.
        warnings: Warning codes (both frames).
        guard_fingerprint: Added by the quarantine writers: the guard that decided the row.
        checked_at: Added by the quarantine writers: the clock reading it used.

    >>> sorted(ResultColumns(owner="fix_owner").reserved)
    ['fix_owner', 'reason_columns', 'reasons', 'row_id', 'warnings']
    >>> ResultColumns.prefixed("ig_").owner
    'ig_owner'
    >>> ResultColumns(owner="reasons")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    inputguard.exceptions.ConfigurationError: result columns must have distinct names: ...
    """

    row_id: str = ROW_ID
    reasons: str = REASONS
    reason_columns: str = REASON_COLUMNS
    owner: str = OWNER
    warnings: str = WARNINGS
    guard_fingerprint: str = "guard_fingerprint"
    checked_at: str = "checked_at"
    _reserved: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for role, name in zip(_ROLES, self.names, strict=True):
            if not isinstance(name, str) or not name.strip() or name != name.strip():
                raise ConfigurationError(
                    f"result column {role!r} must be a non-empty name without surrounding "
                    f"spaces (got {name!r})"
                )
            if name.startswith("__ig"):
                raise ConfigurationError(
                    f"result column {role!r} must not start with '__ig', the prefix of the "
                    f"engine's helper columns (got {name!r})"
                )
            if name in seen:
                raise ConfigurationError(
                    f"result columns must have distinct names: {name!r} names both "
                    f"{seen[name]!r} and {role!r}"
                )
            seen[name] = role
        # read on every record `check` rejects: built once
        object.__setattr__(self, "_reserved", frozenset(self.names[:5]))

    @classmethod
    def prefixed(cls, prefix: str) -> ResultColumns:
        """Every default name with ``prefix`` in front (``"ig_"``: ``ig_owner``, ...)."""
        if not isinstance(prefix, str) or not prefix:
            raise ConfigurationError(f"'prefix' must be a non-empty string (got {prefix!r})")
        return cls(*(prefix + name for name in cls().names))

    @classmethod
    def of(cls, value: ResultColumns | Mapping[str, str] | None) -> ResultColumns:
        """``value`` as `ResultColumns`: None is the defaults, a mapping renames some roles."""
        if value is None:
            return DEFAULT_COLUMNS
        if isinstance(value, ResultColumns):
            return value
        if not isinstance(value, Mapping):
            raise ConfigurationError(
                f"'result_columns' must be ResultColumns or a mapping of role to name "
                f"(got {type(value).__name__})"
            )
        unknown = sorted(str(k) for k in value if k not in _ROLES)
        if unknown:
            raise ConfigurationError(
                f"unknown result column {unknown[0]!r} (roles: {', '.join(_ROLES)})"
            )
        return cls(**{str(k): v for k, v in value.items()})

    @classmethod
    def from_record(cls, raw: object, origin: str) -> ResultColumns:
        """The names a file records under `COLUMNS_KEY` (JSON of role -> name, see `metadata`).

        Raises:
            ConfigurationError: The record is not such a table, or names are refused; the
                message starts with ``origin`` (the file).
        """
        try:
            names = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError as error:
            raise ConfigurationError(
                f"{origin}: the record of result column names is not JSON ({error})"
            ) from None
        if not isinstance(names, Mapping):
            raise ConfigurationError(
                f"{origin}: the record of result column names is not a table of role to name "
                f"(got {type(names).__name__})"
            )
        try:
            return cls.of(names)
        except ConfigurationError as error:
            raise ConfigurationError(
                f"{origin}: the record of result column names is invalid ({error})"
            ) from None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name, in role order."""
        return (
            self.row_id,
            self.reasons,
            self.reason_columns,
            self.owner,
            self.warnings,
            self.guard_fingerprint,
            self.checked_at,
        )

    @property
    def reserved(self) -> frozenset[str]:
        """The names an input column may not have: those of the frames' columns.

        The two that only the quarantine writers add (``guard_fingerprint``, ``checked_at``)
        are refused by the writers, when a row is written.
        """
        return self._reserved

    @property
    def is_default(self) -> bool:
        """True when every name is the default."""
        return self == DEFAULT_COLUMNS

    def as_dict(self) -> dict[str, str]:
        """Role -> name (what a quarantine file records in its metadata)."""
        return dict(zip(_ROLES, self.names, strict=True))

    def metadata(self) -> dict[str, str]:
        """The file metadata that records the names: ``{COLUMNS_KEY: <JSON of as_dict>}``."""
        return {COLUMNS_KEY: json.dumps(self.as_dict(), sort_keys=True)}


_ROLES = (
    "row_id",
    "reasons",
    "reason_columns",
    "owner",
    "warnings",
    "guard_fingerprint",
    "checked_at",
)
DEFAULT_COLUMNS = ResultColumns()


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


def count_columns(
    frame: pl.DataFrame, names: ResultColumns | None = None
) -> dict[tuple[str | None, str], int]:
    """Quarantined rows by (column, reason code), most frequent first."""
    names = names or DEFAULT_COLUMNS
    if frame.height == 0 or names.reason_columns not in frame.columns:
        return {}
    pairs = (
        frame.select(
            pl.col(names.row_id),
            pl.col(names.reason_columns).alias("column"),
            pl.col(names.reasons).cast(pl.List(pl.String)).alias("code"),
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
        columns: The names of the columns the guard added (`ResultColumns`; the defaults
            unless the guard was given ``result_columns=``).
    """

    accepted: pl.DataFrame
    quarantined: pl.DataFrame
    guard: str
    fingerprint: str
    checked_at: datetime
    duration_s: float = field(compare=False)
    columns: ResultColumns = field(default_factory=lambda: DEFAULT_COLUMNS)

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
        return count_codes(self.quarantined, self.columns.reasons)

    def counts_by_column(self) -> dict[tuple[str | None, str], int]:
        """Quarantined rows by (column, reason code), most frequent first.

        A row with the same code on two columns counts once for each column.
        """
        return count_columns(self.quarantined, self.columns)

    def rejection(self, context: str = "") -> InputRejected:
        """The `InputRejected` that stands for this result's quarantined rows.

        Carries the reason counts and up to five examples (row ids and reasons, never values).

        Args:
            context: Words appended after "rows", e.g. ``"given to predict()"``.
        """
        counts = self.counts()
        where = f" {context}" if context else ""
        columns = {column for column, _ in self.counts_by_column()}
        names = self.columns
        examples = self.quarantined.head(5).select(
            pl.col(names.row_id).alias(ROW_ID),
            pl.col(names.reasons).cast(pl.List(pl.String)).alias(REASONS),
            *(
                [pl.col(names.reason_columns).alias(REASON_COLUMNS)]
                if names.reason_columns in self.quarantined.columns
                else []
            ),
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
        return count_codes(self.accepted, self.columns.warnings)

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
