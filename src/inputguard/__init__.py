"""inputguard: the input layer for production inference.

Every record a model scores is checked to come from a trusted source, to be fresh enough, and
to use the terms the model knows. Failing records are kept with their reasons and owner.
"""

from importlib import metadata as _metadata

from inputguard._core.clock import Clock, FixedClock
from inputguard._core.duration import parse_duration
from inputguard._core.reasons import Reason
from inputguard._core.result import Result, ResultColumns, SinkSummary, Verdict
from inputguard._core.validator import (
    BatchContext,
    BatchPlan,
    Coded,
    Decision,
    RecordContext,
    RecordOutcome,
    Rule,
    Validator,
)
from inputguard._freshness.validator import Freshness, FreshnessLimits, freshness
from inputguard._guard.bypass import bypass
from inputguard._guard.decorators import Outcome, guarded, last_outcome
from inputguard._guard.guard import Guard
from inputguard._guard.revalidate import Revalidation, revalidate
from inputguard._ops.audit import KeyedRedaction, keyed_redact, redact
from inputguard._ops.auditfile import AuditFile, AuditVerification, verify_audit_file
from inputguard._ops.drift import DriftAlert, DriftWatch
from inputguard._ops.sinks import ParquetSink, QuarantineSink, SinkWrite, read_quarantine
from inputguard._pii.recognizer import PiiRecognizer, PiiSpan
from inputguard._pii.validator import Pii, pii
from inputguard._provenance.registry import SigningKey, Source, SourceRegistry
from inputguard._provenance.signing import sign
from inputguard._provenance.validator import Provenance, provenance
from inputguard._terminology.validator import Terminology, terminology
from inputguard._terminology.vocabulary import Vocabulary
from inputguard.exceptions import ConfigurationError, InputGuardError, InputRejected

try:
    __version__ = _metadata.version("inputguard-inference")
except _metadata.PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
    __version__ = "0+unknown"

__all__ = [
    "AuditFile",
    "AuditVerification",
    "BatchContext",
    "BatchPlan",
    "Clock",
    "Coded",
    "ConfigurationError",
    "Decision",
    "DriftAlert",
    "DriftWatch",
    "FixedClock",
    "Freshness",
    "FreshnessLimits",
    "Guard",
    "InputGuardError",
    "InputRejected",
    "KeyedRedaction",
    "Outcome",
    "ParquetSink",
    "Pii",
    "PiiRecognizer",
    "PiiSpan",
    "Provenance",
    "QuarantineSink",
    "Reason",
    "RecordContext",
    "RecordOutcome",
    "Result",
    "ResultColumns",
    "Revalidation",
    "Rule",
    "SigningKey",
    "SinkSummary",
    "SinkWrite",
    "Source",
    "SourceRegistry",
    "Terminology",
    "Validator",
    "Verdict",
    "Vocabulary",
    "__version__",
    "bypass",
    "freshness",
    "guarded",
    "keyed_redact",
    "last_outcome",
    "parse_duration",
    "pii",
    "provenance",
    "read_quarantine",
    "redact",
    "revalidate",
    "sign",
    "terminology",
    "verify_audit_file",
]
