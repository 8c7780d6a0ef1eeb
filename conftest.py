"""Doctests of ``src/``: audit events go nowhere, so examples show only their own output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import structlog
from _pytest.doctest import DoctestItem

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _quiet_audit_in_doctests(request: pytest.FixtureRequest) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    saved = structlog.get_config()
    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())
    yield
    structlog.configure(**saved)
