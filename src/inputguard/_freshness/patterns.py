"""strftime patterns (polars / chrono syntax) as strict grammars on both paths.

chrono reads a pattern leniently (one-digit fields, any run of spaces for one space, a sign
before the year). A declared pattern is therefore strict: every numeric field has exactly its
width, a space matches one space, and month and day names are the English ones, capitalized
as in the pattern's output (``Dec``, ``December``; ``AM`` or ``am``). The batch path checks
that grammar with one match-only regex and lets chrono parse the text as it is; the record
path builds the datetime from the same regex's groups.

Supported directives: ``%Y %y %m %d %H %I %p %M %S %b %h %B %a %A %z %:z %.f %.3f %.6f %.9f``,
the shorthands ``%F`` (``%Y-%m-%d``), ``%T`` (``%H:%M:%S``), ``%R`` (``%H:%M``), and ``%%``.
A pattern must give a date (year, month, day) and a time (hour and minute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

import polars as pl

from inputguard.exceptions import ConfigurationError

__all__ = ["MONTHS", "WEEKDAYS", "YEAR", "Pattern", "pattern", "render_pattern"]

MONTHS: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS: Final = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
YEAR: Final = r"[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000"  # four digits, not 0000
_OFFSET_HH: Final = r"[+-](?:[01][0-9]|2[0-3])"
_SHORTHANDS: Final = {"F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M"}
# directive: (field, regex of the field)
_FIELDS: Final = {
    "Y": ("year", YEAR),
    "y": ("year2", r"[0-9]{2}"),
    "m": ("month", r"0[1-9]|1[0-2]"),
    "d": ("day", r"0[1-9]|[12][0-9]|3[01]"),
    "H": ("hour", r"[01][0-9]|2[0-3]"),
    "I": ("hour12", r"0[1-9]|1[0-2]"),
    "p": ("ampm", r"AM|PM|am|pm"),
    "M": ("minute", r"[0-5][0-9]"),
    "S": ("second", r"[0-5][0-9]"),
    "b": ("mon", "|".join(m[:3] for m in MONTHS)),
    "h": ("mon", "|".join(m[:3] for m in MONTHS)),
    "B": ("monthname", "|".join(MONTHS)),
    "a": ("wday", "|".join(d[:3] for d in WEEKDAYS)),
    "A": ("weekday", "|".join(WEEKDAYS)),
    "z": ("offset", _OFFSET_HH + r"[0-5][0-9]"),
    ":z": ("offset", _OFFSET_HH + r":[0-5][0-9]"),
    ".f": ("fraction", r"[0-9]{1,9}"),
    ".3f": ("fraction", r"[0-9]{3}"),
    ".6f": ("fraction", r"[0-9]{6}"),
    ".9f": ("fraction", r"[0-9]{9}"),
}
_DIRECTIVE: Final = re.compile(r"%(\.[369]?f|:z|.)", re.DOTALL)
_META: Final = frozenset("\\.+*?()|[]{}^$#&-~")


@dataclass(frozen=True, slots=True)
class Pattern:
    """A declared strftime pattern; build it with `pattern`."""

    name: str
    regex: str
    aware: bool
    fields: frozenset[str]
    _match: re.Pattern[str] = field(repr=False, compare=False, hash=False)

    def read(self, value: object) -> datetime | None:
        """The reading of ``value`` (aware when the pattern has an offset), or None."""
        if not isinstance(value, str):
            return None
        m = self._match.fullmatch(value)
        return None if m is None else _build(m.groupdict())

    def text_exprs(self, text: pl.Expr) -> tuple[pl.Expr | None, pl.Expr | None]:
        """One match-only regex, then chrono's parse of the unmodified text."""
        parsed = text.str.to_datetime(
            self.name, strict=False, time_unit="us", time_zone="UTC" if self.aware else None
        )
        reading = pl.when(text.str.contains(f"^(?:{self.regex})$")).then(parsed)
        return (reading, None) if self.aware else (None, reading)

    def number_expr(self, number: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
        """Numbers are not text in a pattern."""
        del number, dtype
        return None

    def render(self, local: datetime, *, fraction: bool = True) -> str:
        """``local`` in the pattern (see `render_pattern`)."""
        del fraction
        return render_pattern(self.name, local)


def _expand(spec: str) -> str:
    for short, long in _SHORTHANDS.items():
        spec = spec.replace(f"%{short}", long)
    return spec


def pattern(spec: str) -> Pattern:
    """Compile a strftime pattern into its strict grammar.

    Raises:
        ConfigurationError: An unsupported directive, a field given twice, or a pattern that
            does not give a full date and time.
    """
    expanded = _expand(spec.replace("%%", "\0"))
    parts: list[str] = []
    fields: list[str] = []
    pos = 0
    for m in _DIRECTIVE.finditer(expanded):
        parts.append(_literal(expanded[pos : m.start()]))
        directive = m.group(1)
        if directive not in _FIELDS:
            raise ConfigurationError(
                f"'formats': {spec!r} uses %{directive}, which is not supported (use "
                f"{' '.join('%' + d for d in _FIELDS)} {' '.join('%' + d for d in _SHORTHANDS)})"
            )
        name, regex = _FIELDS[directive]
        if name in fields:
            raise ConfigurationError(f"'formats': {spec!r} gives the {name} twice")
        fields.append(name)
        if directive == ".f":  # chrono's %.f also reads no fraction at all
            parts.append(rf"(?:\.(?P<{name}>{regex}))?")
        elif name == "fraction":
            parts.append(rf"\.(?P<{name}>{regex})")
        else:
            parts.append(f"(?P<{name}>{regex})")
        pos = m.end()
    parts.append(_literal(expanded[pos:]))
    have = set(fields)
    missing = [
        what
        for what, options in (
            ("a year (%Y or %y)", {"year", "year2"}),
            ("a month (%m, %b or %B)", {"month", "mon", "monthname"}),
            ("a day (%d)", {"day"}),
            ("an hour (%H, or %I with %p)", {"hour", "hour12"}),
            ("minutes (%M)", {"minute"}),
        )
        if not have & options
    ]
    if ("hour12" in have) != ("ampm" in have) or ("hour" in have and "ampm" in have):
        missing.append("%I together with %p (and %H without it)")
    if len(have & {"month", "mon", "monthname"}) > 1 or len(have & {"year", "year2"}) > 1:
        missing.append("one spelling of the month and of the year")
    if len(have & {"wday", "weekday"}) > 1 or len(have & {"hour", "hour12"}) > 1:
        missing.append("one spelling of the weekday and of the hour")
    if missing:
        raise ConfigurationError(f"'formats': {spec!r} must give {', '.join(missing)}")
    regex = "".join(parts).replace("\0", "%")
    built = Pattern(spec, regex, "offset" in have, frozenset(have), re.compile(regex))
    _self_check(built)
    return built


def _literal(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


def _build(g: dict[str, str | None]) -> datetime | None:
    year_text = g.get("year")
    if year_text is not None:
        year = int(year_text)
    else:
        two = int(g["year2"] or 0)
        year = 2000 + two if two < 70 else 1900 + two  # chrono's pivot  # noqa: PLR2004
    if g.get("month") is not None:
        month = int(g["month"] or 0)
    elif g.get("mon") is not None:
        month = [m[:3] for m in MONTHS].index(g["mon"] or "") + 1
    else:
        month = MONTHS.index(g["monthname"] or "") + 1
    if g.get("hour") is not None:
        hour = int(g["hour"] or 0)
    else:
        hour = int(g["hour12"] or 0) % 12 + (12 if (g["ampm"] or "").upper() == "PM" else 0)
    fraction = g.get("fraction")
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    offset = g.get("offset")
    tz = None
    if offset is not None:
        minutes = int(offset[1:3]) * 60 + int(offset[-2:])
        tz = timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
    try:
        parsed = datetime(
            year,
            month,
            int(g["day"] or 0),
            hour,
            int(g["minute"] or 0),
            int(g.get("second") or 0),
            micro,
            tz,
        )
        if tz is not None and year in (1, 9999):
            parsed.astimezone(UTC)  # the instant must exist in the years 1-9999 UTC
    except (ValueError, OverflowError):
        return None
    name = g.get("wday") or g.get("weekday")
    if name is not None and WEEKDAYS[parsed.weekday()][: len(name)] != name:
        return None  # a weekday that does not match the date (chrono refuses it too)
    return parsed


def render_pattern(spec: str, local: datetime) -> str:
    """Write ``local`` (aware for a pattern with an offset) in the strftime pattern ``spec``."""
    offset = local.utcoffset()
    sign, minutes = "+", 0
    if offset is not None:
        total = offset // timedelta(minutes=1)
        sign, minutes = ("-" if total < 0 else "+"), abs(total)
    hh, mm = divmod(minutes, 60)
    values = {
        "Y": f"{local.year:04d}",
        "y": f"{local.year % 100:02d}",
        "m": f"{local.month:02d}",
        "d": f"{local.day:02d}",
        "H": f"{local.hour:02d}",
        "I": f"{(local.hour % 12) or 12:02d}",
        "p": "PM" if local.hour >= 12 else "AM",  # noqa: PLR2004
        "M": f"{local.minute:02d}",
        "S": f"{local.second:02d}",
        "b": MONTHS[local.month - 1][:3],
        "h": MONTHS[local.month - 1][:3],
        "B": MONTHS[local.month - 1],
        "a": WEEKDAYS[local.weekday()][:3],
        "A": WEEKDAYS[local.weekday()],
        "z": f"{sign}{hh:02d}{mm:02d}",
        ":z": f"{sign}{hh:02d}:{mm:02d}",
        ".f": f".{local.microsecond:06d}" if local.microsecond else "",
        ".3f": f".{local.microsecond // 1000:03d}",
        ".6f": f".{local.microsecond:06d}",
        ".9f": f".{local.microsecond:06d}000",
    }
    expanded = _expand(spec.replace("%%", "\0"))
    return _DIRECTIVE.sub(lambda m: values[m.group(1)], expanded).replace("\0", "%")


def _self_check(built: Pattern) -> None:
    """Both paths must read a rendering of a known instant as that instant."""
    zone = timezone(timedelta(hours=-3, minutes=-30)) if built.aware else None
    local = datetime(2026, 11, 22, 14, 5, 9, 250000 if "fraction" in built.fields else 0, zone)
    if "second" not in built.fields:
        local = local.replace(second=0, microsecond=0)
    text = render_pattern(built.name, local)
    exprs = built.text_exprs(pl.col("t"))
    expr = exprs[0] if built.aware else exprs[1]
    assert expr is not None
    batch = pl.DataFrame({"t": [text]}).select(expr).item()
    record = built.read(text)
    expected = local.astimezone(UTC) if built.aware else local
    if record != expected or batch != expected:
        raise ConfigurationError(
            f"'formats': {built.name!r} does not read its own output back ({text!r}); "
            "polars cannot parse this pattern"
        )
