"""Properties of the scoring service, stated with inputguard's strategies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring import make_guard, model, score

import inputguard as ig
from inputguard import strategies as igst

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
GUARD = make_guard(ig.FixedClock(NOW))
AMOUNTS = {"amount": st.floats(0, 50_000, allow_nan=False)}


@given(igst.records(GUARD, extra=AMOUNTS))
def test_every_valid_record_gets_a_score_between_0_and_1(record: dict[str, object]) -> None:
    result = score(GUARD, record)
    assert result is not None
    assert 0.0 <= result <= 1.0


@given(igst.records(GUARD, valid=False, extra=AMOUNTS))
def test_the_model_never_sees_a_stale_naive_or_unknown_term_record(
    case: igst.InvalidRecord,
) -> None:
    assert score(GUARD, case.record) is None
    assert GUARD.check(case.record).reasons == case.reasons


@given(igst.records(GUARD, valid=False, reasons=["freshness.stale"], extra=AMOUNTS))
def test_stale_records_are_rejected_as_stale(case: igst.InvalidRecord) -> None:
    assert case.reasons == ("freshness.stale",)
    assert score(GUARD, case.record) is None


@settings(max_examples=25)
@given(igst.frames(GUARD, max_rows=30, extra=AMOUNTS))
def test_batch_scoring_scores_exactly_the_accepted_rows(case: igst.GeneratedFrame) -> None:
    result = GUARD.validate(case.frame)
    assert result.accepted["row_id"].to_list() == list(case.accepted_rows)
    scores = [model(row) for row in result.accepted.iter_rows(named=True)]
    assert all(0.0 <= s <= 1.0 for s in scores)


@given(igst.terms(make_guard().validators[1].vocab, known=False))  # type: ignore[attr-defined]
def test_near_miss_countries_are_refused(country: str) -> None:
    record = {"event_ts": NOW, "country": country, "amount": 10.0}
    assert score(GUARD, record) is None


def test_a_record_goes_stale_as_the_clock_moves(frozen_clock: ig.Clock) -> None:
    guard = make_guard(frozen_clock)
    record = {"event_ts": frozen_clock(), "country": "Austria", "amount": 10.0}
    assert score(guard, record) == pytest.approx(0.001)
    frozen_clock.advance("2h")  # type: ignore[attr-defined]
    assert score(guard, record) is None
