"""The optional structural contract: a pandera polars schema, run before the validators.

Row-level check failures become quarantine rules (``schema.<check>``); failures that concern the
whole frame (a missing column, a wrong dtype) reject the batch with `InputRejected`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import polars as pl

from inputguard._core.reasons import Reason
from inputguard._core.result import ROW_ID
from inputguard._core.validator import BatchPlan, Rule
from inputguard._guard.inputs import run_query
from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["StructuralSchema", "check_schema", "record_schema_reasons", "schema_plan"]

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


def check_schema(schema: object) -> None:
    """Refuse, when the guard is built, anything that is not a pandera polars schema.

    Raises:
        ConfigurationError: pandera is not installed (with the install hint), or ``schema``
            is neither a ``DataFrameModel`` subclass nor a ``DataFrameSchema``.
    """
    try:
        import pandera.polars as pa  # noqa: PLC0415  (pandera imports slowly)
    except ImportError as error:
        raise ConfigurationError(
            "a structural 'schema' needs pandera: pip install 'inputguard-inference[pandera]'"
        ) from error
    model = isinstance(schema, type) and issubclass(schema, pa.DataFrameModel)
    if not (model or isinstance(schema, pa.DataFrameSchema)):
        raise ConfigurationError(
            f"'schema' must be a pandera polars DataFrameModel or DataFrameSchema (got {schema!r})"
        )


def _dtypes(schema: StructuralSchema) -> dict[str, pl.DataType]:
    """The polars dtype of each column the schema declares (what a frame's column would be)."""
    frame_schema = schema.to_schema() if isinstance(schema, type) else schema  # type: ignore[attr-defined]
    out: dict[str, pl.DataType] = {}
    for name, column in frame_schema.columns.items():
        dtype = getattr(getattr(column, "dtype", None), "type", None)
        if isinstance(dtype, pl.DataType) or (
            isinstance(dtype, type) and issubclass(dtype, pl.DataType)
        ):
            out[name] = dtype() if isinstance(dtype, type) else dtype
    return out


def record_schema_reasons(
    schema: StructuralSchema, record: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """The schema's verdict on one record: ``(reason, column)`` per failing row check.

    The record becomes the one-row frame the batch path would see, with each declared column
    in the schema's dtype (a value that does not fit becomes null, as a failed strict cast
    would be refused). Only guards with a schema pay for this.

    Raises:
        InputRejected: A failure that concerns the frame rather than the row (a missing column,
            a dtype the value cannot take), as `validate` raises for a frame.
    """
    dtypes = _dtypes(schema)
    row = run_query(
        lambda: pl.DataFrame(
            [dict(record)],
            schema_overrides={k: v for k, v in dtypes.items() if k in record},
            strict=False,
            infer_schema_length=1,
        ),
        what="reading the record",
    )
    _, plan = schema_plan(schema, row.lazy().with_row_index(ROW_ID))
    return [(str(rule.reason), rule.field) for rule in plan.rules if isinstance(rule, Rule)]


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
