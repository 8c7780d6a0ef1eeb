"""Freshness: is a record's timestamp recent enough to act on, and is it a real timestamp at all?"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from inputguard._core.defaults import MAX_FUTURE_SKEW
from inputguard._core.dtypes import US_UTC, is_text
from inputguard._core.duration import Duration, format_duration, parse_duration
from inputguard._core.limits import FreshnessLimits
from inputguard._core.lookup import lookup
from inputguard._core.reasons import Reason
from inputguard._core.steps import FALLBACK, FastStep
from inputguard._core.timestamps import (
    COMMON_SHAPE,
    in_python_range,
    iso_text_stages,
    parse_timestamp,
)
from inputguard._core.validator import (
    BatchContext,
    BatchPlan,
    Coded,
    RecordContext,
    RecordOutcome,
    Rule,
    rejections,
)
from inputguard._freshness.formats import (
    AMBIGUOUS,
    DEFAULT_FORMATS,
    Iso8601,
    TimeFormat,
    combine,
    parse_formats,
    record_reading,
)
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from polars.expr.whenthen import ChainedThen, Then

__all__ = ["Freshness", "FreshnessLimits", "freshness"]

NaivePolicy = Literal["reject", "assume_utc"] | str
_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)
# The batch path's coded rule: 0 passes, k reports _ORDER[k - 1] (at most one per row).
_ORDER = (
    Reason.FRESHNESS_MISSING,
    Reason.FRESHNESS_NAIVE,
    Reason.FRESHNESS_FUTURE,
    Reason.FRESHNESS_STALE,
    Reason.FRESHNESS_AMBIGUOUS,
    Reason.FRESHNESS_INVALID,  # last: a null code fails closed with it
)
_CODE_OF = {reason: pl.lit(i + 1, pl.UInt8) for i, reason in enumerate(_ORDER)}
_FRESHNESS_REASONS = frozenset(
    {
        Reason.FRESHNESS_MISSING,
        Reason.FRESHNESS_INVALID,
        Reason.FRESHNESS_NAIVE,
        Reason.FRESHNESS_FUTURE,
        Reason.FRESHNESS_STALE,
        Reason.FRESHNESS_AGING,
    }
)


@dataclass(frozen=True, slots=True)
class _Cutoffs:
    stale: datetime
    aging: datetime | None


def _minus(now: datetime, delta: timedelta) -> datetime:
    try:
        return now - delta
    except OverflowError:
        return _MIN


def _cutoffs(now: datetime, limits: FreshnessLimits) -> _Cutoffs:
    return _Cutoffs(
        _minus(now, limits.error_after),
        None if limits.warn_after is None else _minus(now, limits.warn_after),
    )


@dataclass(frozen=True, slots=True, repr=False)
class Freshness:
    """A freshness validator; build it with `freshness`."""

    column: str
    limits: FreshnessLimits
    max_future_skew: timedelta
    naive: NaivePolicy
    per_source: Mapping[str, FreshnessLimits] = field(default_factory=dict, hash=False)
    source: str = "source"
    formats: tuple[TimeFormat, ...] = (Iso8601(),)
    # One shared outcome per rejection reason, naming this validator's column.
    _rejected: Mapping[str, RecordOutcome] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rejected", rejections(_ORDER, self.column))

    def __repr__(self) -> str:
        parts = [repr(self.column), f"error_after={format_duration(self.limits.error_after)!r}"]
        if self.limits.warn_after is not None:
            parts.append(f"warn_after={format_duration(self.limits.warn_after)!r}")
        if self.max_future_skew != timedelta(seconds=60):
            parts.append(f"max_future_skew={format_duration(self.max_future_skew)!r}")
        if self.naive != "reject":
            parts.append(f"naive={self.naive!r}")
        if self.format_names != DEFAULT_FORMATS:
            parts.append(f"formats={list(self.format_names)!r}")
        if self.per_source:
            parts.append(f"per_source=<{len(self.per_source)} sources>")
            if self.source != "source":
                parts.append(f"source={self.source!r}")
        return f"freshness({', '.join(parts)})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The timestamp column, and the source column when per-source limits are set."""
        return (self.column, self.source) if self.per_source else (self.column,)

    @property
    def format_names(self) -> tuple[str, ...]:
        """The declared formats, as given to `freshness`."""
        return tuple(f.name for f in self.formats)

    @property
    def reasons(self) -> frozenset[str]:
        """The ``freshness.*`` reason codes (``freshness.ambiguous`` with several formats)."""
        if len(self.formats) > 1:
            return _FRESHNESS_REASONS | {Reason.FRESHNESS_AMBIGUOUS}
        return _FRESHNESS_REASONS

    # -- record path -----------------------------------------------------------------------

    def _limits_for(self, record: Mapping[str, Any]) -> FreshnessLimits:
        if self.per_source:
            source = record.get(self.source)
            if isinstance(source, str):
                return self.per_source.get(source, self.limits)
        return self.limits

    def check_record(  # noqa: PLR0911 - one return per reason, in the documented order
        self, record: Mapping[str, Any], ctx: RecordContext
    ) -> RecordOutcome:
        """Check one record's timestamp; see `freshness` for the rules."""
        value = record[self.column]
        if value is None:
            return self._rejected[Reason.FRESHNESS_MISSING]
        parsed: datetime | str | None
        if isinstance(value, datetime):
            parsed = value
        elif self.formats == _DEFAULT:
            parsed = parse_timestamp(value) if isinstance(value, str) else None
        else:
            parsed = record_reading(self.formats, value, self._to_utc)
        if parsed is None:
            return self._rejected[Reason.FRESHNESS_INVALID]
        if parsed is AMBIGUOUS:
            return self._rejected[Reason.FRESHNESS_AMBIGUOUS]
        assert isinstance(parsed, datetime)
        instant = parsed if parsed.tzinfo is UTC else self._to_utc(parsed)
        if isinstance(instant, Reason):
            return self._rejected[instant]
        # Ages, not cutoffs: `now - instant` cannot overflow for instants in years 1-9999, and
        # `age > error_after` is exactly `instant < now - error_after` (the batch path's test).
        age = ctx.now - instant
        if -age > self.max_future_skew:
            return self._rejected[Reason.FRESHNESS_FUTURE]
        limits = self._limits_for(record)
        if age > limits.error_after:
            return self._rejected[Reason.FRESHNESS_STALE]
        if limits.warn_after is not None and age > limits.warn_after:
            return RecordOutcome(warnings=(Reason.FRESHNESS_AGING,), updates={self.column: instant})
        return RecordOutcome(updates={self.column: instant})

    def _to_utc(self, value: datetime) -> datetime | Reason:
        if value.tzinfo is None or value.utcoffset() is None:
            if self.naive == "reject":
                return Reason.FRESHNESS_NAIVE
            if self.naive == "assume_utc":
                value = value.replace(tzinfo=UTC)
            else:
                zone = ZoneInfo(self.naive)
                local = value.replace(tzinfo=zone, fold=0)
                try:
                    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
                        return Reason.FRESHNESS_INVALID  # a wall time skipped by a DST change
                except OverflowError:
                    return Reason.FRESHNESS_INVALID
                value = local
        try:
            return value.astimezone(UTC)
        except OverflowError:
            return Reason.FRESHNESS_INVALID

    def record_step(self, prefix: str) -> FastStep:
        """The compiled record path's step: a clean pass for an aware timestamp in range.

        Text in `COMMON_SHAPE` or an aware `datetime` whose age is within every limit passes,
        normalized to UTC. Anything else (other text, a naive timestamp, an instant outside
        the representable range, a warning) is left to `check_record`.
        """
        p = prefix
        # Text in other declared formats, and numbers, take the reference path.
        text = "str" if self.formats == _DEFAULT else "None"
        lines = [
            f"{p}v = record[{self.column!r}]",
            f"if {p}v.__class__ is {text}:",
            # "YYYY-MM-DDThh:mm:ss+hh:mm" by its separators (half the regex's time); the
            # parser then requires digits everywhere else and checks every range but the
            # offset's minutes, hence the `< "6"`. Any other text: the common-shape regex.
            f"    if not (len({p}v) == 25 and {p}v[4:17:3] == '--T::' and {p}v[19] in '+-' "
            f"and {p}v[22] == ':' and {p}v[23] < '6') and {p}shape({p}v) is None:",
            f"        {FALLBACK}",
            f"    {p}t = {p}fromisoformat({p}v)",  # ValueError (Feb 30, year 0): the reference
            f"elif {p}v.__class__ is {p}datetime and {p}v.utcoffset() is not None:",
            f"    {p}t = {p}v",
            "else:",
            f"    {FALLBACK}",
            # An instant outside the years 1-9999 in UTC: OverflowError, left to the reference.
            f"{p}u = {p}t if {p}t.tzinfo is {p}UTC else {p}t.astimezone({p}UTC)",
            f"{p}age = now - {p}u",
            f"if {p}age < {p}skew:",  # `-age > max_future_skew`, without negating per call
            f"    {FALLBACK}",
        ]
        constants: dict[str, object] = {
            f"{p}shape": COMMON_SHAPE.fullmatch,
            f"{p}fromisoformat": datetime.fromisoformat,
            f"{p}datetime": datetime,
            f"{p}UTC": UTC,
            f"{p}skew": -self.max_future_skew,
        }
        if self.per_source:  # the same choice of limits as `_limits_for`
            lines += [
                f"{p}s = record.get({self.source!r})",
                f"{p}lim = {p}by_source.get({p}s, {p}default) "
                f"if isinstance({p}s, str) else {p}default",
                f"if {p}age > {p}lim.error_after or "
                f"({p}lim.warn_after is not None and {p}age > {p}lim.warn_after):",
                f"    {FALLBACK}",
            ]
            constants[f"{p}by_source"] = dict(self.per_source)
            constants[f"{p}default"] = self.limits
        else:
            lines += [f"if {p}age > {p}error_after:", f"    {FALLBACK}"]
            constants[f"{p}error_after"] = self.limits.error_after
            if self.limits.warn_after is not None:
                lines += [f"if {p}age > {p}warn_after:", f"    {FALLBACK}"]
                constants[f"{p}warn_after"] = self.limits.warn_after
        return FastStep(lines=tuple(lines), constants=constants, outputs={self.column: f"{p}u"})

    # -- batch path ------------------------------------------------------------------------

    def plan(self, ctx: BatchContext) -> BatchPlan:
        """Build the freshness rules and the normalized (UTC) timestamp column.

        Only rules that can fire for the column's dtype are emitted: an aware datetime column
        costs four comparisons per row and its values pass through unchanged.
        """
        col = pl.col(self.column)
        dtype = ctx.schema[self.column]
        naive_seen: pl.Expr | None = None
        ambiguous: pl.Expr | None = None
        helpers: dict[str, pl.Expr] = {}
        raw: dict[str, pl.Expr] = {}  # each format's readings, computed before the helpers
        pre: list[dict[str, pl.Expr]] = []  # stages the readings build on
        tag = ctx.helper(f"fresh{zlib.crc32(repr(self).encode()):08x}")
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone is None:
                naive_seen, instant = col.is_not_null(), self._localize(col)
            elif dtype.time_zone == "UTC":
                instant = col
            else:
                instant = col.dt.convert_time_zone("UTC")
            if dtype != US_UTC:
                instant = instant.cast(US_UTC)
        else:
            instant, naive_seen, ambiguous = self._read_exprs(col, dtype, tag, raw, pre)
        if naive_seen is not None or ambiguous is not None or not _is_plain(instant, dtype):
            # Parsing and localizing cost far more than comparing: do it once, in `prepare`,
            # and let every rule read the helper columns.
            helpers = {f"{tag}_at": instant}
            instant = pl.col(f"{tag}_at")
            if naive_seen is not None:
                helpers[f"{tag}_naive"] = naive_seen
                naive_seen = pl.col(f"{tag}_naive")
            if ambiguous is not None:
                helpers[f"{tag}_ambiguous"] = ambiguous
                ambiguous = pl.col(f"{tag}_ambiguous")
        # Accepted rows never hold an out-of-range instant, so only `usable` checks the range.
        usable = instant.is_not_null() & in_python_range(instant)
        stale_cut, aging_cut = self._cutoff_exprs(ctx)
        future_cut = pl.lit(_plus(ctx.now, self.max_future_skew), US_UTC)
        chain: Then | ChainedThen = pl.when(col.is_null()).then(_CODE_OF[Reason.FRESHNESS_MISSING])
        if ambiguous is not None:
            chain = chain.when(ambiguous).then(_CODE_OF[Reason.FRESHNESS_AMBIGUOUS])
        if naive_seen is not None and self.naive == "reject":
            chain = chain.when(naive_seen).then(_CODE_OF[Reason.FRESHNESS_NAIVE])
        code = (
            chain.when(~usable)
            .then(_CODE_OF[Reason.FRESHNESS_INVALID])
            .when(instant > future_cut)
            .then(_CODE_OF[Reason.FRESHNESS_FUTURE])
            .when(instant < stale_cut)
            .then(_CODE_OF[Reason.FRESHNESS_STALE])
            .otherwise(pl.lit(0, pl.UInt8))
        )
        rules: list[Rule | Coded] = [Coded(code, _ORDER, field=self.column)]
        if aging_cut is not None:
            aging = usable & (instant < aging_cut) & (instant >= stale_cut)
            rules.append(Rule(Reason.FRESHNESS_AGING, aging, warning=True, field=self.column))
        return BatchPlan(
            rules=tuple(rules),
            outputs={self.column: instant},
            prepare=_stages(*pre, raw, helpers),
        )

    def _read_exprs(
        self,
        col: pl.Expr,
        dtype: pl.DataType,
        tag: str,
        raw: dict[str, pl.Expr],
        pre: list[dict[str, pl.Expr]],
    ) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
        """The instant, naive and ambiguous flags of a text or number column (no datetimes).

        Each format's readings are first materialized into helper columns of ``raw``: polars'
        common-subexpression pass does not always reuse a parse that several expressions
        build on, and a parse run twice is the whole bill.
        """
        if is_text(dtype):
            text = col.cast(pl.String)
            readings: list[tuple[pl.Expr | None, pl.Expr | None]] = []
            for i, f in enumerate(self.formats):
                if isinstance(f, Iso8601):  # the default format, read in stages of its own
                    stages, iso_aware, iso_naive = iso_text_stages(text, f"{tag}_i{i}")
                    pre.extend(stages)
                    readings.append((iso_aware, iso_naive))
                else:
                    readings.append(f.text_exprs(text))
        elif dtype.is_numeric():
            numbers = [f.number_expr(col, dtype) for f in self.formats]
            readings = [(e, None) for e in numbers if e is not None]
        else:  # null, dates, booleans ...: nothing here is a timestamp
            readings = []
        if not readings:
            return pl.lit(None, dtype=US_UTC), None, None
        columns: list[tuple[pl.Expr | None, pl.Expr | None]] = []
        for i, pair in enumerate(readings):
            refs: list[pl.Expr | None] = []
            for kind, expr in zip("an", pair, strict=True):
                if expr is None:
                    refs.append(None)
                    continue
                raw[f"{tag}_r{i}{kind}"] = expr
                refs.append(pl.col(f"{tag}_r{i}{kind}"))
            columns.append((refs[0], refs[1]))
        found = combine(columns, self._localize)
        naive = None if found.naive is None else found.naive.fill_null(value=False)
        return found.instant, naive, found.ambiguous

    def _localize(self, naive: pl.Expr) -> pl.Expr:
        if self.naive == "reject":
            return pl.lit(None, dtype=US_UTC)
        if self.naive == "assume_utc":
            return naive.dt.replace_time_zone("UTC")
        return naive.dt.replace_time_zone(
            self.naive, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")

    def _cutoff_exprs(self, ctx: BatchContext) -> tuple[pl.Expr, pl.Expr | None]:
        default = _cutoffs(ctx.now, self.limits)
        if not self.per_source or not is_text(ctx.schema[self.source]):
            return (
                pl.lit(default.stale, US_UTC),
                None if default.aging is None else pl.lit(default.aging, US_UTC),
            )
        per = {key: _cutoffs(ctx.now, limits) for key, limits in self.per_source.items()}
        source = pl.col(self.source).cast(pl.String)
        stale = lookup(
            source, list(per), [c.stale for c in per.values()], dtype=US_UTC, default=default.stale
        )
        any_aging = default.aging is not None or any(c.aging for c in per.values())
        if not any_aging:
            return stale, None
        aging = lookup(
            source, list(per), [c.aging for c in per.values()], dtype=US_UTC, default=default.aging
        )
        return stale, aging


_DEFAULT: Final = (Iso8601(),)


def _stages(*stages: dict[str, pl.Expr]) -> Callable[[pl.LazyFrame], pl.LazyFrame] | None:
    """`prepare`: the helper columns, stage by stage (each stage reads the ones before)."""
    todo = [stage for stage in stages if stage]
    if not todo:
        return None

    def prepare(lf: pl.LazyFrame) -> pl.LazyFrame:
        for stage in todo:
            lf = lf.with_columns(**stage)
        return lf

    return prepare


def _is_plain(instant: pl.Expr, dtype: pl.DataType) -> bool:
    """Whether ``instant`` is cheap to repeat in every rule: an aware column, or no value."""
    return isinstance(dtype, pl.Datetime) or instant.meta.is_literal()


def _plus(now: datetime, delta: timedelta) -> datetime:
    try:
        return now + delta
    except OverflowError:
        return _MAX


def freshness(
    column: str,
    *,
    error_after: Duration,
    warn_after: Duration | None = None,
    max_future_skew: Duration = MAX_FUTURE_SKEW,
    naive: NaivePolicy = "reject",
    per_source: Mapping[str, FreshnessLimits] | None = None,
    source: str = "source",
    formats: Sequence[str] = DEFAULT_FORMATS,
) -> Freshness:
    """Check that ``column`` holds a real, timezone-aware timestamp that is recent enough.

    Per row, at most one reason: ``freshness.missing`` (null), ``freshness.invalid`` (not a
    datetime, not an ISO-8601 string, an impossible date, a wall time skipped by a DST change),
    ``freshness.naive`` (no offset and ``naive="reject"``), ``freshness.future`` (later than the
    clock plus ``max_future_skew``: a future timestamp is not "very fresh"), ``freshness.stale``
    (older than ``error_after``). A row older than ``warn_after`` but within ``error_after`` is
    accepted with the warning ``freshness.aging``. Accepted rows carry the timestamp as a UTC
    ``datetime[us]``.

    Args:
        column: The timestamp column (or record key).
        error_after: Maximum age, as a `timedelta` or a string such as ``"15m"``.
        warn_after: Age after which accepted rows carry a warning; at most ``error_after``.
        max_future_skew: How far ahead of the clock a timestamp may be.
        naive: ``"reject"`` (default), ``"assume_utc"``, or an IANA zone name such as
            ``"Europe/Paris"`` for naive wall times (ambiguous times take the earlier instant).
        per_source: Limits by source id that override ``error_after`` / ``warn_after`` for that
            source's rows (see ``SourceRegistry``); rows of other sources use the defaults.
        source: The column holding the source id, used with ``per_source``.
        formats: How text (and numbers) are read, tried in order: ``"iso8601"`` (the
            default), ``"rfc2822"`` (also HTTP dates), ``"epoch_s"``, ``"epoch_ms"``,
            ``"epoch_us"``, or strftime patterns in polars syntax (``"%d/%m/%Y %H:%M"``).
            A value that two formats read as different instants is ``freshness.ambiguous``.

    Returns:
        An immutable `Freshness` validator.

    Raises:
        ConfigurationError: A negative duration, ``warn_after`` above ``error_after``, an
            unknown time zone, or an empty column name.

    >>> freshness("event_ts", error_after="15m")
    freshness('event_ts', error_after='15m')
    >>> freshness("event_ts", error_after="1h", warn_after="2h")
    Traceback (most recent call last):
    ...
    inputguard.exceptions.ConfigurationError: 'warn_after' (2h) must not exceed 'error_after' (1h)
    """
    if not isinstance(column, str) or not column:
        raise ConfigurationError(f"'column' must be a non-empty column name (got {column!r})")
    if naive not in ("reject", "assume_utc"):
        try:
            ZoneInfo(naive)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ConfigurationError(
                f"'naive' must be 'reject', 'assume_utc' or an IANA time zone name (got {naive!r})"
            ) from None
    limits = FreshnessLimits.parse(error_after, warn_after)
    return Freshness(
        column=column,
        limits=limits,
        max_future_skew=parse_duration(max_future_skew, name="max_future_skew"),
        naive=naive,
        per_source={k: v.inherit(limits) for k, v in (per_source or {}).items()},
        source=source,
        formats=parse_formats(formats),
    )
