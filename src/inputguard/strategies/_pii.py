"""Values for a `pii` validator's text column: clean text, and text holding known entities.

Every value is built to be what it claims: a card number with its Luhn digit and a Visa or
Mastercard prefix, an IBAN with its mod-97 digits, an SSN in the issued ranges, a DNI with
its check letter, and so on, each set apart by spaces in a sentence of lower-case words that
holds no candidate of any entity. Phone numbers are ``phonenumbers``' example numbers, kept
when its matcher reads them whole. A valid value holds no entity the validator rejects (it
may hold entities it redacts, each with its warning); an invalid one holds one
value of the rejected entity and nothing else to report.

Model-based entities (a `PiiRecognizer`) are refused: what a model reports is not known in
advance.
"""

from __future__ import annotations

import string
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl
from hypothesis import strategies as st

from inputguard._pii import checks
from inputguard._pii.entities import ENTITIES
from inputguard._pii.optional import phonenumbers_module, stdnum_module
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from inputguard._pii.validator import Pii
    from inputguard.strategies._family import Values

__all__ = ["PiiFamily"]

_WORDS = st.sampled_from(
    ("please", "review", "the", "ticket", "order", "shipped", "late", "thanks", "for", "reply")
)
_FILLER = st.lists(_WORDS, min_size=1, max_size=6).map(" ".join)
_LOWER = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=8)
_ALNUM_UPPER = string.ascii_uppercase + string.digits


def _digits(draw: st.DrawFn, n: int) -> str:
    return "".join(draw(st.lists(st.sampled_from(string.digits), min_size=n, max_size=n)))


def _luhn_digit(body: str) -> str:
    total = 0
    for k, ch in enumerate(reversed(body)):  # the check digit will stand right of these
        d = int(ch) * (2 if k % 2 == 0 else 1)
        total += d - 9 if d > 9 else d  # noqa: PLR2004
    return str((10 - total % 10) % 10)


def _email(draw: st.DrawFn) -> str:
    domain = draw(st.sampled_from(("example.com", "example.org", "mail.example.net")))
    return f"{draw(_LOWER)}{draw(st.integers(0, 99))}@{domain}"


def _card(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(("4", "51", "52", "53", "54", "55")))  # Visa, Mastercard
    body = prefix + _digits(draw, 15 - len(prefix))
    number = body + _luhn_digit(body)
    if draw(st.booleans()):
        return " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def _iban(draw: st.DrawFn) -> str:
    bban = _digits(draw, 18)  # Germany: bank code and account number, 22 characters in all
    check = 98 - int(bban + "131400") % 97  # "DE00" moved to the end, D = 13, E = 14
    # Written compact: in groups of four, its digit groups may also read as a card number when
    # a validator flags or rejects IBANs (and so leaves them in the text), see docs/pii.md.
    return f"DE{check:02d}{bban}"


def _ssn(draw: st.DrawFn) -> str:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))  # noqa: PLR2004
    return f"{area:03d}-{draw(st.integers(1, 99)):02d}-{draw(st.integers(1, 9999)):04d}"


def _ip(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return ".".join(str(draw(st.integers(0, 255))) for _ in range(4))
    groups = [draw(st.integers(0x2001, 0x3FFF)), *(draw(st.integers(0, 0xFFFF)) for _ in range(7))]
    return ":".join(f"{g:x}" for g in groups)


def _secret(draw: st.DrawFn) -> str:
    tail = draw(st.text(alphabet=_ALNUM_UPPER, min_size=16, max_size=16))
    return f"AKIA{tail}"


def _url_credentials(draw: st.DrawFn) -> str:
    # The password ends in "!": "password@host" would be an e-mail address of its own, which
    # a validator that flags or rejects URL credentials (and so leaves them) reports too.
    return f"https://{draw(_LOWER)}:{draw(_LOWER)}{draw(st.integers(0, 99))}!@db.example.com/x"


def _es_dni(draw: st.DrawFn) -> str:
    number = draw(st.integers(0, 99_999_999))
    return f"{number:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def _br_cpf(draw: st.DrawFn) -> str:
    digits = [int(d) for d in _digits(draw, 9)]
    if len(set(digits)) == 1:
        digits[0] = (digits[0] + 1) % 10  # one repeated digit is never issued
    for width in (10, 11):  # two mod-11 check digits (Receita Federal)
        total = sum(d * w for d, w in zip(digits, range(width, 1, -1), strict=False))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)  # noqa: PLR2004
    s = "".join(map(str, digits))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def _in_aadhaar(draw: st.DrawFn) -> str:
    verhoeff = stdnum_module("verhoeff")
    while True:
        body = str(draw(st.integers(2, 9))) + _digits(draw, 10)
        number = body + str(verhoeff.calc_check_digit(body))
        # a palindrome is never issued; a Maestro number (Luhn and prefix) is read as a card
        card = checks.luhn_valid(number) and checks.card_issuer(number) is not None
        if number != number[::-1] and not card:
            return " ".join(number[i : i + 4] for i in range(0, 12, 4))


def _fr_nir(draw: st.DrawFn) -> str:
    body = (
        f"{draw(st.integers(1, 2))}{draw(st.integers(0, 99)):02d}{draw(st.integers(1, 12)):02d}"
        f"{draw(st.integers(1, 95).filter(lambda d: d != 20)):02d}"  # noqa: PLR2004 - 2A, 2B
        f"{draw(st.integers(1, 999)):03d}"
        f"{draw(st.integers(1, 999)):03d}"
    )
    return f"{body}{97 - int(body) % 97:02d}"


def _it_fiscal_code(draw: st.DrawFn) -> str:
    letters = st.text(alphabet=string.ascii_uppercase, min_size=6, max_size=6)
    month = draw(st.sampled_from("ABCDEHLMPRST"))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from((0, 40)))  # plus 40 for women
    place = draw(st.sampled_from(("A562", "F205", "H501", "L219")))  # real municipality codes
    body = f"{draw(letters)}{draw(st.integers(0, 99)):02d}{month}{day:02d}{place}"
    return body + str(stdnum_module("it.codicefiscale").calc_check_digit(body))


_MAKERS: dict[str, Callable[[st.DrawFn], str]] = {
    "secret": _secret,
    "url_credentials": _url_credentials,
    "email": _email,
    "iban": _iban,
    "card": _card,
    "us_ssn": _ssn,
    "ip": _ip,
    "es_dni": _es_dni,
    "it_fiscal_code": _it_fiscal_code,
    "fr_nir": _fr_nir,
    "br_cpf": _br_cpf,
    "in_aadhaar": _in_aadhaar,
}


@cache
def _phones(region: str) -> tuple[str, ...]:
    """Example numbers the phone decision reads whole, for ``region`` and a few others."""
    pn = phonenumbers_module()
    find = ENTITIES["phone"].find
    out: list[str] = []
    for other in dict.fromkeys((region, "US", "GB", "DE", "FR", "IN", "JP")):
        for kind in (pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.MOBILE):
            number = pn.example_number_for_type(other, kind)
            if number is None:
                continue
            forms = [pn.PhoneNumberFormat.INTERNATIONAL]
            if other == region:
                forms.append(pn.PhoneNumberFormat.NATIONAL)
            for form in forms:
                text = pn.format_number(number, form)
                if find(f" {text}", region) == [(1, len(text) + 1)]:
                    out.append(text)
    return tuple(out)


class PiiFamily:
    """Values for a `pii` validator's text column."""

    __slots__ = ("_makers", "_planted", "_rejected", "_v")

    def __init__(self, validator: Pii) -> None:
        self._v = validator
        if validator.recognizers:
            raise ConfigurationError(
                f"inputguard.strategies cannot generate values for {validator!r}: what a "
                f"model-based recognizer reports cannot be known in advance"
            )
        makers = dict(_MAKERS)
        if any(name == "phone" for name, _ in validator.actions):
            phones = _phones(validator.region)
            if not phones:
                raise ConfigurationError(f"no example phone number reads whole for {validator!r}")
            makers["phone"] = lambda draw: draw(st.sampled_from(phones))
        allowed = validator._scanner._allowed

        def outside_allow_lists(name: str) -> Callable[[st.DrawFn], str]:
            make, canonical = makers[name], ENTITIES[name].canonical

            def draw_value(draw: st.DrawFn) -> str:
                value = make(draw)
                while allowed(value, canonical(value, validator.region)):
                    value = make(draw)
                return value

            return draw_value

        self._makers = {name: outside_allow_lists(name) for name, _ in validator.actions}
        self._rejected = tuple(n for n, a in validator.actions if a == "reject")
        # Valid text plants only redacted entities: a placeholder ends in ">", which no later
        # candidate starts after, while a flagged, masked or pseudonymized value leaves text a
        # later entity may read (the user info of a flagged URL holds an e-mail address; a
        # pseudonym's hex digits, a phone number).
        self._planted = tuple(n for n, a in validator.actions if a == "redact")

    @property
    def validator(self) -> Pii:
        """The validator."""
        return self._v

    @property
    def owns(self) -> tuple[str, ...]:
        """The text column."""
        return (self._v.column,)

    @property
    def reads(self) -> tuple[str, ...]:
        """Nothing."""
        return ()

    @property
    def text_only(self) -> tuple[str, ...]:
        """No constraints on other families' columns."""
        return ()

    @property
    def rejections(self) -> tuple[str, ...]:
        """``pii.<entity>`` for each entity the validator rejects."""
        return tuple(f"pii.{name}" for name in self._rejected)

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Text."""
        return dict.fromkeys(generated, pl.String())

    def _sentence(self, draw: st.DrawFn, names: tuple[str, ...]) -> str:
        parts = [draw(_FILLER)]
        for name in names:
            parts += [self._makers[name](draw), draw(_FILLER)]
        return " ".join(parts)

    def valid(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> Values:
        """Clean text (or null), or text holding entities the validator redacts (warnings)."""
        if draw(st.integers(0, 9)) == 0:
            return {self._v.column: None}
        planted: tuple[str, ...] = ()
        if self._planted:
            planted = tuple(draw(st.lists(st.sampled_from(self._planted), max_size=2)))
        return {self._v.column: self._sentence(draw, planted)}

    def invalid(
        self,
        draw: st.DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """Text holding one value of the rejected entity (``pii.<entity>``) and nothing else."""
        return {self._v.column: self._sentence(draw, (reason.removeprefix("pii."),))}
