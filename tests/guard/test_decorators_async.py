"""`guarded` / `Guard.wrap` on async functions and methods (run with ``asyncio.run``)."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from datetime import UTC, datetime
from typing import Any, assert_type

import polars as pl
import pyarrow as pa
import pytest
from pydantic import BaseModel
from structlog.testing import capture_logs

import inputguard as ig
from inputguard import InputRejected, Result, Verdict

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FRESH = "2026-11-22T12:30:00+01:00"
FRESH_UTC = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
STALE = "2026-11-22T09:00:00Z"
GUARD = ig.Guard([ig.freshness("ts", error_after="1h")], name="async", clock=ig.FixedClock(NOW))


class Model(BaseModel):
    ts: datetime


@dataclasses.dataclass
class Data:
    ts: datetime | str


def build(kind: str, ts: str) -> Any:
    if kind == "dict":
        return {"ts": ts}
    if kind == "model":
        return Model(ts=datetime.fromisoformat(ts))
    if kind == "dataclass":
        return Data(ts=ts)
    df = pl.DataFrame({"ts": [ts]})
    return {"frame": df, "lazy": df.lazy(), "table": df.to_arrow()}[kind]


def first_ts(value: Any) -> Any:
    if isinstance(value, dict):
        return value["ts"]
    if isinstance(value, (Model, Data)):
        return value.ts
    if isinstance(value, pl.LazyFrame):
        value = value.collect()
    if isinstance(value, pa.Table):
        return value.column("ts")[0].as_py()
    return value["ts"][0]


KINDS = pytest.mark.parametrize("kind", ["dict", "model", "dataclass", "frame", "lazy", "table"])


def test_async_functions_stay_coroutine_functions() -> None:
    async def predict(record: dict[str, Any], *, scale: float = 1.0) -> float:
        """Score one record."""
        await asyncio.sleep(0)
        return scale

    wrapped = GUARD.wrap(predict)
    assert inspect.iscoroutinefunction(wrapped)
    assert inspect.signature(wrapped) == inspect.signature(predict)
    assert wrapped.__doc__ == "Score one record."
    with capture_logs():
        result = asyncio.run(wrapped({"ts": FRESH}, scale=2.0))
    assert_type(result, float)
    assert result == 2.0


@KINDS
def test_passing_input_arrives_normalized_as_the_same_kind(kind: str) -> None:
    @GUARD.wrap
    async def predict(data: Any) -> Any:
        await asyncio.sleep(0)
        return data

    original = build(kind, FRESH)
    with capture_logs() as events:
        got = asyncio.run(predict(original))
    assert type(got) is type(original)
    assert first_ts(got) == FRESH_UTC
    assert [e["policy"] for e in events] == ["none"]


@KINDS
def test_failing_input_raises(kind: str) -> None:
    @GUARD.wrap
    async def predict(data: Any) -> Any:
        raise AssertionError("must not be called")

    with capture_logs() as events, pytest.raises(InputRejected) as info:
        asyncio.run(predict(build(kind, STALE)))
    assert info.value.reasons == ("freshness.stale",)
    assert [e["policy"] for e in events] == ["raise"]


@pytest.mark.parametrize("awaitable", [False, True])
@KINDS
def test_fallback_may_be_sync_or_async(kind: str, *, awaitable: bool) -> None:
    async def async_fallback(value: Any, verdict: Verdict | Result) -> str:
        await asyncio.sleep(0)
        return f"async:{type(verdict).__name__}"

    def sync_fallback(value: Any, verdict: Verdict | Result) -> str:
        return f"sync:{type(verdict).__name__}"

    @GUARD.wrap(on_fail=async_fallback if awaitable else sync_fallback)
    async def predict(data: Any) -> str:
        raise AssertionError("must not be called")

    with capture_logs() as events:
        got = asyncio.run(predict(build(kind, STALE)))
    expected = "Verdict" if kind in ("dict", "model", "dataclass") else "Result"
    assert got == f"{'async' if awaitable else 'sync'}:{expected}"
    assert [e["policy"] for e in events] == ["fallback"]


@pytest.mark.parametrize("kind", ["frame", "lazy", "table"])
def test_quarantine_and_warn_on_frames(kind: str) -> None:
    sunk: list[Result] = []

    @GUARD.wrap(on_fail="quarantine", sink=sunk.append)
    async def score(data: Any) -> Any:
        return data

    @GUARD.wrap(on_fail="warn")
    async def observe(data: Any) -> Any:
        return data

    df = pl.DataFrame({"ts": [FRESH, STALE], "x": [0, 1]})
    data = {"frame": df, "lazy": df.lazy(), "table": df.to_arrow()}[kind]
    with capture_logs() as events:
        accepted = asyncio.run(score(data))
        passed = asyncio.run(observe(data))
    if kind == "table":
        frame = pl.DataFrame(pl.from_arrow(accepted))
    else:
        frame = accepted.collect() if kind == "lazy" else accepted
    assert frame["x"].to_list() == [0]
    assert sunk[0].quarantined["x"].to_list() == [1]
    assert passed is data
    assert [e["policy"] for e in events] == ["quarantine", "warn"]


class Scorer:
    def __init__(self, bias: float) -> None:
        self.bias = bias

    @GUARD.wrap
    async def predict(self, record: dict[str, Any]) -> tuple[float, Any]:
        await asyncio.sleep(0)
        return self.bias, record["ts"]


def test_async_methods() -> None:
    scorer = Scorer(0.5)
    with capture_logs():
        assert asyncio.run(scorer.predict({"ts": FRESH})) == (0.5, FRESH_UTC)
        with pytest.raises(InputRejected):
            asyncio.run(scorer.predict({"ts": STALE}))


def test_outcome_is_visible_inside_and_after_the_call() -> None:
    @GUARD.wrap(on_fail="warn")
    async def predict(record: dict[str, Any]) -> str | None:
        outcome = ig.last_outcome()
        return None if outcome is None else outcome.policy

    async def main() -> tuple[str | None, str | None, str | None]:
        fresh = await predict({"ts": FRESH})
        stale = await predict({"ts": STALE})
        after = ig.last_outcome()
        return fresh, stale, None if after is None else after.policy

    with capture_logs():
        assert asyncio.run(main()) == ("none", "warn", "warn")
