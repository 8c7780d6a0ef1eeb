"""The contract between validators and the two executors (batch engine and record path).

A validator is an immutable value. It never executes anything on the batch path: `plan` returns
polars expressions (and, where a validator needs the distinct values of a column, a lazy join)
that the engine in ``_engine.py`` runs in its single collect. `check_record` is the same logic in
plain Python for one record; a property test holds the two to the same verdict and values.

A validator may also offer ``record_step(prefix)`` (`inputguard._fastpath.SteppedValidator`):
its clean-pass check as a few statements for the guard's compiled record path. Without one,
the compiled path calls `check_record`, which may therefore run twice for one record and must
have no side effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    import polars as pl

__all__ = [
    "BatchContext",
    "BatchPlan",
    "RecordContext",
    "RecordOutcome",
    "Rule",
    "Validator",
    "rejections",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """One named check on the batch path.

    Attributes:
        reason: The reason code reported when the rule fires.
        fires: A boolean expression, true on rows the rule rejects (or warns about). The engine
            treats a null as *firing*: validators are fail-closed unless they say otherwise
            explicitly (``x.is_not_null() & (x > y)`` is never null).
        warning: A warning keeps the row in ``accepted`` and lists the reason in ``warnings``.
        field: The column the rule is about.
    """

    reason: str
    fires: pl.Expr
    warning: bool = False
    field: str | None = None


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What one validator contributes to the batch query.

    Attributes:
        rules: The rules, evaluated together in the engine's one pass.
        outputs: Normalized values for accepted rows, by output column name (an existing column is
            replaced, a new one added). Quarantined rows always keep the original values.
        prepare: Optional lazy transformation applied before the rules, e.g. a join with a small
            decision table. It must only add columns whose names start with ``__ig_``.
        row_owner: Optional expression naming the owner of a row (the exception path); the first
            validator that provides one wins.
    """

    rules: tuple[Rule, ...] = ()
    outputs: Mapping[str, pl.Expr] = field(default_factory=dict)
    prepare: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None
    row_owner: pl.Expr | None = None


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What the engine tells a validator when it asks for its plan.

    Attributes:
        now: The guard's clock reading for this call (UTC, read once).
        schema: The input's column names and dtypes.
        frame: The input itself (row index included), for validators that need the distinct
            values of a column before they can build their expressions.
    """

    now: datetime
    schema: pl.Schema
    frame: pl.LazyFrame


@dataclass(slots=True)
class RecordContext:
    """What the record path tells a validator: the clock reading for this call.

    Read-only by convention. Not frozen: it is built on every `Guard.check`, and a frozen
    dataclass costs about twice as much to build.
    """

    now: datetime


@dataclass(slots=True)
class RecordOutcome:
    """One validator's decision on one record (read-only by convention; built per call).

    Attributes:
        reasons: Reason codes that reject the record (empty: passes).
        warnings: Reason codes that are only warnings.
        updates: Normalized values by key, applied to the record when it is accepted.
        owner: The owner of the record, when this validator knows it.
    """

    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    updates: Mapping[str, Any] = field(default_factory=dict)
    owner: str | None = None


def rejections(reasons: Iterable[str]) -> dict[str, RecordOutcome]:
    """One shared outcome per reason, for validators whose rejections carry nothing else.

    A rejected record is otherwise charged an outcome construction per validator; outcomes
    are read-only by convention, so one instance per reason serves every record.
    """
    return {reason: RecordOutcome(reasons=(reason,)) for reason in reasons}


@runtime_checkable
class Validator(Protocol):
    """What the engine and the record path need from a validator."""

    @property
    def columns(self) -> tuple[str, ...]:
        """Input columns (record keys) the validator reads; a missing one is a schema error."""
        ...

    @property
    def reasons(self) -> frozenset[str]:
        """Every reason code the validator can report (rejections and warnings)."""
        ...

    def plan(self, ctx: BatchContext) -> BatchPlan:
        """Build the validator's expressions for one batch."""
        ...

    def check_record(self, record: Mapping[str, Any], ctx: RecordContext) -> RecordOutcome:
        """Check one record in plain Python; must agree with `plan` on every record.

        It may be called more than once for the same record (see the module docstring), so it
        must not have side effects.
        """
        ...
