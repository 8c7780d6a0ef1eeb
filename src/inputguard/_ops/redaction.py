"""Redaction: what an audit example may show of a raw value.

The default shows the type and length only; `keyed_redact` adds an HMAC-SHA256 tag under a
per-deployment key named by reference (an environment variable or a file), never inline.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Final

from inputguard._core.secrets import read_secret

__all__ = ["KeyedRedaction", "keyed_redact", "redact"]

_MIN_KEY_BYTES: Final = 16


def _size(value: object) -> str:
    """The type of ``value``, with its length when it is text, bytes or a plain container."""
    name = type(value).__name__
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)):
        return f"{name}(len={len(value)})"
    return name


def redact(value: object) -> str:
    """The default redaction of a raw value in an audit example: its type and length, no more.

    No hash of the value is shown: an unkeyed hash of a short value (a 4-digit code, a postcode)
    is reversed by trying every candidate. Use `keyed_redact` to see which examples are equal.

    >>> redact("Austria"), redact(b"ab"), redact(1234), redact([1, 2]), redact(None)
    ('str(len=7)', 'bytes(len=2)', 'int', 'list(len=2)', 'null')
    """
    return "null" if value is None else _size(value)


def _canonical_bytes(value: object) -> bytes | None:
    """The bytes a keyed redaction authenticates: tagged by type, so ``1`` and ``"1"`` differ."""
    if isinstance(value, str):
        body = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, (bytes, bytearray)):
        body = bytes(value)
    else:
        try:
            body = repr(value).encode("utf-8", "backslashreplace")
        except Exception:
            return None
    return type(value).__name__.encode() + b"\x00" + body


@dataclass(frozen=True, slots=True, repr=False)
class KeyedRedaction:
    """A redaction that also shows a keyed hash (HMAC-SHA256) of the value; see `keyed_redact`.

    Without the key, the tag tells nothing about the value; with it, equal values show equal
    tags, so repeats in the audit trail are visible. Pickling carries the reference, not the
    key: it is read again where the redaction is unpickled.
    """

    env: str | None
    file: str | None
    _key: bytes = field(compare=False, hash=False)

    def __call__(self, value: object) -> str:
        if value is None:
            return "null"
        data = _canonical_bytes(value)
        if data is None:
            return _size(value)
        tag = hmac.new(self._key, data, hashlib.sha256).hexdigest()[:16]
        return f"{_size(value)}[hmac:{tag}]"

    def __repr__(self) -> str:
        ref = f"env={self.env!r}" if self.env is not None else f"file={self.file!r}"
        return f"keyed_redact({ref})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_keyed, (self.env, self.file))


def _rebuild_keyed(env: str | None, file: str | None) -> KeyedRedaction:
    return keyed_redact(env=env, file=file)


def keyed_redact(*, env: str | None = None, file: str | None = None) -> KeyedRedaction:
    """A redaction keyed with a per-deployment secret, named by reference (never inline).

    Args:
        env: An environment variable holding the key, or
        file: a file holding it (exactly one of the two; a trailing newline is dropped).

    Returns:
        A `KeyedRedaction`, to pass as ``Guard(..., redact=...)``: ``str(len=7)[hmac:<16 hex>]``.

    Raises:
        ConfigurationError: Neither or both references, the variable unset, the file
            unreadable, or a key shorter than 16 bytes. The message names the reference only.

    >>> import os
    >>> os.environ["DOCTEST_AUDIT_KEY"] = "a-long-deployment-secret"
    >>> redaction = keyed_redact(env="DOCTEST_AUDIT_KEY")
    >>> redaction
    keyed_redact(env='DOCTEST_AUDIT_KEY')
    >>> redaction("4711") == redaction("4711") != redaction("4712")
    True
    >>> redaction("4711")[:11]
    'str(len=4)['
    """
    key = read_secret(env, file, purpose="redaction key", min_bytes=_MIN_KEY_BYTES)
    return KeyedRedaction(env, file, key)
