"""The batch engine's plan: masks, reasons that name their column, helper columns, streaming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import polars as pl
import polars.selectors as cs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
from inputguard import InputRejected, Reason

from ..conftest import NOW

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

FRUIT = ig.Vocabulary("fruit", "1", {"apple": ("pomme",), "pear": ("poire",)})
COLOR = ig.Vocabulary("color", "1", {"red": ("rouge",), "green": ("vert",)})


def _guard() -> ig.Guard:
    return ig.Guard(
        [
            ig.freshness("ts", error_after="1h", warn_after="30m"),
            ig.terminology("fruit", FRUIT, fuzzy=False),
            ig.terminology("color", COLOR, fuzzy=False),
        ],
        name="plan",
        clock=ig.FixedClock(NOW),
    )


def _frame(n: int = 6) -> pl.DataFrame:
    ts = [NOW - timedelta(minutes=m) for m in (1, 45, 90, 5, 2, 3)]
    return pl.DataFrame(
        {
            "ts": (ts * n)[:n],
            "fruit": (["apple", "POMME", "apple", "kiwi", "kiwi", None] * n)[:n],
            "color": (["red", "vert", "red", "blue", "red", "red"] * n)[:n],
        }
    )


def test_two_bad_columns_name_each_column_and_count_rows_once() -> None:
    result = _guard().validate(_frame())
    rows = result.quarantined.select("row_id", "reasons", "reason_columns").rows()
    assert rows == [
        (2, ["freshness.stale"], ["ts"]),
        (3, ["term.unknown", "term.unknown"], ["fruit", "color"]),
        (4, ["term.unknown"], ["fruit"]),
        (5, ["term.missing"], ["fruit"]),
    ]
    # rows per code: row 3 has term.unknown twice but counts once
    assert result.counts() == {"term.unknown": 2, "freshness.stale": 1, "term.missing": 1}
    assert result.counts_by_column() == {
        ("fruit", "term.unknown"): 2,
        ("color", "term.unknown"): 1,
        ("fruit", "term.missing"): 1,
        ("ts", "freshness.stale"): 1,
    }
    assert result.accepted["warnings"].to_list() == [[], ["freshness.aging"]]


def test_the_reasons_dtype_is_an_enum_list_shared_by_every_call() -> None:
    guard = _guard()
    first, second = guard.validate(_frame()), guard.validate(_frame(3))
    dtype = first.quarantined.schema["reasons"]
    assert isinstance(dtype, pl.List)
    assert isinstance(dtype.inner, pl.Enum)
    assert set(Reason).issubset(set(dtype.inner.categories.to_list()))
    assert second.quarantined.schema["reasons"] == dtype
    assert first.accepted.schema["warnings"] == dtype
    assert first.quarantined.schema["reason_columns"] == pl.List(pl.String)
    # frames of one guard concatenate
    assert pl.concat([first.quarantined, second.quarantined]).height == 5


def test_one_failing_column_names_the_field_of_the_rejection() -> None:
    guard = _guard()
    frame = _frame().filter(pl.col("fruit") == "kiwi", pl.col("color") == "red")
    with pytest.raises(InputRejected) as info:
        guard.validate_or_raise(frame)
    assert info.value.field == "fruit"
    with pytest.raises(InputRejected) as record_info:
        guard.check_or_raise({"ts": NOW, "fruit": "kiwi", "color": "red"})
    assert record_info.value.field == "fruit"
    assert guard.check({"ts": NOW, "fruit": "kiwi", "color": "blue"}).reason_columns == (
        "fruit",
        "color",
    )


@dataclass(frozen=True)
class _Threshold:
    """A validator with one flag rule per threshold: enough rules to need several mask words."""

    column: str
    limits: tuple[int, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset(f"over.{n}" for n in self.limits)

    def plan(self, ctx: ig.BatchContext) -> ig.BatchPlan:
        col = pl.col(self.column)
        return ig.BatchPlan(rules=tuple(ig.Rule(f"over.{n}", col > n) for n in self.limits))

    def check_record(self, record: Any, ctx: ig.RecordContext) -> ig.RecordOutcome:
        value = record[self.column]
        if value is None:
            return ig.RecordOutcome(reasons=tuple(f"over.{n}" for n in self.limits))
        return ig.RecordOutcome(reasons=tuple(f"over.{n}" for n in self.limits if value > n))


@pytest.mark.parametrize("rules", [3, 20, 70, 140], ids=["static", "wide", "two-words", "three"])
@given(values=st.lists(st.one_of(st.none(), st.integers(-5, 150)), max_size=40))
def test_masks_of_any_width_give_the_record_path_reasons(rules: int, values: list[Any]) -> None:
    guard = ig.Guard([_Threshold("x", tuple(range(rules)))], name="t", clock=ig.FixedClock(NOW))
    result = guard.validate(pl.DataFrame({"x": pl.Series(values, dtype=pl.Int64)}))
    q = result.quarantined
    got = dict(zip(q["row_id"].to_list(), q["reasons"].to_list(), strict=True))
    for i, value in enumerate(values):
        verdict = guard.check({"x": value})
        assert got.get(i, []) == list(verdict.reasons)
    assert result.rows == len(values)


_ENGINE_NAMES = st.sampled_from(
    ["__ig_", "__ig_reject0", "__ig_warn0", "__ig_key0", "__ig_index0", "__ig0_", "__ig1_x"]
)
_NAMES = st.one_of(
    _ENGINE_NAMES, st.text(min_size=1, max_size=12), _ENGINE_NAMES.map(lambda p: p + "term")
)


@given(names=st.lists(_NAMES, max_size=4, unique=True))
def test_user_columns_never_change_a_decision_and_come_back_unchanged(names: list[str]) -> None:
    names = [n for n in names if n not in {"ts", "fruit", "color", "row_id", "reasons"}]
    names = [n for n in names if n not in {"reason_columns", "warnings", "owner"}]
    guard = _guard()
    base = _frame()
    plain = guard.validate(base)
    # columns named like helpers, holding values that would flip a decision if read instead
    extra = base.with_columns(pl.lit(0, pl.UInt64).alias(n) for n in names)
    extra = extra.with_columns(pl.lit("apple").alias(n) for n in names[:1])
    result = guard.validate(extra)
    assert result.counts() == plain.counts()
    assert_frame_equal(result.quarantined.select(plain.quarantined.columns), plain.quarantined)
    assert_frame_equal(result.accepted.select(plain.accepted.columns), plain.accepted)
    # the user's own columns come back byte for byte, in both outputs
    original = extra.with_row_index("row_id")
    for frame in (result.accepted, result.quarantined):
        kept = original.filter(pl.col("row_id").is_in(frame["row_id"].implode()))
        wanted = cs.by_name("row_id", *names)  # names read literally ("*" is a name here)
        assert_frame_equal(frame.select(wanted), kept.select(wanted))


def test_lazy_and_eager_inputs_get_the_same_decisions() -> None:
    guard = _guard()
    frame = _frame(600)
    lazy = guard.validate(frame.lazy())
    eager = guard.validate(frame)
    assert_frame_equal(lazy.quarantined, eager.quarantined)
    assert eager.counts()["term.unknown"] == 200


# -- streaming -------------------------------------------------------------------------------


def test_sink_writes_what_validate_returns(tmp_path: Path) -> None:
    guard = _guard()
    frame = _frame(3000)
    source = tmp_path / "in.parquet"
    frame.write_parquet(source, row_group_size=500)
    summary = guard.sink(
        pl.scan_parquet(source),
        accepted=tmp_path / "out" / "accepted.parquet",
        quarantined=tmp_path / "out" / "quarantined.parquet",
    )
    result = guard.validate(frame)
    accepted = pl.read_parquet(tmp_path / "out" / "accepted.parquet").sort("row_id")
    quarantined = pl.read_parquet(tmp_path / "out" / "quarantined.parquet").sort("row_id")
    assert_frame_equal(accepted, result.accepted)
    assert_frame_equal(quarantined, result.quarantined)
    assert summary.rows == 3000
    assert summary.accepted == result.accepted.height
    assert summary.reasons == result.counts()
    assert summary.reasons_by_column == result.counts_by_column()
    assert summary.warnings == result.warning_counts()
    assert summary.checked_at == NOW
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "accepted.parquet",
        "quarantined.parquet",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".ipc", ".ndjson"])
def test_sink_formats_follow_the_suffix(tmp_path: Path, suffix: str) -> None:
    guard = _guard()
    source = tmp_path / "in.csv"
    _frame(60).write_csv(source)
    summary = guard.sink(
        source, accepted=tmp_path / f"a{suffix}", quarantined=tmp_path / f"q{suffix}"
    )
    readers: dict[str, Callable[[Path], pl.DataFrame]] = {
        ".csv": pl.read_csv,
        ".ipc": pl.read_ipc,
        ".ndjson": pl.read_ndjson,
    }
    read = readers[suffix]
    assert read(tmp_path / f"a{suffix}").height == summary.accepted == 20
    assert read(tmp_path / f"q{suffix}").height == summary.quarantined == 40


def test_sink_to_callables_and_an_empty_quarantine(tmp_path: Path) -> None:
    guard = _guard()
    batches: list[pl.DataFrame] = []
    good = _frame().filter(pl.col("fruit") == "apple", pl.col("color") == "red").head(1)
    summary = guard.sink(good.lazy(), accepted=batches.append, quarantined=tmp_path / "q.parquet")
    assert sum(b.height for b in batches) == summary.accepted == 1
    empty = pl.read_parquet(tmp_path / "q.parquet")
    assert empty.height == 0
    assert empty.columns[-4:] == ["reasons", "reason_columns", "owner", "warnings"]


def test_a_failing_stream_leaves_no_file(tmp_path: Path) -> None:
    guard = _guard()
    bad = _frame().lazy().with_columns(pl.col("fruit").cast(pl.Int64, strict=True))
    with pytest.raises(InputRejected) as info:
        guard.sink(bad, accepted=tmp_path / "a.parquet", quarantined=tmp_path / "q.parquet")
    assert info.value.reasons == (Reason.SCHEMA_UNREADABLE,)
    assert list(tmp_path.iterdir()) == []


def test_sink_targets_are_checked_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ig.ConfigurationError, match="'accepted' must be a path ending"):
        _guard().sink(_frame().lazy(), accepted=tmp_path / "a.xlsx", quarantined=print)


def test_validate_batches_continues_row_ids_under_one_clock_reading() -> None:
    readings: list[object] = []

    def clock() -> Any:
        readings.append(1)
        return NOW

    guard = ig.Guard(_guard().validators, name="stream", clock=clock)
    frame = _frame(25)
    batches = frame.to_arrow().to_batches(max_chunksize=7)
    results = list(guard.validate_batches(batches))
    assert len(readings) == 1
    assert [r.rows for r in results] == [7, 7, 7, 4]
    whole = guard.validate(frame)
    accepted = pl.concat([r.accepted for r in results])
    quarantined = pl.concat([r.quarantined for r in results])
    assert accepted["row_id"].to_list() == whole.accepted["row_id"].to_list()
    assert_frame_equal(quarantined, whole.quarantined)


# -- a pinned instant --------------------------------------------------------------------------


def _freshness_guard(clock: Callable[[], datetime]) -> ig.Guard:
    return ig.Guard([ig.freshness("ts", error_after="1h")], name="pinned", clock=clock)


def _never_read() -> datetime:
    raise AssertionError("the clock must not be read when `now` is given")


def test_now_pins_every_entry_point_without_reading_the_clock(tmp_path: Path) -> None:
    guard = _freshness_guard(_never_read)
    frame = pl.DataFrame({"ts": [NOW - timedelta(minutes=30), NOW - timedelta(hours=2)]})
    assert guard.validate(frame, now=NOW).checked_at == NOW
    assert guard.validate(frame, now=NOW).counts() == {"freshness.stale": 1}
    # an hour later, the first row is stale too: the instant given is the one used
    later = NOW + timedelta(hours=1)
    assert guard.validate(frame, now=later).counts() == {"freshness.stale": 2}
    batches = list(guard.validate_batches([frame, frame], now=later))
    assert [b.checked_at for b in batches] == [later, later]
    assert guard.check({"ts": NOW - timedelta(minutes=30)}, now=NOW).ok
    assert not guard.check({"ts": NOW - timedelta(minutes=30)}, now=later).ok
    summary = guard.sink(
        frame.lazy(), accepted=tmp_path / "a.parquet", quarantined=tmp_path / "q.parquet", now=NOW
    )
    assert (summary.checked_at, summary.accepted, summary.quarantined) == (NOW, 1, 1)


def test_now_in_another_zone_is_converted_and_a_naive_one_refused() -> None:
    guard = _freshness_guard(_never_read)
    frame = pl.DataFrame({"ts": [NOW]})
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))
    assert guard.validate(frame, now=paris).checked_at == NOW
    with pytest.raises(ig.ConfigurationError, match="timezone-aware"):
        guard.validate(frame, now=NOW.replace(tzinfo=None))


def test_on_batch_reports_rows_written_so_far(tmp_path: Path) -> None:
    guard = _guard()
    source = tmp_path / "in.parquet"
    _frame(3000).write_parquet(source, row_group_size=500)
    seen: list[int] = []
    summary = guard.sink(
        source,
        accepted=tmp_path / "a.parquet",
        quarantined=tmp_path / "q.parquet",
        on_batch=seen.append,
    )
    assert seen, "at least one batch"
    assert seen == sorted(seen)
    assert seen[-1] == summary.rows == 3000


def test_a_failing_progress_callback_leaves_no_output(tmp_path: Path) -> None:
    def fail(rows: int) -> None:
        raise RuntimeError("display gone")

    with pytest.raises(RuntimeError, match="display gone"):
        _guard().sink(
            _frame(100).lazy(),
            accepted=tmp_path / "a.parquet",
            quarantined=tmp_path / "q.parquet",
            on_batch=fail,
        )
    assert list(tmp_path.iterdir()) == []
