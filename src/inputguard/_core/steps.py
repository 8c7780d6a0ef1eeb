"""What a validator contributes to the compiled record path: a `FastStep`.

The record executor (`inputguard._guard.record`) joins the steps of a guard's validators into
one function; validators only describe their part, here, and never import the executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["FALLBACK", "FastStep", "SteppedValidator"]

FALLBACK: Final = "break"
"""The statement a step uses to leave the record to the reference path."""


@dataclass(frozen=True, slots=True)
class FastStep:
    """One validator's part of the compiled record path.

    Every name a step defines or uses starts with the prefix it was given, so that steps
    cannot collide; ``record`` (the input dict) and ``now`` (the UTC clock reading) are the
    function's arguments.

    Attributes:
        lines: Statements, unindented (nested blocks indented by four spaces), that end in the
            step's values being computed, or in `FALLBACK` when the record is not a clean pass.
        constants: Values the lines refer to, by name.
        outputs: Normalized values: record key -> an expression over the step's names.
        merge: Optional expression giving a mapping of further normalized values.
    """

    lines: tuple[str, ...]
    constants: Mapping[str, object] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)
    merge: str | None = None


@runtime_checkable
class SteppedValidator(Protocol):
    """A validator that contributes its own `FastStep` (the built-in ones do)."""

    def record_step(self, prefix: str) -> FastStep | None:
        """This validator's step, or None to be called through ``check_record``."""
        ...
