"""Audit events of a guard: built once per call, from what the call decided.

Every entry point first decides (a `Verdict`, a `Result`, or an `InputRejected` for the input
as a whole) and then emits ONE event, built here. A guarded function does the same with its
own policy added; nothing is intercepted or logged twice. The keys are the documented schema
(``docs/audit.md``); the optional parts (per-source counts, redacted examples, counts per
column) are computed only when the event will be logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from inputguard._core.result import DEFAULT_COLUMNS, ResultColumns, SinkSummary
from inputguard._ops import audit as _audit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    from inputguard._core.result import Result, Verdict
    from inputguard._guard.batch import StreamCounts

__all__ = [
    "EventSettings",
    "frame_event",
    "observe",
    "record_event",
    "sink_summary",
    "summary_event",
    "whole_event",
]

_perf_counter = time.perf_counter
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class EventSettings:
    """What a guard's events say about it, and how much of a row they may show.

    Attributes:
        guard: The guard's name.
        fingerprint: Its fingerprint.
        source_column: The column holding the source id (per-source counts), or None.
        examples: How many quarantined rows an event quotes (through ``redact``).
        redact: Turns a raw value into what an example may show.
        names: The names of the result columns.
        aliases: Other spellings of a source id (the registry's aliases): a quarantined row,
            which keeps its original value, is counted under the id it stands for.
    """

    guard: str
    fingerprint: str
    source_column: str | None
    examples: int
    redact: Callable[[object], object]
    names: ResultColumns = DEFAULT_COLUMNS
    aliases: Mapping[str, str] = field(default_factory=dict)


def record_event(settings: EventSettings, verdict: Verdict, started: float) -> dict[str, Any]:
    """The fields of a record's ``inputguard.check`` event (for `_audit.payload`)."""
    ok = verdict.ok
    return {
        "guard": settings.guard,
        "guard_fingerprint": settings.fingerprint,
        "checked_at": verdict.checked_at,
        "rows_in": 1,
        "accepted": int(ok),
        "quarantined": int(not ok),
        "reasons": lambda: dict.fromkeys(verdict.reasons, 1),
        "duration_s": _perf_counter() - started,
        "more": lambda: _record_extras(settings, verdict),
    }


def _record_extras(settings: EventSettings, verdict: Verdict) -> dict[str, object]:
    extras: dict[str, object] = {"warnings": dict.fromkeys(verdict.warnings, 1)}
    column = settings.source_column
    if column is not None and column in verdict.record:
        source = verdict.record[column]
        key = "<none>" if source is None else source if isinstance(source, str) else None
        if key is not None:
            key = settings.aliases.get(key, key)
            extras["sources"] = {
                key: {
                    "accepted": int(verdict.ok),
                    "quarantined": int(not verdict.ok),
                    "reasons": dict.fromkeys(verdict.reasons, 1),
                }
            }
    if settings.examples and not verdict.ok:
        extras["examples"] = [
            {
                "row_id": None,
                "reasons": list(verdict.reasons),
                "reason_columns": list(verdict.reason_columns),
                "owner": verdict.owner,
                "values": {k: settings.redact(v) for k, v in verdict.record.items()},
            }
        ]
    return extras


def frame_event(settings: EventSettings, result: Result, **extra: Any) -> dict[str, Any]:
    """The fields of a frame's ``inputguard.validate`` event (for `_audit.payload`)."""
    return {
        "guard": settings.guard,
        "guard_fingerprint": settings.fingerprint,
        "checked_at": result.checked_at,
        "rows_in": result.rows,
        "accepted": result.accepted.height,
        "quarantined": result.quarantined.height,
        "reasons": result.counts,
        "duration_s": result.duration_s,
        "more": lambda: _frame_extras(settings, result),
        **extra,
    }


def _frame_extras(settings: EventSettings, result: Result) -> dict[str, object]:
    extras: dict[str, object] = {
        "reasons_by_column": _audit.nest(result.counts_by_column()),
        "warnings": result.warning_counts(),
    }
    if settings.source_column is not None:
        extras["sources"] = _audit.by_source(
            result.accepted,
            result.quarantined,
            settings.source_column,
            reasons_column=result.columns.reasons,
            aliases=settings.aliases,
        )
    if settings.examples:
        extras["examples"] = _audit.redacted_examples(
            result.quarantined, settings.examples, settings.redact, result.columns
        )
    return extras


def sink_summary(
    settings: EventSettings, counts: StreamCounts, checked_at: datetime, duration_s: float
) -> SinkSummary:
    """What a `Guard.sink` run wrote, as the `SinkSummary` it returns (counts, most first)."""
    return SinkSummary(
        guard=settings.guard,
        fingerprint=settings.fingerprint,
        checked_at=checked_at,
        accepted=counts.accepted,
        quarantined=counts.quarantined,
        reasons=_ranked(counts.reasons),
        reasons_by_column=_ranked(counts.by_column),
        warnings=_ranked(counts.warnings),
        duration_s=duration_s,
    )


def _ranked(counts: Mapping[K, int]) -> dict[K, int]:
    """Counts, most frequent first (ties in key order)."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def summary_event(settings: EventSettings, summary: SinkSummary) -> dict[str, Any]:
    """The fields of a `Guard.sink` run's one ``inputguard.validate`` event (``mode="sink"``)."""
    return {
        "guard": settings.guard,
        "guard_fingerprint": settings.fingerprint,
        "checked_at": summary.checked_at,
        "rows_in": summary.rows,
        "accepted": summary.accepted,
        "quarantined": summary.quarantined,
        "reasons": summary.reasons,
        "duration_s": summary.duration_s,
        "more": lambda: {
            "reasons_by_column": _audit.nest(summary.reasons_by_column),
            "warnings": dict(summary.warnings),
        },
        "mode": "sink",
    }


def whole_event(
    settings: EventSettings,
    *,
    checked_at: datetime,
    rows: int | None,
    reasons: Iterable[str],
    started: float,
) -> dict[str, Any]:
    """The fields of an event for an input rejected as a whole (every row, for these reasons)."""
    codes = tuple(reasons)
    return {
        "guard": settings.guard,
        "guard_fingerprint": settings.fingerprint,
        "checked_at": checked_at,
        "rows_in": rows,
        "accepted": 0,
        "quarantined": rows or 0,
        "reasons": dict.fromkeys(codes, rows or 0),
        "duration_s": _perf_counter() - started,
    }


def observe(
    settings: EventSettings, observers: Iterable[Callable[[Result], object]], result: Result
) -> None:
    """Give ``result`` to every observer; one that raises is logged and skipped."""
    for observer in observers:
        try:
            observer(result)
        except Exception as error:  # an observer must never break validation
            _audit.logger.warning(
                "inputguard.observer_failed",
                guard=settings.guard,
                observer=repr(observer),
                error=type(error).__name__,
            )
