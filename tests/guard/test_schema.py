from __future__ import annotations

import sys

import pandera.polars as pa
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import InputRejected, Reason

from ..conftest import NOW


class Transactions(pa.DataFrameModel):
    amount: float = pa.Field(ge=0)
    currency: str = pa.Field(isin=["EUR", "USD"])


def guard() -> ig.Guard:
    return ig.Guard(
        [ig.freshness("ts", error_after="1h")],
        name="schema",
        clock=ig.FixedClock(NOW),
        schema=Transactions,
    )


def test_row_check_failures_become_quarantine_rows() -> None:
    frame = pl.DataFrame(
        {
            "amount": [1.0, -2.0, 3.0, None],
            "currency": ["EUR", "USD", "XXX", "EUR"],
            "ts": ["2026-11-22T11:30:00Z", "2026-11-22T11:30:00Z", "bad", "2026-11-22T11:30Z"],
        }
    )
    result = guard().validate(frame)
    assert result.accepted["row_id"].to_list() == [0]
    q = result.quarantined
    reasons = dict(zip(q["row_id"].to_list(), q["reasons"].to_list(), strict=True))
    assert reasons == {
        1: ["schema.greater_than_or_equal_to"],
        2: ["schema.isin", "freshness.invalid"],
        3: ["schema.not_nullable"],
    }


def test_a_missing_column_rejects_the_batch_naming_it() -> None:
    frame = pl.DataFrame({"amount": [1.0], "ts": ["2026-11-22T11:30:00Z"]})
    with pytest.raises(InputRejected, match="'currency'") as info:
        guard().validate(frame)
    assert info.value.reasons == (Reason.SCHEMA_MISSING_COLUMN,)


def test_a_wrong_dtype_rejects_the_batch() -> None:
    frame = pl.DataFrame({"amount": ["1"], "currency": ["EUR"], "ts": ["2026-11-22T11:30Z"]})
    with pytest.raises(InputRejected, match="'amount'") as info:
        guard().validate(frame)
    assert Reason.SCHEMA_DTYPE in info.value.reasons


def test_a_clean_frame_passes_through() -> None:
    frame = pl.DataFrame({"amount": [1.0], "currency": ["EUR"], "ts": ["2026-11-22T11:30Z"]})
    assert guard().validate(frame).ok


def test_a_non_schema_is_refused_when_the_guard_is_built() -> None:
    with pytest.raises(ig.ConfigurationError, match="pandera polars DataFrameModel"):
        ig.Guard([], name="x", schema=object())


def test_without_pandera_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandera.polars", None)  # import fails as if absent
    with pytest.raises(ig.ConfigurationError, match=r"inputguard-inference\[pandera\]"):
        ig.Guard([], name="x", schema=Transactions)


# -- one truth on both paths: the record path applies the schema too ---------------------------

amounts = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5),
    st.integers(min_value=-5, max_value=5),
)
currencies = st.sampled_from(["EUR", "USD", "XXX", None])
stamps = st.sampled_from(["2026-11-22T11:30:00Z", "bad", None])


@given(amounts, currencies, stamps)
def test_a_record_gets_the_verdict_of_its_one_row_frame(
    amount: float | None, currency: str | None, ts: str | None
) -> None:
    g = guard()
    record = {"amount": amount, "currency": currency, "ts": ts}
    verdict = g.check(record)
    frame = pl.DataFrame(
        {"amount": [amount], "currency": [currency], "ts": [ts]},
        schema={"amount": pl.Float64, "currency": pl.String, "ts": pl.String},
    )
    result = g.validate(frame)
    assert verdict.ok == result.ok
    if not verdict.ok:
        row = result.quarantined.row(0, named=True)
        assert list(verdict.reasons) == row["reasons"]
        assert list(verdict.reason_columns) == row["reason_columns"]


def test_a_wrapped_function_no_longer_receives_what_the_schema_refuses() -> None:
    seen: list[object] = []

    @guard().wrap(on_fail="raise")
    def predict(record: dict[str, object]) -> None:
        seen.append(record["amount"])

    with pytest.raises(InputRejected) as info:
        predict({"amount": -1.0, "currency": "EUR", "ts": "2026-11-22T11:30:00Z"})
    assert info.value.reasons == ("schema.greater_than_or_equal_to",)
    predict({"amount": 1.0, "currency": "EUR", "ts": "2026-11-22T11:30:00Z"})
    assert seen == [1.0]


def test_a_record_missing_a_schema_column_is_rejected_as_a_whole() -> None:
    with pytest.raises(InputRejected, match="'currency'") as info:
        guard().check({"amount": 1.0, "ts": "2026-11-22T11:30:00Z"})
    assert info.value.reasons == (Reason.SCHEMA_MISSING_COLUMN,)
