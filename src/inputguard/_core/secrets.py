"""Secrets by reference: key material read from an environment variable or a file, never inline.

PII pseudonyms and keyed audit redaction both take a key this way (signing keys too, through the
source registry's own file format). Messages name the reference, never the material.
"""

from __future__ import annotations

import os
from pathlib import Path

from inputguard.exceptions import ConfigurationError

__all__ = ["read_secret"]


def read_secret(
    env: object,
    file: object,
    *,
    purpose: str,
    names: tuple[str, str] = ("env", "file"),
    min_bytes: int = 16,
) -> bytes:
    """The key bytes named by ``env`` or ``file`` (exactly one; a trailing newline is dropped).

    Args:
        env: An environment variable holding the key, or None.
        file: A file holding the key, or None.
        purpose: What the key is for, as messages name it (``"pseudonym key"``).
        names: How the caller's parameters are called, for messages (``("key_env", "key_file")``).
        min_bytes: The shortest key accepted.

    Raises:
        ConfigurationError: Neither or both given, the variable unset, the file unreadable, or a
            key shorter than ``min_bytes``.

    >>> os.environ["DOCTEST_SECRET"] = "x" * 16
    >>> read_secret("DOCTEST_SECRET", None, purpose="test key")
    b'xxxxxxxxxxxxxxxx'
    """
    env_name, file_name = names
    if (env is None) == (file is None):
        raise ConfigurationError(
            f"the {purpose} needs exactly one of {env_name!r} (an environment variable) and "
            f"{file_name!r} (a file) holding it; keys are never given inline"
        )
    if env is not None:
        if not isinstance(env, str) or not env:
            raise ConfigurationError(
                f"{env_name!r} must be an environment variable name (got {env!r})"
            )
        text = os.environ.get(env)
        if text is None:
            raise ConfigurationError(f"{purpose}: environment variable {env!r} is not set")
        material = text.encode("utf-8", "surrogateescape")
        where = f"environment variable {env!r}"
    else:
        if not isinstance(file, str) or not file:
            raise ConfigurationError(f"{file_name!r} must be a file path (got {file!r})")
        try:
            material = Path(file).read_bytes().rstrip(b"\r\n")
        except (OSError, ValueError) as error:  # ValueError: a NUL in the path
            raise ConfigurationError(
                f"{purpose}: cannot read key file {file!r} ({type(error).__name__})"
            ) from None
        where = f"key file {file!r}"
    if len(material) < min_bytes:
        raise ConfigurationError(
            f"{purpose} in {where} must be at least {min_bytes} bytes (got {len(material)})"
        )
    return material
