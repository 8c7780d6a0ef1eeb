"""How the strategies learn to generate values for one validator: the `Family` protocol.

Each validator type has a family: given the clock reading and the part of the record drawn so
far, it draws valid values for the columns it owns or, for a reason code, values that make the
validator report exactly that reason and nothing else. Families draw with the ``draw`` function
of the enclosing composite strategy over strategies built once, rather than returning a new
strategy per example: building (and validating) nested strategies per row made frame
generation about ten times slower.
`records` and `frames` compose families; adding a validator type means adding one family and one
line to `family_for`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    import polars as pl
    from hypothesis.strategies import DrawFn

    from inputguard._core.validator import Validator

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
    def text_only(self) -> tuple[str, ...]:
        """Columns (of any family) that must hold text or null, e.g. because they are signed."""
        ...

    @property
    def rejections(self) -> tuple[str, ...]:
        """The rejection reasons this family can trigger alone, in a stable order."""
        ...

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Frame dtypes of the columns this family generates (``generated`` lists them)."""
        ...

    def valid(
        self, draw: DrawFn, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> Values:
        """Draw values the validator accepts, given the clock reading and the record so far.

        Args:
            draw: The enclosing composite strategy's draw function.
            now: The clock reading (UTC) the guard will use.
            record: Values other families drew before this one.
            frame: True when the values go into a polars frame: each column then holds one type
                (text or null), never a mix of Python objects.
        """
        ...

    def invalid(
        self,
        draw: DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """Draw values the validator rejects with exactly ``reason`` (one of `rejections`)."""
        ...
