"""How the strategies learn to generate values for one validator: the `Family` protocol.

Each validator type has a family: given the clock reading and the part of the record drawn so
far, it returns a strategy of valid values for the columns it owns, and, per reason code, a
strategy of values that make the validator report exactly that reason and nothing else.
`records` and `frames` compose families; adding a validator type means adding one family and one
line to `family_for`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import polars as pl
from hypothesis.strategies import SearchStrategy

from inputguard._validator import Validator

__all__ = ["Family", "Values"]

Values = dict[str, Any]
"""Values for some columns of one record."""


class Family(Protocol):
    """What the record and frame strategies need to know about one validator."""

    @property
    def validator(self) -> Validator:
        """The validator this family generates values for."""
        ...

    @property
    def owns(self) -> tuple[str, ...]:
        """Columns this family always generates."""
        ...

    @property
    def reads(self) -> tuple[str, ...]:
        """Columns whose value this family must see before it draws, if another family owns them.

        When no other family owns such a column, this family generates it itself (as part of
        the dictionaries its strategies return).
        """
        ...

    @property
    def rejections(self) -> tuple[str, ...]:
        """The rejection reasons this family can trigger alone, in a stable order."""
        ...

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Frame dtypes of the columns this family generates (``generated`` lists them)."""
        ...

    def valid(
        self, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> SearchStrategy[Values]:
        """Values the validator accepts, given the clock reading and the record drawn so far.

        Args:
            now: The clock reading (UTC) the guard will use.
            record: Values other families drew before this one.
            frame: True when the values go into a polars frame: each column then holds one type
                (text or null), never a mix of Python objects.
        """
        ...

    def invalid(
        self, now: datetime, record: Mapping[str, Any], reason: str, *, frame: bool
    ) -> SearchStrategy[Values]:
        """Values the validator rejects with exactly ``reason`` (one of `rejections`)."""
        ...

