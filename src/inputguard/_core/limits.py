"""Freshness limits: a value type shared by the freshness family and source registries.

Per-source limits inherit what they leave unset: a source that sets only ``error_after`` keeps
the validator's ``warn_after`` as long as it lies below the source's ``error_after`` (a warning
threshold at or beyond the point of rejection could never fire, so it is not inherited). A
source switches warnings off by setting ``warn_after`` equal to its ``error_after``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inputguard._core.duration import Duration, format_duration, parse_duration
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from datetime import timedelta

__all__ = ["FreshnessLimits"]


@dataclass(frozen=True, slots=True)
class FreshnessLimits:
    """Age limits: older than ``error_after`` is stale; older than ``warn_after`` is a warning.

    ``warn_after=None`` means "not set": per-source limits then inherit it (see `inherit`).
    """

    error_after: timedelta
    warn_after: timedelta | None = None

    def __post_init__(self) -> None:
        if self.warn_after is not None and self.warn_after > self.error_after:
            raise ConfigurationError(
                f"'warn_after' ({format_duration(self.warn_after)}) must not exceed "
                f"'error_after' ({format_duration(self.error_after)})"
            )

    @classmethod
    def parse(cls, error_after: Duration, warn_after: Duration | None = None) -> FreshnessLimits:
        """Build limits from durations given as `timedelta` or strings."""
        return cls(
            parse_duration(error_after, name="error_after"),
            None if warn_after is None else parse_duration(warn_after, name="warn_after"),
        )

    def inherit(self, default: FreshnessLimits) -> FreshnessLimits:
        """These limits with what they leave unset taken from ``default``.

        >>> from datetime import timedelta as td
        >>> FreshnessLimits(td(hours=1)).inherit(FreshnessLimits(td(minutes=30), td(minutes=15)))
        FreshnessLimits(error_after=datetime.timedelta(seconds=3600), \
warn_after=datetime.timedelta(seconds=900))
        >>> FreshnessLimits(td(minutes=10)).inherit(FreshnessLimits(td(hours=1), td(minutes=15)))
        FreshnessLimits(error_after=datetime.timedelta(seconds=600), warn_after=None)
        """
        if self.warn_after is not None or default.warn_after is None:
            return self
        if default.warn_after >= self.error_after:
            return self
        return FreshnessLimits(self.error_after, default.warn_after)
