"""Self-tests of `inputguard.strategies`: generated data gets exactly the verdicts it claims."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import find, given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import strategies as igst
from inputguard._core.timestamps import parse_timestamp

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CLOCK = ig.FixedClock(NOW)


def _guard(*validators: Any, name: str = "test") -> ig.Guard:
    return ig.Guard(validators, name=name, clock=CLOCK)


os.environ.setdefault("IG_TEST_STRATEGIES_HMAC", base64.b64encode(b"s" * 32).decode())
_ED25519 = Ed25519PrivateKey.from_private_bytes(b"e" * 32)
os.environ.setdefault(
    "IG_TEST_STRATEGIES_ED25519",
    base64.b64encode(_ED25519.public_key().public_bytes_raw()).decode(),
)
REGISTRY = ig.SourceRegistry(
    [
        ig.Source(
            "orders-api",
            "team-orders",
            "active",
            keys=(ig.SigningKey("k1", "hmac-sha256", env="IG_TEST_STRATEGIES_HMAC"),),
        ),
        ig.Source(
            "billing",
            "team-billing",
            "active",
            keys=(ig.SigningKey("ed1", "ed25519", env="IG_TEST_STRATEGIES_ED25519"),),
        ),
        ig.Source("legacy-crm", "ana", "retired"),
        ig.Source("partner-feed", "bo", "suspended"),
    ],
    default_owner="data-platform",
)
VOCAB = ig.Vocabulary(
    "countries",
    "1",
    {
        "AT": ("AUT", "Austria", "Republic of Austria"),
        "AU": ("AUS", "Australia"),
        "CI": ("CIV", "Côte d'Ivoire"),
        "NE": ("NER", "Niger"),
        "NG": ("NGA", "Nigeria"),
    },
    distinct=(("AT", "AU"), ("NE", "NG")),
    known_other=("Western Australia", "Yugoslavia"),
)
SIGNING_KEYS = {("billing", "ed1"): _ED25519}
os.environ.setdefault("IG_TEST_STRATEGIES_HMAC_OLD", base64.b64encode(b"o" * 32).decode())
os.environ.setdefault("IG_TEST_STRATEGIES_HMAC_NEXT", base64.b64encode(b"n" * 32).decode())
DAY = timedelta(days=1)
# Keys around NOW: one valid, one expired, one not valid yet, one whose whole window is past,
# and an expired Ed25519 key whose private half the strategies do not hold.
WINDOW_REGISTRY = ig.SourceRegistry(
    [
        ig.Source(
            "orders-api",
            "team-orders",
            "active",
            keys=(
                ig.SigningKey(
                    "current",
                    "hmac-sha256",
                    env="IG_TEST_STRATEGIES_HMAC",
                    not_before=NOW - 60 * DAY,
                    not_after=NOW + 60 * DAY,
                ),
                ig.SigningKey(
                    "old", "hmac-sha256", env="IG_TEST_STRATEGIES_HMAC_OLD", not_after=NOW - DAY
                ),
                ig.SigningKey(
                    "next",
                    "hmac-sha256",
                    env="IG_TEST_STRATEGIES_HMAC_NEXT",
                    not_before=NOW + 10 * DAY,
                ),
                ig.SigningKey(
                    "2025",
                    "hmac-sha256",
                    env="IG_TEST_STRATEGIES_HMAC_OLD",
                    not_before=NOW - 400 * DAY,
                    not_after=NOW - 35 * DAY,
                ),
            ),
        ),
        ig.Source(
            "billing",
            "team-billing",
            "active",
            keys=(
                ig.SigningKey("ed1", "ed25519", env="IG_TEST_STRATEGIES_ED25519"),
                ig.SigningKey(
                    "ed0", "ed25519", env="IG_TEST_STRATEGIES_ED25519", not_after=NOW - 2 * DAY
                ),
            ),
        ),
        ig.Source("legacy-crm", "ana", "retired"),
    ],
    default_owner="data-platform",
)
WINDOW_REASONS = ("signature.key_expired", "signature.key_not_yet_valid")


GUARDS = {
    "default": _guard(ig.freshness("ts", error_after="15m")),
    "warn": _guard(ig.freshness("ts", error_after="1h", warn_after="30m")),
    "assume_utc": _guard(ig.freshness("ts", error_after="2h", naive="assume_utc")),
    "zone": _guard(ig.freshness("ts", error_after="24h", naive="Europe/Paris")),
    "narrow": _guard(ig.freshness("ts", error_after="0s", max_future_skew="0s")),
    "per_source": _guard(
        ig.freshness(
            "ts",
            error_after="1h",
            per_source={
                "erp": ig.FreshnessLimits.parse("7d", "1d"),
                "sensor": ig.FreshnessLimits.parse("5m"),
            },
        )
    ),
    "two_columns": _guard(
        ig.freshness("event_ts", error_after="15m"),
        ig.freshness("ingest_ts", error_after="1d", warn_after="1h", max_future_skew="5m"),
    ),
    "sources": _guard(ig.provenance(REGISTRY)),
    "aliases": _guard(
        ig.provenance(
            ig.SourceRegistry(
                [
                    ig.Source("checkout_web", "team-web", "active", aliases=("Checkout-Web",)),
                    ig.Source("crm", "team-crm", "suspended", aliases=("CRM",)),
                ],
                default_owner="platform",
            )
        ),
        ig.freshness("ts", error_after="1h"),
    ),
    "terms": _guard(ig.terminology("country", VOCAB)),
    "all_three": _guard(
        ig.provenance(REGISTRY, signature="signature", signed=["country", "amount"]),
        ig.freshness(
            "ts", error_after="1h", per_source={"billing": ig.FreshnessLimits.parse("5m")}
        ),
        ig.terminology("country", VOCAB),
    ),
    "key_windows": _guard(
        ig.provenance(WINDOW_REGISTRY, signature="signature", signed=["country", "amount"]),
        ig.terminology("country", VOCAB),
    ),
}
IDS = list(GUARDS)
_KEYS: dict[str, Any] = {"signing_keys": SIGNING_KEYS}
PARAMS = [GUARDS[k] for k in IDS]


@pytest.mark.parametrize("guard", PARAMS, ids=IDS)
@given(data=st.data())
def test_valid_records_pass(guard: ig.Guard, data: st.DataObject) -> None:
    record = data.draw(igst.records(guard, signing_keys=SIGNING_KEYS))
    verdict = guard.check(record)
    assert verdict.ok, verdict.reasons


@pytest.mark.parametrize("guard", PARAMS, ids=IDS)
@given(data=st.data())
def test_invalid_records_fail_for_exactly_their_reasons(
    guard: ig.Guard, data: st.DataObject
) -> None:
    record, reasons = data.draw(igst.records(guard, valid=False, signing_keys=SIGNING_KEYS))
    assert reasons
    assert guard.check(record).reasons == reasons


@pytest.mark.parametrize("guard", PARAMS, ids=IDS)
@given(data=st.data())
def test_frames_split_exactly_as_stated(guard: ig.Guard, data: st.DataObject) -> None:
    generated = data.draw(igst.frames(guard, max_rows=12, signing_keys=SIGNING_KEYS))
    result = guard.validate(generated.frame)
    assert result.accepted["row_id"].to_list() == list(generated.accepted_rows)
    assert result.quarantined["row_id"].to_list() == list(generated.quarantined_rows)
    assert [tuple(r) for r in result.quarantined["reasons"].to_list()] == [
        generated.reasons[i] for i in generated.quarantined_rows
    ]
    assert result.counts() == generated.counts()


@pytest.mark.parametrize("guard", PARAMS, ids=IDS)
@given(data=st.data())
def test_record_and_batch_paths_agree_on_generated_records(
    guard: ig.Guard, data: st.DataObject
) -> None:
    record, reasons = data.draw(
        st.one_of(
            igst.records(guard, signing_keys=SIGNING_KEYS).map(lambda r: igst.InvalidRecord(r, ())),
            igst.records(guard, valid=False, signing_keys=SIGNING_KEYS),
        )
    )
    frame = pl.DataFrame({k: [v] for k, v in record.items()})
    result = guard.validate(frame)
    got = tuple(result.quarantined["reasons"].to_list()[0]) if result.quarantined.height else ()
    assert got == reasons
    # the record path names the same column for every reason
    verdict = guard.check(record)
    columns = result.quarantined["reason_columns"].to_list()[0] if result.quarantined.height else []
    assert list(verdict.reason_columns) == columns


@pytest.mark.parametrize(
    ("fraction", "rows", "bad"), [(0.0, 10, 0), (0.25, 10, 3), (0.5, 5, 3), (1.0, 7, 7)]
)
@given(data=st.data())
def test_invalid_fraction_is_an_exact_row_count(
    fraction: float, rows: int, bad: int, data: st.DataObject
) -> None:
    guard = GUARDS["warn"]
    generated = data.draw(
        igst.frames(guard, min_rows=rows, max_rows=rows, invalid_fraction=fraction)
    )
    assert generated.frame.height == rows
    assert len(generated.quarantined_rows) == bad
    assert guard.validate(generated.frame).quarantined.height == bad


@pytest.mark.parametrize(
    "reasons",
    [["freshness.stale"], ["freshness.future", "freshness.naive"], ["freshness.missing"]],
)
@given(data=st.data())
def test_reasons_restrict_the_failures(reasons: list[str], data: st.DataObject) -> None:
    guard = GUARDS["two_columns"]
    record, stated = data.draw(igst.records(guard, valid=False, reasons=reasons))
    assert set(stated) <= set(reasons)
    assert guard.check(record).reasons == stated


@given(data=st.data())
def test_extra_fields_are_added_and_not_checked(data: st.DataObject) -> None:
    guard = GUARDS["default"]
    extra = {"amount": st.floats(0, 100), "country": st.sampled_from(["AT", "FR"])}
    record = data.draw(igst.records(guard, extra=extra))
    assert set(record) == {"ts", "amount", "country"}
    assert guard.check(record).ok
    generated = data.draw(igst.frames(guard, min_rows=1, max_rows=3, extra=extra))
    assert generated.frame.columns == ["amount", "country", "ts"]


@pytest.mark.parametrize(
    "amount",
    [st.sampled_from([1, 2.5]), st.one_of(st.integers(-5, 5), st.floats(0, 1)), st.none()],
    ids=["int-or-float", "mixed", "null"],
)
@given(data=st.data())
def test_signed_extra_fields_are_signed_as_the_frame_holds_them(
    amount: st.SearchStrategy[object], data: st.DataObject
) -> None:
    # [1, 2.5] is a Float64 column holding 1.0: the signature must be over 1.0, not 1
    guard = _guard(ig.provenance(REGISTRY, signature="signature", signed=["amount"]))
    generated = data.draw(
        igst.frames(guard, min_rows=2, max_rows=6, extra={"amount": amount}, **_KEYS)
    )
    result = guard.validate(generated.frame)
    assert result.accepted["row_id"].to_list() == list(generated.accepted_rows)
    assert result.counts() == generated.counts()


@given(data=st.data())
def test_now_overrides_the_guards_clock(data: st.DataObject) -> None:
    later = NOW + timedelta(days=3)
    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h")], name="later", clock=ig.FixedClock(later)
    )
    record = data.draw(igst.records(GUARDS["default"], now=later))
    assert guard.check(record).ok


KIND_VERDICTS = [
    ("fresh", (), ()),
    ("aging", (), ("freshness.aging",)),
    ("stale", ("freshness.stale",), ()),
    ("future", ("freshness.future",), ()),
    ("naive", ("freshness.naive",), ()),
]


@pytest.mark.parametrize(("kind", "reasons", "warnings"), KIND_VERDICTS)
@pytest.mark.parametrize("text", [True, False, None])
@given(data=st.data())
def test_timestamps_get_the_verdict_of_their_kind(
    kind: Any,
    reasons: tuple[str, ...],
    warnings: tuple[str, ...],
    text: bool | None,
    data: st.DataObject,
) -> None:
    guard = GUARDS["warn"]
    value = data.draw(
        igst.timestamps(CLOCK, kind=kind, error_after="1h", warn_after="30m", text=text)
    )
    if text is True:
        assert isinstance(value, str)
    elif text is False:
        assert isinstance(value, datetime)
    verdict = guard.check({"ts": value})
    assert (verdict.reasons, verdict.warnings) == (reasons, warnings)


@given(igst.timestamps(NOW, text=True))
def test_fresh_texts_parse_to_aware_instants_near_now(text: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert NOW - timedelta(hours=1) < parsed <= NOW + timedelta(seconds=60)


def test_strategies_shrink_to_readable_examples() -> None:
    guard = GUARDS["default"]
    record = find(igst.records(guard, signing_keys=SIGNING_KEYS), lambda r: True)
    assert record == {"ts": datetime(2026, 11, 22, 12, 0, tzinfo=UTC)}
    case = find(igst.records(guard, valid=False, signing_keys=SIGNING_KEYS), lambda c: True)
    assert case == igst.InvalidRecord({"ts": None}, ("freshness.missing",))
    stale = find(igst.records(guard, valid=False, reasons=["freshness.stale"]), lambda c: True)
    assert stale.record == {"ts": datetime(2026, 11, 22, 11, 44, 59, tzinfo=UTC)}


class _Custom:
    columns = ("x",)
    reasons = frozenset({"custom.bad"})

    def plan(self, ctx: ig.BatchContext) -> ig.BatchPlan:
        return ig.BatchPlan()

    def check_record(self, record: Any, ctx: ig.RecordContext) -> ig.RecordOutcome:
        return ig.RecordOutcome()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: igst.records(_guard(_Custom())), "type _Custom"),
        (lambda: igst.records(GUARDS["default"], valid=False, reasons=["term.unknown"]), "term"),
        (
            lambda: igst.records(GUARDS["default"], valid=False, reasons=["freshness.aging"]),
            "aging",
        ),
        (
            lambda: igst.records(GUARDS["assume_utc"], valid=False, reasons=["freshness.naive"]),
            "naive",
        ),
        (
            lambda: igst.records(GUARDS["default"], reasons=["freshness.stale"]),  # type: ignore[call-overload]
            "valid=False",
        ),
        (lambda: igst.records(_guard(), valid=False), "no validator"),
        (lambda: igst.records(GUARDS["default"], extra={"ts": st.none()}), "'ts'"),
        (
            lambda: igst.records(
                _guard(
                    ig.provenance(
                        ig.SourceRegistry([REGISTRY["billing"]], default_owner="data-platform"),
                        signature="signature",
                        signed=["amount"],
                    )
                )
            ),
            "signing_keys",
        ),
        (
            lambda: igst.records(
                _guard(
                    ig.provenance(REGISTRY, signature="signature", signed=["ts"]),
                    ig.freshness(
                        "ts",
                        error_after="1h",
                        per_source={"billing": ig.FreshnessLimits.parse("5m")},
                    ),
                ),
                signing_keys=SIGNING_KEYS,
            ),
            "depend on each other",
        ),
        (lambda: igst.terms("countries"), "Vocabulary"),  # type: ignore[arg-type]
        (lambda: igst.records(GUARDS["default"], extra={"a": 1}), "strategies"),  # type: ignore[dict-item]
        (lambda: igst.records("guard"), "Guard"),  # type: ignore[call-overload]
        (lambda: igst.frames(GUARDS["default"], min_rows=3, max_rows=2), "min_rows"),
        (lambda: igst.frames(GUARDS["default"], invalid_fraction=1.5), "invalid_fraction"),
        (lambda: igst.frames(_guard(), invalid_fraction=0.5), "no validator"),
        (
            lambda: igst.frames(
                GUARDS["default"], invalid_fraction=0.0, reasons=["freshness.stale"]
            ),
            "invalid rows",
        ),
        (lambda: igst.timestamps(NOW, kind="old"), "'kind'"),  # type: ignore[call-overload]
        (lambda: igst.timestamps(NOW, kind="aging"), "aging"),
        (lambda: igst.timestamps(NOW.replace(tzinfo=None)), "naive"),
        (lambda: igst.timestamps(NOW, error_after="1h", warn_after="2h"), "warn_after"),
        (
            lambda: igst.records(
                _guard(ig.freshness("ts", error_after="1h"), ig.freshness("ts", error_after="2h"))
            ),
            "both",
        ),
    ],
)
def test_misuse_is_refused_eagerly(call: Any, message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        call()


def test_frames_of_a_guard_without_validators_are_all_valid() -> None:
    generated = find(igst.frames(_guard(), min_rows=2, max_rows=2), lambda g: True)
    assert generated.reasons == ((), ())


def test_import_without_hypothesis_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import inputguard.strategies\n"
        "except ModuleNotFoundError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'inputguard-inference[testing]'" in out


@pytest.mark.parametrize("known", [True, False])
@given(data=st.data())
def test_terms_are_accepted_or_refused_as_stated(known: bool, data: st.DataObject) -> None:
    guard = GUARDS["terms"]
    term = data.draw(igst.terms(VOCAB, known=known))
    verdict = guard.check({"country": term})
    assert verdict.ok is known
    if not known:
        assert verdict.reasons[0] in {
            "term.unknown",
            "term.ambiguous",
            "term.confusable",
            "term.not_allowed",
        }


@pytest.mark.parametrize(
    "reason",
    [
        *sorted(GUARDS["all_three"].reasons - {"freshness.aging", *WINDOW_REASONS}),
        *WINDOW_REASONS,
    ],
)
@given(data=st.data())
def test_every_reason_of_every_family_is_generated(reason: str, data: st.DataObject) -> None:
    guard = GUARDS["all_three" if reason not in WINDOW_REASONS else "key_windows"]
    record, reasons = data.draw(
        igst.records(guard, valid=False, reasons=[reason], signing_keys=SIGNING_KEYS)
    )
    assert reasons == (reason,)
    assert guard.check(record).reasons == reasons


def _window_guard(*keys: ig.SigningKey, now: datetime = NOW) -> ig.Guard:
    registry = ig.SourceRegistry(
        [ig.Source("orders-api", "team-orders", "active", keys=keys)],
        default_owner="data-platform",
    )
    validator = ig.provenance(registry, signature="signature", signed=["amount"])
    return ig.Guard([validator], name="windows", clock=ig.FixedClock(now))


@pytest.mark.parametrize("reason", WINDOW_REASONS)
@given(data=st.data())
def test_key_window_reasons_are_generated_exactly(reason: str, data: st.DataObject) -> None:
    guard = GUARDS["key_windows"]
    record, reasons = data.draw(
        igst.records(guard, valid=False, reasons=[reason], signing_keys=SIGNING_KEYS)
    )
    assert reasons == (reason,)
    assert guard.check(record).reasons == reasons
    result = guard.validate(pl.DataFrame({k: [v] for k, v in record.items()}))
    assert result.quarantined["reasons"].to_list() == [list(reasons)]
    # The issue time keeps its distance from the key's window, so a clock that moves a little
    # (or a timestamp rounded on the way) cannot change the reason.
    issued = parse_timestamp(record["issued_at"])
    assert issued is not None
    key = next(k for k in WINDOW_REGISTRY[record["source"]].keys if k.kid == record["kid"])
    for edge in (key.not_before, key.not_after):
        assert edge is None or abs(issued - edge) >= timedelta(seconds=1)
    for shift in (timedelta(seconds=-0.9), timedelta(seconds=0.9)):
        shifted = ig.Guard(guard.validators, name="shifted", clock=ig.FixedClock(NOW + shift))
        assert shifted.check(record).reasons == reasons


@pytest.mark.parametrize("reason", WINDOW_REASONS)
@given(data=st.data())
def test_window_reasons_in_frames(reason: str, data: st.DataObject) -> None:
    guard = GUARDS["key_windows"]
    generated = data.draw(
        igst.frames(
            guard, max_rows=6, invalid_fraction=0.5, reasons=[reason], signing_keys=SIGNING_KEYS
        )
    )
    result = guard.validate(generated.frame)
    assert [tuple(r) for r in result.quarantined["reasons"].to_list()] == [
        generated.reasons[i] for i in generated.quarantined_rows
    ]
    assert set(result.counts()) <= {reason}


@pytest.mark.parametrize(
    ("key", "now", "reachable"),
    [
        # no window: neither reason
        (ig.SigningKey("k", "hmac-sha256", env="IG_TEST_STRATEGIES_HMAC"), NOW, ()),
        # an end, valid now: only a record issued after the end is expired
        (
            ig.SigningKey("k", "hmac-sha256", env="IG_TEST_STRATEGIES_HMAC", not_after=NOW + DAY),
            NOW,
            ("signature.key_expired",),
        ),
        # a start and an end, both past: expired, never "not yet valid" at this clock reading
        (
            ig.SigningKey(
                "k",
                "hmac-sha256",
                env="IG_TEST_STRATEGIES_HMAC",
                not_before=NOW - 9 * DAY,
                not_after=NOW - DAY,
            ),
            NOW,
            ("signature.key_expired",),
        ),
        # ... but both, for a clock reading before the end
        (
            ig.SigningKey(
                "k",
                "hmac-sha256",
                env="IG_TEST_STRATEGIES_HMAC",
                not_before=NOW - 9 * DAY,
                not_after=NOW - DAY,
            ),
            NOW - 5 * DAY,
            WINDOW_REASONS,
        ),
        # a start only: a record issued before it is not valid yet, whatever the clock says
        (
            ig.SigningKey("k", "hmac-sha256", env="IG_TEST_STRATEGIES_HMAC", not_before=NOW - DAY),
            NOW,
            ("signature.key_not_yet_valid",),
        ),
    ],
)
def test_window_reasons_are_offered_only_when_reachable(
    key: ig.SigningKey, now: datetime, reachable: tuple[str, ...]
) -> None:
    guard = _window_guard(key, now=now)
    for reason in WINDOW_REASONS:
        if reason in reachable:
            case = find(
                igst.records(guard, valid=False, reasons=[reason]),
                lambda c: True,
            )
            assert guard.check(case.record).reasons == case.reasons == (reason,)
        else:
            with pytest.raises(ig.ConfigurationError, match=reason):
                igst.records(guard, valid=False, reasons=[reason])
            with pytest.raises(ig.ConfigurationError, match=reason):
                igst.records(guard, valid=False, reasons=[reason], now=now)
