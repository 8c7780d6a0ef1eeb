"""The audit event of `validate` / `check`: keys, per-source counts, redaction, observers."""

from __future__ import annotations

import polars as pl
import pytest
from structlog.testing import capture_logs

import inputguard as ig

from ..conftest import NOW

REGISTRY = ig.SourceRegistry(
    [ig.Source("web", "team-web", "active"), ig.Source("crm", "team-crm", "suspended")],
    default_owner="platform",
)


def guard(**options: object) -> ig.Guard:
    return ig.Guard(
        [ig.provenance(REGISTRY), ig.freshness("ts", error_after="1h")],
        name="audited",
        clock=ig.FixedClock(NOW),
        **options,  # type: ignore[arg-type]
    )


FRAME = pl.DataFrame(
    {
        "source": ["web", "web", "crm", None, "web"],
        "ts": ["2026-11-22T11:30Z", "2020-01-01T00:00Z", "2026-11-22T11:30Z", "x", "secret!"],
    }
)


def test_batch_event_has_the_documented_keys_and_per_source_counts() -> None:
    with capture_logs() as logs:
        guard().validate(FRAME)
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert {
        "audit_schema",
        "guard",
        "guard_fingerprint",
        "checked_at",
        "rows_in",
        "accepted",
        "quarantined",
        "reasons",
        "duration_ms",
        "sources",
    } <= set(event)
    assert event["rows_in"] == 5
    assert event["reasons"] == {
        "freshness.invalid": 2,
        "freshness.stale": 1,
        "source.missing": 1,
        "source.suspended": 1,
    }
    assert event["sources"] == {
        "web": {
            "accepted": 1,
            "quarantined": 2,
            "reasons": {"freshness.invalid": 1, "freshness.stale": 1},
        },
        "crm": {"accepted": 0, "quarantined": 1, "reasons": {"source.suspended": 1}},
        "<none>": {
            "accepted": 0,
            "quarantined": 1,
            "reasons": {"freshness.invalid": 1, "source.missing": 1},
        },
    }
    assert "examples" not in event


def test_no_raw_value_is_logged_by_default() -> None:
    with capture_logs() as logs:
        guard().validate(FRAME)
        guard().check({"source": "web", "ts": "secret!"})
    assert "secret!" not in repr(logs)


def test_opt_in_examples_are_redacted() -> None:
    with capture_logs() as logs:
        guard(audit_examples=2).validate(FRAME)
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert len(event["examples"]) == 2
    first = event["examples"][0]
    assert first["row_id"] == 1
    assert first["reasons"] == ["freshness.stale"]
    assert first["owner"] == "team-web"
    assert first["values"]["source"] == ig.redact("web")
    assert "2020-01-01" not in repr(event)


def test_a_custom_redaction_decides_what_is_shown() -> None:
    with capture_logs() as logs:
        guard(audit_examples=1, redact=lambda v: "***").check({"source": "crm", "ts": "x"})
    (event,) = [e for e in logs if e["event"] == "inputguard.check"]
    assert event["examples"] == [
        {
            "row_id": None,
            "reasons": ["source.suspended", "freshness.invalid"],
            "reason_columns": ["source", "ts"],
            "owner": "team-crm",
            "values": {"source": "***", "ts": "***"},
        }
    ]
    assert event["sources"] == {
        "crm": {
            "accepted": 0,
            "quarantined": 1,
            "reasons": {"source.suspended": 1, "freshness.invalid": 1},
        }
    }


def test_without_a_source_column_there_are_no_per_source_counts() -> None:
    with capture_logs() as logs:
        ig.Guard([ig.freshness("ts", error_after="1h")], name="g", source_column=None).validate(
            FRAME
        )
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert "sources" not in event


def test_observers_see_every_result_and_a_failing_one_is_logged() -> None:
    seen: list[ig.Result] = []

    def broken(result: ig.Result) -> None:
        raise RuntimeError("boom")

    g = guard(observers=[seen.append, broken])
    with capture_logs() as logs:
        result = g.validate(FRAME)
    assert seen == [result]
    failures = [e for e in logs if e["event"] == "inputguard.observer_failed"]
    assert len(failures) == 1
    assert failures[0]["error"] == "RuntimeError"


def test_drift_watch_as_an_observer_alarms_on_a_degrading_source() -> None:
    alerts: list[ig.DriftAlert] = []
    watch = ig.DriftWatch(
        factor=2.0, half_life=200, baseline_rows=1000, min_rows=200, on_alert=alerts.append
    )
    g = guard(observers=[watch.observe])

    def batch(bad_web: int) -> pl.DataFrame:
        # 500 rows per source; `bad_web` of the web rows carry an unparseable timestamp, while
        # a second feed ("web2", not registered, so every row is source.unknown) stays steady
        web = ["x"] * bad_web + ["2026-11-22T11:30Z"] * (500 - bad_web)
        steady = ["2026-11-22T11:30Z"] * 490 + ["x"] * 10
        return pl.DataFrame({"source": ["web"] * 500 + ["web2"] * 500, "ts": web + steady})

    for _ in range(4):
        g.validate(batch(10))  # 2% invalid: the baseline
    assert alerts == []
    for _ in range(6):
        g.validate(batch(40))  # web degrades to 8%
    sources = {a.source for a in alerts}
    assert "web" in sources
    assert "web2" not in sources


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"audit_examples": -1}, "'audit_examples'"),
        ({"audit_examples": True}, "'audit_examples'"),
        ({"redact": "x"}, "'redact'"),
        ({"observers": ["x"]}, "observer"),
    ],
)
def test_audit_options_are_checked_when_the_guard_is_built(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        guard(**options)
