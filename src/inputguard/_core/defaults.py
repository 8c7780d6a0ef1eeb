"""Defaults that more than one module states: one home, read by signatures, config and reprs.

A default appears in a function signature, in the guard.toml model, in a strategy's parameters
and in a validator's repr (which leaves out arguments at their default). Each is written here
once; everything else imports it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AUDIT_EXAMPLES",
    "FUZZY_CUTOFF",
    "FUZZY_MARGIN",
    "FUZZY_MIN_LENGTH",
    "MAX_ERROR_EXAMPLES",
    "MAX_FUTURE_SKEW",
]

MAX_FUTURE_SKEW: Final = "60s"
"""How far ahead of the guard's clock a timestamp may be before it is ``freshness.future``."""

FUZZY_CUTOFF: Final = 85.0
"""Minimum fuzzy similarity (50-100) for a terminology match."""

FUZZY_MARGIN: Final = 5.0
"""How far the best fuzzy score must lead the runner-up (0-50); closer is ``term.ambiguous``."""

FUZZY_MIN_LENGTH: Final = 5
"""Shortest folded value that fuzzy matching considers; shorter values must match exactly."""

AUDIT_EXAMPLES: Final = 0
"""Quarantined rows an audit event quotes (through the redaction policy); none by default."""

MAX_ERROR_EXAMPLES: Final = 5
"""Offending values an `InputRejected` keeps at most."""
