"""`bypass()`: switch guarded functions off for one context (a backfill, a test), never globally."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["bypass", "bypass_reason"]

# None: guards run. A string (possibly empty): guarded calls in this context skip their checks
# and log the string as ``bypass_reason``.
_REASON: ContextVar[str | None] = ContextVar("inputguard_bypass", default=None)


@contextmanager
def bypass(*, reason: str = "") -> Iterator[None]:
    """Skip the checks of guarded functions called inside the ``with`` block, in this context only.

    The switch is a `contextvars.ContextVar`: it covers the current thread, or the current
    asyncio task and the tasks it starts, and nothing else. Other threads and other tasks keep
    their guards while a backfill runs next to them. A thread started inside the block does not
    inherit it (threads start with a fresh context); run the thread's target with
    ``contextvars.copy_context().run`` or use ``asyncio.to_thread`` if it should.

    A bypassed call passes its input to the function unchanged and still logs one audit event,
    with ``policy="bypass"`` and ``bypass_reason``. Direct calls to ``Guard.check`` and
    ``Guard.validate`` are not affected: they return a verdict and decide nothing.

    Args:
        reason: Why the guard is off (a ticket, a backfill id); logged with every bypassed call.

    Yields:
        Nothing; the block runs with guards off.

    >>> from inputguard._guard.bypass import bypass_reason
    >>> with bypass(reason="backfill-2026-11"):
    ...     bypass_reason()
    'backfill-2026-11'
    >>> bypass_reason() is None
    True
    """
    token = _REASON.set(str(reason))
    try:
        yield
    finally:
        _REASON.reset(token)


def bypass_reason() -> str | None:
    """The reason of the innermost active `bypass` in this context, or None when guards run."""
    return _REASON.get()
