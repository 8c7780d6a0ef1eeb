"""What happens to a found entity: the actions, and the pseudonym key (by reference only)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Final, Literal

from inputguard._core.secrets import read_secret

__all__ = ["ACTIONS", "TRANSFORMS", "Action", "KeyRef", "mask", "pseudonym"]

Action = Literal["redact", "mask", "pseudonymize", "reject", "flag"]
ACTIONS: Final[tuple[str, ...]] = ("redact", "mask", "pseudonymize", "reject", "flag")
TRANSFORMS: Final[dict[str, str]] = {
    "redact": "redacted",
    "mask": "masked",
    "pseudonymize": "pseudonymized",
}
"""Actions that change the text, with the past participle their warning code ends in."""

_MIN_KEY_BYTES: Final = 16
_PSEUDONYM_HEX: Final = 16  # 64 bits of the HMAC: collisions stay negligible for joins


@dataclass(frozen=True, slots=True)
class KeyRef:
    """The pseudonym key, by reference: an environment variable or a file, never inline.

    The material is read when the validator is built (so a missing key fails at start-up) and
    is kept out of the repr, comparisons and pickles; an unpickled validator reads it again
    from the same reference.
    """

    env: str | None = None
    file: str | None = None
    _material: bytes = field(default=b"", repr=False, compare=False)

    def __repr__(self) -> str:
        return f"env:{self.env}" if self.env is not None else f"file:{self.file}"

    def __reduce__(self) -> tuple[object, tuple[str | None, str | None]]:
        return (load_key, (self.env, self.file))

    @property
    def material(self) -> bytes:
        """The key bytes (never logged)."""
        return self._material


def load_key(env: str | None, file: str | None) -> KeyRef:
    """Read the key named by ``env`` or ``file`` (exactly one).

    Raises:
        ConfigurationError: Neither or both given, the variable unset, the file unreadable,
            or a key shorter than 16 bytes. The message names the reference, never the key.
    """
    material = read_secret(
        env, file, purpose="pseudonym key", names=("key_env", "key_file"), min_bytes=_MIN_KEY_BYTES
    )
    return KeyRef(env, file, material)


def pseudonym(key: bytes, entity: str, canonical: str) -> str:
    """A keyed, stable pseudonym: ``<EMAIL:...>`` with 16 hex digits of an HMAC-SHA256.

    The entity name is part of the message, so equal text of two entities differs.
    """
    digest = hmac.new(key, f"{entity}\x00{canonical}".encode(), hashlib.sha256).hexdigest()
    return f"<{entity.upper()}:{digest[:_PSEUDONYM_HEX]}>"


def mask(text: str, keep: int) -> str:
    """Letters and digits become ``*`` except the last ``keep`` of them; the rest stays.

    >>> mask("4111 1111 1111 1111", 4)
    '**** **** **** 1111'
    """
    total = sum(1 for c in text if c.isascii() and c.isalnum())
    hide = total - keep
    out = []
    for c in text:
        if c.isascii() and c.isalnum():
            out.append("*" if hide > 0 else c)
            hide -= 1
        else:
            out.append(c)
    return "".join(out)
