"""`SourceRegistry`: the file format, load-time validation, owners and freshness limits."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import inputguard as ig

DATA = Path(__file__).parent.parent / "data" / "provenance"
EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "sources.toml"


@pytest.fixture
def registry() -> ig.SourceRegistry:
    return ig.SourceRegistry.from_file(DATA / "sources.toml")


def test_exported() -> None:
    assert {"SourceRegistry", "Source", "SigningKey"} <= set(ig.__all__)


def test_from_file(registry: ig.SourceRegistry) -> None:
    assert registry.ids == ("orders-api", "pos", "partner-feed", "legacy-crm")
    assert registry.default_owner == "data-platform@example.com"
    assert [registry[i].status for i in registry.ids] == [
        "active",
        "active",
        "suspended",
        "retired",
    ]
    q3, q4 = registry["orders-api"].keys
    assert (q3.kid, q3.alg, q3.env) == ("2026-q3", "hmac-sha256", "IG_TEST_ORDERS_HMAC_Q3")
    assert q3.not_before == datetime(2026, 7, 1, tzinfo=UTC)
    assert q4.not_after is None
    pos_key = registry["pos"].keys[0]
    assert pos_key.file == str(DATA / "keys" / "pos-2026.pub.pem")  # relative to the file


def test_reading_a_registry_needs_no_secrets(
    registry: ig.SourceRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IG_TEST_ORDERS_HMAC_Q3", raising=False)
    assert ig.SourceRegistry.from_file(DATA / "sources.toml") == registry


def test_example_registry_loads() -> None:
    example = ig.SourceRegistry.from_file(EXAMPLE)
    assert len(example) >= 3


@pytest.mark.parametrize(
    ("source_id", "owner"),
    [
        ("orders-api", "team-orders"),
        ("legacy-crm", "team-crm"),
        ("scraper-7", "data-platform@example.com"),
        (None, "data-platform@example.com"),
        (7, "data-platform@example.com"),
    ],
)
def test_owner_of(registry: ig.SourceRegistry, source_id: object, owner: str) -> None:
    assert registry.owner_of(source_id) == owner


def test_freshness_limits(registry: ig.SourceRegistry) -> None:
    assert registry.freshness_limits() == {
        "pos": ig.FreshnessLimits(timedelta(minutes=15), timedelta(minutes=5)),
        "partner-feed": ig.FreshnessLimits(timedelta(hours=24)),
    }


def test_repr_pickle_and_digest(registry: ig.SourceRegistry) -> None:
    assert repr(registry) == (
        f"<SourceRegistry sources.toml {len(registry)} sources sha256:{registry.digest[:8]}>"
    )
    clone = pickle.loads(pickle.dumps(registry))
    assert clone == registry
    assert clone.owner_of("pos") == "ana.silva@example.com"
    assert clone.digest == registry.digest
    other = ig.SourceRegistry(registry.sources[:-1], default_owner=registry.default_owner)
    assert other.digest != registry.digest


@pytest.mark.parametrize(
    "rows",
    [
        # (source, age in minutes, expected reasons): pos allows 15m (warns after 5m), the
        # default is 1h, partner-feed allows 24h.
        [("pos", 3, ()), ("pos", 10, ()), ("pos", 20, ("freshness.stale",))],
        [("orders-api", 20, ()), ("orders-api", 70, ("freshness.stale",))],
        [("partner-feed", 600, ()), ("scraper-7", 70, ("freshness.stale",)), (None, 20, ())],
    ],
)
def test_per_source_freshness_in_both_paths(
    registry: ig.SourceRegistry, now: datetime, rows: list[tuple[str | None, int, tuple[str, ...]]]
) -> None:
    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h", per_source=registry.freshness_limits())],
        name="fresh",
        clock=ig.FixedClock(now),
    )
    records = [{"source": s, "ts": now - timedelta(minutes=m)} for s, m, _ in rows]
    result = guard.validate(pl.DataFrame(records))
    batch = {r["row_id"]: tuple(r["reasons"]) for r in result.quarantined.iter_rows(named=True)}
    for i, (record, (_, _, expected)) in enumerate(zip(records, rows, strict=True)):
        assert guard.check(record).reasons == expected
        assert batch.get(i, ()) == expected
    warned = guard.check(records[0] | {"source": "pos", "ts": now - timedelta(minutes=10)})
    assert warned.warnings == ("freshness.aging",)


# -- load-time validation ---------------------------------------------------------------------

GOOD_SOURCE = '[sources.a]\nowner = "team-a"\nstatus = "active"\n'


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ('version = 2\ndefault_owner = "o"\n' + GOOD_SOURCE, "version", "must be 1"),
        ('version = true\ndefault_owner = "o"\n' + GOOD_SOURCE, "version", "must be 1"),
        ('version = 1.0\ndefault_owner = "o"\n' + GOOD_SOURCE, "version", "must be 1"),
        (GOOD_SOURCE, "default_owner", "is required"),
        ('default_owner = "TBD"\n' + GOOD_SOURCE, "default_owner", "placeholder"),
        ('default_owner = "o"\n', "sources", "at least one"),
        ('default_owner = "o"\ncolour = "red"\n' + GOOD_SOURCE, "colour", "unknown field"),
        ('default_owner = "o"\n[sources.a]\nstatus = "active"\n', "sources.a.owner", "required"),
        (
            'default_owner = "o"\n[sources.a]\nowner = " "\nstatus = "active"\n',
            "sources.a",
            "person or team",
        ),
        (
            'default_owner = "o"\n[sources.a]\nowner = "t"\nstatus = "paused"\n',
            "sources.a",
            "'status' must be one of",
        ),
        ('default_owner = "o"\n[sources.a]\nowner = "t"\n', "sources.a.status", "required"),
        (
            'default_owner = "o"\n' + GOOD_SOURCE + 'warn_after = "5m"\n',
            "sources.a.warn_after",
            "needs 'error_after'",
        ),
        (
            'default_owner = "o"\n' + GOOD_SOURCE + 'error_after = "soon"\n',
            "sources.a",
            "'error_after' must be",
        ),
        (
            'default_owner = "o"\n' + GOOD_SOURCE + 'error_after = "5m"\nwarn_after = "1h"\n',
            "sources.a",
            "must not exceed",
        ),
        (
            'default_owner = "o"\n' + GOOD_SOURCE + 'keys = "k1"\n',
            "sources.a.keys",
            "array of tables",
        ),
    ],
)
def test_invalid_registry(tmp_path: Path, text: str, key: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ig.ConfigurationError, match=message) as info:
        ig.SourceRegistry.from_file(path)
    assert str(info.value).startswith(f"{path}: {key}")


KEY_HEAD = 'default_owner = "o"\n' + GOOD_SOURCE + "[[sources.a.keys]]\n"


@pytest.mark.parametrize(
    ("key_text", "key", "message"),
    [
        ('alg = "ed25519"\nenv = "X"\n', "sources.a.keys[0].kid", "required"),
        ('kid = "k"\nenv = "X"\n', "sources.a.keys[0].alg", "required"),
        ('kid = "k"\nalg = "rsa"\nenv = "X"\n', "sources.a.keys[0]", "'alg' must be one of"),
        ('kid = "k"\nalg = "ed25519"\n', "sources.a.keys[0]", "exactly one of 'env' and 'file'"),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\nfile = "k.pem"\n',
            "sources.a.keys[0]",
            "exactly one",
        ),
        (
            'kid = "k"\nalg = "hmac-sha256"\nsecret = "hunter2-hunter2"\n',
            "sources.a.keys[0].secret",
            "never written in the registry",
        ),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\nnot_before = 2026-01-01T00:00:00\n',
            "sources.a.keys[0]",
            "must have a UTC offset",
        ),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\nnot_after = 2026-01-01\n',
            "sources.a.keys[0]",
            "timestamp with an offset",
        ),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\nnot_after = "next year"\n',
            "sources.a.keys[0]",
            "RFC 3339",
        ),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\nnot_before = 2026-02-01T00:00:00Z\n'
            "not_after = 2026-01-01T00:00:00Z\n",
            "sources.a.keys[0]",
            "must be later than 'not_before'",
        ),
        (
            'kid = "k"\nalg = "ed25519"\nenv = "X"\n[[sources.a.keys]]\nkid = "k"\n'
            'alg = "ed25519"\nenv = "Y"\n',
            "sources.a",
            "key id 'k' is listed twice",
        ),
    ],
)
def test_invalid_key(tmp_path: Path, key_text: str, key: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(KEY_HEAD + key_text)
    with pytest.raises(ig.ConfigurationError, match=message) as info:
        ig.SourceRegistry.from_file(path)
    assert str(info.value).startswith(f"{path}: {key}")
    assert "hunter2" not in str(info.value)


def test_key_times_may_be_strings(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        KEY_HEAD
        + 'kid = "k"\nalg = "ed25519"\nenv = "X"\nnot_after = "2027-01-01T00:00:00+01:00"\n'
    )
    key = ig.SourceRegistry.from_file(path)["a"].keys[0]
    assert key.not_after == datetime(2026, 12, 31, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read the registry"), ("default_owner = ", "not valid TOML")],
)
def test_unreadable_registry(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "sources.toml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.SourceRegistry.from_file(path)


def test_a_registry_that_is_not_utf8_or_a_directory_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(b'default_owner = "Jos\xe9"\n')
    with pytest.raises(ig.ConfigurationError, match=r"sources\.toml: not UTF-8 text"):
        ig.SourceRegistry.from_file(path)
    with pytest.raises(ig.ConfigurationError, match="cannot read the registry"):
        ig.SourceRegistry.from_file(tmp_path)


@pytest.mark.parametrize("path", [None, b"sources.toml", 3])
def test_a_registry_path_must_be_a_text_path(path: object) -> None:
    with pytest.raises(ig.ConfigurationError, match="must be a text path"):
        ig.SourceRegistry.from_file(path)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ig.Source("", "t", "active"), "non-empty"),
        (lambda: ig.Source("a", "unknown", "active"), "placeholder"),
        (lambda: ig.Source("a", "t", "active", keys=("k",)), "SigningKey"),  # type: ignore[arg-type]
        (
            lambda: ig.SourceRegistry(
                [ig.Source("a", "t", "active"), ig.Source("a", "u", "retired")],
                default_owner="o",
            ),
            "registered twice",
        ),
        (lambda: ig.SourceRegistry(["a"], default_owner="o"), "Source values"),  # type: ignore[list-item]
        (lambda: ig.SigningKey("", "ed25519", env="X"), "'kid'"),
    ],
)
def test_invalid_in_code(build: object, message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        build()  # type: ignore[operator]
