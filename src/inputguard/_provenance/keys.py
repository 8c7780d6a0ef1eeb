"""Verification keys: loading material by reference, the `Keyring`, and verifying signatures.

Secrets are held by `Keyring` only: its repr names key ids, and pickling it carries the key
*references* (environment variable names, file paths), never the material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PublicKey,
)

from inputguard._provenance.canonical import MIN_HMAC_KEY_BYTES, SIGNATURE_BYTES
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from inputguard._provenance.registry import SigningKey


__all__ = ["Algorithm", "Keyring", "LoadedKey", "batch_verifier", "load_material", "verify"]

Algorithm = Literal["hmac-sha256", "ed25519"]


# -- key material ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class LoadedKey:
    """One verification key with its material (an HMAC secret or an Ed25519 public key)."""

    source: str
    kid: str
    alg: Algorithm
    not_before: datetime | None
    not_after: datetime | None
    material: bytes | Ed25519PublicKey

    def __repr__(self) -> str:
        return f"<{self.alg} key {self.kid!r} of {self.source!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("key material is never pickled; pickle the Keyring (by reference)")


def _read_reference(key: SigningKey, where: str) -> str:
    if key.env is not None:
        value = os.environ.get(key.env)
        if value is None or not value.strip():
            raise ConfigurationError(
                f"{where}: environment variable {key.env!r} (key {key.kid!r}) is not set or empty"
            )
        return value.strip()
    assert key.file is not None  # one of env/file is checked when the key is built
    try:
        return Path(key.file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"{where}: cannot read key file {key.file!r} (key {key.kid!r}): {type(exc).__name__}"
        ) from None


def _strict_b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def load_material(key: SigningKey, *, where: str) -> bytes | Ed25519PublicKey:
    """Resolve a key reference into material; messages name the reference, never the content.

    HMAC secrets are base64 (standard alphabet, padded) of at least 32 bytes. Ed25519 keys are a
    PEM ``PUBLIC KEY`` block or base64 of the 32 raw public-key bytes; a private key is refused:
    the guard verifies, it never needs to sign.
    """
    text = _read_reference(key, where)
    ref = f"env {key.env!r}" if key.env is not None else f"file {key.file!r}"
    if key.alg == "hmac-sha256":
        raw = _strict_b64(text)
        if raw is None:
            raise ConfigurationError(
                f"{where}: the HMAC secret of key {key.kid!r} ({ref}) is not valid base64"
            )
        if len(raw) < MIN_HMAC_KEY_BYTES:
            raise ConfigurationError(
                f"{where}: the HMAC secret of key {key.kid!r} ({ref}) must be at least "
                f"{MIN_HMAC_KEY_BYTES} bytes (got {len(raw)})"
            )
        return raw
    if "PRIVATE KEY" in text:
        raise ConfigurationError(
            f"{where}: key {key.kid!r} ({ref}) holds an Ed25519 PRIVATE key; give the guard the "
            f"public key only"
        )
    try:
        if text.startswith("-----BEGIN"):
            public = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            raw = _strict_b64(text)
            if raw is None:
                raise ValueError("not base64")  # noqa: TRY301 - folded into the one error below
            public = Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError, UnicodeEncodeError):
        public = None
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigurationError(
            f"{where}: key {key.kid!r} ({ref}) is not an Ed25519 public key (PEM, or base64 "
            f"of the 32 raw bytes)"
        )
    return public


class Keyring:
    """The verification keys of a registry, loaded from their references.

    Pickling carries the references (environment variable names, file paths); the unpickled
    keyring loads the material again where it lands, so secrets never travel with a validator.
    The repr names sources and key ids only.
    """

    __slots__ = ("_by_pair", "_keys", "_specs")

    def __init__(self, specs: Iterable[tuple[str, SigningKey]], *, where: str = "registry") -> None:
        self._specs = tuple(specs)
        self._keys = tuple(
            LoadedKey(
                source=source,
                kid=spec.kid,
                alg=spec.alg,
                not_before=spec.not_before,
                not_after=spec.not_after,
                material=load_material(spec, where=f"{where}: source {source!r}"),
            )
            for source, spec in self._specs
        )
        self._by_pair = {(k.source, k.kid): i for i, k in enumerate(self._keys)}

    @property
    def keys(self) -> tuple[LoadedKey, ...]:
        """The loaded keys, in registry order."""
        return self._keys

    def index(self, source: str, kid: str) -> int | None:
        """The position of the key ``kid`` of ``source``, or None: key ids are per source."""
        return self._by_pair.get((source, kid))

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<Keyring {len(self._keys)} keys>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Keyring, (self._specs,))


def verify(key: LoadedKey, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is ``key``'s signature of ``message`` (constant-time for HMAC)."""
    if len(signature) != SIGNATURE_BYTES[key.alg]:
        return False
    material = key.material
    if isinstance(material, bytes):
        return hmac.compare_digest(hmac.digest(material, message, "sha256"), signature)
    try:
        material.verify(signature, message)
    except InvalidSignature:
        return False
    return True


_SHA256_BLOCK: Final = 64


class _HmacSha256Batch:
    """HMAC-SHA256 verification of many messages under one secret (RFC 2104, spelled out).

    The secret is turned into the two keyed SHA-256 states once; each message then costs two
    state copies and two short hashes instead of a fresh keyed context, which is what makes the
    one-shot `hmac.digest` the slower choice in a loop. Digests are compared in constant time.
    The keyed states are secret-derived: like `LoadedKey`, this object refuses to be pickled.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, secret: bytes) -> None:
        if len(secret) > _SHA256_BLOCK:
            secret = hashlib.sha256(secret).digest()
        block = secret.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("key material is never pickled; pickle the Keyring (by reference)")

    def __call__(self, messages: Sequence[bytes], signatures: Sequence[bytes]) -> list[bool]:
        inner, outer, equal = self._inner.copy, self._outer.copy, hmac.compare_digest
        out: list[bool] = []
        append = out.append
        for message, signature in zip(messages, signatures, strict=True):
            state = inner()
            state.update(message)
            final = outer()
            final.update(state.digest())
            # compare_digest is constant-time in the content and false for any other length
            append(equal(final.digest(), signature))
        return out


def batch_verifier(key: LoadedKey) -> Callable[[Sequence[bytes], Sequence[bytes]], list[bool]]:
    """A function verifying many ``(message, signature)`` pairs under ``key``, as `verify` would.

    Args:
        key: The verification key.

    Returns:
        A callable taking the messages and the signatures (same length) and returning, per
        pair, whether the signature verifies. HMAC keys are prepared once (see
        `_HmacSha256Batch`); Ed25519 keys verify pair by pair.

    >>> key = LoadedKey("s", "k1", "hmac-sha256", None, None, b"k" * 32)
    >>> check = batch_verifier(key)
    >>> check([b"m", b"m"], [hmac.digest(b"k" * 32, b"m", "sha256"), b"x" * 32])
    [True, False]
    """
    material = key.material
    if isinstance(material, bytes):
        return _HmacSha256Batch(material)

    def each(messages: Sequence[bytes], signatures: Sequence[bytes]) -> list[bool]:
        return [verify(key, m, g) for m, g in zip(messages, signatures, strict=True)]

    return each
