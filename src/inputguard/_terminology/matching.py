"""Term matching: text folding, deterministic look-ups, and a guarded fuzzy fallback.

The order is fixed, cheapest and safest first: exact canonical, exact synonym, folded key, token
fingerprint, qualified (an issuer word in front of a known term, for vocabularies that declare
qualifiers), fuzzy. Every step before fuzzy is a look-up in a table built when the vocabulary
was loaded, so it either finds the one canonical a key belongs to or finds nothing. Fuzzy
matching is the only step that can guess, and it is fenced in (see `FuzzySettings`).

This module knows nothing about polars; the terminology validator asks it for decisions on the
distinct values of a column and joins them back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH
from inputguard._core.reasons import Reason
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "FuzzySettings",
    "Match",
    "Matcher",
    "fingerprint",
    "fold",
    "is_mixed_script",
]

# Letters with no Unicode decomposition that still have an obvious base letter.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
_APOSTROPHES = re.compile(r"['\u2019\u02bc`\u00b4]")
_NON_WORD = re.compile(r"[\W_]+")
_STOPWORDS = frozenset({"the", "of", "and"})
# Scripts whose letters are easily confused with each other (Latin, Cyrillic and Greek 'a').
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
# A word of a qualifier form and the qualifier word it stands for must share this many leading
# letters ("japanese"/"japan", "thai"/"thailand"), or all of a shorter qualifier word ("lao").
_QUALIFIER_PREFIX = 4
_CHUNK = 512  # queries per cdist call: bounds the score matrix to _CHUNK x choices floats
_CACHE_LIMIT = 100_000


def fold(text: str) -> str:
    """Fold a term to its comparison key.

    NFKC, casefold, diacritics removed, apostrophes dropped, ``&`` read as ``and``, every other
    run of punctuation or whitespace collapsed to one space.

    >>> fold("  Côte d'Ivoire ")
    'cote divoire'
    >>> fold("Bosnia & Herzegovina")
    'bosnia and herzegovina'
    """
    if text.isascii():
        # NFKC, NFKD and the letter table leave ASCII alone, and casefold is lower
        return _punctuation(text.lower())
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    """`fold` for any text; `fold` takes a shortcut for ASCII text that gives the same key."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _punctuation(text)


def _punctuation(text: str) -> str:
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    return _NON_WORD.sub(" ", text).strip()


def fingerprint(folded: str) -> str:
    """The order-free key of a folded term: its distinct words, sorted, without "the/of/and".

    >>> fingerprint("korea republic of")
    'korea republic'
    """
    words = {w for w in folded.split() if w not in _STOPWORDS}
    return " ".join(sorted(words))


def is_mixed_script(text: str) -> bool:
    r"""True when ``text`` mixes letters of Latin, Cyrillic or Greek (a homoglyph risk).

    >>> is_mixed_script("Austria")
    False
    >>> is_mixed_script("\u0410ustria")  # Cyrillic capital A
    True
    """
    if text.isascii():
        return False  # one script only; skips a Unicode name lookup per character
    seen: set[str] = set()
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
            if script in _CONFUSABLE_SCRIPTS:
                seen.add(script)
                if len(seen) > 1:
                    return True
    return False


@dataclass(frozen=True, slots=True)
class FuzzySettings:
    """When a fuzzy match may be accepted.

    Attributes:
        enabled: With ``False`` only exact, synonym, folded-key and fingerprint look-ups run.
        cutoff: Minimum similarity, 50-100: ``100 * (1 - d / max(len))`` with ``d`` the
            optimal-string-alignment distance (a transposition is one edit) between the folded
            input and a folded vocabulary key. Whole strings only, never partial substrings.
        margin: How far the best canonical must lead the best *different* canonical; a
            declared ``distinct`` partner must trail by twice this margin.
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
        method: How it was decided: ``exact``, ``synonym``, ``folded``, ``fingerprint``,
            ``qualified``, ``fuzzy`` (accepted or refused at the fuzzy step), ``known_other``,
            ``confusable``, ``missing`` or ``none`` (nothing matched).
        score: 100 for look-ups; the similarity for fuzzy decisions; 0 when nothing matched.
        runner_up: For an accepted value, the closest different canonical among the keys
            whose length lets them score at least ``cutoff - 2 * margin`` (fuzzy only; None
            when no such key belongs to another canonical); for a refused one, the closest
            candidate overall, if any (for an ambiguous qualified value, one of the canonicals
            it could mean).
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


_KNOWN_OTHER = "\x00known_other"  # owner marker for known_other keys in the folded index


class Matcher:
    """Decisions for values against one vocabulary, with a decision cache.

    Built by `Vocabulary`; the terminology validator keeps one and reuses its cache across
    calls. Pickling ships the configuration only; the indexes and cache are rebuilt.
    """

    __slots__ = (
        "_all_keys",
        "_cache",
        "_canonicals",
        "_choices",
        "_distinct",
        "_fingerprints",
        "_folded",
        "_heads",
        "_key_lengths",
        "_key_owner",
        "_known_other",
        "_owner_index",
        "_owner_names",
        "_qualifier_index",
        "_qualifier_owners",
        "_qualifiers",
        "_settings",
        "_synonyms",
        "_windows",
    )

    def __init__(
        self,
        terms: Mapping[str, Sequence[str]],
        *,
        known_other: Iterable[str] = (),
        distinct: Iterable[tuple[str, str]] = (),
        qualifiers: Mapping[str, Sequence[str]] | None = None,
        settings: FuzzySettings | None = None,
    ) -> None:
        self._settings = settings or FuzzySettings()
        self._qualifiers = {c: tuple(q) for c, q in (qualifiers or {}).items() if q}
        self._canonicals = frozenset(terms)
        self._synonyms = {s: c for c, syns in terms.items() for s in syns}
        self._known_other = tuple(known_other)
        self._distinct: dict[str, set[str]] = {}
        for a, b in distinct:
            self._distinct.setdefault(a, set()).add(b)
            self._distinct.setdefault(b, set()).add(a)
        self._folded: dict[str, str] = {}
        fps: dict[str, set[str]] = {}
        by_owner: dict[str, set[str]] = {}
        for canonical, syns in terms.items():
            for key in (canonical, *syns):
                folded = fold(key)
                self._folded.setdefault(folded, canonical)
                fps.setdefault(fingerprint(folded), set()).add(canonical)
                by_owner.setdefault(canonical, set()).add(folded)
        for term in self._known_other:
            folded = fold(term)
            self._folded.setdefault(folded, _KNOWN_OTHER + term)
            fps.setdefault(fingerprint(folded), set()).add(_KNOWN_OTHER + term)
            by_owner.setdefault(_KNOWN_OTHER + term, set()).add(folded)
        self._fingerprints = {fp: tuple(sorted(owners)) for fp, owners in fps.items()}
        # fuzzy choices, grouped by owner so per-owner maxima are one reduceat
        names: list[str] = []
        starts: list[int] = []
        choices: list[str] = []
        for owner in sorted(by_owner):
            keys = sorted(k for k in by_owner[owner] if self._fuzzy_eligible(k))
            if keys:
                names.append(owner)
                starts.append(len(choices))
                choices.extend(keys)
        self._owner_names = tuple(names)
        self._owner_index = {n: i for i, n in enumerate(names)}
        self._key_owner = np.repeat(np.arange(len(names)), np.diff([*starts, len(choices)]))
        self._choices = tuple(choices)
        self._key_lengths = np.asarray([len(k) for k in choices], dtype=np.intp)
        self._all_keys = _Keys(self._choices, self._key_owner, None)
        # the keys within reach of a query, per query length (longer queries reach no key)
        longest = int(self._key_lengths.max()) if choices else 0
        self._windows = tuple(self._reach(size) for size in range(2 * longest + 1))
        self._index_qualifiers(terms)
        self._cache: dict[str, Match] = {}
        self._prime()

    def _prime(self) -> None:
        """Decide the vocabulary's own terms up front (exact and synonym look-ups, cached).

        They are the values live systems send most, and the compiled record path reads the
        cache: primed, they take its cheapest path from the first record on.
        """
        for term in (*self._canonicals, *self._synonyms):
            decided = self._lookup(term)
            if isinstance(decided, Match):
                self._cache[term] = decided

    def _index_qualifiers(self, terms: Mapping[str, Sequence[str]]) -> None:
        """Build the tables of the qualified step (empty when no canonical has qualifiers).

        ``_heads`` maps a folded head to the canonicals it may belong to: every folded key of a
        qualified canonical, and the rest of a key that starts with a form of one of its own
        qualifiers ("barbados dollar" -> "dollar", "surinam dollar" -> "dollar").
        ``_qualifier_owners`` maps each folded qualifier to the canonicals listing it.
        ``_qualifier_index`` maps the first letters of a qualifier's first content word to
        (content words, folded qualifier) entries, one per whole qualifier and one per run of
        its last words ("macedonia" of "north macedonia").
        """
        heads: dict[str, set[str]] = {}
        owners: dict[str, set[str]] = {}
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for canonical, names in self._qualifiers.items():
            folded_names = [fold(n) for n in names]
            runs = [_content_words(n) for n in folded_names]
            for key in (canonical, *terms[canonical]):
                folded = fold(key)
                heads.setdefault(folded, set()).add(canonical)
                words = folded.split()
                for cut in range(1, len(words)):
                    front = _content_words(" ".join(words[:cut]))
                    if any(_form_score(front, run) for run in runs):
                        heads.setdefault(" ".join(words[cut:]), set()).add(canonical)
            for name in folded_names:
                if name in owners:
                    owners[name].add(canonical)
                    continue
                owners[name] = {canonical}
                content = _content_words(name)
                for start in range(len(content)):
                    run = content[start:]
                    index.setdefault(run[0][:_QUALIFIER_PREFIX], []).append((run, name))
        self._heads = {
            h: frozenset(c)
            for h, c in heads.items()
            if not self._folded.get(h, "").startswith(_KNOWN_OTHER)
        }
        self._qualifier_owners = {n: frozenset(c) for n, c in owners.items()}
        self._qualifier_index = {k: tuple(v) for k, v in index.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        terms: dict[str, list[str]] = {c: [] for c in sorted(self._canonicals)}
        for synonym, canonical in self._synonyms.items():
            terms[canonical].append(synonym)
        pairs = sorted({tuple(sorted((a, b))) for a, bs in self._distinct.items() for b in bs})
        return (_rebuild, (terms, self._known_other, pairs, self._settings, self._qualifiers))

    @property
    def settings(self) -> FuzzySettings:
        """The fuzzy settings this matcher applies."""
        return self._settings

    def _fuzzy_eligible(self, folded: str) -> bool:
        compact = folded.replace(" ", "")
        if len(compact) < self._settings.min_length:
            return False
        return not (" " not in folded and any(c.isdigit() for c in folded))

    # -- decisions -------------------------------------------------------------------------

    def match(self, values: Sequence[object]) -> list[Match]:
        """Decide every value; fuzzy candidates of one length are scored together.

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
                out[i] = _refused(value, Reason.TERM_MISSING if value is None else None)
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
            for folded, match in zip(pending, self._fuzzy(list(pending)), strict=True):
                for i in pending[folded]:
                    value = values[i]
                    assert isinstance(value, str)
                    out[i] = self._remember(_with_value(match, value))
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
        """The live decision cache, by input text (read-only; cleared in place when full).

        The compiled record path looks values up in it; `match_one` consults it first.
        """
        return self._cache

    def _remember(self, match: Match) -> Match:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # in place: the compiled record path holds this dict
            self._prime()
        assert isinstance(match.value, str)
        self._cache[match.value] = match
        return match

    def _lookup(self, value: str) -> Match | str:  # noqa: PLR0911 - a return per matching step
        """A deterministic decision, or the folded text when only fuzzy matching can decide."""
        if value in self._canonicals:
            return Match(value, value, "exact", 100.0, None, None)
        canonical = self._synonyms.get(value)
        if canonical is not None:
            return Match(value, canonical, "synonym", 100.0, None, None)
        folded = fold(value)
        owner = self._folded.get(folded)
        if owner is not None:
            if owner.startswith(_KNOWN_OTHER):
                return _known_other(value, owner)
            return Match(value, owner, "folded", 100.0, None, None)
        if not value.isascii() and is_mixed_script(unicodedata.normalize("NFKC", value)):
            return Match(value, None, "confusable", 0.0, None, Reason.TERM_CONFUSABLE)
        if not folded:
            return _refused(value, None)
        owners = self._fingerprints.get(fingerprint(folded))
        if owners is not None:
            if len(owners) == 1:
                if owners[0].startswith(_KNOWN_OTHER):
                    return _known_other(value, owners[0])
                return Match(value, owners[0], "fingerprint", 100.0, None, None)
            real = [o for o in owners if not o.startswith(_KNOWN_OTHER)]
            return Match(
                value,
                None,
                "fingerprint",
                100.0,
                real[0] if real else None,
                Reason.TERM_AMBIGUOUS,
            )
        if self._heads:
            qualified = self._qualified(value, folded)
            if qualified is not None:
                return qualified
        if not self._settings.enabled or not self._fuzzy_eligible(folded) or not self._choices:
            return _refused(value, None)
        return folded

    def _qualified(self, value: str, folded: str) -> Match | None:
        """Decide ``Q H``: a known head ``H`` after a form ``Q`` of one of its qualifiers.

        Every split of the folded words into a non-empty qualifier part and a head is tried.
        A split proposes the canonicals that own the head and list every qualifier that ``Q``
        is a best form of (see `_issuers`). One canonical over all splits is accepted; two or
        more are ambiguous; none leaves the value to the fuzzy step.
        """
        words = folded.split()
        found: set[str] = set()
        for cut in range(1, len(words)):
            owners = self._head_owners(" ".join(words[cut:]))
            if not owners:
                continue
            named = self._issuers(_content_words(" ".join(words[:cut])))
            if named:
                found |= {c for c in owners if all(c in self._qualifier_owners[n] for n in named)}
        if not found:
            return None
        if len(found) == 1:
            return Match(value, found.pop(), "qualified", 100.0, None, None)
        return Match(value, None, "qualified", 100.0, min(found), Reason.TERM_AMBIGUOUS)

    def _head_owners(self, head: str) -> frozenset[str]:
        """The canonicals of a head, read as it is or, failing that, as an English plural.

        A plural is a last word ending in ``s`` ("forints", "dollars") or ``es`` ("soles",
        "colones") whose singular is a head; both singulars may apply ("pesos").
        """
        found = self._heads.get(head)
        if found is not None:
            return found
        owners: frozenset[str] = frozenset()
        if head.endswith("s"):
            for singular in (head[:-1], head[:-2] if head.endswith("es") else ""):
                if singular and not singular.endswith(" "):
                    owners |= self._heads.get(singular, frozenset())
        return owners

    def _issuers(self, words: tuple[str, ...]) -> set[str]:
        """The folded qualifiers that ``words`` is a form of with the highest score.

        ``words`` is a form of a qualifier (or of a run of its last words) with as many content
        words when each word shares at least `_QUALIFIER_PREFIX` leading letters with the
        qualifier word in the same place, or starts with the whole qualifier word when that is
        shorter. The score is the number of shared leading letters; only the best-scoring
        qualifiers are returned, so "malawian" names Malawi and not Malaysia ("mala").
        """
        if not words:
            return set()
        first = words[0]
        best, named = 0, set()
        for size in range(1, _QUALIFIER_PREFIX + 1):
            if size > len(first):
                break
            for run, name in self._qualifier_index.get(first[:size], ()):
                if len(run) != len(words) or (size < _QUALIFIER_PREFIX and len(run[0]) != size):
                    continue
                total = _form_score(words, run)
                if not total:
                    continue
                if total > best:
                    best, named = total, {name}
                elif total == best:
                    named.add(name)
        return named

    def _fuzzy(self, queries: list[str]) -> list[Match]:
        """Score folded queries against the eligible keys; decide with cutoff and margins.

        Queries of one length are scored against the keys within reach of that length (see
        `_reach`) only: a key out of reach scores below ``cutoff - 2 * margin`` and cannot
        change a decision. A query whose best key within reach scores below that floor is
        refused in any case; it is scored again against every key, so that the score and
        candidate it reports are the best overall.
        """
        by_length: dict[int, list[int]] = {}
        for i, query in enumerate(queries):
            by_length.setdefault(len(query), []).append(i)
        decisions: list[Match | None] = [None] * len(queries)
        low: list[int] = []
        for size, positions in by_length.items():
            keys = self._windows[size] if size < len(self._windows) else _NO_KEYS
            for lo in range(0, len(positions), _CHUNK):
                chunk = positions[lo : lo + _CHUNK]
                found = self._score_keys([queries[i] for i in chunk], keys)
                for i, match in zip(chunk, found, strict=True):
                    if match is None:
                        low.append(i)
                    else:
                        decisions[i] = match
        for lo in range(0, len(low), _CHUNK):
            chunk = low[lo : lo + _CHUNK]
            for i, match in zip(
                chunk, self._score_keys([queries[i] for i in chunk], self._all_keys), strict=True
            ):
                decisions[i] = match
        return [d for d in decisions if d is not None]

    def _reach(self, size: int) -> _Keys:
        """The keys a query of ``size`` characters can score ``cutoff - 2 * margin`` against.

        OSA similarity is at most ``100 * shorter / longer`` length. The floor is lowered by a
        hundredth, so that float rounding never moves a key out of reach wrongly.
        """
        cfg = self._settings
        floor = cfg.cutoff - 2 * cfg.margin
        if floor <= 0:
            return self._all_keys
        reach = floor - 0.01
        lengths = self._key_lengths
        inside = (lengths * 100 >= size * reach) & (lengths * reach <= size * 100)
        if inside.all():
            return self._all_keys
        picked = np.flatnonzero(inside)
        return _Keys(tuple(self._choices[i] for i in picked), self._key_owner[picked], floor)

    def _score_keys(self, queries: list[str], keys: _Keys) -> list[Match | None]:
        """Decide queries against ``keys``; None for a query whose best score is below floor.

        ``keys`` are in owner order, so the owner of a row's first best key is the first owner
        reaching the best score: the best canonical, ties going to the first owner. Masking
        that owner's keys and taking the first best key again gives the runner-up.
        """
        if not keys.texts:
            return [None] * len(queries)
        scores = process.cdist(
            queries, keys.texts, scorer=OSA.normalized_similarity, processor=None, dtype=np.float32
        )
        scores *= 100
        owners = keys.owners
        rows = np.arange(len(queries))
        best_key = scores.argmax(axis=1)
        best = owners[best_key]
        top = scores[rows, best_key].tolist()
        second: list[int] = [-1] * len(queries)
        runner = [0.0] * len(queries)
        if owners[0] != owners[-1]:
            starts = np.searchsorted(owners, best, side="left").tolist()
            ends = np.searchsorted(owners, best, side="right").tolist()
            for row, (start, end) in enumerate(zip(starts, ends, strict=True)):
                scores[row, start:end] = -1.0
            runner_key = scores.argmax(axis=1)
            second = owners[runner_key].tolist()
            runner = scores[rows, runner_key].tolist()
        out: list[Match | None] = []
        for row, owner in enumerate(best.tolist()):
            if keys.floor is not None and top[row] < keys.floor:
                out.append(None)
                continue
            s = second[row]
            out.append(
                self._decide(
                    queries[row],
                    name=self._owner_names[owner],
                    top=top[row],
                    runner_name=self._owner_names[s] if s >= 0 else None,
                    runner=runner[row],
                    scores=scores[row],
                    owners=owners,
                )
            )
        return out

    def _decide(
        self,
        query: str,
        *,
        name: str,
        top: float,
        runner_name: str | None,
        runner: float,
        scores: np.ndarray[Any, np.dtype[np.float32]],
        owners: np.ndarray[Any, np.dtype[np.intp]],
    ) -> Match:
        """Decide one query from its best owner and its runner-up, with their scores.

        ``scores`` are the query's scores against keys owned by ``owners`` (sorted), with the
        best owner's keys masked; they give a ``distinct`` partner's score.
        """
        cfg = self._settings
        shown_runner = _display(runner_name)
        if top < cfg.cutoff or name.startswith(_KNOWN_OTHER):
            return Match(query, None, "fuzzy", round(top, 2), _display(name), Reason.TERM_UNKNOWN)
        if top - runner < cfg.margin:
            return Match(query, None, "fuzzy", round(top, 2), shown_runner, Reason.TERM_AMBIGUOUS)
        for partner in self._distinct.get(name, ()):
            index = self._owner_index.get(partner)
            if index is not None and top - _owner_score(scores, owners, index) < 2 * cfg.margin:
                return Match(query, None, "fuzzy", round(top, 2), partner, Reason.TERM_AMBIGUOUS)
        return Match(query, name, "fuzzy", round(top, 2), shown_runner, None)


@dataclass(frozen=True, slots=True)
class _Keys:
    """Fuzzy keys in owner order, with the owner index of each key.

    ``floor``: the score below which a decision against these keys is left to all keys
    (None when these are all keys).
    """

    texts: tuple[str, ...]
    owners: np.ndarray[Any, np.dtype[np.intp]]
    floor: float | None


_NO_KEYS = _Keys((), np.zeros(0, dtype=np.intp), 100.0)


def _owner_score(
    scores: np.ndarray[Any, np.dtype[np.float32]],
    owners: np.ndarray[Any, np.dtype[np.intp]],
    owner: int,
) -> float:
    """An owner's best score in ``scores`` (-1 when none of its keys was scored)."""
    start = int(np.searchsorted(owners, owner, side="left"))
    end = int(np.searchsorted(owners, owner, side="right"))
    return float(scores[start:end].max()) if end > start else -1.0


def _display(owner: str | None) -> str | None:
    if owner is None:
        return None
    return owner.removeprefix(_KNOWN_OTHER)


def _with_value(match: Match, value: str) -> Match:
    return Match(value, match.canonical, match.method, match.score, match.runner_up, match.reason)


def _content_words(folded: str) -> tuple[str, ...]:
    return tuple(w for w in folded.split() if w not in _STOPWORDS)


def _form_score(words: Sequence[str], run: Sequence[str]) -> int:
    """Letters ``words`` shares with ``run`` word by word, or 0 when it is not a form of it.

    A form has as many words, and each word shares at least `_QUALIFIER_PREFIX` leading
    letters with the word in the same place (all of it when that word is shorter).
    """
    if not words or len(words) != len(run):
        return 0
    shared = [_shared_prefix(w, u) for w, u in zip(words, run, strict=True)]
    if any(n < min(_QUALIFIER_PREFIX, len(u)) for n, u in zip(shared, run, strict=True)):
        return 0
    return sum(shared)


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _refused(value: object, reason: Reason | None) -> Match:
    if reason is Reason.TERM_MISSING:
        return Match(value, None, "missing", 0.0, None, reason)
    return Match(value, None, "none", 0.0, None, Reason.TERM_UNKNOWN)


def _known_other(value: str, owner: str) -> Match:
    return Match(value, None, "known_other", 100.0, _display(owner), Reason.TERM_NOT_ALLOWED)


def _rebuild(
    terms: Mapping[str, Sequence[str]],
    known_other: Sequence[str],
    distinct: Sequence[tuple[str, str]],
    settings: FuzzySettings,
    qualifiers: Mapping[str, Sequence[str]],
) -> Matcher:
    return Matcher(
        terms,
        known_other=known_other,
        distinct=distinct,
        qualifiers=qualifiers,
        settings=settings,
    )
