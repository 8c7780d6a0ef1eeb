"""The entities: a candidate pattern each, and the decision that finds the entity in a candidate.

A candidate pattern only finds text that *might* be an entity; `Entity.find` decides, from the
candidate alone, where the entity really is (checksums, ranges, registry lengths). Patterns are
written for both regex engines the library runs (polars' Rust ``regex`` on the batch path,
Python's ``re`` on the record path): ASCII classes only (no Unicode digit, word or boundary
classes, no case folding), no look-around, so that both find exactly the same
candidates. Some patterns consume one character before the candidate as a boundary
(never ``>``, the end of a placeholder, so that a rewritten text scans clean); `find`
skips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from inputguard._pii import checks, national
from inputguard._pii.fast import (
    card_hits,
    email_hits,
    iban_hits,
    ip_hits,
    secret_hits,
    ssn_hits,
    url_credential_hits,
)
from inputguard._pii.optional import phonenumbers_module
from inputguard._pii.phone_fast import phone_hits, phone_span

if TYPE_CHECKING:
    from collections.abc import Callable

    import polars as pl

__all__ = ["DETERMINISTIC", "ENTITIES", "MODEL_ENTITIES", "NATIONAL", "Entity", "match_phone"]

Spans = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Entity:
    """One deterministic entity.

    Attributes:
        name: The entity name (``pii.<name>`` is its reason code).
        placeholder: What `redact` puts in its place.
        pattern: The candidate pattern (see the module docstring).
        find: The entity's spans in one candidate (offsets into the candidate), left to right.
        canonical: The form allow-lists and pseudonyms compare (e.g. a card's digits only).
        gate: A literal every candidate contains; the record path skips texts without it.
        sieve: A pattern every candidate *holding the entity* contains (a necessary condition
            such as "at least 12 chained digits"). The batch path scans only the rows it
            matches and decides only the distinct candidates it matches; the others cannot
            hold the entity. None: the candidate pattern itself.
        needs: The optional module the entity needs (None: the standard library suffices).
        fast: A batch-path shortcut over a series of distinct candidates: a frame of
            ``start``/``end``, per candidate the one span of the entity (*yes*), ``start``
            -1 (*no*), or a null ``start`` (*undecided*: `find` decides). Every answer is
            also `find`'s (held by tests), so it saves time and changes no answer.
    """

    name: str
    placeholder: str
    pattern: str
    find: Callable[[str, str], Spans]  # (candidate, region) -> spans
    canonical: Callable[[str, str], str]
    gate: str | None = None
    sieve: str | None = None
    needs: str | None = None
    fast: Callable[[pl.Series, str], pl.DataFrame] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The pattern for Python's ``re`` (the record path)."""
        return _compile(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    found = _CACHE.get(pattern)
    if found is None:
        found = _CACHE[pattern] = re.compile(pattern)
    return found


def _as_is(text: str, region: str) -> str:
    return text


def _digits(text: str, region: str) -> str:
    return "".join(c for c in text if "0" <= c <= "9")


def _skip(candidate: str, allowed: str) -> int:
    """1 when the candidate starts with the consumed boundary character, else 0."""
    return 0 if candidate[:1] in allowed else 1


_DIGITS = "0123456789"
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

# -- e-mail ---------------------------------------------------------------------------------

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+"
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _find_email(candidate: str, region: str) -> Spans:
    at = candidate.index("@")
    local, domain = candidate[:at], candidate[at + 1 :]
    start = len(local) - len(local.lstrip("."))
    local = local[start:]
    domain = domain.rstrip(".-")
    labels = domain.split(".")
    if not local or len(local) > 64 or ".." in local or local.endswith("."):  # noqa: PLR2004
        return []
    if len(labels) < 2 or len(domain) > 253:  # noqa: PLR2004
        return []
    if not all(_LABEL.fullmatch(label) for label in labels):
        return []
    tld = labels[-1]
    if len(tld) < 2 or not tld.isalpha():  # noqa: PLR2004
        return []
    return [(start, at + 1 + len(domain))]


def _canonical_email(text: str, region: str) -> str:
    return text.lower()


# -- digit runs: cards and US social security numbers --------------------------------------

_RUN = r"(?:^|[^0-9A-Za-z>])[0-9](?:[ -]?[0-9])*[A-Za-z]?"
_GROUP = re.compile(r"[0-9]+")


def _groups(candidate: str) -> tuple[list[tuple[int, int]], str, bool]:
    """The digit groups' spans, the separators between them, and a trailing letter."""
    spans = [(m.start(), m.end()) for m in _GROUP.finditer(candidate)]
    seps = "".join(candidate[a[1]] for a in spans[:-1]) if len(spans) > 1 else ""
    return spans, seps, candidate[-1:].isalpha()


def _card_layout(lengths: list[int]) -> bool:
    if len(lengths) == 1:
        return True
    if all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4:  # noqa: PLR2004
        return True
    return lengths in ([4, 6, 5], [4, 6, 4])


def _find_card(candidate: str, region: str) -> Spans:
    spans, seps, letter_after = _groups(candidate)
    lengths = [b - a for a, b in spans]
    before = [0]  # digits before each group
    for n in lengths:
        before.append(before[-1] + n)
    out: Spans = []
    i = 0
    while i < len(spans):
        best = None
        # the longest window first; a window of more than 19 groups has more than 19 digits,
        # so a long run of short groups (``1-1-1-...``) costs at most 19 windows per group
        for j in range(min(len(spans) - 1, i + 18), i - 1, -1):
            if letter_after and j == len(spans) - 1:
                continue
            if not 12 <= before[j + 1] - before[i] <= 19:  # noqa: PLR2004
                continue
            if not _card_layout(lengths[i : j + 1]):
                continue
            if j > i and len(set(seps[i:j])) != 1:
                continue
            digits = "".join(candidate[a:b] for a, b in spans[i : j + 1])
            if checks.luhn_valid(digits) and checks.card_issuer(digits) is not None:
                best = j
                break
        if best is None:
            i += 1
            continue
        out.append((spans[i][0], spans[best][1]))
        i = best + 1
    return out


def _find_ssn(candidate: str, region: str) -> Spans:
    spans, seps, letter_after = _groups(candidate)
    out: Spans = []
    for i in range(len(spans) - 2):
        window = spans[i : i + 3]
        if [b - a for a, b in window] != [3, 2, 4] or seps[i : i + 2] != "--":
            continue
        if letter_after and i + 2 == len(spans) - 1:
            continue
        if (i > 0 and seps[i - 1] == "-") or (i + 3 < len(spans) and seps[i + 2] == "-"):
            continue  # part of a longer dashed number (a phone, an order number)
        area, group, serial = (candidate[a:b] for a, b in window)
        # Never issued: area 000, 666 or 900-999, group 00, serial 0000 (SSA rules).
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            continue
        out.append((window[0][0], window[2][1]))
    return out


# -- IBAN -------------------------------------------------------------------------------------

# One alternative per registry length, each listing the countries of that length: a greedy "up
# to 34 characters" would run into a second IBAN written right after the first (``... 00 DE89
# ...``) and hide it. (At one position only the alternative holding its first two letters can
# match, so this is the one-alternative-per-country pattern with fewer branches.) One
# boundary character before it is consumed, as for cards, and one directly adjacent character
# after it is taken, so that an IBAN glued to more letters or digits on either side is refused
# (`_find_iban`): otherwise ``ada@example.orgDE89...`` would lose its IBAN and leave an e-mail
# address that the e-mail scan, which ran before, did not see. A space after it is never taken.
_IBAN_BY_LENGTH: dict[int, list[str]] = {}
for _country, _length in sorted(checks.IBAN_LENGTHS.items()):
    _IBAN_BY_LENGTH.setdefault(_length, []).append(_country)
_IBAN = (
    "(?:^|[^0-9A-Za-z>])(?:"
    + "|".join(
        f"(?:{'|'.join(countries)})[0-9]{{2}}(?: ?[A-Z0-9]){{{length - 4}}}"
        for length, countries in sorted(_IBAN_BY_LENGTH.items())
    )
    + ")[A-Z0-9]?"
)
_UPPER_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _find_iban(candidate: str, region: str) -> Spans:
    start = _skip(candidate, _UPPER_DIGITS)
    length = checks.IBAN_LENGTHS.get(candidate[start : start + 2])
    if length is None:
        return []
    chars, end = 0, 0
    for k in range(start, len(candidate)):
        if candidate[k] != " ":
            chars += 1
            if chars == length:
                end = k + 1
                break
    if chars < length or candidate[end : end + 1] in _ALNUM:
        return []
    return [(start, end)] if checks.iban_valid(candidate[start:end].replace(" ", "")) else []


def _canonical_iban(text: str, region: str) -> str:
    return text.replace(" ", "")


# -- IP addresses -----------------------------------------------------------------------------

_IPV4 = r"(?:^|[^0-9A-Za-z.>])[0-9]+(?:\.[0-9]+)+"
_IPV6 = r"(?:^|[^0-9A-Za-z:.>])[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*"
_HEX_IP = "0123456789abcdefABCDEF:."


def _find_ip(candidate: str, region: str) -> Spans:
    if ":" in candidate:
        start = _skip(candidate, _HEX_IP)
        text = candidate[start:].rstrip(".")
        return [(start, start + len(text))] if checks.ipv6_valid(text) else []
    start = _skip(candidate, _DIGITS)
    return [(start, len(candidate))] if checks.ipv4_valid(candidate[start:]) else []


_IP = f"{_IPV6}|{_IPV4}"


def _canonical_ip(text: str, region: str) -> str:
    import ipaddress  # noqa: PLC0415

    return str(ipaddress.ip_address(text))


# -- URLs with credentials, secrets -----------------------------------------------------------

_URL = r"[A-Za-z][A-Za-z0-9+.-]*://[^ \t\r\n/?#@]+@[^ \t\r\n/?#@]+"


def _find_url_credentials(candidate: str, region: str) -> Spans:
    start = candidate.index("://") + 3
    end = candidate.index("@", start)
    return [] if candidate[start:end] == "<CREDENTIALS>" else [(start, end)]  # already redacted


_SECRET = "|".join(
    (
        # to the END line, or to the end of the text without one (no "$": Python's matches
        # before a final newline too, polars' only at the very end)
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
        r"(?:(?s:.)*?-----END [A-Z ]*PRIVATE KEY-----|(?s:.)*)",
        r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}",  # AWS access key ids
        r"gh[pousr]_[A-Za-z0-9]{36,255}",  # GitHub tokens
        r"github_pat_[A-Za-z0-9_]{22,255}",
        r"xox[baprs]-[A-Za-z0-9-]{10,250}",  # Slack tokens
        r"(?:sk|rk)_live_[A-Za-z0-9]{24,99}",  # Stripe live keys
        r"AIza[0-9A-Za-z_-]{35}",  # Google API keys
        r"glpat-[A-Za-z0-9_-]{20,}",  # GitLab personal access tokens
        r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JSON web tokens
    )
)


def _find_whole(candidate: str, region: str) -> Spans:
    return [(0, len(candidate))]


# -- phone numbers (region-aware, with phonenumbers) -----------------------------------------

# Each unit after the first digit adds exactly one digit, so ``{6,}`` keeps only the candidates
# of 7 digits or more: the matches of the pattern with ``*`` that `_find_phone` does not refuse
# outright (a shorter run is never a match, and no match starts inside one), so dates, prices
# and version numbers are not extracted only to be dropped.
_PHONE = (
    r"(?:^|[^0-9A-Za-z+>])(?:\+|\()?[0-9]"
    r"(?:[0-9]|[ .-][0-9]|[ .-]?\([0-9]|\)[ .-]?[0-9]){6,}"
)


def _find_phone(candidate: str, region: str) -> Spans:
    digits = sum(1 for c in candidate if "0" <= c <= "9")
    if not 7 <= digits <= 17:  # noqa: PLR2004 - E.164 has at most 15 digits, plus a prefix
        return []
    # A plain shape is decided from the numbering plans (about 5 us); the rest by the matcher.
    span = phone_span(candidate, region)
    return [span] if span is not None else match_phone(candidate, region)


def match_phone(candidate: str, region: str) -> Spans:
    """``phonenumbers``' strict-grouping matcher: the reference for every phone decision."""
    pn = phonenumbers_module()
    matcher = pn.PhoneNumberMatcher(candidate, region, leniency=pn.Leniency.STRICT_GROUPING)
    return [(m.start, m.end) for m in matcher]


def _canonical_phone(text: str, region: str) -> str:
    pn = phonenumbers_module()
    try:
        number = pn.parse(text, region)
    except pn.NumberParseException:
        return _digits(text, region)
    return str(pn.format_number(number, pn.PhoneNumberFormat.E164))


# -- sieves: necessary conditions, checked in polars before any Python decision ------------------

# An IBAN candidate is a country code, two digits and at least the shortest registry length;
# one pattern instead of the alternation of every country's (a third cheaper to scan).
_IBAN_SIEVE = f"[A-Z]{{2}}[0-9]{{2}}(?: ?[A-Z0-9]){{{min(checks.IBAN_LENGTHS.values()) - 4}}}"
# A card is 12-19 digits of one `_RUN`, with at most one separator between two digits.
_CARD_SIEVE = r"[0-9](?:[ -]?[0-9]){11}"
# An SSN is three dashed groups of exactly 3, 2 and 4 digits (`_find_ssn`).
_SSN_SIEVE = r"[0-9]{3}-[0-9]{2}-[0-9]{4}"
# IPv4 has four dotted parts; an IPv6 candidate always has two colons (its own pattern).
_IP_SIEVE = r"[0-9]\.[0-9]+\.[0-9]+\.[0-9]|:[0-9A-Fa-f.]*:"
# `_find_phone` needs at least 7 digits; in a `_PHONE` candidate two digits are never more
# than two separators (`.`, `-`, space, parentheses) apart.
_PHONE_SIEVE = r"[0-9](?:[ .()-]{0,2}[0-9]){6}"

ENTITIES: Final[dict[str, Entity]] = {
    e.name: e
    for e in (
        Entity("secret", "<SECRET>", _SECRET, _find_whole, _as_is, fast=secret_hits),
        Entity(
            "url_credentials",
            "<CREDENTIALS>",
            _URL,
            _find_url_credentials,
            _as_is,
            "://",
            fast=url_credential_hits,
        ),
        Entity("email", "<EMAIL>", _EMAIL, _find_email, _canonical_email, "@", fast=email_hits),
        # IBANs before cards: an IBAN's digit groups are never read as a card
        Entity(
            "iban",
            "<IBAN>",
            _IBAN,
            _find_iban,
            _canonical_iban,
            sieve=_IBAN_SIEVE,
            fast=iban_hits,
        ),
        Entity("card", "<CARD>", _RUN, _find_card, _digits, sieve=_CARD_SIEVE, fast=card_hits),
        Entity("us_ssn", "<US_SSN>", _RUN, _find_ssn, _digits, "-", _SSN_SIEVE, fast=ssn_hits),
        Entity("ip", "<IP>", _IP, _find_ip, _canonical_ip, sieve=_IP_SIEVE, fast=ip_hits),
        # National identifiers (opt-in, `national.py`): after IBANs and cards, so that neither
        # is ever read as one, and before phone numbers, whose 7-digit local numbers would
        # otherwise take the digits out of an identifier (the NIE ``X-3108707-G``); their
        # shapes (a check letter, fixed groups) are not written phone numbers. No sieve, no
        # shortcut (their candidates are rare, their patterns as narrow as a sieve would be).
        Entity(
            "es_dni",
            "<ES_DNI>",
            national.DNI,
            national.find_dni,
            national.canonical_alnum,
            needs="stdnum",
        ),
        Entity(
            "it_fiscal_code",
            "<IT_FISCAL_CODE>",
            national.FISCAL_CODE,
            national.find_fiscal_code,
            _as_is,
            needs="stdnum",
        ),
        Entity(
            "fr_nir",
            "<FR_NIR>",
            national.NIR,
            national.find_nir,
            national.canonical_alnum,
            needs="stdnum",
        ),
        Entity(
            "br_cpf",
            "<BR_CPF>",
            national.CPF,
            national.find_cpf,
            national.canonical_digits,
            "-",
            needs="stdnum",
        ),
        Entity(
            "in_aadhaar",
            "<IN_AADHAAR>",
            national.AADHAAR,
            national.find_aadhaar,
            national.canonical_digits,
            needs="stdnum",
        ),
        Entity(
            "phone",
            "<PHONE>",
            _PHONE,
            _find_phone,
            _canonical_phone,
            sieve=_PHONE_SIEVE,
            needs="phonenumbers",
            fast=phone_hits,
        ),
    )
}
"""Every deterministic entity, in the order the scan applies them (see docs/pii.md)."""

NATIONAL: Final = ("es_dni", "it_fiscal_code", "fr_nir", "br_cpf", "in_aadhaar")
"""The national identifiers: deterministic but opt-in (asked for by name)."""

DETERMINISTIC: Final = tuple(name for name in ENTITIES if name not in NATIONAL)
"""The default deterministic entities (every deterministic entity but the opt-in ones)."""

MODEL_ENTITIES: Final = ("person", "location", "organization")
"""Entities no pattern can find: they need a model-based `PiiRecognizer` (see docs/pii.md)."""
