"""The one audit event of a stream or a job, built from its merged tally."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inputguard._ops import audit as _audit

if TYPE_CHECKING:
    from datetime import datetime

    from inputguard._guard.guard import Guard
    from inputguard.arrow import Tally

__all__ = ["emit_tally"]


def emit_tally(
    guard: Guard, tally: Tally, *, checked_at: datetime, duration_s: float, **extra: Any
) -> None:
    """Log ``inputguard.validate`` for everything ``tally`` counted (``extra``: e.g. ``mode``)."""

    def more() -> dict[str, object]:
        sources: dict[str, dict[str, Any]] = {}
        for source, rows in tally.rows_by_source.items():
            quarantined = tally.quarantined_by_source.get(source, 0)
            sources[source] = {
                "accepted": rows - quarantined,
                "quarantined": quarantined,
                "reasons": {},
            }
        for (source, reason), n in tally.reasons_by_source.items():
            sources[source]["reasons"][reason] = n
        return {
            "reasons_by_column": _audit.nest(tally.reasons_by_column),
            "sources": sources,
            "owners": {"<none>" if k is None else k: n for k, n in tally.owners.items()},
            "warnings": dict(tally.warnings),
        }

    _audit.emit(
        "inputguard.validate",
        guard=guard.name,
        guard_fingerprint=guard.fingerprint,
        checked_at=checked_at,
        rows_in=tally.rows,
        accepted=tally.accepted,
        quarantined=tally.quarantined,
        reasons=tally.reasons,
        duration_s=duration_s,
        more=more,
        **extra,
    )
