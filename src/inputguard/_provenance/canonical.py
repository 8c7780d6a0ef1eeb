"""The canonical form of a signed record (v1), in plain Python and as polars expressions.

The canonical form is specified in ``docs/provenance.md``; this module is its reference
implementation, twice: `canonical_message` in plain Python (record path, producers) and
`canonical_message_expr` as one polars expression (batch path). Both must produce the same bytes
for every record; a property test holds them to it.

Canonical form v1, as UTF-8 text, one item per line, each line ending in LF::

    IGSIG1
    source <str(source id)>
    kid <str(key id)>
    issued_at <str(YYYY-MM-DDTHH:MM:SS.ffffffZ, the issue instant in UTC)>
    field <str(name)> <value>          one line per signed field, sorted by name

    str(x) = <byte length of x in UTF-8, decimal>:<x>
    value  = null | true | false
           | i:<integer in decimal>
           | d:<IEEE-754 binary64 bits of the float, as an unsigned decimal integer>
           | s:<str(text)>

Signatures travel as unpadded or padded base64url text: `encode_signature` and the decoders
are here too, since both paths must accept exactly the same spellings.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import polars as pl
import pyarrow as pa

from inputguard._core.timestamps import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


__all__ = [
    "B64URL_PATTERN",
    "CANONICAL_VERSION",
    "ISSUED_AT_CANONICAL_PATTERN",
    "MIN_HMAC_KEY_BYTES",
    "SIGNATURE_BYTES",
    "SIGNATURE_TEXT_LENGTHS",
    "Unsignable",
    "canonical_body_expr",
    "canonical_header",
    "canonical_issued_at_expr",
    "canonical_message",
    "canonical_message_expr",
    "canonical_value",
    "decode_signature",
    "decode_signature_expr",
    "encode_signature",
    "format_issued_at",
    "is_canonical_issued_at_expr",
    "issued_at_text_expr",
    "issued_instant",
]

CANONICAL_VERSION: Final = "IGSIG1"
MIN_HMAC_KEY_BYTES: Final = 32
SIGNATURE_BYTES: Final = {"hmac-sha256": 32, "ed25519": 64}
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]+")
B64URL_PATTERN: Final = r"^[A-Za-z0-9_-]+$"
# base64url without padding: 32 bytes -> 43 characters, 64 bytes -> 86 characters
SIGNATURE_TEXT_LENGTHS: Final = {43: "=", 86: "=="}
_ISSUED_AT_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%6fZ"


class Unsignable(ValueError):
    """A value has no canonical form (NaN, infinity, an unsupported type, a lone surrogate)."""


# -- canonical form: record path -------------------------------------------------------------


def _str(text: str) -> str:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Unsignable("text is not valid Unicode") from None
    return f"{size}:{text}"


def canonical_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        try:
            return f"i:{value}"
        except ValueError:  # beyond sys.get_int_max_str_digits()
            raise Unsignable("integer too large") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unsignable("not a finite number")
        return f"d:{struct.unpack('<Q', struct.pack('<d', value))[0]}"
    if isinstance(value, str):
        return f"s:{_str(value)}"
    raise Unsignable(f"unsupported type {type(value).__name__}")


def format_issued_at(instant: datetime) -> str:
    """Write an aware instant as the canonical ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC.

    >>> from datetime import timezone, timedelta
    >>> format_issued_at(datetime(2026, 11, 22, 13, 0, tzinfo=timezone(timedelta(hours=1))))
    '2026-11-22T12:00:00.000000Z'
    """
    u = instant.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def issued_instant(value: Any) -> datetime | None:
    """The issue instant of a record in UTC, or None when it is missing, naive or invalid.

    Accepts an aware `datetime` or a string in the shared ISO-8601 grammar with an offset.
    """
    if isinstance(value, str):
        value = parse_timestamp(value)
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None


def canonical_message(
    *, source: str, kid: str, issued_at: datetime, fields: Mapping[str, Any]
) -> bytes:
    """The canonical bytes (form v1) a signature covers.

    Args:
        source: The source id.
        kid: The key id.
        issued_at: The aware issue instant.
        fields: The signed fields by name (any order: lines are sorted by name).

    Returns:
        The UTF-8 encoded message.

    Raises:
        Unsignable: A value has no canonical form.

    >>> message = canonical_message(
    ...     source="orders-api",
    ...     kid="k1",
    ...     issued_at=datetime(2026, 11, 22, 12, tzinfo=UTC),
    ...     fields={"sku": "A-1", "qty": 2},
    ... )
    >>> print(message.decode(), end="")
    IGSIG1
    source 10:orders-api
    kid 2:k1
    issued_at 27:2026-11-22T12:00:00.000000Z
    field 3:qty i:2
    field 3:sku s:3:A-1
    """
    lines = [
        CANONICAL_VERSION,
        f"source {_str(source)}",
        f"kid {_str(kid)}",
        f"issued_at {_str(format_issued_at(issued_at))}",
    ]
    lines.extend(f"field {_str(name)} {canonical_value(fields[name])}" for name in sorted(fields))
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- canonical form: batch path --------------------------------------------------------------


def _str_expr(text: pl.Expr) -> pl.Expr:
    return pl.concat_str(text.str.len_bytes().cast(pl.String), pl.lit(":"), text)


def _float_bits(series: pl.Series) -> pl.Series:
    # The IEEE-754 bits of each float, by reinterpreting the Arrow buffer: vectorized, no loop.
    bits = series.cast(pl.Float64).to_arrow().view(pa.uint64())
    out = pl.Series(series.name, bits)
    return out.cast(pl.String)


def _value_expr(column: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(value text, unsignable flag) for one signed column; the text is null where unsignable."""
    col = pl.col(column)
    null_text = pl.lit("null")
    never = pl.lit(value=False)
    if isinstance(dtype, pl.Null):
        return null_text, never
    if isinstance(dtype, (pl.String, pl.Categorical, pl.Enum)):
        return (
            pl.when(col.is_null())
            .then(null_text)
            .otherwise(pl.concat_str(pl.lit("s:"), _str_expr(col.cast(pl.String)))),
            never,
        )
    if isinstance(dtype, pl.Boolean):
        return pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false")).otherwise(
            null_text
        ), never
    if dtype.is_integer():
        return (
            pl.when(col.is_null())
            .then(null_text)
            .otherwise(pl.concat_str(pl.lit("i:"), col.cast(pl.String))),
            never,
        )
    if dtype.is_float():
        as_f64 = col.cast(pl.Float64)
        bad = as_f64.is_not_null() & ~as_f64.is_finite()
        bits = as_f64.map_batches(_float_bits, return_dtype=pl.String)
        text = (
            pl.when(col.is_null())
            .then(null_text)
            .when(bad)
            .then(pl.lit(None, pl.String))
            .otherwise(pl.concat_str(pl.lit("d:"), bits))
        )
        return text, bad
    # Dates, decimals, lists, structs, ...: no canonical form; only a null is signable.
    return pl.when(col.is_null()).then(null_text).otherwise(None), col.is_not_null()


def issued_at_text_expr(instant: pl.Expr) -> pl.Expr:
    """The canonical issue-time text of a UTC ``datetime[us]`` expression."""
    return instant.dt.strftime(_ISSUED_AT_FORMAT)


# The canonical issue-time text itself: a record signed by `sign` carries exactly this.
ISSUED_AT_CANONICAL_PATTERN: Final = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z$"
)
_ISSUED_AT_PARSE: Final = "%Y-%m-%dT%H:%M:%S%.6fZ"


def is_canonical_issued_at_expr(text: pl.Expr) -> pl.Expr:
    """True where a string expression holds an issue time in the canonical form, never null.

    Such a text (``YYYY-MM-DDTHH:MM:SS.ffffffZ``, year not 0000) lies inside the shared
    ISO-8601 grammar and is its own canonical text: `canonical_issued_at_expr` reads it with one
    fixed-format parse, and it needs no formatting. Other texts need the general parser.
    """
    shaped = text.str.contains(ISSUED_AT_CANONICAL_PATTERN) & (text.str.slice(0, 4) != "0000")
    return shaped.fill_null(value=False)


def canonical_issued_at_expr(text: pl.Expr) -> pl.Expr:
    """The UTC ``datetime[us]`` of issue times in the canonical form.

    The caller masks the text with `is_canonical_issued_at_expr` first: on its own the
    fixed-format parse is lenient (it reads ``00-1-1T0:0:0.000000Z`` as year 0). On canonical
    text the result is null only for an impossible date such as February 30.
    """
    parsed = text.str.strptime(pl.Datetime("us"), _ISSUED_AT_PARSE, strict=False)
    return parsed.dt.replace_time_zone("UTC")


def canonical_header(source: str, kid: str) -> str:
    """The first three lines of the canonical form: version, source id and key id.

    Every message signed for one ``(source, kid)`` starts with the same header, so the batch
    path builds it once per key rather than once per row.

    Raises:
        Unsignable: The source id or the key id is not valid Unicode.

    >>> print(canonical_header("orders-api", "k1"), end="")
    IGSIG1
    source 10:orders-api
    kid 2:k1
    """
    return f"{CANONICAL_VERSION}\nsource {_str(source)}\nkid {_str(kid)}\n"


def canonical_body_expr(
    *,
    issued_at: pl.Expr,
    fields: Sequence[str],
    schema: pl.Schema,
    issued_at_text: pl.Expr | None = None,
) -> tuple[pl.Expr, pl.Expr]:
    """The canonical form after its header: the issue-time line and the field lines.

    Args:
        issued_at: The issue instant as a UTC ``datetime[us]`` expression.
        fields: The signed columns.
        schema: The input schema (the value encoding depends on each column's dtype).
        issued_at_text: The canonical text of ``issued_at`` where the caller already has it
            (null elsewhere); only the other rows are formatted. It must equal what
            formatting ``issued_at`` gives.

    Returns:
        ``(body, unsignable)``: the body as a string expression (null where any part is null or
        unsignable), and a boolean that is true where a signed value has no canonical form.
    """
    if issued_at_text is None:
        issued_text = issued_at_text_expr(issued_at)
    else:
        missing = issued_at_text.is_null()
        issued_text = pl.coalesce(
            issued_at_text, issued_at_text_expr(pl.when(missing).then(issued_at))
        )
    parts: list[pl.Expr] = [pl.lit("issued_at "), _str_expr(issued_text), pl.lit("\n")]
    flags: list[pl.Expr] = []
    for name in sorted(fields):
        text, bad = _value_expr(name, schema[name])
        parts.extend([pl.lit(f"field {_str(name)} "), text, pl.lit("\n")])
        flags.append(bad)
    unsignable = pl.any_horizontal(flags) if flags else pl.lit(value=False)
    return pl.concat_str(parts), unsignable


def canonical_message_expr(
    *,
    source: pl.Expr,
    kid: pl.Expr,
    issued_at: pl.Expr,
    fields: Sequence[str],
    schema: pl.Schema,
    issued_at_text: pl.Expr | None = None,
) -> tuple[pl.Expr, pl.Expr]:
    """The batch twin of `canonical_message`: `canonical_header` and `canonical_body_expr`.

    Args:
        source: The source id, as a string expression.
        kid: The key id, as a string expression.
        issued_at: The issue instant as a UTC ``datetime[us]`` expression.
        fields: The signed columns.
        schema: The input schema (the value encoding depends on each column's dtype).
        issued_at_text: As for `canonical_body_expr`.

    Returns:
        ``(message, unsignable)``: the message as a string expression (null where any part is
        null or unsignable), and a boolean that is true where a signed value has no canonical
        form.
    """
    body, unsignable = canonical_body_expr(
        issued_at=issued_at, fields=fields, schema=schema, issued_at_text=issued_at_text
    )
    header = pl.concat_str(
        pl.lit(f"{CANONICAL_VERSION}\nsource "),
        _str_expr(source),
        pl.lit("\nkid "),
        _str_expr(kid),
        pl.lit("\n"),
    )
    return pl.concat_str(header, body), unsignable


# -- signatures as text ----------------------------------------------------------------------


def encode_signature(raw: bytes) -> str:
    """base64url without padding (RFC 4648 section 5), the signature's text form.

    >>> encode_signature(bytes(range(4)))
    'AAECAw'
    """
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_signature(text: object) -> bytes | None:
    """Decode a signature's text form; None unless it is canonical base64url of 32 or 64 bytes.

    Padding, whitespace, the standard alphabet's ``+`` and ``/``, and non-zero trailing bits are
    all refused, so every signature has exactly one text form.

    >>> len(decode_signature("A" * 43) or b"")
    32
    >>> decode_signature("A" * 42 + "B") is None  # non-zero trailing bits
    True
    """
    if not isinstance(text, str) or len(text) not in SIGNATURE_TEXT_LENGTHS:
        return None
    if _B64URL.fullmatch(text) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + SIGNATURE_TEXT_LENGTHS[len(text)])
    except (binascii.Error, ValueError):  # pragma: no cover - excluded by the checks above
        return None
    return raw if encode_signature(raw) == text else None


def decode_signature_expr(text: pl.Expr) -> pl.Expr:
    """The batch twin of `decode_signature`: a binary expression, null where not canonical."""
    length = text.str.len_chars()
    shaped = text.str.contains(B64URL_PATTERN) & length.is_in(list(SIGNATURE_TEXT_LENGTHS))
    padded = pl.concat_str(
        text.str.replace_all("-", "+", literal=True).str.replace_all("_", "/", literal=True),
        pl.when(length == 43).then(pl.lit("=")).otherwise(pl.lit("==")),  # noqa: PLR2004
    )
    # polars' decoder refuses non-zero trailing bits (null with strict=False)
    return pl.when(shaped).then(padded.str.decode("base64", strict=False)).otherwise(None)
