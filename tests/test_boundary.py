"""The public boundary under arbitrary input: only `InputGuardError` escapes, no row is lost.

Arbitrary frames (every polars dtype the parametric strategies draw, nested ones included,
nulls, odd column names, invalid UTF-8 through Arrow), arbitrary records and arbitrary guard
files. For frames, the answer is the same with info events on and off, rows are conserved, and
quarantined rows come back with their original values.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from polars.testing.parametric import column, dataframes
from structlog.testing import capture_logs

import inputguard as ig

from .conftest import NOW

REGISTRY = ig.SourceRegistry(
    [
        ig.Source("web", "team-web", "active", aliases=("Web",)),
        ig.Source("crm", "team-crm", "suspended"),
    ],
    default_owner="platform",
)
GUARD = ig.Guard(
    [ig.provenance(REGISTRY), ig.freshness("ts", error_after="1h")],
    name="boundary",
    clock=ig.FixedClock(NOW),
)
_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ODD_NAMES = st.sampled_from(["", " ", "row_id", "reasons", "owner", "__ig_x", "ü", "a.b", "1"])
_FRAMES = dataframes(
    include_cols=[column("source"), column("ts")],
    min_cols=0,
    max_cols=2,
    max_size=6,
    excluded_dtypes=[pl.Object],  # Object columns are covered by an example below
)


def _filtering(level: int) -> None:
    structlog.configure(
        processors=[structlog.testing.LogCapture()],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )


def _outcome(frame: pl.DataFrame) -> tuple[str, Any]:
    try:
        result = GUARD.validate(frame)
    except ig.InputGuardError as error:
        return "error", (type(error).__name__, str(error))
    return "result", result


def _same(quiet: tuple[str, Any], loud: tuple[str, Any]) -> None:
    assert quiet[0] == loud[0]
    if quiet[0] == "error":
        assert quiet[1] == loud[1]
        return
    assert_frame_equal(quiet[1].accepted, loud[1].accepted)
    assert_frame_equal(quiet[1].quarantined, loud[1].quarantined)


def _conserved(frame: pl.DataFrame, result: ig.Result) -> None:
    ids = sorted(result.accepted["row_id"].to_list() + result.quarantined["row_id"].to_list())
    assert ids == list(range(frame.height))
    rows = result.quarantined["row_id"].to_list()
    originals = result.quarantined.select(frame.columns)
    assert_frame_equal(originals, frame[rows], check_dtypes=True)


@_SETTINGS
@given(frame=_FRAMES)
def test_any_frame_gets_the_same_answer_with_events_on_and_off(frame: pl.DataFrame) -> None:
    saved = structlog.get_config()
    try:
        _filtering(logging.WARNING)
        quiet = _outcome(frame)
        _filtering(logging.INFO)
        loud = _outcome(frame)
    finally:
        structlog.configure(**saved)
    _same(quiet, loud)
    if quiet[0] == "result":
        _conserved(frame, quiet[1])


@_SETTINGS
@given(data=st.data())
def test_odd_column_names_never_escape_as_foreign_errors(data: st.DataObject) -> None:
    names = data.draw(st.lists(_ODD_NAMES, max_size=3, unique=True))
    frame = pl.DataFrame(
        {"source": ["web", None], "ts": ["2026-11-22T11:30Z", "x"]}
        | {n: [1, None] for n in names if n not in ("source", "ts")}
    )
    kind, value = _outcome(frame)
    if kind == "result":
        _conserved(frame, value)


@_SETTINGS
@given(data=st.data())
def test_odd_keys_get_one_answer_on_record_and_frame(data: st.DataObject) -> None:
    names = data.draw(st.lists(_ODD_NAMES, max_size=3, unique=True))
    record = {"source": "web", "ts": "2026-11-22T11:30Z"} | dict.fromkeys(names, 1)
    with capture_logs():
        try:
            on_record: Any = GUARD.check(record).reasons
        except ig.InputRejected as error:
            on_record = ("rejected", tuple(error.reasons), error.field)
        try:
            result = GUARD.validate(pl.DataFrame([record]))
            on_frame: Any = (
                tuple(result.quarantined["reasons"].to_list()[0])
                if result.quarantined.height
                else ()
            )
        except ig.InputRejected as error:
            on_frame = ("rejected", tuple(error.reasons), error.field)
    assert on_record == on_frame


def _invalid_utf8() -> pa.Table:
    raw = pa.array([b"\xff\xfe", b"web", None], pa.binary())
    return pa.table({"source": raw.view(pa.string()), "ts": ["2026-11-22T11:30Z"] * 3})


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_invalid_utf8, id="invalid UTF-8 string through Arrow"),
        pytest.param(
            lambda: pl.DataFrame(
                {"source": pl.Series([object(), "web"], dtype=pl.Object), "ts": [None, None]}
            ),
            id="object source column",
        ),
    ],
)
def test_hostile_columns_are_rejected_or_quarantined(data: Any) -> None:
    with capture_logs():
        try:
            result = GUARD.validate(data())
        except ig.InputGuardError:
            return
    assert result.rows == result.accepted.height + result.quarantined.height


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.datetimes(),
    st.sampled_from(["web", "Web", "crm", "2026-11-22T11:30Z", "2026-11-22T11:30:00+01:00"]),
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)


_VALUES = st.recursive(_SCALARS, _nested, max_leaves=6)


@_SETTINGS
@given(
    record=st.one_of(
        st.dictionaries(st.sampled_from(["source", "ts", "x", ""]), _VALUES, max_size=4),
        _VALUES,
    )
)
def test_any_record_is_decided_or_rejected_with_an_inputguard_error(record: Any) -> None:
    with capture_logs():
        try:
            verdict = GUARD.check(record)
        except ig.InputGuardError:
            return
    assert verdict.ok == (not verdict.reasons)


_TOML_PIECES = st.sampled_from(
    [
        "[guard]\n",
        'name = "g"\n',
        "name = 3\n",
        "[[validators]]\n",
        'type = "freshness"\n',
        'type = "provenance"\n',
        'type = "nope"\n',
        'column = "ts"\n',
        'error_after = "1h"\n',
        'error_after = "9999999999d"\n',
        'eror_after = "1h"\n',
        "per_source = true\n",
        'registry = "missing.toml"\n',
        "audit_examples = -1\n",
        'result_columns = { owner = "fix_owner" }\n',
        'result_columns = { owner = "reasons" }\n',
        "result_columns = 3\n",
        'redaction_key_env = "IG_TEST_NO_SUCH_KEY"\n',
        "= broken\n",
        "\ufeff",
    ]
)


@_SETTINGS
@given(
    text=st.one_of(st.lists(_TOML_PIECES, max_size=8).map("".join), st.text(max_size=40)),
    garbage=st.binary(max_size=4),
)
def test_any_guard_file_loads_or_raises_a_configuration_error(text: str, garbage: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "guard.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass") + garbage)
        try:
            guard = ig.Guard.from_config(path)
        except ig.ConfigurationError:
            return
        assert guard.validators
