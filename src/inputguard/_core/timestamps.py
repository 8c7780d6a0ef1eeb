"""One ISO-8601 grammar for timestamps, shared by the batch path (polars) and the record path.

Python's `datetime.fromisoformat` and polars' parser disagree at the edges (polars takes a leap
second ``:60``, Python does not; Python's ``$`` matches before a trailing newline). Both paths
therefore accept exactly this grammar and nothing else::

    [spaces] YYYY-MM-DD(T| )hh:mm[:ss[.fraction]] [spaces] [Z | ±hh:mm | ±hhmm] [spaces]

Fractions beyond microseconds are truncated. Year 0000, impossible dates (February 30) and times
(``24:00``, ``:60``) are invalid, and so is an instant outside the years 1-9999 in UTC (the range
both Python and polars can represent).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

import polars as pl

from inputguard._core.dtypes import US_UTC

__all__ = [
    "COMMON_SHAPE",
    "PL_PATTERN",
    "ParsedTimestamp",
    "in_python_range",
    "iso_text_stages",
    "parse_timestamp",
    "parse_timestamp_expr",
]

_GRAMMAR: Final = (
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[T ]"
    r"(?P<h>[01][0-9]|2[0-3]):(?P<mi>[0-5][0-9])"
    r"(?::(?P<s>[0-5][0-9])(?:\.(?P<f>[0-9]{1,9}))?)?"
    r"[ ]*(?P<tz>[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
)
_FIRST: Final = datetime.min.replace(tzinfo=UTC)
_LAST: Final = datetime.max.replace(tzinfo=UTC)
PY_PATTERN: Final = re.compile(r"[ ]*" + _GRAMMAR + r"[ ]*")
PL_PATTERN: Final = r"^[ ]*" + _GRAMMAR + r"[ ]*$"
# The common shapes, a strict sub-language of the grammar: no spaces around the text, seconds
# present, at most 6 fraction digits, "Z" or "+hh:mm". Within it `datetime.fromisoformat` gives
# exactly what `parse_timestamp` gives, or raises where `parse_timestamp` refuses (Feb 30, year
# 0): the compiled record path matches it instead of the whole grammar (190 ns instead of 300).
COMMON_SHAPE: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)

ParsedTimestamp = datetime | None
"""A parsed timestamp (aware when the text had an offset), or None when the text is invalid."""


def parse_timestamp(text: str) -> ParsedTimestamp:
    """Parse ``text`` with the shared grammar; None when it does not match or is impossible.

    >>> parse_timestamp("2026-11-22T04:00Z")
    datetime.datetime(2026, 11, 22, 4, 0, tzinfo=datetime.timezone.utc)
    >>> parse_timestamp("2026-02-30 10:00") is None
    True
    """
    m = PY_PATTERN.fullmatch(text)
    if m is None:
        return None
    try:
        # Within the grammar, `fromisoformat` either agrees with the manual parse (a property
        # test holds it to that) or refuses: spaces around the text, a lowercase "z", year 0.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return _from_parts(m)
    if parsed.tzinfo is not None and parsed.year in (1, 9999):
        try:
            parsed.astimezone(UTC)  # the instant must exist in years 1-9999 UTC
        except OverflowError:
            return None
    return parsed


def _from_parts(m: re.Match[str]) -> ParsedTimestamp:
    """The manual parse of a grammar match (the reference the fast path is tested against)."""
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    if year == "0000":
        return None
    tz = None if zone is None else _offset(zone)
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second) if second else 0,
            int(fraction[:6].ljust(6, "0")) if fraction else 0,
            tz,
        )
        if tz is not None and year in ("0001", "9999"):
            parsed.astimezone(UTC)  # the instant must exist in years 1-9999 UTC
    except (ValueError, OverflowError):
        return None
    return parsed


_OFFSETS: dict[str, timezone] = {}


def _offset(text: str) -> timezone:
    found = _OFFSETS.get(text)
    if found is None:
        found = _OFFSETS[text] = _parse_offset(text)  # at most 2 x 24 x 60 + 2 entries
    return found


def _parse_offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if text[0] == "-" else delta)


def parse_timestamp_expr(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The batch twin of `parse_timestamp`.

    The full grammar is checked once with a match-only regex; the parts then sit at fixed
    positions or are found with three single-group extracts, which is an order of magnitude
    cheaper than capturing every group.

    Args:
        text: A string expression.

    Returns:
        ``(aware, naive)``: the instant in UTC for texts with an offset, and the naive wall time
        for texts without one; both null where the text is invalid. ``aware`` may lie outside
        the years 1-9999 (see `in_python_range`).
    """
    s = text.str.strip_chars(" ")
    matched = text.str.contains(PL_PATTERN) & (s.str.slice(0, 4) != "0000")
    rest = s.str.slice(16)  # after "YYYY-MM-DDThh:mm": [:ss[.fraction]] [spaces] [zone]
    seconds = rest.str.extract(r"^:([0-9]{2})", 1).fill_null("00")
    fraction = rest.str.extract(r"^:[0-9]{2}\.([0-9]{1,9})", 1).fill_null("")
    tz = rest.str.extract(r"([Zz]|[+-][0-9]{2}:?[0-9]{2})$", 1)
    return _readings(matched, s, seconds, fraction, tz)


def _readings(
    matched: pl.Expr, s: pl.Expr, seconds: pl.Expr, fraction: pl.Expr, tz: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """The two readings from the grammar's parts (``s`` is the text without spaces around)."""
    wall = pl.concat_str(
        s.str.slice(0, 10),
        pl.lit("T"),
        s.str.slice(11, 5),
        pl.lit(":"),
        seconds,
        pl.lit("."),
        fraction.str.pad_end(6, "0").str.slice(0, 6),
    )
    tz_digits = tz.str.replace(":", "", literal=True)
    offset = (
        pl.when(tz.is_in(["Z", "z"]))
        .then(pl.lit("+00:00"))
        .otherwise(pl.concat_str(tz_digits.str.slice(0, 3), pl.lit(":"), tz_digits.str.slice(3, 2)))
    )
    aware = (
        pl.when(matched & tz.is_not_null())
        .then(pl.concat_str(wall, offset))
        .otherwise(None)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC")
    )
    naive = (
        pl.when(matched & tz.is_null())
        .then(wall)
        .otherwise(None)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    )
    return aware, naive


# The shapes JSON APIs send, a sub-language of the grammar read without rebuilding the text:
# "T", seconds, at most 9 fraction digits, "Z" or "+hh:mm", nothing around. Every such text has
# the date and time at fixed positions and the zone at its end.
FAST_PATTERN: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
_US_PER_MINUTE: Final = 60_000_000


def iso_text_stages(
    text: pl.Expr, prefix: str
) -> tuple[list[dict[str, pl.Expr]], pl.Expr, pl.Expr]:
    """`parse_timestamp_expr` in stages, for a caller that materializes helper columns.

    Rows in the common shapes (`FAST_PATTERN`) cost one match-only regex and one fixed-width
    parse of the first 19 characters (polars' fast path, no chrono); the fraction and the
    offset are integer casts of slices at known positions. Only the other rows go through the
    general parse, which is handed an empty string for the common rows so that its regular
    expressions do next to no work there. Each stage reads the columns of the stages before;
    materializing them keeps polars from running a parse twice.

    Args:
        text: A string expression.
        prefix: A collision-free prefix for the helper column names.

    Returns:
        ``(stages, aware, naive)``: the helper columns to add, stage by stage, and the two
        readings of `parse_timestamp_expr`, which read those columns.
    """
    ok, fast, rest = f"{prefix}_ok", f"{prefix}_fast", f"{prefix}_rest"
    first = {ok: text.str.contains(FAST_PATTERN) & ~text.str.starts_with("0000")}
    second = {fast: _fast_instant(text, pl.col(ok)), rest: _blank_where(text, pl.col(ok))}
    parts, aware, naive = _general(pl.col(rest), prefix)
    return [first, second, parts], pl.coalesce(pl.col(fast), aware), naive


def _fast_instant(text: pl.Expr, ok: pl.Expr) -> pl.Expr:
    """The instant of a text in `FAST_PATTERN` (null elsewhere), from fixed positions."""
    wall = (
        pl.when(ok)
        .then(text.str.slice(0, 19))
        .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
    )
    length = text.str.len_bytes().cast(pl.Int64)
    utc = text.str.ends_with("Z")
    digits = (length - 20 - pl.when(utc).then(1).otherwise(6)).clip(0, 6)  # truncated to us
    fraction = text.str.slice(20, digits).cast(pl.Int64, strict=False).fill_null(0) * pl.lit(
        10, pl.Int64
    ).pow(6 - digits)
    minutes = text.str.slice(-5, 2).cast(pl.Int64, strict=False) * 60 + text.str.slice(-2, 2).cast(
        pl.Int64, strict=False
    )
    offset = (
        pl.when(utc).then(0).when(text.str.slice(-6, 1) == "-").then(-minutes).otherwise(minutes)
    )
    return (wall.cast(pl.Int64) + fraction - offset * _US_PER_MINUTE).cast(US_UTC)


def _blank_where(text: pl.Expr, ok: pl.Expr) -> pl.Expr:
    # A null would not do: polars' regular expressions still read the text behind a null.
    return pl.when(ok).then(pl.lit("")).otherwise(text)


def _general(text: pl.Expr, prefix: str) -> tuple[dict[str, pl.Expr], pl.Expr, pl.Expr]:
    """The general parse in two stages: the parts as columns, then the readings of them."""
    s = text.str.strip_chars(" ")
    rest = s.str.slice(16)  # after "YYYY-MM-DDThh:mm": [:ss[.fraction]] [spaces] [zone]
    names = {k: f"{prefix}_{k}" for k in ("m", "s", "sec", "frac", "tz")}
    parts = {
        names["m"]: text.str.contains(PL_PATTERN) & (s.str.slice(0, 4) != "0000"),
        names["s"]: s,
        names["sec"]: rest.str.extract(r"^:([0-9]{2})", 1).fill_null("00"),
        names["frac"]: rest.str.extract(r"^:[0-9]{2}\.([0-9]{1,9})", 1).fill_null(""),
        names["tz"]: rest.str.extract(r"([Zz]|[+-][0-9]{2}:?[0-9]{2})$", 1),
    }
    aware, naive = _readings(
        pl.col(names["m"]),
        pl.col(names["s"]),
        pl.col(names["sec"]),
        pl.col(names["frac"]),
        pl.col(names["tz"]),
    )
    return parts, aware, naive


def in_python_range(instant: pl.Expr) -> pl.Expr:
    """True where a UTC instant lies in the years 1-9999 (two integer comparisons, no calendar)."""
    return instant.is_between(pl.lit(_FIRST, US_UTC), pl.lit(_LAST, US_UTC))
