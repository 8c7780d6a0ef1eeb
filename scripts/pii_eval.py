"""The PII evaluation: generated texts with planted entities and look-alikes, per-entity P/R.

Every value comes from a documented generator (below), seeded: ``--split tune`` (seed 1) is
the part the recognizers were tuned on, ``--split holdout`` (seed 2) is only reported. A text
holds one planted value (or a look-alike, or nothing) inside a template sentence. A planted
value counts as found when its entity is reported for the text *and* the redacted text no
longer contains it; any other entity reported for the text is a false positive.

Run: ``python scripts/pii_eval.py --split holdout --n 400``. ``--national`` evaluates the opt-in
national identifiers instead (`NATIONAL_GENERATORS`, their look-alikes), scanned together with
every default entity, so that a national identifier read as a card or a phone number (or the
reverse) counts against both; `GENERATORS` and the default table do not change with it.
"""

# ruff: noqa: D101, D103, PLR2004, S311 - seeded, non-crypto generators named after what they make
from __future__ import annotations

import argparse
import ipaddress
import itertools
import random
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from stdnum import iban as stdnum_iban
from stdnum import luhn

import inputguard as ig
from inputguard._pii.entities import NATIONAL
from inputguard._pii.validator import DEFAULT_ENTITIES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

TEMPLATES = (
    "{}",
    "Please contact {} today.",
    "ref: {} (see ticket)",
    "Customer wrote: my details are {}, thanks",
    "{} -- forwarded",
)
WORDS = ("ada", "lin", "maria", "ops", "billing", "jsmith", "k.tanaka", "li_wei")
DOMAINS = ("example.com", "mail.example.org", "example.co.uk", "corp.example.net")
# Card prefixes and lengths from the schemes' published IIN ranges.
CARD_PREFIXES = (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
                 ("6011", 16), ("65", 16), ("3528", 16), ("36", 14), ("62", 16))  # fmt: skip
NANP_AREAS = ("212", "415", "312", "617", "202", "305", "206", "713", "404", "303", "702",
              "503", "512", "808", "907", "646", "718", "818", "213", "469")  # fmt: skip
IBAN_BBAN = {"DE": "18n", "FR": "23n", "NL": "4a10n", "GB": "4a14n", "ES": "20n", "IT": "1a22n"}


@dataclass(frozen=True)
class Sample:
    text: str
    entity: str | None  # None: a look-alike or plain text; nothing may be reported
    value: str | None


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def card(rng: random.Random) -> str:
    prefix, length = rng.choice(CARD_PREFIXES)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    number = body + luhn.calc_check_digit(body)
    if length == 16 and rng.random() < 0.5:
        sep = rng.choice(" -")
        number = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def bad_card(rng: random.Random) -> str:
    number = card(rng).replace(" ", "").replace("-", "")
    last = str((int(number[-1]) + rng.randint(1, 9)) % 10)  # breaks Luhn
    return number[:-1] + last


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_BBAN))
    spec = IBAN_BBAN[country]
    letters = int(spec.split("a")[0]) if "a" in spec else 0
    numbers = int(spec.split("a")[-1].rstrip("n"))
    bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(letters)) + _digits(
        rng, numbers
    )
    compact = country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban
    return stdnum_iban.format(compact) if rng.random() < 0.5 else compact


def bad_iban(rng: random.Random) -> str:
    good = iban(rng).replace(" ", "")
    check = (int(good[2:4]) + rng.randint(1, 96)) % 97
    return good[:2] + f"{check:02d}" + good[4:]


def email(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}{rng.randint(0, 99)}@{rng.choice(DOMAINS)}"


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def ip(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return str(ipaddress.IPv4Address(rng.getrandbits(32)))
    return str(ipaddress.IPv6Address(rng.getrandbits(128)))


def phone(rng: random.Random) -> str:
    # NANP: assigned area codes, 555-0100..0199 (the range reserved for fiction);
    # UK: 020 7946 0000..0999 (Ofcom's drama range for London).
    area = rng.choice(NANP_AREAS)
    line = f"555-01{rng.randint(0, 99):02d}"
    styles = (
        f"({area}) {line}",
        f"{area}-{line}",
        f"+1 {area} {line.replace('-', ' ')}",
        f"{area}.{line.replace('-', '.')}",
        f"+44 20 7946 0{rng.randint(0, 999):03d}",
    )
    return rng.choice(styles)


def secret(rng: random.Random) -> str:
    alnum = string.ascii_letters + string.digits
    kinds = (
        "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        "ghp_" + "".join(rng.choice(alnum) for _ in range(36)),
        "xoxb-" + _digits(rng, 11) + "-" + "".join(rng.choice(alnum) for _ in range(24)),
        "sk_live_" + "".join(rng.choice(alnum) for _ in range(24)),
        "-----BEGIN PRIVATE KEY-----\nMIIE" + "".join(rng.choice(alnum) for _ in range(40))
        + "\n-----END PRIVATE KEY-----",
    )  # fmt: skip
    return rng.choice(kinds)


def url_credentials(rng: random.Random) -> str:
    password = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
    return f"https://{rng.choice(WORDS)}:{password}@{rng.choice(DOMAINS)}/path"


def look_alike(rng: random.Random) -> str:
    choices = (
        bad_card(rng),
        bad_iban(rng),
        f"ORD-{rng.randint(2020, 2026)}-{_digits(rng, 6)}",
        f"order #{_digits(rng, 8)}",
        f"v{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 200)}",
        f"10.0.{rng.randint(10000, 22000)}.{rng.randint(0, 9)}",  # a Windows build number
        f"{rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        f"ISBN 978-{rng.randint(0, 9)}-{_digits(rng, 3)}-{_digits(rng, 5)}-{rng.randint(0, 9)}",
        f"pages {rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        f"{rng.choice(['000', '666', '912'])}-{_digits(rng, 2)}-{_digits(rng, 4)}",
        f"{rng.choice(WORDS)} at {rng.choice(DOMAINS)}",
        f"https://{rng.choice(DOMAINS)}/u/{rng.choice(WORDS)}",
        "ghp_short" + _digits(rng, 4),
        f"zip {_digits(rng, 5)}",
    )
    return rng.choice(choices)


GENERATORS = {
    "email": email,
    "phone": phone,
    "card": card,
    "iban": iban,
    "us_ssn": ssn,
    "ip": ip,
    "secret": secret,
    "url_credentials": url_credentials,
}


# -- national identifiers (opt-in entities): generators written from the published rules ----

# Spain: the DNI's check letter is this table's letter at (number mod 23) (Ministerio del
# Interior); a NIE's leading X, Y or Z counts as 0, 1 or 2.
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
# Italy (DM 23/12/1976): the codice fiscale's month letters, January to December, the digits'
# stand-ins when two people would share a code (omocodia), and the values of the characters in
# odd positions (1st, 3rd, ...; a digit counts as the letter at its index, 0 as A); in even
# positions a digit counts as itself and a letter as its index (A = 0). The check letter is the
# letter at (sum mod 26).
CF_MONTHS = "ABCDEHLMPRST"
CF_OMOCODIA = "LMNPQRSTUV"
CF_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25,
          24, 23)  # fmt: skip
# Verhoeff's check (Aadhaar): the dihedral group D5's multiplication table, the permutation
# applied to a digit at each position (its powers), and the inverses.
VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
VERHOEFF_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
VERHOEFF_P = [tuple(range(10))]
for _ in range(7):
    VERHOEFF_P.append(tuple(VERHOEFF_P[-1][VERHOEFF_P1[j]] for j in range(10)))
VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _other(rng: random.Random, right: str, alphabet: str) -> str:
    return rng.choice([c for c in alphabet if c != right])


def dni_number(rng: random.Random) -> tuple[str, str]:
    """A DNI or NIE without its check letter, and the letter."""
    if rng.random() < 0.7:
        digits = _digits(rng, 8)
        return digits, DNI_LETTERS[int(digits) % 23]
    prefix = rng.choice("XYZ")
    digits = _digits(rng, 7)
    return prefix + digits, DNI_LETTERS[int(str("XYZ".index(prefix)) + digits) % 23]


def _dni_text(number: str, letter: str, rng: random.Random) -> str:
    if rng.random() < 0.3:  # with hyphens, as often printed
        number = f"{number[0]}-{number[1:]}" if number[0] in "XYZ" else number
        return f"{number}-{letter}"
    return number + letter


def es_dni(rng: random.Random) -> str:
    number, letter = dni_number(rng)
    return _dni_text(number, letter, rng)


def cf_check(first15: str) -> str:
    total = 0
    for i, c in enumerate(first15):
        index = int(c) if c.isdigit() else ord(c) - ord("A")
        total += CF_ODD[index] if i % 2 == 0 else index
    return string.ascii_uppercase[total % 26]


def cf_first15(rng: random.Random, day: int | None = None) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    if day is None:
        day = rng.randint(1, 28) + rng.choice((0, 40))  # women: day + 40
    place = rng.choice(string.ascii_uppercase[:13] + "Z") + _digits(rng, 3)
    code = f"{letters}{_digits(rng, 2)}{rng.choice(CF_MONTHS)}{day:02d}{place}"
    if rng.random() < 0.1:  # omocodia: the last digits of the place replaced
        code = code[:-1] + CF_OMOCODIA[int(code[-1])]
    return code


def it_fiscal_code(rng: random.Random) -> str:
    first = cf_first15(rng)
    return first + cf_check(first)


def nir_key(first13: str) -> str:
    # INSEE: key = 97 - (13 first characters mod 97), Corsica's 2A and 2B counted as 19 and 18.
    number = first13[:5] + {"2A": "19", "2B": "18"}.get(first13[5:7], first13[5:7]) + first13[7:]
    return f"{97 - int(number) % 97:02d}"


def nir_first13(rng: random.Random, month: int | None = None) -> str:
    department = rng.choice([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"])
    month = rng.randint(1, 12) if month is None else month
    serial = f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    return f"{rng.choice('12')}{_digits(rng, 2)}{month:02d}{department}{serial}"


def _nir_text(first13: str, key: str, rng: random.Random) -> str:
    compact = first13 + key
    style = rng.random()
    if style < 0.4:
        return compact
    if style < 0.8:  # the carte Vitale's groups
        cuts = (0, 1, 3, 5, 7, 10, 13, 15)
        return " ".join(compact[a:b] for a, b in itertools.pairwise(cuts))
    return f"{first13} {key}"


def fr_nir(rng: random.Random) -> str:
    first = nir_first13(rng)
    return _nir_text(first, nir_key(first), rng)


def cpf_checks(nine: str) -> str:
    # Receita Federal: weights 10..2, then 11..2 over the 9 digits and the first check digit;
    # a remainder (mod 11) below 2 gives 0, otherwise 11 - remainder.
    digits = [int(c) for c in nine]
    for weights in (range(10, 1, -1), range(11, 1, -1)):
        remainder = sum(w * d for w, d in zip(weights, digits, strict=False)) % 11
        digits.append(0 if remainder < 2 else 11 - remainder)
    return f"{digits[9]}{digits[10]}"


def _cpf_text(nine: str, checks: str) -> str:
    return f"{nine[:3]}.{nine[3:6]}.{nine[6:]}-{checks}"


def br_cpf(rng: random.Random) -> str:
    nine = _digits(rng, 9)
    while len(set(nine)) == 1:
        nine = _digits(rng, 9)
    return _cpf_text(nine, cpf_checks(nine))


def verhoeff_check(number: str) -> str:
    c = 0
    for i, digit in enumerate(reversed(number)):
        c = VERHOEFF_D[c][VERHOEFF_P[(i + 1) % 8][int(digit)]]
    return str(VERHOEFF_INV[c])


def _aadhaar_text(twelve: str, rng: random.Random) -> str:
    return (" " if rng.random() < 0.8 else "-").join(twelve[i : i + 4] for i in (0, 4, 8))


def in_aadhaar(rng: random.Random) -> str:
    eleven = str(rng.randint(2, 9)) + _digits(rng, 10)
    return _aadhaar_text(eleven + verhoeff_check(eleven), rng)


def national_look_alike(rng: random.Random) -> str:
    """A look-alike of a national identifier (or, one time in four, of a default entity)."""
    if rng.random() < 0.25:
        return look_alike(rng)
    dni, letter = dni_number(rng)
    cf = cf_first15(rng)
    nir = nir_first13(rng)
    nine = _digits(rng, 9)
    eleven = str(rng.randint(2, 9)) + _digits(rng, 10)
    sixteen = bad_card(rng).replace(" ", "")
    choices = (
        _dni_text(dni, _other(rng, letter, DNI_LETTERS), rng),  # wrong check letter
        f"{_digits(rng, rng.choice((7, 9)))}{rng.choice(DNI_LETTERS)}",  # 7 or 9 digits
        f"SKU{dni}{letter}",  # glued to letters: part of a longer code
        cf + _other(rng, cf_check(cf), string.ascii_uppercase),  # wrong check letter
        (cf35 := cf_first15(rng, day=35)) + cf_check(cf35),  # no 35th day (right check letter)
        "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        _nir_text(nir, f"{(int(nir_key(nir)) + rng.randint(1, 96)) % 97:02d}", rng),  # wrong key
        (n13 := nir_first13(rng, month=rng.randint(13, 19))) + nir_key(n13),  # no month 13-19
        f"0{rng.randint(1, 7)} " + " ".join(_digits(rng, 2) for _ in range(4)),  # French phone
        _cpf_text(nine, f"{(int(cpf_checks(nine)) + rng.randint(1, 99)) % 100:02d}"),  # checks
        _cpf_text(str(rng.randint(1, 9)) * 9, str(rng.randint(1, 9)) * 2),  # repeated digit
        f"({_digits(rng, 2)}) 9{_digits(rng, 4)}-{_digits(rng, 4)}",  # Brazilian mobile
        f"{_digits(rng, 2)}.{_digits(rng, 3)}.{_digits(rng, 3)}/0001-{_digits(rng, 2)}",  # CNPJ
        _aadhaar_text(eleven + str((int(verhoeff_check(eleven)) + rng.randint(1, 9)) % 10), rng),
        _aadhaar_text((one := "1" + _digits(rng, 10)) + verhoeff_check(one), rng),  # first digit 1
        " ".join(sixteen[i : i + 4] for i in range(0, 16, 4)),  # a 16-digit number in fours
        f"9{_digits(rng, 4)} {_digits(rng, 5)}",  # Indian mobile, no country code
        " ".join(_digits(rng, 3) for _ in range(3)),  # Spanish phone-like 3-3-3 groups
    )
    return rng.choice(choices)


NATIONAL_GENERATORS = {
    "es_dni": es_dni,
    "it_fiscal_code": it_fiscal_code,
    "fr_nir": fr_nir,
    "br_cpf": br_cpf,
    "in_aadhaar": in_aadhaar,
}


def samples(
    split: str,
    n: int,
    generators: Mapping[str, Callable[[random.Random], str]] = GENERATORS,
    look: Callable[[random.Random], str] = look_alike,
) -> list[Sample]:
    """``n`` samples per entity plus ``n`` look-alikes per entity, for one split."""
    rng = random.Random({"tune": 1, "holdout": 2}[split])
    out = []
    for entity, make in generators.items():
        for _ in range(n):
            value = make(rng)
            out.append(Sample(rng.choice(TEMPLATES).format(value), entity, value))
    out.extend(
        Sample(rng.choice(TEMPLATES).format(look(rng)), None, None)
        for _ in range(n * len(generators))
    )
    return out


def _scanned(
    texts: list[str], path: str, entities: tuple[str, ...] = DEFAULT_ENTITIES
) -> list[tuple[str, tuple[str, ...]]]:
    """The redacted text and the entities found, by the record path or the batch path."""
    validator = ig.pii("text", entities=entities)
    if path == "record":
        return [validator.scan(t) for t in texts]
    result = ig.Guard([validator], name="pii-eval").validate(pl.DataFrame({"text": texts}))
    if result.quarantined.height:  # every entity redacts: nothing is quarantined
        raise SystemExit(f"{result.quarantined.height} rows quarantined")
    rows = result.accepted.sort("row_id")
    out = []
    for text, warnings in zip(rows["text"], rows["warnings"], strict=True):
        found = tuple(w.split(".")[1] for w in warnings if w.startswith("pii."))
        out.append((text, found))
    return out


def evaluate(
    split: str, n: int, path: str = "record", *, national: bool = False
) -> dict[str, dict[str, float]]:
    """Precision and recall per entity on one split, by the record or the batch path.

    With ``national``, the national identifiers' samples, scanned with every deterministic
    entity; a default entity that reports something there gets a row of its own (tp 0).
    """
    generators = NATIONAL_GENERATORS if national else GENERATORS
    entities = (*DEFAULT_ENTITIES, *NATIONAL) if national else DEFAULT_ENTITIES
    tp = dict.fromkeys(entities, 0)
    fp = dict.fromkeys(entities, 0)
    fn = dict.fromkeys(entities, 0)
    chosen = (
        samples(split, n, NATIONAL_GENERATORS, national_look_alike)
        if national
        else samples(split, n)
    )
    for sample, (redacted, found) in zip(
        chosen, _scanned([s.text for s in chosen], path, entities), strict=True
    ):
        for entity in found:
            if entity != sample.entity:
                fp[entity] += 1
        if sample.entity is not None and sample.value is not None:
            hit = sample.entity in found and sample.value not in redacted
            tp[sample.entity] += hit
            fn[sample.entity] += not hit
    return {
        e: {
            "precision": tp[e] / (tp[e] + fp[e]) if tp[e] + fp[e] else 1.0,
            "recall": tp[e] / (tp[e] + fn[e]) if tp[e] + fn[e] else 1.0,
            "tp": tp[e],
            "fp": fp[e],
            "fn": fn[e],
        }
        for e in (*generators, *(e for e in entities if e not in generators and fp[e]))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "holdout"), default="holdout")
    parser.add_argument("--n", type=int, default=400, help="samples per entity")
    parser.add_argument("--path", choices=("record", "batch"), default="record")
    parser.add_argument(
        "--national", action="store_true", help="the opt-in national identifiers instead"
    )
    args = parser.parse_args()
    kind = ", national" if args.national else ""
    print(
        f"| entity | precision | recall | tp | fp | fn |  "
        f"({args.split}, n={args.n}, {args.path}{kind})"
    )
    print("|---|---|---|---|---|---|")
    for entity, m in evaluate(args.split, args.n, args.path, national=args.national).items():
        print(
            f"| {entity} | {m['precision']:.1%} | {m['recall']:.1%} | "
            f"{m['tp']:.0f} | {m['fp']:.0f} | {m['fn']:.0f} |"
        )


if __name__ == "__main__":
    main()
