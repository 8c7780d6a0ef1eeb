"""OpenTelemetry, opt-in: spans and counters for a guard, through the application's providers.

    import inputguard.otel
    guard = inputguard.otel.instrument(guard)

`instrument` returns a copy of the guard that opens a span around every ``validate`` (and each
batch of ``validate_batches``), ``check`` and ``sink`` call, and around the checks a guarded
function makes, and adds to counters by reason, column, source and owner. It uses the tracer
and meter providers the application configured (or the ones given); with none configured,
OpenTelemetry's own no-op providers make every call free of effect. inputguard never configures
an exporter, so nothing leaves the process unless the application says so. Values are never
attached: attributes are the guard's name and fingerprint, row counts, reason codes, column
names, registered source ids and owners.

Needs the ``otel`` extra (``pip install 'inputguard-inference[otel]'``, the OpenTelemetry API).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import polars as pl

from inputguard._guard.guard import Guard
from inputguard._provenance.validator import Provenance
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from inputguard._core.result import Result, SinkSummary, Verdict

__all__ = ["instrument"]

_SCOPE = "inputguard"
_NONE = "<none>"


def instrument(guard: Guard, *, tracer_provider: Any = None, meter_provider: Any = None) -> Guard:
    """A copy of ``guard`` that reports to OpenTelemetry (the original is left as it is).

    Args:
        guard: The guard to instrument.
        tracer_provider: The provider spans go to; the application's global one by default.
        meter_provider: The provider counters go to; the application's global one by default.

    Returns:
        A guard with the same validators, name, clock and fingerprint.

    Raises:
        ConfigurationError: The OpenTelemetry API is not installed (with the install hint), or
            ``guard`` is not a `Guard`.
    """
    try:
        from opentelemetry import metrics, trace  # noqa: PLC0415 - the optional extra
    except ImportError as error:
        raise ConfigurationError(
            "inputguard.otel needs OpenTelemetry: pip install 'inputguard-inference[otel]'"
        ) from error
    if not isinstance(guard, Guard):
        raise ConfigurationError(f"instrument() takes a Guard (got {guard!r})")
    tracer = trace.get_tracer(_SCOPE, tracer_provider=tracer_provider)
    meter = metrics.get_meter(_SCOPE, meter_provider=meter_provider)
    traced = _TracedGuard.__new__(_TracedGuard)
    traced._telemetry = _Telemetry(tracer, meter)
    traced.__setstate__(guard.__getstate__())
    return traced


class _Telemetry:
    """The tracer and the counters of one instrumented guard."""

    def __init__(self, tracer: Any, meter: Any) -> None:
        self.tracer = tracer
        self.rows = meter.create_counter(
            "inputguard.rows", unit="{row}", description="Rows checked, by outcome"
        )
        self.reasons = meter.create_counter(
            "inputguard.reasons", unit="{row}", description="Quarantined rows by reason and column"
        )
        self.sources = meter.create_counter(
            "inputguard.quarantined.sources", unit="{row}", description="Quarantined rows by source"
        )
        self.owners = meter.create_counter(
            "inputguard.quarantined.owners", unit="{row}", description="Quarantined rows by owner"
        )


class _TracedGuard(Guard):
    """A guard whose entry points report spans and counters (built by `instrument`)."""

    __slots__ = ("_telemetry",)
    _telemetry: _Telemetry

    def __reduce__(self) -> tuple[Any, ...]:  # a plain Guard travels; telemetry is local
        return Guard.__new__, (Guard,), self.__getstate__()

    def _attributes(self, **more: Any) -> dict[str, Any]:
        return {"inputguard.guard": self.name, "inputguard.fingerprint": self.fingerprint, **more}

    def _derive(self) -> None:
        super()._derive()
        decide = self._decide
        telemetry = self._telemetry

        def traced(record: Mapping[str, Any]) -> Verdict:
            with telemetry.tracer.start_as_current_span(
                "inputguard.check", attributes=self._attributes()
            ) as span:
                verdict = decide(record)
                span.set_attribute("inputguard.accepted", int(verdict.ok))
                self._count_verdict(verdict)
                return verdict

        self._decide = traced

    def check(self, record: Mapping[str, Any], *, now: datetime | None = None) -> Verdict:
        if now is None:  # through `_decide`, traced above
            return super().check(record)
        with self._telemetry.tracer.start_as_current_span(
            "inputguard.check", attributes=self._attributes()
        ) as span:
            verdict = super().check(record, now=now)
            span.set_attribute("inputguard.accepted", int(verdict.ok))
            self._count_verdict(verdict)
            return verdict

    def _validate_at(
        self, frame: pl.LazyFrame, now: datetime, started: float, *, row_offset: int
    ) -> Result:
        with self._telemetry.tracer.start_as_current_span(
            "inputguard.validate", attributes=self._attributes()
        ) as span:
            result = super()._validate_at(frame, now, started, row_offset=row_offset)
            span.set_attributes(
                {
                    "inputguard.rows_in": result.rows,
                    "inputguard.accepted": result.accepted.height,
                    "inputguard.quarantined": result.quarantined.height,
                }
            )
            self._count_result(result)
            return result

    def sink(self, source: Any, **kwargs: Any) -> SinkSummary:
        with self._telemetry.tracer.start_as_current_span(
            "inputguard.sink", attributes=self._attributes()
        ) as span:
            started = time.perf_counter()
            summary = super().sink(source, **kwargs)
            span.set_attributes(
                {
                    "inputguard.rows_in": summary.rows,
                    "inputguard.accepted": summary.accepted,
                    "inputguard.quarantined": summary.quarantined,
                    "inputguard.duration_s": time.perf_counter() - started,
                }
            )
            t = self._telemetry
            t.rows.add(summary.accepted, self._attributes(**{"inputguard.outcome": "accepted"}))
            t.rows.add(
                summary.quarantined, self._attributes(**{"inputguard.outcome": "quarantined"})
            )
            for (column, reason), n in summary.reasons_by_column.items():
                t.reasons.add(n, self._reason_attributes(reason, column))
            return summary

    # -- counters --------------------------------------------------------------------------

    def _reason_attributes(self, reason: str, column: str | None) -> dict[str, Any]:
        return self._attributes(
            **{"inputguard.reason": reason, "inputguard.column": column or _NONE}
        )

    def _count_verdict(self, verdict: Verdict) -> None:
        t = self._telemetry
        outcome = "accepted" if verdict.ok else "quarantined"
        t.rows.add(1, self._attributes(**{"inputguard.outcome": outcome}))
        if verdict.ok:
            return
        for reason, column in zip(verdict.reasons, verdict.reason_columns, strict=False):
            t.reasons.add(1, self._reason_attributes(reason, column))
        t.owners.add(1, self._attributes(**{"inputguard.owner": verdict.owner or _NONE}))
        source = self._source_of(verdict.record)
        if source is not None:
            t.sources.add(1, self._attributes(**{"inputguard.source": source}))

    def _count_result(self, result: Result) -> None:
        t = self._telemetry
        t.rows.add(result.accepted.height, self._attributes(**{"inputguard.outcome": "accepted"}))
        quarantined = result.quarantined
        t.rows.add(quarantined.height, self._attributes(**{"inputguard.outcome": "quarantined"}))
        if not quarantined.height:
            return
        for (column, reason), n in result.counts_by_column().items():
            t.reasons.add(n, self._reason_attributes(reason, column))
        for owner, n in quarantined.group_by(result.columns.owner).len().iter_rows():
            t.owners.add(n, self._attributes(**{"inputguard.owner": owner or _NONE}))
        column = self._source_column
        if column is not None and column in quarantined.columns:
            values = quarantined.get_column(column)
            if values.dtype == pl.String:
                counts: dict[str, int] = {}
                for source, n in values.value_counts().iter_rows():
                    label = self._source_label(source)
                    counts[label] = counts.get(label, 0) + n
            else:  # not text: no source id can match
                counts = {f"<{values.dtype}>": quarantined.height}
            for label, n in counts.items():
                t.sources.add(n, self._attributes(**{"inputguard.source": label}))

    def _source_of(self, record: Mapping[str, Any]) -> str | None:
        column = self._source_column
        if column is None or column not in record:
            return None
        return self._source_label(record[column])

    def _source_label(self, value: object) -> str:
        """A registered source id as it is (ids are configuration); never a raw unknown value.

        An unregistered value could be anything a live system sent (an e-mail address, a
        token) and would make one time series per value: it is counted as ``<unregistered>``.
        """
        if value is None:
            return _NONE
        if isinstance(value, str):
            for validator in self.validators:
                if isinstance(validator, Provenance) and value in validator.registry:
                    return value
        return "<unregistered>"
