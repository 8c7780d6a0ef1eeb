"""Exceptions raised by inputguard.

Every exception the library raises on purpose derives from one root::

    InputGuardError
    ├── InputRejected            bad data: carries reason codes, the field and the validator
    └── ConfigurationError       caller misuse: a bad threshold, a broken vocabulary or
                                 registry, a malformed config file (also a ValueError)

Catch ``InputGuardError`` to handle anything inputguard decided; catch ``InputRejected`` for
data that failed its checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inputguard._core.defaults import MAX_ERROR_EXAMPLES

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ConfigurationError", "InputGuardError", "InputRejected"]


class InputGuardError(Exception):
    """Root of every exception inputguard raises on purpose."""


class ConfigurationError(InputGuardError, ValueError):
    """The guard, a validator, a vocabulary or a registry was configured wrongly.

    Raised when the object is built (at import or start-up), never on the first request.
    """


class InputRejected(InputGuardError):
    """Input failed the guard's checks.

    Attributes:
        reasons: The reason codes (strings from `inputguard.Reason`, or ``schema.<check>``).
        field: The column or record key the failure is about, if there is exactly one.
        validator: The repr of the validator that rejected the input, if there is exactly one.
        examples: Up to five quarantined examples (row ids and reasons, never raw values).
        verdict: The `Verdict` or `Result` behind the rejection, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        reasons: Sequence[str],
        field: str | None = None,
        validator: str | None = None,
        examples: Sequence[Any] = (),
        verdict: Any = None,
    ) -> None:
        super().__init__(message)
        self.reasons: tuple[str, ...] = tuple(dict.fromkeys(reasons))
        self.field = field
        self.validator = validator
        self.examples: tuple[Any, ...] = tuple(examples)[:MAX_ERROR_EXAMPLES]
        self.verdict = verdict

    def __reduce__(self) -> tuple[Any, ...]:  # keep keyword state across pickling (Spark, Ray)
        return (
            _rebuild_rejected,
            (str(self), self.reasons, self.field, self.validator, self.examples),
        )


def _rebuild_rejected(
    message: str,
    reasons: tuple[str, ...],
    field: str | None,
    validator: str | None,
    examples: tuple[Any, ...],
) -> InputRejected:
    return InputRejected(
        message, reasons=reasons, field=field, validator=validator, examples=examples
    )
