"""Freshness limits: a value type shared by the freshness family and source registries."""

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
    """Age limits: older than ``error_after`` is stale; older than ``warn_after`` is a warning."""

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
