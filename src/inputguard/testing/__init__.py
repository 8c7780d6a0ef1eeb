"""Test helpers for projects that use inputguard, and the pytest plugin's building blocks.

The pytest plugin (registered under the ``pytest11`` entry point, so installed with the
package) provides the fixtures ``frozen_clock``, ``audit_events``, ``inputguard_guard`` and
``inputguard_guard_factory`` (session-scoped, for ``@given``);
see ``docs/testing.md``. Property-test strategies live in `inputguard.strategies`.
"""

from __future__ import annotations

from inputguard.testing._helpers import AuditEvents, FrozenClock, GuardFactory

__all__ = ["AuditEvents", "FrozenClock", "GuardFactory"]
