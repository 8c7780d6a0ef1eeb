"""The PII evaluation: generated texts with planted entities and look-alikes, per-entity P/R.

Every value comes from a documented generator (below), seeded: ``--split tune`` (seed 1) is
the part the recognizers were tuned on, ``--split holdout`` (seed 2) is only reported. A text
holds one planted value (or a look-alike, or nothing) inside a template sentence. A planted
value counts as found when its entity is reported for the text *and* the redacted text no
longer contains it; any other entity reported for the text is a false positive.

Run: ``python scripts/pii_eval.py --split holdout --n 400``.
"""

# ruff: noqa: D101, D103, PLR2004, S311 - seeded, non-crypto generators named after what they make
from __future__ import annotations

import argparse
import ipaddress
import random
import string
from dataclasses import dataclass

import polars as pl
from stdnum import iban as stdnum_iban
from stdnum import luhn

import inputguard as ig

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


def samples(split: str, n: int) -> list[Sample]:
    """``n`` samples per entity plus ``n`` look-alikes per entity, for one split."""
    rng = random.Random({"tune": 1, "holdout": 2}[split])
    out = []
    for entity, make in GENERATORS.items():
        for _ in range(n):
            value = make(rng)
            out.append(Sample(rng.choice(TEMPLATES).format(value), entity, value))
    out.extend(
        Sample(rng.choice(TEMPLATES).format(look_alike(rng)), None, None)
        for _ in range(n * len(GENERATORS))
    )
    return out


def _scanned(texts: list[str], path: str) -> list[tuple[str, tuple[str, ...]]]:
    """The redacted text and the entities found, by the record path or the batch path."""
    validator = ig.pii("text")
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


def evaluate(split: str, n: int, path: str = "record") -> dict[str, dict[str, float]]:
    """Precision and recall per entity on one split, by the record or the batch path."""
    tp = dict.fromkeys(GENERATORS, 0)
    fp = dict.fromkeys(GENERATORS, 0)
    fn = dict.fromkeys(GENERATORS, 0)
    chosen = samples(split, n)
    for sample, (redacted, found) in zip(
        chosen, _scanned([s.text for s in chosen], path), strict=True
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
        for e in GENERATORS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "holdout"), default="holdout")
    parser.add_argument("--n", type=int, default=400, help="samples per entity")
    parser.add_argument("--path", choices=("record", "batch"), default="record")
    args = parser.parse_args()
    print(
        f"| entity | precision | recall | tp | fp | fn |  ({args.split}, n={args.n}, {args.path})"
    )
    print("|---|---|---|---|---|---|")
    for entity, m in evaluate(args.split, args.n, args.path).items():
        print(
            f"| {entity} | {m['precision']:.1%} | {m['recall']:.1%} | "
            f"{m['tp']:.0f} | {m['fp']:.0f} | {m['fn']:.0f} |"
        )


if __name__ == "__main__":
    main()
