"""One self-contained HTML page about a result directory: tables and inline SVG charts.

No script, no style sheet or font from elsewhere, no image file: the page is one file that
opens offline. Offending values pass through a redaction function (by default
`inputguard.redact`: type, size and a hash prefix) unless their column is listed in
``reveal``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl

from inputguard._ops.audit import redact as default_redact

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from inputguard._core.result import ResultColumns
    from inputguard._report.data import Quarantine
    from inputguard._report.history import Trend

__all__ = ["build_report"]

_LABEL_CHARS = 32  # longer labels are cut (the full name is in the bar's tooltip)
_PALETTE = ("#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477")
_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:70rem;padding:0 1rem;color:#1d2330;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #d8dce4;padding-bottom:.2rem}
.meta{color:#5a6272}.tiles{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.tile{border:1px solid #d8dce4;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.tile b{display:block;font-size:1.4rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;padding:.2rem .8rem .2rem 0;border-bottom:1px solid #eef0f4;
vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.9em;background:#f3f5f8;padding:0 .2em;border-radius:3px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(28rem,1fr));gap:1.5rem}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}.note{color:#5a6272;font-size:.9em}
"""


def _n(value: int) -> str:
    return f"{value:,}"


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, numeric: Sequence[int] = ()
) -> str:
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = _n(value) if isinstance(value, int) else str(value)
            klass = ' class="n"' if i in numeric else ""
            cells.append(f"<td{klass}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bars(counts: Sequence[tuple[str, int]], *, label: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not counts:
        return '<p class="note">none</p>'
    width, left, bar_h, gap = 640, 220, 18, 6
    top = max(n for _, n in counts) or 1
    height = len(counts) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for i, (name, n) in enumerate(counts):
        y = gap + i * (bar_h + gap)
        w = max(1.0, (width - left - 80) * n / top)
        short = name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{_PALETTE[0]}"><title>{escape(name)}: {_n(n)}</title></rect>'
            f'<text x="{left + w + 6:.1f}" y="{y + 13}">{_n(n)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _trend_chart(trend: Trend) -> str:
    """Quarantined share per source and bucket, one line per source, as inline SVG."""
    width, height, left, right, top, bottom = 720, 260, 50, 170, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    steps = max(1, len(trend.starts) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="quarantine rate per '
        f'source over time" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f7f8fa"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde1e8"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    fmt = "%Y-%m-%d" if trend.bucket == "day" else "%m-%d %H:00"
    for i in sorted({0, len(trend.starts) - 1}):
        x = left + plot_w * i / steps
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{escape(trend.starts[i].strftime(fmt))}</text>"
        )
    for k, (source, cells) in enumerate(trend.series.items()):
        colour = _PALETTE[k % len(_PALETTE)]
        points = []
        for i, (ok, bad) in enumerate(cells):
            if ok + bad:
                x = left + plot_w * i / steps
                y = top + plot_h * (1 - bad / (ok + bad))
                points.append((x, y, ok, bad, trend.starts[i]))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for x, y, ok, bad, at in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                f"{escape(source)} {escape(at.strftime(fmt))}: {_n(bad)} of {_n(ok + bad)} "
                "quarantined</title></circle>"
            )
        ly = top + 14 + 18 * k
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + plot_w + 28}" y="{ly}">'
            f"{escape(source[:20])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _by_reason(rows: pl.DataFrame, n: ResultColumns) -> list[tuple[str, int]]:
    if rows.height == 0:
        return []
    counted = (
        rows.select(pl.col(n.reasons).list.unique().alias("code"))
        .explode("code")
        .drop_nulls()
        .group_by("code")
        .len()
        .sort(["len", "code"], descending=[True, False])
    )
    return list(counted.iter_rows())


def _pairs(rows: pl.DataFrame, n: ResultColumns) -> pl.DataFrame:
    """One row per (quarantined row, column, reason)."""
    return (
        rows.with_row_index("__position")
        .select(
            "__position",
            pl.col(n.reason_columns).alias("column"),
            pl.col(n.reasons).alias("code"),
        )
        .explode("column", "code")
        .drop_nulls("code")
        .with_columns(pl.col("column").fill_null("<none>"))
        .unique()
    )


def _by_column(rows: pl.DataFrame, n: ResultColumns) -> list[tuple[str, str, int]]:
    if rows.height == 0:
        return []
    counted = (
        _pairs(rows, n)
        .group_by("column", "code")
        .len()
        .sort(["len", "column", "code"], descending=[True, False, False])
    )
    return list(counted.iter_rows())


def _by(rows: pl.DataFrame, column: str) -> list[tuple[str, int]]:
    if rows.height == 0 or column not in rows.columns:
        return []
    counted = (
        rows.group_by(pl.col(column).cast(pl.String).fill_null("<none>").alias("key"))
        .len()
        .sort(["len", "key"], descending=[True, False])
    )
    return list(counted.iter_rows())


def _shown(
    value: object, column: str, reveal: frozenset[str], redact: Callable[[object], object]
) -> str:
    return repr(value) if column in reveal and value is not None else str(redact(value))


def _offending_values(
    rows: pl.DataFrame,
    n: ResultColumns,
    *,
    top: int,
    reveal: frozenset[str],
    redact: Callable[[object], object],
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The most frequent values per column that a reason names, as the report may show them."""
    if rows.height == 0:
        return []
    pairs = _pairs(rows, n)
    out = []
    for column in sorted(set(pairs["column"].to_list()) - {"<none>"}):
        if column not in rows.columns:
            continue
        positions = pairs.filter(pl.col("column") == column)["__position"].unique()
        values = rows.with_row_index("__position").filter(pl.col("__position").is_in(positions))[
            column
        ]
        shown: dict[str, int] = {}
        for value, count in values.value_counts(sort=True, name="__n").iter_rows():
            key = _shown(value, column, reveal, redact)
            shown[key] = shown.get(key, 0) + count
        ranked = sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        out.append((column, ranked))
    return out


def _reasons_text(codes: Sequence[str], columns: Sequence[str | None] | None) -> str:
    """``code (column), ...`` for one row."""
    named = columns if columns is not None else [None] * len(codes)
    return ", ".join(
        f"{code} ({column})" if column else code for code, column in zip(codes, named, strict=True)
    )


def _examples(
    rows: pl.DataFrame,
    n: ResultColumns,
    *,
    limit: int,
    reveal: frozenset[str],
    redact: Callable[[object], object],
) -> str:
    if rows.height == 0 or limit == 0:
        return '<p class="note">none</p>'
    added = set(n.names)
    data_columns = [c for c in rows.columns if c not in added]
    headers = [n.row_id, n.reasons, n.owner, *data_columns]
    body = [
        [
            "" if row.get(n.row_id) is None else str(row[n.row_id]),
            _reasons_text(row[n.reasons], row.get(n.reason_columns)),
            row.get(n.owner) or "",
            *(_shown(row[c], c, reveal, redact) for c in data_columns),
        ]
        for row in rows.head(limit).iter_rows(named=True)
    ]
    return _table(headers, body)


def _tiles(q: Quarantine) -> str:
    summary: dict[str, Any] = q.summary or {}
    tiles = []
    if "rows" in summary:
        tiles += [("rows", _n(int(summary["rows"]))), ("accepted", _n(int(summary["accepted"])))]
    tiles.append(("quarantined", _n(q.rows.height)))
    if "quarantine_rate" in summary:
        tiles.append(("quarantine rate", f"{float(summary['quarantine_rate']):.2%}"))
    owners = q.rows[q.columns.owner].drop_nulls().n_unique() if q.rows.height else 0
    tiles.append(("owners", _n(owners)))
    return (
        '<div class="tiles">'
        + "".join(
            f'<div class="tile" data-tile="{escape(k)}"><b>{escape(v)}</b>{escape(k)}</div>'
            for k, v in tiles
        )
        + "</div>"
    )


def build_report(
    q: Quarantine,
    *,
    history: Trend | None = None,
    redact: Callable[[object], object] = default_redact,
    reveal: Iterable[str] = (),
    top: int = 10,
    examples: int = 10,
    generated_at: datetime | None = None,
) -> str:
    """The report page as one HTML string.

    Args:
        q: The quarantined rows and summary (`load_quarantine`).
        history: A trend read from audit events (`read_history`), for the per-source chart.
        redact: Turns a raw value into what the page may show (default `inputguard.redact`).
        reveal: Columns whose values are shown as they are (e.g. a country code).
        top: Offending values listed per column.
        examples: Quarantined rows shown.
        generated_at: The time stamped on the page (default: now).

    Returns:
        A complete HTML document with no external reference.
    """
    shown = frozenset(reveal)
    rows = q.rows
    summary: dict[str, Any] = q.summary or {}
    stamp = (generated_at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    guard = summary.get("guard")
    title = f"inputguard report: {guard}" if guard else "inputguard report"
    meta = [f"from <code>{escape(q.origin)}</code>", f"generated {escape(stamp)}"]
    if guard:
        meta.insert(
            0,
            f"guard <code>{escape(str(guard))}</code> "
            f"(<code>{escape(str(summary.get('guard_fingerprint', '')))}</code>), checked at "
            f"{escape(str(summary.get('checked_at', '')))}",
        )
    n = q.columns
    reasons = _by_reason(rows, n)
    sections = [
        f'<section id="reasons"><h2>Quarantined rows by reason</h2>'
        f"{_bars(reasons, label='quarantined rows by reason')}"
        f"{_table(['reason', 'rows'], reasons, numeric=[1])}"
        '<p class="note">A row counts once per reason.</p></section>',
        f'<section id="columns"><h2>By column</h2>'
        f"{_table(['column', 'reason', 'rows'], _by_column(rows, n), numeric=[2])}</section>",
    ]
    owners = _by(rows, n.owner)
    source_rows: list[Sequence[object]] = []
    if q.source_column is not None:
        accepted = q.accepted or {}
        for source, count in _by(rows, q.source_column):
            total = count + accepted.get(source, 0)
            rate = f"{count / total:.1%}" if q.accepted is not None else ""
            source_rows.append((source, count, rate))
    sections.append(
        '<div class="grid">'
        '<section id="sources"><h2>By source</h2>'
        + (
            _table(["source", "quarantined", "share of its rows"], source_rows, numeric=[1, 2])
            if source_rows
            else '<p class="note">no source column</p>'
        )
        + f'</section><section id="owners"><h2>By owner</h2>'
        f"{_bars(owners, label='quarantined rows by owner')}</section></div>"
    )
    if history is not None:
        trend_rows = [
            (source, sum(b for _, b in cells), sum(a + b for a, b in cells))
            for source, cells in history.series.items()
        ]
        sections.append(
            f'<section id="trend"><h2>Trend per source</h2>{_trend_chart(history)}'
            f'<p class="note">Quarantined share of rows per {history.bucket}, from '
            f"{_n(history.events)} audit events.</p>"
            f"{_table(['source', 'quarantined', 'rows'], trend_rows, numeric=[1, 2])}</section>"
        )
    values = _offending_values(rows, n, top=top, reveal=shown, redact=redact)
    blocks = "".join(
        f'<div data-column="{escape(column)}"><h3><code>{escape(column)}</code>'
        f"{' (shown as they are)' if column in shown else ' (redacted)'}</h3>"
        f"{_table(['value', 'rows'], ranked, numeric=[1])}</div>"
        for column, ranked in values
    )
    sections.append(
        '<section id="values"><h2>Most frequent offending values</h2>'
        f'<div class="grid">{blocks or "<p class=note>none</p>"}</div>'
        '<p class="note">Values pass through the redaction policy: type, size and a hash '
        "prefix, so repeats show but values do not, unless a column is revealed.</p></section>"
    )
    sections.append(
        f'<section id="examples"><h2>Examples</h2>'
        f"{_examples(rows, n, limit=examples, reveal=shown, redact=redact)}</section>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="meta">{" · ".join(meta)}</p>'
        f"{_tiles(q)}{''.join(sections)}</body></html>\n"
    )
