"""The audit event of `validate` / `check`: keys, per-source counts, redaction, observers."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import subprocess
import sys
from datetime import time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
import pytest
import structlog
from structlog.testing import capture_logs

import inputguard as ig
from inputguard._ops import audit as _audit

from ..conftest import NOW

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

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


# -- per-source counts: any dtype, never a raw unknown value, capped -----------------------


def _binary_source() -> pl.Series:
    import pyarrow as pa  # noqa: PLC0415

    table = pa.table({"source": pa.array([b"\xff\xfe", None, b"web"], pa.binary())})
    return pl.from_arrow(table)["source"]  # type: ignore[index]


HOSTILE_SOURCES: dict[str, Callable[[], pl.Series]] = {
    "list": lambda: pl.Series([["a"], None, ["b", "c"]]),
    "struct": lambda: pl.Series([{"a": 1}, None, {"a": 2}]),
    "object": lambda: pl.Series([object(), None, {1}], dtype=pl.Object),
    "duration": lambda: pl.Series([timedelta(days=1), None, timedelta(0)]),
    "array": lambda: pl.Series([[1, 2], None, [3, 4]], dtype=pl.Array(pl.Int64, 2)),
    "binary (invalid UTF-8)": _binary_source,
    "time": lambda: pl.Series([time(1), None, time(2)]),
    "decimal": lambda: pl.Series([Decimal("1.5"), None, Decimal(2)]),
    "categorical": lambda: pl.Series(["web", None, "x"], dtype=pl.Categorical),
    "null": lambda: pl.Series([None, None, None]),
}


@pytest.mark.parametrize("kind", list(HOSTILE_SOURCES))
def test_per_source_counts_work_for_a_source_column_of_any_dtype(
    kind: str, warnings_only: object
) -> None:
    frame = pl.DataFrame({"source": HOSTILE_SOURCES[kind](), "ts": ["2026-11-22T11:30Z"] * 3})
    quiet = guard().validate(frame)  # info events off: the event is never built
    structlog.reset_defaults()
    with capture_logs() as logs:
        loud = guard().validate(frame)
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert quiet.accepted["source"].to_list() == loud.accepted["source"].to_list()
    assert quiet.counts() == loud.counts()
    assert sum(s["accepted"] + s["quarantined"] for s in event["sources"].values()) == 3
    assert event["sources"]["<none>"]["quarantined"] == (3 if kind == "null" else 1)


def test_unknown_sources_are_counted_together_never_named() -> None:
    sources = [f"user{i}@example.com" for i in range(50_000)]
    frame = pl.DataFrame({"source": [*sources, "web"], "ts": ["2026-11-22T11:30Z"] * 50_001})
    with capture_logs() as logs:
        guard().validate(frame)
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert event["sources"] == {
        "<unregistered>": {
            "accepted": 0,
            "quarantined": 50_000,
            "reasons": {"source.unknown": 50_000},
            "distinct": 50_000,
        },
        "web": {"accepted": 1, "quarantined": 0, "reasons": {}},
    }
    assert "@example.com" not in repr(logs)
    assert len(repr(event)) < 2_000


def test_an_unknown_source_of_a_record_is_not_named() -> None:
    with capture_logs() as logs:
        guard().check({"source": "alice@example.com", "ts": "2026-11-22T11:30Z"})
    (event,) = [e for e in logs if e["event"] == "inputguard.check"]
    assert "alice" not in repr(event)
    assert event["sources"]["<unregistered>"]["quarantined"] == 1


def test_without_a_registry_at_most_max_sources_are_named() -> None:
    g = ig.Guard([ig.freshness("ts", error_after="1h")], name="g", clock=ig.FixedClock(NOW))
    names = [f"feed-{i:03d}" for i in range(_audit.MAX_SOURCES + 30)]
    frame = pl.DataFrame({"source": [*names, "feed-007"], "ts": ["2026-11-22T11:30Z"] * 81})
    with capture_logs() as logs:
        g.validate(frame)
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    sources = event["sources"]
    assert len(sources) == _audit.MAX_SOURCES + 1
    assert sources["feed-007"]["accepted"] == 2  # the busiest is named first
    assert sources["<other>"] == {"accepted": 30, "quarantined": 0, "reasons": {}, "distinct": 30}
    assert sum(s["accepted"] for s in sources.values()) == 81


def test_folding_what_by_source_built_changes_nothing() -> None:
    accepted = pl.DataFrame({"source": ["a", "a", "b"]})
    quarantined = pl.DataFrame(
        {"source": ["x", "y", None], "reasons": [["source.unknown"]] * 2 + [["source.missing"]]}
    )
    counts = _audit.by_source(accepted, quarantined, "source", limit=1)
    assert counts == {
        "a": {"accepted": 2, "quarantined": 0, "reasons": {}},
        "<unregistered>": {
            "accepted": 0,
            "quarantined": 2,
            "reasons": {"source.unknown": 2},
            "distinct": 2,
        },
        "<other>": {
            "accepted": 1,
            "quarantined": 1,
            "reasons": {"source.missing": 1},
            "distinct": 2,
        },
    }
    assert _audit.fold_sources(counts, limit=1) == counts


# -- redaction -------------------------------------------------------------------------------


def test_the_default_redaction_cannot_be_reversed_by_guessing() -> None:
    # Every 4-digit code redacts alike: 10,000 guesses tell the attacker nothing.
    assert len({ig.redact(f"{i:04d}") for i in range(10_000)}) == 1
    assert ig.redact("4711") == "str(len=4)"


def test_a_keyed_redaction_shows_repeats_but_needs_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IG_TEST_AUDIT_KEY", "first-deployment-secret")
    keyed = ig.keyed_redact(env="IG_TEST_AUDIT_KEY")
    secret = keyed("4711")
    assert keyed("4711") == secret != keyed(4711)
    # Without the key the 10,000 guesses, hashed as an attacker can, never meet the tag.
    tag = secret.split("hmac:")[1].rstrip("]")
    for i in range(10_000):
        guess = f"{i:04d}".encode()
        for digest in (hashlib.sha256(guess), hashlib.sha256(b"str\x00" + guess)):
            assert not digest.hexdigest().startswith(tag)
    key_file = tmp_path / "audit.key"
    key_file.write_bytes(b"another-deployment-secret\n")
    other = ig.keyed_redact(file=str(key_file))
    assert other("4711") != secret
    assert repr(keyed) == "keyed_redact(env='IG_TEST_AUDIT_KEY')"
    assert "first-deployment" not in repr(pickle.dumps(keyed))
    assert pickle.loads(pickle.dumps(keyed))("4711") == secret


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "exactly one of"),
        ({"env": "IG_TEST_UNSET_KEY"}, "'IG_TEST_UNSET_KEY' is not set"),
        ({"env": "IG_TEST_SHORT_KEY"}, "at least 16 bytes"),
        ({"file": "/nonexistent/key"}, "cannot read key file"),
    ],
)
def test_a_keyed_redaction_refuses_a_missing_or_short_key(
    options: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IG_TEST_SHORT_KEY", "short")
    monkeypatch.delenv("IG_TEST_UNSET_KEY", raising=False)
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.keyed_redact(**options)


# -- logging etiquette: the library prints nothing unless the application asked ----------------

_SCRIPT = """
import logging, sys
from datetime import UTC, datetime
import inputguard as ig
setup = sys.argv[1]
if setup == "stdlib":
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s|%(message)s")
elif setup == "structlog":
    import structlog
    structlog.configure(processors=[structlog.processors.JSONRenderer()])
registry = ig.SourceRegistry([ig.Source("web", "team-web", "active")], default_owner="ops")
guard = ig.Guard([ig.provenance(registry)], name="etiquette",
                 clock=ig.FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
guard.check({"source": "web"})
guard.check({"source": "nope"})
import polars as pl
guard.validate(pl.DataFrame({"source": ["web", "x"]}))
"""


def _run(setup: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, setup],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def test_nothing_is_printed_when_the_application_set_up_no_logging() -> None:
    run = _run("none")
    assert (run.stdout, run.stderr) == ("", "")


def test_events_reach_the_stdlib_logger_under_the_applications_configuration() -> None:
    lines = _run("stdlib").stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("inputguard|inputguard.") for line in lines)
    event = json.loads(lines[2].split(" ", 1)[1])
    assert event["guard"] == "etiquette"
    assert event["sources"]["<unregistered>"]["quarantined"] == 1


def test_events_reach_structlog_when_the_application_configured_it() -> None:
    run = _run("structlog")
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [e["event"] for e in events] == [
        "inputguard.check",
        "inputguard.check",
        "inputguard.validate",
    ]
    assert run.stderr == ""


def test_stdlib_records_carry_the_fields_for_structured_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    structlog.reset_defaults()
    with caplog.at_level(logging.INFO, logger="inputguard"):
        guard().check({"source": "web", "ts": "2026-11-22T11:30Z"})
    (record,) = [r for r in caplog.records if r.name == "inputguard"]
    assert record.event == "inputguard.check"  # type: ignore[attr-defined]
    assert record.audit["accepted"] == 1  # type: ignore[attr-defined]
