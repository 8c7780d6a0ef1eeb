"""``inputguard validate``: stream files through a guard file's guard into an output directory."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from inputguard._cli.common import (
    EXIT_FINDINGS,
    EXIT_HELP,
    EXIT_OK,
    INPUT_SUFFIXES,
    expand_inputs,
    fail,
    stderr_console,
    stdout_console,
)
from inputguard._guard.guard import Guard
from inputguard.exceptions import InputGuardError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.console import Console

    from inputguard._core.result import SinkSummary

__all__ = ["SUMMARY_FILE", "SUMMARY_VERSION", "validate"]

SUMMARY_FILE = "summary.json"
SUMMARY_VERSION = 1
_OUTPUT_FORMATS = {"parquet": ".parquet", "csv": ".csv", "ndjson": ".ndjson", "ipc": ".arrow"}


class _RateColumn(ProgressColumn):
    """Rows per second of a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


class _RowsColumn(ProgressColumn):
    """Rows written so far (of the total, when the file's metadata tells it)."""

    def render(self, task: Task) -> Text:
        done = f"{int(task.completed):,}"
        return Text(done if task.total is None else f"{done}/{int(task.total):,} rows")


@dataclass(frozen=True, slots=True)
class _FileRun:
    source: Path
    accepted: Path
    quarantined: Path
    summary: SinkSummary


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"must be an ISO 8601 instant such as 2026-01-01T12:00:00Z (got {value!r})",
            param_hint="'--now'",
        ) from None
    if instant.tzinfo is None:
        raise click.BadParameter(
            f"must carry a UTC offset, e.g. 2026-01-01T12:00:00Z (got {value!r})",
            param_hint="'--now'",
        )
    return instant.astimezone(UTC)


def _known_rows(path: Path) -> int | None:
    """The row count from a parquet or IPC file's metadata; None for text formats."""
    kind = INPUT_SUFFIXES[path.suffix.lower()]
    try:
        if kind == "parquet":
            return int(pl.scan_parquet(path).select(pl.len()).collect().item())
        if kind == "ipc":
            return int(pl.scan_ipc(path).select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError):
        return None  # the sink itself reports the unreadable file
    return None


def _output_names(inputs: Sequence[Path], suffix: str) -> list[str]:
    """One output file name per input: its stem, numbered when two inputs share one."""
    names: list[str] = []
    taken: set[str] = set()
    for path in inputs:
        stem, name, n = path.stem, path.stem + suffix, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
        taken.add(name)
        names.append(name)
    return names


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        _RowsColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _merge(total: dict[str, int], part: dict[str, int] | Any) -> None:
    for key, n in part.items():
        total[key] = total.get(key, 0) + n


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _summary_document(
    runs: Sequence[_FileRun],
    guard: Guard,
    *,
    config: Path,
    out: Path,
    at: datetime,
    fail_over: float | None,
    duration_s: float,
) -> dict[str, Any]:
    reasons: dict[str, int] = {}
    warnings: dict[str, int] = {}
    by_column: dict[str, dict[str, int]] = {}
    files = []
    for run in runs:
        s = run.summary
        _merge(reasons, s.reasons)
        _merge(warnings, s.warnings)
        for (column, code), n in s.reasons_by_column.items():
            cell = by_column.setdefault("<none>" if column is None else column, {})
            cell[code] = cell.get(code, 0) + n
        files.append(
            {
                "input": os.fspath(run.source),
                "rows": s.rows,
                "accepted": s.accepted,
                "quarantined": s.quarantined,
                "accepted_file": run.accepted.relative_to(out).as_posix(),
                "quarantined_file": run.quarantined.relative_to(out).as_posix(),
                "reasons": dict(s.reasons),
                "duration_s": round(s.duration_s, 6),
            }
        )
    rows = sum(r.summary.rows for r in runs)
    quarantined = sum(r.summary.quarantined for r in runs)
    return {
        "summary_version": SUMMARY_VERSION,
        "guard": guard.name,
        "guard_fingerprint": guard.fingerprint,
        "config": os.fspath(config),
        "checked_at": at.isoformat().replace("+00:00", "Z"),
        "source_column": guard.source_column,
        "result_columns": guard.result_columns.as_dict(),
        "rows": rows,
        "accepted": rows - quarantined,
        "quarantined": quarantined,
        "quarantine_rate": quarantined / rows if rows else 0.0,
        "fail_over": fail_over,
        "reasons": _ranked(reasons),
        "reasons_by_column": {c: _ranked(v) for c, v in sorted(by_column.items())},
        "warnings": _ranked(warnings),
        "duration_s": round(duration_s, 6),
        "files": files,
    }


def _print_summary(console: Console, doc: dict[str, Any]) -> None:
    rate = doc["quarantine_rate"]
    console.print(
        f"guard {doc['guard']} ({doc['guard_fingerprint']}) at {doc['checked_at']}: "
        f"{doc['rows']:,} rows, {doc['accepted']:,} accepted, "
        f"{doc['quarantined']:,} quarantined ({rate:.2%})"
    )
    if doc["reasons"]:
        table = Table("reason", "rows", title=None, box=None, pad_edge=False)
        for code, n in doc["reasons"].items():
            table.add_row(code, f"{n:,}")
        console.print(table)


@click.command(epilog=EXIT_HELP)
@click.argument("data", nargs=-1, required=True)
@click.option(
    "-c",
    "--config",
    "config",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The guard file (TOML, see docs/configuration.md).",
)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory: accepted/, quarantined/ and summary.json.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(_OUTPUT_FORMATS)),
    default="parquet",
    show_default=True,
    help="Format of the accepted and quarantined files.",
)
@click.option(
    "--fail-over",
    "fail_over",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    metavar="RATE",
    help="Exit 1 only when the quarantined share of rows exceeds RATE (0-1); default: any row.",
)
@click.option(
    "--now",
    "now",
    default=None,
    metavar="INSTANT",
    help="Check against this ISO 8601 instant instead of the clock (one reading for all files).",
)
@click.option(
    "--progress/--no-progress",
    "progress",
    default=None,
    help="Show progress on standard error (default: only when it is a terminal).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print no summary (the exit code and files stay)."
)
def validate(
    *,
    data: tuple[str, ...],
    config: Path,
    out: Path,
    fmt: str,
    fail_over: float | None,
    now: str | None,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Validate DATA files (parquet, CSV, NDJSON, Arrow IPC; paths or globs) with a guard file.

    Each file streams through the guard (memory does not follow its size) into
    OUT/accepted/<name> and OUT/quarantined/<name>; OUT/summary.json holds the counts. Every
    file is checked against one clock reading.
    """
    instant = _parse_now(now)
    inputs = expand_inputs(data)
    try:
        guard = Guard.from_config(config)
    except InputGuardError as error:
        fail(error)
    err = stderr_console()
    show = err.is_terminal if progress is None else progress
    suffix = _OUTPUT_FORMATS[fmt]
    names = _output_names(inputs, suffix)
    started = time.perf_counter()
    at = guard.clock() if instant is None else instant  # one reading for every file
    runs: list[_FileRun] = []
    display = _progress(err) if show else None
    try:
        if display is not None:
            display.start()
        for path, name in zip(inputs, names, strict=True):
            accepted = out / "accepted" / name
            quarantined = out / "quarantined" / name
            on_batch: Callable[[int], None] | None = None
            if display is not None:
                task = display.add_task(path.name, total=_known_rows(path))
                on_batch = _advance(display, task)
            try:
                summary = guard.sink(
                    path, accepted=accepted, quarantined=quarantined, now=at, on_batch=on_batch
                )
            except InputGuardError as error:
                if display is not None:
                    display.stop()
                    display = None
                codes = ", ".join(str(r) for r in getattr(error, "reasons", ()))
                fail(f"{os.fspath(path)}: {error}" + (f" [{codes}]" if codes else ""))
            if display is not None:
                display.update(task, total=summary.rows, completed=summary.rows)
            runs.append(_FileRun(path, accepted, quarantined, summary))
    finally:
        if display is not None:
            display.stop()
    doc = _summary_document(
        runs,
        guard,
        config=config,
        out=out,
        at=runs[0].summary.checked_at,  # the reading as the guard checked it (UTC)
        fail_over=fail_over,
        duration_s=time.perf_counter() - started,
    )
    failed = doc["quarantined"] > 0 if fail_over is None else doc["quarantine_rate"] > fail_over
    doc["exit_code"] = EXIT_FINDINGS if failed else EXIT_OK
    out.mkdir(parents=True, exist_ok=True)
    temporary = out / f".{SUMMARY_FILE}.tmp"
    temporary.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(out / SUMMARY_FILE)
    if not quiet:
        _print_summary(stdout_console(), doc)
    raise SystemExit(doc["exit_code"])


def _advance(display: Progress, task: Any) -> Callable[[int], None]:
    def on_batch(rows: int) -> None:
        display.update(task, completed=rows)

    return on_batch
