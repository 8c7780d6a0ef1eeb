"""The one place durations are parsed."""

from __future__ import annotations

import re
from datetime import timedelta

from inputguard.exceptions import ConfigurationError

__all__ = ["Duration", "format_duration", "parse_duration"]

Duration = timedelta | str

_UNITS = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
# ASCII digits only: ``\d`` would also take full-width and other Unicode digits (U+FF11 ...).
_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w)")
_WHOLE = re.compile(r"(?:[0-9]+(?:ms|s|m|h|d|w))+")
_SHOWN = 40  # characters of a refused value quoted in the message
_MAX_DIGITS = 18  # far beyond timedelta.max (about 2.7 million years) in any unit


def parse_duration(value: Duration, *, name: str = "duration") -> timedelta:
    """Turn a `timedelta` or a polars-style string (``"90s"``, ``"1h30m"``) into a timedelta.

    Units: ``ms``, ``s``, ``m``, ``h``, ``d``, ``w``; parts may be chained. Negative durations are
    refused.

    Args:
        value: The duration.
        name: The option the value was given for, used in the error message.

    Returns:
        The duration as a non-negative `timedelta`.

    Raises:
        ConfigurationError: The value is not a duration (digits are ASCII digits), is
            negative, or is larger than `timedelta` can hold.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("15m") == timedelta(minutes=15)
    True
    """
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text or _WHOLE.fullmatch(text) is None:
            raise ConfigurationError(
                f"{name!r} must be a timedelta or a duration string such as '90s', '15m', '24h', "
                f"'7d' or '1h30m' (got {value!r})"
            )
        total = _total(_PART.findall(text))
        if total is None:
            shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
            raise ConfigurationError(
                f"{name!r} is too large: durations are limited to {timedelta.max.days:,} days "
                f"(got {shown!r})"
            )
        result = total
    else:
        raise ConfigurationError(
            f"{name!r} must be a timedelta or a duration string (got {type(value).__name__})"
        )
    if result < timedelta(0):
        raise ConfigurationError(f"{name!r} must not be negative (got {value!r})")
    return result


def _total(parts: list[tuple[str, str]]) -> timedelta | None:
    """The sum of ``(digits, unit)`` parts, or None when `timedelta` cannot hold it."""
    # int() of thousands of digits is refused by Python itself: never get there
    if any(len(n.lstrip("0")) > _MAX_DIGITS for n, _ in parts):
        return None
    try:
        return sum((int(n) * _UNITS[u] for n, u in parts), start=timedelta())
    except OverflowError:
        return None


def format_duration(value: timedelta) -> str:
    """Write a timedelta in the shortest polars-style form, the inverse of `parse_duration`.

    >>> format_duration(timedelta(minutes=90))
    '1h30m'
    >>> format_duration(timedelta(0))
    '0s'
    """
    total_ms = (value.days * 86_400 + value.seconds) * 1000 + value.microseconds // 1000
    if total_ms == 0:
        return "0s"
    parts = []
    for unit in ("w", "d", "h", "m", "s", "ms"):
        size = _UNITS[unit] // timedelta(milliseconds=1)
        count, total_ms = divmod(total_ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
