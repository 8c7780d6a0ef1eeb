"""What the commands share: exit codes, error reporting, input files and the console."""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Iterable

    from inputguard.exceptions import InputGuardError

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_HELP",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "INPUT_SUFFIXES",
    "expand_inputs",
    "fail",
    "stderr_console",
    "stdout_console",
]

EXIT_OK = 0
"""Nothing to report: no row quarantined, no problem found."""
EXIT_FINDINGS = 1
"""Rows were quarantined (over ``--fail-over``, when given) or a file has problems."""
EXIT_UNUSABLE = 2
"""The input, the configuration or the command line is unusable; nothing was decided."""

EXIT_HELP = (
    "Exit codes: 0 nothing quarantined / no problem found; 1 rows quarantined (above "
    "--fail-over when given) or problems found; 2 unusable input, configuration or usage."
)

INPUT_SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".ipc": "ipc",
    ".arrow": "ipc",
    ".feather": "ipc",
}
"""Input file suffixes ``validate`` reads, and the format each names."""


def stderr_console() -> Console:
    """The console for progress and messages (standard error: standard output stays data)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Console:
    """The console for a command's result (tables, summaries)."""
    return Console(highlight=False, soft_wrap=True)


def fail(message: str | InputGuardError, *, code: int = EXIT_UNUSABLE) -> NoReturn:
    """Print ``error: <message>`` (and an input's reason codes) on standard error; exit ``code``."""
    text = str(message)
    codes = [str(r) for r in getattr(message, "reasons", ())]
    if codes:
        text += f" [{', '.join(codes)}]"
    click.echo(f"error: {text}", err=True)
    sys.exit(code)


def expand_inputs(patterns: Iterable[str]) -> list[Path]:
    """The files named by ``patterns`` (paths or globs, ``**`` included), in order, once each.

    Raises:
        click.UsageError: A pattern matches no file, or a file's suffix names no format.
    """
    found: dict[Path, None] = {}
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                raise click.UsageError(f"no file matches {pattern!r}")
        else:
            path = Path(pattern)
            if not path.is_file():
                what = "is a directory" if path.is_dir() else "does not exist"
                raise click.UsageError(f"input {pattern!r} {what} (give files or globs)")
            matches = [path]
        for path in matches:
            if path.suffix.lower() not in INPUT_SUFFIXES:
                raise click.UsageError(
                    f"input {os.fspath(path)!r}: the suffix must be one of "
                    f"{', '.join(sorted(INPUT_SUFFIXES))}"
                )
            found.setdefault(path, None)
    return list(found)
