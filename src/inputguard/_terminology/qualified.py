"""The qualified step: a term preceded by a form of its issuer's name ("Japanese Yen").

ISO names are often bare ("Yen", "Forint") while people write the issuer in front. A vocabulary
lists, per canonical, **qualifiers**: the names of its issuer and their adjectival forms
(``JPY = ["Japan", "Japanese"]``). A value ``Q H`` is qualified when ``H`` is a head of a
canonical (one of its keys, or the rest of a key after a form of its own qualifier) and ``Q`` is
a form of its qualifiers; the rules are in ``docs/terminology.md``. Look-ups only, nothing fuzzy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inputguard._core.reasons import Reason
from inputguard._terminology.decision import Match
from inputguard._terminology.folding import content_words, fold

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["QUALIFIER_PREFIX", "Qualified", "form_score"]

QUALIFIER_PREFIX = 4
"""Leading letters a word of a qualifier form must share with the qualifier word it stands for
("japanese"/"japan", "thai"/"thailand"), or all of a shorter qualifier word ("lao")."""


class Qualified:
    """The tables of the qualified step for one vocabulary, and its decision."""

    __slots__ = ("_heads", "_index", "_keys", "_owners")

    def __init__(
        self,
        terms: Mapping[str, Sequence[str]],
        qualifiers: Mapping[str, Sequence[str]],
        *,
        is_known_other: Callable[[str], bool],
        case_sensitive: bool = False,
    ) -> None:
        """Index heads, qualifier owners and qualifier forms.

        ``_heads`` maps a folded head to the canonicals it may belong to, each with the number
        of *other* words its key holds (see `_others`): every folded key of a qualified
        canonical (0), each word of at least `QUALIFIER_PREFIX` letters of a key of several
        words ("pound" of "pound sterling": 1), and the rest of a key that starts with a form of
        one of its own qualifiers ("barbados dollar" -> "dollar": 0). ``_owners`` maps each
        folded qualifier to the canonicals listing it. ``_index`` maps the first letters of a
        qualifier's first content word to (content words, folded qualifier, whole) entries, one
        per whole qualifier and one per run of its last words ("macedonia" of "north
        macedonia", not whole).
        """
        heads: dict[str, dict[str, int]] = {}
        keys: dict[str, str] = {}
        owners: dict[str, set[str]] = {}
        index: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}

        def add(head: str, canonical: str, others: int) -> None:
            seen = heads.setdefault(head, {})
            seen[canonical] = min(others, seen.get(canonical, others))

        for canonical, names in qualifiers.items():
            folded_names = [fold(n, case_sensitive=case_sensitive) for n in names]
            runs = [content_words(n) for n in folded_names]
            own_words = {w for run in runs for w in run}
            for key in (canonical, *terms[canonical]):
                folded = fold(key, case_sensitive=case_sensitive)
                if not folded:
                    continue
                add(folded, canonical, 0)
                keys[folded] = canonical
                words = folded.split()
                content = content_words(folded)
                if len(words) > 1:  # each long word of a key is a head too ("pound sterling")
                    for word in content:
                        if len(word) >= QUALIFIER_PREFIX:
                            add(word, canonical, _others(content, word, own_words))
                for cut in range(1, len(words)):
                    front = content_words(" ".join(words[:cut]))
                    if any(form_score(front, run) for run in runs):
                        add(" ".join(words[cut:]), canonical, 0)
            for name in folded_names:
                if name in owners:
                    owners[name].add(canonical)
                    continue
                owners[name] = {canonical}
                content = content_words(name)
                for start in range(len(content)):
                    run = content[start:]
                    index.setdefault(run[0][:QUALIFIER_PREFIX], []).append((run, name, not start))
        self._heads = {h: c for h, c in heads.items() if not is_known_other(h)}
        self._keys = {k: c for k, c in keys.items() if k in self._heads}
        self._owners = {n: frozenset(c) for n, c in owners.items()}
        self._index = {k: tuple(v) for k, v in index.items()}

    def __bool__(self) -> bool:
        return bool(self._heads)

    def decide(self, value: str, folded: str) -> Match | None:
        """Decide a bare head ``H`` or ``Q H``: a head after a form ``Q`` of its qualifiers.

        A value that is itself a *plain* head of a canonical (a head its key holds with no
        other word besides forms of the canonical's qualifiers: "ariary" of "malagasy ariary"),
        or the English plural of a whole key ("euros"), is decided alone: accepted when no
        other canonical owns that head in any way, ambiguous when one does ("dinar": Algeria,
        Iraq, Jordan, ...; "manat": Azerbaijan's, and Turkmenistan's "new manat"). A value
        that is a head of canonicals only as a word of longer keys ("malagasy", "sterling") is
        not decided alone. Otherwise every split of the folded words into a non-empty
        qualifier part and a head is tried. A split proposes the canonicals that own the head
        and list every qualifier that ``Q`` is a best form of (see `_issuers`); among them, the
        ones whose key holds the fewest other words win ("Swiss Franc" is CHF's own name, WIR
        franc's key has the word "wir"). One canonical over all splits is accepted; two or more
        are ambiguous; none leaves the value to the fuzzy step.
        """
        bare = self._head_owners(folded)
        if any(not n for n in bare.values()):
            if len(bare) == 1:
                return Match(value, next(iter(bare)), "qualified", 100.0, None, None)
            return Match(value, None, "qualified", 100.0, min(bare), Reason.TERM_AMBIGUOUS)
        found: dict[str, int] = {}
        words = folded.split()
        for cut in range(1, len(words)):
            owners = self._head_owners(" ".join(words[cut:]))
            if not owners:
                continue
            named = self._issuers(content_words(" ".join(words[:cut])))
            for canonical, others in owners.items():
                if named and all(canonical in self._owners[n] for n in named):
                    found[canonical] = min(others, found.get(canonical, others))
        if not found:
            return None
        fewest = min(found.values())
        best = sorted(c for c, n in found.items() if n == fewest)
        if len(best) == 1:
            return Match(value, best[0], "qualified", 100.0, None, None)
        return Match(value, None, "qualified", 100.0, best[0], Reason.TERM_AMBIGUOUS)

    def _head_owners(self, head: str) -> dict[str, int]:
        """The canonicals of a head, read as it is or, failing that, as an English plural.

        A plural is a last word ending in ``s`` ("forints", "dollars") or ``es`` ("soles",
        "colones") whose singular is a head of at least `QUALIFIER_PREFIX` letters; both
        singulars may apply ("pesos").
        """
        found = self._heads.get(head)
        if found is not None:
            return found
        owners: dict[str, int] = {}
        if head.endswith("s"):
            for singular in (head[:-1], head[:-2] if head.endswith("es") else ""):
                last = singular.rsplit(" ", 1)[-1]
                if len(last) < QUALIFIER_PREFIX or last != last.strip():
                    continue
                key = self._keys.get(singular)
                if key is not None:  # the plural of a whole key is that key's ("euros")
                    return {key: 0}
                for canonical, others in self._heads.get(singular, {}).items():
                    owners[canonical] = min(others, owners.get(canonical, others))
        return owners

    def _issuers(self, words: tuple[str, ...]) -> set[str]:
        """The folded qualifiers that ``words`` is a form of with the highest score.

        ``words`` is a form of a qualifier (or of a run of its last words) with as many content
        words when each word shares at least `QUALIFIER_PREFIX` leading letters with the
        qualifier word in the same place, or starts with the whole qualifier word when that is
        shorter. The score is the number of shared leading letters; only the best-scoring
        qualifiers are returned, so "malawian" names Malawi and not Malaysia ("mala").
        """
        if not words:
            return set()
        first = words[0]
        best, named = (0, False, False), set()
        for size in range(1, QUALIFIER_PREFIX + 1):
            if size > len(first):
                break
            for run, name, whole in self._index.get(first[:size], ()):
                if len(run) != len(words) or (size < QUALIFIER_PREFIX and len(run[0]) != size):
                    continue
                total = form_score(words, run)
                if not total:
                    continue
                # at equal score the name itself outranks a longer name it is a form of
                # ("Niger" is Niger, not a form of Nigeria), and a whole name one whose last
                # words it is ("Republic of the Congo" is the Congo, not the end of
                # "Democratic Republic of the Congo")
                rank = (total, tuple(words) == run, whole)
                if rank > best:
                    best, named = rank, {name}
                elif rank == best:
                    named.add(name)
        return named


def form_score(words: Sequence[str], run: Sequence[str]) -> int:
    """Letters ``words`` shares with ``run`` word by word, or 0 when it is not a form of it.

    A form has as many words, and each word shares at least `QUALIFIER_PREFIX` leading
    letters with the word in the same place (all of it when that word is shorter).

    >>> form_score(["japanese"], ["japan"]), form_score(["polish"], ["poland"])
    (5, 0)
    """
    if not words or len(words) != len(run):
        return 0
    shared = [_shared_prefix(w, u) for w, u in zip(words, run, strict=True)]
    if any(n < min(QUALIFIER_PREFIX, len(u)) for n, u in zip(shared, run, strict=True)):
        return 0
    return sum(shared)


def _others(content: Sequence[str], head: str, own_words: set[str]) -> int:
    """Words of a key besides ``head`` that are not a form of a word of its own qualifiers.

    >>> _others(("swiss", "franc"), "franc", {"swiss", "switzerland"})
    0
    >>> _others(("wir", "franc"), "franc", {"swiss", "switzerland"})
    1
    """
    rest = list(content)
    rest.remove(head)
    return sum(not any(form_score([w], [u]) for u in own_words) for w in rest)


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
