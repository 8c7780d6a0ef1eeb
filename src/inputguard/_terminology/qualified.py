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

    __slots__ = ("_heads", "_index", "_owners")

    def __init__(
        self,
        terms: Mapping[str, Sequence[str]],
        qualifiers: Mapping[str, Sequence[str]],
        *,
        is_known_other: Callable[[str], bool],
        case_sensitive: bool = False,
    ) -> None:
        """Index heads, qualifier owners and qualifier forms.

        ``_heads`` maps a folded head to the canonicals it may belong to: every folded key of a
        qualified canonical, each word of at least `QUALIFIER_PREFIX` letters of a key of
        several words ("pound" of "pound sterling"), and the rest of a key that starts with a
        form of one of its own qualifiers ("barbados dollar" -> "dollar"). ``_owners`` maps
        each folded qualifier to the canonicals listing it. ``_index`` maps the first letters
        of a qualifier's first content word to (content words, folded qualifier) entries, one
        per whole qualifier and one per run of its last words ("macedonia" of "north
        macedonia").
        """
        heads: dict[str, set[str]] = {}
        owners: dict[str, set[str]] = {}
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for canonical, names in qualifiers.items():
            folded_names = [fold(n, case_sensitive=case_sensitive) for n in names]
            runs = [content_words(n) for n in folded_names]
            for key in (canonical, *terms[canonical]):
                folded = fold(key, case_sensitive=case_sensitive)
                if not folded:
                    continue
                heads.setdefault(folded, set()).add(canonical)
                words = folded.split()
                if len(words) > 1:  # each long word of a key is a head too ("pound sterling")
                    for word in content_words(folded):
                        if len(word) >= QUALIFIER_PREFIX:
                            heads.setdefault(word, set()).add(canonical)
                for cut in range(1, len(words)):
                    front = content_words(" ".join(words[:cut]))
                    if any(form_score(front, run) for run in runs):
                        heads.setdefault(" ".join(words[cut:]), set()).add(canonical)
            for name in folded_names:
                if name in owners:
                    owners[name].add(canonical)
                    continue
                owners[name] = {canonical}
                content = content_words(name)
                for start in range(len(content)):
                    run = content[start:]
                    index.setdefault(run[0][:QUALIFIER_PREFIX], []).append((run, name))
        self._heads = {h: frozenset(c) for h, c in heads.items() if not is_known_other(h)}
        self._owners = {n: frozenset(c) for n, c in owners.items()}
        self._index = {k: tuple(v) for k, v in index.items()}

    def __bool__(self) -> bool:
        return bool(self._heads)

    def decide(self, value: str, folded: str) -> Match | None:
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
            named = self._issuers(content_words(" ".join(words[:cut])))
            if named:
                found |= {c for c in owners if all(c in self._owners[n] for n in named)}
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
        words when each word shares at least `QUALIFIER_PREFIX` leading letters with the
        qualifier word in the same place, or starts with the whole qualifier word when that is
        shorter. The score is the number of shared leading letters; only the best-scoring
        qualifiers are returned, so "malawian" names Malawi and not Malaysia ("mala").
        """
        if not words:
            return set()
        first = words[0]
        best, named = 0, set()
        for size in range(1, QUALIFIER_PREFIX + 1):
            if size > len(first):
                break
            for run, name in self._index.get(first[:size], ()):
                if len(run) != len(words) or (size < QUALIFIER_PREFIX and len(run[0]) != size):
                    continue
                total = form_score(words, run)
                if not total:
                    continue
                if total > best:
                    best, named = total, {name}
                elif total == best:
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


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
