"""Checksums and ranges that decide whether a candidate is really an entity (plain Python).

Each check takes the candidate's text and answers from the value alone, so that the batch path
(distinct candidates of a batch) and the record path (the candidates of one text) agree.
"""

from __future__ import annotations

import ipaddress
from typing import Final

__all__ = [
    "IBAN_LENGTHS",
    "ISSUERS",
    "card_issuer",
    "iban_valid",
    "ipv4_valid",
    "ipv6_valid",
    "luhn_valid",
]

# Lengths of the IBANs of each country of the ISO 13616 registry (facts from the registry,
# cross-checked against python-stdnum's copy of it by tests/pii/test_checks.py).
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# Issuer identification ranges: (first digits low, high, allowed lengths). Public facts of the
# card schemes (ISO/IEC 7812 prefixes); a number outside every range is not a card number.
ISSUERS: Final[tuple[tuple[str, int, int, frozenset[int]], ...]] = (
    ("visa", 4, 4, frozenset({13, 16, 19})),
    ("mastercard", 51, 55, frozenset({16})),
    ("mastercard", 2221, 2720, frozenset({16})),
    ("amex", 34, 34, frozenset({15})),
    ("amex", 37, 37, frozenset({15})),
    ("discover", 6011, 6011, frozenset(range(16, 20))),
    ("discover", 644, 649, frozenset(range(16, 20))),
    ("discover", 65, 65, frozenset(range(16, 20))),
    ("diners", 300, 305, frozenset(range(14, 20))),
    ("diners", 36, 36, frozenset(range(14, 20))),
    ("diners", 38, 39, frozenset(range(16, 20))),
    ("jcb", 3528, 3589, frozenset(range(16, 20))),
    ("unionpay", 62, 62, frozenset(range(16, 20))),
    ("maestro", 5018, 5018, frozenset(range(12, 20))),
    ("maestro", 5020, 5020, frozenset(range(12, 20))),
    ("maestro", 5038, 5038, frozenset(range(12, 20))),
    ("maestro", 5893, 5893, frozenset(range(12, 20))),
    ("maestro", 6304, 6304, frozenset(range(12, 20))),
    ("maestro", 6759, 6759, frozenset(range(12, 20))),
    ("maestro", 6761, 6763, frozenset(range(12, 20))),
    ("mir", 2200, 2204, frozenset(range(16, 20))),
)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check over a string of ASCII digits.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2  # noqa: PLR2004 - doubling 5-9 gives two digits
        total += d
    return total % 10 == 0


def card_issuer(digits: str) -> str | None:
    """The card scheme whose prefix and length ``digits`` has, or None.

    >>> card_issuer("378282246310005"), card_issuer("1234567812345670")
    ('amex', None)
    """
    n = len(digits)
    for name, low, high, lengths in ISSUERS:
        if n in lengths:
            width = len(str(low))
            if low <= int(digits[:width]) <= high:
                return name
    return None


def _mod97(text: str) -> int:
    remainder = 0
    for ch in text:
        value = ord(ch) - 48 if ch <= "9" else ord(ch) - 55  # A=10 ... Z=35
        remainder = (remainder * (10 if value < 10 else 100) + value) % 97  # noqa: PLR2004
    return remainder


def iban_valid(compact: str) -> bool:
    """An IBAN without spaces: known country, its registry length, and mod-97 equal to 1.

    >>> iban_valid("DE89370400440532013000"), iban_valid("DE89370400440532013001")
    (True, False)
    """
    length = IBAN_LENGTHS.get(compact[:2])
    if length is None or len(compact) != length or not compact[2:4].isdigit():
        return False
    if not all("0" <= c <= "9" or "A" <= c <= "Z" for c in compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def ipv4_valid(text: str) -> bool:
    """Four dotted decimal parts 0-255 without leading zeros.

    >>> ipv4_valid("192.0.2.1"), ipv4_valid("1.2.3"), ipv4_valid("10.0.19041.1")
    (True, False, False)
    """
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def ipv6_valid(text: str) -> bool:
    """A textual IPv6 address (RFC 4291 forms, with ``::`` and an embedded IPv4 tail).

    >>> ipv6_valid("2001:db8::1"), ipv6_valid("12:30:45"), ipv6_valid("::")
    (True, False, False)
    """
    if text.count(":") < 2 or text == "::":  # noqa: PLR2004 - the shortest real form has two
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True
