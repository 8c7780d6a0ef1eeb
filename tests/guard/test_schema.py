from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pytest

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


def test_a_non_schema_is_a_configuration_error() -> None:
    bad = ig.Guard([], name="x", schema=object())
    with pytest.raises(ig.ConfigurationError, match="pandera"):
        bad.validate(pl.DataFrame({"a": [1]}))
