"""OpenTelemetry, opt-in: spans and counters through the application's own providers."""

from __future__ import annotations

import pickle
import socket
import sys
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

import inputguard as ig
import inputguard.otel

from ..conftest import NOW

if TYPE_CHECKING:
    from collections.abc import Iterator

otel_sdk = pytest.importorskip("opentelemetry.sdk")
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import (  # noqa: E402
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

REGISTRY = ig.SourceRegistry(
    [
        ig.Source("web", owner="team-web", status="active"),
        ig.Source("crm", owner="team-crm", status="active"),
    ],
    default_owner="data-platform",
)


def base_guard() -> ig.Guard:
    return ig.Guard(
        [ig.provenance(REGISTRY), ig.freshness("ts", error_after="1h")],
        name="traced",
        clock=ig.FixedClock(NOW),
    )


@pytest.fixture
def telemetry() -> Iterator[tuple[ig.Guard, InMemorySpanExporter, InMemoryMetricReader]]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    guard = inputguard.otel.instrument(
        base_guard(), tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    yield guard, spans, reader
    meter_provider.shutdown()
    tracer_provider.shutdown()


def _points(reader: InMemoryMetricReader, name: str) -> dict[tuple[tuple[str, Any], ...], int]:
    data = reader.get_metrics_data()
    out: dict[tuple[tuple[str, Any], ...], int] = {}
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        assert isinstance(point, NumberDataPoint)
                        key = tuple(
                            sorted(
                                (k, v)
                                for k, v in (point.attributes or {}).items()
                                if k not in ("inputguard.guard", "inputguard.fingerprint")
                            )
                        )
                        out[key] = int(point.value)
    return out


FRAME = pl.DataFrame(
    {
        "source": ["web", "crm", "someone@example.com", "web"],
        "ts": ["2026-11-22T11:30:00Z", "2026-11-22T09:00:00Z", "2026-11-22T11:30:00Z", None],
    }
)


def test_validate_reports_a_span_and_counters(
    telemetry: tuple[ig.Guard, InMemorySpanExporter, InMemoryMetricReader],
) -> None:
    guard, spans, reader = telemetry
    result = guard.validate(FRAME)
    assert result.counts() == base_guard().validate(FRAME).counts()  # the same answer
    (span,) = spans.get_finished_spans()
    assert span.name == "inputguard.validate"
    assert span.attributes is not None
    assert span.attributes["inputguard.guard"] == "traced"
    assert span.attributes["inputguard.rows_in"] == 4
    assert span.attributes["inputguard.quarantined"] == 3
    rows = _points(reader, "inputguard.rows")
    assert rows == {
        (("inputguard.outcome", "accepted"),): 1,
        (("inputguard.outcome", "quarantined"),): 3,
    }
    reasons = _points(reader, "inputguard.reasons")
    assert reasons[(("inputguard.column", "ts"), ("inputguard.reason", "freshness.stale"))] == 1
    assert reasons[(("inputguard.column", "source"), ("inputguard.reason", "source.unknown"))] == 1
    sources = _points(reader, "inputguard.quarantined.sources")
    # an unregistered value is never an attribute: it could be anything a system sent
    assert sources == {
        (("inputguard.source", "crm"),): 1,
        (("inputguard.source", "web"),): 1,
        (("inputguard.source", "<unregistered>"),): 1,
    }
    owners = _points(reader, "inputguard.quarantined.owners")
    assert owners[(("inputguard.owner", "data-platform"),)] == 1
    assert "someone@example.com" not in repr(reader.get_metrics_data())


def test_check_wrap_and_sink_report_too(
    telemetry: tuple[ig.Guard, InMemorySpanExporter, InMemoryMetricReader],
    tmp_path: Any,
) -> None:
    guard, spans, _ = telemetry
    assert guard.check({"source": "web", "ts": "2026-11-22T11:30:00Z"}).ok
    assert not guard.check({"source": "web", "ts": "bad"}, now=NOW).ok

    @guard.wrap(on_fail="warn")
    def predict(record: dict[str, Any]) -> None:
        return None

    predict({"source": "web", "ts": "2026-11-22T11:30:00Z"})
    guard.sink(FRAME.lazy(), accepted=tmp_path / "a.parquet", quarantined=tmp_path / "q.parquet")
    names = [s.name for s in spans.get_finished_spans()]
    assert names.count("inputguard.check") == 3
    assert "inputguard.sink" in names


def test_the_original_guard_is_untouched_and_a_copy_travels_plain() -> None:
    guard = base_guard()
    traced = inputguard.otel.instrument(guard)
    assert type(guard) is ig.Guard
    assert traced.fingerprint == guard.fingerprint
    arrived = pickle.loads(pickle.dumps(traced))  # e.g. to a worker: no telemetry objects
    assert type(arrived) is ig.Guard
    assert arrived.validate(FRAME).counts() == guard.validate(FRAME).counts()


def test_no_network_without_an_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no socket may be opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    guard = inputguard.otel.instrument(base_guard())  # the global no-op providers
    assert guard.validate(FRAME).counts() == base_guard().validate(FRAME).counts()


def test_without_opentelemetry_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(ig.ConfigurationError, match=r"inputguard-inference\[otel\]"):
        inputguard.otel.instrument(base_guard())
