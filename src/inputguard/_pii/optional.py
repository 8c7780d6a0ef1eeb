"""Optional dependencies of the PII family, imported on first use with an install hint."""

from __future__ import annotations

import importlib
from typing import Any

from inputguard.exceptions import ConfigurationError

__all__ = ["phonenumbers_module", "require", "stdnum_module"]

_HINT = "install the extra: pip install 'inputguard-inference[pii]'"


def require(module: str, entity: str) -> None:
    """Raise `ConfigurationError` with the install command if ``module`` is absent."""
    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigurationError(
            f"entity {entity!r} needs the optional dependency {module!r}; {_HINT} "
            f"(or leave {entity!r} out of 'entities')"
        ) from None


def phonenumbers_module() -> Any:
    """The ``phonenumbers`` module (checked at construction by `require`)."""
    return importlib.import_module("phonenumbers")


def stdnum_module(name: str) -> Any:
    """A ``python-stdnum`` module such as ``es.dni`` (checked at construction by `require`)."""
    return importlib.import_module(f"stdnum.{name}")
