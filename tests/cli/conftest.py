"""A small guard file, vocabulary, registry and data files for the command-line tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl
import pytest

from ..conftest import NOW

if TYPE_CHECKING:
    from pathlib import Path

NOW_ISO = "2026-11-22T12:00:00Z"

GUARD = """
[guard]
name = "cli-test"
registry = "sources.toml"

[[validators]]
type = "provenance"
source = "source"

[[validators]]
type = "freshness"
column = "ts"
error_after = "1h"

[[validators]]
type = "terminology"
column = "country"
vocabulary = "countries.toml"
"""

SOURCES = """
version = 1
default_owner = "data-platform"

[sources.pos]
owner = "team-pos"
status = "active"

[sources.web]
owner = "team-web"
status = "active"
"""

VOCAB = """
[vocabulary]
name = "mini-countries"
version = "1"

[terms]
"DE" = ["DEU", "Germany"]
"AT" = ["AUT", "Austria"]
"AU" = ["AUS", "Australia"]
"FR" = ["FRA", "France"]

[distinct]
pairs = [["AT", "AU"]]
"""


def frame(rows: int = 40) -> pl.DataFrame:
    """Rows of two sources: a quarter stale, a fifth with a misspelled or unknown country."""
    countries = ["Germany", "France", "Austrlia", "Austria", "Atlantis"]
    return pl.DataFrame(
        {
            "source": ["pos" if i % 2 else "web" for i in range(rows)],
            "ts": [
                (NOW - timedelta(hours=3 if i % 4 == 0 else 0)).isoformat() for i in range(rows)
            ],
            "country": [countries[i % len(countries)] for i in range(rows)],
            "amount": list(range(rows)),
        }
    )


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Path
    vocab: Path
    data: pl.DataFrame

    def write(self, name: str, data: pl.DataFrame | None = None) -> Path:
        """Write the data as ``name`` (the format follows the suffix)."""
        data = self.data if data is None else data
        path = self.root / name
        suffix = path.suffix
        if suffix == ".parquet":
            data.write_parquet(path)
        elif suffix == ".csv":
            data.write_csv(path)
        elif suffix == ".ndjson":
            data.write_ndjson(path)
        else:
            data.write_ipc(path)
        return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    (tmp_path / "guard.toml").write_text(GUARD, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "countries.toml").write_text(VOCAB, encoding="utf-8")
    return Workspace(tmp_path, tmp_path / "guard.toml", tmp_path / "countries.toml", frame())
