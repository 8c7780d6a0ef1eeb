"""``inputguard vocab lint`` and ``inputguard vocab suggest``: vocabulary files, for their owners.

``suggest`` is the recalibration loop: the values a vocabulary refused (``term.unknown``,
``term.ambiguous``), ranked by the rows they cost, each with its nearest canonical terms,
written as an overlay file for a person to review. Nothing is ever applied automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import polars as pl
from rich.table import Table

from inputguard._cli.common import EXIT_FINDINGS, EXIT_HELP, fail, stdout_console
from inputguard._core.reasons import Reason
from inputguard._core.result import DEFAULT_COLUMNS, ResultColumns
from inputguard._report.data import load_quarantine
from inputguard._terminology.vocabulary import Vocabulary
from inputguard.exceptions import ConfigurationError, InputGuardError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from inputguard._terminology.matching import Match

__all__ = ["OVERLAY_VERSION", "Suggestion", "suggestions", "vocab", "write_overlay"]

OVERLAY_VERSION = 1
_REFUSED = (str(Reason.TERM_UNKNOWN), str(Reason.TERM_AMBIGUOUS))
# Permissive settings for proposing neighbours only: every candidate is shown to a person,
# who decides; the guard's own cutoff and margin still decide what it accepts.
_PROPOSE_CUTOFF = 50.0
_PROPOSE_MIN_LENGTH = 3


@click.group(epilog=EXIT_HELP)
def vocab() -> None:
    """Vocabulary files: lint them, and suggest synonyms from quarantined values."""


def _load(path: Path) -> Vocabulary:
    try:
        return Vocabulary.from_file(path)
    except InputGuardError as error:
        fail(error)


@vocab.command(epilog=EXIT_HELP)
@click.argument("file", type=click.Path(path_type=Path))
def lint(file: Path) -> None:
    """Load FILE (TOML or CSV vocabulary) and check that every term maps to its canonical.

    Loading already refuses a synonym claimed by two canonicals, empty or duplicate terms and
    unknown canonicals in ``distinct`` pairs (exit 2). Lint then looks every canonical and
    synonym up without fuzzy matching: each must map to the canonical it is listed under
    (exit 1 and a list of the ones that do not).
    """
    vocabulary = _load(file)
    listed = [(c, c) for c in vocabulary.canonicals] + [
        (s, c) for c, synonyms in vocabulary.terms.items() for s in synonyms
    ]
    matches = vocabulary.match([term for term, _ in listed], fuzzy=False)
    problems = [
        (term, canonical, m)
        for (term, canonical), m in zip(listed, matches, strict=True)
        if m.canonical != canonical
    ]
    console = stdout_console()
    synonyms = len(listed) - len(vocabulary.canonicals)
    console.print(
        f"{file}: {vocabulary.name} v{vocabulary.version} (sha256:{vocabulary.digest[:12]}): "
        f"{len(vocabulary)} terms, {synonyms} synonyms, {len(vocabulary.distinct)} distinct "
        f"pairs, {len(vocabulary.known_other)} refused terms"
    )
    if not problems:
        console.print("ok: every term maps to its canonical")
        return
    table = Table("term", "listed under", "maps to", "method", box=None, pad_edge=False)
    for term, canonical, m in problems:
        table.add_row(term, canonical, m.canonical or f"refused ({m.reason})", m.method)
    console.print(f"{len(problems)} terms do not map to the canonical they are listed under:")
    console.print(table)
    raise SystemExit(EXIT_FINDINGS)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One refused value and what it might mean.

    Attributes:
        value: The value as it arrived.
        rows: Quarantined rows that carry it (for this column and these reasons).
        reason: The reason code most of those rows have for the column.
        nearest: The closest canonical terms, closest first (empty: nothing is close).
        score: The similarity of the first (0-100).
        matches_now: The canonical the vocabulary maps the value to today with its default
            settings (a newer vocabulary than the one that refused it), else None.
    """

    value: str
    rows: int
    reason: str
    nearest: tuple[str, ...]
    score: float
    matches_now: str | None


def _nearest(vocabulary: Vocabulary, values: list[str]) -> Sequence[Match]:
    """Matches under permissive settings (the loosest the vocabulary takes), for proposals."""
    attempts: tuple[Callable[[], Sequence[Match]], ...] = (
        lambda: vocabulary.match(
            values, cutoff=_PROPOSE_CUTOFF, margin=0.0, min_length=_PROPOSE_MIN_LENGTH
        ),
        lambda: vocabulary.match(values, cutoff=_PROPOSE_CUTOFF, margin=0.0),
        lambda: vocabulary.match(values, cutoff=_PROPOSE_CUTOFF),
    )
    for attempt in attempts:
        try:
            return attempt()
        except ConfigurationError:  # settings this version refuses: try the next, tighter
            continue
    return vocabulary.match(values)


def _canonicals(vocabulary: Vocabulary, candidates: Sequence[str | None]) -> tuple[str, ...]:
    """The canonical terms the candidates name (a synonym becomes its canonical), in order.

    A candidate that is a refused term of the domain (``known_other``) names no canonical.
    """
    named = [c for c in dict.fromkeys(candidates) if c is not None]
    resolved = vocabulary.match(named, fuzzy=False) if named else []
    return tuple(dict.fromkeys(m.canonical for m in resolved if m.canonical is not None))


def suggestions(
    rows: pl.DataFrame,
    column: str,
    vocabulary: Vocabulary,
    *,
    limit: int,
    names: ResultColumns = DEFAULT_COLUMNS,
) -> list[Suggestion]:
    """The refused values of ``column`` in quarantined ``rows``, most rows first.

    Only string values are proposed (a number is no synonym). Matching uses the public
    `Vocabulary.match` only.
    """
    pairs = (
        rows.select(
            pl.col(column).cast(pl.String, strict=False).alias("value"),
            pl.col(names.reasons).alias("code"),
            pl.col(names.reason_columns).alias("column"),
        )
        .with_row_index("__position")
        .explode("code", "column")
        .filter(pl.col("column") == column, pl.col("code").is_in(_REFUSED))
        .drop_nulls("value")
        .unique(["__position", "code"])
    )
    ranked = (
        pairs.group_by("value")
        .agg(
            pl.col("__position").n_unique().alias("rows"),
            pl.col("code").mode().sort().first().alias("reason"),
        )
        .sort(["rows", "value"], descending=[True, False])
        .head(limit)
    )
    values = ranked["value"].to_list()
    near = _nearest(vocabulary, values)
    today = vocabulary.match(values)
    out = []
    for (value, n, reason), m, now in zip(ranked.iter_rows(), near, today, strict=True):
        nearest = _canonicals(vocabulary, [m.canonical, m.runner_up, now.runner_up])
        first = m.canonical or m.runner_up
        score = float(m.score) if nearest and first is not None else 0.0
        out.append(
            Suggestion(
                value=value,
                rows=n,
                reason=reason,
                nearest=nearest,
                score=round(score, 1),
                matches_now=now.canonical,
            )
        )
    return out


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def write_overlay(
    items: Sequence[Suggestion],
    *,
    vocabulary: Vocabulary,
    column: str,
    origin: str,
    generated_at: datetime,
) -> str:
    """The overlay file text: every proposal commented out, for a person to accept line by line.

    The format is described in ``docs/cli.md`` (``[overlay]`` header, ``[synonyms]`` table of
    ``"new synonym" = "CANONICAL"``).
    """
    lines = [
        f"# Synonym suggestions for vocabulary {vocabulary.name!r}, from values of column",
        f"# {column!r} that it refused in {origin}. Nothing here is applied: review each",
        "# proposal and uncomment the ones that are right (delete the rest).",
        "",
        "[overlay]",
        f"format = {OVERLAY_VERSION}",
        f"vocabulary = {_toml(vocabulary.name)}",
        f"base_version = {_toml(vocabulary.version)}",
        f"base_sha256 = {_toml(vocabulary.digest)}",
        f"column = {_toml(column)}",
        f"generated_at = {generated_at.astimezone(UTC).isoformat().replace('+00:00', 'Z')}",
        "",
        "[synonyms]  # new synonym = the canonical term it means",
    ]
    for item in items:
        lines.append("")
        facts = f"{item.rows} rows ({item.reason})"
        if item.matches_now is not None:
            lines.append(f"# {_toml(item.value)}: {facts}; maps to {item.matches_now} already")
            continue
        if not item.nearest:
            lines.append(f"# {_toml(item.value)}: {facts}; no canonical term is close")
            continue
        if item.score < _PROPOSE_CUTOFF:
            lines.append(
                f"# {_toml(item.value)}: {facts}; no canonical term is close "
                f"(best {item.nearest[0]}, score {item.score:.1f})"
            )
            continue
        others = f", then {', '.join(item.nearest[1:])}" if len(item.nearest) > 1 else ""
        lines.append(f"# {facts}: nearest {item.nearest[0]} (score {item.score:.1f}){others}")
        lines.append(f"# {_toml(item.value)} = {_toml(item.nearest[0])}")
    return "\n".join(lines) + "\n"


def _refused_columns(rows: pl.DataFrame, names: ResultColumns) -> list[str]:
    found = (
        rows.select(
            pl.col(names.reasons).alias("code"), pl.col(names.reason_columns).alias("column")
        )
        .explode("code", "column")
        .filter(pl.col("code").is_in(_REFUSED))
        .drop_nulls("column")
        .get_column("column")
        .unique()
        .sort()
    )
    return [c for c in found.to_list() if c in rows.columns]


@vocab.command(epilog=EXIT_HELP)
@click.option(
    "--quarantine",
    "quarantine",
    required=True,
    type=click.Path(path_type=Path),
    help="A result directory (inputguard validate --out, or a quarantine sink directory).",
)
@click.option(
    "--vocab",
    "vocab_file",
    required=True,
    type=click.Path(path_type=Path),
    help="The vocabulary file that refused the values.",
)
@click.option("--column", default=None, help="The column the vocabulary checks (if several).")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the overlay here (default: standard output).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Values listed."
)
def suggest(
    quarantine: Path, vocab_file: Path, column: str | None, output: Path | None, limit: int
) -> None:
    """Propose synonyms for values a vocabulary refused, ranked by the rows they cost.

    Reads the quarantined rows whose COLUMN was refused as term.unknown or term.ambiguous,
    looks each distinct value up in the vocabulary with permissive fuzzy settings, and writes
    an overlay file with every proposal commented out, its nearest canonical terms, score and
    row count. Nothing is applied: a person reviews the file. The overlay holds the raw
    values, so treat it as you treat the quarantined data.
    """
    vocabulary = _load(vocab_file)
    try:
        found = load_quarantine(quarantine)
    except InputGuardError as error:
        fail(error)
    columns = _refused_columns(found.rows, found.columns)
    if column is None:
        if len(columns) != 1:
            listed = ", ".join(columns) if columns else "none"
            fail(f"give --column: columns with term.unknown / term.ambiguous rows: {listed}")
        column = columns[0]
    elif column not in found.rows.columns:
        fail(f"--column {column!r} is not a column of the quarantined rows in {found.origin!r}")
    items = suggestions(found.rows, column, vocabulary, limit=limit, names=found.columns)
    text = write_overlay(
        items,
        vocabulary=vocabulary,
        column=column,
        origin=found.origin,
        generated_at=datetime.now(UTC),
    )
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"{output}: {len(items)} values for {vocabulary.name!r} ({column})", err=True)
