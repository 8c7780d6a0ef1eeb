"""Inputs: what users hand to inputguard becomes a polars LazyFrame here, and nowhere else.

`to_lazy` accepts polars, pyarrow and pandas frames and refuses, as `InputRejected` with a reason
code, what polars would refuse with an error of its own or a panic: duplicated column names,
text that is not UTF-8, and Arrow time zones that are fixed offsets (which it converts to UTC
instead). `run_query` runs a polars query so that a failure of the user's data (a missing or
corrupt file, a malformed CSV, a failing cast, a raising Python function inside the query) is an
`InputRejected` (``schema.unreadable``) with the original error as its ``__cause__``.

See ``docs/inputs.md`` for the rules as users read them.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import polars as pl
import pyarrow as pa

from inputguard._core.reasons import Reason
from inputguard.exceptions import InputGuardError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import TracebackType

__all__ = ["run_query", "scan_source", "schema_of", "to_lazy"]

T = TypeVar("T")

_ACCEPTED = "a polars DataFrame or LazyFrame, a pyarrow Table or RecordBatch, or a pandas DataFrame"
# The form Arrow gives a fixed offset in a timestamp type's time zone (the format's spec: "+XX:XX").
_FIXED_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")
_MAX_DETAIL = 300  # characters of an underlying error's first line quoted in a message
_POLARS_DIR = str(Path(pl.__file__).parent) + os.sep  # compared with code objects' file names
_PACKAGE_DIR = str(Path(__file__).parent.parent) + os.sep  # the inputguard package


def to_lazy(data: Any) -> pl.LazyFrame:
    """Turn a frame of any supported kind into a polars LazyFrame for validation.

    Accepted: `polars.DataFrame`, `polars.LazyFrame` (returned as they are), `pyarrow.Table`,
    `pyarrow.RecordBatch` and `pandas.DataFrame`. Arrow and pandas input is checked before polars
    sees it:

    - column names must be unique (``schema.duplicate_column``);
    - text columns, including text inside lists, structs, maps and dictionaries, must be valid UTF-8
      (``schema.invalid_text``); polars would take such bytes unchecked and panic later;
    - a timestamp whose time zone is a fixed offset (``+05:30``) becomes the same instant in
      UTC, at the top level, in struct fields and in list items;
    - a pandas index becomes leading columns for each level that has a name; unnamed levels (the
      default `RangeIndex` among them) are dropped.

    pandas is never imported here: a pandas frame can exist only once its user imported pandas.

    Args:
        data: The user's frame.

    Returns:
        The frame as a LazyFrame.

    Raises:
        InputRejected: ``schema.unsupported_type`` for anything else, ``schema.duplicate_column``,
            ``schema.invalid_text``, or ``schema.unreadable`` when the conversion itself fails
            (a pandas column Arrow cannot type, an Arrow type or time zone polars does not know).

    >>> import pyarrow as pa
    >>> offset = pa.array([0], pa.timestamp("us", tz="+05:30"))
    >>> to_lazy(pa.table({"ts": offset})).collect_schema()["ts"]
    Datetime(time_unit='us', time_zone='UTC')
    """
    if isinstance(data, pl.LazyFrame):
        return data
    if isinstance(data, pl.DataFrame):
        return data.lazy()
    if isinstance(data, pa.RecordBatch):
        return _from_arrow(pa.Table.from_batches([data]))
    if isinstance(data, pa.Table):
        return _from_arrow(data)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return _from_pandas(data)
    kind = type(data)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise InputRejected(
        f"validate() takes {_ACCEPTED} (got {name})", reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE]
    )


def run_query(fn: Callable[[], T], *, what: str) -> T:
    """Run ``fn`` (a polars collect, or anything running a lazy query) and return its result.

    A failure of the data becomes `InputRejected` (``schema.unreadable``) with the original
    error as ``__cause__``: a polars error (`polars.exceptions.PolarsError` and its subclasses),
    an `OSError` (a missing file), a pyarrow `ArrowException`, a polars panic
    (``pyo3_runtime.PanicException``, which is not an `Exception`), and any error raised by a
    Python function that polars called while running the query (``map_elements``,
    ``map_batches``), which polars re-raises as its original type.

    Everything else propagates unchanged: an `InputGuardError`, `KeyboardInterrupt`,
    `SystemExit`, `MemoryError`, an error raised by ``fn`` itself rather than by the query, and an
    error raised by a function of inputguard's own that polars called (a bug, not bad data).

    Args:
        fn: The query to run, without arguments.
        what: What the query does, for the message (``"reading the input"``).

    Returns:
        Whatever ``fn`` returns.

    Raises:
        InputRejected: The query failed on the data (``schema.unreadable``).

    >>> lf = pl.LazyFrame({"n": ["1", "x"]}).select(pl.col("n").cast(pl.Int64, strict=True))
    >>> try:
    ...     run_query(lf.collect, what="reading the input")
    ... except InputRejected as error:
    ...     print(*error.reasons, type(error.__cause__).__name__)
    schema.unreadable InvalidOperationError
    """
    try:
        return fn()
    except InputGuardError:
        raise
    except (pl.exceptions.PolarsError, OSError, pa.ArrowException) as error:
        raise _unreadable(what, error) from error
    except MemoryError:
        raise
    except Exception as error:
        if not _raised_by_user_callback(error.__traceback__):
            raise
        raise _unreadable(what, error, callback=True) from error
    except BaseException as error:
        # A Rust panic in polars; KeyboardInterrupt, SystemExit and the rest propagate.
        kind = type(error)
        if kind.__name__ != "PanicException" or kind.__module__ != "pyo3_runtime":
            raise
        raise _unreadable(what, error) from error


def reject_foreign(error: Exception, *, what: str) -> NoReturn:
    """Re-raise an error met while reading a record: the caller's objects failed, or a bug.

    A record's `Mapping` whose ``__getitem__`` raises, a ``tzinfo`` whose ``utcoffset`` raises:
    the innermost frame of the traceback is the caller's code, and the record is unreadable
    (`InputRejected` with ``schema.unreadable``, the error as ``__cause__``). An error raised
    in inputguard's own code is a bug and propagates unchanged.

    Raises:
        InputRejected: The error came from outside inputguard.
    """
    last = None
    for last in _frames(error.__traceback__):  # noqa: B007 - the innermost frame is wanted
        pass
    if last is None or last.startswith((_PACKAGE_DIR, "<inputguard")):  # ours, or generated
        raise error
    raise _unreadable(what, error) from error


def schema_of(lf: pl.LazyFrame) -> pl.Schema:
    """Resolve a LazyFrame's schema through `run_query` (a scan of a missing file fails here).

    Args:
        lf: The frame.

    Returns:
        Its schema.

    Raises:
        InputRejected: The schema could not be resolved (``schema.unreadable``).
    """
    return run_query(lf.collect_schema, what="reading the input's schema")


def _unreadable(
    what: str, error: BaseException, *, field: str | None = None, callback: bool = False
) -> InputRejected:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    detail = lines[0] if lines else "no message"
    if len(detail) > _MAX_DETAIL:
        detail = detail[:_MAX_DETAIL] + "..."
    kind = type(error).__name__
    if callback:
        kind += " raised by Python code the query called"
    return InputRejected(
        f"the input must be readable, but {what} failed with {kind}: {detail}",
        reasons=[Reason.SCHEMA_UNREADABLE],
        field=field,
    )


def _frames(tb: TracebackType | None) -> Iterator[str]:
    while tb is not None:
        yield tb.tb_frame.f_code.co_filename
        tb = tb.tb_next


def _raised_by_user_callback(tb: TracebackType | None) -> bool:
    """Whether the first frame polars called back into is code outside polars and inputguard.

    The traceback runs from `run_query` inwards: the caller's frames, the query's frames inside
    polars, then (for a raising Python function in the query) the frame polars called. No polars
    frame, or nothing after them, means the error came from the caller or from polars itself.
    """
    inside_polars = False
    for filename in _frames(tb):
        if filename.startswith(_POLARS_DIR):
            inside_polars = True
        elif inside_polars:
            return not filename.startswith(_PACKAGE_DIR)
    return False


def _reject_duplicates(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            count = sum(1 for other in names if other == name)
            raise InputRejected(
                f"column names must be unique, but {count} columns are named {name!r}",
                reasons=[Reason.SCHEMA_DUPLICATE_COLUMN],
                field=name,
            )
        seen.add(name)


def _holds_text(dtype: Any) -> bool:
    """Whether an Arrow type is, or contains, a UTF-8 string type."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return True
    if pa.types.is_string_view(dtype):
        return True
    if pa.types.is_dictionary(dtype):
        return _holds_text(dtype.value_type)
    if isinstance(dtype, pa.BaseExtensionType):
        return _holds_text(dtype.storage_type)
    return any(_holds_text(dtype.field(i).type) for i in range(dtype.num_fields))


def _reject_invalid_text(table: pa.Table) -> None:
    """Validate every text-bearing column fully; Arrow's check is the UTF-8 check polars skips."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not _holds_text(column.type):
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as error:
            if "utf8" not in str(error).lower():
                raise _unreadable(f"checking Arrow column {name!r}", error, field=name) from error
            raise InputRejected(
                f"column {name!r} must hold UTF-8 text, but it holds bytes that are not valid "
                f"UTF-8 ({error})",
                reasons=[Reason.SCHEMA_INVALID_TEXT],
                field=name,
            ) from error


def _utc(dtype: Any) -> Any:
    """The Arrow type with every fixed-offset timestamp zone replaced by UTC."""
    if pa.types.is_timestamp(dtype):
        fixed = dtype.tz is not None and _FIXED_OFFSET.fullmatch(dtype.tz) is not None
        return pa.timestamp(dtype.unit, tz="UTC") if fixed else dtype
    if pa.types.is_struct(dtype):
        fields = (dtype.field(i) for i in range(dtype.num_fields))
        return pa.struct([f.with_type(_utc(f.type)) for f in fields])
    build: Callable[[Any], Any]
    if pa.types.is_list(dtype):
        build = pa.list_
    elif pa.types.is_large_list(dtype):
        build = pa.large_list
    elif pa.types.is_fixed_size_list(dtype):
        build = functools.partial(pa.list_, list_size=dtype.list_size)
    else:
        return dtype
    return build(dtype.value_field.with_type(_utc(dtype.value_type)))


def _offsets_to_utc(table: pa.Table) -> pa.Table:
    """Arrow stores timestamps as UTC instants: changing the zone to UTC keeps every instant."""
    target = pa.schema(
        [f.with_type(_utc(f.type)) for f in table.schema], metadata=table.schema.metadata
    )
    return table if target.equals(table.schema) else table.cast(target)


def _from_arrow(table: pa.Table) -> pl.LazyFrame:
    _reject_duplicates(table.column_names)
    _reject_invalid_text(table)
    table = _offsets_to_utc(table)
    frame = run_query(
        lambda: cast("pl.DataFrame", pl.from_arrow(table)), what="converting the Arrow input"
    )
    return frame.lazy()


def _from_pandas(frame: Any) -> pl.LazyFrame:
    named = [level for level in frame.index.names if level is not None]
    _reject_duplicates([*map(str, named), *map(str, frame.columns)])
    try:
        if named:
            frame = frame.reset_index(level=named)  # named levels become the leading columns
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except UnicodeEncodeError as error:  # a str with a lone surrogate, in an object column
        column = _unencodable_column(frame)
        raise InputRejected(
            f"column {column!r} must hold UTF-8 text, but it holds a string that cannot be "
            f"encoded as UTF-8 ({error})",
            reasons=[Reason.SCHEMA_INVALID_TEXT],
            field=column,
        ) from error
    except (pa.ArrowException, ValueError, TypeError) as error:
        raise _unreadable("converting the pandas DataFrame to Arrow", error) from error
    return _from_arrow(table)


def _unencodable_column(frame: Any) -> str | None:
    """The first column whose values Arrow cannot encode as UTF-8 (only run after a failure)."""
    for name in frame.columns:
        try:
            pa.array(frame[name], from_pandas=True)
        except UnicodeEncodeError:
            return str(name)
        except (pa.ArrowException, ValueError, TypeError):
            continue
    return None


_SCANS: dict[str, Callable[[Path], pl.LazyFrame]] = {
    ".parquet": pl.scan_parquet,
    ".pq": pl.scan_parquet,
    ".csv": pl.scan_csv,
    ".ipc": pl.scan_ipc,
    ".arrow": pl.scan_ipc,
    ".feather": pl.scan_ipc,
    ".ndjson": pl.scan_ndjson,
    ".jsonl": pl.scan_ndjson,
}


def scan_source(source: Any) -> pl.LazyFrame:
    """A LazyFrame over ``source``: a file path (scanned by its suffix) or any `to_lazy` input.

    Raises:
        InputRejected: A path whose suffix names no format polars can scan
            (``schema.unsupported_type``), or any `to_lazy` refusal.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        scan = _SCANS.get(path.suffix.lower())
        if scan is None:
            raise InputRejected(
                f"a source path must end in one of {sorted(_SCANS)} (got {str(path)!r})",
                reasons=[Reason.SCHEMA_UNSUPPORTED_TYPE],
            )
        return scan(path)
    return to_lazy(source)
