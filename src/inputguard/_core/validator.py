"""The contract between validators and the two executors (batch engine and record path).

A validator is an immutable value. It never executes anything on the batch path: `plan` returns
polars expressions, and declares the `Decision` tables it needs (a Python function over the
distinct values of an expression); the engine in ``_guard/batch.py`` gathers those values for every
validator in one pass, calls the functions, joins the small tables back and runs one lazy plan
for both outputs. `plan` never collects. `check_record` is the same logic in
plain Python for one record; a property test holds the two to the same verdict and values.

A validator may also offer ``record_step(prefix)`` (`inputguard._core.steps.SteppedValidator`):
its clean-pass check as a few statements for the guard's compiled record path. Without one,
the compiled path calls `check_record`, which may therefore run twice for one record and must
have no side effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    import polars as pl

__all__ = [
    "BatchContext",
    "BatchPlan",
    "Coded",
    "Decision",
    "RecordContext",
    "RecordOutcome",
    "Rule",
    "Validator",
    "rejections",
    "spellings",
    "written_columns",
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
class Coded:
    """Mutually exclusive rules as one small integer per row (cheaper than one flag per rule).

    Attributes:
        code: An integer expression: 0 passes, ``k`` (1-based) reports ``reasons[k - 1]``. A
            null code fails closed and reports ``reasons[-1]``.
        reasons: The reason codes, in code order.
        warning: The reasons are warnings (the row stays accepted).
        field: The column every reason of the group is about.
    """

    code: pl.Expr
    reasons: tuple[str, ...]
    warning: bool = False
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision a validator takes in Python on the distinct values of one expression.

    The engine gathers the distinct values of every decision's ``key`` in one pass over the
    input, calls ``decide`` once with them, and joins the table it returns back onto the rows.
    The table's columns are then readable as ``pl.col(name)`` in the validator's rules and
    outputs (null on rows whose key is null).

    Attributes:
        key: A ``pl.String`` expression over input columns (e.g. ``pl.col("country")``).
        decide: Takes the distinct non-null values (a ``pl.String`` Series) and returns a frame
            with one row per value, in the same order, whose columns are the declared names.
        columns: The names and dtypes of the table's columns; names come from
            `BatchContext.helper`, so they can never touch a user column.
    """

    key: pl.Expr
    decide: Callable[[pl.Series], pl.DataFrame]
    columns: Mapping[str, pl.DataType]


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What one validator contributes to the batch query.

    Attributes:
        rules: The rules (`Rule` flags or `Coded` groups), evaluated together in one pass.
        outputs: Normalized values for accepted rows, by output column name (an existing column is
            replaced, a new one added). Quarantined rows always keep the original values.
        decisions: Tables the engine builds from distinct values before the rules run.
        prepare: Optional lazy transformation applied after the decision tables are joined and
            before the rules, e.g. parsing a column once for several rules. It must only add
            columns named by `BatchContext.helper`.
        row_owner: Optional expression naming the owner of a row (the exception path); the first
            validator that provides one wins.
    """

    rules: tuple[Rule | Coded, ...] = ()
    outputs: Mapping[str, pl.Expr] = field(default_factory=dict)
    decisions: tuple[Decision, ...] = ()
    prepare: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None
    row_owner: pl.Expr | None = None


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What the engine tells a validator when it asks for its plan.

    Attributes:
        now: The guard's clock reading for this call (UTC, read once).
        schema: The input's column names and dtypes.
        prefix: The prefix of this call's helper columns: no input column starts with it.
    """

    now: datetime
    schema: pl.Schema
    prefix: str = "__ig_"

    def helper(self, name: str) -> str:
        """The name of a helper column: it can never be, or shadow, an input column."""
        return f"{self.prefix}{name}"


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
        fields: The column each reason is about, aligned with ``reasons``. Empty: every reason
            is about the validator's only column (None when it has several).
    """

    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    updates: Mapping[str, Any] = field(default_factory=dict)
    owner: str | None = None
    fields: tuple[str | None, ...] = ()


def rejections(reasons: Iterable[str], field: str | None = None) -> dict[str, RecordOutcome]:
    """One shared outcome per reason, for validators whose rejections carry nothing else.

    A rejected record is otherwise charged an outcome construction per validator; outcomes
    are read-only by convention, so one instance per reason serves every record.
    """
    fields = () if field is None else (field,)
    return {reason: RecordOutcome(reasons=(reason,), fields=fields) for reason in reasons}


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


def spellings(validator: object, column: str) -> dict[str, str]:
    """Other spellings of a value that a validator accepts as one canonical value in ``column``.

    From its optional ``spellings`` (column -> {spelling: canonical}); for example the aliases
    of a source registry. Audit events count a quarantined row, which keeps its original
    value, under the canonical value, as its accepted rows (which carry it) are counted.
    """
    found = getattr(validator, "spellings", None)
    if not isinstance(found, Mapping):
        return {}
    table = found.get(column)
    return dict(table) if isinstance(table, Mapping) else {}


def written_columns(validator: object) -> tuple[str, ...]:
    """The columns a validator writes (its optional ``writes``): normalized values, extra columns.

    Two validators that write one column cannot both be right: only one output would survive,
    silently. `Guard` refuses such a combination when it is built.
    """
    writes = getattr(validator, "writes", ())
    return tuple(writes) if isinstance(writes, (tuple, list)) else ()
