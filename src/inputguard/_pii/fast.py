"""Batch-path shortcuts: the checksum and range decisions of plain candidates, in polars.

Each function takes a series of distinct candidates (matches of the entity's candidate pattern)
and answers per candidate with a frame of ``start`` and ``end``: the one span of the entity in
the candidate (*yes*), ``start = -1`` when the candidate holds no entity (*no*), or a null
``start`` (*undecided*: the Python decision, `Entity.find`, runs). They answer for the plain
shapes whose decision is a short formula (a card written whole or in groups of four, an SSN
alone, a dotted quad, an IBAN, an e-mail address, a token, a URL's user info), so most
candidates cost no Python call. tests/pii/test_fast.py holds every answer to `Entity.find`'s;
the record path always runs `find`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from inputguard._pii import checks

__all__ = [
    "card_hits",
    "card_number_valid",
    "email_hits",
    "iban_hits",
    "ip_hits",
    "secret_hits",
    "spans_to_end",
    "ssn_hits",
    "url_credential_hits",
]

_YES_NO = pl.Int32

# The first character of a candidate is either part of it or the one boundary character the
# pattern consumed; the boundary is never a digit (cards, SSNs, IP addresses) or an upper-case
# letter or digit (IBANs start with their country code, the boundary is neither).
_C = pl.col("c")


def _frame(candidates: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"c": candidates}, schema={"c": pl.String})


def _boundary(first: str) -> pl.Expr:
    """1 when the candidate starts with a consumed boundary character (not ``first``), else 0."""
    return (~_C.str.contains(f"^[{first}]")).cast(_YES_NO)


def _answer(
    frame: pl.DataFrame, yes: pl.Expr, no: pl.Expr | None = None, end: pl.Expr | None = None
) -> pl.DataFrame:
    """``start``/``end`` from the conditions (``end`` by default: the candidate's end)."""
    start, undecided = pl.col("start"), pl.lit(None, _YES_NO)
    if no is None:
        out = pl.when(yes).then(start).otherwise(undecided)
    else:
        out = pl.when(yes).then(start).when(no).then(pl.lit(-1, _YES_NO)).otherwise(undecided)
    end = _C.str.len_chars() if end is None else end
    return frame.select(out.alias("start"), end.cast(_YES_NO).alias("end"))


def spans_to_end(candidates: pl.Series, starts: pl.Series) -> pl.DataFrame:
    """The frame of a shortcut that answers with starts only (the span runs to the end)."""
    return pl.DataFrame(
        {"start": starts.cast(_YES_NO), "end": candidates.str.len_chars().cast(_YES_NO)}
    )


def secret_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes for every candidate: a token pattern's match is the token (`_find_whole`)."""
    return _answer(_frame(candidates).with_columns(start=pl.lit(0, _YES_NO)), pl.lit(value=True))


def url_credential_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """The user info between ``://`` and the first ``@``; no when it is already redacted."""
    # The scheme is ASCII (the pattern), so the byte offset of "://" is its character offset.
    frame = _frame(candidates).with_columns(
        start=(_C.str.find("://", literal=True) + 3).cast(_YES_NO),
        info=_C.str.extract(r"://([^@]*)@", 1),
    )
    done = pl.col("info") == "<CREDENTIALS>"
    end = pl.col("start") + pl.col("info").str.len_chars()
    return _answer(frame, ~done, done, end)


# `_find_email`'s domain rules as one pattern: labels of letters, digits and inner hyphens (at
# most 63 characters), at least two, the last of 2-63 letters.
_EMAIL_DOMAIN: Final = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"


def email_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes or no for every e-mail candidate (`_find_email`'s checks, as expressions).

    The candidate pattern is ASCII and holds one ``@``, so byte offsets are character offsets.
    """
    frame = _frame(candidates).with_columns(
        local=_C.str.extract(r"^([^@]*)@", 1), domain=_C.str.extract(r"@(.*)$", 1)
    )
    local, domain = pl.col("local"), pl.col("domain")
    frame = frame.with_columns(
        start=(local.str.len_bytes() - local.str.strip_chars_start(".").str.len_bytes()).cast(
            _YES_NO
        ),
        local=local.str.strip_chars_start("."),
        domain=domain.str.strip_chars_end(".-"),
        at=_C.str.find("@", literal=True),
    )
    yes = (
        local.str.len_bytes().is_between(1, 64)
        & ~local.str.contains("..", literal=True)
        & ~local.str.ends_with(".")
        & (domain.str.len_bytes() <= 253)  # noqa: PLR2004
        & domain.str.contains(_EMAIL_DOMAIN)
    )
    end = pl.col("at") + 1 + domain.str.len_bytes()
    return _answer(frame, yes, ~yes, end)


def card_number_valid(number: pl.Series, length: pl.Series) -> pl.Series:
    """Luhn and an issuer range (`checks.card_issuer`) of card numbers given as ``UInt64``.

    ``length`` is each number's digit count (leading zeros do not change Luhn, but they do
    change the issuer prefix). Null numbers are not valid. The arithmetic runs in numpy over
    the whole series: a few dozen array operations, where the same formula as polars
    expressions costs more to plan than to run for a batch's few thousand candidates.
    """
    x = number.fill_null(0).to_numpy().astype(np.uint64)
    n = length.fill_null(0).to_numpy().astype(np.int64)
    total = np.zeros(len(x), dtype=np.uint64)
    rest = x.copy()
    for k in range(19):
        d = rest % 10
        rest //= 10
        # every second digit from the right is doubled; a two-digit double adds its digits
        total += d * 2 - (d >= 5) * np.uint64(9) if k % 2 else d  # noqa: PLR2004
    issuer = np.zeros(len(x), dtype=bool)
    for _, low, high, lengths in checks.ISSUERS:
        width = len(str(low))
        # (a candidate that is no whole card may have any length: keep the power in range)
        prefix = x // (10 ** np.clip(n - width, 0, 18)).astype(np.uint64)
        issuer |= np.isin(n, sorted(lengths)) & (prefix >= low) & (prefix <= high)
    valid = (total % 10 == 0) & issuer & number.is_not_null().to_numpy()
    return pl.Series(valid, dtype=pl.Boolean)


# A card candidate `_find_card` takes whole: 12-19 digits, no letter after them, one kind of
# separator, written whole, in fours (the last group 1-4 digits) or as 4-6-5 / 4-6-4.
_CARD_LAYOUT: Final = (
    r"^(?:[0-9]+|(?:[0-9]{4} )+[0-9]{1,4}|(?:[0-9]{4}-)+[0-9]{1,4}"
    r"|[0-9]{4} [0-9]{6} [0-9]{4,5}|[0-9]{4}-[0-9]{6}-[0-9]{4,5})$"
)
# What every candidate holding a card contains (`_find_card`'s windows): a group of 12 or more
# digits, or three whole groups of 4-4-4 or 4-6-4/5 with one kind of separator (a window in
# fours has at least three groups of exactly 4 to reach 12 digits). A candidate without it,
# a phone number in groups such as ``+44 20 7946 0123`` for one, holds no card.
_CARD_POSSIBLE: Final = (
    r"[0-9]{12}|(?:^|[^0-9])[0-9]{4}(?: [0-9]{4} [0-9]{4}|-[0-9]{4}-[0-9]{4}"
    r"| [0-9]{6} [0-9]{4,5}|-[0-9]{6}-[0-9]{4,5})(?:[^0-9]|$)"
)


# Polars does not share a computed expression between its uses in one `select`: a value read
# several times is materialized as a column first (`with_columns`).
_S = pl.col("s")


def _stripped(candidates: pl.Series, first: str) -> pl.DataFrame:
    """The candidates, their boundary (``start``) and the text after it (``s``)."""
    frame = _frame(candidates).with_columns(start=_boundary(first))
    return frame.with_columns(s=_C.str.slice(pl.col("start")))


def card_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes for a candidate that is one whole card number, no when none can be in it."""
    frame = _stripped(candidates, "0-9").with_columns(digits=_S.str.replace_all("[ -]", ""))
    digits = pl.col("digits")
    layout = _S.str.contains(_CARD_LAYOUT) & digits.str.len_chars().is_between(12, 19)
    frame = frame.with_columns(
        layout=layout,
        possible=_S.str.contains(_CARD_POSSIBLE),
        length=digits.str.len_chars().cast(pl.Int32),
    )
    # check only the whole ones; 19 digits fit in UInt64
    number = pl.when("layout").then(digits).str.to_integer(dtype=pl.UInt64, strict=False)
    frame = frame.with_columns(number=number)
    frame = frame.with_columns(valid=card_number_valid(frame["number"], frame["length"]))
    return _answer(frame, pl.col("layout") & pl.col("valid"), ~pl.col("possible"))


def ssn_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes or no for a candidate that is exactly ``ddd-dd-dddd``; else undecided."""
    frame = _stripped(candidates, "0-9")
    alone = _S.str.contains(r"^[0-9]{3}-[0-9]{2}-[0-9]{4}$")
    # Never issued: area 000, 666 or 900-999, group 00, serial 0000 (as `_find_ssn`).
    never = _S.str.contains(r"^(?:000|666|9[0-9][0-9])-|-00-|-0000$")
    return _answer(frame, alone & ~never, alone & never)


_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"


_H: Final = "[0-9A-Fa-f]{1,4}"
# The RFC 4291 text forms without an embedded IPv4 address: eight groups, or fewer around one
# "::" (which stands for at least one group). "::" alone is not reported (`checks.ipv6_valid`).
_IPV6: Final = "|".join(
    (
        f"(?:{_H}:){{7}}{_H}",
        *(f"(?:{_H}:){{1,{k}}}(?::{_H}){{1,{7 - k}}}" for k in range(1, 7)),
        f"(?:{_H}:){{1,7}}:",
        f":(?::{_H}){{1,7}}",
    )
)


def ip_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes or no for every IPv4 candidate and every IPv6 candidate without a dot.

    An IPv6 candidate with a dot (an embedded IPv4 address, or a trailing full stop) is
    undecided.
    """
    frame = _stripped(candidates, "0-9").with_columns(
        v6=_C.str.contains(":", literal=True),
        start=pl.when(_C.str.contains(":", literal=True))
        .then(_boundary("0-9A-Fa-f:."))
        .otherwise(pl.col("start")),
    )
    frame = frame.with_columns(s=_C.str.slice(pl.col("start")))
    v6, dotted = pl.col("v6"), _S.str.contains(".", literal=True)
    valid = (
        pl.when(v6)
        .then(_S.str.contains(f"^(?:{_IPV6})$"))
        .otherwise(_S.str.contains(rf"^{_OCTET}(?:\.{_OCTET}){{3}}$"))
    )
    decided = ~v6 | ~dotted
    return _answer(frame, decided & valid, decided & ~valid)


_LETTERS: Final = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_CHUNK: Final = 9  # 97 * 10**9 stays well inside Int64


def mod97_expr(numeric: pl.Expr, *, longest: int = 72) -> pl.Expr:
    """The remainder of a decimal string of up to ``longest`` digits by 97 (pass a column)."""
    remainder = pl.lit(0, pl.Int64)
    for offset in range(0, longest, _CHUNK):
        piece = numeric.str.slice(offset, _CHUNK)
        width = piece.str.len_chars()
        value = piece.str.to_integer(strict=False).fill_null(0)
        scale = pl.lit(10, pl.Int64).pow(width).cast(pl.Int64)
        remainder = (remainder * scale + value) % 97  # past the end: width 0, scale 1, value 0
    return remainder


def iban_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Yes or no for every IBAN candidate: the registry length of its country, then mod-97."""
    lengths = pl.DataFrame(
        {"country": list(checks.IBAN_LENGTHS), "length": list(checks.IBAN_LENGTHS.values())},
        schema={"country": pl.String, "length": pl.Int64},
    )
    frame = (
        _stripped(candidates, "A-Z")
        .with_row_index("i")
        .with_columns(country=_S.str.slice(0, 2))
        .join(lengths, on="country", how="left", maintain_order="left")
    )
    frame = frame.with_columns(compact=_S.str.replace_all(" ", "", literal=True))
    compact = pl.col("compact")
    # A candidate one character longer has a letter or digit glued to the IBAN: never one.
    frame = frame.with_columns(whole=compact.str.len_chars() == pl.col("length"))
    rearranged = pl.when("whole").then(compact.str.slice(4) + compact.str.slice(0, 4))
    numeric = rearranged.str.replace_many(_LETTERS, [str(10 + i) for i in range(26)])
    frame = frame.with_columns(numeric=numeric)
    frame = frame.with_columns(valid=pl.col("whole") & (mod97_expr(pl.col("numeric")) == 1))
    valid = pl.col("valid").fill_null(value=False)
    return _answer(frame.sort("i"), valid, ~valid)
