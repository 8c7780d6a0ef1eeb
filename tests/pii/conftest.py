from __future__ import annotations

import pytest

from inputguard._pii import scan

KEY = "k" * 32
"""The pseudonym key the tests' validators read from ``IG_TEST_PII_KEY``."""


@pytest.fixture(autouse=True)
def _shortcuts_on_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch path's shortcuts run on every batch, however small, in these tests.

    By default they start at `scan._FAST_FROM` distinct candidates, which the small generated
    batches here rarely reach; this keeps the record-path / batch-path properties exercising
    the shortcuts. `test_batch.py` checks the default threshold on its own.
    """
    monkeypatch.setattr(scan, "_FAST_FROM", 0)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_TEST_PII_KEY", KEY)
