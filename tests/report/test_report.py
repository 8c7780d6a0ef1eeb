from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat

import inputguard as ig
from inputguard._cli import cli

from ..cli.conftest import NOW_ISO, Workspace, workspace  # noqa: F401 - the shared fixture
from ..conftest import NOW

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.fixture
def results(workspace: Workspace) -> Path:  # noqa: F811 - the fixture
    """An ``inputguard validate`` directory and an audit history of three runs."""
    data = workspace.write("in.parquet")
    log = workspace.root / "audit.jsonl"
    for instant in ("2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z", NOW_ISO):
        _run(
            "--audit-log",
            log,
            "validate",
            data,
            "-c",
            workspace.config,
            "-o",
            workspace.root / "out",
            "--now",
            instant,
            "-q",
        )
    return workspace.root / "out"


def _page(results: Path, *extra: object) -> str:
    output = results.parent / "report.html"
    code, err = _run("report", results, "-o", output, *extra)
    assert code == 0, err
    return output.read_text(encoding="utf-8")


def test_the_page_is_self_contained(results: Path) -> None:
    page = _page(results, "--history", results.parent / "audit.jsonl")
    assert "<script" not in page.lower()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert references == []
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched


def test_counts_match_the_summary(results: Path) -> None:
    page = _page(results)
    doc = json.loads((results / "summary.json").read_text())
    assert f"<b>{doc['quarantined']:,}</b>quarantined" in page
    for code, n in doc["reasons"].items():
        assert f'<td>{code}</td><td class="n">{n:,}</td>' in page
    assert "team-pos" in page
    assert "team-web" in page


def test_values_are_redacted_unless_revealed(results: Path) -> None:
    page = _page(results)
    assert "Atlantis" not in page
    assert "Austrlia" not in page
    assert ig.redact("Atlantis") in page
    revealed = _page(results, "--reveal", "country")
    assert "&#x27;Atlantis&#x27;" in revealed


def test_trend_needs_history(results: Path) -> None:
    assert 'id="trend"' not in _page(results)
    page = _page(results, "--history", results.parent / "audit.jsonl")
    assert 'id="trend"' in page
    assert "<polyline" in page


def test_a_quarantine_sink_directory_is_read_too(
    tmp_path: Path,
    workspace: Workspace,  # noqa: F811 - the fixture
) -> None:
    guard = ig.Guard.from_config(workspace.config, clock=ig.FixedClock(NOW))
    ig.ParquetSink(tmp_path / "sink").write(guard.validate(workspace.data))
    page = _page(tmp_path / "sink")
    assert "team-pos" in page


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "absent", "does not exist"),
        (lambda root: root, "neither"),
    ],
)
def test_unusable_directory_exits_2(tmp_path: Path, make: object, message: str) -> None:
    code, err = _run("report", make(tmp_path), "-o", tmp_path / "r.html")  # type: ignore[operator]
    assert code == 2
    assert message in err


def test_unusable_history_exits_2(results: Path) -> None:
    bad = results.parent / "bad.jsonl"
    bad.write_text("not json\n")
    code, err = _run("report", results, "--history", bad, "-o", results.parent / "r.html")
    assert code == 2
    assert "line 1" in err


# --- in a real browser --------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (the Makefile installs it: make chromium)")
    pytest.skip("chromium is not installed (make chromium)")


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    base = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--no-proxy-server",
    ]
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=120, check=True)


def test_the_browser_renders_every_section(results: Path) -> None:
    page = _page(results, "--history", results.parent / "audit.jsonl")
    html = results.parent / "report.html"
    assert html.read_text() == page
    dom = _browser("--dump-dom", html.as_uri()).stdout
    for section in ("reasons", "columns", "sources", "owners", "trend", "values", "examples"):
        assert f'id="{section}"' in dom
    assert dom.count("<svg") >= 3  # reasons, owners, trend
    assert "<rect" in dom


def test_the_screenshot_is_not_blank(results: Path) -> None:
    _page(results, "--history", results.parent / "audit.jsonl")
    shot = results.parent / "shot.png"
    _browser(
        f"--screenshot={shot}", "--window-size=1200,1600", (results.parent / "report.html").as_uri()
    )
    with Image.open(shot) as image:
        grey = image.convert("L")
        spread = ImageStat.Stat(grey).stddev[0]
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert spread > 10  # a blank page has none
    assert colours is None or len(colours) > 50  # text, bars and lines, not one flat colour
