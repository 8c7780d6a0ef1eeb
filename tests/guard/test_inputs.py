"""Inputs: every accepted kind converts with the same values; bad input is an InputRejected."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type information
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard
from inputguard import Reason
from inputguard._guard.inputs import run_query, schema_of, to_lazy
from inputguard.exceptions import ConfigurationError, InputGuardError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Callable

EXPECTED = pl.DataFrame({"n": [1, 2, None], "s": ["a", None, "ü"]})
INSTANT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# --- each input kind -------------------------------------------------------------------------

KINDS: dict[str, Callable[[], Any]] = {
    "polars DataFrame": lambda: EXPECTED,
    "polars LazyFrame": EXPECTED.lazy,
    "pyarrow Table": EXPECTED.to_arrow,
    "pyarrow RecordBatch": lambda: EXPECTED.to_arrow().to_batches()[0],
    "pandas DataFrame": lambda: pd.DataFrame(
        {"n": pd.array([1, 2, None], dtype="Int64"), "s": ["a", None, "ü"]}
    ),
}


@pytest.mark.parametrize("make", KINDS.values(), ids=KINDS.keys())
def test_every_kind_converts_with_the_same_values(make: Callable[[], Any]) -> None:
    lazy = to_lazy(make())
    assert isinstance(lazy, pl.LazyFrame)
    assert_frame_equal(lazy.collect(), EXPECTED)


def test_polars_frames_are_not_copied() -> None:
    lazy = EXPECTED.lazy()
    assert to_lazy(lazy) is lazy


@pytest.mark.parametrize(
    "data",
    [
        [{"n": 1}],
        {"n": [1]},
        "n",
        None,
        pa.chunked_array([[1]]),
        pa.RecordBatchReader.from_batches(
            pa.schema([("n", pa.int64())]), [pa.record_batch({"n": [1]})]
        ),
        pd.Series([1]),
    ],
    ids=["list", "dict", "str", "None", "ChunkedArray", "RecordBatchReader", "pandas Series"],
)
def test_other_types_are_unsupported(data: object) -> None:
    with pytest.raises(InputRejected, match="takes a polars DataFrame") as caught:
        to_lazy(data)
    assert caught.value.reasons == (Reason.SCHEMA_UNSUPPORTED_TYPE,)
    message = str(caught.value)
    assert "pyarrow Table or RecordBatch, or a pandas DataFrame" in message
    assert f"{type(data).__name__})" in message


def test_the_engine_entry_point_is_to_lazy() -> None:
    with pytest.raises(InputRejected, match=r"\(got list\)") as caught:
        inputguard.Guard([inputguard.freshness("ts", error_after="1d")], name="g").validate([])
    assert caught.value.reasons == (Reason.SCHEMA_UNSUPPORTED_TYPE,)


@given(
    rows=st.lists(
        st.tuples(
            st.integers(-(2**63), 2**63 - 1),
            st.none() | st.text(st.characters(exclude_categories=["Cs"])),
        ),
        max_size=30,
    )
)
def test_arrow_and_pandas_frames_round_trip(rows: list[tuple[int, str | None]]) -> None:
    ints = [n for n, _ in rows]
    texts = [s for _, s in rows]
    expected = pl.DataFrame({"n": ints, "s": texts}, schema={"n": pl.Int64, "s": pl.String})
    table = pa.table({"n": pa.array(ints, pa.int64()), "s": pa.array(texts, pa.string())})
    frame = pd.DataFrame({"n": pd.Series(ints, dtype="int64"), "s": pd.Series(texts, dtype=str)})
    for data in (table, table.to_batches()[0] if rows else table, frame):
        assert_frame_equal(to_lazy(data).collect(), expected)


# --- pandas index ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    [pd.RangeIndex(2), pd.Index([7, 3]), pd.DatetimeIndex(["2026-01-01", "2026-01-02"])],
    ids=["RangeIndex", "unnamed Index", "unnamed DatetimeIndex"],
)
def test_an_unnamed_pandas_index_is_dropped(index: Any) -> None:
    frame = pd.DataFrame({"n": [1, 2]}, index=index)
    assert_frame_equal(to_lazy(frame).collect(), pl.DataFrame({"n": [1, 2]}))


def test_a_named_pandas_index_becomes_the_first_column() -> None:
    frame = pd.DataFrame({"n": [1, 2]}, index=pd.Index(["r1", "r2"], name="id"))
    assert_frame_equal(to_lazy(frame).collect(), pl.DataFrame({"id": ["r1", "r2"], "n": [1, 2]}))


def test_only_the_named_levels_of_a_multi_index_become_columns() -> None:
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["key", None])
    frame = pd.DataFrame({"n": [1, 2]}, index=index)
    assert_frame_equal(to_lazy(frame).collect(), pl.DataFrame({"key": ["a", "b"], "n": [1, 2]}))


# --- duplicated column names -----------------------------------------------------------------

DUPLICATED: dict[str, Callable[[], Any]] = {
    "pyarrow Table": lambda: pa.table([[1], [2], [3]], names=["a", "b", "a"]),
    "pyarrow RecordBatch": lambda: pa.RecordBatch.from_arrays(
        [pa.array([1]), pa.array([2]), pa.array([3])], names=["a", "b", "a"]
    ),
    "pandas DataFrame": lambda: pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"]),
    "pandas index named like a column": lambda: pd.DataFrame(
        {"a": [1], "b": [2]}, index=pd.Index([0], name="a")
    ),
}


@pytest.mark.parametrize("make", DUPLICATED.values(), ids=DUPLICATED.keys())
def test_duplicated_column_names_are_rejected_by_name(make: Callable[[], Any]) -> None:
    with pytest.raises(InputRejected, match="column names must be unique") as caught:
        to_lazy(make())
    assert caught.value.reasons == (Reason.SCHEMA_DUPLICATE_COLUMN,)
    assert caught.value.field == "a"
    assert "2 columns are named 'a'" in str(caught.value)


def test_the_first_duplicated_name_is_reported() -> None:
    table = pa.table([[1], [2], [3], [4]], names=["b", "a", "a", "b"])
    with pytest.raises(InputRejected) as caught:
        to_lazy(table)
    assert caught.value.field == "a"


def test_non_text_pandas_names_that_collide_as_text_are_duplicates() -> None:
    frame = pd.DataFrame([[1, 2]], columns=[1, "1"])
    with pytest.raises(InputRejected) as caught:
        to_lazy(frame)
    assert caught.value.reasons == (Reason.SCHEMA_DUPLICATE_COLUMN,)
    assert caught.value.field == "1"


# --- fixed-offset time zones -----------------------------------------------------------------


def test_polars_refuses_a_fractional_fixed_offset_on_its_own() -> None:
    # The reason for the rule: this is what polars 2.1 does without it.
    table = pa.table({"ts": pa.array([INSTANT], pa.timestamp("us", tz="+05:30"))})
    with pytest.raises(pl.exceptions.ComputeError, match="unable to parse time zone"):
        pl.from_arrow(table)


@pytest.mark.parametrize("offset", ["+05:30", "-08:00", "+00:00", "-03:45", "+14:00"])
def test_a_fixed_offset_becomes_utc_with_the_same_instant(offset: str) -> None:
    table = pa.table({"ts": pa.array([INSTANT, None], pa.timestamp("ms", tz=offset))})
    frame = to_lazy(table).collect()
    assert frame.schema["ts"] == pl.Datetime("ms", "UTC")
    assert frame["ts"].to_list() == [INSTANT, None]


@given(
    instant=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    minutes=st.integers(-14 * 60, 14 * 60),
)
def test_any_fixed_offset_keeps_the_instant(instant: datetime, minutes: int) -> None:
    sign = "-" if minutes < 0 else "+"
    offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    table = pa.table({"ts": pa.array([instant], pa.timestamp("us", tz=offset))})
    assert to_lazy(table).collect()["ts"].to_list() == [instant]


def test_fixed_offsets_inside_structs_and_lists_become_utc() -> None:
    ts = pa.array([INSTANT], pa.timestamp("us", tz="+05:30"))
    table = pa.table(
        {
            "struct": pa.StructArray.from_arrays([ts], names=["t"]),
            "list": pa.ListArray.from_arrays(pa.array([0, 1], pa.int32()), ts),
            "large_list": pa.LargeListArray.from_arrays(pa.array([0, 1], pa.int64()), ts),
            "array": pa.FixedSizeListArray.from_arrays(ts, 1),
        }
    )
    frame = to_lazy(table).collect()
    assert frame.row(0) == ({"t": INSTANT}, [INSTANT], [INSTANT], [INSTANT])
    assert frame.schema["list"] == pl.List(pl.Datetime("us", "UTC"))


def test_named_zones_are_kept() -> None:
    table = pa.table({"ts": pa.array([INSTANT], pa.timestamp("us", tz="Asia/Kolkata"))})
    assert to_lazy(table).collect_schema()["ts"] == pl.Datetime("us", "Asia/Kolkata")


def test_a_pandas_fixed_offset_becomes_utc_with_the_same_instant() -> None:
    local = INSTANT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    frame = to_lazy(pd.DataFrame({"ts": [local]})).collect()
    assert frame.schema["ts"].time_zone == "UTC"  # type: ignore[attr-defined]
    assert frame["ts"].to_list() == [INSTANT]


def test_a_zone_polars_does_not_know_is_unreadable() -> None:
    table = pa.table({"ts": pa.array([INSTANT], pa.timestamp("us", tz="+0530"))})
    with pytest.raises(InputRejected, match="converting the Arrow input failed") as caught:
        to_lazy(table)
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert isinstance(caught.value.__cause__, pl.exceptions.ComputeError)


# --- invalid UTF-8 ---------------------------------------------------------------------------

BAD_BYTES = [b"\xff\xfe", b"ok"]


def _from_buffers() -> pa.Array:
    offsets = pa.array([0, 2, 4], pa.int32()).buffers()[1]
    return pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"\xff\xfeok")])


INVALID_TEXT: dict[str, Callable[[], Any]] = {
    "from_buffers": _from_buffers,
    "cast safe=False": lambda: pa.array(BAD_BYTES).cast(pa.string(), safe=False),
    "view": lambda: pa.array(BAD_BYTES).view(pa.string()),
    "large_string": lambda: pa.array(BAD_BYTES, pa.large_binary()).view(pa.large_string()),
    "string_view": lambda: pa.array(BAD_BYTES).view(pa.string()).cast(pa.string_view()),
    "second chunk": lambda: pa.chunked_array([pa.array(["fine"]), _from_buffers()]),
    "list item": lambda: pa.ListArray.from_arrays(pa.array([0, 2], pa.int32()), _from_buffers()),
    "struct field": lambda: pa.StructArray.from_arrays([_from_buffers()], names=["inner"]),
    "map item": lambda: pa.MapArray.from_arrays(
        pa.array([0, 2], pa.int32()), pa.array(["k1", "k2"]), _from_buffers()
    ),
    "dictionary value": lambda: pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0], pa.int32()), _from_buffers()
    ),
}


@pytest.mark.parametrize("make", INVALID_TEXT.values(), ids=INVALID_TEXT.keys())
def test_invalid_utf8_is_rejected_by_column_never_a_panic(make: Callable[[], Any]) -> None:
    column = make()
    table = pa.table({"n": pa.array(range(len(column))), "text": column})
    for data in (table, table.combine_chunks().to_batches()[0]):
        with pytest.raises(InputRejected, match="column 'text' must hold UTF-8 text") as caught:
            to_lazy(data)
        assert caught.value.reasons == (Reason.SCHEMA_INVALID_TEXT,)
        assert caught.value.field == "text"
        assert isinstance(caught.value.__cause__, pa.ArrowInvalid)


def test_binary_columns_are_not_text() -> None:
    table = pa.table({"raw": pa.array(BAD_BYTES)})
    assert to_lazy(table).collect()["raw"].to_list() == BAD_BYTES


def test_a_lone_surrogate_in_pandas_is_invalid_text() -> None:
    frame = pd.DataFrame({"n": [1, 2], "text": pd.Series(["fine", "\ud800"], dtype=object)})
    with pytest.raises(InputRejected, match="column 'text' must hold UTF-8 text") as caught:
        to_lazy(frame)
    assert caught.value.reasons == (Reason.SCHEMA_INVALID_TEXT,)
    assert caught.value.field == "text"
    assert isinstance(caught.value.__cause__, UnicodeEncodeError)


def test_a_pandas_column_arrow_cannot_type_is_unreadable() -> None:
    frame = pd.DataFrame({"mixed": pd.Series([1, "one"], dtype=object)})
    with pytest.raises(InputRejected, match="converting the pandas DataFrame") as caught:
        to_lazy(frame)
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert isinstance(caught.value.__cause__, pa.ArrowException)


# --- failures while running the query --------------------------------------------------------


def _fail(value: object) -> int:
    raise ValueError(f"cannot score {value!r}")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _scan_csv(path: Path, text: str, **options: Any) -> pl.LazyFrame:
    return pl.scan_csv(_write(path, text.encode()), **options)


FAILING: dict[str, tuple[Callable[[Path], pl.LazyFrame], type[BaseException], str]] = {
    "missing parquet file": (
        lambda tmp: pl.scan_parquet(tmp / "missing.parquet"),
        FileNotFoundError,
        "No such file",
    ),
    "corrupt parquet file": (
        lambda tmp: pl.scan_parquet(_write(tmp / "bad.parquet", b"not parquet at all " * 8)),
        pl.exceptions.ComputeError,
        "parquet",
    ),
    "ragged CSV row": (
        lambda tmp: _scan_csv(tmp / "ragged.csv", "a,b\n1,2\n3,4,5\n"),
        pl.exceptions.ComputeError,
        "more fields",
    ),
    "CSV value failing its schema override": (
        lambda tmp: _scan_csv(tmp / "bad.csv", "a,b\n1,2\nx,4\n", schema_overrides={"a": pl.Int64}),
        pl.exceptions.ComputeError,
        "could not parse",
    ),
    "strict cast": (
        lambda _: pl.LazyFrame({"a": ["1", "x"]}).select(pl.col("a").cast(pl.Int64, strict=True)),
        pl.exceptions.InvalidOperationError,
        "conversion from `str` to `i64` failed",
    ),
    "map_elements function raising": (
        lambda _: pl.LazyFrame({"a": [1, 2]}).select(
            pl.col("a").map_elements(_fail, return_dtype=pl.Int64)
        ),
        ValueError,
        "cannot score",  # polars may call the function on any row first
    ),
    "map_batches function raising": (
        lambda _: pl.LazyFrame({"a": [1, 2]}).select(
            pl.col("a").map_batches(_fail, return_dtype=pl.Int64)
        ),
        ValueError,
        "cannot score",
    ),
    "missing column": (
        lambda _: pl.LazyFrame({"a": [1]}).select("b"),
        pl.exceptions.ColumnNotFoundError,
        'unable to find column "b"',
    ),
}


@pytest.mark.parametrize("engine", ["auto", "streaming"])
@pytest.mark.parametrize("case", FAILING.values(), ids=FAILING.keys())
def test_a_failing_query_is_unreadable_with_its_cause(
    tmp_path: Path,
    case: tuple[Callable[[Path], pl.LazyFrame], type[BaseException], str],
    engine: Any,
) -> None:
    build, cause, detail = case
    lf = build(tmp_path)
    with pytest.raises(InputRejected, match="reading the input failed with") as caught:
        run_query(lambda: lf.collect(engine=engine), what="reading the input")
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert isinstance(caught.value.__cause__, cause)
    assert cause.__name__ in str(caught.value)
    assert detail in str(caught.value)


def test_a_raising_python_function_is_named_in_the_message() -> None:
    lf = pl.LazyFrame({"a": [1]}).select(pl.col("a").map_elements(_fail, return_dtype=pl.Int64))
    with pytest.raises(InputRejected) as caught:
        run_query(lf.collect, what="validating the input")
    assert str(caught.value) == (
        "the input must be readable, but validating the input failed with ValueError raised by "
        "Python code the query called: cannot score 1"
    )


def test_map_batches_hands_back_the_error_and_map_elements_a_copy() -> None:
    # What polars 2.1 does with a Python function's error: map_batches re-raises the very
    # object; map_elements raises a new instance of the same type, built from the message with
    # the failing expression appended, so a note (or any attribute) set on the original is lost.
    # Either way it is the cause, and the rejection quotes its first line.
    originals: list[ValueError] = []

    def fail(value: object) -> int:
        error = ValueError("tagged")
        error.add_note("note")
        originals.append(error)
        raise error

    causes: list[BaseException | None] = []
    for expr in (
        pl.col("a").map_batches(fail, return_dtype=pl.Int64),
        pl.col("a").map_elements(fail, return_dtype=pl.Int64),
    ):
        with pytest.raises(InputRejected) as caught:
            run_query(pl.LazyFrame({"a": [1]}).select(expr).collect, what="reading")
        causes.append(caught.value.__cause__)
    from_batches, from_elements = causes
    assert from_batches is originals[0]
    assert isinstance(from_elements, ValueError)
    assert from_elements is not originals[1]
    assert str(from_elements).startswith("tagged\n")
    assert "This error occurred in the following expression" in str(from_elements)
    assert not hasattr(from_elements, "__notes__")


def test_map_elements_loses_an_error_that_needs_keyword_arguments() -> None:
    # Rebuilding the error from its message fails for a class with required keyword arguments:
    # polars 2.1 then raises the TypeError of that attempt, with the function's traceback but
    # without the original. It is still the function's failure, so still unreadable.
    def fail(value: object) -> int:
        raise InputRejected("inner", reasons=[Reason.TERM_UNKNOWN])

    lf = pl.LazyFrame({"a": [1]}).select(pl.col("a").map_elements(fail, return_dtype=pl.Int64))
    with pytest.raises(InputRejected) as caught:
        run_query(lf.collect, what="reading")
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    cause = caught.value.__cause__
    assert isinstance(cause, TypeError)
    assert "missing 1 required keyword-only argument: 'reasons'" in str(cause)
    assert cause.__cause__ is None
    assert cause.__context__ is None


def test_a_missing_file_fails_at_schema_time(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="reading the input's schema failed") as caught:
        schema_of(pl.scan_parquet(tmp_path / "missing.parquet"))
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_a_corrupt_file_fails_at_schema_time(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"\x00" * 64)
    with pytest.raises(InputRejected) as caught:
        schema_of(pl.scan_parquet(path))
    assert isinstance(caught.value.__cause__, pl.exceptions.ComputeError)


def test_schema_of_returns_the_schema() -> None:
    assert schema_of(EXPECTED.lazy()) == EXPECTED.schema


def test_run_query_returns_the_result() -> None:
    assert_frame_equal(run_query(EXPECTED.lazy().collect, what="reading"), EXPECTED)


def test_an_arrow_error_is_unreadable() -> None:
    def read() -> None:
        raise pa.ArrowInvalid("bad IPC stream")

    with pytest.raises(InputRejected, match="ArrowInvalid: bad IPC stream"):
        run_query(read, what="reading")


def test_only_the_first_line_of_a_long_error_is_quoted() -> None:
    def read() -> None:
        raise pl.exceptions.ComputeError("first line\n\nHint: second line")

    with pytest.raises(InputRejected) as caught:
        run_query(read, what="reading")
    assert str(caught.value).endswith("ComputeError: first line")


def test_the_rejection_pickles() -> None:
    with pytest.raises(InputRejected) as caught:
        run_query(pl.LazyFrame({"a": [1]}).select("b").collect, what="reading")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert str(copy) == str(caught.value)


# --- what run_query lets through -------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        InputRejected("no", reasons=[Reason.SCHEMA_MISSING_COLUMN], field="ts"),
        ConfigurationError("bad"),
    ],
)
def test_library_errors_pass_through_unchanged(error: InputGuardError) -> None:
    def read() -> None:
        raise error

    with pytest.raises(InputGuardError) as caught:
        run_query(read, what="reading")
    assert caught.value is error


def test_a_library_error_raised_in_map_batches_passes_through_unchanged() -> None:
    error = InputRejected("inner", reasons=[Reason.TERM_UNKNOWN])

    def decide(series: pl.Series) -> pl.Series:
        raise error

    lf = pl.LazyFrame({"a": [1]}).select(pl.col("a").map_batches(decide, return_dtype=pl.Int64))
    with pytest.raises(InputRejected) as caught:
        run_query(lf.collect, what="reading")
    assert caught.value is error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3), MemoryError()])
def test_interrupts_exits_and_memory_errors_propagate(error: BaseException) -> None:
    def read() -> None:
        raise error

    with pytest.raises(type(error)) as caught:
        run_query(read, what="reading")
    assert caught.value is error


def test_an_interrupt_inside_the_query_propagates() -> None:
    def stop(value: object) -> int:
        raise KeyboardInterrupt

    lf = pl.LazyFrame({"a": [1]}).select(pl.col("a").map_elements(stop, return_dtype=pl.Int64))
    with pytest.raises(KeyboardInterrupt):
        run_query(lf.collect, what="reading")


def test_a_bug_in_the_callable_itself_propagates() -> None:
    with pytest.raises(ZeroDivisionError):
        run_query(lambda: 1 // 0, what="reading")


def test_an_error_in_a_function_of_inputguard_called_by_polars_propagates() -> None:
    # A function whose code lives in the package stands for a validator's own callback: its
    # failure is a bug, not bad data. (The file name is all the rule looks at.)
    package = Path(inputguard.__file__).parent
    namespace: dict[str, Any] = {}
    code = compile(
        "def decide(series):\n    raise KeyError('bug')\n", str(package / "_callback.py"), "exec"
    )
    exec(code, namespace)
    lf = pl.LazyFrame({"a": [1]}).select(
        pl.col("a").map_batches(namespace["decide"], return_dtype=pl.Int64)
    )
    with pytest.raises(KeyError, match="bug"):
        run_query(lf.collect, what="reading")


def test_a_panic_is_unreadable() -> None:
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def read() -> None:
        raise panic("called `Option::unwrap()` on a `None` value")

    with pytest.raises(InputRejected, match="PanicException: called") as caught:
        run_query(read, what="reading")
    assert caught.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert isinstance(caught.value.__cause__, panic)


def test_only_pyo3_panics_are_caught_by_name() -> None:
    impostor = type("PanicException", (BaseException,), {})

    def read() -> None:
        raise impostor

    with pytest.raises(impostor):
        run_query(read, what="reading")


def test_a_real_polars_panic_is_unreadable() -> None:
    # polars 2.1 takes invalid UTF-8 from Arrow unchecked (which is why to_lazy checks it) and
    # panics when it formats it: the last resort turns that into a rejection too.
    frame = pl.from_arrow(pa.table({"text": _from_buffers()}))
    with pytest.raises(InputRejected) as caught:
        run_query(lambda: str(frame), what="formatting the input")
    assert type(caught.value.__cause__).__name__ == "PanicException"
