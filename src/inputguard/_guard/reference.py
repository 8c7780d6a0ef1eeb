"""The record path's reference: every validator's ``check_record``, merged into a `Verdict`.

`Guard.check` answers through the compiled record path (``record.py``), which is only ever a
shortcut to what this function returns; the tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inputguard._core.reasons import Reason
from inputguard._core.result import DEFAULT_COLUMNS, ResultColumns, Verdict
from inputguard._core.validator import RecordContext
from inputguard._guard.batch import reject_reserved, require_columns
from inputguard._guard.inputs import reject_foreign
from inputguard._guard.schema import StructuralSchema, record_schema_reasons
from inputguard.exceptions import InputGuardError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from inputguard._core.validator import Validator

__all__ = ["check_reference"]


def check_reference(
    validators: Sequence[Validator],
    required: Sequence[str],
    record: Mapping[str, Any],
    now: datetime,
    schema: StructuralSchema | None = None,
    *,
    names: ResultColumns = DEFAULT_COLUMNS,
) -> Verdict:
    """Every validator's ``check_record`` with the clock reading ``now``.

    The reference the compiled record path is held to, and what it falls back to. An error
    raised by the record's own objects (a `Mapping` or ``tzinfo`` of the caller's that fails)
    rejects the record (``schema.unreadable``, the error as ``__cause__``). A key named like
    a result column (``names``) rejects the record (``schema.reserved_column``), as such a
    column rejects a frame.
    """
    try:
        return _check(validators, required, record, now, schema, names=names)
    except InputGuardError:
        raise
    except Exception as error:  # the record's own objects failed (or a bug: re-raised)
        reject_foreign(error, what="checking the record")


def _check(
    validators: Sequence[Validator],
    required: Sequence[str],
    record: Mapping[str, Any],
    now: datetime,
    schema: StructuralSchema | None,
    *,
    names: ResultColumns,
) -> Verdict:
    if record.__class__ is not dict and not isinstance(record, Mapping):
        raise InputRejected(
            f"check() takes a mapping of column to value (got {type(record).__name__})",
            reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE],
        )
    if not names.reserved.isdisjoint(record):
        reject_reserved(record, kind="key", action="checking", result=names)
    for key in required:
        if key not in record:
            require_columns(list(record), validators, kind="key")  # raises, naming it
    ctx = RecordContext(now=now)
    # the structural checks first, as on the batch path
    found = record_schema_reasons(schema, record) if schema is not None else []
    reasons: list[str] = [reason for reason, _ in found]
    fields: list[str | None] = [column for _, column in found]
    warnings: list[str] = []
    updates: dict[str, Any] = {}
    owner = _collect(validators, record, ctx, (reasons, fields, warnings, updates))
    if not reasons:
        return Verdict(
            True,
            {**record, **updates},
            (),
            tuple(map(str, warnings)) if warnings else (),
            None,  # accepted: nothing to fix (frames give accepted rows no owner either)
            now,
        )
    # A reason reported twice for one column is listed once, as in frames.
    pairs = dict.fromkeys(zip(map(str, reasons), fields, strict=True))
    return Verdict(
        False,
        dict(record),
        tuple(r for r, _ in pairs),  # plain strings, as in frames
        tuple(map(str, warnings)) if warnings else (),
        owner,
        now,
        tuple(c for _, c in pairs),
    )


def _collect(
    validators: Sequence[Validator],
    record: Mapping[str, Any],
    ctx: RecordContext,
    into: tuple[list[str], list[str | None], list[str], dict[str, Any]],
) -> str | None:
    """Run every validator's ``check_record``, appending to ``into``; return the first owner."""
    reasons, fields, warnings, updates = into
    owner: str | None = None
    for validator in validators:
        outcome = validator.check_record(record, ctx)
        if outcome.reasons:
            reasons += outcome.reasons
            if outcome.fields:
                fields += outcome.fields
            else:  # the validator's only column, if it has one
                columns = validator.columns
                fields += [columns[0] if len(columns) == 1 else None] * len(outcome.reasons)
        if outcome.warnings:
            warnings += outcome.warnings
        if outcome.updates:
            updates.update(outcome.updates)
        if owner is None:
            owner = outcome.owner
    return owner
