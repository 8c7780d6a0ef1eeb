"""What a terminology decision is (`Match`) and when a fuzzy one may be taken (`FuzzySettings`)."""

from __future__ import annotations

from dataclasses import dataclass

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH
from inputguard._core.reasons import Reason
from inputguard.exceptions import ConfigurationError

__all__ = [
    "AMBIGUOUS",
    "KNOWN_OTHER",
    "FuzzySettings",
    "Match",
    "display",
    "known_other",
    "refused",
]

KNOWN_OTHER = "\x00known_other"
"""Owner marker of a known-other term in the matcher's indexes (never a canonical)."""
AMBIGUOUS = "\x00ambiguous"
"""Owner marker of a term the vocabulary declares ambiguous ("Korea": KP or KR)."""


@dataclass(frozen=True, slots=True)
class FuzzySettings:
    """When a fuzzy match may be accepted.

    Attributes:
        enabled: With ``False`` only the look-ups run (exact, exact form, synonym, folded
            key, fingerprint, qualified).
        cutoff: Minimum similarity, 50-100: ``100 * (1 - d / max(len))`` with ``d`` the
            optimal-string-alignment distance (a transposition is one edit) between the folded
            input and a folded vocabulary key. Whole strings only, never partial substrings.
            Below it, one edit is still accepted in a name of at least ``min_length`` letters
            when no other key is within two edits (see ``docs/terminology.md``).
        margin: How far the best canonical must lead the best *different* canonical; a
            declared ``distinct`` partner must trail by twice this margin and by two edits.
        min_length: Folded inputs shorter than this, and single-word inputs containing a digit
            (codes), are never fuzzy-matched.
    """

    enabled: bool = True
    cutoff: float = FUZZY_CUTOFF
    margin: float = FUZZY_MARGIN
    min_length: int = FUZZY_MIN_LENGTH

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigurationError(f"'fuzzy' must be True or False (got {self.enabled!r})")
        if not 50 <= self.cutoff <= 100:  # noqa: PLR2004 - below 50 a "match" is noise
            raise ConfigurationError(f"'cutoff' must be between 50 and 100 (got {self.cutoff!r})")
        if not 0 <= self.margin <= 50:  # noqa: PLR2004 - a margin of 50 already refuses all
            raise ConfigurationError(f"'margin' must be between 0 and 50 (got {self.margin!r})")
        if isinstance(self.min_length, bool) or not isinstance(self.min_length, int):
            raise ConfigurationError(f"'min_length' must be an int (got {self.min_length!r})")
        if self.min_length < 3:  # noqa: PLR2004 - two-letter strings are codes, never typos
            raise ConfigurationError(f"'min_length' must be at least 3 (got {self.min_length})")


@dataclass(frozen=True, slots=True)
class Match:
    """The decision for one value.

    Attributes:
        value: The input value.
        canonical: The canonical term, or None when the value is refused.
        method: How it was decided: ``exact``, ``synonym``, ``folded`` (the exact form or
            the folded key), ``fingerprint``, ``qualified``, ``fuzzy`` (accepted or refused
            at the fuzzy step), ``known_other``, ``ambiguous`` (a term the vocabulary
            declares ambiguous), ``confusable``, ``missing`` or ``none`` (nothing matched).
        score: 100 for look-ups; the similarity for fuzzy decisions; 0 when nothing matched.
        runner_up: For a fuzzy decision, the closest different canonical (or known-other
            term) among the candidates the search found, None when there is none; for an
            ambiguous look-up, one of the canonicals it could mean.
        reason: None when accepted, else the ``term.*`` reason code.
    """

    value: object
    canonical: str | None
    method: str
    score: float
    runner_up: str | None
    reason: Reason | None

    @property
    def ok(self) -> bool:
        """True when the value maps to a canonical term."""
        return self.reason is None

    def with_value(self, value: object) -> Match:
        """The same decision for another input value (that folds to the same key)."""
        return Match(value, self.canonical, self.method, self.score, self.runner_up, self.reason)


def display(owner: str | None) -> str | None:
    """An owner as users see it: a canonical, or a known-other term without its marker."""
    if owner is None:
        return None
    return owner.removeprefix(KNOWN_OTHER).removeprefix(AMBIGUOUS)


def refused(value: object, reason: Reason | None) -> Match:
    """A value nothing matches: ``term.missing`` for None, else ``term.unknown``."""
    if reason is Reason.TERM_MISSING:
        return Match(value, None, "missing", 0.0, None, reason)
    return Match(value, None, "none", 0.0, None, Reason.TERM_UNKNOWN)


def known_other(value: str, owner: str) -> Match:
    """A value that is a known-other term: ``term.not_allowed``."""
    return Match(value, None, "known_other", 100.0, display(owner), Reason.TERM_NOT_ALLOWED)
