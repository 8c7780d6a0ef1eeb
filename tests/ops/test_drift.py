from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

import inputguard as ig

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _result(rows: list[tuple[str | None, list[str]]], *, column: str = "source") -> ig.Result:
    """A hand-built result: (source, reasons) per row; rows without reasons are accepted."""
    ok = [(i, s) for i, (s, r) in enumerate(rows) if not r]
    bad = [(i, s, r) for i, (s, r) in enumerate(rows) if r]
    accepted = pl.DataFrame(
        {
            "row_id": pl.Series([i for i, _ in ok], dtype=pl.UInt32),
            column: pl.Series([s for _, s in ok], dtype=pl.String),
            "warnings": pl.Series([[] for _ in ok], dtype=pl.List(pl.String)),
        }
    )
    quarantined = pl.DataFrame(
        {
            "row_id": pl.Series([i for i, _, _ in bad], dtype=pl.UInt32),
            column: pl.Series([s for _, s, _ in bad], dtype=pl.String),
            "reasons": pl.Series([r for _, _, r in bad], dtype=pl.List(pl.String)),
            "owner": pl.Series([None for _ in bad], dtype=pl.String),
            "warnings": pl.Series([[] for _ in bad], dtype=pl.List(pl.String)),
        }
    )
    return ig.Result(
        accepted=accepted,
        quarantined=quarantined,
        guard="g",
        fingerprint="f" * 16,
        checked_at=NOW,
        duration_s=0.0,
    )


def _batch(rng: random.Random, rates: dict[str, float], size: int) -> ig.Result:
    """``size`` rows per source, each with ``term.unknown`` at the source's rate."""
    rows: list[tuple[str | None, list[str]]] = []
    for source, rate in rates.items():
        rows += [(source, ["term.unknown"] if rng.random() < rate else []) for _ in range(size)]
    return _result(rows)


def test_exported() -> None:
    assert ig.DriftWatch is not None
    assert ig.DriftAlert is not None


def page(alert: ig.DriftAlert) -> None:
    """A stand-in alerting hook."""


@pytest.mark.parametrize(
    ("watch", "text"),
    [
        (ig.DriftWatch(), "DriftWatch()"),
        (
            ig.DriftWatch(factor=3.0, source="feed", reasons=["term.unknown"], on_alert=page),
            "DriftWatch(factor=3.0, source='feed', reasons=['term.unknown'], on_alert=page)",
        ),
        (ig.DriftWatch(baseline={"crm": {}}), "DriftWatch(baseline=<1 sources>)"),
    ],
)
def test_repr_reads_like_the_call(watch: ig.DriftWatch, text: str) -> None:
    assert repr(watch) == text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"factor": 1}, "'factor' must be greater than 1"),
        ({"factor": float("nan")}, "'factor' must be a positive number"),
        ({"half_life": 0}, "'half_life' must be a positive number"),
        ({"baseline_rows": 1.5}, "'baseline_rows' must be a positive integer"),
        ({"min_rows": -1}, "'min_rows' must be a positive integer"),
        ({"max_sources": True}, "'max_sources' must be a positive integer"),
        ({"min_rate": 0}, "'min_rate' must be a positive number"),
        ({"min_rate": 1.5}, "'min_rate' must be at most 1"),
        ({"source": ""}, "'source' must be a column name"),
        ({"on_alert": "pager"}, "'on_alert' must be callable"),
        ({"baseline": {"crm": {"term.unknown": 2}}}, "baseline rate of 'term.unknown'"),
    ],
)
def test_bad_configuration_fails_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.DriftWatch(**kwargs)


def test_a_source_whose_unknown_term_rate_triples_alarms_and_a_stable_one_does_not() -> None:
    rng = random.Random(20261122)
    alerts: list[ig.DriftAlert] = []
    watch = ig.DriftWatch(on_alert=alerts.append)  # defaults: baseline from 5000 rows
    fired_at: list[int] = []
    with capture_logs() as events:
        for batch in range(40):
            crm_rate = 0.02 if batch < 15 else 0.06  # the crm feed degrades at batch 15
            if watch.observe(_batch(rng, {"crm": crm_rate, "lab": 0.02}, 500)):
                fired_at.append(batch)

    assert [(a.source, a.reason, a.state) for a in alerts] == [("crm", "term.unknown", "departed")]
    assert len(fired_at) == 1
    assert 15 < fired_at[0] <= 25  # a half-life (1000 rows) is two batches
    (alert,) = alerts
    assert alert.ratio >= 2.0
    assert alert.rate == pytest.approx(alert.ratio * alert.reference)
    assert (alert.guard, alert.guard_fingerprint) == ("g", "f" * 16)
    assert watch.departed() == {("crm", "term.unknown")}
    drift = [e for e in events if e["event"] == "inputguard.drift"]
    assert len(drift) == 1
    assert set(drift[0]) == {
        "event",
        "log_level",
        "audit_schema",
        "state",
        "source",
        "reason",
        "rate",
        "baseline",
        "reference",
        "ratio",
        "factor",
        "rows",
        "half_life",
        "guard",
        "guard_fingerprint",
    }
    assert drift[0]["log_level"] == "warning"
    assert drift[0]["source"] == "crm"
    baselines = [e["source"] for e in events if e["event"] == "inputguard.drift_baseline"]
    assert sorted(baselines) == ["crm", "lab"]


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


@given(
    seed=st.integers(0, 2**32 - 1),
    rates=st.dictionaries(
        st.sampled_from(["crm", "lab", "erp"]), st.floats(0, 0.3), min_size=1, max_size=3
    ),
)
def test_stable_sources_never_alarm(seed: int, rates: dict[str, float]) -> None:
    rng = random.Random(seed)
    watch = ig.DriftWatch()
    with capture_logs():
        for _ in range(30):  # 10 batches of baseline, 20 of watching (10 half-lives)
            hits = {(s, "term.unknown"): _binomial(rng, 500, p) for s, p in rates.items()}
            assert watch.observe_counts(dict.fromkeys(rates, 500), hits) == ()
    assert watch.departed() == set()


def test_a_few_rows_never_alarm() -> None:
    watch = ig.DriftWatch(baseline={"crm": {"term.unknown": 0.01}}, min_rows=500)
    with capture_logs():
        assert watch.observe_counts({"crm": 2}, {("crm", "term.unknown"): 2}) == ()
        assert watch.observe_counts({"crm": 400}, {("crm", "term.unknown"): 400}) == ()
        (alert,) = watch.observe_counts({"crm": 100}, {("crm", "term.unknown"): 100})
    assert (alert.rows, alert.baseline, alert.state) == (502, 0.01, "departed")


def test_a_reason_absent_from_the_baseline_is_compared_with_the_floor() -> None:
    watch = ig.DriftWatch(baseline={"crm": {}}, min_rows=100, half_life=100, min_rate=0.05)
    with capture_logs():
        assert watch.observe_counts({"crm": 1000}, {("crm", "freshness.stale"): 90}) == ()
        (alert,) = watch.observe_counts({"crm": 1000}, {("crm", "freshness.stale"): 150})
    assert (alert.baseline, alert.reference) == (0.0, 0.05)


def test_one_alert_per_departure_then_a_recovery() -> None:
    departed: list[ig.DriftAlert] = []
    recovered: list[ig.DriftAlert] = []
    watch = ig.DriftWatch(
        baseline={"crm": {"term.unknown": 0.02}},
        min_rows=100,
        half_life=100,
        on_alert=departed.append,
        on_recovery=recovered.append,
    )
    with capture_logs() as events:
        for _ in range(10):
            watch.observe_counts({"crm": 100}, {("crm", "term.unknown"): 20})
        for _ in range(10):
            watch.observe_counts({"crm": 100}, {("crm", "term.unknown"): 2})
    assert [a.state for a in departed] == ["departed"]
    assert [a.state for a in recovered] == ["recovered"]
    assert recovered[0].rate < 1.5 * 0.02
    assert [(e["state"], e["log_level"]) for e in events if e["event"] == "inputguard.drift"] == [
        ("departed", "warning"),
        ("recovered", "info"),
    ]
    assert watch.departed() == set()


def test_a_failing_hook_is_logged_and_does_not_stop_the_watch() -> None:
    def broken(alert: ig.DriftAlert) -> None:
        raise RuntimeError("pager is down")

    watch = ig.DriftWatch(baseline={"crm": {}}, min_rows=1, half_life=1, on_alert=broken)
    with capture_logs() as events:
        (alert,) = watch.observe_counts({"crm": 10}, {("crm", "term.unknown"): 10})
    failures = [e for e in events if e["event"] == "inputguard.drift_hook_failed"]
    assert failures == [
        {
            "event": "inputguard.drift_hook_failed",
            "log_level": "error",
            "audit_schema": 1,
            "hook": "on_alert",
            "error": "RuntimeError",
            "source": "crm",
            "reason": "term.unknown",
        }
    ]
    assert alert.state == "departed"


@pytest.mark.parametrize("column", ["source", "feed"])
def test_rows_without_a_source_count_under_none(column: str) -> None:
    watch = ig.DriftWatch(source=column, baseline_rows=4)
    rows: list[tuple[str | None, list[str]]] = [
        (None, ["term.unknown"]),
        (None, []),
        ("crm", ["term.unknown", "freshness.stale"]),
        ("crm", []),
        ("crm", []),
        ("crm", []),
    ]
    with capture_logs():
        watch.observe(_result(rows, column=column))  # crm learns from its 4 rows
        watch.observe(_result(rows, column=column))  # <none> needs a second batch
    assert watch.baselines()["crm"] == {"term.unknown": 0.25, "freshness.stale": 0.25}
    assert watch.baselines()["<none>"] == {"term.unknown": 0.5}


def test_frames_without_the_source_column_count_under_none() -> None:
    watch = ig.DriftWatch(source="feed", baseline_rows=2)
    with capture_logs():
        watch.observe(_result([("crm", ["term.unknown"]), ("crm", [])]))
    assert watch.baselines() == {"<none>": {"term.unknown": 0.5}}


def test_only_the_watched_reasons_are_tracked() -> None:
    watch = ig.DriftWatch(reasons={"term.unknown"}, baseline_rows=10)
    with capture_logs():
        watch.observe_counts(
            {"crm": 10}, {("crm", "term.unknown"): 1, ("crm", "freshness.stale"): 5}
        )
    assert watch.baselines() == {"crm": {"term.unknown": 0.1}}


def test_sources_beyond_the_cap_share_one_key() -> None:
    watch = ig.DriftWatch(max_sources=2, baseline_rows=1)
    with capture_logs():
        watch.observe_counts({"a": 1, "b": 1, "c": 1, "d": 1}, {})
    assert sorted(watch.baselines()) == ["<other>", "a", "b"]


@pytest.mark.parametrize(
    ("rows", "hits"),
    [
        ({"crm": 2}, {("crm", "term.unknown"): 3}),
        ({"crm": 2}, {("lab", "term.unknown"): 1}),
        ({"crm": 2}, {("crm", "term.unknown"): -1}),
        ({"crm": -2}, {}),
    ],
)
def test_impossible_counts_are_refused(
    rows: dict[str, int], hits: dict[tuple[str, str], int]
) -> None:
    with pytest.raises(ig.ConfigurationError):
        ig.DriftWatch().observe_counts(rows, hits)


def test_the_running_rate_does_not_depend_on_how_batches_are_cut() -> None:
    one = ig.DriftWatch(baseline={"crm": {"term.unknown": 0.0}}, half_life=50)
    many = ig.DriftWatch(baseline={"crm": {"term.unknown": 0.0}}, half_life=50)
    with capture_logs():
        one.observe_counts({"crm": 100}, {("crm", "term.unknown"): 100})
        for _ in range(100):
            many.observe_counts({"crm": 1}, {("crm", "term.unknown"): 1})
    expected = 1 - 0.5**2  # two half-lives at 100 %
    assert one.rates()["crm"]["term.unknown"] == pytest.approx(expected)
    assert many.rates()["crm"]["term.unknown"] == pytest.approx(expected)
