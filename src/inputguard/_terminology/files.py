"""Reading vocabulary files: TOML, CSV, and extension files, strictly.

Every reader returns the *parts* of a vocabulary (`Parts`) together with a function that names
the file and line of a term, so that `Vocabulary` checks the content once, in one place, with
messages that point into the file. Anything a reader does not understand is an error naming the
file and line, never silently dropped: an unknown table or key, a comment line after the CSV
header, a field with leading or trailing spaces, an extra CSV column, a repeated metadata line.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from inputguard.exceptions import ConfigurationError

__all__ = ["Locate", "Parts", "parse_csv", "parse_extension", "parse_toml"]

Locate = Callable[[str], str]
_TOML_KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_TOML_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_TABLES = frozenset({"vocabulary", "terms", "distinct", "known_other", "qualifiers", "ambiguous"})
_EXTENSION_TABLES = frozenset({"synonyms", "distinct", "known_other", "ambiguous"})
_EXTENSION_KEYS = frozenset({"extends", "name", "version", "description"})
_REPEATABLE = frozenset({"distinct", "known_other", "ambiguous"})


@dataclass
class Parts:
    """What a vocabulary file holds, before it is checked."""

    name: object = None
    version: object = None
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    distinct: list[object] = field(default_factory=list)
    known_other: list[object] = field(default_factory=list)
    qualifiers: object = field(default_factory=dict)
    ambiguous: object = field(default_factory=dict)
    case_sensitive: object = False
    metadata: dict[str, str] = field(default_factory=dict)
    extends: str | None = None


def _toml_lines(text: str) -> dict[str, int]:
    """Line numbers of each table and of the keys in it (``table.key``), for messages.

    A [terms] key is also recorded under its bare name (the canonical).
    """
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE.match(line)
        if header:
            table = header.group(1)
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            name = next(g for g in key.groups() if g is not None)
            lines.setdefault(f"{table}.{name}" if table else name, number)
            if table == "terms":
                lines.setdefault(name, number)
    return lines


def _locator(origin: str, lines: Mapping[str, int]) -> Locate:
    def where(term: str) -> str:
        line = lines.get(term)
        return f"{origin}:{line}" if line else origin

    return where


def _load_toml(text: str, origin: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin}: invalid TOML: {exc}") from None


def _only(table: object, allowed: str, label: str, where: Locate) -> list[object]:
    """The list under ``allowed`` in a [distinct] or [known_other] table; other keys refused."""
    if not isinstance(table, dict):
        raise ConfigurationError(f"{where(label)}: [{label}] must be a table")
    unknown = sorted(set(table) - {allowed})
    if unknown:
        raise ConfigurationError(
            f"{where(f'{label}.{unknown[0]}')}: unknown key {unknown[0]!r} in [{label}] "
            f"(expected only {allowed!r})"
        )
    listed = table.get(allowed, [])
    if not isinstance(listed, list):
        raise ConfigurationError(f"{where(label)}: [{label}] {allowed} must be a list")
    return listed


def _synonym_table(raw: object, label: str, where: Locate) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where(label)}: [{label}] must map terms to lists of strings")
    out: dict[str, tuple[str, ...]] = {}
    for canonical, synonyms in raw.items():
        listed = [synonyms] if isinstance(synonyms, str) else synonyms
        if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
            raise ConfigurationError(
                f"{where(canonical)}: synonyms of {canonical!r} must be a list of strings "
                f"(got {synonyms!r})"
            )
        for text in (canonical, *listed):
            _stripped(text, where(canonical))
        out[canonical] = tuple(dict.fromkeys(s for s in listed if s != canonical))
    return out


def _stripped(text: str, place: str) -> None:
    if text.strip() and text != text.strip():
        raise ConfigurationError(
            f"{place}: term {text!r} has leading or trailing whitespace (write it without)"
        )


def parse_toml(text: str, origin: str) -> tuple[Parts, Locate]:
    """The parts of a TOML vocabulary file (see ``docs/terminology.md``)."""
    data = _load_toml(text, origin)
    lines = _toml_lines(text)
    where = _locator(origin, lines)
    unknown = sorted(set(data) - _TABLES)
    if unknown:
        raise ConfigurationError(
            f"{where(unknown[0])}: unknown table or key {unknown[0]!r} (expected "
            f"{', '.join(f'[{t}]' for t in sorted(_TABLES))})"
        )
    head = data.get("vocabulary")
    if not isinstance(head, dict):
        raise ConfigurationError(f"{origin}: missing [vocabulary] table with name and version")
    if "terms" not in data:
        raise ConfigurationError(f"{origin}: missing [terms] table (canonical = [synonyms])")
    parts = Parts(name=head.get("name"), version=head.get("version"))
    parts.case_sensitive = head.get("case_sensitive", False)
    for key, value in head.items():
        if key in ("name", "version", "case_sensitive"):
            continue
        if not isinstance(value, str):
            raise ConfigurationError(
                f"{where(f'vocabulary.{key}')}: [vocabulary] {key} must be a string (got {value!r})"
            )
        parts.metadata[key] = value
    parts.terms = _synonym_table(data["terms"], "terms", where)
    parts.distinct = _only(data.get("distinct", {}), "pairs", "distinct", where)
    parts.known_other = _only(data.get("known_other", {}), "terms", "known_other", where)
    parts.qualifiers = data.get("qualifiers", {})
    parts.ambiguous = data.get("ambiguous", {})
    return parts, _qualifier_aware(where, lines, origin)


def _qualifier_aware(where: Locate, lines: Mapping[str, int], origin: str) -> Locate:
    """A locator for ``table.key`` names too: the key's line, else its table's, else the term's."""

    def locate(term: str) -> str:
        table, dot, key = term.partition(".")
        candidates = (term, table, key) if dot and table in _TABLES else (term,)
        for candidate in candidates:
            line = lines.get(candidate)
            if line:
                return f"{origin}:{line}"
        return where(term)

    return locate


def parse_extension(text: str, origin: str) -> tuple[Parts, Locate]:
    """The parts of an extension file: ``extends``, ``version`` and the tables it adds."""
    data = _load_toml(text, origin)
    lines = _toml_lines(text)
    where = _locator(origin, lines)
    unknown = sorted(set(data) - _EXTENSION_TABLES - _EXTENSION_KEYS)
    if unknown:
        raise ConfigurationError(
            f"{where(unknown[0])}: unknown table or key {unknown[0]!r} in an extension file "
            f"(expected extends, version, name, description, "
            f"{', '.join(f'[{t}]' for t in sorted(_EXTENSION_TABLES))})"
        )
    extends = data.get("extends")
    if not isinstance(extends, str) or not extends.strip():
        raise ConfigurationError(
            f"{where('extends')}: 'extends' must name the vocabulary extended "
            f"('bundled:NAME' or a file path; got {extends!r})"
        )
    parts = Parts(name=data.get("name"), version=data.get("version"), extends=extends)
    if "description" in data:
        parts.metadata["description"] = str(data["description"])
    parts.terms = _synonym_table(data.get("synonyms", {}), "synonyms", where)
    parts.distinct = _only(data.get("distinct", {}), "pairs", "distinct", where)
    parts.known_other = _only(data.get("known_other", {}), "terms", "known_other", where)
    parts.ambiguous = data.get("ambiguous", {})
    return parts, _qualifier_aware(where, lines, origin)


def parse_csv(text: str, origin: str) -> tuple[Parts, Locate]:  # noqa: PLR0912, PLR0915 - a branch per kind of line
    """The parts of a CSV vocabulary file (see ``docs/terminology.md``)."""
    parts = Parts()
    lines: dict[str, int] = {}
    seen: dict[str, int] = {}
    raw = text.splitlines(keepends=True)
    body_start = len(raw)
    for number, line in enumerate(raw, start=1):
        if not line.startswith("#"):
            body_start = number - 1
            break
        key, sep, value = line[1:].partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key or " " in key:
            continue  # a plain comment
        if key not in _REPEATABLE and key in seen:
            raise ConfigurationError(
                f"{origin}:{number}: metadata {key!r} given twice (first at line {seen[key]})"
            )
        seen.setdefault(key, number)
        lines.setdefault(key, number)
        if key == "distinct":
            parts.distinct.append(value.split("|"))
        elif key == "known_other":
            parts.known_other.append(value)
        elif key == "ambiguous":
            term, _, means = value.partition("|")
            assert isinstance(parts.ambiguous, dict)
            parts.ambiguous[term] = means.split("|") if means else []
            lines.setdefault(term, number)
        elif key == "case_sensitive":
            if value not in ("true", "false"):
                raise ConfigurationError(
                    f"{origin}:{number}: case_sensitive must be 'true' or 'false' (got {value!r})"
                )
            parts.case_sensitive = value == "true"
        elif key == "name":
            parts.name = value
        elif key == "version":
            parts.version = value
        else:
            parts.metadata[key] = value
    where = _locator(origin, lines)
    reader = csv.reader(io.StringIO("".join(raw[body_start:])))
    header = next(reader, None)
    columns = [h.strip() for h in header or ()]
    if columns not in (["canonical", "synonyms"], ["canonical", "synonyms", "qualifiers"]):
        raise ConfigurationError(
            f"{origin}:{body_start + 1}: expected the header 'canonical,synonyms' or "
            f"'canonical,synonyms,qualifiers' (got {header!r})"
        )
    qualifiers: dict[str, tuple[str, ...]] = {}
    for row in reader:
        number = body_start + reader.line_num
        if not row:
            continue
        if row[0].startswith("#"):
            raise ConfigurationError(
                f"{origin}:{number}: comment line after the header (comments and metadata "
                f"go before the 'canonical,...' header; got {row[0]!r})"
            )
        if len(row) > len(columns):
            raise ConfigurationError(
                f"{origin}:{number}: {len(row)} fields, the header has {len(columns)} "
                f"({', '.join(columns)}); quote a field that holds a comma"
            )
        canonical = row[0]
        synonyms = row[1].split("|") if len(row) > 1 and row[1] else []
        for field_text in (canonical, *synonyms):
            _stripped(field_text, f"{origin}:{number}")
        if canonical in parts.terms:
            raise ConfigurationError(
                f"{origin}:{number}: duplicate canonical {canonical!r} "
                f"(first at {where(canonical)})"
            )
        lines[canonical] = number
        parts.terms[canonical] = tuple(dict.fromkeys(s for s in synonyms if s != canonical))
        if len(row) > 2 and row[2]:  # noqa: PLR2004 - the optional third column
            qualifiers[canonical] = tuple(row[2].split("|"))
    parts.qualifiers = qualifiers
    return parts, _qualifier_aware(where, lines, origin)
