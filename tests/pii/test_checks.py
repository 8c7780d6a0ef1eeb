from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn

from inputguard._pii import checks


def _registry_length(country: str) -> int | None:
    info = stdnum_iban._ibandb.info(country)  # python-stdnum's copy of the ISO 13616 registry
    if not info or "bban" not in info[0][1]:
        return None
    return 4 + sum(int(n) for n in re.findall(r"[0-9]+", info[0][1]["bban"]))


def test_iban_lengths_match_stdnum_registry() -> None:
    for country, length in checks.IBAN_LENGTHS.items():
        assert _registry_length(country) == length, country


@given(st.text(alphabet="0123456789", min_size=2, max_size=25))
def test_luhn_agrees_with_stdnum(digits: str) -> None:
    assert checks.luhn_valid(digits) == stdnum_luhn.is_valid(digits)


@given(st.text(alphabet="0123456789", min_size=18, max_size=18), st.integers(0, 99))
def test_iban_agrees_with_stdnum_on_checksum(body: str, check: int) -> None:
    compact = f"DE{check:02d}{body}"  # German BBANs are 18 digits
    assert checks.iban_valid(compact) == stdnum_iban.is_valid(compact)


@pytest.mark.parametrize(
    ("number", "issuer"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
        ("30569309025904", "diners"),
        ("1234567812345670", None),  # passes Luhn, no issuer starts with 1
    ],
)
def test_card_issuer(number: str, issuer: str | None) -> None:
    assert checks.luhn_valid(number)
    assert checks.card_issuer(number) == issuer
