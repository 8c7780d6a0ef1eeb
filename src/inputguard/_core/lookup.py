"""One way to map text to values by a small table, on every engine: `lookup`.

``replace_strict`` would do, but it stops polars' streaming engine (the whole column is
materialized; measured in polars 2.1). A non-strict cast to an Enum over the keys gives each
row the key's position (null for any other value), and a gather from the values by position
streams, and costs the same in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["lookup", "position"]


def position(text: pl.Expr, keys: Sequence[str]) -> pl.Expr:
    """The position of each row's value among ``keys`` (``UInt32``; null when absent or null).

    ``keys`` must be distinct strings.
    """
    if not keys:  # a null per row (a bare null literal would not take the rows' length)
        return pl.when(text.is_null() & text.is_not_null()).then(pl.lit(0, pl.UInt32))
    return text.cast(pl.Enum(list(keys)), strict=False).to_physical().cast(pl.UInt32)


def lookup(
    text: pl.Expr,
    keys: Sequence[str],
    values: Sequence[Any] | pl.Series,
    *,
    dtype: pl.DataType,
    default: Any = None,
) -> pl.Expr:
    """The value of each row's key (``default`` for any other value, and for null).

    Args:
        text: A ``pl.String`` expression.
        keys: Distinct strings.
        values: One value per key.
        dtype: The values' dtype.
        default: The value of rows whose key is not in ``keys`` (or is null).
    """
    series = values if isinstance(values, pl.Series) else pl.Series(list(values), dtype=dtype)
    found = pl.lit(series.cast(dtype)).gather(position(text, keys))
    return found if default is None else found.fill_null(pl.lit(default, dtype))
