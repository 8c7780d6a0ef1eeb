"""`provenance`: allowlist, status, owners, signatures (security), and batch == record."""

from __future__ import annotations

import base64
import math
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from structlog.testing import capture_logs

import inputguard as ig
from inputguard._provenance.canonical import encode_signature

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = Path(__file__).parent.parent / "data" / "provenance"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# TEST keys only: they match tests/data/provenance/sources.toml and are public on purpose.
Q3 = b"orders-api test secret, 32 bytes"
Q4 = bytes(range(200, 232))
POS_2026 = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
POS_2027 = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
SIGNED = ("amount", "sku")
SECRET_SPELLINGS = [
    s
    for secret in (Q3, Q4)
    for s in (secret, secret.hex().encode(), base64.b64encode(secret), secret[:12])
]


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_TEST_ORDERS_HMAC_Q3", base64.b64encode(Q3).decode())
    monkeypatch.setenv("IG_TEST_ORDERS_HMAC_Q4", base64.b64encode(Q4).decode())


@pytest.fixture
def registry() -> ig.SourceRegistry:
    return ig.SourceRegistry.from_file(DATA / "sources.toml")


def _guard(validator: ig.Provenance, now: datetime = NOW) -> ig.Guard:
    return ig.Guard([validator], name="provenance-test", clock=ig.FixedClock(now))


@pytest.fixture
def sources_only(registry: ig.SourceRegistry) -> ig.Guard:
    return _guard(ig.provenance(registry))


@pytest.fixture
def signed_guard(registry: ig.SourceRegistry) -> ig.Guard:
    return _guard(ig.provenance(registry, signature="signature", signed=SIGNED))


def decide(guard: ig.Guard, record: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    """Run both paths, insist they agree, and return (reasons, owner)."""
    verdict = guard.check(record)
    result = guard.validate(pl.DataFrame([record]))
    if result.quarantined.height:
        row = result.quarantined.row(0, named=True)
        batch: tuple[tuple[str, ...], str | None] = (tuple(row["reasons"]), row["owner"])
    else:
        batch = ((), None)
    assert verdict.reasons == batch[0]
    if not verdict.ok:
        assert verdict.owner == batch[1]
    return verdict.reasons, (verdict.owner if not verdict.ok else None)


def signed(
    source: str = "orders-api",
    key: bytes | Ed25519PrivateKey = Q3,
    kid: str = "2026-q3",
    issued: datetime = NOW - timedelta(minutes=1),
    **fields: Any,
) -> dict[str, Any]:
    record = {"source": source, "amount": 12.5, "sku": "A-1", **fields}
    return ig.sign(record, key=key, key_id=kid, signed=SIGNED, issued=issued)


# -- construction -------------------------------------------------------------------------------


def test_exported() -> None:
    assert {"provenance", "Provenance", "sign"} <= set(ig.__all__)


def test_repr_reads_like_the_call(registry: ig.SourceRegistry) -> None:
    assert repr(ig.provenance(registry)) == f"provenance({registry!r})"
    assert "sha256:" in repr(registry)
    assert repr(
        ig.provenance(registry, source="origin", signature="sig", kid="key_id", signed=["amount"])
    ) == (
        f"provenance({registry!r}, source='origin', signature='sig', "
        f"kid='key_id', signed=('amount',))"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": ""}, "'source' must be a non-empty column name"),
        ({"signed": ["amount"]}, "'signed' needs 'signature'"),
        ({"signature": "signature"}, "'signed' must name the payload columns"),
        ({"signature": "signature", "signed": ["kid"]}, "must not list 'kid'"),
        ({"signature": "source", "signed": ["amount"]}, "four different columns"),
        ({"signature": "signature", "signed": [""]}, "'signed' must be a non-empty"),
    ],
)
def test_configuration_errors(
    registry: ig.SourceRegistry, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.provenance(registry, **kwargs)


def test_registry_is_required() -> None:
    with pytest.raises(ig.ConfigurationError, match="SourceRegistry"):
        ig.provenance({"orders-api": "team-orders"})  # type: ignore[arg-type]


def test_signatures_need_keys() -> None:
    registry = ig.SourceRegistry([ig.Source("a", "team-a", "active")], default_owner="ops")
    with pytest.raises(ig.ConfigurationError, match="no signing keys"):
        ig.provenance(registry, signature="signature", signed=["x"])


def test_missing_secret_fails_at_construction(
    registry: ig.SourceRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IG_TEST_ORDERS_HMAC_Q4")
    with pytest.raises(ig.ConfigurationError, match=r"'IG_TEST_ORDERS_HMAC_Q4'.* not set"):
        ig.provenance(registry, signature="signature", signed=SIGNED)


def test_keys_of_inactive_sources_are_not_loaded(
    registry: ig.SourceRegistry, tmp_path: Path
) -> None:
    # partner-feed (suspended) references a key file; losing it must not stop the guard.
    moved = ig.SourceRegistry(
        [
            s
            if s.id != "partner-feed"
            else ig.Source(
                s.id,
                s.owner,
                s.status,
                keys=(ig.SigningKey("p1", "hmac-sha256", file=str(tmp_path / "gone")),),
            )
            for s in registry.sources
        ],
        default_owner=registry.default_owner,
    )
    assert ig.provenance(moved, signature="signature", signed=SIGNED).keyring is not None


def test_pickles_by_reference(registry: ig.SourceRegistry) -> None:
    validator = ig.provenance(registry, signature="signature", signed=SIGNED)
    payload = pickle.dumps(validator)
    for spelling in SECRET_SPELLINGS:
        assert spelling not in payload
    clone = pickle.loads(payload)
    assert clone == validator
    assert repr(clone) == repr(validator)
    record = signed()
    assert _guard(clone).check(record).ok


def test_columns_and_reasons(registry: ig.SourceRegistry) -> None:
    plain = ig.provenance(registry)
    assert plain.columns == ("source",)
    assert plain.reasons == {
        "source.missing",
        "source.unknown",
        "source.suspended",
        "source.retired",
    }
    full = ig.provenance(registry, signature="signature", signed=SIGNED)
    assert full.columns == ("source", "signature", "kid", "issued_at", "amount", "sku")
    assert {r for r in full.reasons if r.startswith("signature.")} == {
        "signature.missing",
        "signature.malformed",
        "signature.unknown_key",
        "signature.key_expired",
        "signature.key_not_yet_valid",
        "signature.invalid",
    }
    assert full.reasons <= set(ig.Reason)


# -- allowlist, status and owner ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "reasons", "owner"),
    [
        ("orders-api", (), None),
        ("pos", (), None),
        ("partner-feed", ("source.suspended",), "team-partnerships"),
        ("legacy-crm", ("source.retired",), "team-crm"),
        ("scraper-7", ("source.unknown",), "data-platform@example.com"),
        ("ORDERS-API", ("source.unknown",), "data-platform@example.com"),  # ids are exact
        (" orders-api", ("source.unknown",), "data-platform@example.com"),
        ("", ("source.unknown",), "data-platform@example.com"),
        (None, ("source.missing",), "data-platform@example.com"),
        (7, ("source.unknown",), "data-platform@example.com"),
        (True, ("source.unknown",), "data-platform@example.com"),
    ],
)
def test_source_status(
    sources_only: ig.Guard, source: Any, reasons: tuple[str, ...], owner: str | None
) -> None:
    assert decide(sources_only, {"source": source, "x": 1}) == (reasons, owner)


@pytest.mark.parametrize("dtype", [pl.String, pl.Categorical, pl.Enum(["pos", "legacy-crm", "x"])])
def test_text_dtypes(sources_only: ig.Guard, dtype: pl.DataType) -> None:
    frame = pl.DataFrame({"source": ["pos", "legacy-crm", None, "x"]}, schema={"source": dtype})
    result = sources_only.validate(frame)
    assert result.accepted["row_id"].to_list() == [0]
    assert_frame_equal(
        result.quarantined.select(
            "row_id", pl.col("reasons").cast(pl.List(pl.String)), "reason_columns", "owner"
        ),
        pl.DataFrame(
            {
                "row_id": [1, 2, 3],
                "reasons": [["source.retired"], ["source.missing"], ["source.unknown"]],
                "reason_columns": [["source"]] * 3,
                "owner": ["team-crm", "data-platform@example.com", "data-platform@example.com"],
            },
            schema_overrides={"row_id": pl.UInt32},
        ),
    )


def test_lazy_frames_and_a_first_owner(registry: ig.SourceRegistry) -> None:
    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h"), ig.provenance(registry)],
        name="g",
        clock=ig.FixedClock(NOW),
    )
    frame = pl.LazyFrame({"source": ["legacy-crm", "pos"], "ts": [NOW, NOW - timedelta(hours=2)]})
    result = guard.validate(frame)
    assert result.quarantined.select("reasons", "owner").rows() == [
        (["source.retired"], "team-crm"),
        (["freshness.stale"], "ana.silva@example.com"),
    ]


# -- signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "key", "kid"),
    [
        ("orders-api", Q3, "2026-q3"),
        ("orders-api", Q4, "2026-q4"),  # rotation: both keys are valid at once
        ("pos", POS_2026, "2026"),
    ],
)
def test_valid_signatures(
    signed_guard: ig.Guard, source: str, key: bytes | Ed25519PrivateKey, kid: str
) -> None:
    assert decide(signed_guard, signed(source, key, kid)) == ((), None)


def test_issue_time_in_another_spelling_still_verifies(signed_guard: ig.Guard) -> None:
    record = signed()
    record["issued_at"] = "2026-11-22T12:59:00+01:00"  # the same instant
    assert decide(signed_guard, record) == ((), None)
    record["issued_at"] = datetime(2026, 11, 22, 11, 59, tzinfo=UTC)
    assert signed_guard.check(record).ok


@pytest.mark.parametrize(
    ("issued_at", "reasons"),
    [
        ("2026-11-22T11:59:00.000000Z", ()),  # what `sign` writes: the fast parse
        ("2026-11-22T11:59:00.000000z", ()),  # not canonical: the general parse
        ("2026-11-22T11:59:00Z", ()),
        (" 2026-11-22T11:59:00.000000Z ", ()),
        ("2026-02-30T11:59:00.000000Z", ("signature.malformed",)),  # canonical shape, no date
        ("0000-11-22T11:59:00.000000Z", ("signature.malformed",)),
        ("2026-11-22T11:59:60.000000Z", ("signature.malformed",)),
        ("2026-11-22T11:59:00.000000", ("signature.malformed",)),  # naive
    ],
)
def test_issue_time_spellings_agree_in_both_paths(
    signed_guard: ig.Guard, issued_at: str, reasons: tuple[str, ...]
) -> None:
    record = {**signed(), "issued_at": issued_at}
    assert decide(signed_guard, record)[0] == reasons


def test_verification_results_land_on_their_rows(signed_guard: ig.Guard) -> None:
    # Rows of several keys, interleaved with rows that never reach verification.
    rows = [
        signed(),
        {**signed(), "signature": None},
        _forge(signed("pos", POS_2026, "2026"), sku="B"),
        signed(key=Q4, kid="2026-q4"),
        {**signed(), "kid": "no-such-key"},
        _forge(signed(key=Q4, kid="2026-q4"), amount=1.0),
        signed("pos", POS_2026, "2026"),
        signed(source="legacy-crm"),
    ]
    expected = [signed_guard.check(r).reasons for r in rows]
    assert expected[0] == expected[3] == expected[6] == ()
    assert expected[2] == expected[5] == ("signature.invalid",)
    result = signed_guard.validate(pl.DataFrame(rows * 3))
    found: list[tuple[str, ...]] = [() for _ in range(len(rows) * 3)]
    for row_id, reasons in result.quarantined.select("row_id", "reasons").iter_rows():
        found[row_id] = tuple(reasons)
    assert found == expected * 3


def test_one_key_batch_marks_the_tampered_rows(signed_guard: ig.Guard) -> None:
    rows = [signed(amount=float(i)) for i in range(40)]
    for i in (0, 7, 39):
        rows[i] = _forge(rows[i], amount=-1.0)
    result = signed_guard.validate(pl.DataFrame(rows))
    assert result.quarantined["row_id"].to_list() == [0, 7, 39]
    assert result.counts() == {"signature.invalid": 3}


def _forge(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**record, **changes}


def _flip_last_byte(text: str) -> str:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return encode_signature(raw[:-1] + bytes([raw[-1] ^ 1]))


ATTACKS: list[Any] = [
    # (name, record, reason)
    ("tampered-amount", lambda: _forge(signed(), amount=1250.0), "signature.invalid"),
    ("tampered-int-type", lambda: _forge(signed(amount=12), amount="12"), "signature.invalid"),
    (
        "forged-bits",
        lambda: _forge(signed(), signature=_flip_last_byte(signed()["signature"])),
        "signature.invalid",
    ),
    (
        "ed25519-forged-bits",
        lambda: _forge(
            signed("pos", POS_2026, "2026"),
            signature=_flip_last_byte(signed("pos", POS_2026, "2026")["signature"]),
        ),
        "signature.invalid",
    ),
    ("truncated", lambda: _forge(signed(), signature=signed()["signature"][:-2]), "malformed"),
    (
        "truncated-to-valid-length",
        lambda: _forge(
            signed("pos", POS_2026, "2026"),
            signature=encode_signature(
                base64.urlsafe_b64decode(signed("pos", POS_2026, "2026")["signature"] + "==")[:32]
            ),
        ),
        "signature.invalid",
    ),
    (
        "swapped-fields",
        lambda: _forge(signed(amount="B-2", sku="A-1"), amount="A-1", sku="B-2"),
        "signature.invalid",
    ),
    (
        "replay-new-issue-time",
        lambda: _forge(signed(), issued_at="2026-11-22T11:59:30.000000Z"),
        "signature.invalid",
    ),
    (
        "claimed-by-another-source",  # pos signs, the record claims orders-api with pos's kid
        lambda: _forge(signed("pos", POS_2026, "2026"), source="orders-api"),
        "signature.unknown_key",
    ),
    (
        "signed-with-another-sources-secret",  # partner-feed's key under orders-api's kid
        lambda: signed(key=bytes(range(100, 132))),
        "signature.invalid",
    ),
    (
        "source-rewritten",  # a valid orders-api record relabelled as pos, kid renamed
        lambda: _forge(signed(), source="pos", kid="2026"),
        "signature.invalid",
    ),
    ("unknown-kid", lambda: _forge(signed(), kid="2027-q1"), "signature.unknown_key"),
    ("empty-kid", lambda: _forge(signed(), kid=""), "signature.unknown_key"),
    ("kid-case", lambda: _forge(signed(), kid="2026-Q3"), "signature.unknown_key"),
    (
        "wrong-algorithm",  # an HMAC signature offered for an Ed25519 key
        lambda: signed("pos", Q3, "2026"),
        "signature.invalid",
    ),
    (
        "public-key-as-hmac-secret",  # the classic algorithm-confusion forgery
        lambda: signed("pos", POS_2026.public_key().public_bytes_raw(), "2026"),
        "signature.invalid",
    ),
    (
        "ed25519-for-hmac-key",
        lambda: signed("orders-api", POS_2026, "2026-q3"),
        "signature.invalid",
    ),
    (
        "expired-key",  # Q3 ends 2026-12-01; signed inside the window, checked after it
        lambda: signed(issued=datetime(2026, 11, 30, tzinfo=UTC)),
        "expired",
    ),
    (
        "issued-after-key-expiry",
        lambda: signed(issued=datetime(2026, 12, 2, tzinfo=UTC)),
        "signature.key_expired",
    ),
    (
        "not-yet-valid-key",  # pos 2027 starts 2026-12-15
        lambda: signed("pos", POS_2027, "2027", issued=NOW),
        "signature.key_not_yet_valid",
    ),
    (
        "backdated-before-key",
        lambda: signed(key=Q4, kid="2026-q4", issued=datetime(2026, 9, 1, tzinfo=UTC)),
        "signature.key_not_yet_valid",
    ),
    ("signature-missing", lambda: _forge(signed(), signature=None), "signature.missing"),
    ("signature-empty", lambda: _forge(signed(), signature=""), "signature.missing"),
    ("hex-signature", lambda: _forge(signed(), signature=Q3.hex()), "malformed"),
    (
        "standard-base64",
        lambda: _forge(
            signed(), signature=signed()["signature"].replace("-", "+").replace("_", "/") + "="
        ),
        "malformed",
    ),
    ("not-base64", lambda: _forge(signed(), signature="!" * 43), "malformed"),
    ("non-canonical-bits", lambda: _forge(signed(), signature="A" * 42 + "B"), "malformed"),
    ("signature-not-text", lambda: _forge(signed(), signature=123), "malformed"),
    ("kid-missing", lambda: _forge(signed(), kid=None), "malformed"),
    ("kid-not-text", lambda: _forge(signed(), kid=2026), "malformed"),
    ("issued-missing", lambda: _forge(signed(), issued_at=None), "malformed"),
    ("issued-naive", lambda: _forge(signed(), issued_at="2026-11-22T11:59:00"), "malformed"),
    ("issued-garbage", lambda: _forge(signed(), issued_at="yesterday"), "malformed"),
    ("nan-in-signed-field", lambda: _forge(signed(), amount=math.nan), "malformed"),
    ("inf-in-signed-field", lambda: _forge(signed(), amount=-math.inf), "malformed"),
    ("list-in-signed-field", lambda: _forge(signed(), sku=["A-1"]), "malformed"),
]


@pytest.mark.parametrize(
    ("make", "reason"),
    [pytest.param(make, reason, id=name) for name, make, reason in ATTACKS],
)
def test_attacks_are_quarantined(signed_guard: ig.Guard, make: Any, reason: str) -> None:
    record = make()
    clock_now = datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC) if reason == "expired" else NOW
    guard = _guard(signed_guard.validators[0], clock_now)  # type: ignore[arg-type]
    expected = {"malformed": "signature.malformed", "expired": "signature.key_expired"}
    reasons, owner = decide(guard, record)
    assert reasons == (expected.get(reason, reason),)
    assert owner == ig.SourceRegistry.from_file(DATA / "sources.toml").owner_of(record["source"])


def test_huge_numbers(signed_guard: ig.Guard) -> None:
    # Beyond 64 bits still has one canonical form (polars holds it as Int128) ...
    assert decide(signed_guard, signed(amount=2**100)) == ((), None)
    assert decide(signed_guard, signed(amount=1e308)) == ((), None)
    # ... and a number too large to write in decimal is refused on the record path.
    record = _forge(signed(), amount=10**5000)
    assert signed_guard.check(record).reasons == ("signature.malformed",)


def test_one_python_pass_verifies_a_mixed_batch(signed_guard: ig.Guard) -> None:
    good = [signed(), signed("pos", POS_2026, "2026"), signed(key=Q4, kid="2026-q4")]
    bad = [_forge(signed(), amount=1.0), _forge(signed("pos", POS_2026, "2026"), sku="B")]
    records = [good[0], bad[0], good[1], bad[1], good[2]] * 50
    result = signed_guard.validate(pl.DataFrame(records))
    assert result.accepted.height == 150
    assert result.counts() == {"signature.invalid": 100}
    assert set(result.quarantined["row_id"].to_list()) == {i for i in range(250) if i % 5 in (1, 3)}


def test_unsigned_columns_of_other_dtypes(signed_guard: ig.Guard) -> None:
    record = signed()
    frame = pl.DataFrame([record]).with_columns(
        pl.lit(None, pl.Int64).alias("kid"), pl.lit(7, pl.Int32).alias("signature")
    )
    assert signed_guard.validate(frame).counts() == {"signature.malformed": 1}
    frame = pl.DataFrame([record]).with_columns(pl.lit(None, pl.Int32).alias("signature"))
    assert signed_guard.validate(frame).counts() == {"signature.missing": 1}
    as_datetime = pl.DataFrame([record]).with_columns(
        pl.col("issued_at").str.to_datetime(time_zone="UTC")
    )
    assert signed_guard.validate(as_datetime).ok
    naive = as_datetime.with_columns(pl.col("issued_at").dt.replace_time_zone(None))
    assert signed_guard.validate(naive).counts() == {"signature.malformed": 1}


def test_sources_are_checked_before_signatures(signed_guard: ig.Guard) -> None:
    record = _forge(signed(), source="legacy-crm", signature=None)
    assert decide(signed_guard, record) == (("source.retired",), "team-crm")


# -- secrets never leak ---------------------------------------------------------------------------


def _leaks(text: str) -> list[bytes]:
    data = text.encode("utf-8", "backslashreplace")
    return [s for s in SECRET_SPELLINGS if s in data or repr(s)[2:-1].encode() in data]


def test_secrets_never_appear_in_reprs_logs_or_errors(
    registry: ig.SourceRegistry, signed_guard: ig.Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    validator = signed_guard.validators[0]
    seen = [repr(validator), repr(signed_guard), repr(registry), repr(validator.keyring)]  # type: ignore[attr-defined]
    seen += [repr(k) for k in validator.keyring.keys]  # type: ignore[attr-defined]
    with capture_logs() as logs:
        records = [signed(), _forge(signed(), amount=3.0), _forge(signed(), kid="x")]
        signed_guard.validate(pl.DataFrame(records))
        for record in records:
            signed_guard.check(record)
        with pytest.raises(ig.InputRejected) as rejected:
            signed_guard.check_or_raise(records[1])
    seen += [repr(logs), str(rejected.value), repr(rejected.value.verdict)]
    monkeypatch.setenv("IG_TEST_ORDERS_HMAC_Q4", base64.b64encode(Q4[:12]).decode())
    with pytest.raises(ig.ConfigurationError) as short:
        ig.provenance(registry, signature="signature", signed=SIGNED)
    seen.append(str(short.value))
    assert "at least 32 bytes" in str(short.value)
    leaked = [text for text in seen if _leaks(text)]
    assert leaked == []


# -- the two paths agree --------------------------------------------------------------------------

KEYS: list[tuple[str, bytes | Ed25519PrivateKey, str]] = [
    ("orders-api", Q3, "2026-q3"),
    ("orders-api", Q4, "2026-q4"),
    ("pos", POS_2026, "2026"),
    ("pos", POS_2027, "2027"),
    ("partner-feed", bytes(range(100, 132)), "p1"),
]
_SOURCES = st.sampled_from(["orders-api", "pos", "partner-feed", "legacy-crm", "scraper-7", ""])
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=6),
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    source, key, kid = draw(st.sampled_from(KEYS))
    issued = draw(
        st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
        )
    )
    base = {"source": source, "amount": draw(_VALUES), "sku": draw(_VALUES)}
    try:
        record = ig.sign(base, key=key, key_id=kid, signed=SIGNED, issued=issued)
    except ig.InputRejected:  # NaN and friends: attach a syntactically valid signature
        record = {**base, "kid": kid, "issued_at": "2026-11-22T11:00:00Z", "signature": "A" * 43}
    mutation = draw(
        st.sampled_from(["none", "source", "amount", "kid", "issued", "signature", "null"])
    )
    if mutation == "source":
        record["source"] = draw(st.one_of(st.none(), _SOURCES))
    elif mutation == "amount":
        record["amount"] = draw(_VALUES)
    elif mutation == "kid":
        record["kid"] = draw(st.sampled_from(["2026-q3", "2026-q4", "2026", "2027", "p1", ""]))
    elif mutation == "issued":
        record["issued_at"] = draw(
            st.sampled_from(["2026-11-22T11:00:00Z", "2026-11-22T11:00:00", "bad", None])
        )
    elif mutation == "signature":
        record["signature"] = draw(st.text(alphabet="AQgw09-_+/=", min_size=40, max_size=90))
    elif mutation == "null":
        record[draw(st.sampled_from(["signature", "kid", "source"]))] = None
    return record


@given(record=records())
def test_record_path_equals_batch_path(record: dict[str, Any]) -> None:
    registry = ig.SourceRegistry.from_file(DATA / "sources.toml")
    guard = _guard(ig.provenance(registry, signature="signature", signed=SIGNED))
    verdict = guard.check(record)
    result = guard.validate(pl.DataFrame([record]))
    if verdict.ok:
        assert result.quarantined.height == 0
        accepted = result.accepted.drop("row_id", "warnings").row(0, named=True)
        assert accepted.keys() == verdict.record.keys()
        for name, value in verdict.record.items():
            assert accepted[name] == value or (value != value and accepted[name] != accepted[name])  # noqa: PLR0124 - NaN
    else:
        row = result.quarantined.row(0, named=True)
        assert tuple(row["reasons"]) == verdict.reasons
        assert row["owner"] == verdict.owner == registry.owner_of(record["source"])


def _iter_attack_ids() -> Iterator[str]:  # every documented signature reason is exercised
    yield from (name for name, _, _ in ATTACKS)


def test_every_signature_reason_has_an_attack() -> None:
    expected = {"malformed": "signature.malformed", "expired": "signature.key_expired"}
    covered = {expected.get(reason, reason) for _, _, reason in ATTACKS}
    assert covered == {
        "signature.missing",
        "signature.malformed",
        "signature.unknown_key",
        "signature.key_expired",
        "signature.key_not_yet_valid",
        "signature.invalid",
    }
    assert len(list(_iter_attack_ids())) == len(ATTACKS)


# -- aliases: explicit other spellings of one source, the canonical id in results -----------

ALIASED = ig.SourceRegistry(
    [
        ig.Source("checkout_web", "team-web", "active", aliases=("Checkout-Web", "checkout-web")),
        ig.Source("crm", "team-crm", "suspended", aliases=("CRM",)),
    ],
    default_owner="platform",
)


def _aliased_guard() -> ig.Guard:
    return ig.Guard(
        [ig.provenance(ALIASED), ig.freshness("ts", error_after="1h")],
        name="aliased",
        clock=ig.FixedClock(NOW),
    )


@pytest.mark.parametrize(
    ("source", "reasons", "owner", "accepted_as"),
    [
        ("Checkout-Web", (), None, "checkout_web"),
        ("checkout-web", (), None, "checkout_web"),
        ("checkout_web", (), None, "checkout_web"),
        ("CHECKOUT-WEB", ("source.unknown",), "platform", None),  # never folded implicitly
        ("CRM", ("source.suspended",), "team-crm", None),
    ],
)
def test_aliases_name_their_source_on_both_paths(
    source: str, reasons: tuple[str, ...], owner: str | None, accepted_as: str | None
) -> None:
    guard = _aliased_guard()
    record = {"source": source, "ts": "2026-11-22T11:30Z"}
    verdict = guard.check(record)
    assert verdict.reasons == reasons
    result = guard.validate(pl.DataFrame({k: [v] for k, v in record.items()}))
    if accepted_as is None:
        assert verdict.owner == owner
        assert result.quarantined["owner"].to_list() == [owner]
        assert result.quarantined["source"].to_list() == [source]  # the original, kept
    else:
        assert verdict.record["source"] == accepted_as
        assert result.accepted["source"].to_list() == [accepted_as]


def test_an_aliased_row_has_its_sources_owner_and_counts_under_the_id() -> None:
    guard = _aliased_guard()
    frame = pl.DataFrame(
        {
            "source": ["Checkout-Web", "checkout_web", "Checkout-Web"],
            "ts": ["2026-11-22T11:30Z", "2026-11-22T11:30Z", "2020-01-01T00:00Z"],
        }
    )
    with capture_logs() as logs:
        result = guard.validate(frame)
    assert result.quarantined["owner"].to_list() == ["team-web"]
    assert guard.check({"source": "Checkout-Web", "ts": "2020-01-01T00:00Z"}).owner == "team-web"
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert event["sources"]["checkout_web"]["accepted"] == 2


def test_aliases_are_read_from_the_registry_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        'default_owner = "platform"\n[sources.checkout_web]\nowner = "team-web"\n'
        'status = "active"\naliases = ["Checkout-Web"]\nerror_after = "15m"\n'
    )
    registry = ig.SourceRegistry.from_file(path)
    assert registry.aliases == {"Checkout-Web": "checkout_web"}
    assert registry.canonical("Checkout-Web") == "checkout_web"
    assert registry.owner_of("Checkout-Web") == "team-web"
    assert (
        registry.freshness_limits()["Checkout-Web"] == registry.freshness_limits()["checkout_web"]
    )
    plain = ig.SourceRegistry([ig.Source("checkout_web", "team-web", "active")], default_owner="p")
    assert (
        plain.digest
        != ig.SourceRegistry(
            [ig.Source("checkout_web", "team-web", "active", aliases=("x",))], default_owner="p"
        ).digest
    )


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([ig.Source("a", "t", "active"), ("b", ("a",))], "is itself a registered source id"),
        ([("a", ("x",)), ("b", ("x",))], "listed for both 'a' and 'b'"),
    ],
)
def test_clashing_aliases_are_refused(sources: list[object], message: str) -> None:
    built = [
        s if isinstance(s, ig.Source) else ig.Source(s[0], "t", "active", aliases=s[1])  # type: ignore[index]
        for s in sources
    ]
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.SourceRegistry(built, default_owner="p")


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("Checkout", "must be a list"),
        (("",), "non-empty"),
        (("a", "a"), "distinct"),
        (("s",), "differ"),
    ],
)
def test_bad_aliases_are_refused(aliases: object, message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.Source("s", "t", "active", aliases=aliases)  # type: ignore[arg-type]


def test_a_quarantined_alias_row_counts_under_its_source_id() -> None:
    guard = _aliased_guard()
    frame = pl.DataFrame(
        {"source": ["Checkout-Web", "checkout-web"], "ts": ["2020-01-01T00:00Z"] * 2}
    )
    with capture_logs() as logs:
        result = guard.validate(frame)
    assert result.quarantined["source"].to_list() == ["Checkout-Web", "checkout-web"]
    (event,) = [e for e in logs if e["event"] == "inputguard.validate"]
    assert set(event["sources"]) == {"checkout_web"}
    assert event["sources"]["checkout_web"]["quarantined"] == 2
    with capture_logs() as logs:
        guard.check({"source": "Checkout-Web", "ts": "2020-01-01T00:00Z"})
    (event,) = [e for e in logs if e["event"] == "inputguard.check"]
    assert set(event["sources"]) == {"checkout_web"}


def test_a_signature_binds_the_source_id_whatever_alias_the_record_carries() -> None:
    registry = ig.SourceRegistry(
        [
            ig.Source(
                "orders-api",
                "team-orders",
                "active",
                keys=(ig.SigningKey("2026-q3", "hmac-sha256", env="IG_TEST_ORDERS_HMAC_Q3"),),
                aliases=("Orders-API",),
            )
        ],
        default_owner="platform",
    )
    guard = _guard(ig.provenance(registry, signature="signature", signed=SIGNED))
    by_id = signed()  # signed with the registered id as the source
    as_alias = {**by_id, "source": "Orders-API"}  # the same signature, the alias carried
    assert decide(guard, by_id) == ((), None)
    assert decide(guard, as_alias) == ((), None)
    assert guard.check(as_alias).record["source"] == "orders-api"
    # A producer that signs the alias as the source signed something else: refused.
    alias_signed = signed(source="Orders-API")
    assert decide(guard, alias_signed) == (("signature.invalid",), "team-orders")
