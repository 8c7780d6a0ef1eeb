"""What a guarded function needs from a guard: a small protocol `Guard` satisfies.

The decorators depend on this, never on `Guard` itself, so the guard can import the
decorators (``Guard.wrap``) without a cycle. The underscored members are the guard's internal
entry points: decide without emitting, so that the wrapper emits one event with its policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    import polars as pl

    from inputguard._core.clock import Clock
    from inputguard._core.result import Result, ResultColumns, Verdict
    from inputguard._core.validator import Validator
    from inputguard._guard.events import EventSettings

__all__ = ["GuardLike"]


@runtime_checkable
class GuardLike(Protocol):
    """The guard as the decorators see it."""

    _decide: Callable[[Mapping[str, Any]], Verdict]
    """``record -> Verdict`` on the compiled record path, without an event."""

    @property
    def name(self) -> str:
        """The guard's name."""
        ...

    @property
    def fingerprint(self) -> str:
        """The guard's fingerprint."""
        ...

    @property
    def clock(self) -> Clock:
        """The clock read once per call."""
        ...

    @property
    def validators(self) -> tuple[Validator, ...]:
        """The validators, in order."""
        ...

    @property
    def result_columns(self) -> ResultColumns:
        """The names of the columns its results add."""
        ...

    @property
    def reasons_dtype(self) -> pl.List:
        """The dtype of ``reasons`` and ``warnings``."""
        ...

    @property
    def _events(self) -> EventSettings:
        """What the guard's events say about it."""
        ...

    def _evaluate(self, data: Any, now: datetime | None = None) -> Result:
        """`Guard.validate` without its event and observers."""
        ...

    def _observe(self, result: Result) -> None:
        """Give a result to the guard's observers."""
        ...
