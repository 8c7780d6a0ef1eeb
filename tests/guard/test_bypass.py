"""`bypass()`: guards off for one thread or task, audited, never process-wide."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

import inputguard as ig
from inputguard import InputRejected
from inputguard._guard.bypass import bypass_reason

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
STALE = "2026-11-22T09:00:00Z"
GUARD = ig.Guard([ig.freshness("ts", error_after="1h")], name="bypass", clock=ig.FixedClock(NOW))


@GUARD.wrap
def predict(record: Any) -> Any:
    return record


@GUARD.wrap
async def apredict(record: Any) -> Any:
    await asyncio.sleep(0)
    return record


@pytest.mark.parametrize(
    ("data", "rows_in"),
    [
        ({"ts": STALE}, 1),
        (pl.DataFrame({"ts": [STALE, STALE]}), 2),
        (pl.DataFrame({"ts": [STALE, STALE]}).to_arrow(), 2),
        (pl.LazyFrame({"ts": [STALE]}), None),
        ({"no_ts": 1}, 1),  # not even the right shape: bypass does not look
    ],
)
def test_bypassed_input_passes_unchanged_and_is_audited(data: Any, rows_in: int | None) -> None:
    with capture_logs() as events, ig.bypass(reason="backfill-42"):
        assert predict(data) is data
    (event,) = events
    assert event["policy"] == "bypass"
    assert event["bypass_reason"] == "backfill-42"
    assert event["rows_in"] == rows_in
    assert event["accepted"] == event["quarantined"] == 0
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == "bypass"
    assert outcome.verdict is None


def test_guards_run_again_after_the_block() -> None:
    with capture_logs():
        with ig.bypass():
            predict({"ts": STALE})
        with pytest.raises(InputRejected):
            predict({"ts": STALE})
        with pytest.raises(RuntimeError), ig.bypass():
            raise RuntimeError
        with pytest.raises(InputRejected):
            predict({"ts": STALE})


def test_bypass_does_not_change_the_guard_itself() -> None:
    with capture_logs(), ig.bypass():
        assert not GUARD.check({"ts": STALE}).ok


@given(reasons=st.lists(st.text(max_size=5), max_size=6))
def test_nested_blocks_restore_the_outer_reason(reasons: list[str]) -> None:
    def nest(depth: int) -> None:
        if depth == len(reasons):
            return
        outer = bypass_reason()
        with ig.bypass(reason=reasons[depth]):
            assert bypass_reason() == reasons[depth]
            nest(depth + 1)
        assert bypass_reason() == outer

    assert bypass_reason() is None
    nest(0)
    assert bypass_reason() is None


def test_bypass_is_per_thread() -> None:
    inside = threading.Event()
    checked = threading.Event()
    results: dict[str, Any] = {}

    def backfill() -> None:
        with ig.bypass(reason="backfill"):
            inside.set()
            checked.wait(timeout=10)
            results["backfill"] = predict({"ts": STALE})

    def serving() -> None:
        inside.wait(timeout=10)
        try:
            predict({"ts": STALE})
        except InputRejected as exc:
            results["serving"] = exc.reasons
        finally:
            checked.set()

    with capture_logs() as events:
        threads = [threading.Thread(target=backfill), threading.Thread(target=serving)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
    assert results == {"backfill": {"ts": STALE}, "serving": ("freshness.stale",)}
    assert sorted(e["policy"] for e in events) == ["bypass", "raise"]


def test_threads_started_inside_do_not_inherit_unless_given_the_context() -> None:
    seen: list[str | None] = []
    with ig.bypass(reason="outer"):
        plain = threading.Thread(target=lambda: seen.append(bypass_reason()))
        plain.start()
        plain.join()
        ctx = contextvars.copy_context()
        carried = threading.Thread(target=ctx.run, args=(lambda: seen.append(bypass_reason()),))
        carried.start()
        carried.join()
    assert seen == [None, "outer"]


def test_bypass_is_per_task() -> None:
    async def main() -> tuple[Any, ...]:
        inside = asyncio.Event()
        checked = asyncio.Event()

        async def backfill() -> Any:
            with ig.bypass(reason="backfill"):
                inside.set()
                await checked.wait()
                return await apredict({"ts": STALE})

        async def serving() -> Any:
            await inside.wait()
            try:
                return await apredict({"ts": STALE})
            except InputRejected as exc:
                return exc.reasons
            finally:
                checked.set()

        return tuple(await asyncio.gather(backfill(), serving()))

    with capture_logs() as events:
        assert asyncio.run(main()) == ({"ts": STALE}, ("freshness.stale",))
    assert sorted(e["policy"] for e in events) == ["bypass", "raise"]


def test_tasks_started_inside_inherit_the_bypass() -> None:
    async def main() -> Any:
        with ig.bypass(reason="backfill"):
            task = asyncio.create_task(apredict({"ts": STALE}))
        return await task  # the task copied the context when it was created

    with capture_logs() as events:
        assert asyncio.run(main()) == {"ts": STALE}
    assert [e["policy"] for e in events] == ["bypass"]
