from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_series_equal

import inputguard as ig
from inputguard import ConfigurationError, Reason

from ..conftest import NOW

if TYPE_CHECKING:
    from collections.abc import Mapping


def guard_of(validator: ig.Freshness, now: datetime = NOW) -> ig.Guard:
    return ig.Guard([validator], name="t", clock=ig.FixedClock(now))


def both_paths(guard: ig.Guard, record: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """The record path's reasons and the batch path's reasons for the same record."""
    verdict = guard.check(record)
    result = guard.validate(pl.DataFrame([dict(record)]))
    batch = result.quarantined["reasons"].to_list()[0] if result.quarantined.height else []
    return verdict.reasons, batch


FRESH = ig.freshness("ts", error_after="1h", warn_after="30m")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.FRESHNESS_MISSING),
        ("", Reason.FRESHNESS_INVALID),
        ("yesterday", Reason.FRESHNESS_INVALID),
        ("2026-02-30T10:00:00Z", Reason.FRESHNESS_INVALID),
        ("2026-11-22T11:59:60Z", Reason.FRESHNESS_INVALID),
        ("2026-11-22T24:00:00Z", Reason.FRESHNESS_INVALID),
        ("0000-01-01T00:00:00Z", Reason.FRESHNESS_INVALID),
        (12345, Reason.FRESHNESS_INVALID),
        (1.5, Reason.FRESHNESS_INVALID),
        (date(2026, 11, 22), Reason.FRESHNESS_INVALID),
        ("2026-11-22T11:50:00", Reason.FRESHNESS_NAIVE),
        (datetime(2026, 11, 22, 11, 50), Reason.FRESHNESS_NAIVE),
        ("2026-11-22T12:02:00Z", Reason.FRESHNESS_FUTURE),
        ("2099-01-01T00:00:00Z", Reason.FRESHNESS_FUTURE),
        ("2026-11-22T10:59:59Z", Reason.FRESHNESS_STALE),
        (datetime(1970, 1, 1, tzinfo=UTC), Reason.FRESHNESS_STALE),
    ],
)
def test_rejects_with_exactly_one_reason_on_both_paths(value: object, reason: Reason) -> None:
    record_reasons, batch_reasons = both_paths(guard_of(FRESH), {"ts": value})
    assert record_reasons == (reason,)
    assert batch_reasons == [reason]


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-22T11:50:00Z",
        "2026-11-22 11:50Z",
        "2026-11-22T12:50:00+01:00",
        "2026-11-22T06:50:00.123456789-0500",
        "  2026-11-22T11:50:00z  ",
        datetime(2026, 11, 22, 11, 50, tzinfo=UTC),
        datetime(2026, 11, 22, 12, 50, tzinfo=ZoneInfo("Europe/Paris")),
        "2026-11-22T12:00:59Z",  # inside the default 60 s future skew
    ],
)
def test_accepts_fresh_aware_timestamps_and_normalizes_to_utc(value: object) -> None:
    guard = guard_of(FRESH)
    verdict = guard.check({"ts": value})
    assert verdict.ok
    normalized = verdict.record["ts"]
    assert isinstance(normalized, datetime)
    assert normalized.utcoffset() == timedelta(0)
    result = guard.validate(pl.DataFrame({"ts": [value]}))
    assert result.accepted.schema["ts"] == pl.Datetime("us", "UTC")
    assert result.accepted["ts"][0] == normalized


def test_aging_rows_are_accepted_with_a_warning() -> None:
    guard = guard_of(FRESH)
    verdict = guard.check({"ts": "2026-11-22T11:15:00Z"})
    assert verdict.ok
    assert verdict.warnings == (Reason.FRESHNESS_AGING,)
    result = guard.validate(pl.DataFrame({"ts": ["2026-11-22T11:15:00Z", "2026-11-22T11:45Z"]}))
    assert result.accepted["warnings"].to_list() == [["freshness.aging"], []]
    assert result.warning_counts() == {"freshness.aging": 1}


def test_quarantined_rows_keep_original_values_and_row_ids() -> None:
    frame = pl.DataFrame(
        {"ts": ["2026-11-22T11:50:00Z", "garbage", None, "2026-11-22T01:00:00Z"], "x": [1, 2, 3, 4]}
    )
    result = guard_of(FRESH).validate(frame)
    assert result.quarantined["row_id"].to_list() == [1, 2, 3]
    assert_series_equal(result.quarantined["ts"], frame["ts"][1:], check_names=True)
    assert result.quarantined["reasons"].to_list() == [
        ["freshness.invalid"],
        ["freshness.missing"],
        ["freshness.stale"],
    ]
    assert result.counts() == {
        "freshness.invalid": 1,
        "freshness.missing": 1,
        "freshness.stale": 1,
    }
    assert not result.ok


class TestNaivePolicies:
    def test_assume_utc(self) -> None:
        guard = guard_of(ig.freshness("ts", error_after="1h", naive="assume_utc"))
        verdict = guard.check({"ts": "2026-11-22T11:50:00"})
        assert verdict.ok
        assert verdict.record["ts"] == datetime(2026, 11, 22, 11, 50, tzinfo=UTC)

    def test_iana_zone_converts_wall_time(self) -> None:
        guard = guard_of(ig.freshness("ts", error_after="1h", naive="Europe/Paris"))
        verdict = guard.check({"ts": datetime(2026, 11, 22, 12, 50)})
        assert verdict.ok
        assert verdict.record["ts"] == datetime(2026, 11, 22, 11, 50, tzinfo=UTC)

    def test_wall_time_skipped_by_dst_is_invalid_on_both_paths(self) -> None:
        now = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
        guard = guard_of(ig.freshness("ts", error_after="1h", naive="Europe/Paris"), now)
        assert both_paths(guard, {"ts": "2026-03-29T02:30:00"}) == (
            (Reason.FRESHNESS_INVALID,),
            [Reason.FRESHNESS_INVALID],
        )

    def test_ambiguous_wall_time_takes_the_earlier_instant(self) -> None:
        now = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
        guard = guard_of(ig.freshness("ts", error_after="2h", naive="Europe/Paris"), now)
        expected = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
        assert guard.check({"ts": "2026-10-25T02:30:00"}).record["ts"] == expected
        result = guard.validate(pl.DataFrame({"ts": ["2026-10-25T02:30:00"]}))
        assert result.accepted["ts"][0] == expected


@pytest.mark.parametrize(
    "series",
    [
        pl.Series("ts", [datetime(2026, 11, 22, 11, 50)], pl.Datetime("ns", "UTC")),
        pl.Series("ts", [datetime(2026, 11, 22, 11, 50)], pl.Datetime("ms", "UTC")),
        pl.Series(
            "ts", [datetime(2026, 11, 22, 11, 50)], pl.Datetime("us", "UTC")
        ).dt.convert_time_zone("America/New_York"),
        pl.Series("ts", ["2026-11-22T11:50:00Z"], pl.Categorical),
    ],
)
def test_accepts_every_timestamp_dtype(series: pl.Series) -> None:
    result = guard_of(FRESH).validate(series.to_frame())
    assert result.ok
    assert result.accepted["ts"][0] == datetime(2026, 11, 22, 11, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("series", "reason"),
    [
        (pl.Series("ts", [None, None], pl.Null), "freshness.missing"),
        (pl.Series("ts", [1, 2]), "freshness.invalid"),
        (pl.Series("ts", [True, False]), "freshness.invalid"),
        (pl.Series("ts", [date(2026, 11, 22)] * 2), "freshness.invalid"),
        (pl.Series("ts", [[1], [2]]), "freshness.invalid"),
    ],
)
def test_non_timestamp_dtypes_quarantine_every_row(series: pl.Series, reason: str) -> None:
    result = guard_of(FRESH).validate(series.to_frame())
    assert result.accepted.height == 0
    assert result.counts() == {reason: 2}


def test_datetimes_beyond_python_range_are_invalid_not_a_crash() -> None:
    far = pl.Series("ts", [253_402_300_800_000_000 * 10], pl.Datetime("us", "UTC"))  # year > 9999
    result = guard_of(FRESH).validate(far.to_frame())
    assert result.counts() == {"freshness.invalid": 1}


class TestPerSourceLimits:
    validator = ig.freshness(
        "ts",
        error_after="1h",
        per_source={"batch-export": ig.FreshnessLimits.parse("24h", "12h")},
    )

    @pytest.mark.parametrize(
        ("source", "ts", "reasons", "warnings"),
        [
            ("batch-export", "2026-11-21T22:00:00Z", (), ("freshness.aging",)),
            ("batch-export", "2026-11-20T02:00:00Z", ("freshness.stale",), ()),
            ("web", "2026-11-22T02:00:00Z", ("freshness.stale",), ()),
            (None, "2026-11-22T11:30:00Z", (), ()),
            (7, "2026-11-22T02:00:00Z", ("freshness.stale",), ()),
        ],
    )
    def test_source_limits_override_defaults_on_both_paths(
        self, source: object, ts: str, reasons: tuple[str, ...], warnings: tuple[str, ...]
    ) -> None:
        guard = guard_of(self.validator)
        record = {"ts": ts, "source": source}
        verdict = guard.check(record)
        assert verdict.reasons == reasons
        assert verdict.warnings == warnings
        result = guard.validate(pl.DataFrame([record]))
        frame = result.accepted if verdict.ok else result.quarantined
        assert frame["warnings"].to_list() == [list(warnings)]
        if reasons:
            assert frame["reasons"].to_list() == [list(reasons)]

    def test_requires_the_source_column(self) -> None:
        assert self.validator.columns == ("ts", "source")
        with pytest.raises(ig.InputRejected, match="'source' is required"):
            guard_of(self.validator).validate(pl.DataFrame({"ts": ["2026-11-22T11:30:00Z"]}))


class TestConfiguration:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"error_after": "-5m"}, "'error_after'"),
            ({"error_after": "soon"}, "'error_after'"),
            ({"error_after": "1h", "warn_after": "2h"}, "must not exceed"),
            ({"error_after": "1h", "max_future_skew": "x"}, "'max_future_skew'"),
            ({"error_after": "1h", "naive": "Mars/Olympus"}, "IANA time zone"),
        ],
    )
    def test_bad_options_fail_at_construction(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(ConfigurationError, match=message):
            ig.freshness("ts", **kwargs)

    def test_empty_column_name(self) -> None:
        with pytest.raises(ConfigurationError, match="'column'"):
            ig.freshness("", error_after="1h")

    def test_repr_reads_like_the_call(self) -> None:
        assert repr(ig.freshness("ts", error_after="15m")) == "freshness('ts', error_after='15m')"
        assert repr(
            ig.freshness(
                "ts",
                error_after=timedelta(hours=24),
                warn_after="90m",
                max_future_skew="5s",
                naive="assume_utc",
            )
        ) == (
            "freshness('ts', error_after='1d', warn_after='1h30m', max_future_skew='5s', "
            "naive='assume_utc')"
        )

    def test_validators_are_immutable_hashable_and_pickle(self) -> None:
        v = ig.freshness("ts", error_after="1h", per_source={"a": ig.FreshnessLimits.parse("2h")})
        with pytest.raises(AttributeError):
            v.column = "other"  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(v)) == v
        assert hash(v) == hash(pickle.loads(pickle.dumps(v)))
        assert v.reasons >= {Reason.FRESHNESS_STALE, Reason.FRESHNESS_AGING}


def test_clock_is_read_once_per_call() -> None:
    readings: list[datetime] = []

    def clock() -> datetime:
        readings.append(NOW)
        return NOW

    guard = ig.Guard([FRESH, ig.freshness("ts2", error_after="1h")], name="t", clock=clock)
    guard.validate(
        pl.DataFrame({"ts": ["2026-11-22T11:50Z"] * 3, "ts2": ["2026-11-22T11:50Z"] * 3})
    )
    assert len(readings) == 1
    guard.check({"ts": "2026-11-22T11:50Z", "ts2": "2026-11-22T11:50Z"})
    assert len(readings) == 2


def test_naive_clock_is_a_configuration_error() -> None:
    guard = ig.Guard([FRESH], name="t", clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        guard.check({"ts": "2026-11-22T11:50Z"})


def test_fixed_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        ig.FixedClock(datetime(2026, 1, 1))


def test_fixed_offset_clock_is_read_as_utc() -> None:
    clock = ig.FixedClock(datetime(2026, 11, 22, 13, 0, tzinfo=timezone(timedelta(hours=1))))
    guard = ig.Guard([FRESH], name="t", clock=clock)
    assert guard.check({"ts": "2026-11-22T11:50Z"}).checked_at == NOW
