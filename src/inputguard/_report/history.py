"""Audit events as a trend: quarantined share per source over time.

Reads JSON lines of ``inputguard.validate`` / ``inputguard.check`` events (``docs/audit.md``),
either as a structlog JSON renderer writes them or wrapped in the lines of an `AuditFile`
(``{"record": {...}, "seq": ...}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inputguard.exceptions import ConfigurationError

__all__ = ["Trend", "read_history"]

_EVENTS = frozenset({"inputguard.validate", "inputguard.check"})
ALL_SOURCES = "<all>"


@dataclass(frozen=True, slots=True)
class Trend:
    """Rows per time bucket and source.

    Attributes:
        bucket: ``"hour"`` or ``"day"`` (day when the events span more than two days).
        starts: The buckets' start instants (UTC), in order.
        series: Source -> per bucket ``(accepted, quarantined)``, aligned with ``starts``.
        events: Events read.
    """

    bucket: str
    starts: tuple[datetime, ...]
    series: dict[str, list[tuple[int, int]]]
    events: int


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    return int(value)


def _counts(event: dict[str, object]) -> dict[str, tuple[int, int]]:
    """``(accepted, quarantined)`` per source of one event (``<all>`` without sources)."""
    sources = event.get("sources")
    if isinstance(sources, dict) and sources:
        return {
            str(name): (_int(cell.get("accepted", 0)), _int(cell.get("quarantined", 0)))
            for name, cell in sources.items()
            if isinstance(cell, dict)
        }
    return {ALL_SOURCES: (_int(event.get("accepted", 0)), _int(event.get("quarantined", 0)))}


def read_history(path: str | Path) -> Trend:
    """Read an audit event file into a trend per source.

    Raises:
        ConfigurationError: The file cannot be read, a line is not JSON, or it holds no
            ``inputguard.validate`` / ``inputguard.check`` event with a ``checked_at``.
    """
    file = Path(path)
    points: list[tuple[datetime, dict[str, tuple[int, int]]]] = []
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read audit history {str(file)!r}: {error}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ConfigurationError(
                f"{str(file)!r} line {number}: not a JSON object (an audit event per line)"
            ) from None
        if isinstance(item, dict) and isinstance(item.get("record"), dict) and "seq" in item:
            item = item["record"]  # a line of an AuditFile
        if not isinstance(item, dict) or item.get("event") not in _EVENTS:
            continue
        at = _instant(item.get("checked_at"))
        if at is None:
            continue
        try:
            points.append((at, _counts(item)))
        except (TypeError, ValueError):
            raise ConfigurationError(
                f"{str(file)!r} line {number}: counts are not integers"
            ) from None
    if not points:
        raise ConfigurationError(
            f"{str(file)!r} holds no inputguard.validate or inputguard.check event"
        )
    points.sort(key=lambda p: p[0])
    span = points[-1][0] - points[0][0]
    bucket = "day" if span > timedelta(days=2) else "hour"

    def start(at: datetime) -> datetime:
        at = at.replace(minute=0, second=0, microsecond=0)
        return at.replace(hour=0) if bucket == "day" else at

    starts = sorted({start(at) for at, _ in points})
    index = {s: i for i, s in enumerate(starts)}
    series: dict[str, list[tuple[int, int]]] = {}
    for at, counts in points:
        i = index[start(at)]
        for source, (ok, bad) in counts.items():
            cells = series.setdefault(source, [(0, 0)] * len(starts))
            a, q = cells[i]
            cells[i] = (a + ok, q + bad)
    return Trend(bucket, tuple(starts), dict(sorted(series.items())), len(points))
