"""Audit events: one structlog event per `validate` / `check` call.

The library only asks for a logger; it never calls ``structlog.configure()``. Events carry
counts, never raw values or secrets.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    import polars as pl

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "by_source",
    "emit",
    "fingerprint",
    "library_version",
    "logger",
    "payload",
    "redact",
    "redacted_examples",
]

AUDIT_SCHEMA_VERSION = 1
logger = structlog.get_logger("inputguard")

def enabled(bound: Any, level: int = logging.INFO) -> bool:
    """Whether ``bound`` (from ``logger.bind()``) would log at ``level``; True if it cannot tell.

    Filtering loggers answer in a few nanoseconds, so an event nobody will see is never built.
    """
    check = getattr(bound, "is_enabled_for", None)
    return check is None or bool(check(level))


def library_version() -> str:
    """The installed inputguard version."""
    try:
        return version("inputguard")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def fingerprint(name: str, parts: Sequence[str]) -> str:
    """A short stable hash of a guard's name, its validators' descriptions and the library version.

    >>> len(fingerprint("g", ["freshness('ts', error_after='1h')"]))
    16
    """
    payload = json.dumps([name, list(parts), library_version()], ensure_ascii=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def emit(event: str, **fields: Any) -> None:
    """Log one audit event at info level; ``fields`` are the keyword arguments of `payload`.

    The event is built only when it will be logged.
    """
    bound = logger.bind()  # a bound method, not the proxy's slower attribute fallback
    if enabled(bound):
        bound.info(event, **payload(**fields))


def payload(
    *,
    guard: str,
    guard_fingerprint: str,
    checked_at: datetime,
    rows_in: int | None,
    accepted: int,
    quarantined: int,
    reasons: Mapping[str, int] | Callable[[], Mapping[str, int]],
    duration_s: float,
    more: Callable[[], Mapping[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The documented keys of an audit event (schema in ``docs/audit.md``), built now.

    Args:
        guard: The guard's name.
        guard_fingerprint: Its fingerprint.
        checked_at: The clock reading of the call.
        rows_in: Rows given (None when unknown, as for a bypassed ``LazyFrame``).
        accepted: Rows (or records) accepted.
        quarantined: Rows (or records) quarantined.
        reasons: Counts by reason code, or a callable giving them (counted only if logged).
        duration_s: Wall time of the call.
        more: Optional parts (per-source counts, redacted examples), computed here.
        **extra: Further keys (``policy``, ``function``, ``bypass_reason`` ...).
    """
    return {
        "audit_schema": AUDIT_SCHEMA_VERSION,
        "guard": guard,
        "guard_fingerprint": guard_fingerprint,
        "checked_at": checked_at.isoformat(),
        "rows_in": rows_in,
        "accepted": accepted,
        "quarantined": quarantined,
        "reasons": dict(reasons() if callable(reasons) else reasons),  # counted only if logged
        "duration_ms": round(duration_s * 1000, 3),
        **extra,
        # Optional parts (per-source counts, redacted examples) come as one callable, so that
        # they are computed only for an event somebody will see.
        **(more() if more is not None else {}),
    }


def nest(counts: Mapping[tuple[str | None, str], int]) -> dict[str, dict[str, int]]:
    """Counts by (column, code) as ``{column: {code: rows}}`` (``<none>`` for no column)."""
    out: dict[str, dict[str, int]] = {}
    for (column, code), n in counts.items():
        out.setdefault("<none>" if column is None else column, {})[code] = n
    return out


def redact(value: object) -> str:
    """The default redaction of a raw value in an audit example: its type, size and a short hash.

    Equal values redact equally (so repeats show), but the value itself cannot be read back.

    >>> redact("Austria") == redact("Austria") != redact("Australia")
    True
    >>> redact(None)
    'null'
    >>> redact("secret")[:10]
    'str(len=6,'
    """
    if value is None:
        return "null"
    text = repr(value)
    size = len(value) if isinstance(value, (str, bytes)) else len(text)
    digest = hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:8]
    return f"{type(value).__name__}(len={size}, sha256:{digest})"


def redacted_examples(
    quarantined: pl.DataFrame, limit: int, redactor: Callable[[object], object]
) -> list[dict[str, Any]]:
    """Up to ``limit`` quarantined rows with every original value passed through ``redactor``."""
    from inputguard._core.result import (  # noqa: PLC0415
        OWNER,
        REASON_COLUMNS,
        REASONS,
        ROW_ID,
        WARNINGS,
    )

    meta = {ROW_ID, REASONS, REASON_COLUMNS, OWNER, WARNINGS}
    return [
        {
            "row_id": row[ROW_ID],
            "reasons": row[REASONS],
            "reason_columns": row.get(REASON_COLUMNS),
            "owner": row.get(OWNER),
            "values": {k: redactor(v) for k, v in row.items() if k not in meta},
        }
        for row in quarantined.head(limit).iter_rows(named=True)
    ]


def by_source(
    accepted: pl.DataFrame, quarantined: pl.DataFrame, column: str
) -> dict[str, dict[str, Any]]:
    """Rows, quarantined rows and reason counts per source id (``<none>`` for a null source)."""
    import polars as pl  # noqa: PLC0415

    from inputguard._core.result import REASONS  # noqa: PLC0415

    key = pl.col(column).cast(pl.String).fill_null("<none>").alias("source")
    out: dict[str, dict[str, Any]] = {}
    for frame, field in ((accepted, "accepted"), (quarantined, "quarantined")):
        if column not in frame.columns or frame.height == 0:
            continue
        for source, n in frame.group_by(key).len().iter_rows():
            out.setdefault(source, {"accepted": 0, "quarantined": 0, "reasons": {}})[field] = n
    if column in quarantined.columns and quarantined.height:
        pairs = (
            quarantined.select(key, pl.col(REASONS).list.unique().cast(pl.List(pl.String)))
            .explode(REASONS)
            .group_by("source", REASONS)
            .len()
            .sort(["source", "len"], descending=[False, True])
        )
        for source, reason, n in pairs.iter_rows():
            out[source]["reasons"][reason] = n
    return out
