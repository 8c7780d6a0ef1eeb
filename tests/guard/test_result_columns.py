"""Result column names: inputs with business columns named ``owner`` or ``warnings``."""

from __future__ import annotations

import json
import pickle
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
from inputguard import ConfigurationError, InputRejected, Reason
from inputguard._cli import cli
from inputguard._report import build_report, load_quarantine

from ..conftest import NOW

if TYPE_CHECKING:
    from pathlib import Path

ROLES = ("row_id", "reasons", "reason_columns", "owner", "warnings")
RENAMED = ig.ResultColumns(owner="fix_owner", warnings="ig_warnings")
FRESH = "2026-11-22T11:30:00Z"
STALE = "2020-01-01T00:00:00Z"


def _guard(result_columns: Any = None) -> ig.Guard:
    return ig.Guard(
        [ig.freshness("ts", error_after="1h")],
        name="names",
        clock=ig.FixedClock(NOW),
        result_columns=result_columns,
    )


def _business_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts": [FRESH, STALE, FRESH],
            "owner": ["alice", "bob", None],
            "warnings": [0, 3, 1],
        }
    )


# -- the names --------------------------------------------------------------------------------


def test_defaults_and_prefix() -> None:
    assert ig.ResultColumns().reserved == frozenset(ROLES)
    assert ig.ResultColumns.prefixed("ig_").names[:5] == tuple(f"ig_{r}" for r in ROLES)
    assert ig.ResultColumns.of({"owner": "fix_owner"}) == ig.ResultColumns(owner="fix_owner")
    assert ig.ResultColumns.of(None) == ig.ResultColumns()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"owner": "reasons"}, "distinct names: 'reasons'"),
        ({"owner": ""}, "'owner' must be a non-empty name"),
        ({"owner": " owner"}, "without surrounding spaces"),
        ({"owner": "__ig_owner"}, "must not start with '__ig'"),
        ({"ownr": "x"}, "unknown result column 'ownr'"),
        ({"owner": 3}, "'owner' must be a non-empty name"),
        (["owner"], "must be ResultColumns or a mapping"),
    ],
)
def test_bad_names_are_refused_at_construction(value: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _guard(value)


def test_other_names_change_the_fingerprint_and_the_defaults_do_not() -> None:
    assert _guard().fingerprint == _guard(ig.ResultColumns()).fingerprint
    assert _guard().fingerprint != _guard(RENAMED).fingerprint


def test_the_names_survive_pickling() -> None:
    guard = pickle.loads(pickle.dumps(_guard(RENAMED)))
    assert guard.result_columns == RENAMED
    assert "fix_owner" in guard.validate(_business_frame()).quarantined.columns


# -- one truth on both paths ------------------------------------------------------------------


@pytest.mark.parametrize("key", ROLES)
def test_a_result_name_rejects_a_frame_and_a_record_alike(key: str) -> None:
    guard = _guard()
    record = {"ts": FRESH, key: "x"}
    with pytest.raises(InputRejected) as on_frame:
        guard.validate(pl.DataFrame([record]))
    with pytest.raises(InputRejected) as on_record:
        guard.check(record)
    for error in (on_frame.value, on_record.value):
        assert list(error.reasons) == [Reason.SCHEMA_RESERVED_COLUMN]
        assert error.field == key
        assert "result_columns" in str(error)


def test_business_columns_coexist_with_renamed_results() -> None:
    frame = _business_frame()
    result = _guard(RENAMED).validate(frame)
    assert result.columns == RENAMED
    assert result.rows == frame.height
    assert result.quarantined.columns == [
        "row_id",
        "ts",
        "owner",
        "warnings",
        "reasons",
        "reason_columns",
        "fix_owner",
        "ig_warnings",
    ]
    # the business columns are the input's, untouched
    assert_frame_equal(
        result.quarantined.select("owner", "warnings"), frame[1:2].select("owner", "warnings")
    )
    assert result.accepted["owner"].to_list() == ["alice", None]
    assert result.accepted["warnings"].to_list() == [0, 1]
    assert result.counts() == {"freshness.stale": 1}
    assert result.counts_by_column() == {("ts", "freshness.stale"): 1}
    assert result.warning_counts() == {}
    assert list(result.rejection().examples) == [
        {"row_id": 1, "reasons": ["freshness.stale"], "reason_columns": ["ts"]}
    ]


def test_a_record_with_business_keys_is_checked_with_renamed_results() -> None:
    guard = _guard(RENAMED)
    verdict = guard.check({"ts": STALE, "owner": "bob", "warnings": 3})
    assert verdict.reasons == ("freshness.stale",)
    assert verdict.record["owner"] == "bob"
    with pytest.raises(InputRejected, match="'fix_owner'"):
        guard.check({"ts": FRESH, "fix_owner": "x"})


names = st.fixed_dictionaries(
    {},
    optional={role: st.sampled_from([f"ig_{role}", f"{role}_", f"x{role}"]) for role in ROLES},
)


@settings(max_examples=40, deadline=None)
@given(renames=names, values=st.lists(st.sampled_from([FRESH, STALE, None, "bad"]), max_size=8))
def test_any_names_keep_rows_and_originals_on_both_paths(
    renames: dict[str, str], values: list[str | None]
) -> None:
    columns = ig.ResultColumns.of(renames)
    guard = _guard(columns)
    business = [r for r in ROLES if r not in columns.reserved]  # defaults now free to use
    frame = pl.DataFrame(
        {"ts": pl.Series(values, dtype=pl.String), **{b: [1] * len(values) for b in business}}
    )
    result = guard.validate(frame)
    assert result.rows == frame.height
    ids = sorted(
        result.accepted[columns.row_id].to_list() + result.quarantined[columns.row_id].to_list()
    )
    assert ids == list(range(frame.height))
    originals = result.quarantined.select(frame.columns)
    assert_frame_equal(originals, frame[result.quarantined[columns.row_id].to_list()])
    for row_id, record in enumerate(frame.iter_rows(named=True)):
        verdict = guard.check(record)
        side = result.accepted if verdict.ok else result.quarantined
        row = side.filter(pl.col(columns.row_id) == row_id).row(0, named=True)
        if not verdict.ok:
            assert list(verdict.reasons) == row[columns.reasons]


# -- files: sinks, revalidate, the report -----------------------------------------------------


def test_a_parquet_sink_records_the_names_and_revalidate_reads_them(tmp_path: Path) -> None:
    guard = _guard(RENAMED)
    sink = ig.ParquetSink(tmp_path / "q")
    sink.write(guard.validate(_business_frame()))
    frame = ig.read_quarantine(tmp_path / "q")
    assert {"fix_owner", "owner", "guard_fingerprint"} <= set(frame.columns)
    again = ig.revalidate(guard, tmp_path / "q")
    assert again.rows == 1
    assert again.quarantined_row_ids == [1]
    assert again.quarantined["owner"].to_list() == ["bob"]  # the business column
    assert again.quarantined["fix_owner"].to_list() == [None]
    assert again.counts() == {"freshness.stale": 1}


def test_a_directory_mixing_names_is_refused(tmp_path: Path) -> None:
    sink = ig.ParquetSink(tmp_path / "q")
    stale = pl.DataFrame({"ts": [STALE]})
    sink.write(_guard(RENAMED).validate(stale))
    sink.write(_guard().validate(stale))
    with pytest.raises(ConfigurationError, match="mixes result column names"):
        ig.read_quarantine(tmp_path / "q")


def test_the_report_reads_renamed_results(tmp_path: Path) -> None:
    guard = _guard(RENAMED)
    ig.ParquetSink(tmp_path / "q").write(guard.validate(_business_frame()))
    found = load_quarantine(tmp_path / "q")
    assert found.columns == RENAMED
    page = build_report(found, reveal=["owner"])
    assert "freshness.stale" in page
    assert "&#x27;bob&#x27;" in page or "'bob'" in page  # the business column, shown as data


def test_sink_files_record_the_names(tmp_path: Path) -> None:
    guard = _guard(RENAMED)
    out = tmp_path / "q.parquet"
    guard.sink(_business_frame().lazy(), accepted=tmp_path / "a.parquet", quarantined=out)
    recorded = json.loads(pl.read_parquet_metadata(out)["inputguard.result_columns"])
    assert recorded["owner"] == "fix_owner"
    found = load_quarantine(out)
    assert found.columns == RENAMED
    assert found.rows["owner"].to_list() == ["bob"]


# -- guard.toml -------------------------------------------------------------------------------


def _write_config(tmp_path: Path, guard_lines: str) -> Path:
    path = tmp_path / "guard.toml"
    path.write_text(
        f'[guard]\nname = "names"\n{guard_lines}\n'
        '[[validators]]\ntype = "freshness"\ncolumn = "ts"\nerror_after = "1h"\n',
        encoding="utf-8",
    )
    return path


def test_the_guard_file_names_the_result_columns(tmp_path: Path) -> None:
    path = _write_config(
        tmp_path, 'result_columns = { owner = "fix_owner", warnings = "ig_warnings" }'
    )
    guard = ig.Guard.from_config(path, clock=ig.FixedClock(NOW))
    assert guard.result_columns.owner == "fix_owner"
    data = tmp_path / "in.parquet"
    _business_frame().write_parquet(data)
    run = CliRunner().invoke(
        cli, ["validate", "--config", str(path), str(data), "--out", str(tmp_path / "o")]
    )
    assert run.exit_code in (0, 1), run.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["result_columns"]["owner"] == "fix_owner"
    assert load_quarantine(tmp_path / "o").columns.owner == "fix_owner"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('result_columns = { owner = "reasons" }', "guard.result_columns: result columns must"),
        ('result_columns = { ownr = "x" }', "guard.result_columns: unknown result column"),
        ('redaction_key_env = "IG_TEST_NO_SUCH_KEY"', "guard.redaction_key_env"),
        (
            'redaction_key_env = "A"\nredaction_key_file = "k"',
            "'redaction_key_env' or 'redaction_key_file', not both",
        ),
    ],
)
def test_guard_file_errors_name_the_file_and_key(tmp_path: Path, lines: str, message: str) -> None:
    path = _write_config(tmp_path, lines)
    with pytest.raises(ConfigurationError, match=message) as error:
        ig.Guard.from_config(path)
    assert str(path) in str(error.value)


def test_the_guard_file_keys_the_redaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "audit.key").write_text("a-long-deployment-secret-for-tests", encoding="utf-8")
    path = _write_config(tmp_path, 'redaction_key_file = "audit.key"\naudit_examples = 1')
    keyed = ig.Guard.from_config(path)
    plain = ig.Guard.from_config(_write_config(tmp_path / "..", "audit_examples = 1"))
    assert keyed._redact("4711") != plain._redact("4711")
    assert keyed._redact("4711") == ig.keyed_redact(file=str(tmp_path / "audit.key"))("4711")
    monkeypatch.setenv("IG_TEST_AUDIT_KEY", "another-long-deployment-secret")
    by_env = ig.Guard.from_config(
        _write_config(tmp_path, 'redaction_key_env = "IG_TEST_AUDIT_KEY"')
    )
    assert by_env._redact("4711") == ig.keyed_redact(env="IG_TEST_AUDIT_KEY")("4711")


def test_a_validator_output_named_like_a_result_column_is_refused() -> None:
    vocab = ig.Vocabulary.bundled("countries")
    term = ig.terminology("country", vocab, method_column="fix_owner")
    assert ig.Guard([term], name="ok")  # free under the default names
    with pytest.raises(ConfigurationError, match="writes column 'fix_owner'"):
        ig.Guard([term], name="clash", result_columns=RENAMED)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "not a table of role to name"),
        ('{"owner": "reasons"}', "is invalid"),
    ],
)
def test_an_invalid_record_of_names_in_a_file_is_refused(
    tmp_path: Path, raw: str, message: str
) -> None:
    folder = tmp_path / "q" / "day-2026-11-22" / "owner-x"
    folder.mkdir(parents=True)
    pl.DataFrame({"row_id": [0], "reasons": [["freshness.stale"]]}).write_parquet(
        folder / "part.parquet", metadata={"inputguard.result_columns": raw}
    )
    with pytest.raises(ConfigurationError, match=message) as error:
        ig.read_quarantine(tmp_path / "q")
    assert "part.parquet" in str(error.value)
    with pytest.raises(ConfigurationError, match=message):
        load_quarantine(folder / "part.parquet")
