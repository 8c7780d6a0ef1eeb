"""``inputguard report``: one self-contained HTML page about a result directory."""

from __future__ import annotations

from pathlib import Path

import click

from inputguard._cli.common import EXIT_HELP, fail
from inputguard._report.data import load_quarantine
from inputguard._report.history import read_history
from inputguard._report.html import build_report
from inputguard.exceptions import InputGuardError

__all__ = ["report"]


@click.command(epilog=EXIT_HELP)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--history",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Audit events (JSON lines, or an audit file) for the trend per source.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write.",
)
@click.option(
    "--reveal",
    multiple=True,
    metavar="COLUMN",
    help="Show this column's values as they are (repeatable); all others are redacted.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Offending values listed per column.",
)
@click.option(
    "--examples",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Quarantined rows shown.",
)
def report(
    *,
    directory: Path,
    history: Path | None,
    output: Path,
    reveal: tuple[str, ...],
    top: int,
    examples: int,
) -> None:
    """Write one HTML page (no network, no script) about DIRECTORY's quarantined rows.

    DIRECTORY is an 'inputguard validate --out' directory or a quarantine sink directory.
    The page counts rows by reason, column, source and owner, lists the most frequent
    offending values per column through the redaction policy, shows examples, and, with
    --history, the quarantined share per source over time.
    """
    try:
        found = load_quarantine(directory)
        trend = read_history(history) if history is not None else None
    except InputGuardError as error:
        fail(error)
    page = build_report(found, history=trend, reveal=reveal, top=top, examples=examples)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    click.echo(f"{output}: report on {found.rows.height:,} quarantined rows", err=True)
