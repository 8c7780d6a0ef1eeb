"""Timestamps relative to a clock reading, and the freshness family.

Every generated instant keeps a margin (one second, or a quarter of a narrow window) from the
thresholds it must not cross, so a clock that moves a little between drawing and checking cannot
flip a verdict. Instants stay within the years 1000-9000, far from the edges of what Python and
polars can represent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from inputguard._clock import Clock, read_clock
from inputguard._freshness import Freshness, FreshnessLimits
from inputguard._reasons import Reason
from inputguard.exceptions import ConfigurationError
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
            assert self.warn_after is not None  # noqa: S101 - guarded by feasible()
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
    lo, hi = limits.window("fresh" if kind == "naive" else kind)
    lo, hi = max(lo, _LOW - now), min(hi, _HIGH - now)
    if lo > hi:
        raise ConfigurationError(
            f"cannot generate {kind} timestamps for the clock reading {now.isoformat()}: "
            f"keep the clock within the years 1000-9000"
        )
    return _between(lo, hi).map(lambda offset: now + offset)


# -- rendering -----------------------------------------------------------------------------------

_offsets = st.one_of(
    st.sampled_from(_COMMON_OFFSETS), st.integers(-(23 * 60 + 59), 23 * 60 + 59)
).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def _iso_text(draw: st.DrawFn, local: datetime, zone: str) -> str:
    """One spelling of ``local`` in the shared ISO grammar, with ``zone`` appended."""
    sep = draw(st.sampled_from(["T", " "]))
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d}{sep}{local:%H:%M}"
    if local.second or local.microsecond or not draw(st.booleans()):
        text += f":{local.second:02d}"
        if local.microsecond:
            digits = f"{local.microsecond:06d}"
            style = draw(st.sampled_from(["exact", "trimmed", "nanoseconds"]))
            text += "." + {
                "exact": digits,
                "trimmed": digits.rstrip("0"),
                "nanoseconds": digits + "000",
            }[style]
    if zone and draw(st.booleans()):
        text += " "
    text += zone
    if draw(st.booleans()):
        text = f" {text} "
    return text


def _zone_text(offset: timedelta) -> SearchStrategy[str]:
    if not offset:
        return st.sampled_from(["Z", "+00:00", "z", "+0000"])
    sign = "-" if offset < timedelta(0) else "+"
    hours, minutes = divmod(abs(offset) // timedelta(minutes=1), 60)
    return st.sampled_from([f"{sign}{hours:02d}:{minutes:02d}", f"{sign}{hours:02d}{minutes:02d}"])


@st.composite
def render_aware(draw: st.DrawFn, instant: datetime, *, text: bool | None) -> datetime | str:
    """``instant`` as ISO text with an offset, or (``text`` not True) as an aware datetime."""
    as_text = text if text is not None else draw(st.booleans())
    if as_text:
        offset = draw(_offsets)
        return draw(_iso_text(instant.astimezone(timezone(offset)), draw(_zone_text(offset))))
    zone = draw(st.one_of(st.sampled_from(_ZONES), _offsets.map(timezone)))
    return instant.astimezone(zone)


@st.composite
def render_naive(draw: st.DrawFn, wall: datetime, *, text: bool | None) -> datetime | str:
    """The naive wall time ``wall`` as ISO text without offset, or as a naive datetime."""
    as_text = text if text is not None else draw(st.booleans())
    if as_text:
        return draw(_iso_text(wall, ""))
    return wall


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


@st.composite
def _render(draw: st.DrawFn, instant: datetime, policy: str, *, text: bool | None) -> Any:
    """``instant`` in any spelling the validator reads as that instant (naive if allowed)."""
    wall = _naive_wall(instant, policy)
    if wall is not None and draw(st.booleans()):
        return draw(render_naive(wall, text=text))
    return draw(render_aware(instant, text=text))


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


@st.composite
def _impossible(draw: st.DrawFn, now: datetime) -> str:
    """A well-formed timestamp with an impossible field (February 30, hour 24, second 60...)."""
    year, month, day, hour, minute, second = now.year, now.month, 1, 12, 0, 0
    field = draw(st.sampled_from(["day", "month", "hour", "minute", "second"]))
    if field == "day":
        month, day = draw(
            st.one_of(
                st.tuples(st.just(2), st.integers(30, 31)),
                st.tuples(st.sampled_from([4, 6, 9, 11]), st.just(31)),
                st.tuples(st.integers(1, 12), st.sampled_from([0, 32, 40, 99])),
            )
        )
    elif field == "month":
        month = draw(st.sampled_from([0, 13, 20, 99]))
    elif field == "hour":
        hour = draw(st.integers(24, 29))
    elif field == "minute":
        minute = draw(st.integers(60, 99))
    else:
        second = draw(st.integers(60, 99))
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def _invalid_values(now: datetime, *, frame: bool) -> SearchStrategy[Any]:
    text = st.one_of(st.sampled_from(_NOT_TIMESTAMPS), _impossible(now))
    if frame:
        return text
    epoch = int(now.timestamp())
    return st.one_of(
        text,
        st.just(epoch),
        st.just(float(epoch)),
        st.just(now.date()),
        st.just(date(2026, 1, 1)),
        st.just(True),
        st.just(now.isoformat().encode()),
    )


# -- the freshness family ------------------------------------------------------------------------


class FreshnessFamily:
    """Values for a `freshness` validator's timestamp column (and its source column)."""

    __slots__ = ("_v",)

    def __init__(self, validator: Freshness) -> None:
        self._v = validator

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

    def _all_limits(self) -> list[Limits]:
        skew = self._v.max_future_skew
        return [Limits.of(lim, skew) for lim in (self._v.limits, *self._v.per_source.values())]

    @property
    def rejections(self) -> tuple[str, ...]:
        """Missing, invalid, naive (when rejected), future and stale, where feasible."""
        every = self._all_limits()
        out = [Reason.FRESHNESS_MISSING, Reason.FRESHNESS_INVALID]
        if self._v.naive == "reject":
            out.append(Reason.FRESHNESS_NAIVE)
        if all(lim.feasible("future") for lim in every):
            out.append(Reason.FRESHNESS_FUTURE)
        if all(lim.feasible("stale") for lim in every):
            out.append(Reason.FRESHNESS_STALE)
        return tuple(str(r) for r in out)

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Timestamps travel as text in frames, so invalid and naive values fit one column."""
        return dict.fromkeys(generated, pl.String())

    def _with_source(
        self,
        record: Mapping[str, Any],
        make: Callable[[Limits], SearchStrategy[Any]],
    ) -> SearchStrategy[Values]:
        v = self._v
        if not v.per_source or v.source in record:
            limits = Limits.of(_limits_for(v, record.get(v.source)), v.max_future_skew)
            return make(limits).map(lambda value: {v.column: value})
        unlisted = _unlisted(v.per_source)
        return st.sampled_from([*sorted(v.per_source), unlisted]).flatmap(
            lambda source: make(
                Limits.of(_limits_for(v, source), v.max_future_skew)
            ).map(lambda value: {v.source: source, v.column: value})
        )

    def valid(
        self, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> SearchStrategy[Values]:
        """Fresh timestamps, and aging ones (accepted with a warning) when ``warn_after`` is set."""
        text = True if frame else None
        policy = self._v.naive

        def make(limits: Limits) -> SearchStrategy[Any]:
            kinds: list[Kind] = ["fresh", "aging"] if limits.feasible("aging") else ["fresh"]
            return st.sampled_from(kinds).flatmap(
                lambda kind: instants(now, kind, limits).flatmap(
                    lambda instant: _render(instant, policy, text=text)
                )
            )

        return self._with_source(record, make)

    def invalid(
        self, now: datetime, record: Mapping[str, Any], reason: str, *, frame: bool
    ) -> SearchStrategy[Values]:
        """Values the validator rejects with exactly ``reason``."""
        text = True if frame else None
        policy = self._v.naive

        def make(limits: Limits) -> SearchStrategy[Any]:
            if reason == Reason.FRESHNESS_MISSING:
                return st.none()
            if reason == Reason.FRESHNESS_INVALID:
                return _invalid_values(now, frame=frame)
            if reason == Reason.FRESHNESS_NAIVE:
                return instants(now, "naive", limits).flatmap(
                    lambda instant: render_naive(instant.replace(tzinfo=None), text=text)
                )
            kind: Kind = "future" if reason == Reason.FRESHNESS_FUTURE else "stale"
            return instants(now, kind, limits).flatmap(
                lambda instant: _render(instant, policy, text=text)
            )

        return self._with_source(record, make)


def _limits_for(validator: Freshness, source: object) -> FreshnessLimits:
    if isinstance(source, str):
        return validator.per_source.get(source, validator.limits)
    return validator.limits


def _unlisted(known: Mapping[str, object]) -> str:
    name, n = "unlisted-source", 1
    while name in known:
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
