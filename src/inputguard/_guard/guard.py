"""`Guard`: a named, immutable set of validators with a clock."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from inputguard._core.clock import Clock, read_clock, system_clock
from inputguard._core.defaults import AUDIT_EXAMPLES
from inputguard._core.reasons import Reason
from inputguard._core.result import Result, ResultColumns, SinkSummary, Verdict, reasons_dtype
from inputguard._guard.batch import as_lazy, build_plan, run_batch, stream
from inputguard._guard.construction import check_arguments, fingerprint_of, source_spellings
from inputguard._guard.decorators import guarded
from inputguard._guard.events import (
    EventSettings,
    frame_event,
    observe,
    record_event,
    sink_summary,
    summary_event,
)
from inputguard._guard.inputs import scan_source
from inputguard._guard.record import compile_record_path
from inputguard._guard.reference import check_reference
from inputguard._guard.schema import StructuralSchema, check_schema, schema_plan
from inputguard._guard.writers import SinkTarget, open_writer
from inputguard._ops import audit as _audit
from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from datetime import datetime

    import polars as pl

    from inputguard._core.validator import BatchPlan, Validator
    from inputguard._guard.decorators import OnFail, Sink

__all__ = ["Guard"]

P = ParamSpec("P")
R = TypeVar("R")

_perf_counter = time.perf_counter
_INFO = logging.INFO


class Guard:
    """Validators, a clock and an optional structural schema, under one name.

    Args:
        validators: Validators built by `freshness`, `provenance`, `terminology`, ... Reasons
            are listed in this order.
        name: The guard's name, used in audit events and errors.
        clock: A zero-argument callable returning an aware `datetime`; read once per call.
            Defaults to the system clock in UTC.
        schema: Optional pandera polars ``DataFrameModel`` or ``DataFrameSchema`` for the
            structural contract: its row-level check failures quarantine rows as
            ``schema.<check>``; a missing column or wrong dtype rejects the batch.
        source_column: The column (record key) holding the source id; audit events count rows
            and reasons per source from it when it is present. None: no per-source counts.
        audit_examples: How many quarantined rows an audit event shows, with every value
            passed through ``redact`` (default 0: counts only, no values at all).
        redact: Turns a raw value into what an audit example may show; the default keeps
            only the type, the size and a short hash.
        observers: Callables given every `Result` of `validate` (e.g. ``DriftWatch.observe``);
            an observer that raises is logged (``inputguard.observer_failed``) and skipped.
        result_columns: The names of the columns the results add (`ResultColumns`, or a
            mapping such as ``{"owner": "fix_owner"}``): for inputs that have a column named
            ``row_id``, ``reasons``, ``reason_columns``, ``owner`` or ``warnings``.

    Raises:
        ConfigurationError: An empty name, or a validator that is not a validator.

    >>> from datetime import UTC, datetime
    >>> import polars as pl
    >>> import inputguard as ig
    >>> guard = ig.Guard(
    ...     [ig.freshness("ts", error_after="1h")],
    ...     name="demo",
    ...     clock=ig.FixedClock(datetime(2026, 1, 1, 12, tzinfo=UTC)),
    ... )
    >>> guard.check({"ts": "2026-01-01T11:30:00Z"}).ok
    True
    >>> guard.check({"ts": "2026-01-01T09:00:00Z"}).reasons
    ('freshness.stale',)
    """

    __slots__ = (
        "_audit_examples",
        "_clock",
        "_decide",
        "_events",
        "_fingerprint",
        "_name",
        "_observers",
        "_record_source",
        "_redact",
        "_required",
        "_result_columns",
        "_schema",
        "_source_column",
        "_validators",
    )

    def __init__(
        self,
        validators: Iterable[Validator],
        *,
        name: str,
        clock: Clock | None = None,
        schema: StructuralSchema | None = None,
        source_column: str | None = "source",
        audit_examples: int = AUDIT_EXAMPLES,
        redact: Callable[[object], object] = _audit.redact,
        observers: Iterable[Callable[[Result], object]] = (),
        result_columns: ResultColumns | Mapping[str, str] | None = None,
    ) -> None:
        checked, watchers, self._result_columns = check_arguments(
            validators,
            name=name,
            clock=clock,
            audit_examples=audit_examples,
            redact=redact,
            observers=observers,
            result_columns=result_columns,
        )
        self._source_column = source_column
        self._audit_examples = audit_examples
        self._redact = redact
        self._observers = watchers
        self._validators = checked
        self._name = name
        self._clock: Clock = clock or system_clock
        if schema is not None:
            check_schema(schema)
        self._schema = schema
        self._fingerprint = fingerprint_of(name, checked, schema, self._result_columns)
        self._derive()

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], *, clock: Clock | None = None) -> Guard:
        """Build a guard from a TOML file (layout in ``docs/configuration.md``).

        Args:
            path: The guard file. Relative paths inside it are resolved against its folder.
            clock: The clock (a clock is code, not configuration); defaults to the system clock.

        Returns:
            The guard the file describes.

        Raises:
            ConfigurationError: The file, a vocabulary or a registry is missing or malformed;
                the message names the file, the key path and what was expected.
        """
        from inputguard._config import (  # noqa: PLC0415 (pydantic)
            build_validators,
            guard_options,
            load_config,
        )

        config, ctx = load_config(path)
        validators = build_validators(config, ctx)
        return cls(validators, clock=clock, **guard_options(config, ctx))

    @property
    def name(self) -> str:
        """The guard's name."""
        return self._name

    @property
    def validators(self) -> tuple[Validator, ...]:
        """The validators, in order."""
        return self._validators

    @property
    def source_column(self) -> str | None:
        """The column (record key) holding the source id, for per-source counts; or None."""
        return self._source_column

    @property
    def result_columns(self) -> ResultColumns:
        """The names of the columns its results add (``row_id``, ``reasons``, ...)."""
        return self._result_columns

    @property
    def clock(self) -> Clock:
        """The clock read once per call."""
        return self._clock

    @property
    def fingerprint(self) -> str:
        """A short hash of the configuration and library version, logged with every decision."""
        return self._fingerprint

    @property
    def reasons(self) -> frozenset[str]:
        """Every reason code the validators can report."""
        return frozenset().union(*(v.reasons for v in self._validators))

    @property
    def reasons_dtype(self) -> pl.List:
        """The dtype of its frames' ``reasons`` and ``warnings``: a list of an Enum of codes.

        The Enum holds every `Reason` and every code of the validators (and, on a call with a
        structural schema, that call's ``schema.<check>`` codes).
        """
        return reasons_dtype({str(r) for r in Reason} | self.reasons)

    def __repr__(self) -> str:
        inner = ", ".join(repr(v) for v in self._validators)
        return f"Guard([{inner}], name={self._name!r})"

    # What travels to Spark / Ray workers; `_derive` rebuilds the rest on arrival.
    _STATE = (
        "_validators",
        "_name",
        "_clock",
        "_schema",
        "_fingerprint",
        "_source_column",
        "_audit_examples",
        "_redact",
        "_observers",
        "_result_columns",
    )

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._STATE)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self._STATE, state, strict=True):
            setattr(self, name, value)
        self._derive()

    def _derive(self) -> None:
        """What is derived from the validators and the clock (rebuilt on unpickling)."""
        self._required = tuple(dict.fromkeys(c for v in self._validators for c in v.columns))
        column, names = self._source_column, self._result_columns
        aliases = {} if column is None else source_spellings(self._validators, column)
        who = (self._name, self._fingerprint, column, self._audit_examples, self._redact)
        self._events = EventSettings(*who, names, aliases)
        # `_decide(record) -> Verdict`, without an audit event (`check` and wrappers log it):
        # the compiled record path, falling back to `_check_reference`.
        # A structural schema runs on a one-row frame (pandera needs one): no compiled path.
        self._decide: Callable[[Mapping[str, Any]], Verdict]
        if getattr(self, "_schema", None) is not None:
            clock, reference = self._clock, self._check_reference
            self._decide = lambda record: reference(record, read_clock(clock))
            self._record_source = ""
        else:
            self._decide, self._record_source = compile_record_path(
                self._validators,
                clock=self._clock,
                reference=self._check_reference,
                reserved=self._result_columns.reserved,
            )

    def validate(self, data: Any, *, now: datetime | None = None) -> Result:
        """Validate a frame in one vectorized pass.

        Args:
            data: A ``pl.DataFrame``, ``pl.LazyFrame``, ``pyarrow.Table``, ``RecordBatch`` or
                ``pandas.DataFrame`` (the result's frames are polars frames whatever came in).
            now: The instant to check against, instead of reading the guard's clock: one
                reading shared by several calls (a job split over processes or machines).
                Timezone-aware; converted to UTC.

        Returns:
            A `Result`: every row lands in exactly one of ``accepted`` / ``quarantined``.

        Raises:
            InputRejected: The input as a whole is unusable: a column a validator needs is
                missing (``schema.missing_column``), a column name is reserved or duplicated,
                the schema's columns or dtypes do not match, a LazyFrame cannot be read
                (``schema.unreadable``), or the input is not a frame.
            ConfigurationError: The clock returned (or ``now`` is) a naive datetime.
        """
        result = self._evaluate(data, now)
        self._emit_result(result)
        return result

    def _instant(self, now: datetime | None) -> datetime:
        """The clock reading of one call: ``now`` when given (checked), else the guard's clock."""
        return read_clock(self._clock) if now is None else read_clock(lambda: now)

    def _validate_at(
        self, frame: pl.LazyFrame, now: datetime, started: float, *, row_offset: int
    ) -> Result:
        extra: tuple[BatchPlan, ...] = ()
        if self._schema is not None:
            frame, plan = schema_plan(self._schema, frame)
            extra = (plan,)
        split = run_batch(
            frame,
            self._validators,
            now=now,
            extra_plans=extra,
            row_offset=row_offset,
            names=self._result_columns,
        )
        return Result(
            accepted=split.accepted,
            quarantined=split.quarantined,
            guard=self._name,
            fingerprint=self._fingerprint,
            checked_at=now,
            duration_s=time.perf_counter() - started,
            columns=self._result_columns,
        )

    def _evaluate(self, data: Any, now: datetime | None = None) -> Result:
        """`validate` without its event and observers (a guarded function emits its own)."""
        started = time.perf_counter()
        return self._validate_at(as_lazy(data), self._instant(now), started, row_offset=0)

    def _observe(self, result: Result) -> None:
        observe(self._events, self._observers, result)

    def _emit_result(self, result: Result, **extra: Any) -> None:
        """Emit the call's one ``inputguard.validate`` event, then give observers the result."""
        _audit.emit("inputguard.validate", **frame_event(self._events, result, **extra))
        self._observe(result)

    def validate_batches(
        self, batches: Iterable[Any], *, now: datetime | None = None
    ) -> Iterator[Result]:
        """Validate a stream of batches (Arrow record batches, frames ...) one at a time.

        The clock is read once, when the first batch is taken: every batch of the stream is
        checked against the same instant. Row ids continue across batches (the second batch's
        first row id is the first batch's row count), so they identify a row in the stream.
        Each batch emits its own ``inputguard.validate`` event, with ``batch`` (0-based) and
        ``stream_rows_before`` (rows of the earlier batches); observers see every batch.

        Args:
            batches: Any iterable of inputs `validate` takes (e.g. a
                ``pyarrow.RecordBatchReader`` or a list of ``pl.DataFrame``).
            now: The instant to check the whole stream against, instead of reading the clock.

        Yields:
            One `Result` per batch, in order.

        Raises:
            InputRejected: As `validate`, for the batch that is unusable; earlier results were
                already yielded.
        """
        at: datetime | None = None if now is None else self._instant(now)
        offset = 0
        for index, batch in enumerate(batches):
            started = time.perf_counter()
            if at is None:
                at = read_clock(self._clock)
            result = self._validate_at(as_lazy(batch), at, started, row_offset=offset)
            self._emit_result(result, batch=index, stream_rows_before=offset)
            offset += result.rows
            yield result

    def sink(
        self,
        source: Any,
        *,
        accepted: SinkTarget,
        quarantined: SinkTarget,
        now: datetime | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> SinkSummary:
        """Validate an input larger than memory on polars' streaming engine, writing both outputs.

        The plan is the one `validate` runs: the distinct values of every decided column are
        gathered in one streaming pass, then one streaming pass writes accepted and
        quarantined rows batch by batch. Memory follows the number of distinct values of the
        decided columns, not the rows (measured with polars 2.1: about 0.75 GiB at 10M and at
        50M rows, ``docs/benchmarks.md``).

        Args:
            source: A ``pl.LazyFrame`` (``scan_parquet``, ``scan_csv``, ``scan_ipc`` ...), a
                path to a parquet, CSV or IPC file, or any input `validate` takes.
            accepted: Where accepted rows go: a path (``.parquet``, ``.csv``, ``.ipc``,
                ``.ndjson``) or a callable given each ``pl.DataFrame`` batch.
            quarantined: Where quarantined rows go, likewise.
            now: The instant to check against, instead of reading the guard's clock.
            on_batch: Called after each batch is written with the rows written so far (for
                progress displays); an exception it raises stops the run and leaves no output.

        Returns:
            A `SinkSummary` with the counts, the clock reading and the duration.

        Raises:
            InputRejected: As `validate`; a failure while streaming leaves no output file.
            ConfigurationError: A target that is neither a supported path nor callable, or a
                structural schema (it needs the whole frame in memory).
        """
        started = time.perf_counter()
        if self._schema is not None:
            raise ConfigurationError(
                f"guard {self._name!r} has a structural schema, which needs the whole frame in "
                "memory: use validate() or validate_batches() instead of sink()"
            )
        names = self._result_columns.metadata()
        writers = (
            open_writer(accepted, name="accepted", metadata=names),
            open_writer(quarantined, name="quarantined", metadata=names),
        )
        at = self._instant(now)
        plan = build_plan(
            scan_source(source),
            self._validators,
            now=at,
            streaming=True,
            names=self._result_columns,
        )
        counts = stream(plan, *writers, on_batch=on_batch)
        summary = sink_summary(self._events, counts, at, time.perf_counter() - started)
        _audit.emit("inputguard.validate", **summary_event(self._events, summary))
        return summary

    def check(self, record: Mapping[str, Any], *, now: datetime | None = None) -> Verdict:
        """Check one record in plain Python (no DataFrame): the single-record fast path.

        Gives the same verdict, reasons and normalized values as `validate` on a one-row frame.
        A structural ``schema`` is applied too, as on the batch path (its reasons come first):
        the record is checked as the one-row frame pandera needs, so a guard with a schema
        skips the compiled record path. Without one, a plain ``dict`` that passes cleanly goes
        through the guard's compiled record path (``_guard/record.py``); any other record
        through each validator's ``check_record``, with the same result.

        Args:
            record: A mapping of column name to value.
            now: The instant to check against, instead of reading the guard's clock (the
                record then goes through every validator's ``check_record``).

        Returns:
            A `Verdict`.

        Raises:
            InputRejected: A key a validator needs is missing (``schema.missing_column``), or
                the record is not a mapping.
        """
        started = _perf_counter()
        verdict = (
            self._decide(record)
            if now is None
            else self._check_reference(record, self._instant(now))
        )
        try:  # `_audit.enabled(logger.bind())`, inlined: this runs on every record
            if not _audit.logger.bind().is_enabled_for(_INFO):
                return verdict  # nobody would see the event: do not build it
        except AttributeError:  # a logger that cannot tell: build the event
            pass
        _audit.emit("inputguard.check", **record_event(self._events, verdict, started))
        return verdict

    def _check_reference(self, record: Mapping[str, Any], now: datetime) -> Verdict:
        """Every validator's ``check_record`` with the clock reading ``now``: the reference."""
        return check_reference(
            self._validators, self._required, record, now, self._schema, names=self._result_columns
        )

    def check_or_raise(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """Like `check`, but return the normalized record or raise `InputRejected`."""
        verdict = self.check(record)
        if not verdict.ok:
            fields = set(verdict.reason_columns)  # one column failed: it names the field
            raise InputRejected(
                f"guard {self._name!r} rejected the record: {', '.join(verdict.reasons)}"
                + (f" (owner: {verdict.owner})" if verdict.owner else ""),
                reasons=verdict.reasons,
                field=next(iter(fields)) if len(fields) == 1 else None,
                verdict=verdict,
            )
        return verdict.record

    def validate_or_raise(self, data: Any) -> Result:
        """Like `validate`, but raise `InputRejected` with capped examples if any row failed."""
        result = self.validate(data)
        if not result.ok:
            raise result.rejection()
        return result

    @overload
    def wrap(self, fn: Callable[P, R], /) -> Callable[P, R]: ...

    @overload
    def wrap(
        self,
        fn: None = None,
        /,
        *,
        arg: str | int | None = None,
        on_fail: OnFail = "raise",
        sink: Sink | None = None,
        keep_meta_columns: bool = False,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]: ...

    def wrap(
        self,
        fn: Callable[P, R] | None = None,
        /,
        *,
        arg: str | int | None = None,
        on_fail: OnFail = "raise",
        sink: Sink | None = None,
        keep_meta_columns: bool = False,
    ) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
        """Guard a sync or async function: ``@guard.wrap`` or ``@guard.wrap(arg=..., ...)``.

        The same as `inputguard.guarded` with this guard; see it for inputs, policies and audit.
        """
        decorate = guarded(
            self, arg, on_fail=on_fail, sink=sink, keep_meta_columns=keep_meta_columns
        )
        return decorate if fn is None else decorate(fn)
