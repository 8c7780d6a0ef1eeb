"""Polars dtypes and dtype tests more than one family uses."""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = ["US_UTC", "is_text"]

US_UTC: Final = pl.Datetime("us", "UTC")
"""The dtype every instant is compared in: microseconds, UTC."""


def is_text(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds text (``String``, ``Categorical`` or ``Enum``).

    >>> is_text(pl.Enum(["a"])), is_text(pl.Int64())
    (True, False)
    """
    return isinstance(dtype, (pl.String, pl.Categorical, pl.Enum))
