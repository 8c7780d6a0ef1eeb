"""The public namespace is exactly `__all__`, sorted, and every name in it resolves."""

from __future__ import annotations

import types

import inputguard
import inputguard.exceptions


def _public_names(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", module.__name__) != "__future__"
    }


def test_all_is_sorted_and_unique() -> None:
    names = [n for n in inputguard.__all__ if n != "__version__"]
    assert names == sorted(names)
    assert len(set(inputguard.__all__)) == len(inputguard.__all__)


def test_all_matches_public_names() -> None:
    exported = set(inputguard.__all__) - {"__version__"}
    assert exported == _public_names(inputguard)


def test_every_exported_name_resolves() -> None:
    for name in inputguard.__all__:
        assert getattr(inputguard, name) is not None


def test_exceptions_module_exports() -> None:
    assert set(inputguard.exceptions.__all__) == {
        "ConfigurationError",
        "InputGuardError",
        "InputRejected",
    }


def test_exception_tree() -> None:
    assert issubclass(inputguard.InputRejected, inputguard.InputGuardError)
    assert issubclass(inputguard.ConfigurationError, inputguard.InputGuardError)
    assert issubclass(inputguard.ConfigurationError, ValueError)


def test_version_is_a_string() -> None:
    assert isinstance(inputguard.__version__, str)
    assert inputguard.__version__[0].isdigit()
