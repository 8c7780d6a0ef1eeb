"""`Vocabulary`: canonical terms, synonyms and refusals, loaded from a versioned file.

Two file formats hold the same content (see ``docs/terminology.md``):

TOML::

    [vocabulary]
    name = "countries"
    version = "2026.1"
    source = "pycountry 26.2.16"      # any further string keys are kept as metadata

    [terms]
    AT = ["Austria", "AUT", "Republic of Austria"]

    [distinct]
    pairs = [["AT", "AU"]]

    [known_other]
    terms = ["Western Australia"]

    [qualifiers]                       # optional: issuer names a term may be preceded by
    JPY = ["Japan"]

CSV: ``# key: value`` metadata lines (``name``, ``version``, any others; ``distinct: A|B`` and
``known_other: term`` may repeat), then a ``canonical,synonyms`` header (optionally
``canonical,synonyms,qualifiers``) and one row per canonical with its synonyms (and
qualifiers) separated by ``|``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH
from inputguard._terminology.matching import _STOPWORDS, FuzzySettings, Match, Matcher, fold
from inputguard.exceptions import ConfigurationError

__all__ = ["Vocabulary"]

_Locate = Callable[[str], str]
_TOML_KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_TOML_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")


def _nowhere(term: str) -> str:
    return repr(term)


@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    """Canonical terms with their synonyms, under a name and a version.

    Build one with `Vocabulary.from_file` (TOML or CSV), or directly for small in-code
    vocabularies. The content is checked when the vocabulary is built: empty terms, a synonym
    or folded key claimed by two canonicals, a duplicate canonical, a ``known_other`` term
    that is also a vocabulary term, a ``distinct`` pair naming an unknown canonical, or a
    qualifier that is empty or listed under an unknown canonical raise `ConfigurationError`.

    Attributes:
        name: The vocabulary's name, e.g. ``"countries"``.
        version: Its version string, recorded with every decision.
        terms: Canonical term -> synonyms (codes, names, spellings) that mean it.
        distinct: Pairs of canonicals never fuzzy-matched into each other.
        known_other: Real terms of the domain that are not allowed here (refused as
            ``term.not_allowed``, never mapped to a neighbour).
        metadata: Other descriptive keys from the file (source, license, ...).
        qualifiers: Canonical -> names of its issuer ("JPY": ``("Japan",)``). A value made of
            a form of one of them and a term of that canonical ("Japanese Yen") is matched
            by the ``qualified`` step; see ``docs/terminology.md``.
        digest: SHA-256 of the content (name, version, terms, pairs, refusals and, when
            there are any, qualifiers), hex.

    >>> v = Vocabulary("fruit", "1", {"apple": ("pomme", "malus"), "pear": ()})
    >>> v
    <Vocabulary fruit v1: 2 terms, sha256:...>
    >>> [m.canonical for m in v.match(["Pomme", "pear", "banana"])]
    ['apple', 'pear', None]
    """

    name: str
    version: str
    terms: Mapping[str, tuple[str, ...]]
    distinct: tuple[tuple[str, str], ...] = ()
    known_other: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    qualifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = field(init=False)
    _matchers: dict[FuzzySettings, Matcher] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        terms = {c: tuple(s) for c, s in dict(self.terms).items()}
        distinct = tuple(_pair(p) for p in self.distinct)
        known = tuple(self.known_other)
        qualifiers = _qualifier_table(self.qualifiers)
        _check(self.name, self.version, terms, distinct, known, _nowhere)
        _check_qualifiers(terms, qualifiers, _nowhere)
        qualifiers = {c: tuple(dict.fromkeys(q)) for c, q in qualifiers.items() if q}
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "distinct", distinct)
        object.__setattr__(self, "known_other", known)
        object.__setattr__(self, "metadata", dict(self.metadata))
        object.__setattr__(self, "qualifiers", qualifiers)
        content: list[object] = [
            self.name,
            self.version,
            sorted(terms.items()),
            sorted(distinct),
            known,
        ]
        if qualifiers:  # digests of vocabularies without qualifiers stay what they were
            content.append(sorted(qualifiers.items()))
        blob = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        object.__setattr__(self, "digest", hashlib.sha256(blob).hexdigest())
        object.__setattr__(self, "_matchers", {})

    def __repr__(self) -> str:
        return (
            f"<Vocabulary {self.name} v{self.version}: {len(self.terms)} terms, "
            f"sha256:{self.digest[:12]}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return (self.name, self.version, self.digest) == (other.name, other.version, other.digest)

    def __hash__(self) -> int:
        return hash((self.name, self.version, self.digest))

    def __getstate__(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "terms": self.terms,
            "distinct": self.distinct,
            "known_other": self.known_other,
            "metadata": self.metadata,
            "qualifiers": self.qualifiers,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        Vocabulary.__post_init__(self)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def label(self) -> str:
        """Short identification for reprs and audit logs: name, version and hash prefix."""
        return f"{self.name} v{self.version} sha256:{self.digest[:8]}"

    @property
    def canonicals(self) -> tuple[str, ...]:
        """The canonical terms, in file order."""
        return tuple(self.terms)

    def matcher(self, settings: FuzzySettings | None = None) -> Matcher:
        """The (shared, cached) matcher for these fuzzy settings."""
        settings = settings or FuzzySettings()
        found = self._matchers.get(settings)
        if found is None:
            found = Matcher(
                self.terms,
                known_other=self.known_other,
                distinct=self.distinct,
                qualifiers=self.qualifiers,
                settings=settings,
            )
            self._matchers[settings] = found
        return found

    def match(
        self,
        values: Iterable[object],
        *,
        fuzzy: bool = True,
        cutoff: float = FUZZY_CUTOFF,
        margin: float = FUZZY_MARGIN,
        min_length: int = FUZZY_MIN_LENGTH,
    ) -> list[Match]:
        """Decide each value: its canonical term (or None), the method, score and runner-up.

        Args:
            values: The values; None and non-strings are refused (missing / unknown).
            fuzzy: Allow the fuzzy step (``False``: look-ups only).
            cutoff: Minimum fuzzy similarity, 50-100.
            margin: Required lead over the best different canonical.
            min_length: Shorter folded inputs are never fuzzy-matched.

        Returns:
            One `Match` per value, in order.

        Raises:
            ConfigurationError: A setting out of range.
        """
        settings = FuzzySettings(fuzzy, float(cutoff), float(margin), min_length)
        return self.matcher(settings).match(list(values))

    @classmethod
    def from_file(cls, path: str | Path) -> Vocabulary:
        """Load a vocabulary from a ``.toml`` or ``.csv`` file.

        Args:
            path: The file; the format follows the suffix.

        Returns:
            The checked vocabulary.

        Raises:
            ConfigurationError: The file is missing, malformed, or its content is inconsistent
                (the message names the file, line and terms).
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"cannot read vocabulary file {str(file)!r}: {exc}") from None
        suffix = file.suffix.lower()
        if suffix == ".toml":
            return _from_toml(text, str(file))
        if suffix == ".csv":
            return _from_csv(text, str(file))
        raise ConfigurationError(
            f"vocabulary file {str(file)!r} must end in .toml or .csv (got {suffix or 'none'!r})"
        )


def _pair(pair: Sequence[str]) -> tuple[str, str]:
    if isinstance(pair, str) or len(pair) != 2:  # noqa: PLR2004 - a pair has two members
        raise ConfigurationError(f"a 'distinct' entry must be a pair of terms (got {pair!r})")
    a, b = pair
    return (a, b) if a <= b else (b, a)


def _qualifier_table(raw: object) -> dict[str, tuple[str, ...]]:
    """The qualifiers as canonical -> tuple of names; a lone string is one name."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError(
            f"'qualifiers' must map canonical terms to lists of names (got {raw!r})"
        )
    table: dict[str, tuple[str, ...]] = {}
    for canonical, names in raw.items():
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, (list, tuple)):
            raise ConfigurationError(
                f"qualifiers of {canonical!r} must be a list of strings (got {names!r})"
            )
        table[canonical] = tuple(listed)
    return table


def _check_qualifiers(
    terms: Mapping[str, tuple[str, ...]],
    qualifiers: Mapping[str, Sequence[object]],
    where: _Locate,
) -> None:
    """Raise `ConfigurationError` for a qualifier of an unknown canonical or an empty one."""
    for canonical, names in qualifiers.items():
        if canonical not in terms:
            raise ConfigurationError(
                f"{where(canonical)}: qualifiers are listed for {canonical!r}, which is not a "
                "canonical term"
            )
        for name in names:
            if not isinstance(name, str) or not any(
                w not in _STOPWORDS for w in fold(name).split()
            ):
                raise ConfigurationError(
                    f"{where(canonical)}: empty qualifier {name!r} of canonical {canonical!r} "
                    "(a qualifier needs a word other than 'the', 'of' or 'and')"
                )


def _check(  # noqa: PLR0912, PLR0917 - one pass over every load-time rule
    name: object,
    version: object,
    terms: Mapping[str, tuple[str, ...]],
    distinct: Sequence[tuple[str, str]],
    known_other: Sequence[str],
    where: _Locate,
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
    folded_of: dict[str, tuple[str, str]] = {}  # folded key -> (canonical, original key)
    for canonical, synonyms in terms.items():
        for key in (canonical, *synonyms):
            if not isinstance(key, str) or not key.strip() or not fold(key):
                raise ConfigurationError(
                    f"{where(canonical)}: empty term {key!r} under canonical {canonical!r}"
                )
            other = owner_of.setdefault(key, canonical)
            if other != canonical:
                raise ConfigurationError(
                    f"{where(canonical)}: {key!r} is claimed by two canonicals, {other!r} "
                    f"({where(other)}) and {canonical!r}"
                )
            folded = fold(key)
            first = folded_of.setdefault(folded, (canonical, key))
            if first[0] != canonical:
                raise ConfigurationError(
                    f"{where(canonical)}: folded key {folded!r} is claimed by two canonicals: "
                    f"{first[1]!r} of {first[0]!r} ({where(first[0])}) and {key!r} of "
                    f"{canonical!r}"
                )
    for term in known_other:
        if not isinstance(term, str) or not term.strip() or not fold(term):
            raise ConfigurationError(f"{where('known_other')}: empty known_other term {term!r}")
        hit = folded_of.get(fold(term))
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


def _from_toml(text: str, origin: str) -> Vocabulary:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin}: invalid TOML: {exc}") from None
    lines = _toml_lines(text)

    def where(term: str) -> str:
        line = lines.get(term)
        return f"{origin}:{line}" if line else origin

    head = data.get("vocabulary")
    if not isinstance(head, dict):
        raise ConfigurationError(f"{origin}: missing [vocabulary] table with name and version")
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, dict):
        raise ConfigurationError(f"{origin}: missing [terms] table (canonical = [synonyms])")
    terms: dict[str, tuple[str, ...]] = {}
    for canonical, synonyms in raw_terms.items():
        listed = [synonyms] if isinstance(synonyms, str) else synonyms
        if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
            raise ConfigurationError(
                f"{where(canonical)}: synonyms of {canonical!r} must be a list of strings "
                f"(got {synonyms!r})"
            )
        terms[canonical] = tuple(dict.fromkeys(s for s in listed if s != canonical))
    pairs = data.get("distinct", {}).get("pairs", [])
    known = data.get("known_other", {}).get("terms", [])
    if not isinstance(pairs, list) or not isinstance(known, list):
        raise ConfigurationError(
            f"{origin}: [distinct] pairs and [known_other] terms must be lists"
        )
    distinct = tuple(_pair(p) for p in pairs)
    meta = {k: str(v) for k, v in head.items() if k not in ("name", "version")}
    _check(head.get("name"), head.get("version"), terms, distinct, known, where)

    def where_qualifier(canonical: str) -> str:
        line = lines.get(f"qualifiers.{canonical}") or lines.get("qualifiers")
        return f"{origin}:{line}" if line else origin

    try:
        qualifiers = _qualifier_table(data.get("qualifiers", {}))
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where_qualifier('')}: {exc}") from None
    _check_qualifiers(terms, qualifiers, where_qualifier)
    return Vocabulary(
        head["name"], head["version"], terms, distinct, tuple(known), meta, qualifiers
    )


def _toml_lines(text: str) -> dict[str, int]:
    """Line numbers of the keys of [terms] and [qualifiers] and of each table, for messages.

    A [qualifiers] key is recorded as ``qualifiers.<key>``, apart from the [terms] keys.
    """
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE.match(line)
        if header:
            table = header.group(1)
            lines.setdefault(table, number)
            continue
        if table in ("terms", "qualifiers"):
            key = _TOML_KEY.match(line)
            if key:
                name = next(g for g in key.groups() if g is not None)
                lines.setdefault(name if table == "terms" else f"qualifiers.{name}", number)
    return lines


def _from_csv(text: str, origin: str) -> Vocabulary:
    meta: dict[str, str] = {}
    distinct: list[tuple[str, str]] = []
    known: list[str] = []
    lines: dict[str, int] = {}
    body_start = 0
    raw = text.splitlines(keepends=True)
    for number, line in enumerate(raw, start=1):
        if not line.startswith("#"):
            body_start = number - 1
            break
        key, sep, value = line[1:].partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            continue  # a plain comment
        if key == "distinct":
            lines.setdefault("distinct", number)
            distinct.append(_pair(value.split("|")))
        elif key == "known_other":
            lines.setdefault("known_other", number)
            known.append(value)
        else:
            meta[key] = value
    else:
        body_start = len(raw)

    def where(term: str) -> str:
        line = lines.get(term)
        return f"{origin}:{line}" if line else origin

    reader = csv.reader(io.StringIO("".join(raw[body_start:])))
    header = next(reader, None)
    columns = [h.strip() for h in header or ()]
    if columns not in (["canonical", "synonyms"], ["canonical", "synonyms", "qualifiers"]):
        raise ConfigurationError(
            f"{origin}:{body_start + 1}: expected the header 'canonical,synonyms' or "
            f"'canonical,synonyms,qualifiers' (got {header!r})"
        )
    terms: dict[str, tuple[str, ...]] = {}
    qualifiers: dict[str, tuple[str, ...]] = {}
    for row in reader:
        number = body_start + reader.line_num
        if not row:
            continue
        canonical = row[0]
        synonyms = list(row[1].split("|") if len(row) > 1 and row[1] else [])
        if canonical in terms:
            raise ConfigurationError(
                f"{origin}:{number}: duplicate canonical {canonical!r} "
                f"(first at {where(canonical)})"
            )
        lines[canonical] = number
        terms[canonical] = tuple(dict.fromkeys(s for s in synonyms if s != canonical))
        if len(row) > 2 and row[2]:  # noqa: PLR2004 - the optional third column
            qualifiers[canonical] = tuple(row[2].split("|"))
    name, version = meta.pop("name", None), meta.pop("version", None)
    _check(name, version, terms, distinct, known, where)
    _check_qualifiers(terms, qualifiers, where)
    assert isinstance(name, str)  # _check refused anything else
    assert isinstance(version, str)
    return Vocabulary(name, version, terms, tuple(distinct), tuple(known), meta, qualifiers)
