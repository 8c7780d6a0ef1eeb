"""Where `Guard.sink` writes its two outputs: a file per output, written batch by batch.

A target is a path (the format follows its suffix: ``.parquet``, ``.csv``, ``.ipc`` /
``.arrow`` / ``.feather``, ``.ndjson`` / ``.jsonl``) or any callable that takes each
`polars.DataFrame` batch. A file is written under a temporary name beside its target and moved
into place when the stream ends, so a reader never sees half a file; a failed stream leaves no
file behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BatchWriter", "SinkTarget", "open_writer"]

SinkTarget = str | os.PathLike[str] | Callable[[pl.DataFrame], object]
"""A file path (format by suffix) or a callable given every batch."""

_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".ipc": "ipc",
    ".arrow": "ipc",
    ".feather": "ipc",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


class BatchWriter(Protocol):
    """Takes the batches of one output, then is closed (``ok=False``: the stream failed)."""

    def write(self, batch: pl.DataFrame) -> None:
        """Write one batch."""
        ...

    def close(self, schema: pl.Schema, *, ok: bool) -> None:
        """Finish the output; ``schema`` describes it when no batch came."""
        ...


def open_writer(
    target: SinkTarget, *, name: str, metadata: dict[str, str] | None = None
) -> BatchWriter:
    """The writer for ``target``; ``name`` (``accepted`` / ``quarantined``) is for messages.

    ``metadata`` is written into a parquet or IPC file's schema metadata (what the result
    column names are, for readers of the file).

    Raises:
        ConfigurationError: A path whose suffix names no supported format, or a target that is
            neither a path nor callable.
    """
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        kind = _FORMATS.get(path.suffix.lower())
        if kind is None:
            raise ConfigurationError(
                f"{name!r} must be a path ending in one of {sorted(_FORMATS)} or a callable "
                f"(got {str(path)!r})"
            )
        return _FileWriter(path, kind, metadata or {})
    if callable(target):
        return _CallbackWriter(target)
    raise ConfigurationError(
        f"{name!r} must be a file path or a callable taking each batch (got {target!r})"
    )


class _CallbackWriter:
    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[pl.DataFrame], object]) -> None:
        self._fn = fn

    def write(self, batch: pl.DataFrame) -> None:
        self._fn(batch)

    def close(self, schema: pl.Schema, *, ok: bool) -> None:
        """Nothing to finish: the callable had every batch."""


class _FileWriter:
    """One file, written through pyarrow batch by batch (memory: one batch)."""

    __slots__ = ("_kind", "_metadata", "_path", "_tmp", "_writer")

    def __init__(self, path: Path, kind: str, metadata: dict[str, str]) -> None:
        self._path = path
        self._kind = kind
        self._metadata = metadata
        self._tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        self._writer: Any = None

    def _open(self, schema: pa.Schema) -> Any:
        import pyarrow.csv as pacsv  # noqa: PLC0415
        import pyarrow.ipc as paipc  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._kind == "parquet":
            return pq.ParquetWriter(self._tmp, schema, compression="zstd")
        if self._kind == "ipc":
            return paipc.new_file(self._tmp, schema)
        if self._kind == "csv":
            return pacsv.CSVWriter(self._tmp, schema)
        return _NdjsonFile(self._tmp)

    def write(self, batch: pl.DataFrame) -> None:
        if self._kind == "csv":  # CSV holds no lists: each list as its items joined by "|"
            batch = _flatten_lists(batch)
        table = batch.to_arrow()
        if self._metadata and self._kind in ("parquet", "ipc"):
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), **self._metadata}
            )
        if self._writer is None:
            self._writer = self._open(table.schema)
        if self._kind == "ndjson":
            self._writer.write(batch)
        else:
            self._writer.write_table(table)

    def close(self, schema: pl.Schema, *, ok: bool) -> None:
        try:
            if ok and self._writer is None:  # no rows: an empty file with the schema
                self.write(pl.DataFrame(schema=schema))
            if self._writer is not None:
                self._writer.close()
            if ok:
                self._tmp.replace(self._path)
        finally:
            if not ok or self._tmp.exists():
                self._tmp.unlink(missing_ok=True)


class _NdjsonFile:
    __slots__ = ("_handle",)

    def __init__(self, path: Path) -> None:
        self._handle = path.open("wb")

    def write(self, batch: pl.DataFrame) -> None:
        batch.write_ndjson(self._handle)

    def close(self) -> None:
        self._handle.close()


def _flatten_lists(batch: pl.DataFrame) -> pl.DataFrame:
    lists = [name for name, dtype in batch.schema.items() if isinstance(dtype, pl.List)]
    if not lists:
        return batch
    return batch.with_columns(
        pl.col(name)
        .cast(pl.List(pl.String))
        .list.eval(pl.element().fill_null(""))
        .list.join("|")
        .alias(name)
        for name in lists
    )
