from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import inputguard as ig
from inputguard import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path


def test_guard_toml_pii_table(tmp_path: Path) -> None:
    (tmp_path / "pii.key").write_text("0123456789abcdef0123\n")
    config = tmp_path / "guard.toml"
    config.write_text(
        """
[guard]
name = "support-tickets"

[[validators]]
type = "pii"
column = "body"
entities = { email = "pseudonymize", card = "reject", ip = "flag" }
allow = ["support@example.com"]
key_file = "pii.key"
"""
    )
    guard = ig.Guard.from_config(config)
    verdict = guard.check({"body": "from support@example.com and ada@example.org"})
    assert verdict.ok
    assert verdict.record["body"].startswith("from support@example.com and <EMAIL:")
    assert not guard.check({"body": "4111 1111 1111 1111"}).ok


def test_guard_toml_pii_national_identifier(tmp_path: Path) -> None:
    config = tmp_path / "guard.toml"
    config.write_text(
        """
[guard]
name = "onboarding"

[[validators]]
type = "pii"
column = "notes"
entities = ["es_dni"]
action = "reject"
"""
    )
    guard = ig.Guard.from_config(config)
    assert guard.check({"notes": "DNI 12345678Z"}).reasons == ("pii.es_dni",)
    assert guard.check({"notes": "DNI 12345678A"}).ok  # wrong check letter
    assert guard.check({"notes": "mail ada@example.org"}).ok  # only the entity asked for


def test_guard_toml_pii_errors_name_the_problem(tmp_path: Path) -> None:
    config = tmp_path / "guard.toml"
    config.write_text(
        '[guard]\nname = "g"\n\n[[validators]]\ntype = "pii"\ncolumn = "b"\nentities = ["ssn"]\n'
    )
    with pytest.raises(ConfigurationError, match="unknown PII entity 'ssn'"):
        ig.Guard.from_config(config)
    config.write_text(
        '[guard]\nname = "g"\n\n[[validators]]\ntype = "pii"\ncolumn = "b"\nkey = "x"\n'
    )
    with pytest.raises(ConfigurationError, match="key"):
        ig.Guard.from_config(config)
