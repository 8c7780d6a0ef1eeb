"""Timestamps relative to a clock reading, and the freshness family.

Every generated instant keeps a margin (one second, or a quarter of a narrow window) from the
thresholds it must not cross, so a clock that moves a little between drawing and checking cannot
flip a verdict. Instants stay within the years 1000-9000, far from the edges of what Python and
polars can represent.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import reject
from hypothesis import strategies as st

from inputguard._core.clock import Clock, read_clock
from inputguard._core.reasons import Reason
from inputguard._freshness.formats import DEFAULT_FORMATS, Epoch, record_reading
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hypothesis.strategies import SearchStrategy

    from inputguard._freshness.validator import Freshness, FreshnessLimits
    from inputguard.strategies._family import Values

__all__ = ["FreshnessFamily", "Kind", "Limits", "instants", "render_aware", "render_naive"]

Kind = Literal["fresh", "aging", "stale", "future", "naive"]
KINDS: Final[tuple[Kind, ...]] = ("fresh", "aging", "stale", "future", "naive")

MARGIN: Final = timedelta(seconds=1)
_LOW: Final = datetime(1000, 1, 1, tzinfo=UTC)
_HIGH: Final = datetime(9000, 1, 1, tzinfo=UTC)
_SPAN: Final = timedelta(days=30 * 366)  # how far beyond a limit stale / future values reach
_FEASIBLE: Final = timedelta(days=500 * 365)  # limits beyond this leave no room for stale/future
_US: Final = timedelta(microseconds=1)
_COMMON_OFFSETS: Final = (0, 60, 120, -300, -240, 330, 345, 540, -600, 780, -150)
_ZONES: Final[tuple[tzinfo, ...]] = (
    UTC,
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
)


@dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds a timestamp is judged by."""

    error_after: timedelta
    warn_after: timedelta | None
    max_future_skew: timedelta

    @classmethod
    def of(cls, limits: FreshnessLimits, max_future_skew: timedelta) -> Limits:
        """Combine per-source (or default) age limits with the validator's future skew."""
        return cls(limits.error_after, limits.warn_after, max_future_skew)

    def feasible(self, kind: Kind) -> bool:
        """Whether instants of ``kind`` exist for these limits (``naive`` always does)."""
        if kind == "aging":
            return self.warn_after is not None and self.warn_after < self.error_after
        if kind == "stale":
            return self.error_after + MARGIN < _FEASIBLE
        if kind == "future":
            return self.max_future_skew + MARGIN < _FEASIBLE
        return True

    def window(self, kind: Kind) -> tuple[timedelta, timedelta]:
        """The range of ``instant - now`` for ``kind``, margins included."""
        if kind == "aging":
            assert self.warn_after is not None
            return _inset(-self.error_after, -self.warn_after)
        if kind == "stale":
            start = -self.error_after - MARGIN
            return start - _SPAN, start
        if kind == "future":
            start = self.max_future_skew + MARGIN
            return start, start + _SPAN
        back = self.error_after if self.warn_after is None else self.warn_after
        return _inset(-back, self.max_future_skew)


def _inset(lo: timedelta, hi: timedelta) -> tuple[timedelta, timedelta]:
    margin = min(MARGIN, (hi - lo) / 4)
    return lo + margin, hi - margin


@functools.lru_cache(maxsize=512)
def _between(lo: timedelta, hi: timedelta) -> SearchStrategy[timedelta]:
    """Durations in ``[lo, hi]``: whole seconds first (they shrink to readable examples)."""
    lo_us, hi_us = lo // _US, hi // _US
    lo_s, hi_s = -(-lo_us // 1_000_000), hi_us // 1_000_000
    micro = st.integers(lo_us, hi_us).map(lambda n: n * _US)
    if lo_s > hi_s:
        return micro
    return st.one_of(st.integers(lo_s, hi_s).map(lambda n: timedelta(seconds=n)), micro)


def instants(now: datetime, kind: Kind, limits: Limits) -> SearchStrategy[datetime]:
    """UTC instants of ``kind`` relative to ``now`` (``naive`` draws fresh instants).

    Raises:
        ConfigurationError: ``now`` is so far from the present that no such instant fits in the
            years 1000-9000.
    """
    return _offsets_for(now, kind, limits).map(lambda offset: now + offset)


def _offsets_for(now: datetime, kind: Kind, limits: Limits) -> SearchStrategy[timedelta]:
    lo, hi = limits.window("fresh" if kind == "naive" else kind)
    lo, hi = max(lo, _LOW - now), min(hi, _HIGH - now)
    if lo > hi:
        raise ConfigurationError(
            f"cannot generate {kind} timestamps for the clock reading {now.isoformat()}: "
            f"keep the clock within the years 1000-9000"
        )
    return _between(lo, hi)


def draw_instant(draw: st.DrawFn, now: datetime, kind: Kind, limits: Limits) -> datetime:
    """Draw one instant of ``kind`` (see `instants`)."""
    return now + draw(_offsets_for(now, kind, limits))


# -- rendering: plain draw functions over module-level strategies (no strategy per example) ----

_BOOLS: Final = st.booleans()
_SEPARATORS: Final = st.sampled_from(["T", " "])
_FRACTION_STYLES: Final = st.sampled_from(["exact", "trimmed", "nanoseconds"])
_UTC_SPELLINGS: Final = st.sampled_from(["Z", "+00:00", "z", "+0000"])
_OFFSETS: Final = st.one_of(
    st.sampled_from(_COMMON_OFFSETS), st.integers(-(23 * 60 + 59), 23 * 60 + 59)
).map(lambda minutes: timedelta(minutes=minutes))
_TZINFOS: Final = st.one_of(st.sampled_from(_ZONES), _OFFSETS.map(timezone))


def _iso_text(draw: st.DrawFn, local: datetime, zone: str) -> str:
    """One spelling of ``local`` in the shared ISO grammar, with ``zone`` appended."""
    sep = draw(_SEPARATORS)
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d}{sep}{local:%H:%M}"
    if local.second or local.microsecond or not draw(_BOOLS):
        text += f":{local.second:02d}"
        if local.microsecond:
            digits = f"{local.microsecond:06d}"
            style = draw(_FRACTION_STYLES)
            text += (
                "."
                + {
                    "exact": digits,
                    "trimmed": digits.rstrip("0"),
                    "nanoseconds": digits + "000",
                }[style]
            )
    if zone and draw(_BOOLS):
        text += " "
    text += zone
    if draw(_BOOLS):
        text = f" {text} "
    return text


def _zone_text(draw: st.DrawFn, offset: timedelta) -> str:
    if not offset:
        return draw(_UTC_SPELLINGS)
    sign = "-" if offset < timedelta(0) else "+"
    hours, minutes = divmod(abs(offset) // timedelta(minutes=1), 60)
    return f"{sign}{hours:02d}{':' if not draw(_BOOLS) else ''}{minutes:02d}"


def render_aware(draw: st.DrawFn, instant: datetime, *, text: bool | None) -> datetime | str:
    """``instant`` as ISO text with an offset, or (``text`` not True) as an aware datetime."""
    as_text = text if text is not None else draw(_BOOLS)
    if as_text:
        offset = draw(_OFFSETS)
        return _iso_text(draw, instant.astimezone(timezone(offset)), _zone_text(draw, offset))
    return instant.astimezone(draw(_TZINFOS))


def render_naive(draw: st.DrawFn, wall: datetime, *, text: bool | None) -> datetime | str:
    """The naive wall time ``wall`` as ISO text without offset, or as a naive datetime."""
    as_text = text if text is not None else draw(_BOOLS)
    return _iso_text(draw, wall, "") if as_text else wall


def _naive_wall(instant: datetime, policy: str) -> datetime | None:
    """The naive wall time the ``naive`` policy maps back to ``instant`` exactly, if any."""
    if policy == "reject":
        return None
    if policy == "assume_utc":
        return instant.astimezone(UTC).replace(tzinfo=None)
    zone = ZoneInfo(policy)
    wall = instant.astimezone(zone).replace(tzinfo=None)
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return wall if early == late == instant else None  # skip DST folds and gaps


def _render(draw: st.DrawFn, instant: datetime, policy: str, *, text: bool | None) -> Any:
    """``instant`` in any spelling the validator reads as that instant (naive if allowed)."""
    wall = _naive_wall(instant, policy)
    if wall is not None and draw(_BOOLS):
        return render_naive(draw, wall, text=text)
    return render_aware(draw, instant, text=text)


# -- invalid values ------------------------------------------------------------------------------

_NOT_TIMESTAMPS: Final = (
    "",
    "yesterday",
    "N/A",
    "null",
    "2026-11-22",
    "12:00:00",
    "22/11/2026 12:00",
    "11/22/2026 12:00 PM",
    "2026-11-22T12:00:00 UTC",
    "2026-11-22T12:00:00+24:00",
    "2026-11-22t12:00:00Z",
    "2026-11-22T1200Z",
    "2026-11-22T12:00:00Z\n",
    "2026-11-22T12:00:00.Z",
    "\u0662\u0660\u0662\u0666-11-22T12:00:00Z",
    "1763812800",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
)
_IMPOSSIBLE_FIELDS: Final = st.sampled_from(["day", "month", "hour", "minute", "second"])
_IMPOSSIBLE_DAYS: Final = st.one_of(
    st.tuples(st.just(2), st.integers(30, 31)),
    st.tuples(st.sampled_from([4, 6, 9, 11]), st.just(31)),
    st.tuples(st.integers(1, 12), st.sampled_from([0, 32, 40, 99])),
)
_IMPOSSIBLE: Final = {
    "month": st.sampled_from([0, 13, 20, 99]),
    "hour": st.integers(24, 29),
    "minute": st.integers(60, 99),
    "second": st.integers(60, 99),
}
_MALFORMED_KINDS: Final = st.sampled_from(["text", "impossible", "object"])
_MALFORMED_TEXTS: Final = st.sampled_from(_NOT_TIMESTAMPS)
_OBJECT_KINDS: Final = st.sampled_from(["epoch", "float", "date", "bool", "bytes"])


def _impossible(draw: st.DrawFn, now: datetime) -> str:
    """A well-formed timestamp with an impossible field (February 30, hour 24, second 60...)."""
    parts = {"month": now.month, "day": 1, "hour": 12, "minute": 0, "second": 0}
    field = draw(_IMPOSSIBLE_FIELDS)
    if field == "day":
        parts["month"], parts["day"] = draw(_IMPOSSIBLE_DAYS)
    else:
        parts[field] = draw(_IMPOSSIBLE[field])
    return (
        f"{now.year:04d}-{parts['month']:02d}-{parts['day']:02d}"
        f"T{parts['hour']:02d}:{parts['minute']:02d}:{parts['second']:02d}Z"
    )


def draw_malformed(draw: st.DrawFn, now: datetime, *, frame: bool) -> Any:
    """A value that is present but not a timestamp (only text when ``frame``)."""
    kind = draw(_MALFORMED_KINDS)
    if kind == "text" or (frame and kind == "object"):
        return draw(_MALFORMED_TEXTS)
    if kind == "impossible":
        return _impossible(draw, now)
    obj = draw(_OBJECT_KINDS)
    epoch = int(now.timestamp())
    return {
        "epoch": epoch,
        "float": float(epoch),
        "date": now.date(),
        "bool": True,
        "bytes": now.isoformat().encode(),
    }[obj]


# -- the freshness family ------------------------------------------------------------------------


class FreshnessFamily:
    """Values for a `freshness` validator's timestamp column (and its source column)."""

    __slots__ = ("_sources", "_v")

    def __init__(self, validator: Freshness) -> None:
        self._v = validator
        self._sources = st.sampled_from([*sorted(validator.per_source), _unlisted(validator)])

    @property
    def validator(self) -> Freshness:
        """The validator."""
        return self._v

    @property
    def owns(self) -> tuple[str, ...]:
        """The timestamp column."""
        return (self._v.column,)

    @property
    def reads(self) -> tuple[str, ...]:
        """The source column, when limits differ per source."""
        return (self._v.source,) if self._v.per_source else ()

    @property
    def text_only(self) -> tuple[str, ...]:
        """No constraints on other families' columns."""
        return ()

    @property
    def rejections(self) -> tuple[str, ...]:
        """Missing, invalid, naive (when rejected), future and stale, where feasible."""
        v = self._v
        every = [Limits.of(lim, v.max_future_skew) for lim in (v.limits, *v.per_source.values())]
        out = [Reason.FRESHNESS_MISSING, Reason.FRESHNESS_INVALID]
        naive_text = any(
            f.name == "iso8601" or getattr(f, "aware", True) is False for f in v.formats
        )
        if v.naive == "reject" and naive_text:
            out.append(Reason.FRESHNESS_NAIVE)
        if all(lim.feasible("future") for lim in every):
            out.append(Reason.FRESHNESS_FUTURE)
        if all(lim.feasible("stale") for lim in every):
            out.append(Reason.FRESHNESS_STALE)
        return tuple(str(r) for r in out)

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Timestamps travel as text in frames, so invalid and naive values fit one column."""
        return dict.fromkeys(generated, pl.String())

    def _start(self, draw: st.DrawFn, record: Mapping[str, Any]) -> tuple[Values, Limits]:
        """The source (drawn here if no other validator owns it) and the limits it selects."""
        v = self._v
        values: Values = {}
        source = record.get(v.source)
        if v.per_source and v.source not in record:
            source = values[v.source] = draw(self._sources)
        limits = v.limits
        if v.per_source and isinstance(source, str):
            limits = v.per_source.get(source, v.limits)
        return values, Limits.of(limits, v.max_future_skew)

    def valid(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> Values:
        """Fresh timestamps, and aging ones (accepted with a warning) when ``warn_after`` is set."""
        values, limits = self._start(draw, record)
        kind: Kind = "aging" if limits.feasible("aging") and draw(_BOOLS) else "fresh"
        instant = draw_instant(draw, now, kind, limits)
        values[self._v.column] = self._render(draw, now, instant, kind, limits, text=frame or None)
        return values

    def invalid(
        self,
        draw: st.DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """Values the validator rejects with exactly ``reason``."""
        values, limits = self._start(draw, record)
        text = frame or None
        value: Any
        if reason == Reason.FRESHNESS_MISSING:
            value = None
        elif reason == Reason.FRESHNESS_INVALID:
            value = self._malformed(draw, now, frame=frame)
        elif reason == Reason.FRESHNESS_NAIVE:
            wall = draw_instant(draw, now, "naive", limits).replace(tzinfo=None)
            value = self._render_naive(draw, wall, text=text)
        else:
            kind: Kind = "future" if reason == Reason.FRESHNESS_FUTURE else "stale"
            instant = draw_instant(draw, now, kind, limits)
            value = self._render(draw, now, instant, kind, limits, text=text)
        values[self._v.column] = value
        return values

    # -- declared formats: render, then confirm with the validator's own reading ------------

    @property
    def _declared(self) -> bool:
        return self._v.format_names != DEFAULT_FORMATS

    def _render(
        self,
        draw: st.DrawFn,
        now: datetime,
        instant: datetime,
        kind: Kind,
        limits: Limits,
        *,
        text: bool | None,
    ) -> Any:
        """``instant`` in a declared format, read back by the validator within ``kind``."""
        if not self._declared:
            return _render(draw, instant, self._v.naive, text=text)
        if text is None and draw(_BOOLS):
            return instant.astimezone(draw(_TZINFOS))  # a datetime reads the same in any format
        lo, hi = limits.window("fresh" if kind == "naive" else kind)
        order = draw(st.permutations(self._v.formats))
        for fmt in order:
            if isinstance(fmt, Epoch):
                local = instant
            elif getattr(fmt, "aware", True) and (
                _naive_wall(instant, self._v.naive) is None or draw(_BOOLS)
            ):
                local = instant.astimezone(timezone(draw(_OFFSETS)))
            else:
                wall = _naive_wall(instant, self._v.naive)
                if wall is None:
                    continue
                local = wall
            value = fmt.render(local, fraction=draw(_BOOLS))
            read = record_reading(self._v.formats, value, self._v._to_utc)
            if not isinstance(read, datetime):
                continue
            placed = self._v._to_utc(read)
            if isinstance(placed, datetime) and lo <= placed - now <= hi:
                return value
        return reject()  # no declared format writes this instant with the same verdict

    def _render_naive(self, draw: st.DrawFn, wall: datetime, *, text: bool | None) -> Any:
        """A naive wall time in a declared format without an offset."""
        if not self._declared:
            return render_naive(draw, wall, text=text)
        if text is None and draw(_BOOLS):
            return wall
        for fmt in draw(st.permutations(self._v.formats)):
            if isinstance(fmt, Epoch) or fmt.name == "rfc2822" or getattr(fmt, "aware", False):
                continue
            value = fmt.render(wall, fraction=draw(_BOOLS))
            read = record_reading(self._v.formats, value, self._v._to_utc)
            if isinstance(read, datetime) and read.tzinfo is None:
                return value
        return reject()

    def _malformed(self, draw: st.DrawFn, now: datetime, *, frame: bool) -> Any:
        """A present value that no declared format reads (epoch magnitudes out of range too)."""
        if not self._declared:
            return draw_malformed(draw, now, frame=frame)
        epochs = [f for f in self._v.formats if isinstance(f, Epoch)]
        too_large: bool = draw(_BOOLS)
        if epochs and too_large:
            unit = draw(st.sampled_from(epochs))
            value: Any = int(now.timestamp() * 1_000_000) // unit.per_us * 1000  # too large
        else:
            value = draw_malformed(draw, now, frame=frame)
        if isinstance(value, (datetime, date)) or (
            record_reading(self._v.formats, value, self._v._to_utc) is not None
        ):
            return reject()
        return str(value) if frame else value


def _unlisted(validator: Freshness) -> str:
    name, n = "unlisted-source", 1
    while name in validator.per_source:
        n += 1
        name = f"unlisted-source-{n}"
    return name


def clock_reading(now: datetime | Clock) -> datetime:
    """Read ``now`` (a clock, or an aware datetime) as a UTC instant."""
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ConfigurationError(f"'now' must be a timezone-aware datetime (got naive {now})")
        return now.astimezone(UTC)
    return read_clock(now)
