"""The canonical form, signature encoding, key loading and `sign`."""

from __future__ import annotations

import base64
import hmac
import json
import pickle
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig
from inputguard._core.timestamps import parse_timestamp
from inputguard._provenance.canonical import (
    Unsignable,
    canonical_body_expr,
    canonical_header,
    canonical_issued_at_expr,
    canonical_message,
    canonical_message_expr,
    decode_signature,
    decode_signature_expr,
    encode_signature,
    format_issued_at,
    is_canonical_issued_at_expr,
)
from inputguard._provenance.keys import Keyring, LoadedKey, batch_verifier, load_material, verify

DATA = Path(__file__).parent.parent / "data" / "provenance"
DOCS = Path(__file__).parent.parent.parent / "docs" / "provenance.md"
HMAC_SECRET = b"orders-api test secret, 32 bytes"
ED_PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
T0 = datetime(2026, 11, 22, 12, tzinfo=UTC)


# -- canonical form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "i:0"),
        (-42, "i:-42"),
        (2**64, "i:18446744073709551616"),
        (1.5, f"d:{struct.unpack('<Q', struct.pack('<d', 1.5))[0]}"),
        (-0.0, "d:9223372036854775808"),
        ("", "s:0:"),
        ("a=b\nfield", "s:9:a=b\nfield"),
        ("é", "s:2:é"),
    ],
)
def test_value_encoding(value: Any, encoded: str) -> None:
    message = canonical_message(source="s", kid="k", issued_at=T0, fields={"x": value})
    assert message.decode().endswith(f"field 1:x {encoded}\n")


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), float("-inf"), 10**5000, b"bytes", [1], T0, "\ud800"],
    ids=["nan", "inf", "-inf", "huge-int", "bytes", "list", "datetime", "lone-surrogate"],
)
def test_values_without_canonical_form(value: Any) -> None:
    with pytest.raises(Unsignable):
        canonical_message(source="s", kid="k", issued_at=T0, fields={"x": value})


def test_fields_are_sorted_and_the_issue_time_is_normalized_to_utc() -> None:
    a = canonical_message(source="s", kid="k", issued_at=T0, fields={"b": 1, "a": 2})
    b = canonical_message(
        source="s",
        kid="k",
        issued_at=T0.astimezone(timezone(timedelta(hours=-5))),
        fields={"a": 2, "b": 1},
    )
    assert a == b
    assert a.decode().splitlines()[4:] == ["field 1:a i:2", "field 1:b i:1"]


def test_length_prefixes_make_the_form_unambiguous() -> None:
    # Moving text between the source and the kid, or between fields, changes the bytes.
    assert canonical_message(source="ab", kid="c", issued_at=T0, fields={}) != canonical_message(
        source="a", kid="bc", issued_at=T0, fields={}
    )
    assert canonical_message(
        source="s", kid="k", issued_at=T0, fields={"a": "x 1:b s:1:y"}
    ) != canonical_message(source="s", kid="k", issued_at=T0, fields={"a": "x", "b": "y"})
    assert canonical_message(source="s", kid="k", issued_at=T0, fields={"a": 1}) != (
        canonical_message(source="s", kid="k", issued_at=T0, fields={"a": "1"})
    )


_CHARS = st.characters(exclude_categories=["Cs"])  # polars strings are valid UTF-8
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(_CHARS, max_size=12),
)


@given(
    source=st.text(_CHARS, min_size=1, max_size=8),
    kid=st.text(_CHARS, max_size=8),
    issued=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    a=_SCALARS,
    b=_SCALARS,
)
def test_batch_canonical_form_equals_record_canonical_form(
    source: str, kid: str, issued: datetime, a: Any, b: Any
) -> None:
    frame = pl.DataFrame(
        [{"source": source, "kid": kid, "ts": issued, "a": a, "b": b}],
        schema_overrides={"ts": pl.Datetime("us", "UTC")},
    )
    message, unsignable = canonical_message_expr(
        source=pl.col("source"),
        kid=pl.col("kid"),
        issued_at=pl.col("ts"),
        fields=["b", "a"],
        schema=frame.schema,
    )
    row = frame.select(message.alias("m"), unsignable.alias("u")).row(0)
    try:
        expected = canonical_message(
            source=source, kid=kid, issued_at=issued, fields={"a": a, "b": b}
        )
    except Unsignable:
        assert row[1] is True
        assert row[0] is None
    else:
        assert row == (expected.decode(), False)


@given(
    source=st.text(_CHARS, min_size=1, max_size=8),
    kid=st.text(_CHARS, max_size=8),
    issued=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    a=_SCALARS,
)
def test_header_and_body_make_the_record_canonical_form(
    source: str, kid: str, issued: datetime, a: Any
) -> None:
    # The batch path of `provenance` builds the header once per key and the body per row.
    frame = pl.DataFrame(
        [{"ts": issued, "a": a}], schema_overrides={"ts": pl.Datetime("us", "UTC")}
    )
    body, unsignable = canonical_body_expr(
        issued_at=pl.col("ts"),
        fields=["a"],
        schema=frame.schema,
        issued_at_text=pl.lit(format_issued_at(issued)),
    )
    row = frame.select(body.alias("b"), unsignable.alias("u")).row(0)
    try:
        expected = canonical_message(source=source, kid=kid, issued_at=issued, fields={"a": a})
    except Unsignable:
        assert row == (None, True)
    else:
        assert (canonical_header(source, kid) + row[0]).encode() == expected


# -- canonical issue times -----------------------------------------------------------------------


def _fast_parse(text: str) -> tuple[bool, datetime | None]:
    # As `provenance` uses it: the fixed-format parse only sees texts of the canonical shape
    # (on its own it is lenient: it takes "00-1-1T0:0:0.000000Z" as year 0).
    canonical = is_canonical_issued_at_expr(pl.lit(text))
    row = pl.select(
        canonical.alias("canonical"),
        canonical_issued_at_expr(pl.when(canonical).then(pl.lit(text))).alias("instant"),
    ).row(0)
    return row[0], row[1]


@given(
    issued=st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    )
)
def test_canonical_issue_times_take_the_fast_parse(issued: datetime) -> None:
    text = format_issued_at(issued)
    canonical, instant = _fast_parse(text)
    assert canonical is True
    assert instant == issued == parse_timestamp(text)


_NEAR_CANONICAL = st.text(alphabet="0123456789-:.TZz +", min_size=20, max_size=30) | st.builds(
    lambda text, i, c: text[:i] + c + text[i + 1 :],
    st.datetimes(timezones=st.just(UTC)).map(format_issued_at),
    st.integers(0, 26),
    st.sampled_from("0123456789-:.TZz +x"),
)


@given(text=_NEAR_CANONICAL)
def test_the_fast_parse_agrees_with_the_grammar(text: str) -> None:
    canonical, instant = _fast_parse(text)
    if canonical:  # canonical text parses to the same instant, and is its own canonical text
        assert instant == parse_timestamp(text)
        assert instant is None or format_issued_at(instant) == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2026-11-22T12:00:00.000000Z", True),
        ("2026-02-30T00:00:00.000000Z", True),  # the shape; the date itself is impossible
        ("0000-01-01T00:00:00.000000Z", False),
        ("2026-11-22T12:00:00.000000z", False),
        ("2026-11-22T24:00:00.000000Z", False),
        ("2026-11-22T23:59:60.000000Z", False),
        ("2026-11-22T12:00:00.00000Z", False),
        ("2026-11-22T12:00:00Z", False),
        ("2026-11-22 12:00:00.000000Z", False),
        (" 2026-11-22T12:00:00.000000Z", False),
        ("2026-11-22T12:00:00.000000Z\n", False),
        ("2026-11-22T12:00:00.000000+00:00", False),
        (None, False),
    ],
)
def test_canonical_issue_time_shape(text: str | None, canonical: bool) -> None:
    found = pl.select(is_canonical_issued_at_expr(pl.lit(text, pl.String))).item()
    assert found is canonical


# -- signature text ----------------------------------------------------------------------------


@given(raw=st.binary(min_size=32, max_size=32) | st.binary(min_size=64, max_size=64))
def test_signature_text_round_trips_in_both_paths(raw: bytes) -> None:
    text = encode_signature(raw)
    assert decode_signature(text) == raw
    assert pl.select(decode_signature_expr(pl.lit(text))).item() == raw


@given(text=st.text(alphabet="AZaz09-_+/= \n%", min_size=40, max_size=90))
def test_signature_decoding_agrees_in_both_paths(text: str) -> None:
    assert pl.select(decode_signature_expr(pl.lit(text))).item() == decode_signature(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A" * 42,  # too short
        "A" * 42 + "B",  # non-zero trailing bits: a second spelling of the same bytes
        "A" * 43 + "=",  # padding
        "+" * 43,  # standard alphabet
        " " + "A" * 42,
        HMAC_SECRET.hex(),  # hex is not the signature encoding (and 64 chars decode to 48 bytes)
        None,
        42,
    ],
)
def test_malformed_signature_text(text: Any) -> None:
    assert decode_signature(text) is None


# -- key material ------------------------------------------------------------------------------


def _key(alg: str, **ref: str) -> ig.SigningKey:
    return ig.SigningKey("k1", alg, **ref)  # type: ignore[arg-type]


def test_hmac_secret_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_T", base64.b64encode(HMAC_SECRET).decode())
    assert load_material(_key("hmac-sha256", env="IG_T"), where="r") == HMAC_SECRET


@pytest.mark.parametrize("path", ["pos-2026.pub.pem", "pos-2026.raw.b64"])
def test_ed25519_public_key_from_file(path: str, tmp_path: Path) -> None:
    public = ED_PRIVATE.public_key()
    (tmp_path / "pos-2026.pub.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (tmp_path / "pos-2026.raw.b64").write_bytes(
        base64.b64encode(
            public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
    )
    loaded = load_material(_key("ed25519", file=str(tmp_path / path)), where="r")
    assert not isinstance(loaded, bytes)
    assert loaded.public_bytes_raw() == public.public_bytes_raw()


SECRET_TEXT = base64.b64encode(b"this secret must never be shown, ever!").decode()


@pytest.mark.parametrize(
    ("alg", "value", "message"),
    [
        ("hmac-sha256", None, "is not set"),
        ("hmac-sha256", "not base64!", "not valid base64"),
        ("hmac-sha256", base64.b64encode(b"short").decode(), r"at least 32 bytes \(got 5\)"),
        ("ed25519", SECRET_TEXT, "not an Ed25519 public key"),
        (
            "ed25519",
            ED_PRIVATE.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
            "PRIVATE key",
        ),
    ],
)
def test_unusable_key_material_is_refused_without_showing_it(
    alg: str, value: str | None, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("IG_T", raising=False)
    else:
        monkeypatch.setenv("IG_T", value)
    with pytest.raises(ig.ConfigurationError, match=message) as info:
        load_material(_key(alg, env="IG_T"), where="sources.toml")
    text = str(info.value)
    assert "sources.toml" in text
    assert "'IG_T'" in text
    if value is not None:
        assert value.strip() not in text
        assert value.strip()[:12] not in text


def test_unreadable_key_file(tmp_path: Path) -> None:
    with pytest.raises(ig.ConfigurationError, match="cannot read key file"):
        load_material(_key("ed25519", file=str(tmp_path / "absent.pem")), where="r")


def test_keyring_pickles_references_not_material(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_T", base64.b64encode(HMAC_SECRET).decode())
    ring = Keyring([("orders-api", _key("hmac-sha256", env="IG_T"))])
    payload = pickle.dumps(ring)
    assert HMAC_SECRET not in payload
    assert base64.b64encode(HMAC_SECRET) not in payload
    assert b"IG_T" in payload
    assert pickle.loads(payload).keys[0].material == HMAC_SECRET
    assert repr(ring) == "<Keyring 1 keys>"
    assert "secret" not in repr(ring.keys[0])
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(ring.keys[0])
    # Where the reference does not resolve, unpickling fails loudly instead of verifying nothing.
    monkeypatch.delenv("IG_T")
    with pytest.raises(ig.ConfigurationError, match="'IG_T'"):
        pickle.loads(payload)


@given(
    secret=st.binary(min_size=32, max_size=200),  # past the 64-byte block, the secret is hashed
    messages=st.lists(st.binary(max_size=300), min_size=1, max_size=8),
    tamper=st.integers(0, 7),
    cut=st.booleans(),
)
def test_batch_hmac_verification_equals_verify(
    secret: bytes, messages: list[bytes], tamper: int, cut: bool
) -> None:
    key = LoadedKey("s", "k", "hmac-sha256", None, None, secret)
    signatures = [hmac.digest(secret, m, "sha256") for m in messages]
    bad = tamper % len(messages)
    signatures[bad] = (
        signatures[bad][:-1] if cut else bytes([signatures[bad][0] ^ 1]) + signatures[bad][1:]
    )
    expected = [verify(key, m, g) for m, g in zip(messages, signatures, strict=True)]
    assert batch_verifier(key)(messages, signatures) == expected
    assert expected == [i != bad for i in range(len(messages))]


def test_batch_ed25519_verification_equals_verify() -> None:
    public = ED_PRIVATE.public_key()
    key = LoadedKey("s", "k", "ed25519", None, None, public)
    messages = [b"a", b"b", b""]
    signatures = [ED_PRIVATE.sign(b"a"), ED_PRIVATE.sign(b"a"), b"x" * 32]
    assert batch_verifier(key)(messages, signatures) == [True, False, False]


def test_prepared_hmac_state_is_never_pickled() -> None:
    check = batch_verifier(LoadedKey("s", "k", "hmac-sha256", None, None, HMAC_SECRET))
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(check)
    assert HMAC_SECRET.hex() not in repr(check)


# -- sign ----------------------------------------------------------------------------------------


def test_sign_returns_a_signed_copy() -> None:
    record = {"source": "orders-api", "sku": "A-1", "qty": 2}
    out = ig.sign(record, key=HMAC_SECRET, key_id="k1", signed=["qty", "sku"], issued=T0)
    assert record == {"source": "orders-api", "sku": "A-1", "qty": 2}
    assert out["kid"] == "k1"
    assert out["issued_at"] == "2026-11-22T12:00:00.000000Z"
    assert len(decode_signature(out["signature"]) or b"") == 32
    ed = ig.sign(record, key=ED_PRIVATE, key_id="k1", signed=["sku"], issued=T0)
    assert len(decode_signature(ed["signature"]) or b"") == 64


def test_sign_writes_to_the_configured_columns() -> None:
    out = ig.sign(
        {"origin": "pos", "v": 1},
        key=ED_PRIVATE,
        key_id="2026",
        signed=["v"],
        issued=T0,
        source="origin",
        signature="sig",
        kid="key_id",
        issued_at="ts",
    )
    assert set(out) == {"origin", "v", "sig", "key_id", "ts"}


def test_sign_defaults_the_issue_time_to_now() -> None:
    before = datetime.now(UTC)
    out = ig.sign({"source": "s", "v": 1}, key=HMAC_SECRET, key_id="k", signed=["v"])
    issued = datetime.fromisoformat(out["issued_at"])
    assert before - timedelta(seconds=1) <= issued <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": b"short"}, "at least 32 bytes"),
        ({"key": "a string secret" * 4}, "got str"),
        ({"key_id": ""}, "'key_id'"),
        ({"signed": []}, "at least one field"),
        ({"signed": ["absent"]}, "'absent' is not in the record"),
        ({"issued": datetime(2026, 1, 1)}, "naive"),
    ],
)
def test_sign_configuration_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"key": HMAC_SECRET, "key_id": "k", "signed": ["v"], "issued": T0}
    args.update(kwargs)
    with pytest.raises(ig.ConfigurationError, match=message) as info:
        ig.sign({"source": "s", "v": 1}, **args)
    assert "short" not in str(info.value).replace("'key'", "")


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"source": "s", "v": float("nan")}, "v"),
        ({"source": "s", "v": float("inf")}, "v"),
        pytest.param({"source": "s", "v": 10**5000}, "v", id="huge-int"),
        ({"source": "s", "v": {"nested": 1}}, "v"),
        ({"source": None, "v": 1}, "source"),
    ],
)
def test_sign_refuses_values_without_canonical_form(record: dict[str, Any], field: str) -> None:
    with pytest.raises(ig.InputRejected, match=repr(field)) as info:
        ig.sign(record, key=HMAC_SECRET, key_id="k", signed=["v"], issued=T0)
    assert info.value.reasons == ("signature.malformed",)
    assert info.value.field == field


# -- published test vectors ----------------------------------------------------------------------


def _vectors() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((DATA / "vectors.json").read_text())["vectors"]
    return data


def _vector_key(vector: dict[str, Any]) -> bytes | Ed25519PrivateKey:
    raw = bytes.fromhex(vector["key_hex"])
    return raw if vector["alg"] == "hmac-sha256" else Ed25519PrivateKey.from_private_bytes(raw)


@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: v["name"])
def test_published_vectors(vector: dict[str, Any]) -> None:
    record = vector["record"]
    message = canonical_message(
        source=record["source"],
        kid=vector["kid"],
        issued_at=datetime.fromisoformat(vector["issued_at"]),
        fields={name: record[name] for name in vector["signed"]},
    )
    assert message.decode() == vector["canonical"]
    out = ig.sign(
        record,
        key=_vector_key(vector),
        key_id=vector["kid"],
        signed=vector["signed"],
        issued=datetime.fromisoformat(vector["issued_at"]),
    )
    assert out["signature"] == vector["signature"]
    docs = DOCS.read_text()
    assert vector["signature"] in docs
    assert vector["canonical"] in docs
