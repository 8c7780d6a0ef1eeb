"""`Vocabulary`: canonical terms, synonyms and refusals, versioned, loaded, bundled or extended.

File formats (TOML, CSV, extension files) are read by `inputguard._terminology.files` and
described in ``docs/terminology.md``; the content is checked here, once, whatever its origin.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH
from inputguard._terminology.checks import check, check_ambiguous, check_qualifiers, pair, table
from inputguard._terminology.decision import FuzzySettings, Match
from inputguard._terminology.files import Locate, Parts, parse_csv, parse_extension, parse_toml
from inputguard._terminology.matcher import Matcher
from inputguard.exceptions import ConfigurationError

__all__ = ["BUNDLED", "Vocabulary"]

BUNDLED = ("countries", "currencies", "languages")
"""The vocabularies shipped in the package (`Vocabulary.bundled`)."""
_BUNDLED_PREFIX = "bundled:"


def _nowhere(term: str) -> str:
    return repr(term)


@dataclass(frozen=True, slots=True, eq=False)
class Vocabulary:
    """Canonical terms with their synonyms, under a name and a version.

    Build one with `Vocabulary.from_file` (TOML, CSV or an extension file),
    `Vocabulary.bundled` (the shipped ISO vocabularies), `Vocabulary.extend`, or directly for
    small in-code vocabularies. The content is checked when the vocabulary is built: empty
    terms, a synonym, exact form or folded key claimed by two canonicals, a ``known_other``
    term that is also a vocabulary term, a ``distinct`` pair naming an unknown canonical, an
    ``ambiguous`` term naming fewer than two canonicals, or a qualifier that is empty or
    listed under an unknown canonical raise `ConfigurationError`.

    Attributes:
        name: The vocabulary's name, e.g. ``"countries"``.
        version: Its version string, recorded with every decision (an extension's version
            is appended: ``2026.2+ops-3``).
        terms: Canonical term -> synonyms (codes, names, spellings, symbols) that mean it.
        distinct: Pairs of canonicals never fuzzy-matched into each other.
        known_other: Real terms of the domain that are not allowed here (refused as
            ``term.not_allowed``, never mapped to a neighbour).
        metadata: Other descriptive keys from the file (source, license, ...).
        qualifiers: Canonical -> names of its issuer and their adjectival forms ("JPY":
            ``("Japan", "Japanese")``), read by the ``qualified`` step.
        ambiguous: Term -> the canonicals it may mean ("Korea": ``("KP", "KR")``): such a
            value is refused as ``term.ambiguous``, never guessed.
        case_sensitive: Case carries meaning (units: ``ms`` is not ``mS``): no look-up folds
            case, and keys that differ in case only may belong to different canonicals.
        digest: SHA-256 of the content, hex.

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
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive: bool = False
    digest: str = field(init=False)
    _matchers: dict[FuzzySettings, Matcher] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._build(_nowhere)

    def _build(self, where: Locate) -> None:
        if not isinstance(self.case_sensitive, bool):
            raise ConfigurationError(
                f"'case_sensitive' must be true or false (got {self.case_sensitive!r})"
            )
        if not isinstance(self.terms, Mapping):
            raise ConfigurationError(
                f"'terms' must map canonicals to synonyms (got {self.terms!r})"
            )
        terms = {c: (s,) if isinstance(s, str) else tuple(s) for c, s in self.terms.items()}
        distinct = tuple(pair(p) for p in self.distinct)
        known = tuple(self.known_other)
        qualifiers = table(self.qualifiers, "qualifiers", where)
        ambiguous = table(self.ambiguous, "ambiguous", where)
        check(self.name, self.version, terms, distinct, known, where, self.case_sensitive)
        check_qualifiers(terms, qualifiers, where)
        check_ambiguous(terms, ambiguous, known, where, self.case_sensitive)
        qualifiers = {c: tuple(dict.fromkeys(q)) for c, q in qualifiers.items() if q}
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "distinct", distinct)
        object.__setattr__(self, "known_other", known)
        object.__setattr__(self, "metadata", dict(self.metadata))
        object.__setattr__(self, "qualifiers", qualifiers)
        object.__setattr__(self, "ambiguous", ambiguous)
        content: list[object] = [self.name, self.version, sorted(terms.items()), sorted(distinct)]
        content.append(known)
        # parts added later are hashed only when present: older digests stay what they were
        if qualifiers:
            content.append(sorted(qualifiers.items()))
        if ambiguous:
            content.append({"ambiguous": sorted(ambiguous.items())})
        if self.case_sensitive:
            content.append({"case_sensitive": True})
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
            "ambiguous": self.ambiguous,
            "case_sensitive": self.case_sensitive,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = {"ambiguous": {}, "case_sensitive": False, **state}
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
                ambiguous=self.ambiguous,
                case_sensitive=self.case_sensitive,
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

    def extend(
        self,
        *,
        version: str,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        known_other: Iterable[str] = (),
        distinct: Iterable[Sequence[str]] = (),
        ambiguous: Mapping[str, Sequence[str]] | None = None,
        name: str | None = None,
    ) -> Vocabulary:
        """This vocabulary with more synonyms, refusals, distinct pairs or ambiguous terms.

        The result keeps this vocabulary's name (or takes ``name``); its version is
        ``<this version>+<version>`` and its digest covers the whole content, so the guard's
        fingerprint changes with either part. ``metadata`` records what was extended
        (``extends``) and the extension's own digest (``extension_sha256``).

        Args:
            version: The extension's version (required: a change must be visible).
            synonyms: Canonical -> synonyms to add; every canonical must exist.
            known_other: Terms to refuse as ``term.not_allowed``.
            distinct: Pairs of canonicals never fuzzy-matched into each other.
            ambiguous: Terms to refuse as ``term.ambiguous``, with the canonicals they may
                mean.
            name: A new name, if the extended vocabulary should have one.

        Returns:
            The extended vocabulary (this one is unchanged).

        Raises:
            ConfigurationError: An unknown canonical, a synonym another canonical owns, or any
                other inconsistency `Vocabulary` refuses.

        >>> fruit = Vocabulary("fruit", "1", {"apple": ("pomme",), "pear": ()})
        >>> more = fruit.extend(version="ops-2", synonyms={"pear": ["poire"]})
        >>> more.version, more.match(["Poire"])[0].canonical
        ('1+ops-2', 'pear')
        """
        return self._extended(
            Parts(
                name=name,
                version=version,
                terms={c: tuple(s) for c, s in (synonyms or {}).items()},
                known_other=list(known_other),
                distinct=list(distinct),
                ambiguous=dict(ambiguous or {}),
            ),
            _nowhere,
        )

    def _extended(self, ext: Parts, where: Locate) -> Vocabulary:
        if not isinstance(ext.version, str) or not ext.version.strip():
            raise ConfigurationError(
                f"an extension needs a non-empty 'version' string (got {ext.version!r})"
            )
        if ext.name is not None and (not isinstance(ext.name, str) or not ext.name.strip()):
            raise ConfigurationError(f"an extension's 'name' must be a string (got {ext.name!r})")
        terms = {c: list(s) for c, s in self.terms.items()}
        for canonical, added in ext.terms.items():
            if canonical not in terms:
                raise ConfigurationError(
                    f"{where(canonical)}: synonyms are added to {canonical!r}, which is not a "
                    f"canonical term of {self.label}"
                )
            terms[canonical] += [s for s in added if s not in terms[canonical] and s != canonical]
        ambiguous = table(ext.ambiguous, "ambiguous", where)
        blob = json.dumps(
            [
                ext.version,
                sorted(ext.terms.items()),
                sorted(pair(p) for p in ext.distinct),
                [str(t) for t in ext.known_other],
                sorted(ambiguous.items()),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        meta = {
            **self.metadata,
            **ext.metadata,
            "extends": self.label,
            "extension_version": ext.version,
            "extension_sha256": hashlib.sha256(blob).hexdigest(),
        }
        out = object.__new__(Vocabulary)
        fields = {
            "name": ext.name if isinstance(ext.name, str) else self.name,
            "version": f"{self.version}+{ext.version}",
            "terms": terms,
            "distinct": (*self.distinct, *ext.distinct),
            "known_other": (*self.known_other, *ext.known_other),
            "metadata": meta,
            "qualifiers": self.qualifiers,
            "ambiguous": {**self.ambiguous, **ambiguous},
            "case_sensitive": self.case_sensitive,
        }
        for key, value in fields.items():
            object.__setattr__(out, key, value)
        out._build(where)
        return out

    @classmethod
    def bundled(cls, name: str) -> Vocabulary:
        """A vocabulary shipped in the package: ``countries``, ``currencies`` or ``languages``.

        Loaded once per process and shared (vocabularies are immutable). Their sources and
        licenses are in each one's ``metadata`` and in ``docs/terminology.md``.

        Raises:
            ConfigurationError: No bundled vocabulary has that name.

        >>> Vocabulary.bundled("countries").match(["Deutschland", "UK", "Korea"])[2].reason
        <Reason.TERM_AMBIGUOUS: 'term.ambiguous'>
        """
        if name not in BUNDLED:
            raise ConfigurationError(
                f"no bundled vocabulary {name!r} (bundled: {', '.join(BUNDLED)})"
            )
        return _bundled(name)

    @classmethod
    def from_file(cls, path: str | Path) -> Vocabulary:
        """Load a vocabulary from a ``.toml`` or ``.csv`` file, or an extension file.

        ``bundled:NAME`` names a bundled vocabulary. A TOML file with a top-level ``extends``
        key is an extension: it loads the vocabulary it names (``bundled:NAME``, or a path
        relative to the extension file) and adds its own content (see `Vocabulary.extend`).

        Args:
            path: The file; the format follows the suffix.

        Returns:
            The checked vocabulary.

        Raises:
            ConfigurationError: The file is missing, malformed, or its content is inconsistent
                (the message names the file, line and terms).
        """
        if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
            raise ConfigurationError(
                f"a vocabulary file must be a text path, a str or os.PathLike "
                f"(got {type(path).__name__})"
            )
        if isinstance(path, str) and path.startswith(_BUNDLED_PREFIX):
            return cls.bundled(path.removeprefix(_BUNDLED_PREFIX))
        if "\0" in os.fspath(path):
            raise ConfigurationError(f"a vocabulary file name cannot hold a NUL ({str(path)!r})")
        return _from_file(Path(path), ())


@lru_cache(maxsize=len(BUNDLED))
def _bundled(name: str) -> Vocabulary:
    resource = resources.files("inputguard._terminology") / "vocabularies" / f"{name}.toml"
    text = resource.read_text(encoding="utf-8")
    return _from_parts(*parse_toml(text, f"bundled:{name}"), f"bundled:{name}")


def _from_file(file: Path, chain: tuple[Path, ...]) -> Vocabulary:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read vocabulary file {str(file)!r}: {exc}") from None
    suffix = file.suffix.lower()
    origin = str(file)
    if suffix == ".csv":
        return _from_parts(*parse_csv(text, origin), origin)
    if suffix != ".toml":
        raise ConfigurationError(
            f"vocabulary file {origin!r} must end in .toml or .csv (got {suffix or 'none'!r})"
        )
    if not _is_extension(text):
        return _from_parts(*parse_toml(text, origin), origin)
    ext, where = parse_extension(text, origin)
    assert ext.extends is not None
    if ext.extends.startswith(_BUNDLED_PREFIX):
        base = Vocabulary.bundled(ext.extends.removeprefix(_BUNDLED_PREFIX))
    else:
        target = (file.parent / ext.extends).resolve()
        if target in chain or target == file.resolve():
            raise ConfigurationError(f"{where('extends')}: extension cycle through {ext.extends!r}")
        base = _from_file(target, (*chain, file.resolve()))
    try:
        return base._extended(ext, where)
    except ConfigurationError as exc:
        if origin in str(exc):
            raise
        raise ConfigurationError(f"{origin}: {exc}") from None


def _is_extension(text: str) -> bool:
    """True for a TOML text with a top-level ``extends`` key (before any table)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            return False
        if stripped.split("=", 1)[0].strip() in ("extends", '"extends"'):
            return True
    return False


def _from_parts(parts: Parts, where: Locate, origin: str) -> Vocabulary:
    out = object.__new__(Vocabulary)
    fields = {
        "name": parts.name,
        "version": parts.version,
        "terms": parts.terms,
        "distinct": parts.distinct,
        "known_other": parts.known_other,
        "metadata": parts.metadata,
        "qualifiers": parts.qualifiers,
        "ambiguous": parts.ambiguous,
        "case_sensitive": parts.case_sensitive,
    }
    for key, value in fields.items():
        object.__setattr__(out, key, value)
    try:
        out._build(where)
    except ConfigurationError as exc:
        if origin in str(exc):
            raise
        raise ConfigurationError(f"{origin}: {exc}") from None
    return out
