"""The guarded argument: where it is in a signature, what kind of value it is, how to rebuild it.

A guarded function's argument is found once, when decorating (`locate`). Each call then asks
what the value is (`kind_of`, decided once per class): a record (mapping, pydantic model,
dataclass) goes to the record path, a frame (polars, Arrow, pandas) to the batch path; an
accepted value is given back as the kind it came in (`rebuild`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import sys
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from inputguard.exceptions import ConfigurationError

__all__ = [
    "BATCH",
    "DATACLASS",
    "FRAME",
    "LAZY",
    "MAPPING",
    "MODEL",
    "OTHER",
    "PANDAS",
    "RECORD_KINDS",
    "TABLE",
    "as_pandas",
    "dataclass_fields",
    "height",
    "kind_of",
    "like_arrow",
    "locate",
    "qualname",
    "rebuild",
]

# Input kinds, resolved once per type.
MAPPING, MODEL, DATACLASS, OTHER = "mapping", "model", "dataclass", "other"
FRAME, LAZY, TABLE, BATCH, PANDAS = "frame", "lazy", "table", "batch", "pandas"
RECORD_KINDS = frozenset({MAPPING, MODEL, DATACLASS, OTHER})


def locate(fn: Callable[..., Any], arg: str | int | None) -> inspect.Parameter:
    """The guarded parameter of ``fn``; configuration errors name what was asked and what exists."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the signature of {fn!r}: {exc}") from None
    usable = [
        p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]  # *args/**kwargs cannot be found by name or position
    names = [p.name for p in params]
    if arg is None:
        candidates = [p for p in usable if p.name not in ("self", "cls")]
        if not candidates:
            raise ConfigurationError(
                f"{qualname(fn)} has no parameter to guard (parameters: {names!r})"
            )
        return candidates[0]
    if isinstance(arg, str):
        for p in usable:
            if p.name == arg:
                return p
        raise ConfigurationError(
            f"'arg' must name a parameter of {qualname(fn)} other than *args/**kwargs "
            f"(got {arg!r}; parameters: {names!r})"
        )
    if isinstance(arg, int) and not isinstance(arg, bool):
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if 0 <= arg < len(positional) and params[arg] is positional[arg]:
            return positional[arg]
        raise ConfigurationError(
            f"'arg' must be the index of a positional parameter of {qualname(fn)} "
            f"(got {arg}; parameters: {names!r})"
        )
    raise ConfigurationError(f"'arg' must be a parameter name or index (got {arg!r})")


def qualname(fn: Callable[..., Any]) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn))


_CACHE_LIMIT = 1024  # classes remembered; the caches restart empty past it (dynamic classes)
_KINDS: dict[type, str] = {}
_FIELDS: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def kind_of(value: object) -> str:
    """The input kind of ``value``, decided once per class."""
    cls = type(value)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _classify(cls)
        if len(_KINDS) >= _CACHE_LIMIT:
            _KINDS.clear()
        _KINDS[cls] = kind
    return kind


def _classify(cls: type) -> str:
    bases: list[tuple[type, str]] = [(Mapping, MAPPING)]
    if "pydantic" in sys.modules:  # a pydantic model means pydantic is imported already
        from pydantic import BaseModel  # noqa: PLC0415 - see above

        bases.append((BaseModel, MODEL))
    bases += [(pl.DataFrame, FRAME), (pl.LazyFrame, LAZY)]
    if "pyarrow" in sys.modules:
        import pyarrow as pa  # noqa: PLC0415 - see above

        bases += [(pa.Table, TABLE), (pa.RecordBatch, BATCH)]
    if "pandas" in sys.modules:  # a pandas frame means pandas is imported already
        bases.append((sys.modules["pandas"].DataFrame, PANDAS))
    for base, kind in bases:
        if issubclass(cls, base):
            return kind
    return DATACLASS if dataclasses.is_dataclass(cls) else OTHER


def dataclass_fields(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    """All field names of a dataclass, and those ``dataclasses.replace`` may set."""
    known = _FIELDS.get(cls)
    if known is None:
        fields = dataclasses.fields(cls)
        known = tuple(f.name for f in fields), frozenset(f.name for f in fields if f.init)
        if len(_FIELDS) >= _CACHE_LIMIT:
            _FIELDS.clear()
        _FIELDS[cls] = known
    return known


def height(value: Any, kind: str) -> int | None:
    if kind == FRAME:
        return int(value.height)
    if kind == PANDAS:
        return len(value)
    if kind in (TABLE, BATCH):
        return int(value.num_rows)
    return None  # a LazyFrame's length is unknown without running it


def rebuild(value: Any, kind: str, original: Mapping[str, Any], record: Mapping[str, Any]) -> Any:
    """The accepted input as the kind it came in, with the normalized values."""
    if kind == MAPPING:
        return record
    changed = {k: v for k, v in record.items() if k not in original or original[k] is not v}
    if not changed:
        return value
    if kind == MODEL:
        return value.model_copy(update=changed)
    settable = dataclass_fields(type(value))[1]
    return dataclasses.replace(value, **{k: v for k, v in changed.items() if k in settable})


def like_arrow(table: Any, original: Any) -> Any:
    """``table`` with the Arrow types of ``original`` (a schema) where only the width differs.

    polars hands back ``large_string``, ``large_binary`` and ``large_list`` where the caller
    gave ``string``, ``binary`` or ``list``: a guarded function gets back the types it was given.
    Columns a validator normalized into another type (text into a timestamp) keep their new
    type.
    """
    import pyarrow as pa  # noqa: PLC0415 - only called with an Arrow or pandas input

    def narrower(new: Any, old: Any) -> bool:
        return bool(
            (pa.types.is_large_string(new) and pa.types.is_string(old))
            or (pa.types.is_large_binary(new) and pa.types.is_binary(old))
            or (pa.types.is_large_list(new) and pa.types.is_list(old))
        )

    fields = []
    changed = False
    for field in table.schema:
        index = original.get_field_index(field.name)
        old = original.field(index).type if index >= 0 else None
        if old is not None and old != field.type and narrower(field.type, old):
            fields.append(field.with_type(old))
            changed = True
        else:
            fields.append(field)
    if not changed:
        return table
    try:
        return table.cast(pa.schema(fields, metadata=table.schema.metadata))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. over 2 GiB of text
        return table


def as_pandas(accepted: pl.DataFrame, value: Any, rows: list[int]) -> Any:
    """Accepted rows as a pandas frame like ``value``: its dtypes, the index labels of ``rows``."""
    import pyarrow as pa  # noqa: PLC0415 - pandas input goes through Arrow

    original = pa.Schema.from_pandas(value.iloc[:0], preserve_index=False)
    frame = like_arrow(accepted.to_arrow(), original).to_pandas()
    for name in frame.columns:
        if name in value.columns and frame[name].dtype != value[name].dtype:
            with contextlib.suppress(TypeError, ValueError):  # a normalized column stays so
                frame[name] = frame[name].astype(value[name].dtype)
    # named index levels came in as leading columns: they go back into the index
    levels = [n for n in value.index.names if n is not None and n not in value.columns]
    frame = frame.drop(columns=[n for n in levels if n in frame.columns])
    frame.index = value.index[rows]
    return frame
