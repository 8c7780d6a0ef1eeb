"""Terminology: is a value a term of the vocabulary, and which canonical term does it mean?"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH
from inputguard._core.reasons import Reason
from inputguard._core.result import RESERVED_COLUMNS
from inputguard._core.steps import FALLBACK, FastStep
from inputguard._core.validator import (
    BatchContext,
    BatchPlan,
    Coded,
    Decision,
    RecordContext,
    RecordOutcome,
    rejections,
)
from inputguard._terminology.matching import FuzzySettings, Match, Matcher
from inputguard._terminology.vocabulary import Vocabulary
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Terminology", "check_columns", "terminology"]

# The batch path's coded rule: 0 accepted, k reports _ORDER[k - 1]. term.missing is decided on
# the row itself (null); the others come from the decision table. term.unknown comes last: a
# null code (a value the table does not know) fails closed with it.
_ORDER: tuple[Reason, ...] = (
    Reason.TERM_MISSING,
    Reason.TERM_AMBIGUOUS,
    Reason.TERM_CONFUSABLE,
    Reason.TERM_NOT_ALLOWED,
    Reason.TERM_UNKNOWN,
)
_CODE_OF: dict[str, int] = {reason: i + 1 for i, reason in enumerate(_ORDER)}
_MISSING = _CODE_OF[Reason.TERM_MISSING]
_TERM_REASONS = frozenset(_ORDER)
_TEXT = (pl.String, pl.Categorical, pl.Enum)
_DEFAULTS = FuzzySettings()


@dataclass(frozen=True, slots=True, repr=False)
class Terminology:
    """A terminology validator; build it with `terminology`."""

    column: str
    vocab: Vocabulary
    settings: FuzzySettings = _DEFAULTS
    method_column: str | None = None
    score_column: str | None = None
    _matcher: Matcher = field(init=False, repr=False, compare=False, hash=False)
    _refused: Mapping[str, RecordOutcome] = field(init=False, repr=False, compare=False, hash=False)
    # Without method/score columns an accepted value's outcome depends on its canonical only:
    # one shared outcome per canonical (read-only by convention), built once.
    _accepted: Mapping[str, RecordOutcome] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # Looked up once: the record path would otherwise hash the settings on every call.
        object.__setattr__(self, "_matcher", self.vocab.matcher(self.settings))
        object.__setattr__(self, "_refused", rejections(_TERM_REASONS, self.column))
        plain = self.method_column is None and self.score_column is None
        accepted = (
            {c: RecordOutcome(updates={self.column: c}) for c in self.vocab.terms} if plain else {}
        )
        object.__setattr__(self, "_accepted", accepted)

    def __repr__(self) -> str:
        parts = [repr(self.column), f"vocab=<{self.vocab.label}>"]
        cfg = self.settings
        if not cfg.enabled:
            parts.append("fuzzy=False")
        else:
            parts.extend(
                f"{name}={getattr(cfg, name)!r}"
                for name in ("cutoff", "margin", "min_length")
                if getattr(cfg, name) != getattr(_DEFAULTS, name)
            )
        if self.method_column is not None:
            parts.append(f"method_column={self.method_column!r}")
        if self.score_column is not None:
            parts.append(f"score_column={self.score_column!r}")
        return f"terminology({', '.join(parts)})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The term column."""
        return (self.column,)

    @property
    def writes(self) -> tuple[str, ...]:
        """The columns it writes: the canonical term, and the method and score columns if set."""
        extra = (c for c in (self.method_column, self.score_column) if c is not None)
        return (self.column, *extra)

    @property
    def reasons(self) -> frozenset[str]:
        """The ``term.*`` reason codes."""
        return _TERM_REASONS

    @property
    def matcher(self) -> Matcher:
        """The vocabulary's matcher for this validator's settings (its cache is shared)."""
        return self._matcher

    def match(self, values: list[object]) -> list[Match]:
        """The decisions this validator takes on ``values`` (for inspection and tests)."""
        return self.matcher.match(values)

    # -- record path -----------------------------------------------------------------------

    def check_record(self, record: Mapping[str, Any], ctx: RecordContext) -> RecordOutcome:
        """Check one record's term; see `terminology` for the rules."""
        decision = self._matcher.match_one(record[self.column])
        if decision.reason is not None:
            return self._refused[decision.reason]
        shared = self._accepted.get(decision.canonical)  # type: ignore[arg-type]  # str when accepted
        if shared is not None:
            return shared
        updates: dict[str, Any] = {self.column: decision.canonical}
        if self.method_column is not None:
            updates[self.method_column] = decision.method
        if self.score_column is not None:
            updates[self.score_column] = decision.score
        return RecordOutcome(updates=updates)

    def record_step(self, prefix: str) -> FastStep:
        """The compiled record path's step: a value the matcher has already accepted.

        It reads the matcher's own decision cache (the first thing `check_record` consults),
        so it takes exactly the decisions the reference takes; a value not decided yet, or
        refused, is left to `check_record`, which decides and caches it.
        """
        p = prefix
        outputs = {self.column: f"{p}m.canonical"}
        if self.method_column is not None:
            outputs[self.method_column] = f"{p}m.method"
        if self.score_column is not None:
            outputs[self.score_column] = f"{p}m.score"
        return FastStep(
            lines=(
                f"{p}m = {p}decided(record[{self.column!r}])",
                f"if {p}m is None or {p}m.reason is not None:",
                f"    {FALLBACK}",
            ),
            constants={f"{p}decided": self._matcher.decisions.get},
            outputs=outputs,
        )

    # -- batch path ------------------------------------------------------------------------

    def plan(self, ctx: BatchContext) -> BatchPlan:
        """Declare the decision on the column's distinct values and the rule that reads it."""
        col = pl.col(self.column)
        dtype = ctx.schema[self.column]
        if not isinstance(dtype, _TEXT):
            # numbers, booleans, nested values ...: present but never a term
            kind = pl.when(col.is_null()).then(1).otherwise(2)
            rule = Coded(kind, (Reason.TERM_MISSING, Reason.TERM_UNKNOWN), field=self.column)
            return BatchPlan(rules=(rule,))
        tag = ctx.helper(f"term{zlib.crc32(repr(self).encode()):08x}")
        canon, code = f"{tag}_canon", f"{tag}_code"
        method, score = f"{tag}_method", f"{tag}_score"
        columns: dict[str, pl.DataType] = {canon: pl.String(), code: pl.UInt8()}
        outputs: dict[str, pl.Expr] = {self.column: pl.col(canon)}
        if self.method_column is not None:
            columns[method] = pl.String()
            outputs[self.method_column] = pl.col(method)
        if self.score_column is not None:
            columns[score] = pl.Float64()
            outputs[self.score_column] = pl.col(score)
        decision = Decision(
            key=col if isinstance(dtype, pl.String) else col.cast(pl.String),
            decide=_Decide(self, canon, code, method, score),
            columns=columns,
        )
        # missing on the row itself; a present value the table does not know fails closed
        # (a null code reports the group's last reason, term.unknown)
        rule = Coded(
            pl.when(col.is_null()).then(pl.lit(_MISSING, pl.UInt8)).otherwise(pl.col(code)),
            _ORDER,
            field=self.column,
        )
        return BatchPlan(rules=(rule,), outputs=outputs, decisions=(decision,))


@dataclass(frozen=True, slots=True)
class _Decide:
    """A terminology validator's decision function: match distinct values, as a table."""

    validator: Terminology
    canon: str
    code: str
    method: str
    score: str

    def __call__(self, values: pl.Series) -> pl.DataFrame:
        decisions = self.validator.matcher.match(values.to_list())
        v = self.validator
        columns = [
            pl.Series(self.canon, [d.canonical for d in decisions], dtype=pl.String),
            pl.Series(
                self.code,
                [0 if d.reason is None else _CODE_OF[d.reason] for d in decisions],
                dtype=pl.UInt8,
            ),
        ]
        if v.method_column is not None:
            columns.append(pl.Series(self.method, [d.method for d in decisions], dtype=pl.String))
        if v.score_column is not None:
            columns.append(pl.Series(self.score, [d.score for d in decisions], dtype=pl.Float64))
        return pl.DataFrame(columns)


def terminology(
    column: str,
    vocab: Vocabulary | str | Path,
    *,
    fuzzy: bool = True,
    cutoff: float = FUZZY_CUTOFF,
    margin: float = FUZZY_MARGIN,
    min_length: int = FUZZY_MIN_LENGTH,
    method_column: str | None = None,
    score_column: str | None = None,
) -> Terminology:
    """Check that ``column`` holds a term of ``vocab`` and replace it by its canonical term.

    Values are matched in a fixed order: exact canonical, exact synonym, folded key (NFKC,
    case, diacritics, punctuation and spacing folded), token fingerprint (word order), then
    fuzzy. Per row, one reason at most: ``term.missing`` (null), ``term.unknown`` (no match,
    or not a string), ``term.ambiguous`` (two canonicals fit about equally well),
    ``term.confusable`` (Latin, Cyrillic or Greek letters mixed: a homoglyph), or
    ``term.not_allowed`` (a real term of the domain the vocabulary refuses, such as a
    subdivision or a withdrawn code). Accepted rows carry the canonical term; quarantined rows
    keep the original.

    A fuzzy match is accepted only when its similarity (optimal-string-alignment distance
    relative to the longer string, on folded text; whole strings only, never partial
    substrings) reaches ``cutoff`` and leads the best
    *different* canonical by ``margin`` (twice ``margin`` for a declared ``distinct`` partner),
    and never for folded inputs shorter than ``min_length`` or single-word codes with digits.

    Args:
        column: The term column (or record key).
        vocab: A `Vocabulary`, or the path of a vocabulary file to load.
        fuzzy: ``False`` makes the validator a pure exact / synonym / folded-key / fingerprint
            mapping.
        cutoff: Minimum fuzzy similarity, 50-100.
        margin: Required lead of the fuzzy winner over the runner-up, 0-50.
        min_length: Shortest folded input that may be fuzzy-matched, at least 3.
        method_column: Optional output column with the match method of accepted rows.
        score_column: Optional output column with the match score of accepted rows.

    Returns:
        An immutable `Terminology` validator.

    Raises:
        ConfigurationError: An empty column name, an invalid vocabulary or file, a setting out
            of range, or an output column that clashes with the input or reserved columns.

    >>> fruit = Vocabulary("fruit", "1", {"apple": ("pomme",), "pear": ()})
    >>> terminology("fruit", fruit, fuzzy=False)
    terminology('fruit', vocab=<fruit v1 sha256:...>, fuzzy=False)
    >>> [m.canonical for m in terminology("fruit", fruit).match(["POMME", "kiwi"])]
    ['apple', None]
    """
    if not isinstance(column, str) or not column:
        raise ConfigurationError(f"'column' must be a non-empty column name (got {column!r})")
    if isinstance(vocab, (str, Path)):
        vocab = Vocabulary.from_file(vocab)
    if not isinstance(vocab, Vocabulary):
        raise ConfigurationError(
            f"'vocab' must be a Vocabulary or a vocabulary file path (got {type(vocab).__name__})"
        )
    if isinstance(cutoff, bool) or not isinstance(cutoff, (int, float)):
        raise ConfigurationError(f"'cutoff' must be a number (got {cutoff!r})")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)):
        raise ConfigurationError(f"'margin' must be a number (got {margin!r})")
    settings = FuzzySettings(fuzzy, float(cutoff), float(margin), min_length)
    extra = [c for c in (method_column, score_column) if c is not None]
    for name in extra:
        if not isinstance(name, str) or not name or name.startswith("__ig_"):
            raise ConfigurationError(
                f"output columns must be non-empty names not starting with '__ig_' (got {name!r})"
            )
        if name == column or name in RESERVED_COLUMNS:
            raise ConfigurationError(
                f"output column {name!r} must differ from {column!r} and from the reserved "
                f"columns {sorted(RESERVED_COLUMNS)!r}"
            )
    if len(set(extra)) != len(extra):
        raise ConfigurationError(
            f"'method_column' and 'score_column' must differ (both {method_column!r})"
        )
    return Terminology(column, vocab, settings, method_column, score_column)


def check_columns(validators: Iterable[object]) -> None:
    """Refuse two terminology validators on one column (the later would hide the first).

    Both would write the column's canonical value, and only one output can win: the guard
    calls this when it combines its validators.

    Raises:
        ConfigurationError: Two `Terminology` validators name the same column.

    >>> fruit = Vocabulary("fruit", "1", {"apple": ()})
    >>> check_columns([terminology("f", fruit), terminology("f", fruit, fuzzy=False)])
    Traceback (most recent call last):
    ...
    inputguard.exceptions.ConfigurationError: two terminology validators on column 'f': ...
    """
    seen: dict[str, Terminology] = {}
    for validator in validators:
        if not isinstance(validator, Terminology):
            continue
        first = seen.setdefault(validator.column, validator)
        if first is not validator:
            raise ConfigurationError(
                f"two terminology validators on column {validator.column!r}: {first!r} and "
                f"{validator!r} (each writes the canonical value; combine their vocabularies "
                "with Vocabulary.extend instead)"
            )
