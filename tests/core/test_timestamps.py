"""The shared timestamp grammar: the record path's fast and manual parses, and the batch twin."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inputguard._core.timestamps import (
    PY_PATTERN,
    _from_parts,
    parse_timestamp,
    parse_timestamp_expr,
)

grammar_texts = st.from_regex(PY_PATTERN, fullmatch=True)


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
