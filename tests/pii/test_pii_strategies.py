"""`inputguard.strategies` for guards with a PII validator: the verdicts are known in advance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inputguard as ig
from inputguard import strategies as igst
from inputguard._pii.entities import ENTITIES, MODEL_ENTITIES

if TYPE_CHECKING:
    from collections.abc import Sequence

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NAMES = tuple(ENTITIES)
SLOW = settings(suppress_health_check=list(HealthCheck), deadline=None)


def guard_with(actions: dict[str, str], **kwargs: object) -> ig.Guard:
    validator = ig.pii("text", entities=actions, **kwargs)  # type: ignore[arg-type]
    return ig.Guard([validator], name="pii-strategies", clock=ig.FixedClock(NOW))


ALL_REJECTED = guard_with(dict.fromkeys(NAMES, "reject"))
# every other entity redacted, the rest rejected: each entity is planted next to the others
MIXED = guard_with({n: "redact" if i % 2 else "reject" for i, n in enumerate(NAMES)})
FLAGGED = guard_with({n: "flag" if i % 2 else "reject" for i, n in enumerate(NAMES)})


@pytest.mark.parametrize("guard", [ALL_REJECTED, MIXED, FLAGGED], ids=["reject", "mixed", "flag"])
@SLOW
@given(data=st.data())
def test_invalid_records_get_exactly_their_reasons(guard: ig.Guard, data: st.DataObject) -> None:
    case = data.draw(igst.records(guard, valid=False))
    verdict = guard.check(case.record)
    assert verdict.reasons == case.reasons


@pytest.mark.parametrize("guard", [ALL_REJECTED, MIXED, FLAGGED], ids=["reject", "mixed", "flag"])
@SLOW
@given(data=st.data())
def test_valid_records_are_accepted(guard: ig.Guard, data: st.DataObject) -> None:
    record = data.draw(igst.records(guard))
    verdict = guard.check(record)
    assert verdict.ok, verdict.reasons
    text = record["text"]
    if text is not None and verdict.warnings:  # redacted values: the model sees placeholders
        assert verdict.record["text"] != text


@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
@given(generated=igst.frames(MIXED, max_rows=30))
def test_frames_split_as_generated(generated: igst.GeneratedFrame) -> None:
    result = MIXED.validate(generated.frame)
    got = {r["row_id"]: tuple(r["reasons"]) for r in result.quarantined.iter_rows(named=True)}
    assert got == {i: reasons for i, reasons in enumerate(generated.reasons) if reasons}


ALLOWING = guard_with({"email": "reject"}, allow_patterns=[r"[a-z]*[0-4]?@example\.com"])


@SLOW
@given(case=igst.records(ALLOWING, valid=False))
def test_values_an_allow_list_lets_through_are_not_drawn(case: igst.InvalidRecord) -> None:
    assert ALLOWING.check(case.record).reasons == ("pii.email",)


def test_only_rejected_entities_are_rejection_reasons() -> None:
    with pytest.raises(ig.ConfigurationError, match=r"pii\.email"):
        igst.records(
            guard_with({"email": "redact", "card": "reject"}), valid=False, reasons=["pii.email"]
        )
    with pytest.raises(ig.ConfigurationError, match="no validator that can reject"):
        igst.records(guard_with({"email": "redact"}), valid=False)


def test_model_based_entities_are_refused() -> None:
    class Names:
        entities = (MODEL_ENTITIES[0],)

        def find(self, texts: Sequence[str]) -> Sequence[Sequence[ig.PiiSpan]]:
            return [[] for _ in texts]

    g = ig.Guard([ig.pii("text", entities=("person",), recognizers=[Names()])], name="x")
    with pytest.raises(ig.ConfigurationError, match="model-based recognizer"):
        igst.records(g)
