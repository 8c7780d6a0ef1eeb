"""The optional structural contract: a pandera polars schema, run before the validators.

Row-level check failures become quarantine rules (``schema.<check>``); failures that concern the
whole frame (a missing column, a wrong dtype) reject the batch with `InputRejected`.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from inputguard._core.reasons import Reason
from inputguard._core.result import ROW_ID
from inputguard._core.validator import BatchPlan, Rule
from inputguard._guard.inputs import run_query
from inputguard.exceptions import ConfigurationError, InputRejected

__all__ = ["StructuralSchema", "schema_plan"]

StructuralSchema = Any
"""A pandera polars ``DataFrameModel`` subclass or ``DataFrameSchema``."""

_CHECK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FRAME_LEVEL = {"column_in_dataframe": Reason.SCHEMA_MISSING_COLUMN}


def _reason(check: str) -> str:
    if check.startswith("dtype("):
        return Reason.SCHEMA_DTYPE
    if check in _FRAME_LEVEL:
        return _FRAME_LEVEL[check]
    m = _CHECK_NAME.match(check)
    return f"schema.{m.group(0) if m else 'check'}"


def schema_plan(schema: StructuralSchema, frame: pl.LazyFrame) -> tuple[pl.LazyFrame, BatchPlan]:
    """Validate ``frame`` against ``schema`` and turn row failures into rules.

    The frame is materialized once here (pandera needs the data); the engine then runs on the
    materialized frame, so the input is still read only once.

    Args:
        schema: The pandera schema.
        frame: The input.

    Returns:
        The materialized input (lazily) and a plan with one rule per failing check.

    Raises:
        InputRejected: A failure that concerns the frame rather than rows.
        ConfigurationError: ``schema`` is not a pandera polars schema.
    """
    from pandera.errors import SchemaError, SchemaErrors  # noqa: PLC0415  (pandera imports slowly)

    if not hasattr(schema, "validate"):
        raise ConfigurationError(
            f"'schema' must be a pandera polars DataFrameModel or DataFrameSchema (got {schema!r})"
        )
    data = run_query(frame.collect, what="reading the input")
    try:
        schema.validate(data, lazy=True)
    except SchemaErrors as errors:
        failures: pl.DataFrame = errors.failure_cases
    except SchemaError as error:  # raised eagerly by some schema-level checks
        raise InputRejected(
            f"the frame does not match the schema: {error}", reasons=[Reason.SCHEMA_DTYPE]
        ) from None
    else:
        return data.lazy(), BatchPlan()

    frame_level = failures.filter(pl.col("index").is_null())
    if frame_level.height:
        first = frame_level.row(0, named=True)
        column = first["failure_case"] if first["check"] == "column_in_dataframe" else None
        column = column or first["column"]
        raise InputRejected(
            f"the frame does not match the schema: check {first['check']!r} failed for "
            f"column {column!r} (found {first['failure_case']!r})",
            reasons=sorted({_reason(c) for c in frame_level["check"]}),
            field=column,
        )
    rules = []
    by_check = failures.group_by("check", "column", maintain_order=True).agg(pl.col("index"))
    for row in by_check.iter_rows(named=True):
        ids = sorted({int(i) for i in row["index"]})
        rules.append(Rule(_reason(row["check"]), pl.col(ROW_ID).is_in(ids), field=row["column"]))
    return data.lazy(), BatchPlan(rules=tuple(rules))
