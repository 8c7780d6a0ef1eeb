from __future__ import annotations

from pathlib import Path

import pytest

import inputguard as ig
from inputguard import ConfigurationError

from .conftest import NOW

BASIC = """
[guard]
name = "payments"

[[validators]]
type = "freshness"
column = "event_ts"
error_after = "15m"
warn_after = "10m"
naive = "assume_utc"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builds_the_guard_the_file_describes(tmp_path: Path) -> None:
    guard = ig.Guard.from_config(write(tmp_path, BASIC), clock=ig.FixedClock(NOW))
    assert guard.name == "payments"
    assert guard.validators == (
        ig.freshness("event_ts", error_after="15m", warn_after="10m", naive="assume_utc"),
    )
    assert guard.check({"event_ts": "2026-11-22T11:55:00"}).ok


def test_same_file_same_fingerprint(tmp_path: Path) -> None:
    path = write(tmp_path, BASIC)
    assert ig.Guard.from_config(path).fingerprint == ig.Guard.from_config(path).fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[guard]\nname = 'x'\n[[validators]]\ntype = 'nope'\n", r"validators\[0\]"),
        ("[guard]\n", r"guard\.name: is required"),
        ("[guard]\nname = ''\n", r"guard\.name"),
        ("[guard]\nname = 'x'\ncolour = 'red'\n", r"guard\.colour: unknown key 'colour'"),
        (BASIC + "bogus = 1\n", r"validators\[0\]\.bogus"),
        (BASIC.replace('"15m"', '"fifteen"'), r"validators\[0\] \(freshness\): 'error_after'"),
        (BASIC.replace('"10m"', '"1h"'), "must not exceed"),
        (BASIC + "per_source = true\n", r"needs a registry"),
        ("[guard\nname = 'x'", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_key_path(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError, match=message) as info:
        ig.Guard.from_config(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        ig.Guard.from_config(tmp_path / "absent.toml")


def test_example_configuration_loads() -> None:
    root = Path(__file__).parent.parent
    guard = ig.Guard.from_config(root / "examples" / "guard.toml")
    assert guard.validators


FULL = """
[guard]
name = "full"
registry = "{root}/examples/sources.toml"

[[validators]]
type = "provenance"

[[validators]]
type = "freshness"
column = "ts"
error_after = "1h"
per_source = true

[[validators]]
type = "terminology"
column = "country"
vocabulary = "{root}/vocab/countries.toml"
fuzzy = false
"""


def test_full_guard_shares_one_registry(tmp_path: Path) -> None:
    root = Path(__file__).parent.parent.resolve()
    path = write(tmp_path, FULL.format(root=root.as_posix()))
    guard = ig.Guard.from_config(path, clock=ig.FixedClock(NOW))
    provenance, fresh, term = guard.validators
    assert isinstance(provenance, ig.Provenance)
    assert isinstance(fresh, ig.Freshness)
    assert isinstance(term, ig.Terminology)
    registry = ig.SourceRegistry.from_file(root / "examples" / "sources.toml")
    assert dict(fresh.per_source) == registry.freshness_limits()
    verdict = guard.check({"source": "orders-api", "ts": "2026-11-22T11:50:00Z", "country": "DE"})
    assert verdict.ok
    stale = guard.check({"source": "orders-api", "ts": "2026-11-22T11:40:00Z", "country": "DE"})
    assert stale.reasons == ("freshness.stale",)  # orders-api allows 15 minutes, not the 1h default
    assert stale.owner == "team-orders"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[guard]\nname='x'\n[[validators]]\ntype='provenance'\n", "needs a registry"),
        (
            "[guard]\nname='x'\n[[validators]]\ntype='terminology'\ncolumn='c'\n"
            "vocabulary='missing.toml'\n",
            r"validators\[0\] \(terminology\)",
        ),
    ],
)
def test_family_errors_name_the_validator(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ig.Guard.from_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BASIC.replace("error_after", "eror_after"),
            r": validators\[0\]\.eror_after: unknown key 'eror_after' "
            r"\(did you mean 'error_after'\?\) \(and 1 more problem\)$",
        ),
        (
            BASIC.replace('naive = "assume_utc"', 'flavour = "red"'),
            r"validators\[0\]\.flavour: unknown key 'flavour' \(allowed: type, column, ",
        ),
        (
            BASIC.replace('"freshness"', '"freshnes"'),
            r"validators\[0\]\.type: unknown validator type 'freshnes' \(expected one of ",
        ),
        ("[guard]\nname = 'x'\n", r"validators: a guard file must list at least one"),
        (BASIC.replace('"15m"', '"9999999999d"'), r"\(freshness\): 'error_after' is too large"),
        (BASIC.replace('"15m"', '"' + "9" * 5000 + 'm"'), r"'error_after' is too large"),
        (BASIC.replace('"15m"', '"\uff11\uff15m"'), r"'error_after' must be a timedelta"),
    ],
)
def test_the_users_mistake_comes_first_in_the_librarys_words(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError, match=message) as info:
        ig.Guard.from_config(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "Field required" not in str(info.value)


def test_a_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "guard.toml"
    path.write_bytes(b'[guard]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigurationError, match=r"guard\.toml: not UTF-8 text \(byte 19"):
        ig.Guard.from_config(path)


def test_a_directory_is_not_a_guard_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is a directory, not a file"):
        ig.Guard.from_config(tmp_path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, r"must be a path, a str or os\.PathLike \(got NoneType\)"),
        (b"guard.toml", r"\(got bytes\)"),
        (7, r"\(got int\)"),
        ("", "non-empty text path"),
        ("guard\x00.toml", "not a valid path"),
    ],
)
def test_a_path_that_is_not_a_path_is_refused(path: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ig.Guard.from_config(path)  # type: ignore[arg-type]
