"""Many threads and asyncio tasks calling one guarded function: own verdicts, audit adds up."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from structlog.testing import capture_logs

import inputguard as ig
from inputguard import Result, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
GUARD = ig.Guard([ig.freshness("ts", error_after="1h")], name="busy", clock=ig.FixedClock(NOW))
THREADS = 8
CALLS = 150


def record(i: int) -> dict[str, Any]:
    """Record ``i``: ``i % 97`` minutes old, so about 38% are stale, in an irregular pattern."""
    return {"id": i, "ts": (NOW - timedelta(minutes=i % 97)).isoformat()}


def expected(i: int) -> tuple[Any, ...]:
    minutes = i % 97
    if minutes <= 60:
        return ("scored", i, NOW - timedelta(minutes=minutes))
    return ("fallback", i, ("freshness.stale",))


def degrade(value: Any, verdict: Verdict | Result) -> tuple[Any, ...]:
    assert isinstance(verdict, Verdict)
    return ("fallback", value["id"], verdict.reasons)


@GUARD.wrap(on_fail=degrade)
def predict(data: dict[str, Any]) -> tuple[Any, ...]:
    return ("scored", data["id"], data["ts"])


@GUARD.wrap(on_fail=degrade)
async def apredict(data: dict[str, Any]) -> tuple[Any, ...]:
    await asyncio.sleep(0)  # let other tasks run between the check and the answer
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == "none"  # this task's own outcome, not a neighbour's
    assert isinstance(outcome.verdict, Verdict)
    assert outcome.verdict.record["id"] == data["id"]
    return ("scored", data["id"], data["ts"])


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads every microsecond so that calls really interleave."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def check_audit(events: Sequence[Mapping[str, Any]], ids: list[int], bypassed: set[int]) -> None:
    assert len(events) == len(ids)
    policies = Counter(e["policy"] for e in events)
    scored = sum(1 for i in ids if i not in bypassed and expected(i)[0] == "scored")
    assert policies == Counter(
        {
            k: v
            for k, v in {
                "none": scored,
                "fallback": len(ids) - scored - len(bypassed),
                "bypass": len(bypassed),
            }.items()
            if v
        }
    )
    checked = [e for e in events if e["policy"] != "bypass"]
    assert sum(e["accepted"] for e in checked) == scored
    assert sum(e["quarantined"] for e in checked) == len(ids) - scored - len(bypassed)
    assert sum(e["reasons"].get("freshness.stale", 0) for e in events) == policies["fallback"]


def test_threads_get_their_own_verdicts_and_the_audit_adds_up() -> None:
    results: dict[int, tuple[Any, ...]] = {}
    start = threading.Barrier(THREADS)
    bypassed: set[int] = set()
    lock = threading.Lock()

    def worker(t: int) -> None:
        start.wait(timeout=30)
        ids = range(t * CALLS, (t + 1) * CALLS)
        if t % 4 == 3:  # a backfill thread next to the serving threads
            with ig.bypass(reason="backfill"):
                got = {i: predict(record(i)) for i in ids}
            with lock:
                bypassed.update(ids)
        else:
            got = {i: predict(record(i)) for i in ids}
        with lock:
            results.update(got)

    with capture_logs() as events:
        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    ids = list(range(THREADS * CALLS))
    assert sorted(results) == ids
    for i in ids:
        if i in bypassed:
            assert results[i] == ("scored", i, record(i)["ts"])  # unchecked, unchanged
        else:
            assert results[i] == expected(i)
    check_audit(events, ids, bypassed)


def test_tasks_get_their_own_verdicts_and_the_audit_adds_up() -> None:
    ids = list(range(THREADS * CALLS))

    async def main() -> list[tuple[Any, ...]]:
        return list(await asyncio.gather(*(apredict(record(i)) for i in ids)))

    with capture_logs() as events:
        results = asyncio.run(main())
    assert results == [expected(i) for i in ids]
    check_audit(events, ids, set())


def test_threads_running_event_loops() -> None:
    results: dict[int, tuple[Any, ...]] = {}
    lock = threading.Lock()

    def worker(t: int) -> None:
        ids = range(t * 50, (t + 1) * 50)

        async def main() -> list[tuple[Any, ...]]:
            return list(await asyncio.gather(*(apredict(record(i)) for i in ids)))

        got = asyncio.run(main())
        with lock:
            results.update(zip(ids, got, strict=True))

    with capture_logs() as events:
        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    ids = list(range(200))
    assert results == {i: expected(i) for i in ids}
    check_audit(events, ids, set())


@GUARD.wrap(on_fail=degrade)
def predict_own(data: dict[str, Any]) -> tuple[Any, ...]:
    outcome = ig.last_outcome()
    assert outcome is not None
    assert isinstance(outcome.verdict, Verdict)
    assert outcome.verdict.record["id"] == data["id"]  # this thread's own outcome
    return ("scored", data["id"], data["ts"])


@pytest.mark.usefixtures("warnings_only")  # info events dropped: the one-step path
def test_threads_and_tasks_on_the_one_step_path_get_their_own_verdicts() -> None:
    results: dict[int, tuple[Any, ...]] = {}
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        start.wait(timeout=30)
        ids = range(t * CALLS, (t + 1) * CALLS)
        if t % 2:

            async def main() -> list[tuple[Any, ...]]:
                return list(await asyncio.gather(*(apredict(record(i)) for i in ids)))

            got = dict(zip(ids, asyncio.run(main()), strict=True))
        else:
            got = {i: predict_own(record(i)) for i in ids}
        with lock:
            results.update(got)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {i: expected(i) for i in range(THREADS * CALLS)}
