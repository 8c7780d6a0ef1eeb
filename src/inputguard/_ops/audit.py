"""Audit events: one event per `validate` / `check` call, routed to the application's logging.

The library never configures logging. An event goes to structlog when the application has
configured structlog (``structlog.configure``), and otherwise to the standard library's
``logging.getLogger("inputguard")``, which only carries the library's `logging.NullHandler`:
with neither set up, nothing is printed and no event is even built. Events carry counts,
never raw values or secrets.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Final

import structlog

from inputguard._ops.redaction import KeyedRedaction, keyed_redact, redact

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    import polars as pl

    from inputguard._core.result import ResultColumns

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "MAX_SOURCES",
    "KeyedRedaction",
    "by_source",
    "emit",
    "fingerprint",
    "keyed_redact",
    "library_version",
    "logger",
    "payload",
    "redact",
    "redacted_examples",
]

AUDIT_SCHEMA_VERSION = 1
MAX_SOURCES: Final = 50
"""How many distinct sources an event lists by name; the rest are counted under `OTHER`."""
NONE: Final = "<none>"
"""The per-source key of rows whose source is null."""
UNREGISTERED: Final = "<unregistered>"
"""The per-source key of every source value the registry does not know (``source.unknown``)."""
OTHER: Final = "<other>"
"""The per-source key of the sources beyond `MAX_SOURCES`."""
NOT_TEXT: Final = "<not text>"
"""The per-source key of source values that are neither text nor numbers (lists, bytes ...)."""
_UNKNOWN_REASON: Final = "source.unknown"  # Reason.SOURCE_UNKNOWN; _ops reads codes as text

_STDLIB: Final = logging.getLogger("inputguard")
# The standard library's advice for libraries: a NullHandler, so that an application without
# logging set up sees nothing (not even warnings through logging's "last resort" handler).
_STDLIB.addHandler(logging.NullHandler())
_STRUCTLOG: Final = structlog.get_logger("inputguard")


class _Fields:
    """An event's fields, written as JSON only if a stdlib handler formats the message."""

    __slots__ = ("fields",)

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return json.dumps(self.fields, ensure_ascii=False, default=str)


@dataclass(frozen=True, slots=True)
class _StdlibBound:
    """The structlog-like face of the ``inputguard`` stdlib logger (what `logger.bind` gives).

    A record's message is ``"<event> <fields as JSON>"``; the fields are also on the record as
    ``record.event`` and ``record.audit`` for handlers that write structured logs.
    """

    context: Mapping[str, Any] = field(default_factory=dict)

    def is_enabled_for(self, level: int) -> bool:
        return _STDLIB.isEnabledFor(level)

    def bind(self, **values: Any) -> _StdlibBound:
        return _StdlibBound({**self.context, **values})

    def log(self, level: int, event: str, **fields: Any) -> None:
        if _STDLIB.isEnabledFor(level):
            merged = {**self.context, **fields}
            _STDLIB.log(
                level, "%s %s", event, _Fields(merged), extra={"event": event, "audit": merged}
            )

    def debug(self, event: str, **fields: Any) -> None:
        self.log(logging.DEBUG, event, **fields)

    def info(self, event: str, **fields: Any) -> None:
        self.log(logging.INFO, event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self.log(logging.WARNING, event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self.log(logging.ERROR, event, **fields)


_STDLIB_BOUND: Final = _StdlibBound()


class _Router:
    """The library's logger: structlog when the application configured it, else stdlib logging.

    ``bind()`` answers with the target of this moment (a structlog bound logger, or the stdlib
    face), so `enabled` and the level methods always follow the application's current setup.
    """

    __slots__ = ()

    def bind(self, **values: Any) -> Any:
        if structlog.is_configured():
            return _STRUCTLOG.bind(**values)
        return _STDLIB_BOUND.bind(**values) if values else _STDLIB_BOUND

    def is_enabled_for(self, level: int) -> bool:
        return enabled(self.bind(), level)

    def debug(self, event: str, **fields: Any) -> None:
        self.bind().debug(event, **fields)

    def info(self, event: str, **fields: Any) -> None:
        self.bind().info(event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self.bind().warning(event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self.bind().error(event, **fields)


logger: Final = _Router()


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
        **(_folded(more()) if more is not None else {}),
    }


def _folded(parts: Mapping[str, Any]) -> Mapping[str, Any]:
    """``parts`` with its per-source counts held to the rules of `by_source`."""
    sources = parts.get("sources")
    if sources is None:
        return parts
    return {**parts, "sources": fold_sources(sources)}


def nest(counts: Mapping[tuple[str | None, str], int]) -> dict[str, dict[str, int]]:
    """Counts by (column, code) as ``{column: {code: rows}}`` (``<none>`` for no column)."""
    out: dict[str, dict[str, int]] = {}
    for (column, code), n in counts.items():
        out.setdefault("<none>" if column is None else column, {})[code] = n
    return out


def redacted_examples(
    quarantined: pl.DataFrame,
    limit: int,
    redactor: Callable[[object], object],
    names: ResultColumns | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` quarantined rows with every original value passed through ``redactor``."""
    from inputguard._core.result import DEFAULT_COLUMNS  # noqa: PLC0415

    n = names or DEFAULT_COLUMNS
    meta = n.reserved
    return [
        {
            "row_id": row[n.row_id],
            "reasons": row[n.reasons],
            "reason_columns": row.get(n.reason_columns),
            "owner": row.get(n.owner),
            "values": {k: redactor(v) for k, v in row.items() if k not in meta},
        }
        for row in quarantined.head(limit).iter_rows(named=True)
    ]


def _source_key(column: str, dtype: pl.DataType) -> pl.Expr:
    """The per-source key of every row: the value as text, whatever the column's dtype.

    Text, numbers and booleans are written as text; any other dtype (lists, structs, bytes,
    objects, durations ...) has no text form worth listing and counts as `NOT_TEXT`.
    """
    import polars as pl  # noqa: PLC0415

    from inputguard._core.dtypes import is_text  # noqa: PLC0415

    value = pl.col(column)
    if is_text(dtype) or dtype.is_numeric() or isinstance(dtype, (pl.Boolean, pl.Null)):
        text = value.cast(pl.String)
    else:
        text = pl.when(value.is_null()).then(pl.lit(None, pl.String)).otherwise(pl.lit(NOT_TEXT))
    return text.fill_null(NONE)


def by_source(
    accepted: pl.DataFrame,
    quarantined: pl.DataFrame,
    column: str,
    *,
    limit: int = MAX_SOURCES,
    reasons_column: str = "reasons",
    aliases: Mapping[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Rows, quarantined rows and reason counts per source, never a raw unknown value.

    Rows whose source the registry does not know (``source.unknown``) count together under
    `UNREGISTERED`, null sources under `NONE`, values that are not text or numbers under
    `NOT_TEXT`. At most ``limit`` sources are listed by name (the busiest first); the rest
    count together under `OTHER`. The aggregated entries carry ``distinct``, the number of
    distinct keys they stand for. Works for a source column of any dtype. ``aliases`` maps
    other spellings of a registered source to its id: quarantined rows keep their original
    value, and are counted under the id, as accepted rows (which carry the id) are.
    """
    import polars as pl  # noqa: PLC0415

    parts: list[pl.DataFrame] = []
    for frame, accepted_rows in ((accepted, 1), (quarantined, 0)):
        if column not in frame.columns or frame.height == 0:
            continue
        key = _source_key(column, frame.schema[column])
        if aliases:
            key = key.replace(list(aliases), list(aliases.values()))
        if accepted_rows:
            reasons = pl.lit([], pl.List(pl.String))
            unknown = pl.lit(value=False)
        else:
            reasons = pl.col(reasons_column).cast(pl.List(pl.String)).list.unique()
            unknown = reasons.list.contains(_UNKNOWN_REASON)
        parts.append(
            frame.select(
                pl.when(unknown).then(pl.lit(UNREGISTERED)).otherwise(key).alias("key"),
                key.alias("raw"),
                pl.lit(accepted_rows, pl.UInt32).alias("accepted"),
                reasons.alias("reasons"),
            )
        )
    if not parts:
        return {}
    rows = pl.concat(parts)
    busiest = (
        rows.filter(~pl.col("key").is_in([UNREGISTERED, NOT_TEXT]))
        .group_by("key")
        .len()
        .sort(["len", "key"], descending=[True, False])
        .head(limit)
    )
    named = [*busiest["key"].to_list(), UNREGISTERED, NOT_TEXT]
    rows = rows.with_columns(
        pl.when(pl.col("key").is_in(named)).then(pl.col("key")).otherwise(pl.lit(OTHER))
    )
    out: dict[str, dict[str, Any]] = {}
    for key, n, ok, distinct in (
        rows.group_by("key")
        .agg(pl.len(), pl.col("accepted").sum(), pl.col("raw").n_unique().alias("distinct"))
        .sort(["len", "key"], descending=[True, False])
        .iter_rows()
    ):
        entry: dict[str, Any] = {"accepted": ok, "quarantined": n - ok, "reasons": {}}
        if key in (UNREGISTERED, OTHER):
            entry["distinct"] = distinct
        out[key] = entry
    pairs = (
        rows.filter(pl.col("accepted") == 0)
        .select("key", "reasons")
        .explode("reasons")
        .drop_nulls("reasons")
        .group_by("key", "reasons")
        .len()
        .sort(["key", "len", "reasons"], descending=[False, True, False])
    )
    for key, reason, n in pairs.iter_rows():
        out[key]["reasons"][reason] = n
    return out


def fold_sources(
    sources: Mapping[str, Mapping[str, Any]], limit: int = MAX_SOURCES
) -> dict[str, dict[str, Any]]:
    """The rules of `by_source` applied to per-source counts built elsewhere (a record's).

    An entry whose reasons include ``source.unknown`` folds into `UNREGISTERED`; named
    entries beyond ``limit`` fold into `OTHER`. Folding what `by_source` built changes nothing.
    """
    special = {NONE, NOT_TEXT, UNREGISTERED, OTHER}
    out: dict[str, dict[str, Any]] = {}
    distinct: dict[str, int] = {}
    named = 0
    for key, entry in sources.items():
        reasons = entry.get("reasons", {})
        if _UNKNOWN_REASON in reasons:
            target = UNREGISTERED
        elif key in special or key in out:
            target = key
        elif named < limit:
            target, named = key, named + 1
        else:
            target = OTHER
        into = out.setdefault(target, {"accepted": 0, "quarantined": 0, "reasons": {}})
        into["accepted"] += entry.get("accepted", 0)
        into["quarantined"] += entry.get("quarantined", 0)
        for reason, n in reasons.items():
            into["reasons"][reason] = into["reasons"].get(reason, 0) + n
        distinct[target] = distinct.get(target, 0) + entry.get("distinct", 1)
    for target in (UNREGISTERED, OTHER):
        if target in out:
            out[target]["distinct"] = distinct[target]
    return out
