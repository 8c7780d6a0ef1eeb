"""`Matcher`: the decisions for values against one vocabulary, with a bounded decision cache.

The order is fixed, cheapest and safest first: exact canonical, exact synonym, exact form
(case and spacing; the only key of a symbol term such as ``€``), folded key, token
fingerprint, qualified (an issuer's name in front of a known term, for vocabularies with
qualifiers), fuzzy. Every step before fuzzy is a look-up in a table built when the vocabulary
was loaded, so it either finds the one owner a key belongs to or finds nothing. Fuzzy matching
is the only step that can guess, and it is fenced in (`inputguard._terminology.fuzzy`).

This module knows nothing about polars; the terminology validator asks it for decisions on the
distinct values of a column and joins them back.
"""

from __future__ import annotations

import unicodedata
from itertools import islice
from typing import TYPE_CHECKING, Any

from inputguard._core.reasons import Reason
from inputguard._terminology.decision import (
    AMBIGUOUS,
    KNOWN_OTHER,
    FuzzySettings,
    Match,
    display,
    known_other,
    refused,
)
from inputguard._terminology.folding import (
    compact,
    exact_form,
    fingerprint,
    fold,
    has_symbol,
    is_mixed_script,
    letters_kept,
)
from inputguard._terminology.fuzzy import FuzzyIndex
from inputguard._terminology.qualified import Qualified

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["CACHE_LIMIT", "Matcher"]

CACHE_LIMIT = 100_000
"""Decisions a matcher keeps; past it the oldest eighth is evicted (own terms stay)."""
_EVICT = CACHE_LIMIT // 8
_SHORT_KEY = 3  # a folded key of at most this many letters is a code: no folding may create it


class Matcher:
    """Decisions for values against one vocabulary, with a decision cache.

    Built by `Vocabulary`; the terminology validator keeps one and reuses its cache across
    calls. Pickling ships the configuration only; the indexes and cache are rebuilt.
    """

    __slots__ = (
        "_ambiguous",
        "_cache",
        "_canonicals",
        "_case",
        "_distinct",
        "_exact",
        "_fingerprints",
        "_folded",
        "_fuzzy",
        "_known_other",
        "_primed",
        "_qualified",
        "_qualifiers",
        "_settings",
        "_synonyms",
    )

    def __init__(
        self,
        terms: Mapping[str, Sequence[str]],
        *,
        known_other: Iterable[str] = (),
        distinct: Iterable[tuple[str, str]] = (),
        qualifiers: Mapping[str, Sequence[str]] | None = None,
        ambiguous: Mapping[str, Sequence[str]] | None = None,
        case_sensitive: bool = False,
        settings: FuzzySettings | None = None,
    ) -> None:
        self._settings = settings or FuzzySettings()
        self._case = case_sensitive
        self._qualifiers = {c: tuple(q) for c, q in (qualifiers or {}).items() if q}
        self._ambiguous = {t: tuple(c) for t, c in (ambiguous or {}).items()}
        self._canonicals = frozenset(terms)
        self._synonyms = {s: c for c, syns in terms.items() for s in syns}
        self._known_other = tuple(known_other)
        self._distinct: dict[str, set[str]] = {}
        for a, b in distinct:
            self._distinct.setdefault(a, set()).add(b)
            self._distinct.setdefault(b, set()).add(a)
        self._exact: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        fps: dict[str, set[str]] = {}
        by_owner: dict[str, list[str]] = {}
        owned = [(c, (c, *syns)) for c, syns in terms.items()]
        owned += [(KNOWN_OTHER + t, (t,)) for t in self._known_other]
        owned += [(AMBIGUOUS + t, (t,)) for t in self._ambiguous]
        for owner, keys in owned:
            for key in keys:
                self._exact.setdefault(exact_form(key, case_sensitive=self._case), owner)
                if has_symbol(key):
                    continue  # a symbol term keys by exact form only
                folded = fold(key, case_sensitive=self._case)
                if not folded:
                    continue
                self._folded.setdefault(folded, owner)
                fp = fingerprint(folded)
                if fp:
                    fps.setdefault(fp, set()).add(owner)
                if self._fuzzy_eligible(folded):
                    by_owner.setdefault(owner, []).append(folded)
        self._fingerprints = {fp: tuple(sorted(owners)) for fp, owners in fps.items()}
        self._fuzzy = FuzzyIndex(by_owner, distinct=self._distinct, settings=self._settings)
        folded_index = self._folded
        self._qualified = Qualified(
            terms,
            self._qualifiers,
            is_known_other=lambda h: folded_index.get(h, "").startswith(KNOWN_OTHER),
            case_sensitive=self._case,
        )
        self._cache: dict[str, Match] = {}
        self._primed: dict[str, Match] = {}
        self._prime()

    def _prime(self) -> None:
        """Decide the vocabulary's own terms up front (exact and synonym look-ups, cached).

        They are the values live systems send most, and the compiled record path reads the
        cache: primed, they take its cheapest path from the first record on.
        """
        for term in (*self._canonicals, *self._synonyms):
            decided = self._lookup(term)
            if isinstance(decided, Match):
                self._primed[term] = decided
        self._cache.update(self._primed)

    def __reduce__(self) -> tuple[Any, ...]:
        terms: dict[str, list[str]] = {c: [] for c in sorted(self._canonicals)}
        for synonym, canonical in self._synonyms.items():
            terms[canonical].append(synonym)
        pairs = sorted({tuple(sorted((a, b))) for a, bs in self._distinct.items() for b in bs})
        return (
            _rebuild,
            (
                terms,
                self._known_other,
                pairs,
                self._settings,
                self._qualifiers,
                self._ambiguous,
                self._case,
            ),
        )

    @property
    def settings(self) -> FuzzySettings:
        """The fuzzy settings this matcher applies."""
        return self._settings

    def _fuzzy_eligible(self, folded: str) -> bool:
        if len(compact(folded)) < self._settings.min_length:
            return False
        return not (" " not in folded and any(c.isdigit() for c in folded))

    # -- decisions -------------------------------------------------------------------------

    def match(self, values: Sequence[object]) -> list[Match]:
        """Decide every value; the values left to fuzzy matching are scored together.

        Args:
            values: Values of any type: None is ``term.missing``, a non-string
                ``term.unknown``.

        Returns:
            One `Match` per value, in order.
        """
        out: list[Match | None] = [None] * len(values)
        pending: dict[str, list[int]] = {}  # folded text -> positions awaiting fuzzy
        for i, value in enumerate(values):
            if not isinstance(value, str):
                out[i] = refused(value, Reason.TERM_MISSING if value is None else None)
                continue
            cached = self._cache.get(value)
            if cached is not None:
                out[i] = cached
                continue
            decided = self._lookup(value)
            if isinstance(decided, Match):
                out[i] = self._remember(decided)
            else:
                pending.setdefault(decided, []).append(i)
        if pending:
            for folded, match in zip(pending, self._fuzzy.decide(list(pending)), strict=True):
                for i in pending[folded]:
                    out[i] = self._remember(match.with_value(values[i]))
        return [m for m in out if m is not None]

    def match_one(self, value: object) -> Match:
        """Decide one value (the record path); same decisions as `match`."""
        if isinstance(value, str):
            cached = self._cache.get(value)
            if cached is not None:
                return cached
        return self.match([value])[0]

    @property
    def decisions(self) -> Mapping[str, Match]:
        """The live decision cache, by input text (read-only; evicted in place when full).

        The compiled record path looks values up in it; `match_one` consults it first.
        """
        return self._cache

    def _remember(self, match: Match) -> Match:
        cache = self._cache
        if len(cache) >= CACHE_LIMIT:
            # the oldest eighth goes (in place: the compiled record path holds this dict);
            # the vocabulary's own terms are put back, at the young end
            for key in list(islice(cache, _EVICT)):
                del cache[key]
                primed = self._primed.get(key)
                if primed is not None:
                    cache[key] = primed
        assert isinstance(match.value, str)
        cache[match.value] = match
        return match

    def _lookup(self, value: str) -> Match | str:  # noqa: PLR0911 - a return per matching step
        """A deterministic decision, or the folded text when only fuzzy matching can decide."""
        if value in self._canonicals:
            return Match(value, value, "exact", 100.0, None, None)
        canonical = self._synonyms.get(value)
        if canonical is not None:
            return Match(value, canonical, "synonym", 100.0, None, None)
        owner = self._exact.get(exact_form(value, case_sensitive=self._case))
        if owner is not None:
            return self._owned(value, owner, "folded")  # a stricter fold, same method
        folded = fold(value, case_sensitive=self._case)
        if len(compact(folded)) <= _SHORT_KEY and not letters_kept(value, folded):
            return refused(value, None)  # folding made the letters of a code ("ß" -> "ss")
        owner = self._folded.get(folded)
        if owner is not None:
            return self._owned(value, owner, "folded")
        if not value.isascii() and is_mixed_script(unicodedata.normalize("NFKC", value)):
            return Match(value, None, "confusable", 0.0, None, Reason.TERM_CONFUSABLE)
        fp = fingerprint(folded)
        if not fp:
            return refused(value, None)  # stop words, symbols or punctuation only
        owners = self._fingerprints.get(fp)
        if owners is not None:
            if len(owners) == 1:
                return self._owned(value, owners[0], "fingerprint")
            real = [o for o in owners if not o.startswith("\x00")]
            shown = real[0] if real else display(owners[0])
            return Match(value, None, "fingerprint", 100.0, shown, Reason.TERM_AMBIGUOUS)
        if self._qualified:
            qualified = self._qualified.decide(value, folded)
            if qualified is not None:
                return qualified
        if not self._settings.enabled or not self._fuzzy_eligible(folded) or not len(self._fuzzy):
            return refused(value, None)
        return folded

    def _owned(self, value: str, owner: str, method: str) -> Match:
        """The decision for a look-up that found ``owner``."""
        if owner.startswith(KNOWN_OTHER):
            return known_other(value, owner)
        if owner.startswith(AMBIGUOUS):
            means = self._ambiguous[owner.removeprefix(AMBIGUOUS)]
            return Match(value, None, "ambiguous", 100.0, means[0], Reason.TERM_AMBIGUOUS)
        return Match(value, owner, method, 100.0, None, None)


def _rebuild(  # noqa: PLR0917 - the pickled parts of a matcher
    terms: Mapping[str, Sequence[str]],
    known_other: Sequence[str],
    distinct: Sequence[tuple[str, str]],
    settings: FuzzySettings,
    qualifiers: Mapping[str, Sequence[str]],
    ambiguous: Mapping[str, Sequence[str]],
    case_sensitive: bool,
) -> Matcher:
    return Matcher(
        terms,
        known_other=known_other,
        distinct=distinct,
        qualifiers=qualifiers,
        ambiguous=ambiguous,
        case_sensitive=case_sensitive,
        settings=settings,
    )
