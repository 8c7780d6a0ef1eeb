"""Every test run: a strict record path; doctests of ``src/`` log nothing.

The strict record path (``inputguard._guard.record.STRICT_ENV``) turns an exception in a
compiled record step, on a record the reference accepts cleanly, into a failure instead of a
quiet fallback; it is read when a guard is built, so it is set here, before any test module
builds one. Doctests send audit events nowhere, so examples show only their own output.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
import structlog
from _pytest.doctest import DoctestItem

if TYPE_CHECKING:
    from collections.abc import Iterator

os.environ.setdefault("INPUTGUARD_STRICT_RECORD_PATH", "1")


@pytest.fixture(autouse=True)
def _quiet_audit_in_doctests(request: pytest.FixtureRequest) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    saved = structlog.get_config()
    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())
    yield
    structlog.configure(**saved)
