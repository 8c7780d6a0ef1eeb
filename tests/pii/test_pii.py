from __future__ import annotations

import importlib
import pickle
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
import structlog.testing
from hypothesis import given, settings
from hypothesis import strategies as st

import inputguard as ig
from inputguard import ConfigurationError, InputGuardError, InputRejected, Reason
from inputguard._pii import scan

from .conftest import KEY

if TYPE_CHECKING:
    from collections.abc import Sequence

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # @given tests cannot take the fixture

FRAGMENTS = [
    "ada@example.org",
    "Ada.Lovelace+ml@mail.example.co.uk",
    "user@localhost",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111111111111112",  # fails Luhn
    "378282246310005",
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013001",  # fails mod-97
    "GB82WEST12345698765432",
    "123-45-6789",
    "000-12-3456",
    "192.168.0.1",
    "256.1.1.1",
    "2001:db8::1",
    "12:30:45",
    "v1.2.3.4",
    "+1 415-555-2671",
    "(415) 555-2671",
    "+44 20 7946 0958",
    "2024-01-15",
    "ORD-2024-000123",
    "ISBN 978-3-16-148410-0",
    "https://bob:hunter2@example.com/x",
    "ssh://git@example.com",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_" + "a1B2" * 9,
    "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
    "é",
    "\ufdd0",
    "<EMAIL>",
]
TEXTS = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet=" .-:@/()+0123456789abcXYZ", max_size=12),
        st.text(max_size=6),
    ),
    max_size=6,
).flatmap(lambda parts: st.sampled_from([" ", "", "\n", ", "]).map(lambda s: s.join(parts)))
VALUES = st.one_of(st.none(), TEXTS)
ALL = {
    "secret": "reject",
    "url_credentials": "redact",
    "email": "pseudonymize",
    "card": "mask",
    "iban": "redact",
    "us_ssn": "flag",
    "ip": "redact",
    "phone": "mask",
}


def guard(*validators: ig.Validator) -> ig.Guard:
    return ig.Guard(list(validators), name="t", clock=ig.FixedClock(NOW))


def mixed() -> ig.Pii:
    return ig.pii("text", entities=ALL, key_env="IG_TEST_PII_KEY")


def test_every_entity_has_its_reason_code() -> None:
    from inputguard._pii.entities import ENTITIES, MODEL_ENTITIES  # noqa: PLC0415

    codes = {r.value for r in Reason}
    for name in (*ENTITIES, *MODEL_ENTITIES):
        assert f"pii.{name}" in codes, name


def test_exported() -> None:
    assert ig.pii is not None
    assert isinstance(ig.pii("text"), ig.Pii)
    assert isinstance(ig.pii("text"), ig.Validator)


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("mail ada@example.org.", "email", "mail <EMAIL>."),
        ("card 4111 1111 1111 1111 ok", "card", "card <CARD> ok"),
        ("iban DE89 3704 0044 0532 0130 00 thanks", "iban", "iban <IBAN> thanks"),
        ("ssn 123-45-6789", "us_ssn", "ssn <US_SSN>"),
        ("from 192.168.0.1 and 2001:db8::1", "ip", "from <IP> and <IP>"),
        ("call +1 415-555-2671 now", "phone", "call <PHONE> now"),
        (
            "see https://bob:hunter2@example.com/x",
            "url_credentials",
            "see https://<CREDENTIALS>@example.com/x",
        ),
        ("key AKIAIOSFODNN7EXAMPLE!", "secret", "key <SECRET>!"),
    ],
)
def test_each_entity_is_found_and_redacted(text: str, entity: str, expected: str) -> None:
    validator = ig.pii("text", entities=(entity,))
    assert validator.scan(text) == (expected, (entity,))
    result = guard(validator).validate(pl.DataFrame({"text": [text]}))
    assert result.accepted["text"].to_list() == [expected]
    assert result.accepted["warnings"].to_list() == [[f"pii.{entity}.redacted"]]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # fails Luhn
        "iban DE89 3704 0044 0532 0130 01",  # fails mod-97
        "order 1234-5678-9012-3456-7",  # no card layout
        "release v1.2.3.4 and 10.0.19041.1",
        "on 2024-01-15 at 12:30:45",
        "ISBN 978-3-16-148410-0",
        "ssn-like 000-12-3456 and 666-12-3456",
        "ranges 100-200, 1000-2000",
        "no scheme: bob:hunter2@example",
        "ORD-2024-000123",
    ],
)
def test_look_alikes_are_not_reported(text: str) -> None:
    validator = ig.pii("text")
    assert validator.scan(text) == (text, ())


def test_actions_reject_flag_mask_pseudonymize() -> None:
    validator = mixed()
    frame = pl.DataFrame(
        {
            "text": [
                "ghp_" + "a1B2" * 9,
                "ssn 123-45-6789",
                "card 4111 1111 1111 1111",
                "ada@example.org",
                None,
            ]
        }
    )
    result = guard(validator).validate(frame)
    assert result.quarantined["reasons"].to_list() == [[Reason.PII_SECRET]]
    assert result.quarantined["text"].to_list() == ["ghp_" + "a1B2" * 9]  # the original
    accepted = result.accepted
    assert accepted["text"].to_list()[:2] == ["ssn 123-45-6789", "card **** **** **** 1111"]
    assert accepted["warnings"].to_list()[:2] == [["pii.us_ssn"], ["pii.card.masked"]]
    pseudo = accepted["text"][2]
    assert pseudo.startswith("<EMAIL:")
    assert len(pseudo) == len("<EMAIL:>") + 16
    assert (
        ig.pii("t", entities={"email": "pseudonymize"}, key_env="IG_TEST_PII_KEY").scan(
            "ADA@example.org"
        )[0]
        == pseudo
    )  # stable across validators, case-insensitive for e-mail
    assert accepted["text"][3] is None


def test_pseudonym_depends_on_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    one = ig.pii("t", entities={"email": "pseudonymize"}, key_env="IG_TEST_PII_KEY")
    monkeypatch.setenv("IG_TEST_PII_KEY", "z" * 32)
    two = ig.pii("t", entities={"email": "pseudonymize"}, key_env="IG_TEST_PII_KEY")
    assert one.scan("a@example.org")[0] != two.scan("a@example.org")[0]


def test_key_never_in_repr_or_pickle(tmp_path: Any) -> None:
    validator = mixed()
    assert KEY not in repr(validator)
    assert KEY.encode() not in pickle.dumps(validator)
    clone = pickle.loads(pickle.dumps(validator))
    assert clone == validator
    assert clone.scan("a@example.org") == validator.scan("a@example.org")
    path = tmp_path / "key"
    path.write_text(KEY + "\n")
    from_file = ig.pii("t", entities={"email": "pseudonymize"}, key_file=str(path))
    assert from_file.scan("a@example.org") == validator.scan("a@example.org")


def test_repr_reads_like_the_call() -> None:
    assert repr(ig.pii("notes")) == "pii('notes')"
    assert repr(ig.pii("notes", entities=("email",), action="reject")) == (
        "pii('notes', entities=('email',), action='reject')"
    )
    assert repr(ig.pii("n", entities={"email": "flag", "card": "mask"}, allow=["a@b.co"])) == (
        "pii('n', entities={'email': 'flag', 'card': 'mask'}, allow=<1 values>)"
    )


def test_allow_lists() -> None:
    validator = ig.pii(
        "t",
        entities=("email", "card"),
        allow=["support@example.com", "4242424242424242"],
        allow_patterns=[r".*@example\.net"],
    )
    text = "support@example.com, x@example.net, 4242 4242 4242 4242, y@example.org"
    assert validator.scan(text) == (
        "support@example.com, x@example.net, 4242 4242 4242 4242, <EMAIL>",
        ("email",),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"entities": ("passport",)}, "unknown PII entity 'passport'"),
        ({"entities": "email"}, "must be a list"),
        ({"entities": {"email": "shred"}}, "action for 'email'"),
        ({"action": "delete"}, "'action' must be one of"),
        ({"entities": ()}, "at least one entity"),
        ({"entities": ("person",)}, "needs a model-based recognizer"),
        ({"entities": {"email": "pseudonymize"}}, "exactly one of 'key_env'"),
        ({"entities": {"email": "pseudonymize"}, "key_env": "IG_UNSET_KEY"}, "is not set"),
        ({"key_env": "IG_TEST_PII_KEY"}, "no entity uses 'pseudonymize'"),
        ({"region": "usa"}, "'region' must be an ISO 3166 code"),
        ({"mask_keep": -1}, "'mask_keep'"),
        ({"allow_patterns": ["("]}, "allow pattern '(' is invalid"),
        ({"column": ""}, "'column' must be a non-empty"),
    ],
)
def test_configuration_errors(kwargs: dict[str, Any], message: str) -> None:
    args = {"column": "t", **kwargs}
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        ig.pii(**args)


def test_short_key_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_TEST_PII_KEY", "tiny-secret")
    with pytest.raises(ConfigurationError) as info:
        ig.pii("t", entities={"email": "pseudonymize"}, key_env="IG_TEST_PII_KEY")
    assert "tiny-secret" not in str(info.value)


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name == "phonenumbers":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ConfigurationError, match=r"pip install 'inputguard-inference\[pii\]'"):
        ig.pii("t", entities=("phone",))
    ig.pii("t", entities=("email",))  # the other entities need nothing


def test_wrong_column_type_is_a_clear_rejection() -> None:
    g = guard(ig.pii("t"))
    with pytest.raises(InputRejected, match="must hold text") as info:
        g.validate(pl.DataFrame({"t": [1.5]}))
    assert Reason.SCHEMA_DTYPE in info.value.reasons
    with pytest.raises(InputRejected, match="must hold text"):
        g.check({"t": [1, 2]})


def test_integer_column_is_scanned_as_text() -> None:
    g = guard(ig.pii("t", entities=("card",), action="reject"))
    result = g.validate(pl.DataFrame({"t": [4111111111111111, 4111111111111112]}))
    assert result.quarantined["row_id"].to_list() == [0]
    assert not g.check({"t": 4111111111111111}).ok


class Gazetteer:
    """A tiny deterministic model stand-in: known names, by exact word."""

    entities = ("person", "location")

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def find(self, texts: Sequence[str]) -> list[list[ig.PiiSpan]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            spans = []
            for word, entity in (("Ada", "person"), ("Paris", "location")):
                start = text.find(word)
                if start >= 0:
                    spans.append(ig.PiiSpan(start, start + len(word), entity))
            out.append(spans)
        return out


def test_recognizer_protocol() -> None:
    model = Gazetteer()
    validator = ig.pii(
        "t",
        entities={"email": "redact", "person": "redact", "location": "flag"},
        recognizers=[model],
    )
    assert "recognizers=[Gazetteer]" in repr(validator)
    texts = ["Ada in Paris, ada@example.org", "nobody", None, "Ada", "Ada", "nobody"]
    result = guard(validator).validate(pl.DataFrame({"t": texts}))
    assert result.accepted["t"].to_list() == [
        "<PERSON> in Paris, <EMAIL>",
        "nobody",
        None,
        "<PERSON>",
        "<PERSON>",
        "nobody",
    ]
    assert result.accepted["warnings"].to_list()[0] == [
        "pii.email.redacted",
        "pii.person.redacted",
        "pii.location",
    ]
    assert all(len(set(call)) == len(call) for call in model.calls)  # distinct texts only
    assert validator.scan("Ada in Paris, ada@example.org")[1] == ("email", "person", "location")


def test_broken_recognizer_is_an_inputguard_error() -> None:
    class Broken(Gazetteer):
        def find(self, texts: Sequence[str]) -> list[list[ig.PiiSpan]]:
            return []

    g = guard(ig.pii("t", entities=("person",), recognizers=[Broken()]))
    with pytest.raises(InputGuardError, match="returned 0 results"):
        g.check({"t": "Ada"})


def test_nothing_uses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network use")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    validator = ig.pii("t", entities=ALL, key_env="IG_TEST_PII_KEY")
    g = guard(validator)
    texts = [f"{f} and more" for f in FRAGMENTS]
    g.validate(pl.DataFrame({"t": texts}))
    for text in texts:
        g.check({"t": text})


def test_audit_event_and_errors_carry_no_raw_value() -> None:
    secret_text = "card 4111 1111 1111 1111, mail ada@example.org"
    g = ig.Guard(
        [ig.pii("t", action="reject")], name="t", clock=ig.FixedClock(NOW), audit_examples=2
    )
    with structlog.testing.capture_logs() as events:
        result = g.validate(pl.DataFrame({"t": [secret_text]}))
        g.check({"t": secret_text})
    assert result.quarantined.height == 1
    dumped = repr(events)
    for raw in ("4111", "ada@example.org", "1111 1111"):
        assert raw not in dumped
    with pytest.raises(InputRejected) as info:
        g.check_or_raise({"t": secret_text})
    assert "4111" not in str(info.value)
    assert "ada@" not in str(info.value)
    assert "4111" not in repr(info.value.examples)


def _both_paths(g: ig.Guard, values: list[str | None]) -> None:
    """The record path gives each value what the batch path gives it; no row is lost."""
    result = g.validate(pl.DataFrame({"text": values}, schema={"text": pl.String}))
    accepted = {r["row_id"]: r for r in result.accepted.iter_rows(named=True)}
    quarantined = {r["row_id"]: r for r in result.quarantined.iter_rows(named=True)}
    assert len(accepted) + len(quarantined) == len(values)  # rows conserved
    for i, value in enumerate(values):
        verdict = g.check({"text": value})
        if verdict.ok:
            assert accepted[i]["text"] == verdict.record["text"]
            assert accepted[i]["warnings"] == list(verdict.warnings)
        else:
            assert quarantined[i]["reasons"] == list(verdict.reasons)
            assert quarantined[i]["text"] == value  # the original, unchanged


@given(st.lists(VALUES, min_size=1, max_size=12))
def test_record_path_equals_batch_path(values: list[str | None]) -> None:
    _both_paths(guard(mixed()), values)


@given(st.lists(VALUES, min_size=1, max_size=12))
def test_redaction_is_idempotent_and_leaves_no_found_entity(values: list[str | None]) -> None:
    validator = ig.pii("text", entities=[e for e in ALL if e != "us_ssn"])
    for value in values:
        if value is None:
            continue
        once, _ = validator.scan(value)
        assert validator.scan(once) == (once, ())


@given(st.lists(VALUES, min_size=1, max_size=8))
def test_streaming_sink_agrees_with_validate(values: list[str | None]) -> None:
    g = guard(mixed())
    frame = pl.DataFrame({"text": values}, schema={"text": pl.String})
    parts: list[pl.DataFrame] = []
    summary = g.sink(frame.lazy(), accepted=parts.append, quarantined=lambda f: None)
    result = g.validate(frame)
    assert summary.accepted == result.accepted.height
    if parts:
        got = pl.concat(parts).sort("row_id")["text"].to_list()
        assert got == result.accepted["text"].to_list()


def test_an_iban_glued_to_letters_or_digits_is_not_one() -> None:
    # Found inside "orgDE89...", it would leave "ada@example.org<IBAN>", an e-mail address
    # the earlier e-mail scan never saw: the redacted text would not scan clean.
    iban = "DE89370400440532013000"
    validator = ig.pii("text", entities=["email", "iban"])
    for text in (f"ada@example.org{iban}", f"x{iban}", f"7{iban}", f"{iban}7"):
        assert validator.scan(text) == (text, ())
    assert validator.scan(f"IBAN:{iban}.") == ("IBAN:<IBAN>.", ("iban",))


def test_two_ibans_written_one_after_the_other_are_both_found() -> None:
    iban = "DE89 3704 0044 0532 0130 00"
    validator = ig.pii("text", entities=["iban"])
    assert validator.scan(f"pay {iban} {iban} now") == ("pay <IBAN> <IBAN> now", ("iban",))
    # glued to further characters it is not an IBAN of that length, and stays as it is
    assert validator.scan(iban.replace(" ", "") + "7")[1] == ()


@settings(max_examples=30)
@given(st.lists(TEXTS, min_size=1, max_size=60))
def test_record_path_equals_batch_path_on_long_texts(parts: list[str]) -> None:
    # past scan._RE_LONGEST characters the record path matches with polars' regex engine
    joined = " ".join(parts) + " and "
    text = joined * (scan._RE_LONGEST // len(joined) + 2)
    assert len(text) > scan._RE_LONGEST
    _both_paths(guard(mixed()), [text, text[: scan._RE_LONGEST]])


@pytest.mark.parametrize(
    "text",
    [
        "a" * 20_000 + "@",  # quadratic for the e-mail pattern in Python's re
        "ftp://" + "a" * 20_000 + "@",  # and for the URL pattern
        "1-" * 20_000,  # one run of 20,000 short groups for the card decision
        "4111 " * 5_000,
        "key -----BEGIN RSA PRIVATE KEY-----abc\n",  # no END line, a final newline
        "a -----BEGIN PRIVATE KEY-----x -----END PRIVATE KEY----- b\n",
    ],
    ids=["letters-at", "url", "dashes", "fours", "key-newline", "key-end"],
)
def test_hostile_texts_agree_on_both_paths(text: str) -> None:
    _both_paths(guard(ig.pii("text", entities=ALL, key_env="IG_TEST_PII_KEY")), [text])


def test_a_checked_record_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = ig.pii("text")
    calls: list[str] = []
    scanner = validator._scanner
    original = type(scanner).scan

    def counting(self: Any, text: str) -> tuple[str, tuple[str, ...]]:
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(type(scanner), "scan", counting)
    g = guard(validator)
    verdict = g.check({"text": "write to ada@example.org"})  # a warning: the reference runs too
    assert verdict.record["text"] == "write to <EMAIL>"
    assert verdict.warnings == ("pii.email.redacted",)
    assert calls == ["write to ada@example.org"]
    assert g.check({"text": "call ada@example.net"}).record["text"] == "call <EMAIL>"
    assert calls[-1] == "call ada@example.net"
