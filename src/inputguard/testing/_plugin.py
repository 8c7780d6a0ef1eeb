"""The inputguard pytest plugin: fixtures for tests of code that uses a guard.

Registered under the ``pytest11`` entry point. It imports nothing heavier than inputguard
itself (no Hypothesis), so it is harmless in projects that only install the base package.

Fixtures:
    frozen_clock: A `FrozenClock` a test can move; give it to a guard as ``clock``.
    audit_events: The audit events inputguard logs during the test (`AuditEvents`).
    inputguard_guard: The guard described by ``--inputguard-config PATH`` or the ini option
        ``inputguard_config``, reading ``frozen_clock``.
    inputguard_guard_factory: Session-scoped: builds that guard with a clock of the caller's
        choice; the form to use inside Hypothesis's ``@given``, which refuses function-scoped
        fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import structlog

from inputguard._guard.guard import Guard
from inputguard.testing._helpers import AuditEvents, FrozenClock, GuardFactory

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "audit_events",
    "frozen_clock",
    "inputguard_guard",
    "inputguard_guard_factory",
    "pytest_addoption",
]

_OPTION = "--inputguard-config"
_INI = "inputguard_config"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--inputguard-config`` and the ini option ``inputguard_config``."""
    group = parser.getgroup("inputguard")
    group.addoption(
        _OPTION,
        dest="inputguard_config",
        default=None,
        metavar="PATH",
        help="guard file for the inputguard_guard fixture (overrides the ini option)",
    )
    parser.addini(
        _INI,
        type="string",
        default="",
        help="guard file for the inputguard_guard fixture, relative to the ini file",
    )


def _config_path(config: pytest.Config) -> Path | None:
    given = config.getoption("inputguard_config")
    if given:
        return Path(given).resolve()  # relative to where pytest was started
    value = str(config.getini(_INI) or "").strip()
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return (base / value).resolve()


@pytest.fixture
def frozen_clock() -> FrozenClock:
    """A clock that stands still at 2026-01-01T12:00Z until the test moves it."""
    return FrozenClock()


@pytest.fixture
def audit_events() -> Iterator[AuditEvents]:
    """The audit events inputguard logs during the test, captured with structlog."""
    with structlog.testing.capture_logs() as captured:
        yield AuditEvents(captured)


@pytest.fixture(scope="session")
def _inputguard_loaded_guard(pytestconfig: pytest.Config) -> Guard:
    path = _config_path(pytestconfig)
    if path is None:
        raise pytest.UsageError(
            f"the inputguard_guard fixture needs a guard file: pass {_OPTION} PATH or set "
            f"'{_INI} = \"path/to/guard.toml\"' in the pytest ini options"
        )
    from_config = getattr(Guard, "from_config", None)
    if from_config is None:  # pragma: no cover - only with an inputguard that predates it
        pytest.skip("this inputguard version has no Guard.from_config")
    guard: Guard = from_config(path)
    return guard


@pytest.fixture
def inputguard_guard(_inputguard_loaded_guard: Guard, frozen_clock: FrozenClock) -> Guard:
    """The configured guard (loaded once per session), reading the test's ``frozen_clock``."""
    loaded = _inputguard_loaded_guard
    return Guard(loaded.validators, name=loaded.name, clock=frozen_clock)


@pytest.fixture(scope="session")
def inputguard_guard_factory(_inputguard_loaded_guard: Guard) -> GuardFactory:
    """Session-scoped: ``factory(clock=None)`` builds the configured guard (safe in ``@given``).

    Hypothesis refuses function-scoped fixtures inside ``@given`` (they are not reset between
    examples); this one holds no per-test state, and each call builds a guard of its own.
    """
    return GuardFactory(_inputguard_loaded_guard)
