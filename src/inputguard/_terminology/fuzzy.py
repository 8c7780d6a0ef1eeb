"""The fuzzy step: the only one that can guess, and so the most fenced in.

Candidates are the vocabulary keys within a bounded edit distance of the folded input, searched
among the keys whose length can reach it (keys are sorted by length, so that is one slice) and,
for large vocabularies, among the keys that share enough character trigrams with it. The
decision then asks, in this order (see ``docs/terminology.md``):

1. the best candidate is a vocabulary term, not a known-other term;
2. its similarity reaches ``cutoff``, or it is one edit away from a name of at least
   ``min_length`` letters while every other canonical trails by twice ``margin``;
3. it leads the best different canonical by ``margin`` and by at least one edit, and a declared
   ``distinct`` partner by twice ``margin`` and by at least two edits;
4. the match rests on distinctive words: once the words the input shares with the key are set
   aside, what is left must itself be within the typo budget of what is left of the key
   ("Republic of Rwanda" is not "Republic of Uganda").
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from inputguard._core.reasons import Reason
from inputguard._terminology.decision import (
    AMBIGUOUS,
    KNOWN_OTHER,
    FuzzySettings,
    Match,
    display,
)
from inputguard._terminology.folding import STOPWORDS, compact

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["FuzzyIndex", "rests_on_distinctive"]

_CELLS = 4_000_000  # score-matrix cells per cdist call (queries x keys), about 16 MB of int32
_PARALLEL_CELLS = 2_000_000  # from this many cells on, cdist scores on every core
_TRIGRAM_FROM = 50_000  # keys in a length window from which trigram filtering pays off
_SHORT_EDITS = 1  # edits accepted below the cutoff in a name of at least min_length letters
_PARTNER_EDITS = 2  # edits by which a declared distinct partner must trail a fuzzy match


class FuzzyIndex:
    """Fuzzy keys of one vocabulary, sorted by length, with their owners."""

    __slots__ = (
        "_distinct",
        "_grams",
        "_lengths",
        "_names",
        "_owner_of",
        "_owners",
        "_settings",
        "_starts",
        "_texts",
        "_trigram_from",
    )

    def __init__(
        self,
        keys_by_owner: Mapping[str, Sequence[str]],
        *,
        distinct: Mapping[str, set[str]],
        settings: FuzzySettings,
        trigram_from: int = _TRIGRAM_FROM,
    ) -> None:
        """Sort the keys by length; index their trigrams when there are many.

        Args:
            keys_by_owner: Owner (canonical or marked known-other term) -> folded keys.
            distinct: Canonical -> its declared ``distinct`` partners.
            settings: The fuzzy settings.
            trigram_from: Windows of at least this many keys are searched through trigrams.
        """
        names = sorted(keys_by_owner)
        rows = sorted(
            (len(k), k, i) for i, name in enumerate(names) for k in set(keys_by_owner[name])
        )
        self._names = tuple(names)
        self._owner_of = {n: i for i, n in enumerate(names)}
        self._texts = [k for _, k, _ in rows]
        self._lengths = np.asarray([n for n, _, _ in rows], dtype=np.intp)
        self._owners = np.asarray([i for _, _, i in rows], dtype=np.intp)
        longest = int(self._lengths[-1]) if rows else 0
        self._starts = np.searchsorted(self._lengths, np.arange(longest + 2), side="left")
        self._distinct = distinct
        self._settings = settings
        self._trigram_from = trigram_from
        self._grams: dict[str, np.ndarray[Any, np.dtype[np.intp]]] | None = None
        if len(rows) >= trigram_from:
            self._grams = _trigram_index(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    # -- reach -----------------------------------------------------------------------------

    def _floor(self) -> float:
        """The lowest score a key may have and still matter to a decision (as a rival)."""
        cfg = self._settings
        lowest_accepted = min(cfg.cutoff, 100.0 * (1 - _SHORT_EDITS / cfg.min_length))
        return max(lowest_accepted - 2 * cfg.margin, 1.0)

    def _window(self, size: int) -> tuple[int, int, int]:
        """Key slice ``[start, end)`` a query of ``size`` characters can reach, and max edits.

        OSA similarity is at most ``100 * shorter / longer``, so only keys of a length within
        that ratio of ``size`` can score the floor; and such a key scores the floor only within
        ``longest * (100 - floor) / 100`` edits.
        """
        floor = self._floor()
        lo = math.ceil(size * floor / 100 - 1e-9)
        hi = math.floor(size * 100 / floor + 1e-9)
        edits = max(math.floor(hi * (100 - floor) / 100 + 1e-9), 2 * _SHORT_EDITS)
        top = len(self._starts) - 1
        start = int(self._starts[min(max(lo, 0), top)])
        end = int(self._starts[min(hi + 1, top)])
        return start, end, edits

    def _decisive_edits(self, size: int) -> int:
        """Edits within which a key can still change the decision on a query of ``size``.

        An accepted match is at most ``size * (100 - cutoff) / 100`` edits away (at least one);
        a rival matters while it is within twice the margin of it, about
        ``2 * margin * size / 100`` more edits (at least one). The trigram search looks no
        further; a rival beyond that is not reported as the runner-up.
        """
        cfg = self._settings
        accepted = max(_SHORT_EDITS, math.floor(size * (100 - cfg.cutoff) / 100 + 1e-9))
        return accepted + max(1, math.ceil(2 * cfg.margin * size / 100))

    # -- decisions -------------------------------------------------------------------------

    def decide(self, queries: Sequence[str]) -> list[Match]:
        """Decide folded queries; queries of one length share one key window."""
        by_length: dict[int, list[int]] = {}
        for i, query in enumerate(queries):
            by_length.setdefault(len(query), []).append(i)
        out: list[Match | None] = [None] * len(queries)
        for size, positions in by_length.items():
            start, end, edits = self._window(size)
            if end <= start:
                for i in positions:
                    out[i] = _nothing(queries[i])
                continue
            if self._grams is not None and end - start >= self._trigram_from:
                near = min(edits, self._decisive_edits(size))
                for i in positions:
                    picked = self._trigram_candidates(queries[i], start, end, near)
                    out[i] = self._score(queries[i], picked, edits)
                continue
            window = self._texts[start:end]
            step = max(1, _CELLS // (end - start))
            for lo in range(0, len(positions), step):
                chunk = positions[lo : lo + step]
                cells = len(chunk) * (end - start)
                matrix = process.cdist(
                    [queries[i] for i in chunk],
                    window,
                    scorer=OSA.distance,
                    processor=None,
                    score_cutoff=edits,
                    dtype=np.int32,
                    workers=-1 if cells >= _PARALLEL_CELLS else 1,
                )
                for row, i in enumerate(chunk):
                    found = np.flatnonzero(matrix[row] <= edits)
                    picked = [(start + int(k), int(matrix[row, k])) for k in found]
                    out[i] = self._score(queries[i], picked, edits)
        return [m for m in out if m is not None]

    def _trigram_candidates(
        self, query: str, start: int, end: int, edits: int
    ) -> list[tuple[int, int]]:
        """Keys in ``[start, end)`` within ``edits`` of ``query``, found through trigrams.

        An edit changes at most three of a string's padded trigrams, so a key within ``edits``
        edits shares at least ``grams(query) - 3 * edits`` of them (the q-gram count filter).
        When that bound is not positive every key in the window is scored instead.
        """
        assert self._grams is not None
        grams = _trigrams(query)
        need = len(grams) - 3 * edits
        if need <= 0:
            window = self._texts[start:end]
            scores = process.extract(
                query, window, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=None
            )
            return [(start + k, int(d)) for _, d, k in scores]
        postings = [self._grams[g] for g in grams if g in self._grams]
        if not postings:
            return []
        ids = np.concatenate(postings)
        ids = ids[(ids >= start) & (ids < end)]
        if not len(ids):
            return []
        keys, counts = np.unique(ids, return_counts=True)
        keys = keys[counts >= need]
        out: list[tuple[int, int]] = []
        for k in keys.tolist():
            d = OSA.distance(query, self._texts[k], score_cutoff=edits)
            if d <= edits:
                out.append((k, d))
        return out

    def _score(self, query: str, picked: list[tuple[int, int]], edits: int) -> Match:
        """Decide one query from its candidates ``(key index, distance)``."""
        if not picked:
            return _nothing(query)
        n = len(query)
        # per owner: best score, its distance and key; ties keep the shorter distance
        best: dict[int, tuple[float, int, int]] = {}
        for k, d in picked:
            score = 100.0 * (1 - d / max(n, int(self._lengths[k])))
            owner = int(self._owners[k])
            seen = best.get(owner)
            if seen is None or (score, -d) > (seen[0], -seen[1]):
                best[owner] = (score, d, k)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
        owner, (top, distance, key) = ranked[0]
        name = self._names[owner]
        rivals = ranked[1:]
        runner_name = self._names[rivals[0][0]] if rivals else None
        runner = rivals[0][1][0] if rivals else 0.0
        nearest = min((r[1][1] for r in rivals), default=edits + 1)
        return self._decide(
            query,
            name=name,
            top=top,
            distance=distance,
            key=self._texts[key],
            runner_name=runner_name,
            runner=runner,
            nearest=nearest,
            scores={self._names[o]: s for o, (s, _, _) in best.items()},
            distances={self._names[o]: d for o, (_, d, _) in best.items()},
        )

    def _decide(  # noqa: PLR0911 - one return per rule of the fuzzy step
        self,
        query: str,
        *,
        name: str,
        top: float,
        distance: int,
        key: str,
        runner_name: str | None,
        runner: float,
        nearest: int,
        scores: Mapping[str, float],
        distances: Mapping[str, int],
    ) -> Match:
        cfg = self._settings
        score = round(top, 2)
        shown = display(runner_name)
        if name.startswith(KNOWN_OTHER):
            return Match(query, None, "fuzzy", score, display(name), Reason.TERM_UNKNOWN)
        strong = top >= cfg.cutoff
        short = (
            not strong
            and cfg.cutoff < 100  # noqa: PLR2004 - a cutoff of 100 accepts no edit at all
            and distance <= _SHORT_EDITS
            and len(compact(query)) >= cfg.min_length
        )
        if not strong and not short:
            return Match(query, None, "fuzzy", score, display(name), Reason.TERM_UNKNOWN)
        if name.startswith(AMBIGUOUS):
            return Match(query, None, "fuzzy", score, display(name), Reason.TERM_AMBIGUOUS)
        lead = cfg.margin if strong else 2 * cfg.margin
        if nearest <= distance or top - runner < lead:
            return Match(query, None, "fuzzy", score, shown, Reason.TERM_AMBIGUOUS)
        for partner in sorted(self._distinct.get(name, ())):
            # a declared partner must trail by twice the margin and by two edits: "Nigeris" is
            # one edit from Nigeria but only two from Niger, and means Niger
            near = distances.get(partner, distance + _PARTNER_EDITS) < distance + _PARTNER_EDITS
            if near or top - scores.get(partner, -1.0) < 2 * cfg.margin:
                return Match(query, None, "fuzzy", score, partner, Reason.TERM_AMBIGUOUS)
        if not rests_on_distinctive(query, key, cfg.cutoff):
            return Match(query, None, "fuzzy", score, name, Reason.TERM_UNKNOWN)
        return Match(query, name, "fuzzy", score, shown, None)


def rests_on_distinctive(query: str, key: str, cutoff: float) -> bool:
    """True when a fuzzy match of folded ``query`` to ``key`` rests on distinctive words.

    Words the two share (and stop words) are set aside; what is left of each, spaces removed,
    must be within the typo budget of what is left of the key: one edit, or more in a long
    rest (``len * (100 - cutoff) / 100``), and never a rest shorter than four letters that
    differs at all. A rest left on one side only means the match rests on nothing.

    >>> rests_on_distinctive("republic of rwanda", "republic of uganda", 85.0)
    False
    >>> rests_on_distinctive("untied states", "united states", 85.0)
    True
    """
    q = Counter(w for w in query.split() if w not in STOPWORDS)
    k = Counter(w for w in key.split() if w not in STOPWORDS)
    shared = q & k
    rest_q = "".join(sorted((q - shared).elements(), key=query.find))
    rest_k = "".join(sorted((k - shared).elements(), key=key.find))
    if not rest_q and not rest_k:
        return True
    if not rest_q or not rest_k:
        return False
    d = OSA.distance(rest_q, rest_k)
    budget = max(_SHORT_EDITS, math.floor(len(rest_k) * (100 - cutoff) / 100 + 1e-9))
    return d <= budget and (d == 0 or len(rest_k) >= 4)  # noqa: PLR2004 - see docstring


def _nothing(query: str) -> Match:
    return Match(query, None, "fuzzy", 0.0, None, Reason.TERM_UNKNOWN)


def _trigrams(text: str) -> list[str]:
    padded = f"  {text} "
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


def _trigram_index(texts: Sequence[str]) -> dict[str, np.ndarray[Any, np.dtype[np.intp]]]:
    """Trigram -> sorted indexes of the keys holding it."""
    postings: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        for gram in _trigrams(text):
            postings.setdefault(gram, []).append(i)
    return {g: np.asarray(ids, dtype=np.intp) for g, ids in postings.items()}
