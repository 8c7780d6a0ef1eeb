"""The guard on Arrow record batches: one batch in, one tagged batch out, for any engine.

Accepted and quarantined rows have different layouts (normalized values vs original values),
so an engine that maps batches to batches in one pass (Spark's ``mapInArrow``, DuckDB's
``fetch_record_batch``, Ray Data's ``map_batches``) needs a single output layout holding both.
That is the *tagged* layout, derived from the input schema without data (the result columns
carry the guard's names, `Guard.result_columns`; the defaults are shown):

=================== ================= ==============================================================
column              Arrow type        holds
=================== ================= ==============================================================
``row_id``          ``int64``         the row's id, unique across batches and partitions (absent
                                      when a ``key`` column identifies rows)
``status``          ``string``        ``"accepted"`` or ``"quarantined"``
``normalized``      ``struct``        accepted rows: the normalized values and new output columns
                                      (null on quarantined rows)
``original``        ``struct``        quarantined rows: the input values, as given (null on accepted
                                      rows)
``reasons``         ``list<string>``  quarantined rows: the reason codes (null on accepted rows)
``reason_columns``  ``list<string>``  the column each reason is about, aligned with ``reasons``
``owner``           ``string``        who must fix a quarantined row (null when nobody is known)
``warnings``        ``list<string>``  warning codes, on both kinds of rows
=================== ================= ==============================================================

Every type is one Spark's Arrow reader accepts: no ``large_string``, ``large_list``, string
views, dictionaries or unsigned integers (``uint32`` becomes ``int64`` and so on, without
changing a value). A `Tagger` reads the clock once, numbers rows across every batch it tags and
counts what it saw (`Tally`), so that the caller can emit one audit event for the whole stream.

>>> from datetime import UTC, datetime
>>> import pyarrow as pa
>>> import inputguard as ig
>>> import inputguard.arrow as ig_arrow
>>> guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="demo")
>>> batch = pa.record_batch({"ts": ["2026-01-01T11:30:00Z", "yesterday"], "x": [1, 2]})
>>> tagger = ig_arrow.Tagger(guard, batch.schema, now=datetime(2026, 1, 1, 12, tzinfo=UTC))
>>> tagged = tagger.tag(batch)
>>> tagged.column("status").to_pylist(), tagged.column("row_id").to_pylist()
(['accepted', 'quarantined'], [0, 1])
>>> accepted, quarantined = ig_arrow.split(tagged)
>>> quarantined.column("ts").to_pylist(), quarantined.column("reasons").to_pylist()
(['yesterday'], [['freshness.invalid']])
>>> tagger.tally.counts()
{'freshness.invalid': 1}
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from inputguard._core.clock import read_clock
from inputguard._core.reasons import Reason
from inputguard._guard.guard import Guard
from inputguard._scale.events import emit_tally
from inputguard._scale.quiet import evaluate, source_column, without_observers
from inputguard._scale.tally import Tally
from inputguard._scale.types import portable, portable_schema
from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from inputguard._core.result import Result, ResultColumns


__all__ = [
    "ACCEPTED",
    "NORMALIZED",
    "ORIGINAL",
    "PARTITION_BITS",
    "QUARANTINED",
    "STATUS",
    "Tagger",
    "Tally",
    "split",
    "tag_batches",
    "tagged_schema",
]

STATUS = "status"
"""The tagged column saying which output a row belongs to."""
NORMALIZED = "normalized"
"""The tagged struct column of an accepted row's normalized values."""
ORIGINAL = "original"
"""The tagged struct column of a quarantined row's original values."""
ACCEPTED = "accepted"
"""``status`` of an accepted row."""
QUARANTINED = "quarantined"
"""``status`` of a quarantined row."""
PARTITION_BITS = 33
"""Row ids are ``partition << PARTITION_BITS | position``: 2**33 rows per partition, 2**30
partitions (the layout of Spark's ``monotonically_increasing_id``)."""

_CODES = pa.list_(pa.string())
_SCHEMA_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # any instant: a zero-row call reads no clock
_MAX_PARTITION = 2 ** (63 - PARTITION_BITS) - 1


@dataclass(frozen=True, slots=True)
class _Layout:
    """The tagged layout for one guard and one input schema (picklable, built on a driver)."""

    input: pa.Schema
    key: str | None
    names: ResultColumns  # the guard's result column names (``row_id``, ``reasons`` ...)
    normalized: pa.StructType
    original: pa.StructType
    schema: pa.Schema


def _layout(guard: Guard, schema: pa.Schema, key: str | None) -> _Layout:
    if not isinstance(guard, Guard):
        raise ConfigurationError(f"'guard' must be an inputguard.Guard (got {guard!r})")
    if not isinstance(schema, pa.Schema):
        raise ConfigurationError(f"'schema' must be a pyarrow.Schema (got {type(schema).__name__})")
    if key is not None:
        if not isinstance(key, str) or key not in schema.names:
            raise ConfigurationError(
                f"'key' must name a column of the input (got {key!r}; columns: {schema.names})"
            )
        readers = [repr(v) for v in guard.validators if key in v.columns]
        if readers:
            raise ConfigurationError(
                f"'key' column {key!r} is read (and may be normalized) by {readers[0]}: "
                "a row's identity must pass through unchanged"
            )
    # A zero-row call: the result's schema is the guard's output layout, with no data read.
    empty = evaluate(guard, schema.empty_table(), _SCHEMA_TIME)
    names = empty.columns
    normalized = portable_schema(
        empty.accepted.drop(names.row_id, names.warnings).to_arrow().schema
    )
    original = portable_schema(schema)
    fields = [
        *([] if key is not None else [pa.field(names.row_id, pa.int64(), nullable=False)]),
        pa.field(STATUS, pa.string(), nullable=False),
        pa.field(NORMALIZED, pa.struct(list(normalized))),
        pa.field(ORIGINAL, pa.struct(list(original))),
        pa.field(names.reasons, _CODES),
        pa.field(names.reason_columns, _CODES),
        pa.field(names.owner, pa.string()),
        pa.field(names.warnings, _CODES),
    ]
    return _Layout(
        input=schema,
        key=key,
        names=names,
        normalized=pa.struct(list(normalized)),
        original=pa.struct(list(original)),
        schema=pa.schema(fields),
    )


def tagged_schema(guard: Guard, schema: pa.Schema, *, key: str | None = None) -> pa.Schema:
    """The tagged Arrow schema the guard gives batches of ``schema``, derived without data.

    Args:
        guard: The guard.
        schema: The input batches' Arrow schema.
        key: A column of the input that identifies rows; the tagged schema then has no
            ``row_id``. No validator may read it (its value must pass through unchanged).

    Returns:
        The schema of every batch a `Tagger` for ``schema`` returns (see the module docs).

    Raises:
        InputRejected: The guard rejects any input of this schema (a missing or reserved
            column, a duplicated name).
        ConfigurationError: ``key`` is not a column, or a validator reads it.
    """
    return _layout(guard, schema, key).schema


class Tagger:
    """Tags a stream of Arrow batches of one schema under one clock reading.

    Args:
        guard: The guard to run (its observers are not called, and it emits no event per
            batch: call `emit` once for the stream, or let an integration do it).
        schema: The input batches' Arrow schema.
        now: The instant to check every batch against; None reads the guard's clock once, now.
        key: A column that identifies rows (no ``row_id`` is generated), see `tagged_schema`.
        partition: This stream's partition number (0 to 2**30 - 1). Row ids are
            ``partition << 33 | position in the stream``, so streams tagged with different
            partition numbers never share an id.

    Raises:
        ConfigurationError: A bad ``key``, ``partition`` or ``now`` (naive).
        InputRejected: The guard rejects any input of this schema.
    """

    __slots__ = ("_busy_s", "_counting", "_guard", "_layout", "_next", "_now", "_tally")

    def __init__(
        self,
        guard: Guard,
        schema: pa.Schema,
        *,
        now: datetime | None = None,
        key: str | None = None,
        partition: int = 0,
    ) -> None:
        if isinstance(partition, bool) or not isinstance(partition, int):
            raise ConfigurationError(f"'partition' must be an int (got {partition!r})")
        if not 0 <= partition <= _MAX_PARTITION:
            raise ConfigurationError(
                f"'partition' must be between 0 and {_MAX_PARTITION} (got {partition})"
            )
        layout = _layout(guard, schema, key)
        self._start(without_observers(guard), layout, now, partition)

    def _start(self, guard: Guard, layout: _Layout, now: datetime | None, partition: int) -> None:
        self._guard = guard
        self._layout = layout
        self._now = read_clock(guard.clock if now is None else (lambda: now))
        self._next = partition << PARTITION_BITS
        self._tally = Tally()
        self._counting = True
        self._busy_s = 0.0

    @classmethod
    def _prepared(
        cls, guard: Guard, layout: _Layout, *, now: datetime, partition: int, counting: bool
    ) -> Tagger:
        """A tagger for a layout derived elsewhere (a Spark driver): no zero-row call.

        ``counting=False`` skips the tally (the Spark summary counts the tagged frame).
        """
        tagger = cls.__new__(cls)
        tagger._start(guard, layout, now, partition)
        tagger._counting = counting
        return tagger

    @property
    def schema(self) -> pa.Schema:
        """The tagged schema of every batch `tag` returns."""
        return self._layout.schema

    @property
    def checked_at(self) -> datetime:
        """The one clock reading every batch is checked against."""
        return self._now

    @property
    def tally(self) -> Tally:
        """What the batches tagged so far counted."""
        return self._tally

    def tag(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Validate one batch; return it tagged (accepted rows first, then quarantined).

        Args:
            batch: A ``pyarrow.RecordBatch`` of the tagger's schema (a batch whose types differ
                but cast safely, e.g. ``large_string`` for ``string``, is cast first).

        Returns:
            A batch of `schema`, with as many rows as ``batch``.

        Raises:
            InputRejected: The batch is not a record batch (``schema.unsupported_type``), its
                columns differ or do not cast (``schema.dtype``), or the guard rejects it as a
                whole (e.g. text that is not UTF-8).
        """
        started = time.perf_counter()
        batch = self._conform(batch)
        result = evaluate(self._guard, batch, self._now)
        tagged = self._assemble(batch, result)
        self._next += batch.num_rows
        if self._counting:
            self._tally = self._tally.merge(Tally.of(result, source=source_column(self._guard)))
        self._busy_s += time.perf_counter() - started
        return tagged

    def stream(self, batches: Iterable[pa.RecordBatch] | pa.Table) -> Iterator[pa.RecordBatch]:
        """Tag every batch of ``batches`` (a ``RecordBatchReader``, a ``Table``, a list ...).

        Yields:
            One tagged batch per input batch, in order.
        """
        source = batches.to_batches() if isinstance(batches, pa.Table) else batches
        for batch in source:
            yield self.tag(batch)

    def emit(self, **extra: Any) -> None:
        """Log one ``inputguard.validate`` event for everything tagged so far.

        The event has the counts of `tally` (by reason, column, source and owner), the clock
        reading, ``mode="arrow"`` and the time spent tagging; ``extra`` adds keys.
        """
        emit_tally(
            self._guard,
            self._tally,
            checked_at=self._now,
            duration_s=self._busy_s,
            **{"mode": "arrow", **extra},
        )

    def _conform(self, batch: Any) -> pa.RecordBatch:
        if not isinstance(batch, pa.RecordBatch):
            raise InputRejected(
                f"a Tagger takes pyarrow.RecordBatch values (got {type(batch).__name__})",
                reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE],
            )
        expected = self._layout.input
        if batch.schema.equals(expected, check_metadata=False):
            return batch
        if batch.schema.names != expected.names:
            raise InputRejected(
                f"batch columns {batch.schema.names} differ from the tagger's {expected.names}",
                reasons=[Reason.SCHEMA_DTYPE],
            )
        columns = []
        for column, want in zip(batch.columns, expected, strict=True):
            if column.type == want.type:
                columns.append(column)
                continue
            # Only another encoding of the same values (large/view/dictionary, a time zone
            # label) is cast; a string where a number is expected is not "the same layout".
            error: Exception | None = None
            if _unzoned(portable(column.type)) == _unzoned(portable(want.type)):
                try:
                    columns.append(column.cast(want.type))
                    continue
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as failed:
                    error = failed
            raise InputRejected(
                f"batch column {want.name!r} is {column.type}, the tagger's schema says "
                f"{want.type}" + (f": {error}" if error else ""),
                reasons=[Reason.SCHEMA_DTYPE],
                field=want.name,
            ) from error
        return pa.RecordBatch.from_arrays(columns, schema=expected)

    def _assemble(self, batch: pa.RecordBatch, result: Result) -> pa.RecordBatch:
        layout = self._layout
        names = layout.names
        # Only what the tagged batch takes from each frame, reason lists as plain text lists
        # (quarantined originals come from the input batch itself, below).
        text = pl.List(pl.String)
        acc = result.accepted.select(
            names.row_id, *(f.name for f in layout.normalized), pl.col(names.warnings).cast(text)
        ).to_arrow()
        quar = result.quarantined.select(
            names.row_id,
            pl.col(names.reasons).cast(text),
            pl.col(names.reason_columns).cast(text),
            names.owner,
            pl.col(names.warnings).cast(text),
        ).to_arrow()
        n_acc, n_quar = acc.num_rows, quar.num_rows
        positions = quar.column(names.row_id).combine_chunks()
        originals = batch.take(positions)
        normalized = _struct(
            [acc.column(f.name).combine_chunks() for f in layout.normalized], layout.normalized
        )
        original = _struct(originals.columns, layout.original)
        columns: list[pa.Array] = []
        if layout.key is None:
            base = pa.scalar(self._next, pa.int64())
            ids = [acc.column(names.row_id).combine_chunks(), positions]
            columns.append(pa.concat_arrays([pc.add(i.cast(pa.int64()), base) for i in ids]))
        columns += [
            pa.concat_arrays(
                [
                    pa.repeat(pa.scalar(ACCEPTED, pa.string()), n_acc),
                    pa.repeat(pa.scalar(QUARANTINED, pa.string()), n_quar),
                ]
            ),
            pa.concat_arrays([normalized, pa.nulls(n_quar, layout.normalized)]),
            pa.concat_arrays([pa.nulls(n_acc, layout.original), original]),
            *(
                pa.concat_arrays([pa.nulls(n_acc, t), quar.column(name).combine_chunks().cast(t)])
                for name, t in (
                    (names.reasons, _CODES),
                    (names.reason_columns, _CODES),
                    (names.owner, pa.string()),
                )
            ),
            pa.concat_arrays(
                [
                    _cast(acc.column(names.warnings), _CODES),
                    _cast(quar.column(names.warnings), _CODES),
                ]
            ),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=layout.schema)


def _unzoned(dtype: pa.DataType) -> pa.DataType:
    """A zoned timestamp type with the zone label dropped (the instants do not change)."""
    if pa.types.is_timestamp(dtype) and dtype.tz is not None:
        return pa.timestamp(dtype.unit, tz="UTC")
    return dtype


def _cast(column: pa.ChunkedArray | pa.Array, target: pa.DataType) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return array if array.type == target else array.cast(target)


def _struct(arrays: Iterable[pa.Array], dtype: pa.StructType) -> pa.StructArray:
    fields = list(dtype)
    cast = [_cast(a, f.type) for a, f in zip(arrays, fields, strict=True)]
    return pa.StructArray.from_arrays(cast, fields=fields)


def tag_batches(
    guard: Guard,
    batches: pa.RecordBatchReader | pa.Table | Iterable[pa.RecordBatch],
    *,
    now: datetime | None = None,
    key: str | None = None,
    partition: int = 0,
) -> Iterator[pa.RecordBatch]:
    """Tag a stream of batches with a new `Tagger` (schema from the reader or first batch).

    Emits no audit event; use a `Tagger` to read the tally and emit one.

    Yields:
        One tagged batch per input batch.
    """
    schema = getattr(batches, "schema", None)
    source: Iterable[pa.RecordBatch] = (
        batches.to_batches() if isinstance(batches, pa.Table) else batches
    )
    iterator = iter(source)
    if schema is None:
        first = next(iterator, None)
        if first is None:
            return
        if not isinstance(first, pa.RecordBatch):
            raise InputRejected(
                f"tag_batches takes Arrow record batches (got {type(first).__name__})",
                reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE],
            )
        tagger = Tagger(guard, first.schema, now=now, key=key, partition=partition)
        yield tagger.tag(first)
    else:
        tagger = Tagger(guard, schema, now=now, key=key, partition=partition)
    yield from tagger.stream(iterator)


def split(tagged: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table]:
    """Accepted and quarantined rows of tagged data, in `Result`'s layouts (as Arrow tables).

    Accepted: ``row_id`` (when present), the normalized columns, ``warnings``. Quarantined:
    ``row_id``, the original columns, ``reasons``, ``reason_columns``, ``owner``,
    ``warnings``.

    Raises:
        ConfigurationError: ``tagged`` is not tagged data (no ``status`` / struct columns).
    """
    table = pa.Table.from_batches([tagged]) if isinstance(tagged, pa.RecordBatch) else tagged
    if not isinstance(table, pa.Table) or not {STATUS, NORMALIZED, ORIGINAL} <= set(
        table.column_names
    ):
        raise ConfigurationError("split() takes a batch or table a Tagger produced")
    # By position: the result columns carry the guard's names (`Guard.result_columns`).
    names = table.column_names
    at = names.index(STATUS)
    ids = names[:at]
    reasons, reason_columns, owner, warnings = names[at + 3 : at + 7]
    status = table.column(STATUS)
    parts = []
    for value, struct, tail in (
        (ACCEPTED, NORMALIZED, [warnings]),
        (QUARANTINED, ORIGINAL, [reasons, reason_columns, owner, warnings]),
    ):
        rows = table.filter(pc.equal(status, value))
        values = rows.column(struct)
        fields = [f.name for f in values.type]
        flat = [
            pa.chunked_array([c.field(i) for c in values.chunks], f.type)
            for i, f in enumerate(values.type)
        ]
        parts.append(
            pa.Table.from_arrays(
                [rows.column(c) for c in ids] + flat + [rows.column(c) for c in tail],
                names=ids + fields + tail,
            )
        )
    return parts[0], parts[1]
