"""Quarantine sinks: where quarantined rows go so that nothing is silently dropped.

A sink is any callable that takes a `Result` (`QuarantineSink`). `ParquetSink` is the one the
library ships: a directory of parquet files grouped by day and owner, written atomically under
unique names so that several processes can write to the same directory at once.

The grouping folders are named ``day-YYYY-MM-DD`` and ``owner-<key>``, not hive-style
``key=value``: a hive partition named ``owner`` (or ``date``, or any name) can clash with a column
of the rows, and ``pandas.read_parquet`` then refuses the directory. Folders without ``=`` add no
columns, so ``pandas.read_parquet(directory)``, ``pyarrow.dataset`` and
``polars.scan_parquet(directory)`` all read exactly the columns of the files.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import polars as pl

from inputguard._core.reasons import Reason
from inputguard._core.result import COLUMNS_KEY, DEFAULT_COLUMNS, Result, ResultColumns
from inputguard.exceptions import ConfigurationError, InputRejected

__all__ = [
    "ADDED_COLUMNS",
    "CHECKED_AT",
    "DAY_PREFIX",
    "GUARD_FINGERPRINT",
    "OWNER_PREFIX",
    "UNOWNED",
    "ParquetSink",
    "QuarantineSink",
    "SinkWrite",
    "owner_key",
    "quarantine_columns",
    "read_quarantine",
]

QuarantineSink = Callable[[Result], object]
"""Anything that takes a `Result` and keeps its quarantined rows; the return value is ignored."""

GUARD_FINGERPRINT = DEFAULT_COLUMNS.guard_fingerprint
CHECKED_AT = DEFAULT_COLUMNS.checked_at
ADDED_COLUMNS = DEFAULT_COLUMNS.names
"""Columns inputguard adds to a quarantined row by default (a guard's ``result_columns`` may
name them otherwise); everything else is the row's original data."""


UNOWNED = "unowned"
DAY_PREFIX = "day-"
OWNER_PREFIX = "owner-"
# Files of the layout before 0.1 (hive-style folders), still read by `read_quarantine`.
_LEGACY_GLOB = "date=*/owner=*/*.parquet"
_GLOB = f"{DAY_PREFIX}*/{OWNER_PREFIX}*/*.parquet"
_MAX_KEY = 120  # bytes of directory name kept before a long owner is shortened with a hash
Compression = Literal["zstd", "snappy", "lz4", "gzip", "uncompressed"]
_COMPRESSIONS = frozenset({"zstd", "snappy", "lz4", "gzip", "uncompressed"})


def owner_key(owner: str | None) -> str:
    """The directory-safe form of an owner, used in ``owner-<key>`` folder names.

    Every byte outside ``[A-Za-z0-9_-]`` is percent-encoded (so ``/``, ``.``, ``%`` and
    whitespace can never form a path), a missing or blank owner becomes ``unowned``, and very
    long names are cut and suffixed with a hash so that two owners never share a cut name.
    The exact owner is always kept in the file's ``owner`` column; the key only routes files.

    >>> owner_key("data-eng")
    'data-eng'
    >>> owner_key("../etc/passwd")
    '%2E%2E%2Fetc%2Fpasswd'
    >>> owner_key(None)
    'unowned'
    """
    if owner is None or not owner.strip():
        return UNOWNED
    key = quote(owner, safe="").replace(".", "%2E").replace("~", "%7E")
    if len(key) > _MAX_KEY:
        digest = hashlib.sha256(owner.encode()).hexdigest()[:16]
        key = f"{key[: _MAX_KEY - 17].rstrip('%0123456789ABCDEF')}-{digest}"
    return key


@dataclass(frozen=True, slots=True)
class SinkWrite:
    """What one `ParquetSink.write` call wrote.

    Attributes:
        files: The parquet files created, one per owner in the batch, in owner-key order.
        rows: Quarantined rows written (equal to ``result.quarantined.height``).
    """

    files: tuple[Path, ...]
    rows: int


@dataclass(frozen=True, slots=True, repr=False)
class ParquetSink:
    """Write quarantined rows to a parquet directory grouped by day and owner.

    Layout: ``<directory>/day-YYYY-MM-DD/owner-<owner key>/part-<time>-<uuid>.parquet``, where
    the day is the UTC date of the guard's clock reading and the owner key is `owner_key`. The
    folders are not hive partitions (no ``=``), so they never clash with a column:
    ``pandas.read_parquet(directory)`` and ``polars.scan_parquet(directory)`` read the files'
    columns and nothing else. Each file holds the quarantined rows as `Result.quarantined`
    has them (``row_id``, the original columns, ``reasons``, ``reason_columns``, ``owner``,
    ``warnings``; the code lists as plain strings, so files of different guards share one
    type) plus ``guard_fingerprint`` and ``checked_at``. Files are written to a hidden
    temporary name and renamed into place, so a reader never sees half a file, and names are
    unique, so no write replaces another.

    A `ParquetSink` is itself a `QuarantineSink`: calling it writes.

    Args:
        directory: The root directory; created on the first write.
        compression: Parquet compression codec.

    Raises:
        ConfigurationError: An empty directory name or an unknown codec.

    >>> ParquetSink("quarantine")
    ParquetSink('quarantine')
    """

    directory: Path
    compression: Compression = "zstd"

    def __init__(
        self, directory: str | os.PathLike[str], *, compression: Compression = "zstd"
    ) -> None:
        if not str(directory).strip():
            raise ConfigurationError(f"'directory' must be a non-empty path (got {directory!r})")
        if compression not in _COMPRESSIONS:
            raise ConfigurationError(
                f"'compression' must be one of {sorted(_COMPRESSIONS)!r} (got {compression!r})"
            )
        object.__setattr__(self, "directory", Path(directory))
        object.__setattr__(self, "compression", compression)

    def __repr__(self) -> str:
        extra = f", compression={self.compression!r}" if self.compression != "zstd" else ""
        return f"ParquetSink({str(self.directory)!r}{extra})"

    def __call__(self, result: Result) -> SinkWrite:
        return self.write(result)

    def write(self, result: Result) -> SinkWrite:
        """Write ``result.quarantined`` with the guard fingerprint and clock reading.

        Args:
            result: What `Guard.validate` returned. A result with no quarantined rows writes
                nothing.

        Returns:
            The files written and the row count.

        Raises:
            InputRejected: A quarantined row has an original column named ``guard_fingerprint``
                or ``checked_at`` (``schema.reserved_column``): rename it, or give the guard
                other ``result_columns``.
        """
        frame = result.quarantined
        if frame.height == 0:
            return SinkWrite(files=(), rows=0)
        n = result.columns
        clash = [c for c in (n.guard_fingerprint, n.checked_at) if c in frame.columns]
        if clash:
            raise InputRejected(
                f"quarantined rows have a column {clash[0]!r}, which the quarantine sink adds "
                "itself; rename it before validating, or give the results other names with "
                "Guard(..., result_columns=...)",
                reasons=[Reason.SCHEMA_RESERVED_COLUMN],
                field=clash[0],
            )
        checked_at = result.checked_at.astimezone(UTC)
        codes = [c for c in (n.reasons, n.warnings) if c in frame.columns]
        stamped = frame.with_columns(
            *(pl.col(c).cast(pl.List(pl.String)) for c in codes),
            pl.lit(result.fingerprint, pl.String).alias(n.guard_fingerprint),
            pl.lit(checked_at, pl.Datetime("us", "UTC")).alias(n.checked_at),
        )
        day = self.directory / f"{DAY_PREFIX}{checked_at.date().isoformat()}"
        stem = f"part-{checked_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex}"
        files: list[Path] = []
        for index, ((owner,), part) in enumerate(
            stamped.group_by(n.owner, maintain_order=True)  # null owners form one group
        ):
            folder = day / f"{OWNER_PREFIX}{owner_key(owner)}"
            files.append(self._write_file(part, folder, f"{stem}-{index}.parquet", n))
        return SinkWrite(files=tuple(sorted(files)), rows=frame.height)

    def _write_file(
        self, part: pl.DataFrame, folder: Path, name: str, columns: ResultColumns
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / name
        temporary = folder / f".{name}.tmp"
        try:
            part.write_parquet(temporary, compression=self.compression, metadata=columns.metadata())
            os.replace(temporary, final)  # atomic on one file system
        finally:
            temporary.unlink(missing_ok=True)
        return final

    def files(self) -> list[Path]:
        """Every parquet file under the directory, sorted (temporary files excluded)."""
        if not self.directory.is_dir():
            return []
        found = [*self.directory.glob(_GLOB), *self.directory.glob(_LEGACY_GLOB)]
        return sorted(p for p in found if not p.name.startswith("."))

    def read(self) -> pl.DataFrame:
        """Read every quarantined row back; see `read_quarantine`."""
        return read_quarantine(self.directory)


def quarantine_columns(directory: str | os.PathLike[str]) -> ResultColumns:
    """The result column names the files of a `ParquetSink` directory were written with.

    Each file records them in its parquet metadata; files without the record (written before
    it existed) use the defaults. An empty directory gives the defaults.

    Raises:
        ConfigurationError: Two files name the result columns differently (two guards with
            different ``result_columns`` wrote to one directory), or a record is unreadable.
    """
    found: dict[ResultColumns, Path] = {}
    for path in ParquetSink(directory).files():
        found.setdefault(_file_columns(path), path)
    if len(found) > 1:
        (first, a), (second, b) = list(found.items())[:2]
        raise ConfigurationError(
            f"quarantine directory {str(directory)!r} mixes result column names: {a} uses "
            f"{first.as_dict()!r}, {b} uses {second.as_dict()!r}; read the files separately"
        )
    return next(iter(found), DEFAULT_COLUMNS)


def _file_columns(path: Path) -> ResultColumns:
    raw = pl.read_parquet_metadata(path).get(COLUMNS_KEY)
    return DEFAULT_COLUMNS if raw is None else ResultColumns.from_record(raw, str(path))


def read_quarantine(directory: str | os.PathLike[str]) -> pl.DataFrame:
    """Read a `ParquetSink` directory back as one frame.

    Files written from batches with different columns are combined by name; a column a batch
    did not have is null for its rows. The folders only route files: ``owner`` and
    ``checked_at`` come from the files, never from the path. Files of the earlier hive-style
    layout (``date=.../owner=...``) are read too. The result columns carry the names the
    files were written with (`quarantine_columns`).

    Args:
        directory: The sink's root directory.

    Returns:
        Every row written, with the result columns and the original columns. A missing or
        empty directory gives an empty frame with only the default result columns.

    Raises:
        ConfigurationError: The files name the result columns differently.
    """
    files = ParquetSink(directory).files()
    if not files:
        n = DEFAULT_COLUMNS
        return pl.DataFrame(
            schema={
                n.row_id: pl.UInt32,
                n.reasons: pl.List(pl.String),
                n.owner: pl.String,
                n.warnings: pl.List(pl.String),
                n.guard_fingerprint: pl.String,
                n.checked_at: pl.Datetime("us", "UTC"),
            }
        )
    quarantine_columns(directory)  # one set of names, or a clear error
    parts = [pl.read_parquet(f, hive_partitioning=False) for f in files]
    return pl.concat(parts, how="diagonal_relaxed")
