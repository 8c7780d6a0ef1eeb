"""`sign`: what a producer calls to sign a record for a registered source."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)

from inputguard._core.reasons import Reason
from inputguard._provenance.canonical import (
    MIN_HMAC_KEY_BYTES,
    Unsignable,
    canonical_message,
    canonical_value,
    encode_signature,
    format_issued_at,
)
from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


__all__ = ["sign"]

# -- producer side ---------------------------------------------------------------------------


def sign(
    record: Mapping[str, Any],
    *,
    key: bytes | Ed25519PrivateKey,
    key_id: str,
    signed: Iterable[str],
    issued: datetime | None = None,
    source: str = "source",
    signature: str = "signature",
    kid: str = "kid",
    issued_at: str = "issued_at",
) -> dict[str, Any]:
    """Sign a record on the producer side; the result verifies with `provenance`.

    The signature covers the source id, the key id, the issue instant and the ``signed`` fields
    in canonical form v1 (``docs/provenance.md``). A copy of the record is returned with the key
    id, the issue instant (canonical text, UTC) and the signature (base64url, no padding) set.

    Args:
        record: The record; it must hold the source id and every signed field.
        key: An HMAC-SHA256 secret (`bytes`, at least 32) or an Ed25519 private key.
        key_id: The key id the registry lists the matching key under, for this source.
        signed: The fields the signature covers; the guard's ``signed`` must list the same.
        issued: The issue instant (aware); defaults to now.
        source: The key holding the source id.
        signature: The key the signature is written to.
        kid: The key the key id is written to.
        issued_at: The key the issue instant is written to.

    Returns:
        The signed copy of the record.

    Raises:
        ConfigurationError: The key is not a 32-byte-or-longer secret or an Ed25519 private
            key, ``issued`` is naive, the key id is empty, or ``signed`` is empty or names a
            key that is not in the record.
        InputRejected: ``signature.malformed``: the source id is not a string, or a signed
            value has no canonical form (NaN, infinity, an unsupported type).

    >>> signed = sign(
    ...     {"source": "orders-api", "sku": "A-1"},
    ...     key=b"k" * 32,
    ...     key_id="k1",
    ...     signed=["sku"],
    ...     issued=datetime(2026, 11, 22, 12, tzinfo=UTC),
    ... )
    >>> signed["issued_at"], len(signed["signature"])
    ('2026-11-22T12:00:00.000000Z', 43)
    """
    names = tuple(dict.fromkeys(signed))
    if not names:
        raise ConfigurationError("'signed' must name at least one field")
    absent = [n for n in names if n not in record]
    if absent:
        raise ConfigurationError(f"signed field {absent[0]!r} is not in the record")
    if not isinstance(key_id, str) or not key_id:
        raise ConfigurationError(f"'key_id' must be a non-empty string (got {key_id!r})")
    if issued is None:
        issued = datetime.now(UTC)
    if issued.tzinfo is None or issued.utcoffset() is None:
        raise ConfigurationError("'issued' must be a timezone-aware datetime (got a naive one)")
    source_id = record.get(source)
    if not isinstance(source_id, str):
        raise InputRejected(
            f"{source!r} must hold the source id as a string (got {type(source_id).__name__})",
            reasons=[Reason.SIGNATURE_MALFORMED],
            field=source,
        )
    values = {n: record[n] for n in names}
    try:
        message = canonical_message(source=source_id, kid=key_id, issued_at=issued, fields=values)
    except Unsignable as exc:
        bad = _first_unsignable(values)
        raise InputRejected(
            f"field {bad!r} cannot be signed: {exc}",
            reasons=[Reason.SIGNATURE_MALFORMED],
            field=bad,
        ) from None
    if isinstance(key, Ed25519PrivateKey):
        raw = key.sign(message)
    elif isinstance(key, bytes) and len(key) >= MIN_HMAC_KEY_BYTES:
        raw = hmac.digest(key, message, "sha256")
    else:
        raise ConfigurationError(
            f"'key' must be an HMAC secret of at least {MIN_HMAC_KEY_BYTES} bytes or an "
            f"Ed25519PrivateKey (got {type(key).__name__})"
        )
    out = dict(record)
    out[kid] = key_id
    out[issued_at] = format_issued_at(issued)
    out[signature] = encode_signature(raw)
    return out


def _first_unsignable(values: Mapping[str, Any]) -> str | None:
    for name in sorted(values):
        try:
            canonical_value(values[name])
        except Unsignable:
            return name
    return None
