"""The pytest plugin, run in isolated pytest sessions with ``pytester``."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

GUARD_FILE = """
[guard]
name = "plugin-test"

[[validators]]
type = "freshness"
column = "ts"
error_after = "1h"
"""

USES_GUARD = """
def test_guard(inputguard_guard, frozen_clock):
    assert inputguard_guard.name == "plugin-test"
    assert inputguard_guard.check({"ts": "2026-01-01T11:30:00Z"}).ok
    frozen_clock.advance("1h")
    assert inputguard_guard.check({"ts": "2026-01-01T11:30:00Z"}).reasons == ("freshness.stale",)
"""


def test_frozen_clock_stands_still_until_moved(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import UTC, datetime, timedelta
        import inputguard as ig

        def test_clock(frozen_clock):
            start = frozen_clock()
            assert start == datetime(2026, 1, 1, 12, tzinfo=UTC)
            assert frozen_clock() == start
            assert frozen_clock.advance("15m") == start + timedelta(minutes=15)
            assert frozen_clock.rewind(timedelta(hours=1)) == start - timedelta(minutes=45)
            guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="g", clock=frozen_clock)
            frozen_clock.set(datetime(2030, 1, 1, tzinfo=UTC))
            assert guard.check({"ts": "2030-01-01T00:00:00Z"}).ok
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_audit_events_capture_inputguard_events_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import polars as pl
        import structlog
        import inputguard as ig

        def test_events(audit_events, frozen_clock):
            guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="g", clock=frozen_clock)
            structlog.get_logger("someone-else").info("unrelated")
            guard.check({"ts": None})
            guard.validate(pl.DataFrame({"ts": ["2026-01-01T12:00:00Z", None]}))
            assert [e["event"] for e in audit_events] == ["inputguard.check", "inputguard.validate"]
            assert audit_events.reasons() == {"freshness.missing": 2}
            assert audit_events.named("inputguard.validate")[0]["rows_in"] == 2
            audit_events.clear()
            assert len(audit_events) == 0
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize("how", ["option", "ini"])
def test_inputguard_guard_loads_the_configured_file(pytester: pytest.Pytester, how: str) -> None:
    pytester.mkdir("conf")
    (pytester.path / "conf" / "guard.toml").write_text(GUARD_FILE)
    pytester.makepyfile(USES_GUARD)
    if how == "ini":
        pytester.makeini("[pytest]\ninputguard_config = conf/guard.toml\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "--inputguard-config=conf/guard.toml")
    result.assert_outcomes(passed=1)


def test_inputguard_guard_without_a_file_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_GUARD)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*needs a guard file: pass --inputguard-config PATH*"])


def test_options_are_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--inputguard-config=PATH*", "*inputguard_config*"])


IN_GIVEN = """
from hypothesis import given, settings
from inputguard import strategies as igst

@settings(max_examples=5)
@given(data=__import__("hypothesis").strategies.data())
def test_guard_in_given(inputguard_guard_factory, data):
    guard = inputguard_guard_factory()
    record = data.draw(igst.records(guard))
    assert guard.check(record).ok

@settings(max_examples=5)
@given(data=__import__("hypothesis").strategies.data())
def test_function_scoped_in_given(inputguard_guard, data):
    pass
"""


def test_the_factory_works_inside_given_where_the_fixture_cannot(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "guard.toml").write_text(GUARD_FILE)
    pytester.makepyfile(IN_GIVEN)
    result = pytester.runpytest("-p", "no:cacheprovider", "--inputguard-config=guard.toml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*FAILED*test_function_scoped_in_given*"])
    result.stdout.fnmatch_lines(["*function_scoped_fixture*"])
