"""RFC 2822 (e-mail) dates, which include the HTTP date (``Tue, 01 Dec 2026 19:54:00 GMT``).

The grammar, strict on both paths::

    [Www ", "] D[D] " " Mmm " " YYYY " " hh:mm[:ss] " " zone

with English day and month abbreviations as written (``Tue``, ``Dec``), and ``zone`` one of
``+hhmm`` / ``-hhmm``, ``GMT``, ``UT``, ``UTC``, or the North American zones RFC 822 defines
as fixed offsets (``EST`` -0500, ``EDT`` -0400, ``CST``, ``CDT``, ``MST``, ``MDT``, ``PST``,
``PDT``). A weekday that does not match the date is no reading. The obsolete HTTP forms
(RFC 850, asctime) and two-digit years are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

import polars as pl

from inputguard._freshness.patterns import MONTHS, WEEKDAYS, YEAR

__all__ = ["Rfc2822"]

_ZONES: Final = {
    "GMT": 0,
    "UT": 0,
    "UTC": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
_MON: Final = [m[:3] for m in MONTHS]
_WDAY: Final = [d[:3] for d in WEEKDAYS]
_GRAMMAR: Final = (
    rf"(?:(?P<wday>{'|'.join(_WDAY)}), )?(?P<day>0?[1-9]|[12][0-9]|3[01]) "
    rf"(?P<mon>{'|'.join(_MON)}) (?P<year>{YEAR}) "
    r"(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])(?::(?P<second>[0-5][0-9]))? "
    rf"(?P<zone>[+-](?:[01][0-9]|2[0-3])[0-5][0-9]|{'|'.join(_ZONES)})"
)
_MATCH: Final = re.compile(_GRAMMAR)
_PL_GRAMMAR: Final = f"^{_GRAMMAR}$"
_OFFSETS: Final = {name: timezone(timedelta(minutes=m)) for name, m in _ZONES.items()}
# The two spellings read directly (e-mail with a numeric zone, and the HTTP date).
_NUMERIC: Final = "%a, %d %b %Y %H:%M:%S %z"
_HTTP: Final = "%a, %d %b %Y %H:%M:%S GMT"


@dataclass(frozen=True, slots=True)
class Rfc2822:
    """The RFC 2822 date grammar (see the module docstring)."""

    name: str = "rfc2822"

    def read(self, value: object) -> datetime | None:
        """The reading of ``value`` (always aware), or None."""
        if not isinstance(value, str):
            return None
        m = _MATCH.fullmatch(value)
        if m is None:
            return None
        wday, day, mon, year, hour, minute, second, zone = m.groups()
        tz = _OFFSETS.get(zone)
        if tz is None:
            minutes = int(zone[1:3]) * 60 + int(zone[3:])
            tz = timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))
        try:
            parsed = datetime(
                int(year),
                _MON.index(mon) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=tz,
            )
            if year in ("0001", "9999"):
                parsed.astimezone(UTC)  # the instant must exist in the years 1-9999 UTC
        except (ValueError, OverflowError):
            return None
        if wday is not None and _WDAY[parsed.weekday()] != wday:
            return None
        return parsed

    def text_exprs(self, text: pl.Expr) -> tuple[pl.Expr | None, pl.Expr | None]:
        """The grammar's regex, a direct parse of the two usual spellings, the rest rebuilt."""
        # Each costly part (the regex, each parse) must appear once in the expression tree:
        # polars' common-subexpression pass does not reuse a part nested at two depths.
        matched = text.str.contains(_PL_GRAMMAR)
        http = text.str.ends_with(" GMT")
        numeric = (
            pl.when(matched & ~http)
            .then(text)
            .str.to_datetime(_NUMERIC, strict=False, time_unit="us", time_zone="UTC")
        )
        gmt = (
            pl.when(matched & http)
            .then(text)
            .str.to_datetime(_HTTP, strict=False, time_unit="us")
            .dt.replace_time_zone("UTC")
        )
        # The rest (no weekday, no seconds, other zone names) is rebuilt, only those rows. They
        # are told apart by their length, not by a null direct parse: an expression built on
        # the parse's result would repeat the parse.
        size = text.str.len_bytes()
        typical = (text.str.slice(3, 2) == ", ") & pl.when(http).then(
            size.is_between(28, 29)  # "Www, D Mmm YYYY hh:mm:ss GMT", day of one or two digits
        ).otherwise(size.is_between(30, 31))  # "... hh:mm:ss +hhmm"
        rest = pl.when(matched & ~typical).then(text)
        return pl.coalesce(numeric, gmt, _rebuilt(rest)), None

    def number_expr(self, number: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
        """Numbers are not dates."""
        del number, dtype
        return None

    def render(self, local: datetime, *, fraction: bool = True) -> str:
        """``local`` (aware) as ``Www, DD Mmm YYYY hh:mm:ss +hhmm``."""
        del fraction
        offset = local.utcoffset() or timedelta(0)
        total = offset // timedelta(minutes=1)
        hh, mm = divmod(abs(total), 60)
        zone = f"{'-' if total < 0 else '+'}{hh:02d}{mm:02d}"
        return (
            f"{_WDAY[local.weekday()]}, {local.day:02d} {_MON[local.month - 1]} "
            f"{local.year:04d} {local:%H:%M:%S} {zone}"
        )


def _rebuilt(text: pl.Expr) -> pl.Expr:
    """Texts in the grammar that the direct parse could not read, rebuilt part by part."""
    parts = text.str.extract_groups(_PL_GRAMMAR)
    zone = parts.struct.field("zone")
    named = zone.replace_strict(list(_ZONES), list(_ZONES.values()), default=None)
    sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    numeric = sign * (
        zone.str.slice(1, 2).cast(pl.Int32, strict=False) * 60
        + zone.str.slice(3, 2).cast(pl.Int32, strict=False)
    )
    offset = pl.coalesce(named, numeric)
    wall = pl.concat_str(
        parts.struct.field("day").str.pad_start(2, "0"),
        pl.lit(" "),
        parts.struct.field("mon"),
        pl.lit(" "),
        parts.struct.field("year"),
        pl.lit(" "),
        parts.struct.field("hour"),
        pl.lit(":"),
        parts.struct.field("minute"),
        pl.lit(":"),
        parts.struct.field("second").fill_null("00"),
    ).str.to_datetime("%d %b %Y %H:%M:%S", strict=False, time_unit="us")
    wday = parts.struct.field("wday")
    weekday_ok = wday.is_null() | (
        wday.replace_strict(_WDAY, list(range(1, 8)), default=None) == wall.dt.weekday()
    )
    instant = wall.dt.replace_time_zone("UTC") - pl.duration(minutes=offset)
    return pl.when(weekday_ok).then(instant)
