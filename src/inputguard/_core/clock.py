"""Clocks: read once per `validate` / `check` call, and recorded in the audit event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from inputguard.exceptions import ConfigurationError

__all__ = ["Clock", "FixedClock", "read_clock", "system_clock"]

Clock = Callable[[], datetime]
"""Any zero-argument callable returning a timezone-aware `datetime`."""


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that always reads the same instant; for tests, backfills and replays.

    >>> FixedClock(datetime(2026, 1, 1, tzinfo=UTC))()
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """

    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ConfigurationError(
                f"FixedClock needs a timezone-aware datetime (got naive {self.now.isoformat()})"
            )

    def __call__(self) -> datetime:
        return self.now


def read_clock(clock: Clock) -> datetime:
    """Read ``clock`` once and return the instant in UTC, refusing naive readings."""
    now = clock()
    if now.__class__ is datetime and now.tzinfo is UTC:
        return now  # the common case, on every record: no conversion needed
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ConfigurationError(
            f"the guard's clock must return a timezone-aware datetime (got {now!r})"
        )
    return now.astimezone(UTC)
