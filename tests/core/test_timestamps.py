"""The shared timestamp grammar: the record path's fast and manual parses, and the batch twin."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inputguard._core.timestamps import (
    FAST_PATTERN,
    PY_PATTERN,
    _from_parts,
    iso_text_stages,
    parse_timestamp,
    parse_timestamp_expr,
)

grammar_texts = st.from_regex(PY_PATTERN, fullmatch=True)


@st.composite
def fast_texts(draw: st.DrawFn) -> str:
    """Valid texts in the common shapes (random ones are rarely a real date)."""
    wall = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    digits = draw(st.text("0123456789", max_size=9))
    zone = draw(st.sampled_from(["Z", "+", "-"]))
    if zone != "Z":
        zone += f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    text = f"{wall.year:04d}-" + wall.strftime("%m-%dT%H:%M:%S") + (f".{digits}" if digits else "")
    assert re.fullmatch(FAST_PATTERN[1:-1], text + zone)
    return text + zone


@given(grammar_texts)
def test_fast_path_equals_the_manual_parse(text: str) -> None:
    m = PY_PATTERN.fullmatch(text)
    assert m is not None
    fast, manual = parse_timestamp(text), _from_parts(m)
    assert fast == manual
    if fast is not None and manual is not None:
        assert fast.utcoffset() == manual.utcoffset()


@given(st.one_of(grammar_texts, st.text(max_size=40)))
def test_batch_parse_equals_record_parse(text: str) -> None:
    aware, naive = parse_timestamp_expr(pl.col("t"))
    row = pl.DataFrame({"t": [text]}).select(aware=aware, naive=naive).row(0)
    expected = parse_timestamp(text)
    if expected is None:
        assert row[0] is None or not (
            datetime(1, 1, 1, tzinfo=UTC) <= row[0] <= datetime.max.replace(tzinfo=UTC)
        )
        assert row[1] is None
    elif expected.tzinfo is None:
        assert row == (None, expected)
    else:
        assert row == (expected, None)


def _staged(texts: list[str | None]) -> list[tuple[datetime | None, datetime | None]]:
    stages, aware, naive = iso_text_stages(pl.col("t"), "_x")
    lf = pl.LazyFrame({"t": texts}, schema={"t": pl.String})
    for stage in stages:
        lf = lf.with_columns(**stage)
    return lf.select(aware=aware, naive=naive).collect().rows()


def _agrees(text: str | None, row: tuple[datetime | None, datetime | None]) -> bool:
    expected = None if text is None else parse_timestamp(text)
    if expected is None:
        return row[1] is None and (
            row[0] is None
            or not datetime(1, 1, 1, tzinfo=UTC) <= row[0] <= datetime.max.replace(tzinfo=UTC)
        )
    if expected.tzinfo is None:
        return row == (None, expected)
    return row == (expected, None)


@given(
    st.lists(st.one_of(fast_texts(), grammar_texts, st.text(max_size=40), st.none()), max_size=8)
)
def test_staged_parse_equals_record_parse(texts: list[str | None]) -> None:
    # Several rows at once: the fast and general rows of one column are read by different
    # expressions, and each row must get its own reading whatever its neighbours are.
    for text, row in zip(texts, _staged(texts), strict=True):
        assert _agrees(text, row), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22T12:55:07Z", datetime(2026, 11, 22, 12, 55, 7, tzinfo=UTC)),
        ("2026-11-22T12:55:07.5Z", datetime(2026, 11, 22, 12, 55, 7, 500000, tzinfo=UTC)),
        ("2026-11-22T12:55:07.123456789Z", datetime(2026, 11, 22, 12, 55, 7, 123456, tzinfo=UTC)),
        ("2026-11-22T12:55:07-05:30", datetime(2026, 11, 22, 18, 25, 7, tzinfo=UTC)),
        ("2026-11-22T00:10:00.25+01:00", datetime(2026, 11, 21, 23, 10, 0, 250000, tzinfo=UTC)),
        ("2026-02-30T10:00:00Z", None),
        ("0000-01-01T10:00:00Z", None),
        ("2026-13-01T10:00:00+00:00", None),
        ("2026-11-22T12:55:07+01", None),
        ("2026-11-22T12:55:07.Z", None),
    ],
)
def test_staged_parse_of_the_common_shapes(text: str, expected: datetime | None) -> None:
    assert _staged([text]) == [(expected, None)]
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22T12:55:00z",
        " 2026-11-22T12:55Z ",
        "2026-11-22 12:55:00 +01:00",
        "0001-01-01T00:00+01:00",
    ],
)
def test_forms_only_the_manual_parse_handles(text: str) -> None:
    m = PY_PATTERN.fullmatch(text)
    assert m is not None
    assert parse_timestamp(text) == _from_parts(m)
