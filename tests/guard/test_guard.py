"""Properties of the batch engine and its agreement with the record path."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
from inputguard import InputGuardError, InputRejected, Reason

from ..conftest import NOW

ZONES = [ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]

# A timestamp value as live systems send it: ISO strings near the clock (valid or broken),
# datetimes naive or aware, and things that are not timestamps at all.
instants = st.datetimes(min_value=datetime(2026, 11, 20), max_value=datetime(2026, 11, 23)).map(
    lambda d: d.replace(tzinfo=UTC)
)
iso_texts = st.builds(
    lambda d, sep, offset, frac: (
        d.astimezone(timezone(timedelta(minutes=offset))).strftime(f"%Y-%m-%d{sep}%H:%M:%S")
        + (f".{frac}" if frac else "")
        + (f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}")
    ),
    instants,
    st.sampled_from(["T", " "]),
    st.sampled_from([0, 60, -300, 330]),
    st.sampled_from(["", "5", "123456", "123456789"]),
)
timestamp_values = st.one_of(
    st.none(),
    iso_texts,
    iso_texts.map(lambda t: t[:19]),  # naive text
    iso_texts.map(lambda t: t.replace("T", "X")),
    st.text(max_size=25),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?\Z"),
    instants,
    instants.map(lambda d: d.replace(tzinfo=None)),
    st.builds(lambda d, z: d.astimezone(z), instants, st.sampled_from(ZONES)),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
)
sources = st.one_of(
    st.none(), st.sampled_from(["web", "batch-export", "crm"]), st.integers(-(2**63), 2**63 - 1)
)  # a frame holds it

GUARDS = {
    "reject-naive": ig.Guard(
        [ig.freshness("ts", error_after="1d", warn_after="12h")],
        name="reject",
        clock=ig.FixedClock(NOW),
    ),
    "zone-naive": ig.Guard(
        [
            ig.freshness(
                "ts",
                error_after="1d",
                warn_after="12h",
                max_future_skew="5m",
                naive="Europe/Paris",
                per_source={"batch-export": ig.FreshnessLimits.parse("2d", "1d")},
            )
        ],
        name="zone",
        clock=ig.FixedClock(NOW),
    ),
    "utc-naive": ig.Guard(
        [ig.freshness("ts", error_after="36h", naive="assume_utc")],
        name="utc",
        clock=ig.FixedClock(NOW),
    ),
}


def _frame_of(record: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([record], infer_schema_length=None)


@pytest.mark.parametrize("guard", GUARDS.values(), ids=GUARDS.keys())
@given(ts=timestamp_values, source=sources)
def test_record_path_equals_batch_path(guard: ig.Guard, ts: object, source: object) -> None:
    record = {"ts": ts, "source": source, "payload": 1}
    verdict = guard.check(record)
    result = guard.validate(_frame_of(record))
    assert result.rows == 1
    if verdict.ok:
        assert result.accepted.height == 1
        row = result.accepted.row(0, named=True)
        assert list(verdict.warnings) == row["warnings"]
        assert verdict.record["ts"] == row["ts"]
        assert verdict.record["source"] == row["source"]
    else:
        assert result.quarantined.height == 1
        row = result.quarantined.row(0, named=True)
        assert list(verdict.reasons) == row["reasons"]
        assert list(verdict.reason_columns) == row["reason_columns"]
        assert verdict.record == record


# Arbitrary frames: a timestamp column of a random dtype, with random values and nulls.
@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 30))
    kind = draw(st.sampled_from(["text", "aware", "naive", "int", "null", "float"]))
    if kind == "text":
        values: list[Any] = draw(
            st.lists(st.one_of(st.none(), iso_texts, st.text()), min_size=n, max_size=n)
        )
        dtype: Any = pl.String
    elif kind in ("aware", "naive"):
        extreme = st.integers(-(2**62), 2**62)
        values = draw(st.lists(st.one_of(st.none(), extreme), min_size=n, max_size=n))
        dtype = pl.Int64
    elif kind == "int":
        values, dtype = (
            draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)),
            pl.Int64,
        )
    elif kind == "float":
        values, dtype = draw(st.lists(st.floats(), min_size=n, max_size=n)), pl.Float64
    else:
        values, dtype = [None] * n, pl.Null
    frame = pl.DataFrame({"ts": pl.Series(values, dtype=dtype), "k": list(range(n))})
    if kind == "aware":
        frame = frame.with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))
    elif kind == "naive":
        frame = frame.with_columns(pl.col("ts").cast(pl.Datetime("ns")))
    return frame


@pytest.mark.parametrize("guard", GUARDS.values(), ids=GUARDS.keys())
@given(frame=frames())
def test_every_row_lands_in_exactly_one_output(guard: ig.Guard, frame: pl.DataFrame) -> None:
    frame = frame.with_columns(source=pl.lit("web"))
    result = guard.validate(frame)
    accepted = result.accepted["row_id"].to_list()
    quarantined = result.quarantined["row_id"].to_list()
    assert sorted(accepted + quarantined) == list(range(frame.height))
    assert all(len(r) > 0 for r in result.quarantined["reasons"].to_list())
    # quarantined rows keep their original values
    original = frame.with_row_index("row_id").filter(pl.col("row_id").is_in(quarantined))
    assert_frame_equal(result.quarantined.select(original.columns), original)


@given(frame=frames())
def test_lazy_and_arrow_inputs_give_the_same_split(frame: pl.DataFrame) -> None:
    guard = GUARDS["reject-naive"]
    eager = guard.validate(frame)
    lazy = guard.validate(frame.lazy())
    assert_frame_equal(eager.accepted, lazy.accepted)
    assert_frame_equal(eager.quarantined, lazy.quarantined)
    if frame.schema["ts"] != pl.Null:
        arrow = guard.validate(frame.to_arrow())
        assert arrow.counts() == eager.counts()


@given(data=st.dictionaries(st.sampled_from(["ts", "x", "source"]), timestamp_values))
def test_check_raises_only_library_errors(data: dict[str, Any]) -> None:
    with contextlib.suppress(InputGuardError):
        GUARDS["zone-naive"].check(data)


@given(frame=frames(), drop=st.booleans())
def test_validate_raises_only_library_errors(frame: pl.DataFrame, drop: bool) -> None:
    with contextlib.suppress(InputGuardError):
        GUARDS["zone-naive"].validate(frame.drop("ts") if drop else frame)


def test_missing_column_is_rejected_by_name() -> None:
    with pytest.raises(InputRejected, match="column 'ts' is required") as info:
        GUARDS["reject-naive"].validate(pl.DataFrame({"x": [1]}))
    assert info.value.reasons == (Reason.SCHEMA_MISSING_COLUMN,)
    assert info.value.field == "ts"
    assert info.value.validator == "freshness('ts', error_after='1d', warn_after='12h')"


def test_missing_key_is_rejected_by_name_on_the_record_path() -> None:
    with pytest.raises(InputRejected, match="key 'ts' is required") as info:
        GUARDS["reject-naive"].check({"x": 1})
    assert info.value.reasons == (Reason.SCHEMA_MISSING_COLUMN,)


@pytest.mark.parametrize("column", ["row_id", "reasons", "reason_columns", "warnings", "owner"])
def test_reserved_column_names_are_rejected(column: str) -> None:
    with pytest.raises(InputRejected, match=rf"'{column}' collides") as info:
        GUARDS["reject-naive"].validate(pl.DataFrame({"ts": [NOW], column: [1]}))
    assert info.value.reasons == (Reason.SCHEMA_RESERVED_COLUMN,)


@pytest.mark.parametrize("data", [[{"ts": NOW}], {"ts": [NOW]}, "ts", None])
def test_unsupported_inputs_are_rejected(data: object) -> None:
    with pytest.raises(InputRejected, match="takes a polars DataFrame") as info:
        GUARDS["reject-naive"].validate(data)
    assert info.value.reasons == (Reason.SCHEMA_UNSUPPORTED_TYPE,)


def test_arrow_record_batch_is_accepted() -> None:
    batch = pa.RecordBatch.from_pydict({"ts": ["2026-11-22T11:00:00Z", "bad"]})
    assert GUARDS["reject-naive"].validate(batch).counts() == {"freshness.invalid": 1}


def test_reasons_are_listed_in_validator_order() -> None:
    guard = ig.Guard(
        [ig.freshness("b", error_after="1h"), ig.freshness("a", error_after="1h")],
        name="two",
        clock=ig.FixedClock(NOW),
    )
    record = {"a": None, "b": "nope"}
    assert guard.check(record).reasons == ("freshness.invalid", "freshness.missing")
    result = guard.validate(pl.DataFrame([record]))
    assert result.quarantined["reasons"].to_list() == [["freshness.invalid", "freshness.missing"]]


def test_validate_or_raise_caps_examples_and_hides_values() -> None:
    frame = pl.DataFrame({"ts": ["secret-value"] * 12})
    with pytest.raises(InputRejected, match="quarantined 12 of 12 rows") as info:
        GUARDS["reject-naive"].validate_or_raise(frame)
    assert len(info.value.examples) == 5
    assert "secret-value" not in str(info.value)
    assert "secret-value" not in repr(info.value.examples)


def test_check_or_raise_returns_the_normalized_record() -> None:
    record = GUARDS["reject-naive"].check_or_raise({"ts": "2026-11-22T11:00:00+01:00"})
    assert record["ts"] == datetime(2026, 11, 22, 10, tzinfo=UTC)
    with pytest.raises(InputRejected, match=r"freshness\.stale") as info:
        GUARDS["reject-naive"].check_or_raise({"ts": "2020-01-01T00:00:00Z"})
    assert info.value.field == "ts"


def test_guard_configuration_errors() -> None:
    with pytest.raises(ig.ConfigurationError, match="'name'"):
        ig.Guard([], name=" ")
    with pytest.raises(ig.ConfigurationError, match="must be a validator"):
        ig.Guard(["ts"], name="x")  # type: ignore[list-item]
    with pytest.raises(ig.ConfigurationError, match="'clock'"):
        ig.Guard([], name="x", clock=NOW)  # type: ignore[arg-type]


def test_guard_without_validators_accepts_everything() -> None:
    result = ig.Guard([], name="empty").validate(pl.DataFrame({"x": [1, 2]}))
    assert result.ok
    assert result.accepted.columns == ["row_id", "x", "warnings"]


def test_fingerprint_changes_with_configuration() -> None:
    a = ig.Guard([ig.freshness("ts", error_after="1h")], name="g")
    b = ig.Guard([ig.freshness("ts", error_after="2h")], name="g")
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == ig.Guard([ig.freshness("ts", error_after="60m")], name="g").fingerprint


def test_guard_pickles_with_its_configuration() -> None:
    import pickle  # noqa: PLC0415

    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h")],
        name="travels",
        clock=ig.FixedClock(NOW),
        audit_examples=2,
        source_column=None,
    )
    copy = pickle.loads(pickle.dumps(guard))
    assert repr(copy) == repr(guard)
    assert copy.fingerprint == guard.fingerprint
    assert copy.check({"ts": None}).reasons == ("freshness.missing",)
    frame = pl.DataFrame({"ts": ["2026-11-22T11:30Z", "x"]})
    assert_frame_equal(copy.validate(frame).quarantined, guard.validate(frame).quarantined)


def test_two_validators_writing_one_column_are_refused_when_built() -> None:
    fruit = ig.Vocabulary("fruit", "1", {"apple": (), "pear": ()})
    colors = ig.Vocabulary("colors", "1", {"red": ()})
    ig.Guard([ig.terminology("f", fruit), ig.terminology("c", colors)], name="ok")
    with pytest.raises(ig.ConfigurationError, match="two validators write column 'f'"):
        ig.Guard([ig.terminology("f", fruit), ig.terminology("f", fruit, fuzzy=False)], name="x")
    with pytest.raises(ig.ConfigurationError, match="two validators write column 'how'"):
        ig.Guard(
            [
                ig.terminology("f", fruit, method_column="how"),
                ig.terminology("c", colors, method_column="how"),
            ],
            name="x",
        )
