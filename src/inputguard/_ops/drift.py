"""Drift watch: the alarm for a source that degrades silently.

A guard that quarantines correctly can still hide a problem: when one source starts sending
three times as many unknown terms, every row is handled right and nobody looks. `DriftWatch`
keeps a running rate of each reason code per source, compares it with a baseline, and raises
an alarm (a structlog event and a hook) when a rate departs from it.

Why an exponentially weighted rate and not a window: it needs one number per (source, reason)
instead of a buffer of recent batches, it forgets old history smoothly instead of all at once
when a batch leaves the window, and, weighted per row (a batch of ``n`` rows moves the rate
as much as ``n`` one-row batches would, approximately), it does not depend on how callers cut
their batches. Its one parameter, the half-life in rows, says how fast it reacts: after a
step change the running rate has moved half-way to the new rate within one half-life.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from inputguard._ops import audit as _audit
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from inputguard._core.result import Result

__all__ = ["NO_SOURCE", "OTHER_SOURCES", "DriftAlert", "DriftWatch"]

NO_SOURCE = "<none>"
"""The key rows without a source (null, or no source column) are counted under."""
OTHER_SOURCES = "<other>"
"""The key new sources are counted under once ``max_sources`` sources are tracked."""

DriftState = Literal["departed", "recovered"]
AlertHook = Callable[["DriftAlert"], object]


@dataclass(frozen=True, slots=True)
class DriftAlert:
    """A reason's running rate for one source departed from its baseline (or came back).

    Attributes:
        source: The source key (the value of the source column, ``<none>`` or ``<other>``).
        reason: The reason code.
        state: ``"departed"`` when the rate reached ``factor`` times its reference;
            ``"recovered"`` when a departed rate fell back below the recovery level.
        rate: The running rate (share of the source's rows with this reason).
        baseline: The baseline rate.
        reference: What the rate is compared with: ``max(baseline, min_rate)``.
        ratio: ``rate / reference``.
        factor: The configured factor.
        rows: Rows seen from the source since its baseline was set.
        guard: The guard whose result was observed, when known.
        guard_fingerprint: That guard's fingerprint, when known.
    """

    source: str
    reason: str
    state: DriftState
    rate: float
    baseline: float
    reference: float
    ratio: float
    factor: float
    rows: int
    guard: str | None = None
    guard_fingerprint: str | None = None


@dataclass(slots=True)
class _Source:
    """Mutable state of one source (kept behind the watch's lock)."""

    learned_rows: int = 0
    learned_hits: dict[str, int] = field(default_factory=dict)
    baseline: dict[str, float] | None = None
    rate: dict[str, float] = field(default_factory=dict)
    rows: int = 0  # rows since the baseline was set
    departed: set[str] = field(default_factory=set)

    def set_baseline(self, baseline: Mapping[str, float]) -> None:
        self.baseline = dict(baseline)
        self.rate = dict(baseline)
        self.rows = 0


def _positive(name: str, value: float, *, integer: bool = False) -> None:
    bad = isinstance(value, bool) or not isinstance(value, (int, float))
    if integer and not isinstance(value, int):
        bad = True
    if bad or not math.isfinite(value) or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ConfigurationError(f"{name!r} must be {kind} (got {value!r})")


class DriftWatch:
    """Running rates of each reason code per source, with an alarm on departure from baseline.

    Feed it every `Result` (`observe`) or counts (`observe_counts`). For each source it first
    learns a baseline from the source's first ``baseline_rows`` rows (all of a batch that
    crosses the mark is included), unless a baseline is given. After that, each reason's
    running rate is an exponentially weighted mean over rows with the given half-life,
    starting at the baseline. A rate *departs* when, with at least ``min_rows`` rows seen since
    the baseline, it reaches ``factor`` times its reference ``max(baseline, min_rate)``; the
    floor keeps a reason that never occurred in the baseline from alarming on its first hit.
    A departed rate *recovers* when it falls below ``(1 + factor) / 2`` times the reference.

    Each departure and recovery is logged once as ``inputguard.drift`` (warning level for a
    departure, info for a recovery) and handed to ``on_alert`` / ``on_recovery``. A hook that
    raises is logged as ``inputguard.drift_hook_failed`` and does not stop the watch. Falling
    rates never alarm. A rate that truly rises k-fold approaches k times its baseline only
    gradually, so set ``factor`` below the rise that must be caught: with the default 2, a
    tripling is caught after about one half-life of rows.

    Both rates are estimates, and a baseline learned from few hits is a noisy one: choose
    ``baseline_rows`` so that the baseline holds some hundred rows with the reasons you care
    about (the default, 5000 rows, holds 100 at a 2 % rate), and keep ``min_rate`` near the
    lowest rate worth an alarm's attention.

    Source values are logged as they are, so the source column must hold source identifiers,
    not payload. `DriftWatch` is safe to share between threads.

    Args:
        factor: How many times its reference a rate must reach to depart (> 1).
        half_life: Rows after which an old observation weighs half as much.
        baseline_rows: Rows per source to learn its baseline from.
        min_rows: Rows since the baseline needed before a source can alarm.
        min_rate: Floor of the reference rate, in (0, 1].
        baseline: Fixed baselines, ``{source: {reason: rate}}``; listed sources do not learn,
            and an unlisted reason has baseline 0.
        source: The source column of the observed frames.
        reasons: Only watch these reason codes (default: every reason seen).
        max_sources: Sources tracked by name; further sources share the ``<other>`` key.
        on_alert: Called with a `DriftAlert` on each departure.
        on_recovery: Called with a `DriftAlert` on each recovery.

    Raises:
        ConfigurationError: A parameter is out of range or a hook is not callable.

    >>> from structlog.testing import capture_logs
    >>> watch = DriftWatch(baseline_rows=100, min_rows=100, half_life=100)
    >>> with capture_logs() as events:
    ...     learning = watch.observe_counts({"crm": 100}, {("crm", "term.unknown"): 2})
    ...     alerts = watch.observe_counts({"crm": 300}, {("crm", "term.unknown"): 45})
    >>> learning
    ()
    >>> [(a.source, a.reason, a.state, round(a.ratio, 1)) for a in alerts]
    [('crm', 'term.unknown', 'departed', 6.7)]
    >>> [e["event"] for e in events]
    ['inputguard.drift_baseline', 'inputguard.drift']
    """

    __slots__ = (
        "_baseline_rows",
        "_factor",
        "_fixed",
        "_half_life",
        "_lock",
        "_max_sources",
        "_min_rate",
        "_min_rows",
        "_on_alert",
        "_on_recovery",
        "_reasons",
        "_source",
        "_sources",
    )

    def __init__(
        self,
        *,
        factor: float = 2.0,
        half_life: float = 1_000,
        baseline_rows: int = 5_000,
        min_rows: int = 500,
        min_rate: float = 0.01,
        baseline: Mapping[str, Mapping[str, float]] | None = None,
        source: str = "source",
        reasons: Collection[str] | None = None,
        max_sources: int = 1_000,
        on_alert: AlertHook | None = None,
        on_recovery: AlertHook | None = None,
    ) -> None:
        _positive("factor", factor)
        if factor <= 1:
            raise ConfigurationError(f"'factor' must be greater than 1 (got {factor!r})")
        _positive("half_life", half_life)
        _positive("baseline_rows", baseline_rows, integer=True)
        _positive("min_rows", min_rows, integer=True)
        _positive("max_sources", max_sources, integer=True)
        _positive("min_rate", min_rate)
        if min_rate > 1:
            raise ConfigurationError(f"'min_rate' must be at most 1 (got {min_rate!r})")
        if not isinstance(source, str) or not source:
            raise ConfigurationError(f"'source' must be a column name (got {source!r})")
        for name, hook in (("on_alert", on_alert), ("on_recovery", on_recovery)):
            if hook is not None and not callable(hook):
                raise ConfigurationError(f"{name!r} must be callable (got {hook!r})")
        fixed: dict[str, dict[str, float]] = {}
        for src, rates in (baseline or {}).items():
            for reason, rate in rates.items():
                if (
                    isinstance(rate, bool)
                    or not isinstance(rate, (int, float))
                    or not 0 <= rate <= 1
                ):
                    raise ConfigurationError(
                        f"baseline rate of {reason!r} for source {src!r} must be a share in "
                        f"[0, 1] (got {rate!r})"
                    )
            fixed[str(src)] = {str(r): float(v) for r, v in rates.items()}
        self._factor = float(factor)
        self._half_life = half_life
        self._baseline_rows = baseline_rows
        self._min_rows = min_rows
        self._min_rate = float(min_rate)
        self._fixed = fixed
        self._source = source
        self._reasons = None if reasons is None else frozenset(reasons)
        self._max_sources = max_sources
        self._on_alert = on_alert
        self._on_recovery = on_recovery
        self._lock = threading.Lock()
        self._sources: dict[str, _Source] = {}

    def __repr__(self) -> str:
        defaults: dict[str, Any] = {
            "factor": 2.0,
            "half_life": 1_000,
            "baseline_rows": 5_000,
            "min_rows": 500,
            "min_rate": 0.01,
            "source": "source",
            "max_sources": 1_000,
        }
        current: dict[str, Any] = {
            "factor": self._factor,
            "half_life": self._half_life,
            "baseline_rows": self._baseline_rows,
            "min_rows": self._min_rows,
            "min_rate": self._min_rate,
            "source": self._source,
            "max_sources": self._max_sources,
        }
        parts = [f"{k}={v!r}" for k, v in current.items() if v != defaults[k]]
        if self._fixed:
            parts.append(f"baseline=<{len(self._fixed)} sources>")
        if self._reasons is not None:
            parts.append(f"reasons={sorted(self._reasons)!r}")
        for name, hook in (("on_alert", self._on_alert), ("on_recovery", self._on_recovery)):
            if hook is not None:
                parts.append(f"{name}={getattr(hook, '__qualname__', repr(hook))}")
        return f"DriftWatch({', '.join(parts)})"

    @property
    def source(self) -> str:
        """The source column name."""
        return self._source

    # -- feeding ---------------------------------------------------------------------------

    def observe(self, result: Result) -> tuple[DriftAlert, ...]:
        """Count a `Result`'s rows and quarantine reasons per source, and check for drift.

        Rows are counted from both frames; a row counts once for each of its reasons. A frame
        without the source column, and rows whose source is null, count under ``<none>``.

        Args:
            result: What `Guard.validate` returned.

        Returns:
            The departures and recoveries this result caused (also logged and sent to hooks).
        """
        rows, hits = _count(result, self._source)
        return self.observe_counts(
            rows, hits, guard=result.guard, guard_fingerprint=result.fingerprint
        )

    def observe_counts(
        self,
        rows: Mapping[str, int],
        hits: Mapping[tuple[str, str], int],
        *,
        guard: str | None = None,
        guard_fingerprint: str | None = None,
    ) -> tuple[DriftAlert, ...]:
        """Feed counts directly: rows per source, and rows per (source, reason).

        Args:
            rows: Rows seen per source key.
            hits: Rows with each reason, per ``(source, reason)``; every source in it must have
                at least that many rows in ``rows``.
            guard: The guard's name, for the event.
            guard_fingerprint: The guard's fingerprint, for the event.

        Returns:
            The departures and recoveries these counts caused.

        Raises:
            ConfigurationError: A count is negative, or a reason has more hits than its
                source has rows.
        """
        for src, n in rows.items():
            if n < 0:
                raise ConfigurationError(f"rows of source {src!r} must be >= 0 (got {n!r})")
        grouped: dict[str, dict[str, int]] = {}
        for (src, reason), count in hits.items():
            if count < 0 or count > rows.get(src, 0):
                raise ConfigurationError(
                    f"hits of {reason!r} for source {src!r} must be between 0 and the source's "
                    f"rows ({rows.get(src, 0)}) (got {count!r})"
                )
            if self._reasons is None or reason in self._reasons:
                grouped.setdefault(src, {})[reason] = count
        alerts: list[DriftAlert] = []
        learned: list[tuple[str, _Source]] = []
        with self._lock:
            for src, n in rows.items():
                if n == 0:
                    continue
                key, state = self._state(src)
                was_learning = state.baseline is None
                alerts += self._update(
                    key,
                    state,
                    n,
                    grouped.get(src, {}),
                    guard=guard,
                    guard_fingerprint=guard_fingerprint,
                )
                if was_learning and state.baseline is not None:
                    learned.append((key, state))
        for key, state in learned:
            _audit.logger.info(
                "inputguard.drift_baseline",
                audit_schema=_audit.AUDIT_SCHEMA_VERSION,
                source=key,
                rows=state.learned_rows,
                baseline=dict(sorted((state.baseline or {}).items())),
                guard=guard,
                guard_fingerprint=guard_fingerprint,
            )
        for alert in alerts:
            self._announce(alert)
        return tuple(alerts)

    # -- reading ---------------------------------------------------------------------------

    def rates(self) -> dict[str, dict[str, float]]:
        """The running rates, ``{source: {reason: rate}}``, for sources past their baseline."""
        with self._lock:
            return {
                s: dict(st.rate)
                for s, st in sorted(self._sources.items())
                if st.baseline is not None
            }

    def baselines(self) -> dict[str, dict[str, float]]:
        """The baselines, ``{source: {reason: rate}}``, for sources that have one."""
        with self._lock:
            return {
                s: dict(st.baseline)
                for s, st in sorted(self._sources.items())
                if st.baseline is not None
            }

    def departed(self) -> set[tuple[str, str]]:
        """The ``(source, reason)`` pairs currently departed from their baseline."""
        with self._lock:
            return {(s, r) for s, st in self._sources.items() for r in st.departed}

    # -- internals -------------------------------------------------------------------------

    def _state(self, src: str) -> tuple[str, _Source]:
        key = src
        if key not in self._sources and len(self._sources) >= self._max_sources:
            key = OTHER_SOURCES
        state = self._sources.get(key)
        if state is None:
            state = _Source()
            if key in self._fixed:
                state.set_baseline(self._fixed[key])
            self._sources[key] = state
        return key, state

    def _update(
        self,
        key: str,
        state: _Source,
        n: int,
        hits: Mapping[str, int],
        *,
        guard: str | None,
        guard_fingerprint: str | None,
    ) -> list[DriftAlert]:
        if state.baseline is None:
            state.learned_rows += n
            for reason, count in hits.items():
                state.learned_hits[reason] = state.learned_hits.get(reason, 0) + count
            if state.learned_rows >= self._baseline_rows:
                total = state.learned_rows
                state.set_baseline({r: c / total for r, c in state.learned_hits.items()})
            return []
        baseline = state.baseline
        weight = 1.0 - 0.5 ** (n / self._half_life)  # n one-row updates, folded into one
        for reason in set(state.rate) | set(hits):
            before = state.rate.get(reason, baseline.get(reason, 0.0))
            state.rate[reason] = before + weight * (hits.get(reason, 0) / n - before)
        state.rows += n
        alerts: list[DriftAlert] = []
        for reason in sorted(state.rate):
            base = baseline.get(reason, 0.0)
            reference = max(base, self._min_rate)
            rate = state.rate[reason]
            if reason not in state.departed:
                if state.rows < self._min_rows or rate < self._factor * reference:
                    continue
                state.departed.add(reason)
                kind: DriftState = "departed"
            elif rate < (1 + self._factor) / 2 * reference:
                state.departed.discard(reason)
                kind = "recovered"
            else:
                continue
            alerts.append(
                DriftAlert(
                    source=key,
                    reason=reason,
                    state=kind,
                    rate=rate,
                    baseline=base,
                    reference=reference,
                    ratio=rate / reference,
                    factor=self._factor,
                    rows=state.rows,
                    guard=guard,
                    guard_fingerprint=guard_fingerprint,
                )
            )
        return alerts

    def _announce(self, alert: DriftAlert) -> None:
        departed = alert.state == "departed"
        log = _audit.logger.warning if departed else _audit.logger.info
        log(
            "inputguard.drift",
            audit_schema=_audit.AUDIT_SCHEMA_VERSION,
            state=alert.state,
            source=alert.source,
            reason=alert.reason,
            rate=round(alert.rate, 6),
            baseline=round(alert.baseline, 6),
            reference=round(alert.reference, 6),
            ratio=round(alert.ratio, 3),
            factor=alert.factor,
            rows=alert.rows,
            half_life=self._half_life,
            guard=alert.guard,
            guard_fingerprint=alert.guard_fingerprint,
        )
        hook = self._on_alert if departed else self._on_recovery
        if hook is None:
            return
        try:
            hook(alert)
        except Exception as exc:  # an alerting outage must not stop validation
            _audit.logger.error(
                "inputguard.drift_hook_failed",
                audit_schema=_audit.AUDIT_SCHEMA_VERSION,
                hook="on_alert" if departed else "on_recovery",
                error=type(exc).__name__,
                source=alert.source,
                reason=alert.reason,
            )


def _count(result: Result, column: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Rows per source, and rows per (source, reason), of one result."""

    def keyed(frame: pl.DataFrame) -> pl.Expr:
        if column not in frame.columns:
            return pl.lit(NO_SOURCE, pl.String).alias("__ig_source")
        return pl.col(column).cast(pl.String).fill_null(NO_SOURCE).alias("__ig_source")

    both = pl.concat(
        [
            result.accepted.select(keyed(result.accepted)),
            result.quarantined.select(keyed(result.quarantined)),
        ]
    )
    rows = dict(both.group_by("__ig_source").len().iter_rows())
    hits: dict[tuple[str, str], int] = {}
    if result.quarantined.height:
        reasons = result.columns.reasons
        exploded = (
            result.quarantined.select(
                keyed(result.quarantined),
                pl.col(reasons).list.unique().alias("__ig_reason"),  # once per reason
            )
            .explode("__ig_reason")
            .drop_nulls("__ig_reason")
            .group_by("__ig_source", "__ig_reason")
            .len()
        )
        hits = {(s, r): n for s, r, n in exploded.iter_rows()}
    return rows, hits
