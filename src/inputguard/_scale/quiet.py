"""Running a guard as one part of a larger job: no per-part events, no per-part observers.

A tagged batch is a part of a stream or a Spark job; the job's one audit event is emitted by
whoever sees the whole (the `Tagger`'s caller, the Spark driver). Observers such as a
`DriftWatch` hold a lock and running state: they cannot travel to workers, and a copy there
would watch a fraction of the job. Both are therefore switched off here, in one place, through
the guard's internal entry points (``inputguard._guard.protocol.GuardLike``), which the
decorators use for the same reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inputguard._guard.guard import Guard

if TYPE_CHECKING:
    from datetime import datetime

    from inputguard._core.result import Result

__all__ = ["evaluate", "source_column", "without_observers"]


def evaluate(guard: Guard, data: Any, now: datetime) -> Result:
    """`Guard.validate` without its event and observers (the caller emits one for the whole)."""
    return guard._evaluate(data, now)  # the GuardLike entry point: decide, do not emit


def without_observers(guard: Guard) -> Guard:
    """The same guard (validators, clock, schema, fingerprint) with no observers.

    Built through the guard's own pickling state, which is what a worker receives anyway;
    ``Guard`` has no public way to drop observers yet.
    """
    state = list(guard.__getstate__())
    state[Guard._STATE.index("_observers")] = ()  # private: see the docstring
    copy = Guard.__new__(Guard)
    copy.__setstate__(tuple(state))
    return copy


def source_column(guard: Guard) -> str | None:
    """The column the guard counts sources from (as its own audit events do)."""
    return guard.source_column
