"""Where the command line sends inputguard's audit events: nowhere, or an audit file.

The command line is an application, so it, not the library, configures structlog, and only
for the duration of one command (the previous configuration is restored afterwards).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import click
import structlog

from inputguard._ops.auditfile import AuditFile

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from structlog.typing import EventDict, WrappedLogger

__all__ = ["configure_events"]

_WARNING = "warning"


def _to_stderr(_logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """Print warnings and errors as one line on standard error; drop everything else."""
    if method in {_WARNING, "error", "critical", "exception"}:
        name = event.pop("event", "")
        event.pop("timestamp", None)
        details = " ".join(f"{k}={v}" for k, v in sorted(event.items()))
        click.echo(f"{method}: {name} {details}".rstrip(), err=True)
    raise structlog.DropEvent


def configure_events(audit_log: Path | None) -> Callable[[], None]:
    """Route events for one command; returns the function that restores the previous setup.

    Without ``audit_log`` info events are not even built (the filtering logger drops them
    first); with it, each ``inputguard.*`` event is appended to that hash-chained audit file
    (`AuditFile`), which ``inputguard report --history`` reads.
    """
    previous: dict[str, Any] = structlog.get_config()
    processors: list[Any] = [structlog.processors.TimeStamper(fmt="iso", utc=True)]
    if audit_log is not None:
        processors.append(AuditFile(audit_log, prefix="inputguard."))
    processors.append(_to_stderr)
    level = logging.INFO if audit_log is not None else logging.WARNING
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )

    def restore() -> None:
        structlog.configure(**previous)

    return restore
