"""Declared timestamp formats: how a value becomes a reading, on the record and batch paths.

A format reads a value as a *reading*: an aware `datetime` (the text had an offset, or the
format is an epoch number) or a naive wall time, or it does not read it at all. Each format
is implemented twice, in plain Python for the record path and as polars expressions for the
batch path, and a property test holds the two to the same reading for generated values.

Batch parses keep to one pass per format where polars can read the text as it is: a
match-only regex gives the format's strictness (chrono alone reads ``+2026`` or one-digit
fields), then one chrono parse of the unmodified text. Only rows that the direct parse
cannot read are rebuilt; the other rows reach that expression masked, which in polars 2.1
does not make a regex free on them (the measured RFC 2822 figures include that cost).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from inputguard._core.dtypes import US_UTC
from inputguard._core.timestamps import in_python_range, parse_timestamp, parse_timestamp_expr
from inputguard._freshness.patterns import Pattern, pattern
from inputguard._freshness.rfc2822 import Rfc2822
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "AMBIGUOUS",
    "DEFAULT_FORMATS",
    "NAMED_FORMATS",
    "Combined",
    "Epoch",
    "Iso8601",
    "TimeFormat",
    "combine",
    "parse_formats",
    "record_reading",
]

DEFAULT_FORMATS: Final = ("iso8601",)
_EPOCH0: Final = datetime(1970, 1, 1, tzinfo=UTC)

# Batch readings: (aware instant in UTC, naive wall time); either may be None (cannot occur).
Exprs = tuple[pl.Expr | None, pl.Expr | None]


@dataclass(frozen=True, slots=True)
class Iso8601:
    """The shared ISO-8601 grammar of `inputguard._core.timestamps` (the default format)."""

    name: str = "iso8601"

    def read(self, value: object) -> datetime | None:
        """The reading of ``value``, or None."""
        return parse_timestamp(value) if isinstance(value, str) else None

    def text_exprs(self, text: pl.Expr) -> Exprs:
        """The batch readings of a string expression, as one expression.

        The validator reads text columns with `iso_text_stages` instead (the same readings,
        materialized in stages); this form serves callers without stages.
        """
        return parse_timestamp_expr(text)

    def number_expr(self, number: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
        """Numbers are not ISO-8601."""
        del number, dtype
        return None

    def render(self, local: datetime, *, fraction: bool = True) -> str:
        """``local`` (aware or naive) in the format's usual spelling."""
        text = local.isoformat(timespec="microseconds" if fraction else "seconds")
        return text.replace("+00:00", "Z") if local.utcoffset() == timedelta(0) else text


# unit: (microseconds per unit, lowest value, first value above the range). The ranges are
# contiguous and disjoint, so a number is read in at most one unit: 10^11 s is the year 5138,
# 10^11 ms is March 1973, 10^14 us the same day.
_UNITS: Final = {
    "epoch_s": (1_000_000, 0, 10**11),
    "epoch_ms": (1_000, 10**11, 10**14),
    "epoch_us": (1, 10**14, 10**17),
}
_INT_TEXT: Final = re.compile(r"[0-9]{1,30}")
_DEC_TEXT: Final = re.compile(r"[0-9]+\.[0-9]+")
_PL_DEC_TEXT: Final = r"^[0-9]+\.[0-9]+$"


@dataclass(frozen=True, slots=True)
class Epoch:
    """Seconds, milliseconds or microseconds since 1970-01-01 UTC: numbers or numeric text.

    A value is read only when its magnitude fits the unit (see `_UNITS`): milliseconds sent
    where seconds are declared are not an instant in the year 50,000 but no reading at all.
    Text is ``digits`` or ``digits.digits`` (no sign, exponent or spaces); fractions are
    rounded to the nearest microsecond.
    """

    name: str
    per_us: int = field(init=False)
    low: int = field(init=False)
    high: int = field(init=False)

    def __post_init__(self) -> None:
        per_us, low, high = _UNITS[self.name]
        object.__setattr__(self, "per_us", per_us)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def read(self, value: object) -> datetime | None:  # noqa: PLR0911 - one return per kind
        """The reading of ``value``, or None."""
        if isinstance(value, str):
            if _INT_TEXT.fullmatch(value):
                return self._of_int(int(value))
            if _DEC_TEXT.fullmatch(value):
                return self._of_float(float(value))
            return None
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return self._of_int(value)
        if isinstance(value, float):
            return self._of_float(value)
        return None

    def _of_int(self, value: int) -> datetime | None:
        if not self.low <= value < self.high:
            return None
        return _EPOCH0 + timedelta(microseconds=value * self.per_us)

    def _of_float(self, value: float) -> datetime | None:
        if not (math.isfinite(value) and self.low <= value < self.high):
            return None
        # Rounded to the nearest microsecond (floor of x + 0.5, the same on both paths): a
        # truncation would turn 1764612840.001413 s (a float a hair below it) into ...412 us.
        return _EPOCH0 + timedelta(microseconds=math.floor(value * float(self.per_us) + 0.5))

    def text_exprs(self, text: pl.Expr) -> Exprs:
        """Numeric text: integers by an exact integer cast, decimals through Float64."""
        # polars' integer cast reads exactly the ASCII digits, with an optional sign: "+"
        # is refused here, "-" falls outside every range.
        whole = pl.when(~text.str.starts_with("+")).then(text.cast(pl.Int64, strict=False))
        rest = pl.when(whole.is_null()).then(text)  # null on integer rows
        decimal = pl.when(rest.str.contains(_PL_DEC_TEXT)).then(rest.cast(pl.Float64))
        return pl.coalesce(self._int_expr(whole), self._float_expr(decimal)), None

    def number_expr(self, number: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
        """Integer and float columns."""
        if dtype.is_integer():
            return self._int_expr(number.cast(pl.Int64, strict=False))
        if dtype.is_float():
            return self._float_expr(number.cast(pl.Float64))
        return None

    def _int_expr(self, value: pl.Expr) -> pl.Expr:
        inside = (value >= self.low) & (value < self.high)
        return pl.when(inside).then(value * self.per_us).cast(US_UTC)

    def _float_expr(self, value: pl.Expr) -> pl.Expr:
        # NaN compares false; infinities fall outside the range.
        inside = (value >= self.low) & (value < self.high)
        scaled = (value * float(self.per_us) + 0.5).floor().cast(pl.Int64, strict=False)
        return pl.when(inside).then(scaled).cast(US_UTC)

    def render(self, local: datetime, *, fraction: bool = True) -> str:
        """The instant as numeric text in the unit (a decimal fraction when ``fraction``)."""
        micros = (local - _EPOCH0) // timedelta(microseconds=1)
        whole, part = divmod(micros, self.per_us)
        if not fraction or not part:
            return str(whole)
        width = len(str(self.per_us)) - 1
        return f"{whole}.{part:0{width}d}"


TimeFormat = Iso8601 | Rfc2822 | Epoch | Pattern
NAMED_FORMATS: Final = ("iso8601", "rfc2822", *_UNITS)


def parse_formats(formats: Sequence[str] | str) -> tuple[TimeFormat, ...]:
    """Build the declared formats, in order.

    Raises:
        ConfigurationError: No formats, a repeated one, an unknown name, or a strftime
            pattern with an unsupported directive or without a full date and time.
    """
    if isinstance(formats, str) or not all(isinstance(f, str) for f in formats):
        raise ConfigurationError(
            f"'formats' must be a list of format names or strftime patterns (got {formats!r})"
        )
    if not formats:
        raise ConfigurationError("'formats' must name at least one format")
    seen: set[str] = set()
    built: list[TimeFormat] = []
    for spec in formats:
        if spec in seen:
            raise ConfigurationError(f"'formats' lists {spec!r} twice")
        seen.add(spec)
        built.append(_one(spec))
    return tuple(built)


def _one(spec: str) -> TimeFormat:
    if spec == "iso8601":
        return Iso8601()
    if spec == "rfc2822":
        return Rfc2822()
    if spec in _UNITS:
        return Epoch(spec)
    if "%" not in spec:
        raise ConfigurationError(
            f"'formats' entries must be one of {', '.join(map(repr, NAMED_FORMATS))} or a "
            f"strftime pattern such as '%d/%m/%Y %H:%M' (got {spec!r})"
        )
    return pattern(spec)


AMBIGUOUS: Final = "ambiguous"
"""`record_reading`'s answer for a value two formats read as different instants."""


def record_reading(
    formats: tuple[TimeFormat, ...],
    value: Any,
    to_utc: Callable[[datetime], datetime | object],
) -> datetime | str | None:
    """The value's reading by the first format that reads it, None, or `AMBIGUOUS`.

    Two readings agree when they are the same naive wall time, or the same instant (a naive
    one placed by ``to_utc``, the naive policy, which returns a non-datetime where it gives
    no instant). Any two that disagree make the value ambiguous: no format is preferred.
    """
    first: datetime | None = None
    first_utc: object = None
    for fmt in formats:
        found = fmt.read(value)
        if found is None:
            continue
        if first is None:
            first = found
            continue
        if first_utc is None:
            first_utc = _instant(first, to_utc)
        if not (_naive_equal(first, found) or _instant(found, to_utc) == first_utc):
            return AMBIGUOUS
    return first


def _naive_equal(a: datetime, b: datetime) -> bool:
    return a.tzinfo is None and b.tzinfo is None and a == b


def _instant(reading: datetime, to_utc: Callable[[datetime], datetime | object]) -> object:
    """The reading's instant, or a fresh object (equal to nothing) where it has none."""
    if reading.tzinfo is not None:
        try:
            return reading.astimezone(UTC)
        except OverflowError:
            return object()
    placed = to_utc(reading)
    return placed if isinstance(placed, datetime) else object()


@dataclass(frozen=True, slots=True)
class Combined:
    """The batch readings of every declared format, combined.

    Attributes:
        instant: The first reading as a UTC instant (naive readings localized), or null.
        naive: True where the value was read as a naive wall time (None: cannot occur).
        ambiguous: True where two formats read the value as different instants (None: cannot
            occur, with one format).
    """

    instant: pl.Expr
    naive: pl.Expr | None
    ambiguous: pl.Expr | None


def combine(readings: Sequence[Exprs], localize: Callable[[pl.Expr], pl.Expr]) -> Combined:
    """Combine per-format batch readings: the first reading wins unless two disagree.

    The same rule as `record_reading`: two readings agree when they are the same instant or
    the same naive wall time. An aware reading outside the years 1-9999 is no reading when
    there are several formats (the record path cannot represent it either).
    """
    several = len(readings) > 1
    instants: list[pl.Expr] = []
    walls: list[pl.Expr | None] = []
    read: list[pl.Expr] = []
    for given, naive in readings:
        aware = given
        if several and given is not None:
            aware = pl.when(in_python_range(given)).then(given)
        read.append(_read_flag(aware, naive))
        placed = None if naive is None else localize(naive)
        parts = [e for e in (aware, placed) if e is not None]
        instants.append(parts[0] if len(parts) == 1 else pl.coalesce(parts))
        walls.append(naive)
    instant = instants[0] if not several else pl.coalesce(instants)
    naive_flags = [w.is_not_null() for w in walls if w is not None]
    naive_seen = None if not naive_flags else pl.any_horizontal(naive_flags)
    if not several:
        return Combined(instant, naive_seen, None)
    clashes = []
    for i in range(len(readings)):
        for j in range(i + 1, len(readings)):
            same = (instants[i] == instants[j]).fill_null(value=False)
            wi, wj = walls[i], walls[j]
            if wi is not None and wj is not None:
                same = same | (wi == wj).fill_null(value=False)
            clashes.append(read[i] & read[j] & ~same)
    return Combined(instant, naive_seen, pl.any_horizontal(clashes))


def _read_flag(aware: pl.Expr | None, wall: pl.Expr | None) -> pl.Expr:
    flags = [e.is_not_null() for e in (aware, wall) if e is not None]
    return flags[0] if len(flags) == 1 else flags[0] | flags[1]
