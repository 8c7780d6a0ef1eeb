"""The compiled record path: one generated function per guard, ``decide(record) -> Verdict``.

Most of what `Guard.check` spent on a record went to bookkeeping that a record passing every
check does not need: an outcome object per validator, reason and warning lists, merging their
updates. So when a guard is built, `compile_record_path` joins the validators into ONE plain
Python function, the way attrs writes a class's ``__init__``. Each validator contributes a
`FastStep`: a few statements that read the record, leave it to the reference (`FALLBACK`) on
anything other than a clean pass, and name the normalized values they produce. The function:

- reads the guard's clock once;
- returns an accepted `Verdict` with the normalized record (a new ``dict``) when every
  validator passes without a warning;
- in every other case (a failure, a warning, a value or type a step does not handle, one of
  the exceptions in `FALLBACK_ERRORS`, a record that is not a ``dict``) hands the record and
  the same clock reading to the reference: every validator's ``check_record``, which also
  gives the reasons, warnings and owner.

The compiled function is thus only ever a shortcut to the answer the reference gives;
``tests/guard/test_record.py`` holds it to that for generated records. A validator without a step
of its own (a user-defined validator, provenance with signatures) is called through its
``check_record`` from inside the function, so every guard has a compiled path. Those calls
come after every cheap step, so a record that fails a built-in check never reaches them
twice; a record such a validator itself rejects (or warns about) is checked by it twice, once
here and once by the reference, which is one reason ``check_record`` must have no side
effects.
"""

from __future__ import annotations

import hashlib
import linecache
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from inputguard._core.clock import FixedClock, read_clock, system_clock
from inputguard._core.result import Verdict
from inputguard._core.steps import FALLBACK, FastStep, SteppedValidator
from inputguard._core.validator import RecordContext
from inputguard._guard.inputs import reject_foreign
from inputguard.exceptions import InputGuardError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from inputguard._core.clock import Clock
    from inputguard._core.validator import Validator

__all__ = ["FALLBACK_ERRORS", "STRICT_ENV", "compile_record_path", "reference_step"]

FALLBACK_ERRORS: tuple[type[Exception], ...] = (KeyError, TypeError, ValueError, OverflowError)
"""Exceptions that send a record to the reference path instead of failing the call.

A missing key (the reference raises `InputRejected` naming it), an unhashable value looked up
in a set, a text `datetime.fromisoformat` refuses: the reference decides all of them.
"""


def reference_step(validator: Validator, prefix: str) -> FastStep:
    """A step that calls ``validator.check_record`` and passes only a clean outcome."""
    p = prefix
    return FastStep(
        lines=(
            f"{p}o = {p}check(record, {p}context(now))",
            f"if {p}o.reasons or {p}o.warnings:",
            f"    {FALLBACK}",
        ),
        constants={f"{p}check": validator.check_record, f"{p}context": RecordContext},
        merge=f"{p}o.updates",
    )


def compile_record_path(
    validators: Iterable[Validator],
    *,
    clock: Clock,
    reference: Callable[[Mapping[str, Any], datetime], Verdict],
    reserved: frozenset[str] = frozenset(),
) -> tuple[Callable[[Mapping[str, Any]], Verdict], str]:
    """Join the validators' steps into one function ``decide(record) -> Verdict``.

    The function reads the clock once, tries the steps on a plain ``dict``, and hands the
    record and that reading to ``reference`` whenever a step does not pass it cleanly (and for
    any record that is not a ``dict``).

    Args:
        validators: The guard's validators, in order (later normalized values win, as in
            ``Guard.check``).
        clock: The guard's clock. A `FixedClock` is read (and checked) once, here; the
            system clock is read inline; any other through `read_clock` on every call.
        reference: ``(record, now) -> Verdict``: every validator's ``check_record``.
        reserved: Keys a record may not have (the result's column names): such a record goes
            to the reference, which rejects it as a frame with such a column is rejected.

    Returns:
        The function, and its source (kept on the guard for inspection).
    """
    strict = os.environ.get(STRICT_ENV, "") not in ("", "0")
    namespace: dict[str, Any] = {
        "_FALLBACK_ERRORS": FALLBACK_ERRORS,
        "_InputGuardError": InputGuardError,
        "_foreign": reject_foreign,
        "_reference": reference,
        "_reserved": reserved,
        "_verdict": tuple.__new__,  # a Verdict from a prepared tuple: the one object per call
        "_Verdict": Verdict,
    }
    if type(clock) is FixedClock:
        namespace["_now"] = read_clock(clock)
        read = "_now"
    elif clock is system_clock:
        namespace.update(_utc_now=datetime.now, _UTC=UTC)
        read = "_utc_now(_UTC)"
    else:
        namespace.update(_read_clock=read_clock, _clock=clock)
        read = "_read_clock(_clock)"
    own: list[str] = []
    called: list[str] = []  # steps that call check_record: after the cheap ones (see above)
    writes: list[str] = []  # normalized values, in validator order: later validators win
    for index, validator in enumerate(validators):
        prefix = f"_v{index}_"
        step = validator.record_step(prefix) if isinstance(validator, SteppedValidator) else None
        if step is None:
            step = reference_step(validator, prefix)
            called += step.lines
        else:
            own += step.lines
        foreign = [name for name in step.constants if not name.startswith(prefix)]
        if foreign:  # a bug in a step, never a user error
            raise AssertionError(f"step of {validator!r} defines {foreign} outside {prefix!r}")
        namespace.update(step.constants)
        writes += [f"new[{key!r}] = {expression}" for key, expression in step.outputs.items()]
        if step.merge is not None:
            writes.append(f"new.update({step.merge})")
    body = own + called
    # Steps leave the one-pass `while` loop with `break` (FALLBACK) and the record goes to the
    # reference, outside the `try`: an exception the reference raises is never caught here.
    source = "\n".join(
        [
            "def decide(record):",
            f"    now = {read}",
            "    if record.__class__ is dict:",
            "        try:",
            "            while _reserved.isdisjoint(record):",
            *(f"                {line}" for line in body),
            "                new = dict(record)",
            *(f"                {line}" for line in writes),
            "                return _verdict(_Verdict, (True, new, (), (), None, now, ()))",
            "        except _FALLBACK_ERRORS as error:",
            "            return _strict(record, now, error)" if strict else "            pass",
            "        except _InputGuardError:",
            "            raise",
            "        except Exception as error:",
            "            _foreign(error, what='checking the record')",
            "    return _reference(record, now)",
        ]
    )
    if strict:
        namespace["_strict"] = _strict_check(reference)
    # The source is assembled above from the validators' own steps (no user text but reprs of
    # column names), the same technique attrs and dataclasses use to write __init__. Like
    # them, it is registered with `linecache` under a name derived from the source, so that
    # tracebacks and debuggers show its lines.
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<inputguard record path {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    return namespace["decide"], source


STRICT_ENV: Final = "INPUTGUARD_STRICT_RECORD_PATH"
"""Set (to anything but ``""`` or ``"0"``) when a guard is built: strict record path.

In strict mode, an exception in a compiled step on a record that the reference then accepts
cleanly is a bug in the step, and raises `AssertionError` instead of quietly falling back
(which would give the right answer, slowly, and hide the bug). The project's own tests run in
this mode; the default is off, so a user's process always gets the reference's answer.
"""


def _strict_check(
    reference: Callable[[Mapping[str, Any], datetime], Verdict],
) -> Callable[[Mapping[str, Any], datetime, BaseException], Verdict]:
    def check(record: Mapping[str, Any], now: datetime, error: BaseException) -> Verdict:
        verdict = reference(record, now)  # InputRejected: the step was right to give up
        if verdict.ok and not verdict.warnings:
            raise AssertionError(
                f"a compiled record step raised {type(error).__name__}: {error} on a record "
                "the reference accepts cleanly (a bug in the step; see the traceback above)"
            ) from error
        return verdict

    return check
