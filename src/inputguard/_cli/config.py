"""``inputguard check-config``: load a guard file the way a service would, for a deploy step."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from inputguard._cli.common import EXIT_HELP, fail, stdout_console
from inputguard._guard.guard import Guard
from inputguard.exceptions import InputGuardError

__all__ = ["check_config"]


@click.command("check-config", epilog=EXIT_HELP)
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when the file is fine.")
def check_config(config: Path, quiet: bool) -> None:
    """Load CONFIG (a guard file) with everything it names, and report the first problem.

    Loads the source registry, the signing keys it references (environment variables and key
    files), every vocabulary, and builds every validator: what `Guard.from_config` does when
    a service starts. Exit 0 when the guard builds, 2 with the problem otherwise.
    """
    if not config.is_file():
        fail(f"guard file {str(config)!r} does not exist")
    try:
        guard = Guard.from_config(config)
    except InputGuardError as error:
        fail(error)
    if quiet:
        return
    console = stdout_console()
    console.print(
        f"{config}: ok, guard {guard.name!r} (fingerprint {guard.fingerprint}), "
        f"{len(guard.validators)} validators, {len(guard.reasons)} reason codes"
    )
    table = Table("#", "validator", box=None, pad_edge=False)
    for index, validator in enumerate(guard.validators):
        table.add_row(str(index), repr(validator))
    console.print(table)
