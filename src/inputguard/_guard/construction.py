"""What `Guard` checks when it is built: its arguments, and what its validators would clash on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inputguard._core.result import ResultColumns
from inputguard._core.validator import Validator, spellings, written_columns
from inputguard._ops.audit import fingerprint
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from inputguard._core.clock import Clock
    from inputguard._core.result import Result

__all__ = ["check_arguments", "fingerprint_of", "source_spellings"]


def check_arguments(
    validators: Iterable[Validator],
    *,
    name: str,
    clock: Clock | None,
    audit_examples: int,
    redact: Callable[[object], object],
    observers: Iterable[Callable[[Result], object]],
    result_columns: ResultColumns | Mapping[str, str] | None,
) -> tuple[tuple[Validator, ...], tuple[Callable[[Result], object], ...], ResultColumns]:
    """Check a guard's arguments; return its validators, observers and result column names.

    Raises:
        ConfigurationError: The first argument that is refused, named.
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError(f"'name' must be a non-empty string (got {name!r})")
    checked = tuple(validators)
    for v in checked:
        if not isinstance(v, Validator):
            raise ConfigurationError(
                f"every item of 'validators' must be a validator such as "
                f"freshness(...) (got {type(v).__name__}: {v!r})"
            )
    _refuse_shared_outputs(checked)
    if clock is not None and not callable(clock):
        raise ConfigurationError(f"'clock' must be callable (got {clock!r})")
    if isinstance(audit_examples, bool) or not isinstance(audit_examples, int):
        raise ConfigurationError(f"'audit_examples' must be an int (got {audit_examples!r})")
    if audit_examples < 0:
        raise ConfigurationError(f"'audit_examples' must be >= 0 (got {audit_examples})")
    if not callable(redact):
        raise ConfigurationError(f"'redact' must be callable (got {redact!r})")
    watchers = tuple(observers)
    for observer in watchers:
        if not callable(observer):
            raise ConfigurationError(f"every observer must be callable (got {observer!r})")
    columns = ResultColumns.of(result_columns)
    _refuse_result_clash(checked, columns)
    return checked, watchers, columns


def source_spellings(validators: tuple[Validator, ...], column: str) -> dict[str, str]:
    """Every alias the validators accept for a source id in ``column``."""
    found: dict[str, str] = {}
    for validator in validators:
        found.update(spellings(validator, column))
    return found


def _refuse_shared_outputs(validators: tuple[Validator, ...]) -> None:
    """Two validators writing one column: the first one's output would be dropped silently."""
    writers: dict[str, Validator] = {}
    for validator in validators:
        for column in written_columns(validator):
            first = writers.setdefault(column, validator)
            if first is not validator:
                raise ConfigurationError(
                    f"two validators write column {column!r}: {first!r} and {validator!r} "
                    "(only one output could survive; combine them, e.g. two vocabularies with "
                    "Vocabulary.extend)"
                )


def fingerprint_of(
    name: str, validators: tuple[Validator, ...], schema: object, columns: ResultColumns
) -> str:
    """A guard's fingerprint: its name, validators, schema and (other than default) names."""
    parts = [repr(v) for v in validators] + ([repr(schema)] if schema is not None else [])
    if not columns.is_default:  # the defaults keep earlier fingerprints
        parts.append(repr(columns))
    return fingerprint(name, parts)


def _refuse_result_clash(validators: tuple[Validator, ...], columns: ResultColumns) -> None:
    """A validator that writes a column the results add: one of the two would be lost."""
    for validator in validators:
        for column in written_columns(validator):
            if column in columns.reserved:
                raise ConfigurationError(
                    f"{validator!r} writes column {column!r}, which the results add "
                    f"(result columns: {sorted(columns.reserved)!r}); name its output otherwise"
                )
