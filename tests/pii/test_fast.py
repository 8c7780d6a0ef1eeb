"""The batch path's vectorized shortcuts answer as the Python decisions do.

A shortcut answers *yes* (the entity runs from a start to the candidate's end), *no*, or
*undecided* for each distinct candidate; every answer it gives must be `Entity.find`'s.
"""

from __future__ import annotations

import importlib
import random
import re
import sys
from pathlib import Path
from typing import Any

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inputguard._pii import checks, fast
from inputguard._pii.entities import ENTITIES, Entity, match_phone
from inputguard._pii.phone_fast import phone_hits as fast_phone_hits
from inputguard._pii.phone_fast import phone_span

from .test_pii import FRAGMENTS, TEXTS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
pii_eval: Any = importlib.import_module("pii_eval")  # the evaluation's generators

FAST = [e for e in ENTITIES.values() if e.fast is not None]

# Texts dense in digit runs, separators and boundaries: cards with a digit too many, SSNs in
# longer dashed numbers, dotted quads with leading zeros, IBANs with a letter glued on.
DIGITS = st.text(alphabet="0123456789 -.:()+/AZax>\n,$", min_size=1, max_size=40)
CANDIDATE_TEXTS = st.one_of(TEXTS, DIGITS)


def answers(entity: Entity, texts: list[str], region: str = "US") -> list[tuple[str, Any, Any]]:
    pattern = re.compile(entity.pattern)
    candidates = sorted({m.group() for t in texts for m in pattern.finditer(t)})
    assert entity.fast is not None
    spans = entity.fast(pl.Series(candidates, dtype=pl.String), region)
    assert spans.columns == ["start", "end"]
    assert spans.height == len(candidates)
    return list(zip(candidates, spans["start"], spans["end"], strict=True))


def reference(entity: Entity) -> Any:
    """The decision a shortcut must agree with (for phone numbers: the matcher itself)."""
    return match_phone if entity.name == "phone" else entity.find


def check(entity: Entity, texts: list[str], region: str = "US") -> tuple[int, int]:
    """Assert every answer is the decision's; return how many were yes and no."""
    yes = no = 0
    decide = reference(entity)
    for candidate, start, end in answers(entity, texts, region):
        if start is None:
            continue
        expected = [] if start < 0 else [(start, end)]
        assert decide(candidate, region) == expected, (entity.name, candidate, start)
        yes, no = yes + (start >= 0), no + (start < 0)
    return yes, no


def test_the_shortcuts() -> None:
    assert {e.name for e in FAST} == {
        "secret",
        "url_credentials",
        "email",
        "iban",
        "card",
        "us_ssn",
        "ip",
        "phone",
    }


@pytest.mark.parametrize("entity", FAST, ids=lambda e: e.name)
@settings(max_examples=200)
@given(texts=st.lists(CANDIDATE_TEXTS, min_size=1, max_size=8))
def test_every_answer_is_the_decisions(entity: Entity, texts: list[str]) -> None:
    check(entity, texts)


@pytest.mark.parametrize("entity", FAST, ids=lambda e: e.name)
def test_the_evaluation_values_are_decided_and_agree(entity: Entity) -> None:
    rng = random.Random(11)
    texts = [pii_eval.GENERATORS[entity.name](rng) for _ in range(300)]
    texts += [pii_eval.look_alike(rng) for _ in range(300)]
    texts += [f" {t}" for t in FRAGMENTS]
    yes, no = check(entity, texts)
    assert yes >= 100
    if entity.name in ("iban", "us_ssn", "ip", "email"):
        assert no > 0


@settings(max_examples=300)
@given(texts=st.lists(st.text(alphabet="ab9Z.-_%+@ \n>", min_size=1, max_size=30), max_size=8))
def test_email_answers_on_dense_addresses(texts: list[str]) -> None:
    # dots, hyphens and "@" in every position: leading and doubled dots, trailing hyphens,
    # one-letter or digit top-level domains, empty labels
    check(ENTITIES["email"], [*texts, "a@b.co"])


def test_url_credentials_already_redacted_and_non_ascii() -> None:
    texts = ["https://<CREDENTIALS>@example.com", "ftp://j\u00f6rg:p\u00e4ss@host.example"]
    assert check(ENTITIES["url_credentials"], texts) == (1, 1)


@pytest.mark.parametrize(
    ("candidate", "start"),
    [
        (" 4111 1111 1111 1111", 1),
        ("4111-1111-1111-1111", 0),
        ("4111 1111-1111 1111", -1),  # mixed: no window of one separator has 12 digits
        ("4111 1111 1111 1111-2", None),  # mixed separators: the Python decision
        (" 4111111111111112", None),  # fails Luhn: a shorter window may still be a card
        (" +44 20 7946 0123", -1),  # no 12-digit group, no 4-4-4: no window is a card
        (" 4111 1111 1111", None),  # 4-4-4 may hold a 12-digit card (Maestro)
        ("3530111333300000", 0),  # JCB
        (" 9999999999999999999", None),  # 19 digits, no issuer: a window may be one
    ],
)
def test_card_answers(candidate: str, start: int | None) -> None:
    assert fast.card_hits(pl.Series([candidate]), "US")["start"].to_list() == [start]


def test_card_number_check_and_mod97_expression() -> None:
    numbers = ["4111111111111111", "4111111111111112", "79927398713", "0", "18", "9" * 19]
    numbers += ["378282246310005", "6011111111111117", "0004111111111111", "2720999999999996"]
    got = fast.card_number_valid(
        pl.Series([int(n) for n in numbers], dtype=pl.UInt64),
        pl.Series([len(n) for n in numbers]),
    ).to_list()
    expected = [checks.luhn_valid(n) and checks.card_issuer(n) is not None for n in numbers]
    assert got == expected
    assert got[:2] == [True, False]
    assert fast.card_number_valid(
        pl.Series([None], dtype=pl.UInt64), pl.Series([16])
    ).to_list() == [False]
    big = ["1" * 70, "97", "123456789012345678901234567890", ""]
    got = pl.DataFrame({"n": big}).select(fast.mod97_expr(pl.col("n"))).to_series().to_list()
    assert got == [int(n or "0") % 97 for n in big]


# -- phone numbers: every region's example numbers, in every shape ---------------------------

_TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
]
_FORMATS = [
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
]


def _example_texts() -> list[str]:
    out: set[str] = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for form in _FORMATS:
                written = phonenumbers.format_number(number, form)
                for variant in (written, written.replace(" ", "-"), written.replace("-", " ")):
                    out.update(b + variant for b in ("", " ", ":", "$", "[", "\u00e9"))
    return sorted(out)


EXAMPLES = _example_texts()


# Candidates dense in digits and the separators phone numbers are written with.
PHONE_DIGITS = st.lists(
    st.text(alphabet="0123456789 -.()+", min_size=7, max_size=20).map(" {}".format),
    min_size=1,
    max_size=10,
)


@pytest.mark.parametrize("region", ["US", "GB", "DE", "IN", "BR"])
def test_phone_answers_on_every_regions_examples(region: str) -> None:
    yes, no = check(ENTITIES["phone"], EXAMPLES, region)
    assert no == 0  # the phone shortcut never says no
    assert yes > 1000


@pytest.mark.parametrize("region", ["US", "GB", "DE", "IN", "BR"])
def test_the_record_paths_phone_shortcut_answers_as_the_batch_paths(region: str) -> None:
    pattern = re.compile(ENTITIES["phone"].pattern)
    candidates = sorted({m.group() for t in EXAMPLES for m in pattern.finditer(t)})
    hits = fast_phone_hits(pl.Series(candidates, dtype=pl.String), region)
    batch = [None if s is None else (s, e) for s, e in zip(hits["start"], hits["end"], strict=True)]
    record = [phone_span(c, region) for c in candidates]
    assert record == batch
    assert sum(r is not None for r in record) > 1000


@settings(max_examples=100)
@given(
    region=st.sampled_from(["US", "GB", "FR", "JP"]),
    texts=PHONE_DIGITS,
)
def test_phone_span_is_the_matchers_answer(region: str, texts: list[str]) -> None:
    pattern = re.compile(ENTITIES["phone"].pattern)
    for candidate in {m.group() for t in texts for m in pattern.finditer(t)}:
        span = phone_span(candidate, region)
        if span is not None:
            assert match_phone(candidate, region) == [span], candidate


@settings(max_examples=100)
@given(
    region=st.sampled_from(["US", "GB", "FR", "JP"]),
    texts=PHONE_DIGITS,
)
def test_phone_answers_on_generated_digits(region: str, texts: list[str]) -> None:
    check(ENTITIES["phone"], texts, region)


_HEXTET_TEXT = st.text(alphabet="0123456789abcdefABCDEF:", min_size=2, max_size=45)
_IPV6_TEXT = st.ip_addresses(v=6).flatmap(
    lambda a: st.sampled_from(
        [str(a), a.exploded, f"{a}:", f":{a}", f"{a}::1", f"1:{a}", a.exploded.replace(":0", ":")]
    )
)


@settings(max_examples=300)
@given(texts=st.lists(st.one_of(_HEXTET_TEXT, _IPV6_TEXT).map(" {}".format), min_size=1))
def test_ipv6_answers_agree_with_ipaddress(texts: list[str]) -> None:
    check(ENTITIES["ip"], texts)
