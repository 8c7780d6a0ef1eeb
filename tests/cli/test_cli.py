from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from typing import TYPE_CHECKING

import polars as pl
import pytest
from click.testing import CliRunner

from inputguard._cli import cli

from .conftest import NOW_ISO, Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def validate(
    ws: Workspace, *inputs: str | Path, extra: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    return run(
        "validate", *inputs, "-c", ws.config, "-o", ws.root / "out", "--now", NOW_ISO, *extra
    )


def summary(ws: Workspace) -> dict[str, object]:
    data: dict[str, object] = json.loads((ws.root / "out" / "summary.json").read_text())
    return data


# --- validate ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["in.parquet", "in.csv", "in.ndjson", "in.arrow"])
def test_validate_conserves_rows_in_every_input_format(workspace: Workspace, name: str) -> None:
    path = workspace.write(name)
    code, out, err = validate(workspace, path)
    assert code == 1  # some rows quarantined
    doc = summary(workspace)
    accepted = pl.read_parquet(workspace.root / "out" / "accepted" / "in.parquet")
    quarantined = pl.read_parquet(workspace.root / "out" / "quarantined" / "in.parquet")
    assert doc["rows"] == workspace.data.height
    assert (doc["accepted"], doc["quarantined"]) == (accepted.height, quarantined.height)
    assert (
        sorted([*accepted["amount"], *quarantined["amount"]]) == workspace.data["amount"].to_list()
    )
    assert "freshness.stale" in doc["reasons"]  # type: ignore[operator]
    assert "quarantined" in out
    assert err == ""


def test_exit_0_when_nothing_is_quarantined(workspace: Workspace) -> None:
    clean = workspace.data.filter(
        pl.col("country").is_in(["Germany", "France"]), pl.col("amount") % 4 != 0
    )
    code, _, _ = validate(workspace, workspace.write("clean.parquet", clean))
    assert code == 0
    assert summary(workspace)["quarantined"] == 0
    assert summary(workspace)["exit_code"] == 0


@pytest.mark.parametrize(("rate", "expected"), [("0.9", 0), ("0.1", 1), ("0", 1)])
def test_fail_over_sets_the_threshold(workspace: Workspace, rate: str, expected: int) -> None:
    code, _, _ = validate(workspace, workspace.write("in.parquet"), extra=("--fail-over", rate))
    share = summary(workspace)["quarantine_rate"]
    assert 0.1 < share < 0.9  # type: ignore[operator]
    assert code == expected


def test_globs_and_one_clock_reading_for_all_files(workspace: Workspace) -> None:
    (workspace.root / "a").mkdir()
    (workspace.root / "b").mkdir()
    workspace.write("a/part.parquet")
    workspace.write("b/part.parquet")
    code, _, _ = validate(workspace, str(workspace.root / "*" / "part.parquet"))
    assert code == 1
    doc = summary(workspace)
    files = doc["files"]
    assert [f["quarantined_file"] for f in files] == [  # type: ignore[attr-defined]
        "quarantined/part.parquet",
        "quarantined/part-2.parquet",
    ]
    assert doc["checked_at"] == NOW_ISO
    assert doc["rows"] == 2 * workspace.data.height


def test_progress_is_shown_when_asked(workspace: Workspace) -> None:
    code, _, err = validate(workspace, workspace.write("in.parquet"), extra=("--progress",))
    assert code == 1
    assert "rows/s" in err
    assert f"{workspace.data.height}/{workspace.data.height} rows" in err


def test_quiet_prints_nothing(workspace: Workspace) -> None:
    code, out, err = validate(workspace, workspace.write("in.parquet"), extra=("-q",))
    assert (code, out, err) == (1, "", "")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ws: ws.root / "missing.parquet", "does not exist"),
        (lambda ws: ws.root / "*.nothing", "no file matches"),
        (lambda ws: (ws.root / "x.txt").write_text("a") and ws.root / "x.txt", "suffix must be"),
        (
            lambda ws: (
                (ws.root / "bad.parquet").write_text("not parquet") and ws.root / "bad.parquet"
            ),
            "schema.unreadable",
        ),
        (lambda ws: ws.write("nocol.parquet", ws.data.drop("ts")), "'ts'"),
    ],
)
def test_unusable_input_exits_2(workspace: Workspace, make: object, message: str) -> None:
    path = make(workspace)  # type: ignore[operator]
    code, out, err = validate(workspace, path)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_unusable_configuration_exits_2(workspace: Workspace) -> None:
    workspace.config.write_text(workspace.config.read_text().replace('"1h"', '"fifteen"'))
    code, _, err = validate(workspace, workspace.write("in.parquet"))
    assert code == 2
    assert "error_after" in err
    assert "guard.toml" in err


def test_naive_now_is_a_usage_error(workspace: Workspace) -> None:
    code, _, err = run(
        "validate",
        workspace.write("in.parquet"),
        "-c",
        workspace.config,
        "-o",
        workspace.root / "out",
        "--now",
        "2026-11-22T12:00:00",
    )
    assert code == 2
    assert "UTC offset" in err


def test_audit_log_records_one_event_per_file(workspace: Workspace) -> None:
    log = workspace.root / "audit.jsonl"
    path = workspace.write("in.parquet")
    run(
        "--audit-log",
        log,
        "validate",
        path,
        "-c",
        workspace.config,
        "-o",
        workspace.root / "out",
        "--now",
        NOW_ISO,
        "-q",
    )
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["record"]["event"] for line in lines] == ["inputguard.validate"]
    assert lines[0]["record"]["quarantined"] == summary(workspace)["quarantined"]


# --- check-config -----------------------------------------------------------------------------


def test_check_config_ok(workspace: Workspace) -> None:
    code, out, _ = run("check-config", workspace.config)
    assert code == 0
    assert "cli-test" in out
    assert "terminology('country'" in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('"countries.toml"', '"nope.toml"'), "nope.toml"),
        (lambda text: text.replace('type = "freshness"', 'type = "fresh"'), "validators"),
        (lambda text: text + "\n[guard2]\n", "guard2"),
    ],
)
def test_check_config_reports_the_problem(workspace: Workspace, edit: object, message: str) -> None:
    workspace.config.write_text(edit(workspace.config.read_text()))  # type: ignore[operator]
    code, _, err = run("check-config", workspace.config)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_check_config_missing_file(workspace: Workspace) -> None:
    code, _, err = run("check-config", workspace.root / "absent.toml")
    assert code == 2
    assert "does not exist" in err


def test_check_config_resolves_signing_keys(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = workspace.root / "sources.toml"
    registry.write_text(
        registry.read_text()
        + '\n[[sources.pos.keys]]\nkid = "k1"\nalg = "hmac-sha256"\nenv = "IG_TEST_ABSENT_KEY"\n'
    )
    monkeypatch.delenv("IG_TEST_ABSENT_KEY", raising=False)
    workspace.config.write_text(
        workspace.config.read_text().replace(
            'source = "source"\n',
            'source = "source"\nsignature = "sig"\nkid = "kid"\n'
            'issued_at = "issued_at"\nsigned = ["amount"]\n',
            1,
        )
    )
    code, _, err = run("check-config", workspace.config)
    assert code == 2
    assert "IG_TEST_ABSENT_KEY" in err


# --- vocab ------------------------------------------------------------------------------------


def test_vocab_lint_ok(workspace: Workspace) -> None:
    code, out, _ = run("vocab", "lint", workspace.vocab)
    assert code == 0
    assert "mini-countries v1" in out
    assert "4 terms, 8 synonyms" in out


def test_vocab_lint_broken_file_exits_2(workspace: Workspace) -> None:
    workspace.vocab.write_text(
        workspace.vocab.read_text().replace('"FR" = ["FRA", "France"]', '"FR" = ["DEU"]')
    )
    code, _, err = run("vocab", "lint", workspace.vocab)
    assert code == 2
    assert "DEU" in err


def test_vocab_suggest_ranks_refused_values_and_applies_nothing(workspace: Workspace) -> None:
    validate(workspace, workspace.write("in.parquet"))
    before = workspace.vocab.read_bytes()
    overlay = workspace.root / "overlay.toml"
    code, _, _ = run(
        "vocab",
        "suggest",
        "--quarantine",
        workspace.root / "out",
        "--vocab",
        workspace.vocab,
        "-o",
        overlay,
    )
    assert code == 0
    assert workspace.vocab.read_bytes() == before
    text = overlay.read_text()

    parsed = tomllib.loads(text)
    assert parsed["overlay"]["vocabulary"] == "mini-countries"
    assert parsed["overlay"]["column"] == "country"
    assert parsed["synonyms"] == {}  # every proposal is commented out until a person accepts it
    accepted = tomllib.loads(text.replace('# "Austrlia" = ', '"Austrlia" = '))
    assert accepted["synonyms"]["Austrlia"] in {"AT", "AU"}
    rows = workspace.data.filter(pl.col("country") == "Austrlia").height
    assert f"# {rows} rows (term.ambiguous): nearest A" in text
    assert '# "Atlantis": 8 rows (term.unknown); no canonical term is close' in text


def test_vocab_suggest_needs_a_result_directory(workspace: Workspace) -> None:
    code, _, err = run(
        "vocab", "suggest", "--quarantine", workspace.root, "--vocab", workspace.vocab
    )
    assert code == 2
    assert "summary.json" in err


# --- entry points -----------------------------------------------------------------------------


def test_python_dash_m_and_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inputguard", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for command in ("validate", "check-config", "report", "vocab"):
        assert command in done.stdout
    assert "Exit codes" in done.stdout
