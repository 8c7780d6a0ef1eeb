"""Term matching, in one import: folding, decisions, the matcher.

The parts live in modules of one concept each: `inputguard._terminology.folding` (comparison
keys), `.decision` (`Match`, `FuzzySettings`), `.matcher` (the look-up order and the decision
cache), `.qualified` (issuer-qualified names) and `.fuzzy` (the bounded, fenced fuzzy step).
"""

from __future__ import annotations

from inputguard._terminology.decision import FuzzySettings, Match
from inputguard._terminology.folding import (
    STOPWORDS,
    _fold_unicode,
    exact_form,
    fingerprint,
    fold,
    is_mixed_script,
)
from inputguard._terminology.matcher import Matcher

__all__ = [
    "STOPWORDS",
    "FuzzySettings",
    "Match",
    "Matcher",
    "_fold_unicode",
    "exact_form",
    "fingerprint",
    "fold",
    "is_mixed_script",
]
