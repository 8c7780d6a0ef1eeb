from __future__ import annotations

import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
from inputguard._ops.sinks import owner_key

FINGERPRINT = "0123456789abcdef"


def _result(
    owners: list[str | None],
    *,
    checked_at: datetime,
    values: list[int] | None = None,
    extra: dict[str, list[object]] | None = None,
) -> ig.Result:
    values = list(range(len(owners))) if values is None else values
    quarantined = pl.DataFrame(
        {
            "row_id": pl.Series(range(len(owners)), dtype=pl.UInt32),
            "value": pl.Series(values, dtype=pl.Int64),
            **(extra or {}),
            "reasons": pl.Series([["term.unknown"]] * len(owners), dtype=pl.List(pl.String)),
            "owner": pl.Series(owners, dtype=pl.String),
            "warnings": pl.Series([[]] * len(owners), dtype=pl.List(pl.String)),
        }
    )
    accepted = pl.DataFrame(
        {
            "row_id": pl.Series([], dtype=pl.UInt32),
            "value": pl.Series([], dtype=pl.Int64),
            "warnings": pl.Series([], dtype=pl.List(pl.String)),
        }
    )
    return ig.Result(
        accepted=accepted,
        quarantined=quarantined,
        guard="t",
        fingerprint=FINGERPRINT,
        checked_at=checked_at,
        duration_s=0.0,
    )


def test_exported() -> None:
    assert ig.ParquetSink is not None
    assert ig.read_quarantine is not None
    assert ig.SinkWrite is not None
    assert ig.QuarantineSink is not None


@pytest.mark.parametrize(
    ("sink", "text"),
    [
        (ig.ParquetSink("quarantine"), "ParquetSink('quarantine')"),
        (ig.ParquetSink(Path("q"), compression="snappy"), "ParquetSink('q', compression='snappy')"),
    ],
)
def test_repr_reads_like_the_call(sink: ig.ParquetSink, text: str) -> None:
    assert repr(sink) == text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"directory": ""}, "'directory' must be a non-empty path"),
        ({"directory": "q", "compression": "rar"}, "'compression' must be one of"),
    ],
)
def test_bad_configuration_fails_at_construction(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.ParquetSink(**kwargs)  # type: ignore[arg-type]


def test_layout_is_grouped_by_utc_day_and_owner(tmp_path: Path, now: datetime) -> None:
    late_evening = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    sink = ig.ParquetSink(tmp_path)
    written = sink.write(_result(["data-eng", None, "a/../b"], checked_at=late_evening))
    assert written.rows == 3
    relative = sorted(str(f.relative_to(tmp_path)) for f in written.files)
    assert [r.rsplit("/", 1)[0] for r in relative] == [
        "day-2026-01-02/owner-a%2F%2E%2E%2Fb",
        "day-2026-01-02/owner-data-eng",
        "day-2026-01-02/owner-unowned",
    ]
    assert all(
        re.fullmatch(r"part-20260102T043000000000Z-[0-9a-f]{32}-\d\.parquet", Path(r).name)
        for r in relative
    )
    assert sink.files() == list(written.files)


def test_rows_read_back_carry_fingerprint_and_clock_reading(tmp_path: Path, now: datetime) -> None:
    guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="t", clock=ig.FixedClock(now))
    frame = pl.DataFrame(
        {"ts": [(now - timedelta(hours=h)).isoformat() for h in (0, 2, 3)], "v": [1, 2, 3]}
    )
    result = guard.validate(frame)
    sink = ig.ParquetSink(tmp_path)
    sink.write(result)
    expected = result.quarantined.with_columns(
        pl.col("reasons", "warnings").cast(pl.List(pl.String)),  # files hold plain strings
        pl.lit(guard.fingerprint).alias("guard_fingerprint"),
        pl.lit(now, pl.Datetime("us", "UTC")).alias("checked_at"),
    )
    assert_frame_equal(sink.read().sort("row_id"), expected)
    assert_frame_equal(ig.read_quarantine(tmp_path).sort("row_id"), expected)


def test_a_sink_is_a_quarantine_sink(tmp_path: Path, now: datetime) -> None:
    sinks: list[ig.QuarantineSink] = [ig.ParquetSink(tmp_path), lambda result: None]
    for sink in sinks:
        sink(_result(["x"], checked_at=now))
    assert ig.read_quarantine(tmp_path).height == 1


def test_nothing_quarantined_writes_nothing(tmp_path: Path, now: datetime) -> None:
    assert ig.ParquetSink(tmp_path).write(_result([], checked_at=now)) == ig.SinkWrite((), 0)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_reads_as_empty_frame(tmp_path: Path) -> None:
    frame = ig.read_quarantine(tmp_path / "never-written")
    assert frame.height == 0
    assert frame.columns == [
        "row_id",
        "reasons",
        "owner",
        "warnings",
        "guard_fingerprint",
        "checked_at",
    ]


def test_writing_the_same_result_twice_never_overwrites(tmp_path: Path, now: datetime) -> None:
    sink = ig.ParquetSink(tmp_path)
    result = _result(["a", "a"], checked_at=now)
    first, second = sink.write(result), sink.write(result)
    assert set(first.files).isdisjoint(second.files)
    assert sink.read().height == 4


@pytest.mark.parametrize("column", ["guard_fingerprint", "checked_at"])
def test_an_original_column_with_an_added_name_is_rejected(
    tmp_path: Path, now: datetime, column: str
) -> None:
    result = _result(["a"], checked_at=now, extra={column: ["x"]})
    with pytest.raises(ig.InputRejected, match=column) as caught:
        ig.ParquetSink(tmp_path).write(result)
    assert caught.value.reasons == ("schema.reserved_column",)
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_concurrent_writers_lose_no_row(tmp_path: Path, now: datetime) -> None:
    sink = ig.ParquetSink(tmp_path)
    results = [_result(["a", "b"], checked_at=now, values=[i, -i]) for i in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(sink.write, results))
    assert sum(w.rows for w in written) == 32
    assert sorted(sink.read()["value"].to_list()) == sorted([*range(16), *(-i for i in range(16))])
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_batches_with_different_columns_read_back_together(tmp_path: Path, now: datetime) -> None:
    sink = ig.ParquetSink(tmp_path)
    sink.write(_result(["a"], checked_at=now))
    sink.write(_result(["a"], checked_at=now, extra={"country": ["AT"]}))
    frame = sink.read()
    assert frame.height == 2
    assert sorted(frame["country"].to_list(), key=str) == ["AT", None]


_owners = st.one_of(st.none(), st.text(max_size=300), st.sampled_from([".", "..", "unowned", "/"]))


@given(owner=_owners)
def test_owner_key_is_always_a_single_safe_path_segment(owner: str | None) -> None:
    key = owner_key(owner)
    assert re.fullmatch(r"[A-Za-z0-9_%-]+", key)
    assert key not in {".", ".."}
    assert len(key) <= 120


@given(a=st.text(min_size=1, max_size=40), b=st.text(min_size=1, max_size=40))
def test_distinct_owners_get_distinct_keys(a: str, b: str) -> None:
    if a != b and a.strip() and b.strip():
        assert owner_key(a) != owner_key(b)


@given(
    batches=st.lists(
        st.lists(_owners, max_size=8),
        max_size=5,
    )
)
def test_every_quarantined_row_written_is_read_back_exactly_once(
    batches: list[list[str | None]],
) -> None:
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as directory:
        sink = ig.ParquetSink(directory)
        expected: list[tuple[int, str | None, datetime]] = []
        counter = 0
        for i, owners in enumerate(batches):
            checked_at = start + timedelta(hours=i)  # crosses midnight: two date partitions
            values = list(range(counter, counter + len(owners)))
            counter += len(owners)
            written = sink.write(_result(owners, checked_at=checked_at, values=values))
            assert written.rows == len(owners)
            expected += [(v, o, checked_at) for v, o in zip(values, owners, strict=True)]
        back = sink.read()
        got = back.select("value", "owner", "checked_at").rows() if back.height else []
        assert sorted(got, key=lambda t: t[0]) == expected


def _sink_of_two_owners(directory: Path, now: datetime) -> pl.DataFrame:
    """Quarantined rows of a real guard (a registry with owners) written to ``directory``."""
    registry = ig.SourceRegistry(
        [ig.Source("pos", "team-pos", "active"), ig.Source("web", "team-web", "suspended")],
        default_owner="data-platform",
    )
    guard = ig.Guard(
        [ig.provenance(registry), ig.freshness("ts", error_after="1h")],
        name="t",
        clock=ig.FixedClock(now),
    )
    frame = pl.DataFrame(
        {
            "source": ["pos", "web", "ghost", "pos"],
            "ts": [(now - timedelta(hours=h)).isoformat() for h in (3, 0, 0, 0)],
            "date": ["d1", "d2", "d3", "d4"],  # a column named like the old partition key
        }
    )
    result = guard.validate(frame)
    ig.ParquetSink(directory).write(result)
    return result.quarantined


def test_pandas_reads_the_sink_directory(tmp_path: Path, now: datetime) -> None:
    pd = pytest.importorskip("pandas")
    quarantined = _sink_of_two_owners(tmp_path, now)
    back = pd.read_parquet(tmp_path)
    assert sorted(back.columns) == sorted([*quarantined.columns, "guard_fingerprint", "checked_at"])
    assert sorted(back["owner"]) == sorted(quarantined["owner"].to_list())
    assert sorted(back["date"]) == sorted(quarantined["date"].to_list())
    pairs = zip(back["row_id"], back["reasons"], strict=True)
    by_row = {int(r): [str(c) for c in codes] for r, codes in pairs}
    assert by_row == {
        r: [str(c) for c in codes]
        for r, codes in quarantined.select("row_id", "reasons").iter_rows()
    }


def test_polars_scans_the_sink_directory(tmp_path: Path, now: datetime) -> None:
    _sink_of_two_owners(tmp_path, now)
    scanned = pl.scan_parquet(tmp_path).collect().sort("row_id")
    expected = ig.read_quarantine(tmp_path).sort("row_id")
    assert_frame_equal(scanned, expected, check_column_order=False)


def test_hidden_temporary_files_are_not_read(tmp_path: Path, now: datetime) -> None:
    pd = pytest.importorskip("pandas")
    quarantined = _sink_of_two_owners(tmp_path, now)
    folder = next(tmp_path.glob("day-*/owner-*"))
    (folder / ".part-x.parquet.tmp").write_bytes(b"half a file")
    assert len(pd.read_parquet(tmp_path)) == quarantined.height
    assert ig.read_quarantine(tmp_path).height == quarantined.height


def test_files_of_the_hive_layout_are_still_read(tmp_path: Path, now: datetime) -> None:
    legacy = tmp_path / "date=2026-01-01" / "owner=team-a"
    legacy.mkdir(parents=True)
    old = _result(["team-a"], checked_at=now).quarantined.with_columns(
        pl.lit(FINGERPRINT).alias("guard_fingerprint"),
        pl.lit(now, pl.Datetime("us", "UTC")).alias("checked_at"),
    )
    old.write_parquet(legacy / "part-0.parquet")
    ig.ParquetSink(tmp_path).write(_result(["team-b"], checked_at=now))
    assert sorted(ig.read_quarantine(tmp_path)["owner"].to_list()) == ["team-a", "team-b"]


def test_guard_sink_takes_a_pandas_frame(tmp_path: Path, now: datetime) -> None:
    pd = pytest.importorskip("pandas")
    guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="t", clock=ig.FixedClock(now))
    frame = pd.DataFrame(
        {"ts": [(now - timedelta(hours=h)).isoformat() for h in (0, 2, 3)], "v": [1, 2, 3]}
    )
    summary = guard.sink(
        frame, accepted=tmp_path / "ok.parquet", quarantined=tmp_path / "bad.parquet"
    )
    assert (summary.accepted, summary.quarantined) == (1, 2)
    ok = pd.read_parquet(tmp_path / "ok.parquet")
    bad = pd.read_parquet(tmp_path / "bad.parquet")
    assert sorted([*ok["v"], *bad["v"]]) == [1, 2, 3]  # every row, in exactly one output
    assert list(bad["v"]) == [2, 3]
    assert [list(r) for r in bad["reasons"]] == [["freshness.stale"]] * 2
