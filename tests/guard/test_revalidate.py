from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from structlog.testing import capture_logs

import inputguard as ig

if TYPE_CHECKING:
    from pathlib import Path


def _guard(now: datetime, error_after: str) -> ig.Guard:
    return ig.Guard(
        [ig.freshness("ts", error_after=error_after)], name="t", clock=ig.FixedClock(now)
    )


def _frame(now: datetime, hours: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts": [None if h is None else (now - timedelta(hours=h)).isoformat() for h in hours],
            "v": list(range(len(hours))),
        }
    )


def test_exported() -> None:
    assert ig.revalidate is not None
    assert ig.Revalidation is not None


def test_rows_fixed_by_a_new_limit_are_accepted_and_the_rest_keep_failing(now: datetime) -> None:
    first = _guard(now, "1h").validate(_frame(now, [0, 2, None, 5, 0.5]))
    assert first.quarantined["row_id"].to_list() == [1, 2, 3]

    report = ig.revalidate(_guard(now, "3h"), first.quarantined)

    assert report.accepted_row_ids == [1]
    assert report.quarantined_row_ids == [2, 3]
    assert report.rows == 3
    assert report.counts() == {"freshness.missing": 1, "freshness.stale": 1}
    assert_frame_equal(
        report.quarantined.select(
            "row_id", "previous_reasons", "v", pl.col("reasons").cast(pl.List(pl.String))
        ),
        pl.DataFrame(
            {
                "row_id": pl.Series([2, 3], dtype=pl.UInt32),
                "previous_reasons": [["freshness.missing"], ["freshness.stale"]],
                "v": [2, 3],
                "reasons": [["freshness.missing"], ["freshness.stale"]],
            }
        ),
    )
    # accepted rows are normalized like any accepted row
    assert report.accepted.schema["ts"] == pl.Datetime("us", "UTC")
    assert report.accepted["v"].to_list() == [1]
    assert repr(report) == (
        "Revalidation(guard='t', rows=3, accepted=1, quarantined=2, "
        "counts={'freshness.missing': 1, 'freshness.stale': 1})"
    )


def test_rows_read_from_a_sink_directory_keep_their_origin(tmp_path: Path, now: datetime) -> None:
    old = _guard(now, "1h")
    sink = ig.ParquetSink(tmp_path)
    sink.write(old.validate(_frame(now, [2, 0, 4])))
    sink.write(old.validate(_frame(now, [9, 2.5])))

    with capture_logs() as events:
        report = ig.revalidate(_guard(now, "3h"), tmp_path)

    assert report.rows == 4
    assert sorted(report.accepted.select("row_id", "v").rows()) == [(0, 0), (1, 1)]
    assert sorted(report.quarantined.select("row_id", "v").rows()) == [(0, 0), (2, 2)]
    assert set(report.accepted["guard_fingerprint"]) == {old.fingerprint}
    assert report.accepted.columns[:4] == [
        "row_id",
        "guard_fingerprint",
        "checked_at",
        "previous_reasons",
    ]
    (event,) = [e for e in events if e["event"] == "inputguard.revalidate"]
    assert event["rows_in"] == 4
    assert event["accepted"] == 2
    assert event["quarantined"] == 2
    assert event["previous_fingerprints"] == [old.fingerprint]
    assert event["reasons"] == {"freshness.stale": 2}
    assert event["log_level"] == "info"


def test_an_empty_quarantine_decides_nothing(tmp_path: Path) -> None:
    guard = _guard(datetime.fromisoformat("2026-01-01T00:00:00+00:00"), "1h")
    with capture_logs() as events:
        report = ig.revalidate(guard, tmp_path / "nothing-yet")
    assert (report.rows, report.checked_at) == (0, None)
    assert [e["rows_in"] for e in events if e["event"] == "inputguard.revalidate"] == [0]


def test_rows_without_row_ids_are_refused(now: datetime) -> None:
    with pytest.raises(ig.ConfigurationError, match="'row_id'"):
        ig.revalidate(_guard(now, "1h"), _frame(now, [5]))


def test_an_original_column_named_previous_reasons_is_refused(now: datetime) -> None:
    frame = _frame(now, [5]).with_columns(
        pl.lit(0, pl.UInt32).alias("row_id"), pl.lit("x").alias("previous_reasons")
    )
    with pytest.raises(ig.ConfigurationError, match="previous_reasons"):
        ig.revalidate(_guard(now, "1h"), frame)


def test_a_guard_that_cannot_read_the_rows_decides_none_of_them(now: datetime) -> None:
    quarantined = _guard(now, "1h").validate(_frame(now, [5])).quarantined
    other = ig.Guard([ig.freshness("event_ts", error_after="1h")], name="o")
    with pytest.raises(ig.InputRejected) as caught:
        ig.revalidate(other, quarantined)
    assert caught.value.reasons == ("schema.missing_column",)


@given(
    hours=st.lists(st.one_of(st.none(), st.floats(0, 48)), max_size=30),
    old_limit=st.integers(1, 24),
    new_limit=st.integers(1, 48),
)
def test_no_row_is_lost_and_verdicts_match_the_new_guard(
    hours: list[float | None], old_limit: int, new_limit: int
) -> None:
    now = datetime.fromisoformat("2026-11-22T12:00:00+00:00")
    frame = _frame(now, hours)
    new = _guard(now, f"{new_limit}h")
    quarantined = _guard(now, f"{old_limit}h").validate(frame).quarantined

    report = ig.revalidate(new, quarantined)

    ids = quarantined["row_id"].to_list()
    assert sorted(report.accepted_row_ids + report.quarantined_row_ids) == sorted(ids)
    expected_accepted = set(ids) & set(new.validate(frame).accepted["row_id"].to_list())
    assert set(report.accepted_row_ids) == expected_accepted
    # the original values of rows that still fail are untouched
    assert_frame_equal(
        report.quarantined.select("row_id", "ts", "v"),
        quarantined.filter(pl.col("row_id").is_in(report.quarantined_row_ids)).select(
            "row_id", "ts", "v"
        ),
    )
