"""Reading what ``inputguard validate`` or a `ParquetSink` wrote, for the report and the CLI.

A result directory is either an ``inputguard validate --out`` directory (``summary.json``,
``accepted/``, ``quarantined/``) or a `ParquetSink` directory (``day-*/owner-*/*.parquet``).
A single quarantined file (parquet, IPC, NDJSON or CSV) is read as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from inputguard._core.result import COLUMNS_KEY, DEFAULT_COLUMNS, ResultColumns
from inputguard._ops.sinks import ParquetSink, quarantine_columns, read_quarantine
from inputguard.exceptions import ConfigurationError

__all__ = ["SUMMARY_FILE", "Quarantine", "load_quarantine"]

SUMMARY_FILE = "summary.json"


def _lists(n: ResultColumns) -> tuple[str, str, str]:
    return (n.reasons, n.reason_columns, n.warnings)


@dataclass(frozen=True, slots=True)
class Quarantine:
    """Quarantined rows of a result directory, with what its summary tells.

    Attributes:
        rows: The quarantined rows; ``reasons``, ``reason_columns`` and ``warnings`` as lists
            of strings, ``owner`` a string column (null when unknown).
        summary: ``summary.json`` of an ``inputguard validate`` directory, else None.
        accepted: Accepted rows per source (None when the directory has no accepted files or
            no source column).
        source_column: The column holding the source id, when known and present.
        origin: What was read, for messages and the report's title.
        files: The files read.
        columns: The names of the result columns in ``rows`` (as the files recorded them,
            else the defaults).
    """

    rows: pl.DataFrame
    summary: dict[str, Any] | None
    accepted: dict[str, int] | None
    source_column: str | None
    origin: str
    files: tuple[Path, ...] = field(default=())
    columns: ResultColumns = field(default_factory=lambda: DEFAULT_COLUMNS)


def _names_of(path: Path) -> ResultColumns | None:
    """The result column names a parquet or IPC file records in its metadata, if any."""
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        raw = pl.read_parquet_metadata(path).get(COLUMNS_KEY)
    elif suffix in {".ipc", ".arrow", ".feather"}:
        import pyarrow.ipc as paipc  # noqa: PLC0415

        with paipc.open_file(path) as reader:
            raw = (reader.schema.metadata or {}).get(COLUMNS_KEY.encode())
    else:
        return None
    if raw is None:
        return None
    return ResultColumns.from_record(raw, str(path))


def _agreed(files: list[Path], origin: str, default: ResultColumns) -> ResultColumns:
    found = {names for names in map(_names_of, files) if names is not None}
    if len(found) > 1:
        raise ConfigurationError(
            f"{origin}: the files name the result columns differently; read them separately"
        )
    return next(iter(found), default)


def _read_file(path: Path, n: ResultColumns) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        frame = pl.read_parquet(path, hive_partitioning=False)
    elif suffix in {".ipc", ".arrow", ".feather"}:
        frame = pl.read_ipc(path)
    elif suffix in {".ndjson", ".jsonl"}:
        frame = pl.read_ndjson(path)
    elif suffix == ".csv":  # lists were written as their items joined by "|"
        frame = pl.read_csv(path, infer_schema=False)
        frame = frame.with_columns(
            pl.col(c).str.split("|").list.eval(pl.when(pl.element() != "").then(pl.element()))
            for c in _lists(n)
            if c in frame.columns
        )
    else:
        raise ConfigurationError(
            f"{str(path)!r}: a quarantined file must be parquet, IPC, NDJSON or CSV"
        )
    return frame


def _normalized(frame: pl.DataFrame, origin: str, n: ResultColumns) -> pl.DataFrame:
    if n.reasons not in frame.columns:
        raise ConfigurationError(
            f"{origin}: no {n.reasons!r} column, so these are not quarantined rows of inputguard"
        )
    fixes = [pl.col(c).cast(pl.List(pl.String)) for c in _lists(n) if c in frame.columns]
    if n.reason_columns not in frame.columns:
        fixes.append(pl.col(n.reasons).list.eval(pl.lit(None, pl.String)).alias(n.reason_columns))
    if n.owner not in frame.columns:
        fixes.append(pl.lit(None, pl.String).alias(n.owner))
    else:
        fixes.append(pl.col(n.owner).cast(pl.String))
    return frame.with_columns(fixes)


def _read_many(files: list[Path], origin: str, n: ResultColumns) -> pl.DataFrame:
    frames = [_read_file(f, n) for f in files]
    frames = [f for f in frames if f.width]
    if not frames:
        empty = pl.DataFrame({n.reasons: pl.Series([], dtype=pl.List(pl.String))})
        return _normalized(empty, origin, n)
    normalized = [_normalized(f, f"{origin}: {f}", n) for f in frames]
    return pl.concat(normalized, how="diagonal_relaxed")


def _accepted_by_source(files: list[Path], column: str | None) -> dict[str, int] | None:
    if column is None or not files:
        return None
    counts: dict[str, int] = {}
    for path in files:
        frame = _read_file(path, DEFAULT_COLUMNS)
        if column not in frame.columns:
            return None
        for key, n in frame.group_by(column).len().iter_rows():
            name = "<none>" if key is None else str(key)
            counts[name] = counts.get(name, 0) + n
    return counts


def load_quarantine(path: str | Path) -> Quarantine:
    """Read the quarantined rows of a result directory or file.

    Args:
        path: An ``inputguard validate --out`` directory, a `ParquetSink` directory, or one
            quarantined file.

    Returns:
        The rows and what the directory's summary says.

    Raises:
        ConfigurationError: The path does not exist, holds no quarantined rows of inputguard,
            or a file cannot be read (the message names it).
    """
    where = Path(path)
    origin = str(where)
    try:
        if where.is_file():
            n = _agreed([where], origin, DEFAULT_COLUMNS)
            rows = _read_many([where], origin, n)
            return Quarantine(rows, None, None, _guess_source(rows), origin, (where,), n)
        if not where.is_dir():
            raise ConfigurationError(f"result directory {origin!r} does not exist")
        summary_path = where / SUMMARY_FILE
        if summary_path.is_file():
            return _from_summary(where, summary_path)
        sink_files = ParquetSink(where).files()
        if sink_files:
            n = quarantine_columns(where)
            rows = _normalized(read_quarantine(where), origin, n)
            return Quarantine(rows, None, None, _guess_source(rows), origin, tuple(sink_files), n)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        if isinstance(error, ConfigurationError):
            raise
        raise ConfigurationError(f"cannot read {origin!r}: {error}") from None
    raise ConfigurationError(
        f"{origin!r} is neither an 'inputguard validate' output directory (no {SUMMARY_FILE}) "
        "nor a quarantine sink directory (no day-*/owner-*/*.parquet files)"
    )


def _from_summary(where: Path, summary_path: Path) -> Quarantine:
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        entries = summary["files"]
        quarantined = [where / entry["quarantined_file"] for entry in entries]
        accepted = [where / entry["accepted_file"] for entry in entries]
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(
            f"{str(summary_path)!r} is not a summary written by 'inputguard validate' ({error})"
        ) from None
    missing = [str(p) for p in quarantined if not p.is_file()]
    if missing:
        raise ConfigurationError(f"{str(summary_path)!r} names missing files: {missing}")
    recorded = summary.get("result_columns")
    default = (
        DEFAULT_COLUMNS
        if recorded is None
        else ResultColumns.from_record(recorded, str(summary_path))
    )
    n = _agreed(quarantined, str(where), default)
    rows = _read_many(quarantined, str(where), n)
    column = summary.get("source_column")
    column = column if isinstance(column, str) and column in rows.columns else None
    present = [p for p in accepted if p.is_file()]
    return Quarantine(
        rows,
        summary,
        _accepted_by_source(present, column),
        column,
        str(where),
        tuple(quarantined),
        n,
    )


def _guess_source(rows: pl.DataFrame) -> str | None:
    """The guard's default source column, when the rows have it."""
    return "source" if "source" in rows.columns else None
