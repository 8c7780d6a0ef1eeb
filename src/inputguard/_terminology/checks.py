"""Load-time checks of a vocabulary's content, whatever file or code it came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from inputguard._terminology.folding import STOPWORDS, exact_form, fold, has_symbol
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from inputguard._terminology.files import Locate

__all__ = ["check", "check_ambiguous", "check_qualifiers", "pair", "table"]


def pair(pair: object) -> tuple[str, str]:
    if isinstance(pair, str) or not isinstance(pair, (list, tuple)) or len(pair) != 2:  # noqa: PLR2004
        raise ConfigurationError(f"a 'distinct' entry must be a pair of terms (got {pair!r})")
    a, b = pair
    return (a, b) if a <= b else (b, a)


def table(raw: object, label: str, where: Locate) -> dict[str, tuple[str, ...]]:
    """A term -> names table (qualifiers, ambiguous); a lone string is one name."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError(
            f"{where(label)}: {label!r} must map terms to lists of names (got {raw!r})"
        )
    table: dict[str, tuple[str, ...]] = {}
    for key, names in raw.items():
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, (list, tuple)):
            raise ConfigurationError(
                f"{where(label)}: {label} of {key!r} must be a list of strings (got {names!r})"
            )
        table[key] = tuple(listed)
    return table


def check_qualifiers(
    terms: Mapping[str, tuple[str, ...]],
    qualifiers: Mapping[str, Sequence[object]],
    where: Locate,
) -> None:
    """Raise `ConfigurationError` for a qualifier of an unknown canonical or an empty one."""
    for canonical, names in qualifiers.items():
        place = where(f"qualifiers.{canonical}")
        if canonical not in terms:
            raise ConfigurationError(
                f"{place}: qualifiers are listed for {canonical!r}, which is not a canonical term"
            )
        for name in names:
            if not isinstance(name, str) or not any(w not in STOPWORDS for w in fold(name).split()):
                raise ConfigurationError(
                    f"{place}: empty qualifier {name!r} of canonical {canonical!r} "
                    "(a qualifier needs a word other than 'the', 'of' or a word for 'and')"
                )


def check_ambiguous(
    terms: Mapping[str, tuple[str, ...]],
    ambiguous: Mapping[str, Sequence[object]],
    known: Sequence[str],
    where: Locate,
    case_sensitive: bool,
) -> None:
    taken = {_key(k, case_sensitive) for c, s in terms.items() for k in (c, *s)}
    taken |= {_key(k, case_sensitive) for k in known}
    for term, means in ambiguous.items():
        place = where(f"ambiguous.{term}")
        if not isinstance(term, str) or not term.strip() or term != term.strip():
            raise ConfigurationError(f"{place}: empty or unstripped ambiguous term {term!r}")
        unknown = [m for m in means if m not in terms]
        if len(set(means)) < 2 or unknown:  # noqa: PLR2004 - ambiguous between two at least
            raise ConfigurationError(
                f"{place}: ambiguous term {term!r} must name two canonicals or more "
                f"(got {list(means)!r}{'; unknown: ' + repr(unknown) if unknown else ''})"
            )
        if _key(term, case_sensitive) in taken:
            raise ConfigurationError(
                f"{place}: ambiguous term {term!r} is also a term or known_other term"
            )


def _key(term: str, case_sensitive: bool) -> str:
    """The key two terms collide on: the folded key, or the exact form of a symbol term."""
    if has_symbol(term) or not fold(term, case_sensitive=case_sensitive):
        return "\x00" + exact_form(term, case_sensitive=case_sensitive)
    return fold(term, case_sensitive=case_sensitive)


def check(  # noqa: PLR0912, PLR0917 - one pass over every load-time rule
    name: object,
    version: object,
    terms: Mapping[str, tuple[str, ...]],
    distinct: Sequence[tuple[str, str]],
    known_other: Sequence[object],
    where: Locate,
    case_sensitive: bool,
) -> None:
    """Raise `ConfigurationError` on the first inconsistency, naming where it is."""
    for label, value in (("name", name), ("version", version)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(
                f"vocabulary {label!r} must be a non-empty string (got {value!r})"
            )
    if not terms:
        raise ConfigurationError(f"vocabulary {name!r} has no terms")
    owner_of: dict[str, str] = {}  # exact key -> canonical
    key_of: dict[str, tuple[str, str]] = {}  # collision key -> (canonical, original key)
    for canonical, synonyms in terms.items():
        for key in (canonical, *synonyms):
            if not isinstance(key, str) or not key.strip():
                raise ConfigurationError(
                    f"{where(canonical)}: empty term {key!r} under canonical {canonical!r}"
                )
            other = owner_of.setdefault(key, canonical)
            if other != canonical:
                raise ConfigurationError(
                    f"{where(canonical)}: {key!r} is claimed by two canonicals, {other!r} "
                    f"({where(other)}) and {canonical!r}"
                )
            folded = _key(key, case_sensitive)
            first = key_of.setdefault(folded, (canonical, key))
            if first[0] != canonical:
                raise ConfigurationError(
                    f"{where(canonical)}: folded key {folded.lstrip(chr(0))!r} is claimed by two "
                    f"canonicals: {first[1]!r} of {first[0]!r} ({where(first[0])}) and {key!r} "
                    f"of {canonical!r}"
                )
    for term in known_other:
        if not isinstance(term, str) or not term.strip():
            raise ConfigurationError(f"{where('known_other')}: empty known_other term {term!r}")
        hit = key_of.get(_key(term, case_sensitive))
        if hit is not None:
            raise ConfigurationError(
                f"{where('known_other')}: known_other term {term!r} is also the vocabulary "
                f"term {hit[1]!r} of {hit[0]!r} ({where(hit[0])})"
            )
    for a, b in distinct:
        for member in (a, b):
            if member not in terms:
                raise ConfigurationError(
                    f"{where('distinct')}: distinct pair ({a!r}, {b!r}) names {member!r}, "
                    "which is not a canonical term"
                )
        if a == b:
            raise ConfigurationError(f"{where('distinct')}: distinct pair ({a!r}, {a!r})")
