"""Generate the bundled vocabularies in ``vocab/`` from the pycountry package.

Run from the repository root (pycountry is pinned in the ``dev`` extra)::

    python scripts/generate_vocab.py            # writes vocab/countries.toml, ...
    python scripts/generate_vocab.py --check    # exit 1 if a file is out of date

Every file records its source package, version and license. The output is deterministic
(sorted), so a regenerated file only differs when the source data did.

Choices made here (documented in vocab/README.md):

* a name claimed by two codes (pycountry lists "Bolívar Soberano" for both VES and VED) is
  left out rather than given to one of them;
* ``distinct`` pairs are computed: two canonicals whose names are within a similarity of
  ``_DISTINCT_AT`` of each other are declared distinct (Austria/Australia, Niger/Nigeria);
* ``known_other`` terms are real terms of the domain that are not valid here: withdrawn
  ISO 3166-3 countries and their codes, ISO 3166-2 subdivision names, the ISO 4217 testing
  and no-currency codes. A known term whose folded form equals a valid term is dropped;
* a national currency's ``qualifiers`` are its issuing country's names (see `_issuer`), and
  the "<Country> <currency name>" forms stay synonyms: the qualified matching step reads
  "Japanese Yen", while the synonym "Japan Yen" still helps fuzzy matching of misspellings.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
from rapidfuzz import fuzz

from inputguard._terminology.matching import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"
VERSION = "2026.1"
_DISTINCT_AT = 80.0
_SOURCE = f"pycountry {pycountry.__version__} (data of the Debian iso-codes project)"
_LICENSE = "LGPL-2.1-only (pycountry and iso-codes data)"
_NOT_CURRENCIES = {"XTS", "XXX"}  # ISO 4217: reserved for testing / "no currency involved"


def _unique_names(
    owners: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """Drop every key whose folded form is claimed by more than one canonical.

    A name a canonical states in full outranks a half cut out of another canonical's
    "Main (Alternative)" name: "US Dollar" is USD's name, and only a part of USN's
    "US Dollar (Next day)", so it stays with USD. Two full claims, or two partial ones, cancel.
    """
    full: dict[str, set[str]] = {}
    partial: dict[str, set[str]] = {}
    for canonical, keys in owners.items():
        halves = set(_halves(keys))
        for key in (canonical, *keys):
            (partial if key in halves else full).setdefault(fold(key), set()).add(canonical)

    def owner(key: str) -> str | None:
        claims = full.get(fold(key)) or partial.get(fold(key), set())
        return next(iter(claims)) if len(claims) == 1 else None

    return {
        canonical: [k for k in dict.fromkeys(keys) if k != canonical and owner(k) == canonical]
        for canonical, keys in owners.items()
    }


def _distinct_pairs(short_names: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """Canonicals whose short names are close (long official names differ in a word anyway)."""
    names = {
        c: [fold(k) for k in keys if len(fold(k).replace(" ", "")) >= 5]  # noqa: PLR2004
        for c, keys in short_names.items()
    }
    pairs = []
    for a, b in itertools.combinations(sorted(names), 2):
        best = max(
            (fuzz.ratio(x, y) for x in names[a] for y in names[b]),
            default=0.0,
        )
        if best >= _DISTINCT_AT:
            pairs.append((a, b))
    return pairs


def _known(terms: Mapping[str, Sequence[str]], candidates: Iterable[str]) -> list[str]:
    taken = {fold(k) for c, keys in terms.items() for k in (c, *keys)}
    out: dict[str, str] = {}
    for term in candidates:
        key = fold(term)
        if key and key not in taken:
            out.setdefault(key, term)
    return sorted(out.values(), key=lambda t: (fold(t), t))


_PAREN = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")


def _halves(names: Iterable[str]) -> list[str]:
    """The two halves of each "Main (Alternative)" name."""
    return [part for n in names if (m := _PAREN.match(n)) for part in (m.group(1), m.group(2))]


def _with_parts(names: Iterable[str]) -> list[str]:
    """Names, plus both halves of "Main (Alternative)" forms ("Falkland Islands (Malvinas)")."""
    out: list[str] = []
    for name in names:
        out.append(name)
        found = _PAREN.match(name)
        if found:
            out += [found.group(1), found.group(2)]
    return out


def countries() -> tuple[dict[str, list[str]], list[str]]:
    """ISO 3166-1: alpha-2 canonical; alpha-3, name, common and official names as synonyms."""
    owners: dict[str, list[str]] = {}
    for country in pycountry.countries:
        names = [country.name]
        names += [
            getattr(country, a) for a in ("common_name", "official_name") if hasattr(country, a)
        ]
        owners[country.alpha_2] = [country.alpha_3, *_with_parts(names)]
    terms = _unique_names(owners)
    historic = [
        value
        for country in pycountry.historic_countries
        for value in (country.alpha_2, country.alpha_3, country.alpha_4, country.name)
    ]
    subdivisions = [s.name for s in pycountry.subdivisions]
    return terms, _known(terms, [*historic, *subdivisions])


def _issuer(currency: Any) -> Any:
    """The country that issues a national currency, or None for other currencies.

    ISO 4217 gives a national currency the ISO 3166-1 numeric code of its country (ALL 008 is
    Albania's lek). A currency introduced by a redenomination got a new numeric code (AFN 971
    replaced AFA 004), so its alphabetic code, whose first two letters are the ISO 3166-1
    alpha-2 code of the country (AF), decides instead. Supranational codes (``EUR``, ``X..``)
    name no country.
    """
    numeric = getattr(currency, "numeric", None) or ""
    country = pycountry.countries.get(numeric=numeric) if numeric else None
    if country is None:
        country = pycountry.countries.get(alpha_2=currency.alpha_3[:2])
    return country


def qualifier_names(currency: Any) -> list[str]:
    """The issuing country's ``name`` and ``common_name`` as qualifiers of a currency.

    "Main (Alternative)" names give both halves; names with a comma ("Korea, Republic of",
    "Saint Helena, Ascension and Tristan da Cunha") are left out: their short form is
    either the ``common_name`` ("South Korea") or ambiguous ("Korea").
    """
    country = _issuer(currency)
    if country is None:
        return []
    names = [n for n in (country.name, getattr(country, "common_name", None)) if n]
    return list(dict.fromkeys(n for n in _with_parts(names) if "," not in n and "(" not in n))


def _issuer_forms(currency: Any) -> list[str]:
    """Add "<Country> <currency name>" for a national currency whose name lacks the country.

    The country is the issuer (see `_issuer`), so "Lek" also gets "Albania Lek".
    """
    country = _issuer(currency)
    if country is None:
        return []
    first = fold(currency.name).split()[0]
    names = (country.name, getattr(country, "common_name", None))
    return [
        f"{name} {currency.name}"
        for name in names
        if name and "," not in name and "(" not in name and fold(name)[:4] != first[:4]
    ]


def currencies() -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """ISO 4217: alphabetic code canonical; the currency name as synonym; issuer qualifiers."""
    kept = [c for c in pycountry.currencies if c.alpha_3 not in _NOT_CURRENCIES]
    owners = {c.alpha_3: [*_with_parts([c.name]), *_issuer_forms(c)] for c in kept}
    terms = _unique_names(owners)
    refused = [
        v for c in pycountry.currencies if c.alpha_3 in _NOT_CURRENCIES for v in (c.alpha_3, c.name)
    ]
    qualifiers = {c.alpha_3: names for c in kept if (names := qualifier_names(c))}
    return terms, _known(terms, refused), qualifiers


def languages() -> dict[str, list[str]]:
    """ISO 639-1 languages: alpha-2 canonical; alpha-3 (T and B) and names as synonyms."""
    owners: dict[str, list[str]] = {}
    for lang in pycountry.languages:
        if not hasattr(lang, "alpha_2"):
            continue
        keys = [lang.alpha_3, lang.name]
        keys += [getattr(lang, a) for a in ("bibliographic", "common_name") if hasattr(lang, a)]
        owners[lang.alpha_2] = keys
    return _unique_names(owners)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_toml(  # noqa: PLR0917 - one argument per part of the file
    name: str,
    description: str,
    terms: Mapping[str, Sequence[str]],
    known: Sequence[str],
    short_names: Mapping[str, Sequence[str]],
    qualifiers: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The TOML text of one vocabulary."""
    lines = [
        "# Generated by scripts/generate_vocab.py -- do not edit by hand.",
        "[vocabulary]",
        f"name = {_q(name)}",
        f"version = {_q(VERSION)}",
        f"description = {_q(description)}",
        f"source = {_q(_SOURCE)}",
        f"license = {_q(_LICENSE)}",
        f"generated_by = {_q('scripts/generate_vocab.py')}",
        "",
        "[terms]",
    ]
    lines += [f"{_q(c)} = [{', '.join(_q(s) for s in terms[c])}]" for c in sorted(terms)]
    lines += ["", "[distinct]", "pairs = ["]
    lines += [f"  [{_q(a)}, {_q(b)}]," for a, b in _distinct_pairs(short_names)]
    lines += ["]", "", "[known_other]", "terms = ["]
    lines += [f"  {_q(t)}," for t in known]
    lines += ["]", ""]
    if qualifiers:
        lines += ["[qualifiers]"]
        lines += [
            f"{_q(c)} = [{', '.join(_q(n) for n in qualifiers[c])}]" for c in sorted(qualifiers)
        ]
        lines += [""]
    return "\n".join(lines)


def render_csv(
    name: str,
    description: str,
    terms: Mapping[str, Sequence[str]],
    short_names: Mapping[str, Sequence[str]],
) -> str:
    """The CSV text of one vocabulary (synonyms joined with ``|``)."""
    lines = [
        f"# name: {name}",
        f"# version: {VERSION}",
        f"# description: {description}",
        f"# source: {_SOURCE}",
        f"# license: {_LICENSE}",
        "# generated_by: scripts/generate_vocab.py (do not edit by hand)",
    ]
    lines += [f"# distinct: {a}|{b}" for a, b in _distinct_pairs(short_names)]
    lines.append("canonical,synonyms")
    for canonical in sorted(terms):
        joined = "|".join(terms[canonical])
        cell = f'"{joined}"' if "," in joined or '"' in joined else joined
        lines.append(f"{canonical},{cell}")
    return "\n".join(lines) + "\n"


def _short(
    terms: Mapping[str, Sequence[str]], attrs: Sequence[str], db: Iterable[object], key: str
) -> dict[str, list[str]]:
    """Each canonical's everyday names (``name``, ``common_name``) that survived `_unique_names`."""
    out: dict[str, list[str]] = {}
    for record in db:
        canonical = getattr(record, key, None)
        if isinstance(canonical, str) and canonical in terms:
            kept = set(terms[canonical])
            out[canonical] = [getattr(record, a) for a in attrs if getattr(record, a, None) in kept]
    return out


def build() -> dict[str, str]:
    """Every vocabulary file's name and text."""
    country_terms, country_known = countries()
    currency_terms, currency_known, currency_qualifiers = currencies()
    language_terms = languages()
    names = ("name", "common_name")
    return {
        "countries.toml": render_toml(
            "countries",
            "ISO 3166-1 countries: alpha-2 code canonical; alpha-3 code, short, common and "
            "official names as synonyms. Withdrawn countries (ISO 3166-3) and subdivision "
            "names (ISO 3166-2) are known but not allowed.",
            country_terms,
            country_known,
            _short(country_terms, names, pycountry.countries, "alpha_2"),
        ),
        "currencies.toml": render_toml(
            "currencies",
            "ISO 4217 currencies: alphabetic code canonical; English name as synonym; the "
            "issuing country's names as qualifiers of a national currency. The testing (XTS) "
            "and no-currency (XXX) codes are known but not allowed.",
            currency_terms,
            currency_known,
            _short(currency_terms, names, pycountry.currencies, "alpha_3"),
            currency_qualifiers,
        ),
        "languages.csv": render_csv(
            "languages",
            "ISO 639-1 languages: alpha-2 code canonical; ISO 639-2 codes and names as synonyms.",
            language_terms,
            _short(language_terms, names, pycountry.languages, "alpha_2"),
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every vocabulary file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for filename, text in build().items():
        path = VOCAB_DIR / filename
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(filename)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
