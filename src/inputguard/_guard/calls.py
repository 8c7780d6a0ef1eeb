"""One guarded function's calls: find the argument, decide, apply the policy, emit one event."""

from __future__ import annotations

import inspect
import logging
import os
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, Literal, cast

import polars as pl

from inputguard._core.clock import read_clock
from inputguard._core.result import Result, Verdict
from inputguard._guard.arguments import (
    DATACLASS,
    FRAME,
    LAZY,
    MAPPING,
    MODEL,
    OTHER,
    PANDAS,
    RECORD_KINDS,
    TABLE,
    as_pandas,
    dataclass_fields,
    height,
    kind_of,
    like_arrow,
    locate,
    qualname,
    rebuild,
)
from inputguard._guard.batch import reject_reserved
from inputguard._guard.bypass import _REASON as _BYPASS_REASON
from inputguard._guard.events import frame_event, record_event, whole_event
from inputguard._guard.inputs import run_query, to_lazy
from inputguard._guard.protocol import GuardLike
from inputguard._ops import audit as _audit
from inputguard._ops.sinks import QuarantineSink
from inputguard.exceptions import ConfigurationError, InputRejected

__all__ = ["Fallback", "GuardedCall", "OnFail", "Pending", "Policy", "Sink"]

Policy = Literal["none", "raise", "fallback", "quarantine", "warn", "bypass"]
"""Which policy decided a guarded call (``none``: the input passed)."""

Fallback = Callable[[Any, Any], Any]
"""``(original input, verdict) -> value``, returned in place of the function's result.

The verdict is a `Verdict` for records and for input rejected as a whole, a `Result` for frames;
a fallback annotated with just the one its function meets type-checks.
"""

OnFail = Literal["raise", "quarantine", "warn"] | Fallback
"""What a guarded function does with input that fails its guard."""

Sink = QuarantineSink | str | os.PathLike[str]
"""Where ``on_fail="quarantine"`` sends quarantined rows: a callable, or a parquet directory."""

Pending = tuple[str, dict[str, Any]] | None
"""The call's event (name, fields for `_audit.payload`), or None when it would not be logged."""

_EMPTY_LIST = pl.List(pl.String)

_LAST: ContextVar[tuple[Policy, str, Verdict | Result | None] | None] = ContextVar(
    "inputguard_last_outcome", default=None
)
# (policy, function, verdict) of the last guarded call: `last_outcome` builds the `Outcome`.


class GuardedCall:
    """Everything one wrapped function needs per call, resolved once when decorating."""

    __slots__ = (
        "_events",
        "_field",
        "_function",
        "_guard",
        "_index",
        "_keep_meta",
        "_keyword",
        "_name",
        "_param",
        "_policy",
        "_signature",
        "_write",
    )

    def __init__(
        self,
        guard: GuardLike,
        fn: Callable[..., Any],
        arg: str | int | None,
        policy: Policy,
        write: Callable[[Result], object] | None,
        *,
        keep_meta: bool,
    ) -> None:
        if not isinstance(guard, GuardLike):
            raise ConfigurationError(f"'guard' must be a Guard (got {guard!r})")
        param = locate(fn, arg)
        self._guard = guard
        self._events = guard._events
        self._function = qualname(fn)
        self._param = param
        self._name = param.name
        self._keyword = param.kind is not param.POSITIONAL_ONLY
        positional = (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD)
        self._index: int | None = (
            list(inspect.signature(fn).parameters).index(param.name)
            if param.kind in positional
            else None
        )
        self._signature = inspect.signature(fn)
        self._policy = policy
        self._write = write
        self._keep_meta = keep_meta
        fields = {c for v in guard.validators for c in v.columns}
        self._field = next(iter(fields)) if len(fields) == 1 else None

    # -- per call ----------------------------------------------------------------------------

    def quiet(self) -> Callable[[tuple[Any, ...], dict[str, Any]], Verdict | None]:
        """The hot path: ``(args, kwargs) -> verdict`` on a positional ``dict``, nothing to log.

        Covers the common call (a record passed by position, logging filtered out, no
        `bypass`) in one step. An accepted verdict is final: the wrapper calls the function
        with ``verdict.record``. A rejected one goes to `enter` as ``decided`` so the policy
        applies without deciding twice. None: `enter` handles the call from the start.
        Everything it needs is bound as a local of the closure (it runs on every call).
        """
        index, name, function = self._index, self._name, self._function
        warn = self._policy == "warn"
        decide = self._guard._decide
        bypassed, last, logger = _BYPASS_REASON.get, _LAST.set, _audit.logger
        info, warning = logging.INFO, logging.WARNING

        def quiet(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Verdict | None:
            if index is None or len(args) <= index or (kwargs and name in kwargs):
                return None
            value = args[index]
            if value.__class__ is not dict or bypassed() is not None:
                return None
            try:  # `_audit.enabled(logger.bind(), level)`, inlined
                bound = logger.bind()
                if bound.is_enabled_for(info) or (warn and bound.is_enabled_for(warning)):
                    return None  # an event to log: `enter` times and builds it
            except AttributeError:  # a logger that cannot tell: assume it logs
                return None
            try:
                verdict = decide(value)
            except InputRejected:  # rejected as a whole (a missing key): `enter` reports it
                return None
            if verdict.ok:
                last(("none", function, verdict))
            return verdict

        return quiet

    @property
    def index(self) -> int | None:
        """The guarded parameter's position, when it can be passed by position."""
        return self._index

    def replaced(self, args: tuple[Any, ...], record: Any) -> tuple[Any, ...]:
        """``args`` with the guarded positional argument replaced by ``record``."""
        index = cast("int", self._index)
        return (*args[:index], record, *args[index + 1 :])

    def enter(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        defaults: bool = True,
        decided: Verdict | None = None,
    ) -> tuple[tuple[Any, ...], dict[str, Any], tuple[Any, Verdict | Result] | None]:
        """Check the guarded argument; return the call's arguments, or the fallback's inputs.

        ``decided`` is the verdict `quiet` already took on the positional record, if any.
        """
        name, index = self._name, self._index
        if self._keyword and name in kwargs:
            value = kwargs[name]
            positional = False
        elif index is not None and len(args) > index:
            value = args[index]
            positional = True
        elif defaults and self._param.default is not inspect.Parameter.empty:
            bound = self._signature.bind_partial(*args, **kwargs)
            bound.apply_defaults()
            return self.enter(bound.args, dict(bound.kwargs), defaults=False)
        else:  # missing (and no default): the call itself raises the usual TypeError
            return args, kwargs, None

        reason = _BYPASS_REASON.get()
        if reason is not None:
            self._log_bypass(value, reason)
            return args, kwargs, None

        kind = MAPPING if type(value) is dict else kind_of(value)
        if kind in RECORD_KINDS:
            new, failed = self._record(value, kind, decided)
        else:
            new, failed = self._frame(value, kind)
        if failed is not None:
            return args, kwargs, failed
        if positional:
            args = self.replaced(args, new)
        else:
            kwargs = {**kwargs, name: new}
        return args, kwargs, None

    def _record(
        self, value: Any, kind: str, decided: Verdict | None = None
    ) -> tuple[Any, tuple[Any, Verdict | Result] | None]:
        if kind == MAPPING:
            mapping = value
        elif kind == MODEL:
            mapping = dict(value)
        elif kind == DATACLASS:
            mapping = {n: getattr(value, n) for n in dataclass_fields(type(value))[0]}
        else:
            mapping = value  # not a record: Guard.check rejects it as schema.unsupported_type
        bound = _audit.logger.bind()  # inline `_audit_target`: this is the per-record hot path
        wanted = _audit.enabled(bound, logging.INFO) or (
            self._policy == "warn" and _audit.enabled(bound, logging.WARNING)
        )
        rejected: InputRejected | None = None
        started = time.perf_counter()
        pending: Pending = None
        try:
            verdict = self._guard._decide(mapping) if decided is None else decided
        except InputRejected as exc:  # rejected as a whole: a missing key, not a record
            rejected = exc
            is_mapping = isinstance(mapping, Mapping)
            verdict = Verdict(
                ok=False, record=dict(mapping) if is_mapping else {}, reasons=exc.reasons
            )
            if wanted:
                pending = ("inputguard.check", self._whole(1 if is_mapping else None, exc, started))
        else:
            if wanted:
                pending = ("inputguard.check", record_event(self._events, verdict, started))
        if verdict.ok:
            self._finish(bound, pending, "none", verdict)
            if kind is MAPPING:
                return verdict.record, None
            return rebuild(value, kind, mapping, verdict.record), None
        return self._record_failed(value, mapping, verdict, rejected, audit=(bound, pending))

    def _record_failed(
        self,
        value: Any,
        mapping: Any,
        verdict: Verdict,
        rejected: InputRejected | None,
        *,
        audit: tuple[Any, Pending],
    ) -> tuple[Any, tuple[Any, Verdict | Result] | None]:
        bound, pending = audit
        policy = self._policy
        if policy == "fallback":
            self._finish(bound, pending, policy, verdict)
            return None, (value, verdict)
        if policy == "warn":
            self._finish(bound, pending, policy, verdict)
            return value, None
        if rejected is None:
            rejected = InputRejected(
                f"guard {self._guard.name!r} rejected the input of {self._function}: "
                f"{', '.join(verdict.reasons)}"
                + (f" (owner: {verdict.owner})" if verdict.owner else ""),
                reasons=verdict.reasons,
                field=self._field,
                verdict=verdict,
            )
        if policy == "quarantine" and isinstance(mapping, Mapping) and mapping:
            self._quarantine(
                bound, pending, verdict, lambda: _one_row_result(self._guard, mapping, verdict)
            )
        else:  # "raise", or nothing a sink could keep (not a record): raise
            self._finish(bound, pending, "raise", verdict)
        raise rejected

    def _frame(self, value: Any, kind: str) -> tuple[Any, tuple[Any, Verdict | Result] | None]:
        bound, wanted = self._audit_target()
        rejected: InputRejected | None = None
        pending: Pending = None
        started = time.perf_counter()
        try:
            result = self._guard._evaluate(value)
        except InputRejected as exc:  # rejected as a whole: a missing column, a reserved name
            rejected = exc
            whole = self._reject_whole(value, kind, exc)
            if wanted:
                rows = whole.rows if whole is not None else height(value, kind)
                pending = ("inputguard.validate", self._whole(rows, exc, started))
        else:
            self._guard._observe(result)
            if wanted:
                pending = ("inputguard.validate", frame_event(self._events, result))

        if rejected is not None:
            return self._frame_rejected(value, rejected, whole, audit=(bound, pending))
        if result.ok:
            self._finish(bound, pending, "none", result)
            return self._frame_out(result, kind, value), None
        policy = self._policy
        if policy == "fallback":
            self._finish(bound, pending, policy, result)
            return None, (value, result)
        if policy == "warn":
            self._finish(bound, pending, policy, result)
            return value, None
        if policy == "quarantine":
            self._quarantine(bound, pending, result, result)
            return self._frame_out(result, kind, value), None
        self._finish(bound, pending, policy, result)
        raise result.rejection(f"given to {self._function}")

    def _frame_rejected(
        self,
        value: Any,
        rejected: InputRejected,
        whole: Result | None,
        *,
        audit: tuple[Any, Pending],
    ) -> tuple[Any, tuple[Any, Verdict | Result] | None]:
        """Apply the policy to a frame the guard rejected as a whole."""
        bound, pending = audit
        verdict = Verdict(ok=False, record={}, reasons=rejected.reasons)
        if self._policy == "fallback":
            self._finish(bound, pending, "fallback", verdict)
            return None, (value, verdict)
        if self._policy == "warn":
            self._finish(bound, pending, "warn", verdict)
            return value, None
        if self._policy == "quarantine" and whole is not None:
            self._quarantine(bound, pending, whole, whole)
        else:  # nothing a sink could keep (not a frame, a reserved column name): raise
            self._finish(bound, pending, "raise", verdict)
        raise rejected

    def _frame_out(self, result: Result, kind: str, value: Any) -> Any:
        accepted = result.accepted
        if not self._keep_meta:
            added = result.columns.reserved
            originals = [c for c in result.quarantined.columns if c not in added]
            accepted = accepted.select(originals)
        if kind == FRAME:
            return accepted
        if kind == LAZY:
            return accepted.lazy()
        import pyarrow as pa  # noqa: PLC0415 - imported whenever Arrow or pandas input is given

        if kind == PANDAS:
            return as_pandas(accepted, value, result.accepted[result.columns.row_id].to_list())
        table = like_arrow(accepted.to_arrow(), value.schema)
        if kind == TABLE:
            return table
        batches = table.combine_chunks().to_batches()
        return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)

    def _reject_whole(self, value: Any, kind: str, exc: InputRejected) -> Result | None:
        """Every row quarantined with the whole-input reasons, for a sink; None if impossible."""
        if self._policy != "quarantine" or kind == OTHER:
            return None
        started = time.perf_counter()
        try:  # an input that cannot even be read has no rows to quarantine
            frame = run_query(to_lazy(value).collect, what="reading the input")
        except InputRejected:
            return None
        n = self._guard.result_columns
        if n.reserved & set(frame.columns):
            return None
        dtype = self._guard.reasons_dtype
        indexed = frame.with_row_index(n.row_id)
        quarantined = indexed.with_columns(
            pl.lit([str(r) for r in exc.reasons], dtype=dtype).alias(n.reasons),
            pl.lit([exc.field] * len(exc.reasons), dtype=_EMPTY_LIST).alias(n.reason_columns),
            pl.lit(None, dtype=pl.String).alias(n.owner),
            pl.lit([], dtype=dtype).alias(n.warnings),
        )
        accepted = indexed.clear().with_columns(pl.lit([], dtype=dtype).alias(n.warnings))
        return Result(
            accepted=accepted,
            quarantined=quarantined,
            guard=self._guard.name,
            fingerprint=self._guard.fingerprint,
            checked_at=read_clock(self._guard.clock),
            duration_s=time.perf_counter() - started,
            columns=n,
        )

    # -- audit ---------------------------------------------------------------------------------

    def _whole(self, rows: int | None, exc: InputRejected, started: float) -> dict[str, Any]:
        """The event fields for an input the guard rejected as a whole."""
        return whole_event(
            self._events,
            checked_at=read_clock(self._guard.clock),
            rows=rows,
            reasons=exc.reasons,
            started=started,
        )

    def _audit_target(self) -> tuple[Any, bool]:
        """The bound logger, and whether this call could log at all.

        A call logs at info level, or at warning level when ``on_fail="warn"`` fires; when the
        logger drops every level this call could use, the event is never even built.
        """
        bound = _audit.logger.bind()
        wanted = _audit.enabled(bound, logging.INFO) or (
            self._policy == "warn" and _audit.enabled(bound, logging.WARNING)
        )
        return bound, wanted

    def _finish(
        self,
        bound: Any,
        pending: Pending,
        policy: Policy,
        verdict: Verdict | Result | None,
        **extra: Any,
    ) -> None:
        """Record the outcome and log the call's one event, with the policy it applied."""
        _LAST.set((policy, self._function, verdict))
        if pending is None:  # logging is off for every level this call could use
            return
        event, fields = pending
        level = logging.WARNING if policy == "warn" else logging.INFO
        if _audit.enabled(bound, level):
            payload = _audit.payload(**fields, policy=policy, function=self._function, **extra)
            (bound.warning if policy == "warn" else bound.info)(event, **payload)

    def _quarantine(
        self,
        bound: Any,
        pending: Pending,
        verdict: Verdict | Result,
        result: Result | Callable[[], Result],
    ) -> None:
        """Send ``result`` (or what building it returns) to the sink; audit a failure, re-raise."""
        write = cast("QuarantineSink", self._write)
        try:
            write(result if isinstance(result, Result) else result())
        except BaseException as exc:
            self._finish(bound, pending, "quarantine", verdict, sink_error=type(exc).__name__)
            raise
        self._finish(bound, pending, "quarantine", verdict)

    def _log_bypass(self, value: Any, reason: str) -> None:
        kind = MAPPING if type(value) is dict else kind_of(value)
        record = kind in RECORD_KINDS
        _LAST.set(("bypass", self._function, None))
        _audit.emit(
            "inputguard.check" if record else "inputguard.validate",
            guard=self._guard.name,
            guard_fingerprint=self._guard.fingerprint,
            checked_at=read_clock(self._guard.clock),
            rows_in=1 if record else height(value, kind),
            accepted=0,
            quarantined=0,
            reasons={},
            duration_s=0.0,
            policy="bypass",
            bypass_reason=reason,
            function=self._function,
        )


def _one_row_result(guard: GuardLike, record: Mapping[str, Any], verdict: Verdict) -> Result:
    """A rejected record as the one-row `Result` a sink takes (original values, reasons, owner).

    Raises:
        InputRejected: A key collides with a column the result adds (as on the batch path).
    """
    n = guard.result_columns
    reject_reserved(record, kind="record key", action="quarantining", result=n)
    row = pl.from_dicts([dict(record)]) if record else pl.DataFrame()
    indexed = row.with_row_index(n.row_id)
    dtype = guard.reasons_dtype
    quarantined = indexed.with_columns(
        pl.lit(list(verdict.reasons), dtype=dtype).alias(n.reasons),
        pl.lit(list(verdict.reason_columns), dtype=_EMPTY_LIST).alias(n.reason_columns),
        pl.lit(verdict.owner, dtype=pl.String).alias(n.owner),
        pl.lit(list(verdict.warnings), dtype=dtype).alias(n.warnings),
    )
    accepted = indexed.clear().with_columns(pl.lit([], dtype=dtype).alias(n.warnings))
    return Result(
        accepted=accepted,
        quarantined=quarantined,
        guard=guard.name,
        fingerprint=guard.fingerprint,
        checked_at=verdict.checked_at or read_clock(guard.clock),
        duration_s=0.0,
        columns=n,
    )
