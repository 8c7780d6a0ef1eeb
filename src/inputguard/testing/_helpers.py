"""A clock tests can move, a view of the audit events a test produced, a guard factory."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from inputguard._core.duration import Duration, parse_duration
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from inputguard._core.clock import Clock
    from inputguard._guard.guard import Guard

__all__ = ["DEFAULT_INSTANT", "AuditEvents", "FrozenClock", "GuardFactory"]

DEFAULT_INSTANT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""Where `FrozenClock` starts unless told otherwise."""


class FrozenClock:
    """A clock that stands still until the test moves it.

    Pass it as a guard's ``clock``; every reading returns the same instant until `advance` or
    `set` changes it.

    Args:
        now: The starting instant (timezone-aware).

    Raises:
        ConfigurationError: ``now`` is naive.

    >>> clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    >>> clock.advance("90m")
    datetime.datetime(2026, 1, 1, 1, 30, tzinfo=datetime.timezone.utc)
    >>> clock()
    datetime.datetime(2026, 1, 1, 1, 30, tzinfo=datetime.timezone.utc)
    """

    __slots__ = ("_now",)

    def __init__(self, now: datetime = DEFAULT_INSTANT) -> None:
        self._now = _aware(now)

    def __call__(self) -> datetime:
        return self._now

    @property
    def now(self) -> datetime:
        """The instant every reading returns."""
        return self._now

    def set(self, now: datetime) -> datetime:
        """Move the clock to ``now`` (timezone-aware) and return it."""
        self._now = _aware(now)
        return self._now

    def advance(self, by: Duration) -> datetime:
        """Move the clock forward by a `timedelta` or a duration string (``"15m"``)."""
        self._now += parse_duration(by, name="by")
        return self._now

    def rewind(self, by: Duration) -> datetime:
        """Move the clock back by a `timedelta` or a duration string."""
        self._now -= parse_duration(by, name="by")
        return self._now

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ConfigurationError(f"FrozenClock needs a timezone-aware datetime (got {now!r})")
    return now


class AuditEvents(Sequence[MutableMapping[str, Any]]):
    """The inputguard audit events logged so far in a test, oldest first (a live view).

    Args:
        captured: The list `structlog.testing.capture_logs` fills.
    """

    __slots__ = ("_captured",)

    def __init__(self, captured: list[MutableMapping[str, Any]]) -> None:
        self._captured = captured

    def _events(self) -> list[MutableMapping[str, Any]]:
        return [e for e in self._captured if str(e.get("event", "")).startswith("inputguard.")]

    @overload
    def __getitem__(self, index: int) -> MutableMapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[MutableMapping[str, Any]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> MutableMapping[str, Any] | Sequence[MutableMapping[str, Any]]:
        return self._events()[index]

    def __len__(self) -> int:
        return len(self._events())

    def __iter__(self) -> Iterator[MutableMapping[str, Any]]:
        return iter(self._events())

    def named(self, event: str) -> list[MutableMapping[str, Any]]:
        """The events called ``event`` (e.g. ``"inputguard.validate"``)."""
        return [e for e in self._events() if e.get("event") == event]

    def reasons(self) -> dict[str, int]:
        """Rejection counts by reason, summed over every event."""
        total: dict[str, int] = {}
        for e in self._events():
            for code, n in dict(e.get("reasons") or {}).items():
                total[code] = total.get(code, 0) + n
        return total

    def clear(self) -> None:
        """Forget the events captured so far."""
        self._captured.clear()

    def __repr__(self) -> str:
        return f"AuditEvents({[e.get('event') for e in self._events()]!r})"


class GuardFactory:
    """Builds the configured guard with a given clock (a `FrozenClock` of its own by default).

    >>> import inputguard as ig
    >>> make = GuardFactory(ig.Guard([ig.freshness("ts", error_after="1h")], name="g"))
    >>> guard = make()
    >>> guard.name, type(guard.clock).__name__
    ('g', 'FrozenClock')
    """

    __slots__ = ("_loaded",)

    def __init__(self, loaded: Guard) -> None:
        self._loaded = loaded

    def __call__(self, clock: Clock | None = None) -> Guard:
        """A new guard with the configured validators and name, reading ``clock``."""
        from inputguard._guard.guard import Guard  # noqa: PLC0415

        loaded = self._loaded
        return Guard(
            loaded.validators, name=loaded.name, clock=FrozenClock() if clock is None else clock
        )

    def __repr__(self) -> str:
        return f"GuardFactory({self._loaded.name!r})"
