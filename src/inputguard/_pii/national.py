"""National identifiers: candidate patterns and decisions, each backed by its checksum.

Opt-in entities (not in the default set): each is found only in its usual written shape, and
only when ``python-stdnum`` (the ``pii`` extra) accepts its check digit or letter. The
patterns follow the rules of `inputguard._pii.entities`: ASCII classes only, no look-around.
Each consumes one boundary character before the identifier (never ``>``, so a placeholder's
end is not a boundary and a redacted text scans clean) and, when the identifier is glued to a
following letter or digit, that character too, so that `find` can refuse it: a longer code
or number that merely contains an identifier's shape is not one. For the identifiers written
in digit groups (NIR, Aadhaar), a digit and a separator before, or a separator and a digit
after, are part of a longer digit group (a card number, an account number) and are refused
the same way; so are a CPF after a ``.`` and a CPF followed by ``.`` or ``-`` and a digit.

Which identifiers are *not* here, and why, is written in docs/pii.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from inputguard._pii.optional import stdnum_module

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "AADHAAR",
    "CPF",
    "DNI",
    "FISCAL_CODE",
    "NIR",
    "canonical_alnum",
    "canonical_digits",
    "find_aadhaar",
    "find_cpf",
    "find_dni",
    "find_fiscal_code",
    "find_nir",
]

Spans = list[tuple[int, int]]

# One character before the identifier that is not a letter, a digit or ``>``, or the start.
_START = r"(?:^|[^0-9A-Za-z>])"
# For digit-group shapes: also a digit and a separator (then `find` refuses the candidate).
_START_GROUPED = r"(?:^|[^0-9A-Za-z>]|[0-9][ -])"
# A letter or digit glued after the identifier (then `find` refuses the candidate).
_GLUED = r"[0-9A-Za-z]?"


def _locate(candidate: str, shape: re.Pattern[str]) -> tuple[int, str] | None:
    """The identifier's offset and text in ``candidate``, or None when it is glued or cut.

    A candidate is the identifier alone (at the start of the text) or one boundary character
    and the identifier. Anything else (a letter or digit glued after it, a digit group before
    it) means the identifier is part of a longer code or number.
    """
    if shape.fullmatch(candidate):
        return 0, candidate
    if not (candidate[:1].isascii() and candidate[:1].isalnum()) and shape.fullmatch(candidate[1:]):
        return 1, candidate[1:]
    return None


def _checked(
    candidate: str, shape: re.Pattern[str], value: Callable[[str], tuple[str, str] | None]
) -> Spans:
    """The identifier's span when it stands alone and ``python-stdnum`` accepts it.

    ``value`` gives, for the identifier's text, the stdnum module and the value it checks, or
    None when the text is refused before any check (a layout, a month, a repeated digit).
    """
    found = _locate(candidate, shape)
    if found is None:
        return []
    start, body = found
    checked = value(body)
    if checked is None or not stdnum_module(checked[0]).is_valid(checked[1]):
        return []
    return [(start, len(candidate))]


def canonical_alnum(text: str, region: str) -> str:
    """Letters and digits only, upper-cased (``12345678-Z`` and ``12345678Z`` alike)."""
    return "".join(c for c in text if c.isascii() and c.isalnum()).upper()


def canonical_digits(text: str, region: str) -> str:
    """Digits only (``123.456.789-09`` is ``12345678909``)."""
    return "".join(c for c in text if "0" <= c <= "9")


# -- Spain: DNI and NIE ---------------------------------------------------------------------

# DNI: 8 digits and a check letter; NIE (foreigners): X, Y or Z, 7 digits and a check letter.
# Written compact or with a hyphen before the letter (and after the NIE's first letter).
_DNI_SHAPE = r"(?:[0-9]{8}|[XYZ]-?[0-9]{7})-?[A-Z]"
DNI: Final = _START + _DNI_SHAPE + _GLUED
_DNI_FULL = re.compile(_DNI_SHAPE)


def find_dni(candidate: str, region: str) -> Spans:
    """A DNI or NIE whose check letter is right (the letter of the number mod 23)."""

    def value(body: str) -> tuple[str, str]:
        compact = body.replace("-", "")
        return ("es.nie" if compact[0] in "XYZ" else "es.dni"), compact

    return _checked(candidate, _DNI_FULL, value)


# -- Italy: codice fiscale --------------------------------------------------------------------

# 16 characters: 3 + 3 letters (surname, name), the year's 2 digits, a month letter (A B C D
# E H L M P R S T), the day's 2 digits (plus 40 for women), a letter and 3 digits (the place),
# and a check letter. Digits of the date and place may be replaced by L M N P Q R S T U V
# (omocodia, when two people would share a code).
_OMO = "[0-9LMNPQRSTUV]"
_FISCAL_SHAPE = f"[A-Z]{{6}}{_OMO}{{2}}[ABCDEHLMPRST]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z]"
FISCAL_CODE: Final = _START + _FISCAL_SHAPE + _GLUED
_FISCAL_FULL = re.compile(_FISCAL_SHAPE)


def find_fiscal_code(candidate: str, region: str) -> Spans:
    """A codice fiscale whose check letter is right and whose birth date exists."""
    return _checked(candidate, _FISCAL_FULL, lambda body: ("it.codicefiscale", body))


# -- France: NIR (numero de securite sociale, "numero INSEE") ---------------------------------

# 13 characters and a 2-digit key: sex (1 or 2; 3, 4, 7 and 8 for provisional and foreign-born
# registrations), year, month, departement (2A and 2B for Corsica), commune, serial, key.
# Written compact, in the groups of the carte Vitale (1 2 2 2 3 3 2), or with only the key
# apart.
_NIR_SHAPE = r"[1234578] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[AB]) ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}"
NIR: Final = _START_GROUPED + _NIR_SHAPE + r"(?: ?[0-9]|[A-Za-z])?"
_NIR_FULL = re.compile(_NIR_SHAPE)
_NIR_GROUPS = (1, 2, 2, 2, 3, 3, 2)


def _nir_layout(body: str) -> bool:
    groups = body.split(" ")
    if len(groups) == 1:
        return True
    if len(groups) == 2:  # noqa: PLR2004 - 13 characters and the key
        return len(groups[1]) == 2  # noqa: PLR2004
    return tuple(len(g) for g in groups) == _NIR_GROUPS


def find_nir(candidate: str, region: str) -> Spans:
    """A NIR in one of its written layouts, with a real month and the right key (mod 97)."""

    def value(body: str) -> tuple[str, str] | None:
        if not _nir_layout(body):
            return None
        compact = body.replace(" ", "")
        month = int(compact[3:5])
        # Months 01-12; 20 and above stand for an unknown month (INSEE); 00 and 13-19 never.
        if month == 0 or 13 <= month <= 19:  # noqa: PLR2004
            return None
        return "fr.nir", compact

    return _checked(candidate, _NIR_FULL, value)


# -- Brazil: CPF --------------------------------------------------------------------------------

# 9 digits and 2 check digits (mod 11), written ``ddd.ddd.ddd-dd``. The bare 11 digits are not
# a candidate: a Brazilian mobile number has 11 digits too, and 1 in 100 of them would pass.
# A ``.`` before the first group is not a boundary (part of a longer dotted number).
_CPF_SHAPE = r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}"
CPF: Final = r"(?:^|[^0-9A-Za-z.>])" + _CPF_SHAPE + r"(?:[.-]?[0-9]|[A-Za-z])?"
_CPF_FULL = re.compile(_CPF_SHAPE)


def find_cpf(candidate: str, region: str) -> Spans:
    """A CPF with the right check digits, not one digit repeated (``111.111.111-11``)."""

    def value(body: str) -> tuple[str, str] | None:
        digits = canonical_digits(body, region)
        # A repeated digit passes the check but is never issued (Receita Federal).
        return None if len(set(digits)) == 1 else ("br.cpf", digits)

    return _checked(candidate, _CPF_FULL, value)


# -- India: Aadhaar ---------------------------------------------------------------------------

# 12 digits, the first 2-9, the last a Verhoeff check digit, written in three groups of four
# (spaces, or hyphens). The bare 12 digits are not a candidate (a 1 in 10 check on any
# 12-digit number).
_AADHAAR_SHAPE = r"[2-9][0-9]{3}(?: [0-9]{4} [0-9]{4}|-[0-9]{4}-[0-9]{4})"
AADHAAR: Final = _START_GROUPED + _AADHAAR_SHAPE + r"(?:[ -]?[0-9]|[A-Za-z])?"
_AADHAAR_FULL = re.compile(_AADHAAR_SHAPE)


def find_aadhaar(candidate: str, region: str) -> Spans:
    """An Aadhaar number in groups of four with the right Verhoeff digit (not a palindrome)."""
    return _checked(
        candidate, _AADHAAR_FULL, lambda body: ("in_.aadhaar", canonical_digits(body, region))
    )
