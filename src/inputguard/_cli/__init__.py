"""The ``inputguard`` command line: validate files, check a guard file, report, vocabularies.

It is built on the public API only (`Guard.from_config`, `Guard.sink`, `Vocabulary`,
`read_quarantine`); see ``docs/cli.md`` for the commands and their exit codes.
"""

from __future__ import annotations

from pathlib import Path

import click

from inputguard._cli.common import EXIT_HELP
from inputguard._cli.config import check_config
from inputguard._cli.events import configure_events
from inputguard._cli.report import report
from inputguard._cli.validate import validate
from inputguard._cli.vocab import vocab

__all__ = ["cli", "main"]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_HELP,
)
@click.version_option(package_name="inputguard-inference", prog_name="inputguard")
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append the audit events of this run to a hash-chained audit file (docs/audit.md).",
)
@click.pass_context
def cli(ctx: click.Context, audit_log: Path | None) -> None:
    """Check records before inference: validate files, check a guard file, report, vocabularies."""
    ctx.call_on_close(configure_events(audit_log))


cli.add_command(validate)
cli.add_command(check_config)
cli.add_command(report)
cli.add_command(vocab)


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="inputguard")
