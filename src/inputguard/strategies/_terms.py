"""Terms a vocabulary accepts, and near-misses it must refuse: the terminology family.

Accepted: canonicals, synonyms and realistic variants. Refused: terms of the domain the
vocabulary does not allow, homoglyphs, strings far from any term, blends of distinct names.

Every generated variant is confirmed with the vocabulary's own matcher before it is used, so a
typo labelled "accepted" is one the matcher does accept; a variant the matcher decides
otherwise falls back to a value from a pool checked when the family is built.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any, Final

import polars as pl
from hypothesis import strategies as st

from inputguard._core.reasons import Reason
from inputguard._terminology.vocabulary import Vocabulary
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from inputguard._terminology.matching import FuzzySettings, Matcher
    from inputguard._terminology.validator import Terminology
    from inputguard.strategies._family import Values

__all__ = ["TermPools", "TerminologyFamily", "draw_term"]

_BOOLS: Final = st.booleans()
_VARIANTS: Final = st.sampled_from(
    ["as is", "lower", "upper", "title", "padded", "spaced", "typo", "stripped accents"]
)
_REFUSED_VARIANTS: Final = st.sampled_from(["as is", "lower", "upper", "padded"])
_HOMOGLYPHS: Final = {
    "a": "\u0430",
    "c": "\u0441",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "x": "\u0445",
    "y": "\u0443",
    "A": "\u0410",
    "B": "\u0412",
    "C": "\u0421",
    "E": "\u0415",
    "H": "\u041d",
    "K": "\u041a",
    "M": "\u041c",
    "O": "\u041e",
    "P": "\u0420",
    "T": "\u0422",
    "X": "\u0425",
}
_FAR: Final = (
    "Atlantis",
    "Zzyzx",
    "Qwertyuiop",
    "Narnia",
    "Middle Earth",
    "N/A",
    "unknown",
    "-",
    "??",
    "xxxxxxxx",
    "Lorem ipsum",
    "12345",
)
_TYPO_LETTERS: Final = st.sampled_from("qxzjkv")
_POOL_LIMIT: Final = 400


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _homoglyph(term: str) -> str | None:
    """``term`` with its first replaceable Latin letter swapped for a Cyrillic look-alike."""
    for i, char in enumerate(term):
        swap = _HOMOGLYPHS.get(char)
        if swap is not None and any(c.isalpha() and c != char for c in term):
            return term[:i] + swap + term[i + 1 :]
    return None


class TermPools:
    """Accepted terms and confirmed near-misses of one vocabulary, per reason code."""

    def __init__(self, vocab: Vocabulary, settings: FuzzySettings | None = None) -> None:
        self.matcher: Matcher = vocab.matcher(settings)
        keys = [k for c, syns in vocab.terms.items() for k in (c, *syns)]
        self.accepted = st.sampled_from(keys)
        refused: dict[str, list[str]] = {}

        def keep(value: str) -> None:
            reason = self.matcher.match_one(value).reason
            if reason is not None and len(refused.setdefault(reason, [])) < _POOL_LIMIT:
                refused[reason].append(value)

        for term in vocab.known_other:
            keep(term)
        for key in keys[:_POOL_LIMIT]:
            glyph = _homoglyph(key)
            if glyph is not None:
                keep(glyph)
        for far in _FAR:
            keep(far)
        for a, b in vocab.distinct:  # between two names kept apart: often ambiguous
            for x in (a, *vocab.terms[a], b, *vocab.terms[b]):
                for i in range(len(x)):  # a dropped letter can land between the two
                    keep(x[:i] + x[i + 1 :])
            for x in (a, *vocab.terms[a]):
                for y in (b, *vocab.terms[b]):
                    keep(f"{x} {y}")
        self.refused = {
            reason: st.sampled_from(sorted(set(values))) for reason, values in refused.items()
        }

    def reasons(self) -> tuple[str, ...]:
        """Refusal reasons a confirmed near-miss exists for, in a stable order."""
        order = (
            Reason.TERM_UNKNOWN,
            Reason.TERM_AMBIGUOUS,
            Reason.TERM_CONFUSABLE,
            Reason.TERM_NOT_ALLOWED,
        )
        return tuple(str(r) for r in order if r in self.refused)

    def accepts(self, value: str) -> bool:
        """Whether the matcher maps ``value`` to a canonical term."""
        return self.matcher.match_one(value).ok

    def refuses_for(self, value: object, reason: str) -> bool:
        """Whether the matcher refuses ``value`` with exactly ``reason``."""
        return self.matcher.match_one(value).reason == reason


def _typo(draw: st.DrawFn, term: str) -> str:
    at = draw(st.integers(0, len(term) - 1))
    how = draw(st.sampled_from(["swap", "drop", "double", "replace"]))
    if how == "swap" and at + 1 < len(term):
        return term[:at] + term[at + 1] + term[at] + term[at + 2 :]
    if how == "drop":
        return term[:at] + term[at + 1 :]
    if how == "double":
        return term[:at] + term[at] + term[at:]
    return term[:at] + draw(_TYPO_LETTERS) + term[at + 1 :]


_SPELLINGS: Final = {
    "as is": lambda t: t,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "padded": lambda t: f"  {t} ",
    "spaced": lambda t: t.replace(" ", "  "),
    "stripped accents": _strip_accents,
}


def _variant(draw: st.DrawFn, term: str) -> str:
    kind = draw(_VARIANTS)
    if kind == "typo":
        return _typo(draw, term) if len(term) > 1 else term
    spell: Any = _SPELLINGS[kind]
    result: str = spell(term)
    return result


def draw_term(draw: st.DrawFn, pools: TermPools, reason: str | None, *, text: bool) -> Any:
    """An accepted term (``reason`` None) or a value refused with exactly ``reason``."""
    if reason is None:
        term = draw(pools.accepted)
        variant = _variant(draw, term)
        return variant if variant == term or pools.accepts(variant) else term
    if reason == Reason.TERM_MISSING:
        return None
    if reason == Reason.TERM_UNKNOWN and not text and draw(_BOOLS):
        return draw(st.sampled_from([42, 3.5, True]))
    base = draw(pools.refused[reason])
    if reason in (Reason.TERM_NOT_ALLOWED, Reason.TERM_UNKNOWN):
        kind = draw(_REFUSED_VARIANTS)
        variant = {"lower": base.lower(), "upper": base.upper(), "padded": f" {base} "}.get(
            kind, base
        )
        if pools.refuses_for(variant, reason):
            return variant
    return base


class TerminologyFamily:
    """Values for a `terminology` validator's term column."""

    __slots__ = ("_pools", "_v")

    def __init__(self, validator: Terminology) -> None:
        self._v = validator
        self._pools = TermPools(validator.vocab, validator.settings)

    @property
    def validator(self) -> Terminology:
        """The validator."""
        return self._v

    @property
    def owns(self) -> tuple[str, ...]:
        """The term column."""
        return (self._v.column,)

    @property
    def reads(self) -> tuple[str, ...]:
        """Nothing."""
        return ()

    @property
    def text_only(self) -> tuple[str, ...]:
        """No constraints on other families' columns."""
        return ()

    @property
    def rejections(self) -> tuple[str, ...]:
        """``term.missing``, and the refusals a confirmed near-miss exists for."""
        return (str(Reason.TERM_MISSING), *self._pools.reasons())

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Terms are text."""
        return dict.fromkeys(generated, pl.String())

    def valid(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> Values:
        """A canonical term, a synonym, or a variant the vocabulary maps to one."""
        return {self._v.column: draw_term(draw, self._pools, None, text=frame)}

    def invalid(
        self,
        draw: st.DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """A value the vocabulary refuses with exactly ``reason``."""
        return {self._v.column: draw_term(draw, self._pools, reason, text=frame)}


def pools_for(vocab: Vocabulary, settings: FuzzySettings | None = None) -> TermPools:
    """Build (and check) the pools for ``vocab``."""
    if not isinstance(vocab, Vocabulary):
        raise ConfigurationError(f"'vocab' must be a Vocabulary (got {type(vocab).__name__})")
    return TermPools(vocab, settings)
