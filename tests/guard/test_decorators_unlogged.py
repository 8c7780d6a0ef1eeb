"""Guarded functions when nothing is logged: the one-step path for positional ``dict`` records.

With a logger that drops info events (as production setups configure), a record passed by
position is decided in one step; these tests hold that path to the same behaviour as the
general one (normalized input, policies, `last_outcome`, bypass, whole-input rejections).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import structlog

import inputguard as ig
from inputguard import InputRejected, Verdict

from .test_record import NonNegative

if TYPE_CHECKING:
    import structlog.testing

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FRESH = "2026-11-22T12:30:00+01:00"
FRESH_UTC = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
STALE = "2026-11-22T09:00:00Z"


pytestmark = pytest.mark.usefixtures("warnings_only")  # info events dropped (conftest.py)


def _guard() -> tuple[ig.Guard, NonNegative]:
    counted = NonNegative()
    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h"), counted], name="quiet", clock=ig.FixedClock(NOW)
    )
    return guard, counted


def test_an_accepted_record_arrives_normalized() -> None:
    guard, counted = _guard()
    seen: list[object] = []

    @guard.wrap
    def predict(record: dict[str, Any], scale: float = 1.0) -> float:
        seen.append(record)
        return float(record["amount"]) * scale

    original = {"ts": FRESH, "amount": 2}
    assert predict(original, scale=3.0) == 6.0
    assert seen == [{"ts": FRESH_UTC, "amount": 2.0}]
    assert original == {"ts": FRESH, "amount": 2}  # the caller's dict is not modified
    assert counted.calls == [2]
    outcome = ig.last_outcome()
    assert outcome is not None
    assert (outcome.policy, outcome.function) == ("none", predict.__qualname__)
    assert isinstance(outcome.verdict, Verdict)
    assert outcome.verdict.ok


def test_a_method_gets_the_record_in_its_own_position() -> None:
    guard, _ = _guard()

    class Model:
        @guard.wrap
        def predict(self, record: dict[str, Any]) -> tuple[Model, dict[str, Any]]:
            return self, record

    model = Model()
    me, record = model.predict({"ts": FRESH, "amount": 1})
    assert me is model
    assert record == {"ts": FRESH_UTC, "amount": 1.0}


def test_a_keyword_record_takes_the_general_path_to_the_same_result() -> None:
    guard, _ = _guard()

    @guard.wrap
    def predict(record: dict[str, Any]) -> dict[str, Any]:
        return record

    assert predict(record={"ts": FRESH, "amount": 1}) == predict({"ts": FRESH, "amount": 1})


@pytest.mark.parametrize("record", [{"ts": STALE, "amount": 1}, {"ts": FRESH, "amount": -1}])
def test_a_rejected_record_reaches_the_fallback_decided_once(record: dict[str, Any]) -> None:
    guard, counted = _guard()
    got: list[tuple[object, Verdict]] = []

    def fallback(value: object, verdict: Verdict) -> str:
        got.append((value, verdict))
        return "fallback"

    @guard.wrap(on_fail=fallback)
    def predict(record: dict[str, Any]) -> str:
        raise AssertionError("not called")

    assert predict(record) == "fallback"
    ((value, verdict),) = got
    assert value is record
    assert verdict == guard.check(record)
    # The user validator rejects -1 itself, so the compiled path and the reference each ask it;
    # a stale record stops the compiled path before it. Never a third time for the policy.
    calls_per_check = 2 if record["amount"] < 0 else 1
    assert len(counted.calls) == 2 * calls_per_check  # the wrapped call, then guard.check
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == "fallback"


def test_raise_names_the_reasons_and_warn_passes_the_original() -> None:
    guard, _ = _guard()

    @guard.wrap
    def strict(record: dict[str, Any]) -> dict[str, Any]:
        return record

    @guard.wrap(on_fail="warn")
    def lenient(record: dict[str, Any]) -> dict[str, Any]:
        return record

    with pytest.raises(InputRejected, match=r"freshness\.stale") as info:
        strict({"ts": STALE, "amount": 1})
    assert info.value.reasons == ("freshness.stale",)
    stale = {"ts": STALE, "amount": 1}
    assert lenient(stale) is stale


def test_warn_logs_at_warning_level(warnings_only: structlog.testing.LogCapture) -> None:
    guard, _ = _guard()

    @guard.wrap(on_fail="warn")
    def lenient(record: dict[str, Any]) -> dict[str, Any]:
        return record

    lenient({"ts": FRESH, "amount": 1})
    assert warnings_only.entries == []  # accepted: an info event, dropped
    lenient({"ts": STALE, "amount": 1})
    assert [(e["policy"], e["log_level"]) for e in warnings_only.entries] == [("warn", "warning")]


def test_a_missing_key_is_rejected_as_a_whole() -> None:
    guard, _ = _guard()

    @guard.wrap(on_fail=lambda value, verdict: verdict.reasons)
    def predict(record: dict[str, Any]) -> Any:
        return record

    assert predict({"ts": FRESH}) == ("schema.missing_column",)


def test_bypass_passes_the_input_unchanged() -> None:
    guard, counted = _guard()

    @guard.wrap
    def predict(record: dict[str, Any]) -> dict[str, Any]:
        return record

    record = {"ts": STALE, "amount": -5}
    with ig.bypass(reason="backfill"):
        assert predict(record) is record
    assert counted.calls == []
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == "bypass"


def test_async_functions_take_the_same_path() -> None:
    guard, _ = _guard()

    @guard.wrap(on_fail=lambda value, verdict: verdict.reasons)
    async def predict(record: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0)
        return record

    async def both() -> tuple[object, object]:
        return await predict({"ts": FRESH, "amount": 1}), await predict({"ts": STALE, "amount": 1})

    accepted, rejected = asyncio.run(both())
    assert accepted == {"ts": FRESH_UTC, "amount": 1.0}
    assert rejected == ("freshness.stale",)
