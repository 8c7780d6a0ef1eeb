"""National identifiers: opt-in, found only in their written shape with the right checksum."""

from __future__ import annotations

import importlib
import random
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.br import cpf
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale

import inputguard as ig
from inputguard import ConfigurationError
from inputguard._pii.entities import DETERMINISTIC, ENTITIES, NATIONAL
from inputguard._pii.validator import DEFAULT_ENTITIES

from .test_pii import ALL, TEXTS, VALUES, guard

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
pii_eval: Any = importlib.import_module("pii_eval")  # the evaluation's generators

# Valid values (checked against python-stdnum in `test_the_valid_fragments_are_valid`).
VALID = {
    "es_dni": ["12345678Z", "12345678-Z", "87654321X", "X2482300W", "X-2482300-W", "Y1234567X"],
    "it_fiscal_code": ["RSSMRA85T10A562S", "BNCLRA90A41F205I", "RSSMRA85T10A56NH"],
    "fr_nir": [
        "184127645108946",
        "1 84 12 76 451 089 46",
        "1841276451089 46",
        "2 69 05 99 350 123 84",
        "1 75 06 2A 004 012 91",
    ],
    "br_cpf": ["123.456.789-09", "529.982.247-25"],
    "in_aadhaar": ["2345 6789 0124", "4987-6543-2102", "9876 5432 1012"],
}
# Look-alikes: wrong check digit or letter, wrong length, glued to letters or digits, other
# shapes (dates, order numbers, phone-like digit groups).
LOOK_ALIKES = [
    "12345678A",  # wrong check letter
    "X2482300A",
    "1234567Z",  # 7 digits
    "123456789Z",  # 9 digits
    "SKU12345678Z",  # glued to letters
    "12345678Zb",
    "112345678Z",
    "12345678 Z",  # a space before the letter is not the written form
    "12345678z",  # lower case
    "RSSMRA85T10A562X",  # wrong check letter
    "RSSMRA85T10A562SX",
    "XRSSMRA85T10A562S",
    "RSSMRA85X10A562S",  # X is no month letter
    "rssmra85t10a562s",
    "184127645108947",  # wrong key
    "1 84 12 76 451 089 47",
    "18412764510894",  # 14 digits
    "1841276451089461",  # 16 digits
    "9184127645108946",
    "1 84 12 76 451 089 46 7",  # followed by another digit group
    "5 1 84 12 76 451 089 46",  # preceded by one
    "1 84 1276 451 089 46",  # not its grouping
    "1841376451089 12",  # no 13th month
    "06 12 34 56 78",  # a French phone number
    "123.456.789-00",  # wrong check digits
    "12345678909",  # bare: not the written form
    "111.111.111-11",  # a repeated digit passes the check but is never issued
    "1.123.456.789-09",  # part of a longer dotted number
    "123.456.789-091",
    "123.456.789-09a",
    "12.345.678/0001-95",  # a CNPJ (company number)
    "(11) 98765-4321",  # a Brazilian mobile number
    "2345 6789 0125",  # wrong check digit
    "234567890124",  # bare: not the written form
    "1234 5678 9010",  # starts with 1
    "2345 6789-0124",  # mixed separators
    "4111 2345 6789 0124",  # the last groups of a 16-digit number
    "1111 2345 6789 0124",
    "0000-2345-6789-0124",
    "2345 6789 0124 5678",  # the first groups of one
    "2345-6789-0124-5",
    "x2345 6789 0124",
    "98765 43210",  # an Indian mobile number without its country code
    "612 345 678",  # 3-3-3 groups
    "2024-01-15",
    "ORD-2024-000123",
    "order 20240115 1234",
]
NATIONAL_FRAGMENTS = [v for values in VALID.values() for v in values] + LOOK_ALIKES
NATIONAL_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(NATIONAL_FRAGMENTS),
        TEXTS,
        st.text(alphabet=" .-/0123456789ABLMSXYZa", max_size=18),
    ),
    max_size=5,
).flatmap(lambda parts: st.sampled_from([" ", "", "\n", ", "]).map(lambda s: s.join(parts)))
NATIONAL_VALUES = st.one_of(VALUES, NATIONAL_TEXTS)
MIXED = {
    **ALL,
    "es_dni": "redact",
    "it_fiscal_code": "mask",
    "fr_nir": "pseudonymize",
    "br_cpf": "reject",
    "in_aadhaar": "flag",
}


def test_the_valid_fragments_are_valid() -> None:
    checks = {
        "es_dni": lambda v: dni.is_valid(v) or nie.is_valid(v),
        "it_fiscal_code": codicefiscale.is_valid,
        "fr_nir": nir.is_valid,
        "br_cpf": cpf.is_valid,
        "in_aadhaar": aadhaar.is_valid,
    }
    for entity, values in VALID.items():
        assert all(checks[entity](v) for v in values), entity
    assert not luhn.is_valid("4111234567890124")  # no card hides the Aadhaar look-alike


def test_national_identifiers_are_opt_in() -> None:
    assert DEFAULT_ENTITIES == DETERMINISTIC
    assert DEFAULT_ENTITIES == (
        "secret",
        "url_credentials",
        "email",
        "iban",
        "card",
        "us_ssn",
        "ip",
        "phone",
    )
    # scanned after IBANs and cards, before phone numbers
    assert tuple(ENTITIES) == (*DEFAULT_ENTITIES[:-1], *NATIONAL, "phone")
    text = "DNI 12345678Z, CF RSSMRA85T10A562S, CPF 123.456.789-09, UID 2345 6789 0124"
    assert ig.pii("t").scan(text) == (text, ())
    assert repr(ig.pii("t", entities=("email", "es_dni"))) == (
        "pii('t', entities=('email', 'es_dni'))"
    )


@pytest.mark.parametrize(
    ("entity", "value"),
    [(entity, value) for entity, values in VALID.items() for value in values],
)
@pytest.mark.parametrize(
    "template", ["{}", "id: {}.", "({})", "see {}, thanks", "<EMAIL> {}\n", "\u00e9{}"]
)
def test_each_identifier_is_found_on_both_paths(entity: str, value: str, template: str) -> None:
    text = template.format(value)
    expected = template.format(ENTITIES[entity].placeholder)
    validator = ig.pii("t", entities=(entity,))
    assert validator.scan(text) == (expected, (entity,))
    result = guard(validator).validate(pl.DataFrame({"t": [text]}))
    assert result.accepted["t"].to_list() == [expected]
    assert result.accepted["warnings"].to_list() == [[f"pii.{entity}.redacted"]]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_reported(text: str) -> None:
    validator = ig.pii("t", entities=NATIONAL)
    for variant in (text, f"ref {text} ok", f"{text}."):
        assert validator.scan(variant) == (variant, ())
    result = guard(validator).validate(pl.DataFrame({"t": [text]}))
    assert result.accepted["warnings"].to_list() == [[]]


def test_reject_flag_mask_and_reason_codes() -> None:
    validator = ig.pii("t", entities=MIXED, key_env="IG_TEST_PII_KEY")
    assert {"pii.br_cpf", "pii.in_aadhaar", "pii.es_dni.redacted"} <= validator.reasons
    g = guard(validator)
    assert g.check({"t": "CPF 123.456.789-09"}).reasons == ("pii.br_cpf",)
    verdict = g.check({"t": "UID 2345 6789 0124, CF RSSMRA85T10A562S"})
    assert verdict.ok
    assert verdict.record["t"] == "UID 2345 6789 0124, CF ************562S"
    assert verdict.warnings == ("pii.it_fiscal_code.masked", "pii.in_aadhaar")


def test_canonical_forms_for_allow_lists_and_pseudonyms() -> None:
    allowed = ig.pii("t", entities=NATIONAL, allow=["X2482300W", "12345678909", "234567890124"])
    for text in ("X-2482300-W", "123.456.789-09", "2345-6789-0124", "2345 6789 0124"):
        assert allowed.scan(text) == (text, ())
    pseudo = ig.pii("t", entities={"fr_nir": "pseudonymize"}, key_env="IG_TEST_PII_KEY")
    spaced, _ = pseudo.scan("1 84 12 76 451 089 46")
    assert spaced.startswith("<FR_NIR:")
    assert pseudo.scan("184127645108946")[0] == spaced == pseudo.scan("1841276451089 46")[0]


def test_default_entities_come_first() -> None:
    # The first twelve digits of a card in fours are no Aadhaar number: the card is found first,
    # and without the card entity they are refused as part of a longer digit group.
    card = "4111 1111 1111 1111"
    assert ig.pii("t", entities=("card", "in_aadhaar")).scan(card) == ("<CARD>", ("card",))
    assert ig.pii("t", entities=("in_aadhaar",)).scan(card) == (card, ())


def test_missing_stdnum_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name == "stdnum" or name.startswith("stdnum."):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    for entity in NATIONAL:
        with pytest.raises(ConfigurationError, match=r"pip install 'inputguard-inference\[pii\]'"):
            ig.pii("t", entities=("email", entity))
    ig.pii("t")  # the default entities need no stdnum


def test_the_evaluation_generators_agree_with_stdnum() -> None:
    # The generators compute the check digits from the published rules, independently of
    # stdnum; the look-alikes are never valid in their written shape.
    rng = random.Random(0)
    for entity, make in pii_eval.NATIONAL_GENERATORS.items():
        validator = ig.pii("t", entities=(entity,))
        for _ in range(300):
            value = make(rng)
            assert validator.scan(value) == (ENTITIES[entity].placeholder, (entity,)), value
    validator = ig.pii("t", entities=(*DEFAULT_ENTITIES, *NATIONAL))
    for _ in range(1000):
        text = pii_eval.national_look_alike(rng)
        assert validator.scan(text)[1] == (), text


@given(st.lists(NATIONAL_VALUES, min_size=1, max_size=12))
def test_record_path_equals_batch_path(values: list[str | None]) -> None:
    g = guard(ig.pii("text", entities=MIXED, key_env="IG_TEST_PII_KEY"))
    result = g.validate(pl.DataFrame({"text": values}, schema={"text": pl.String}))
    accepted = {r["row_id"]: r for r in result.accepted.iter_rows(named=True)}
    quarantined = {r["row_id"]: r for r in result.quarantined.iter_rows(named=True)}
    assert len(accepted) + len(quarantined) == len(values)
    for i, value in enumerate(values):
        verdict = g.check({"text": value})
        if verdict.ok:
            assert accepted[i]["text"] == verdict.record["text"]
            assert accepted[i]["warnings"] == list(verdict.warnings)
        else:
            assert quarantined[i]["reasons"] == list(verdict.reasons)
            assert quarantined[i]["text"] == value


@given(NATIONAL_TEXTS)
def test_redaction_is_idempotent_and_leaves_no_found_entity(text: str) -> None:
    validator = ig.pii("text", entities=[e for e in (*ALL, *NATIONAL) if e != "us_ssn"])
    once, _ = validator.scan(text)
    assert validator.scan(once) == (once, ())
