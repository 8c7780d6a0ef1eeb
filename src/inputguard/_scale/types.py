"""Arrow types every engine of the scale-out layer accepts (Spark is the strictest).

Polars writes ``large_string`` and ``large_list`` (64-bit offsets), string views, dictionaries
for its Enums and unsigned integers; Spark's ``mapInArrow`` refuses all of them. One mapping,
applied to every column of a tagged batch, turns each type into the nearest type Spark reads,
without changing a value: offsets shrink (a batch stays far below 2 GiB of text), unsigned
integers widen, dictionaries decode, timestamps and durations become microseconds.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["portable", "portable_schema"]

_WIDER = {
    pa.uint8(): pa.int16(),
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
    pa.uint64(): pa.decimal128(20, 0),  # every uint64 fits; no signed integer type does
    pa.float16(): pa.float32(),
    pa.date64(): pa.date32(),
}


def portable(dtype: pa.DataType) -> pa.DataType:  # noqa: PLR0911 - one branch per type family
    """The Arrow type Spark accepts for values of ``dtype`` (the same type when it does).

    >>> portable(pa.large_list(pa.large_string()))
    ListType(list<item: string>)
    >>> portable(pa.uint32())
    DataType(int64)
    """
    t = pa.types
    if t.is_large_string(dtype) or t.is_string_view(dtype):
        return pa.string()
    if t.is_large_binary(dtype) or t.is_binary_view(dtype) or t.is_fixed_size_binary(dtype):
        return pa.binary()
    if t.is_dictionary(dtype):
        return portable(dtype.value_type)
    if (
        t.is_large_list(dtype)
        or t.is_list_view(dtype)
        or t.is_large_list_view(dtype)
        or t.is_fixed_size_list(dtype)
        or t.is_list(dtype)
    ):
        return pa.list_(portable(dtype.value_type))
    if t.is_map(dtype):
        return pa.map_(portable(dtype.key_type), portable(dtype.item_type))
    if t.is_struct(dtype):
        return pa.struct([_field(dtype.field(i)) for i in range(dtype.num_fields)])
    if t.is_timestamp(dtype):
        return pa.timestamp("us", tz=dtype.tz)
    if t.is_duration(dtype):
        return pa.duration("us")
    return _WIDER.get(dtype, dtype)


def _field(field: pa.Field) -> pa.Field:
    return pa.field(field.name, portable(field.type), nullable=True)


def portable_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every field's type made `portable` (every field nullable)."""
    return pa.schema([_field(f) for f in schema])
