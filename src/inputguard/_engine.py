"""The batch executor: the only module that runs polars queries for validation.

Every validator contributes a `BatchPlan`; this module stitches the plans into one lazy query,
collects it once, and splits the rows into accepted (normalized) and quarantined (original).

Null semantics live here, in one place: a rejection rule whose expression is null on a row
*fires* (fail-closed); a warning rule whose expression is null does not warn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from inputguard._reasons import Reason
from inputguard._result import OWNER, REASONS, RESERVED_COLUMNS, ROW_ID, WARNINGS
from inputguard._validator import BatchContext, BatchPlan, Validator
from inputguard.exceptions import InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

__all__ = ["Split", "as_lazy", "reject_reserved", "require_columns", "run_batch"]

_OK = "__ig_ok"
_EMPTY = pl.lit([], dtype=pl.List(pl.String))


@dataclass(frozen=True, slots=True)
class Split:
    """The two frames the engine produces."""

    accepted: pl.DataFrame
    quarantined: pl.DataFrame


def as_lazy(data: Any) -> pl.LazyFrame:
    """Accept a polars DataFrame/LazyFrame or a pyarrow Table/RecordBatch as a LazyFrame."""
    if isinstance(data, pl.LazyFrame):
        return data
    if isinstance(data, pl.DataFrame):
        return data.lazy()
    module = type(data).__module__
    if module.startswith("pyarrow") and type(data).__name__ in ("Table", "RecordBatch"):
        frame = pl.from_arrow(data)
        if isinstance(frame, pl.DataFrame):
            return frame.lazy()
    raise InputRejected(
        "validate() takes a polars DataFrame or LazyFrame, or a pyarrow Table or RecordBatch "
        f"(got {type(data).__name__})",
        reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE],
    )


def require_columns(
    names: Sequence[str] | pl.Schema, validators: Sequence[Validator], *, kind: str = "column"
) -> None:
    """Raise `InputRejected` (``schema.missing_column``) naming the first absent column."""
    present = set(names)
    for validator in validators:
        for column in validator.columns:
            if column not in present:
                raise InputRejected(
                    f"{kind} {column!r} is required by {validator!r} but is missing "
                    f"(present: {sorted(present)[:20]!r})",
                    reasons=[Reason.SCHEMA_MISSING_COLUMN],
                    field=column,
                    validator=repr(validator),
                )


def reject_reserved(
    names: Iterable[str], *, kind: str = "input column", action: str = "validating"
) -> None:
    """Raise `InputRejected` (``schema.reserved_column``) if a name is one the results add."""
    clash = sorted(RESERVED_COLUMNS.intersection(names))
    if clash:
        raise InputRejected(
            f"{kind} {clash[0]!r} collides with a column inputguard adds to its results "
            f"(reserved: {sorted(RESERVED_COLUMNS)!r}); rename it before {action}",
            reasons=[Reason.SCHEMA_RESERVED_COLUMN],
            field=clash[0],
        )


def run_batch(
    frame: pl.LazyFrame,
    validators: Sequence[Validator],
    *,
    now: datetime,
    extra_plans: Sequence[BatchPlan] = (),
) -> Split:
    """Run every validator's plan over ``frame`` in one collect and split the rows.

    Args:
        frame: The input, lazily.
        validators: The guard's validators, in order (their reasons are listed in this order).
        now: The clock reading for this call.
        extra_plans: Plans that do not come from a validator (the structural schema).

    Returns:
        The accepted and quarantined frames.
    """
    schema = frame.collect_schema()
    reject_reserved(schema.names())
    require_columns(schema, validators)
    originals = schema.names()
    lf = frame.with_row_index(ROW_ID)
    ctx = BatchContext(now=now, schema=schema, frame=lf)
    plans = [*extra_plans, *(v.plan(ctx) for v in validators)]

    for plan in plans:
        if plan.prepare is not None:
            lf = plan.prepare(lf)

    rejects: list[tuple[str, str]] = []  # (helper column, reason)
    warns: list[tuple[str, str]] = []
    outputs: dict[str, str] = {}
    owner: pl.Expr | None = None
    helper: list[pl.Expr] = []
    for p, plan in enumerate(plans):
        for r, rule in enumerate(plan.rules):
            name = f"__ig_{p}_{r}"
            if rule.warning:
                helper.append(rule.fires.fill_null(value=False).alias(name))
                warns.append((name, rule.reason))
            else:
                helper.append(rule.fires.fill_null(value=True).alias(name))
                rejects.append((name, rule.reason))
        for column, expr in plan.outputs.items():
            name = f"__ig_out_{len(outputs)}"
            helper.append(expr.alias(name))
            outputs[column] = name
        if owner is None and plan.row_owner is not None:
            owner = plan.row_owner
    lf = lf.with_columns(helper)
    ok = ~pl.any_horizontal([pl.col(n) for n, _ in rejects]) if rejects else pl.lit(value=True)
    collected = lf.with_columns(ok.alias(_OK)).collect()  # the one collect

    accepted = collected.filter(pl.col(_OK)).select(
        pl.col(ROW_ID),
        *(pl.col(outputs[c]).alias(c) if c in outputs else pl.col(c) for c in originals),
        *(pl.col(name).alias(c) for c, name in outputs.items() if c not in originals),
        _listing(warns).alias(WARNINGS),
    )
    quarantined = collected.filter(~pl.col(_OK)).select(
        pl.col(ROW_ID),
        *(pl.col(c) for c in originals),
        _listing(rejects).alias(REASONS),
        # The owner is looked up after the split, for the quarantined rows only.
        (owner.cast(pl.String) if owner is not None else pl.lit(None, pl.String)).alias(OWNER),
        _listing(warns).alias(WARNINGS),
    )
    return Split(accepted, quarantined)


def _listing(flags: Sequence[tuple[str, str]]) -> pl.Expr:
    """A list[str] column of the reasons whose flag column is true, in rule order."""
    if not flags:
        return _EMPTY
    if len(flags) == 1:
        name, reason = flags[0]
        return (
            pl.when(pl.col(name))
            .then(pl.lit([str(reason)], dtype=pl.List(pl.String)))
            .otherwise(_EMPTY)
        )
    return pl.concat_list(
        [pl.when(pl.col(name)).then(pl.lit(str(reason), pl.String)) for name, reason in flags]
    ).list.drop_nulls()
