"""Guarded functions: `guarded(guard, ...)` and ``Guard.wrap`` put a guard in front of a function.

The wrapper finds the guarded argument (by name or position), checks it with the guard's record
path (`Guard.check`) or batch path (`Guard.validate`), applies the ``on_fail`` policy, and calls
the function with the normalized input, of the same kind it was given. It logs exactly one audit
event per call: the guard's own event, with ``policy`` and ``function`` added.
"""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from inputguard._guard.calls import _LAST, Fallback, GuardedCall, OnFail, Policy, Sink
from inputguard._ops.sinks import ParquetSink
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from inputguard._core.result import (
        Result,
        Verdict,
    )
    from inputguard._guard.protocol import GuardLike

__all__ = ["Fallback", "OnFail", "Outcome", "Policy", "Sink", "guarded", "last_outcome"]

P = ParamSpec("P")
R = TypeVar("R")

_STRING_POLICIES = frozenset({"raise", "quarantine", "warn"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the guard decided one call of a guarded function.

    Attributes:
        policy: ``"none"`` when the input passed; otherwise the policy that handled the failing
            input (``"raise"``, ``"fallback"``, ``"quarantine"``, ``"warn"``), or ``"bypass"``
            when the call ran inside `bypass`.
        function: The guarded function's qualified name.
        verdict: The `Verdict` (records) or `Result` (frames); None for a bypassed call.
    """

    policy: Policy
    function: str
    verdict: Verdict | Result | None


def last_outcome() -> Outcome | None:
    """The `Outcome` of the latest guarded call in this context (thread or asyncio task).

    It is set before the function runs, so the function itself can read how its input was
    decided (for instance that ``on_fail="warn"`` let unchecked input through), and it stays
    set after the call, including when the call raised `InputRejected`. Other threads and tasks
    never see it. None before the first guarded call in the context.
    """
    last = _LAST.get()
    return None if last is None else Outcome(*last)


def guarded(
    guard: GuardLike,
    arg: str | int | None = None,
    *,
    on_fail: OnFail = "raise",
    sink: Sink | None = None,
    keep_meta_columns: bool = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Build a decorator that checks one argument of a sync or async function with ``guard``.

    Accepted inputs, and what the function receives when the input passes: a mapping (a new
    ``dict`` with normalized values), a pydantic model (``model_copy(update=...)`` with the
    normalized values, not re-validated), a dataclass (``dataclasses.replace``), a polars
    ``DataFrame`` or ``LazyFrame`` or a pyarrow ``Table`` or ``RecordBatch`` (the same kind, with
    the accepted rows, normalized, and the input's columns in the input's order).

    Policies for input that fails:

    - ``"raise"`` (default): raise `InputRejected` with the reasons (and capped examples for
      frames); the function is not called.
    - a callable ``fallback(input, verdict)``: its return value is returned instead (awaited if
      it is awaitable and the function is async). ``verdict`` is the `Verdict` (records) or the
      `Result` (frames); for input rejected as a whole (a missing column, an unsupported type)
      it is a `Verdict` with those reasons.
    - ``"quarantine"``: for frames, the `Result` goes to ``sink`` and the function receives only
      the accepted rows (possibly none). For a record, the one-row `Result` goes to ``sink`` and
      `InputRejected` is raised, since there is nothing left to call the function with.
    - ``"warn"``: the audit event is logged at warning level and the function receives the
      ORIGINAL input unchanged.

    Every call logs one audit event (``inputguard.check`` or ``inputguard.validate``) with
    ``policy`` (see `Outcome`) and ``function``; `last_outcome` returns the same decision.
    Inside `bypass` the checks do not run, the input passes unchanged and the event says
    ``policy="bypass"``.

    Args:
        guard: The guard to apply.
        arg: The guarded parameter: its name, or its index among the function's parameters as
            written (``self`` counts). Default: the first parameter other than ``self``/``cls``.
        on_fail: ``"raise"``, ``"quarantine"``, ``"warn"``, or a fallback callable.
        sink: With ``on_fail="quarantine"`` (and only then): a callable taking the `Result`, or
            a directory path for a ``ParquetSink``.
        keep_meta_columns: Frames only: keep the columns the guard adds to accepted rows
            (``row_id``, ``warnings`` and any new normalized column) instead of the input's
            columns alone.

    Returns:
        A decorator; the wrapped function keeps its signature, its name and its docstring, and
        an async function stays a coroutine function.

    Raises:
        ConfigurationError: An unknown policy, a missing or unneeded ``sink``, or an ``arg``
            that names no parameter of the function (raised when decorating).

    >>> from datetime import UTC, datetime
    >>> from structlog.testing import capture_logs
    >>> import inputguard as ig
    >>> guard = ig.Guard(
    ...     [ig.freshness("ts", error_after="1h")],
    ...     name="demo",
    ...     clock=ig.FixedClock(datetime(2026, 1, 1, 12, tzinfo=UTC)),
    ... )
    >>> @ig.guarded(guard, on_fail=lambda record, verdict: verdict.reasons)
    ... def predict(record: dict[str, object]) -> object:
    ...     return record["ts"]
    >>> with capture_logs() as events:
    ...     predict({"ts": "2026-01-01T12:30:00+01:00"})
    ...     predict({"ts": "2026-01-01T09:00:00Z"})
    datetime.datetime(2026, 1, 1, 11, 30, tzinfo=datetime.timezone.utc)
    ('freshness.stale',)
    >>> [(e["policy"], e["function"]) for e in events]
    [('none', 'predict'), ('fallback', 'predict')]
    """
    if isinstance(on_fail, str):
        if on_fail not in _STRING_POLICIES:
            raise ConfigurationError(
                f"'on_fail' must be 'raise', 'quarantine', 'warn' or a fallback callable "
                f"(got {on_fail!r})"
            )
        policy: Policy = cast("Policy", on_fail)
        fallback: Fallback | None = None
    elif callable(on_fail):
        policy, fallback = "fallback", on_fail
    else:
        raise ConfigurationError(
            f"'on_fail' must be 'raise', 'quarantine', 'warn' or a fallback callable "
            f"(got {on_fail!r})"
        )
    write = _resolve_sink(sink, policy)
    if not isinstance(keep_meta_columns, bool):
        raise ConfigurationError(
            f"'keep_meta_columns' must be True or False (got {keep_meta_columns!r})"
        )

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        if isinstance(fn, (staticmethod, classmethod)):  # decorator above @staticmethod
            return cast("Callable[P, R]", type(fn)(decorate(fn.__func__)))
        if not callable(fn):
            raise ConfigurationError(f"guard.wrap decorates a function (got {fn!r})")
        call = GuardedCall(guard, fn, arg, policy, write, keep_meta=keep_meta_columns)
        quiet, first = call.quiet(), call.index == 0
        target = cast("Callable[..., Any]", fn)  # called with the normalized record in place
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                decided = quiet(args, kwargs)
                if decided is not None and decided.ok:
                    if first:
                        return await target(decided.record, *args[1:], **kwargs)
                    return await target(*call.replaced(args, decided.record), **kwargs)
                args, kwargs, failed = call.enter(args, kwargs, decided=decided)
                if failed is not None:
                    value = cast("Fallback", fallback)(*failed)
                    if inspect.isawaitable(value):
                        value = await value
                    return value
                return await fn(*args, **kwargs)

            return cast("Callable[P, R]", guarded_async)

        @functools.wraps(fn)
        def guarded_sync(*args: Any, **kwargs: Any) -> Any:
            decided = quiet(args, kwargs)
            if decided is not None and decided.ok:
                if first:
                    return target(decided.record, *args[1:], **kwargs)
                return target(*call.replaced(args, decided.record), **kwargs)
            args, kwargs, failed = call.enter(args, kwargs, decided=decided)
            if failed is not None:
                return cast("Fallback", fallback)(*failed)
            return fn(*args, **kwargs)

        return cast("Callable[P, R]", guarded_sync)

    return decorate


def _resolve_sink(sink: Sink | None, policy: Policy) -> Callable[[Result], object] | None:
    if policy != "quarantine":
        if sink is not None:
            raise ConfigurationError(
                f"'sink' is only used with on_fail='quarantine' (got on_fail={policy!r})"
            )
        return None
    if sink is None:
        raise ConfigurationError(
            "on_fail='quarantine' needs a 'sink': a callable taking a Result, or a directory"
        )
    if isinstance(sink, (str, os.PathLike)):
        return ParquetSink(sink)
    if callable(sink):
        return sink
    raise ConfigurationError(
        f"'sink' must be a callable taking a Result or a directory path (got {sink!r})"
    )
