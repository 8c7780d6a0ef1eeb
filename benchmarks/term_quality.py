"""Quality of terminology matching on labelled sets, beside a naive fuzzy baseline.

The vocabularies in ``vocab/`` are generated from pycountry (ISO 3166-1, ISO 4217). The labelled
sets here come from a different source, the Unicode CLDR English names shipped by ``babel``:

positives (label: the ISO code the value means)
    ``alt_name``  CLDR's English name of the country / currency ("Czechia", "Myanmar (Burma)",
                  "Albanian Lek"), whether or not pycountry spells it the same way;
    ``plural``    CLDR's English plural currency name ("US dollars");
    ``typo``      one seeded edit (delete, insert, substitute, transpose) of an ``alt_name``.

must-refuse (label: none)
    ``cldr_other``       CLDR names and codes that are not members: world regions, Kosovo, the
                         European Union, withdrawn currencies ("German Mark", "DEM");
    ``contains_member``  hand-listed real names that contain a member's name but are something
                         else ("New Mexico", "Belgian Congo", "Euro cent");
    ``equidistant``      one-edit variants of a CLDR name at the same edit distance from two
                         members' names ("Austrlia": Austria or Australia?).

Metrics per category: recall (correct / all), precision (correct / mapped) and, for
must-refuse categories, the false-accept rate (mapped / all). The baseline is
``rapidfuzz.process.extractOne(value, keys, scorer=WRatio, processor=default_process,
score_cutoff=80)`` over the same vocabulary's canonicals and synonyms.

This is the *reported* part of the evaluation. The *tuning* part (``term_tune_*.csv``, from
GeoNames, CLDR names in languages the vocabularies do not use and seeded edits of pycountry
names; see ``scripts/build_term_tune.py``) is the one settings may be chosen on.

Run ``python -m benchmarks.term_quality`` (reads ``benchmarks/data/``, both parts; ``--part``
picks one); ``--rebuild`` regenerates the reported part from babel first.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

from inputguard import Vocabulary
from inputguard._terminology.matching import fold

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DOMAINS = ("countries", "currencies")
POSITIVE = ("alt_name", "plural", "typo")
REFUSE = ("cldr_other", "contains_member", "equidistant")
_SEED = 20261122

# Real names that contain a member's name but mean something else (cities, seas, rivers,
# sub-national regions, historical entities, generic or sub-units of currencies).
_CONTAINS_MEMBER = {
    "countries": [
        "New Mexico",
        "New Jersey",
        "Western Australia",
        "South Australia",
        "Northern Ireland",
        "Mexico City",
        "Guatemala City",
        "Panama City",
        "Kuwait City",
        "Luxembourg City",
        "Djibouti City",
        "Indian Ocean",
        "Jordan River",
        "Niger River",
        "Congo River",
        "Belgian Congo",
        "British Honduras",
        "West Germany",
        "East Germany",
        "South Yemen",
        "North Yemen",
        "Spanish Sahara",
        "Portuguese Timor",
        "New Guinea",
        "Virgin Islands",
        "Korea",
        "Lake Chad",
        "Lake Malawi",
        "Gulf of Guinea",
        "Gulf of Mexico",
        "Sea of Japan",
        "Irish Sea",
        "Philippine Sea",
        "Greenland Sea",
        "Singapore Strait",
        "Andorra la Vella",
        "Panama Canal",
        "Dominican Order",
        "Cuba Libre",
        "Turkey Point",
    ],
    "currencies": [
        "Euro cent",
        "Eurodollar",
        "US Dollar Index",
        "Canadian cent",
        "Swiss centime",
        "Dollar",
        "Pound",
        "Franc",
        "Peso",
        "Dinar",
        "Rupee",
        "Krone",
        "Krona",
        "Shilling",
        "Bitcoin",
        "Tether",
        "Reichsmark",
        "Deutsche Mark",
        "Confederate Dollar",
        "Petrodollar",
        "Euro bond",
        "Yen carry trade",
        "Rand Refinery",
        "Real estate",
        "Pound cake",
    ],
}


@dataclass(frozen=True)
class Labelled:
    """One labelled value."""

    value: str
    expected: str | None
    category: str


# -- building the labelled sets (needs babel) --------------------------------------------------


def seeded_typo(rng: random.Random, text: str) -> str:
    """One random edit (delete, insert, substitute, transpose) of a letter inside ``text``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    chars = list(text)
    spots = [i for i in range(1, len(chars) - 1) if chars[i].isalpha()]
    i = rng.choice(spots)
    kind = rng.choice(("delete", "insert", "substitute", "transpose"))
    if kind == "delete":
        del chars[i]
    elif kind == "insert":
        chars.insert(i, rng.choice(letters))
    elif kind == "substitute":
        chars[i] = rng.choice([c for c in letters if c != chars[i].lower()])
    elif chars[i + 1].isalpha() and chars[i + 1] != chars[i]:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        del chars[i]
    return "".join(chars)


def one_edit_variants(text: str) -> list[str]:
    """Every text one deletion, substitution or insertion of a letter away from ``text``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = {text[:i] + text[i + 1 :] for i in range(1, len(text))}
    out |= {text[:i] + c + text[i + 1 :] for i in range(1, len(text)) for c in letters}
    out |= {text[:i] + c + text[i:] for i in range(1, len(text)) for c in letters}
    return sorted(out)


def build(domain: str, vocab: Vocabulary) -> list[Labelled]:
    """The labelled set of one domain, from babel's CLDR English data."""
    from babel import Locale  # noqa: PLC0415 - only needed to rebuild
    from babel.numbers import get_currency_name  # noqa: PLC0415

    en = Locale("en")
    members = set(vocab.canonicals)
    keys = {fold(k) for c, syns in vocab.terms.items() for k in (c, *syns)}
    if domain == "countries":
        names = {code: name for code, name in en.territories.items() if len(code) == 2}
        others = {code: name for code, name in en.territories.items() if code not in members}
        plural: dict[str, str] = {}
    else:
        names = {code: name for code, name in en.currencies.items() if code in members}
        others = {code: name for code, name in en.currencies.items() if code not in members}
        plural = {code: get_currency_name(code, count=2, locale="en") for code in names}
    rows = [
        Labelled(name, code, "alt_name") for code, name in sorted(names.items()) if code in members
    ]
    rows += [Labelled(p, code, "plural") for code, p in sorted(plural.items()) if p != names[code]]
    rng = random.Random(_SEED)
    for row in list(rows):
        if row.category == "alt_name" and len(fold(row.value).replace(" ", "")) >= 6:
            typo = seeded_typo(rng, row.value)
            if fold(typo) not in keys:
                rows.append(Labelled(typo, row.expected, "typo"))
    for code, name in sorted(others.items()):
        rows.append(Labelled(name, None, "cldr_other"))
        if code.isalpha() and code not in {"XA", "XB", "ZZ"}:
            rows.append(Labelled(code, None, "cldr_other"))
    rows += [Labelled(n, None, "contains_member") for n in _CONTAINS_MEMBER[domain]]
    short = {c: n for c, n in names.items() if c in members and len(n) >= 5}
    pairs = [
        (a, b)
        for a in sorted(short)
        for b in sorted(short)
        if a < b and fuzz.ratio(fold(short[a]), fold(short[b])) >= 75
    ]
    for a, b in pairs:
        x, y = short[a], short[b]
        near = [
            s
            for s in one_edit_variants(x) + one_edit_variants(y)
            if fold(s) not in keys
            and Levenshtein.distance(fold(s), fold(x)) == Levenshtein.distance(fold(s), fold(y))
        ]
        rows += [Labelled(s, None, "equidistant") for s in rng.sample(near, min(3, len(near)))]
    return list(dict.fromkeys(rows))  # one row per (value, label, category)


def save(domain: str, rows: Sequence[Labelled]) -> Path:
    """Write a labelled set as CSV (value, expected, category)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"term_labels_{domain}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["value", "expected", "category"])
        writer.writerows([r.value, r.expected or "", r.category] for r in rows)
    return path


PARTS = {"tune": "term_tune_{}.csv", "report": "term_labels_{}.csv"}


def load(domain: str, part: str = "report") -> list[Labelled]:
    """Read a labelled set: the reported part (written by `save`) or the tuning part.

    The tuning part is written by ``scripts/build_term_tune.py`` from other sources (GeoNames,
    CLDR names in languages the vocabularies do not use, seeded edits of pycountry names).
    """
    with (DATA / PARTS[part].format(domain)).open(encoding="utf-8", newline="") as handle:
        return [
            Labelled(r["value"], r["expected"] or None, r["category"])
            for r in csv.DictReader(handle)
        ]


# -- scoring ----------------------------------------------------------------------------------

Decide = Callable[[Sequence[str]], list[str | None]]


def inputguard_decider(vocab: Vocabulary, **settings: float) -> Decide:
    """inputguard's matcher (fresh cache) with the given fuzzy settings."""

    def decide(values: Sequence[str]) -> list[str | None]:
        return [m.canonical for m in vocab.match(values, **settings)]  # type: ignore[arg-type]

    return decide


def naive_decider(vocab: Vocabulary) -> Decide:
    """extractOne(WRatio, score_cutoff=80) over every canonical and synonym."""
    owner = {k: c for c, syns in vocab.terms.items() for k in (c, *syns)}
    keys = list(owner)

    def decide(values: Sequence[str]) -> list[str | None]:
        out: list[str | None] = []
        for value in values:
            hit = process.extractOne(
                value, keys, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
            )
            out.append(None if hit is None else owner[hit[0]])
        return out

    return decide


def score(rows: Sequence[Labelled], decide: Decide) -> dict[str, dict[str, float]]:
    """Per category and overall: n, mapped, correct, precision, recall, false_accept."""
    got = decide([r.value for r in rows])
    table: dict[str, dict[str, float]] = {}
    for group in [*dict.fromkeys(r.category for r in rows), "positives", "must_refuse", "all"]:
        picked = [
            (r, g)
            for r, g in zip(rows, got, strict=True)
            if group in ("all", r.category)
            or (group == "positives" and r.expected is not None)
            or (group == "must_refuse" and r.expected is None)
        ]
        n = len(picked)
        mapped = sum(g is not None for _, g in picked)
        correct = sum(g is not None and g == r.expected for r, g in picked)
        positives = sum(r.expected is not None for r, _ in picked)
        refuse = [g for r, g in picked if r.expected is None]
        table[group] = {
            "n": n,
            "mapped": mapped,
            "correct": correct,
            "precision": (correct / mapped if mapped else 1.0) if positives else float("nan"),
            "recall": correct / positives if positives else float("nan"),
            "false_accept": sum(g is not None for g in refuse) / len(refuse)
            if refuse
            else float("nan"),
        }
    return table


def _pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"  # noqa: PLR0124 - NaN check


def report(
    title: str, ours: dict[str, dict[str, float]], naive: dict[str, dict[str, float]]
) -> None:
    """Print one domain's table."""
    print(f"\n## {title}")
    print(
        f"{'category':<16} {'n':>5}   {'inputguard: prec  recall  false-acc':<36} "
        "naive WRatio>=80: prec  recall  false-acc"
    )
    for group, row in ours.items():
        base = naive[group]
        print(
            f"{group:<16} {int(row['n']):>5}   "
            f"{_pct(row['precision'])} {_pct(row['recall'])} {_pct(row['false_accept'])}"
            f"{'':<16}{_pct(base['precision'])} {_pct(base['recall'])} {_pct(base['false_accept'])}"
        )


def main(argv: list[str] | None = None) -> None:
    """Evaluate inputguard and the naive baseline on the labelled sets."""
    parser = argparse.ArgumentParser(description="terminology matching quality")
    parser.add_argument("--rebuild", action="store_true", help="regenerate labels from babel")
    parser.add_argument("--domain", choices=DOMAINS, action="append")
    parser.add_argument("--cutoff", type=float, default=85.0)
    parser.add_argument("--margin", type=float, default=5.0)
    parser.add_argument("--no-fuzzy", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show-errors", action="store_true", help="list wrong decisions")
    parser.add_argument(
        "--part",
        choices=[*PARTS, "both"],
        default="both",
        help="tune (the part settings are chosen on), report (only reported), or both",
    )
    args = parser.parse_args(argv)
    figures: dict[str, dict[str, object]] = {}
    parts = list(PARTS) if args.part == "both" else [args.part]
    for domain, part in [(d, p) for d in args.domain or DOMAINS for p in parts]:
        vocab = Vocabulary.from_file(ROOT / "vocab" / f"{domain}.toml")
        if args.rebuild and part == "report":
            print(f"wrote {save(domain, build(domain, vocab))}")
        rows = load(domain, part)
        decide = inputguard_decider(
            vocab, fuzzy=not args.no_fuzzy, cutoff=args.cutoff, margin=args.margin
        )
        ours, naive = score(rows, decide), score(rows, naive_decider(vocab))
        report(f"{domain}, {part} part", ours, naive)
        figures[f"{domain}/{part}"] = {"inputguard": ours, "naive": naive}
        if args.show_errors:
            for row, got in zip(rows, decide([r.value for r in rows]), strict=True):
                if got is not None and got != row.expected:
                    print(
                        f"  WRONG  {row.category:<16} {row.value!r} -> {got} (want {row.expected})"
                    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
