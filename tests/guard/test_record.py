"""The compiled record path (`_fastpath.py`) is only ever a shortcut to the reference's answer."""

from __future__ import annotations

import base64
import os
import pickle
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import InputRejected, Verdict
from inputguard import strategies as igst
from inputguard._core.steps import FastStep
from inputguard._core.timestamps import COMMON_SHAPE, parse_timestamp
from inputguard._core.validator import BatchContext, BatchPlan, RecordContext, RecordOutcome, Rule
from inputguard._guard.record import STRICT_ENV, compile_record_path

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CLOCK = ig.FixedClock(NOW)

os.environ.setdefault("IG_TEST_FASTPATH_HMAC", base64.b64encode(b"f" * 32).decode())
REGISTRY = ig.SourceRegistry(
    [
        ig.Source("orders-api", "team-orders", "active"),
        ig.Source("crm", "team-crm", "active", freshness=ig.FreshnessLimits.parse("2h")),
        ig.Source("legacy", "ana", "retired"),
        ig.Source("partner", "bo", "suspended"),
    ],
    default_owner="data-platform",
)
SIGNED_REGISTRY = ig.SourceRegistry(
    [
        ig.Source(
            "orders-api",
            "team-orders",
            "active",
            keys=(ig.SigningKey("k1", "hmac-sha256", env="IG_TEST_FASTPATH_HMAC"),),
        )
    ],
    default_owner="data-platform",
)
COUNTRIES = ig.Vocabulary(
    "countries",
    "1",
    {
        "AT": ("AUT", "Austria"),
        "AU": ("AUS", "Australia"),
        "FR": ("FRA", "France"),
        "NE": ("NER", "Niger"),
        "NG": ("NGA", "Nigeria"),
    },
    distinct=(("AT", "AU"), ("NE", "NG")),
    known_other=("Western Australia",),
)
CURRENCIES = ig.Vocabulary("currencies", "1", {"EUR": ("Euro",), "USD": ("US Dollar",)})


@dataclass(frozen=True)
class NonNegative:
    """A user-defined validator: it has no step of its own, so it is called via check_record."""

    column: str = "amount"
    calls: list[object] = field(default_factory=list, compare=False, hash=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset({"amount.negative"})

    def plan(self, ctx: BatchContext) -> BatchPlan:
        return BatchPlan(rules=(Rule("amount.negative", pl.col(self.column) < 0),))

    def check_record(self, record: Any, ctx: RecordContext) -> RecordOutcome:
        self.calls.append(record[self.column])
        value = record[self.column]
        if not isinstance(value, (int, float)) or value < 0:
            return RecordOutcome(reasons=("amount.negative",))
        return RecordOutcome(updates={self.column: float(value)})


def _full() -> ig.Guard:
    return ig.Guard(
        [
            ig.provenance(REGISTRY),
            ig.freshness("ts", error_after="1h", warn_after="30m", max_future_skew="2m"),
            ig.terminology(
                "country", COUNTRIES, method_column="country_method", score_column="country_score"
            ),
            ig.terminology("currency", CURRENCIES, fuzzy=False),
        ],
        name="full",
        clock=CLOCK,
    )


GUARDS = {
    "full": _full(),
    "per-source": ig.Guard(
        [
            ig.provenance(REGISTRY),
            ig.freshness(
                "ts",
                error_after="1h",
                per_source={s.id: s.freshness for s in REGISTRY.sources if s.freshness},
            ),
        ],
        name="per-source",
        clock=CLOCK,
    ),
    "zone-naive": ig.Guard(
        [
            ig.freshness("ts", error_after="1h", naive="Europe/Paris"),
            ig.terminology("country", COUNTRIES),
        ],
        name="zone",
        clock=CLOCK,
    ),
    "signed": ig.Guard(
        [
            ig.provenance(SIGNED_REGISTRY, signature="sig", signed=("amount",)),
            ig.freshness("ts", error_after="1h"),
        ],
        name="signed",
        clock=CLOCK,
    ),
}

# Values a step must either handle exactly or leave to the reference.
timestamps = st.one_of(
    st.none(),
    st.from_regex(COMMON_SHAPE, fullmatch=True),
    # the separators the compiled path looks at, with any digits (hours 24-99, offsets +99:99)
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}",
        fullmatch=True,
    ),
    st.from_regex(
        r"[0-9a ]{4}-[0-9]{2}-[0-9]{2}T[0-9 ]{2}:[0-9]{2}:[0-9]{2}[+-][0-9+]{2}:[0-9z]{2}",
        fullmatch=True,
    ),
    st.datetimes(min_value=datetime(2026, 11, 22, 10), max_value=datetime(2026, 11, 22, 12, 5)).map(
        lambda d: d.replace(tzinfo=UTC).isoformat()
    ),
    st.sampled_from(
        [
            "2026-11-22T11:45:00z",  # lowercase z: the grammar, not the common shape
            "2026-11-22T11:45Z",  # no seconds
            "2026-11-22T11:45:00.1234567Z",  # 7 fraction digits
            "2026-11-22T11:45:00+01:75",  # fromisoformat takes it, the grammar does not
            "2026-02-30T11:45:00Z",
            "0000-11-22T11:45:00Z",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            " 2026-11-22T11:45:00Z",
            "2026-11-22T1\u0661:45:00+01:00",  # an Arabic-Indic digit where the parser wants 0-9
            "2026-11-22T11:45:00+01:0\u0665",
            "2026-11-22T11:45:00",
        ]
    ),
    st.datetimes(
        timezones=st.sampled_from([UTC, ZoneInfo("Europe/Paris"), timezone(timedelta(hours=-5))])
    ),
    st.datetimes(),
    st.sampled_from([datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC)]),
    st.integers(),
    st.lists(st.integers(), max_size=1),  # unhashable
)
terms = st.one_of(
    st.none(),
    st.sampled_from(
        ["AT", "Austria", "austria", "Austrai", "Australia", "Atlantis", "Euro", "EUR", "A\u0422"]
    ),  # the last one: a Latin A and a Cyrillic Te (term.confusable)
    st.text(max_size=8),
    st.integers(),
    st.lists(st.text(max_size=2), max_size=1),
)
sources = st.one_of(
    st.none(), st.sampled_from(["orders-api", "crm", "legacy", "partner", "scraper"]), st.integers()
)
# Values the compiled path decides by itself: common-shape text or aware datetimes near the
# clock reading, registered active sources, the vocabularies' own terms.
near = st.datetimes(
    min_value=datetime(2026, 11, 22, 11, 35), max_value=datetime(2026, 11, 22, 12, 1)
).map(lambda d: d.replace(tzinfo=UTC))
offsets = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
)
common_text = st.builds(
    lambda d, tz, sep, digits: (
        d.astimezone(tz).isoformat(sep=sep, timespec=digits).replace("+00:00", "Z")
    ),
    near,
    offsets,
    st.sampled_from(["T", " "]),
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
)
clean_fields = st.fixed_dictionaries(
    {
        "ts": st.one_of(common_text, st.builds(lambda d, tz: d.astimezone(tz), near, offsets)),
        "source": st.sampled_from(["orders-api"]),
        "country": st.sampled_from([t for c, syns in COUNTRIES.terms.items() for t in (c, *syns)]),
        "currency": st.sampled_from(
            [t for c, syns in CURRENCIES.terms.items() for t in (c, *syns)]
        ),
    }
)
OVERRIDES = {"ts": timestamps, "country": terms, "currency": terms, "source": sources}


def _spied(guard: ig.Guard) -> tuple[Any, list[object]]:
    """The guard's compiled path, built again with a reference that records its calls."""
    calls: list[object] = []

    def reference(record: Any, now: datetime) -> Verdict:
        calls.append(record)
        return guard._check_reference(record, now)

    decide, _ = compile_record_path(guard.validators, clock=guard.clock, reference=reference)
    return decide, calls


def _outcome(decide: Any, record: Any) -> object:
    try:
        return decide(record)
    except InputRejected as exc:
        return ("rejected", exc.reasons)


@st.composite
def messy_records(draw: st.DrawFn, guard: ig.Guard) -> dict[str, Any]:
    """A record the guard accepts or rejects, with some fields replaced by arbitrary values."""
    base = draw(st.sampled_from(["clean", "clean", "valid", "invalid"]))
    if base == "clean":
        record = draw(igst.records(guard)) | draw(clean_fields)
    elif base == "valid":
        record = draw(igst.records(guard))
    else:
        record = draw(igst.records(guard, valid=False)).record
    changed = st.sets(st.sampled_from(sorted(set(record) & set(OVERRIDES))))
    for key in draw(changed) if base != "clean" or draw(st.booleans()) else ():
        record[key] = draw(OVERRIDES[key])
    if draw(st.integers(0, 9)) == 0:
        record.pop(draw(st.sampled_from(sorted(record))))
    return record


@pytest.mark.parametrize("name", GUARDS)
@given(data=st.data())
def test_the_compiled_path_gives_the_reference_verdict(name: str, data: st.DataObject) -> None:
    guard = GUARDS[name]
    record = data.draw(messy_records(guard))
    expected = _outcome(lambda r: guard._check_reference(r, NOW), record)
    decide, calls = _spied(guard)
    assert _outcome(decide, record) == expected
    event("decided by the compiled path" if not calls else "left to the reference")
    assert _outcome(guard._decide, record) == expected
    assert _outcome(guard.check, record) == expected


@given(text=st.from_regex(COMMON_SHAPE, fullmatch=True))
def test_fromisoformat_agrees_with_the_grammar_on_the_common_shape(text: str) -> None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        assert parse_timestamp(text) is None
    else:
        assert parse_timestamp(text) == parsed
        assert parsed.tzinfo is not None


CLEAN = {"source": "orders-api", "country": "Austria", "currency": "EUR", "amount": 3}
FAST_TIMESTAMPS = [
    "2026-11-22T11:45:00Z",
    "2026-11-22T12:45:00+01:00",
    "2026-11-22T06:45:00.5-05:00",
    "2026-11-22 11:45:00.123456Z",
    datetime(2026, 11, 22, 11, 45, tzinfo=UTC),
    datetime(2026, 11, 22, 12, 45, tzinfo=ZoneInfo("Europe/Paris")),
]


@pytest.mark.parametrize("ts", FAST_TIMESTAMPS, ids=str)
def test_a_clean_record_never_reaches_the_reference(ts: object) -> None:
    guard = _full()
    decide, calls = _spied(guard)
    verdict = decide({**CLEAN, "ts": ts})
    assert calls == []
    assert verdict == guard._check_reference({**CLEAN, "ts": ts}, NOW)
    assert verdict.ok
    assert verdict.owner is None
    assert verdict.checked_at == NOW
    assert verdict.record["ts"].replace(microsecond=0) == datetime(2026, 11, 22, 11, 45, tzinfo=UTC)
    assert verdict.record["ts"].tzinfo is UTC
    assert verdict.record["country"] == "AT"
    assert verdict.record["country_method"] == "synonym"
    assert verdict.record["country_score"] == 100.0


@pytest.mark.parametrize(
    "change",
    [
        {"ts": "2026-11-22T11:15:00Z"},  # 45 minutes old: a freshness.aging warning
        {"ts": "2026-11-22T10:00:00Z"},  # stale
        {"ts": "2026-11-22T12:03:00Z"},  # beyond the future skew
        {"ts": "2026-11-22T11:45:00"},  # naive
        {"ts": "2026-11-22T11:45Z"},  # valid, outside the common shape
        {"source": "legacy"},
        {"country": "Atlantis"},
        {"country": ["AT"]},
    ],
    ids=str,
)
def test_anything_but_a_clean_pass_goes_to_the_reference(change: dict[str, Any]) -> None:
    guard = _full()
    decide, calls = _spied(guard)
    record = {**CLEAN, "ts": "2026-11-22T11:45:00Z", **change}
    verdict = decide(record)
    assert calls == [record]
    assert verdict == guard._check_reference(record, NOW)


def test_a_value_decided_once_takes_the_compiled_path_after() -> None:
    guard = _full()
    decide, calls = _spied(guard)
    record = {**CLEAN, "ts": "2026-11-22T11:45:00Z", "country": " aUSTRIA "}
    first = decide(record)
    assert calls == [record]  # decided (folded) by the reference, and cached
    assert decide(record) == first
    assert calls == [record]
    assert first.record["country_method"] == "folded"


def test_a_mapping_that_is_not_a_dict_goes_to_the_reference() -> None:
    guard = _full()
    decide, calls = _spied(guard)
    record = MappingProxyType({**CLEAN, "ts": "2026-11-22T11:45:00Z"})
    verdict = decide(record)
    assert calls == [record]
    assert verdict.ok
    assert verdict.record["country"] == "AT"


def test_a_missing_key_is_reported_by_the_reference() -> None:
    guard = _full()
    with pytest.raises(InputRejected, match="'currency'") as info:
        guard.check({"source": "orders-api", "ts": "2026-11-22T11:45:00Z", "country": "AT"})
    assert info.value.reasons == ("schema.missing_column",)


def test_a_validator_without_a_step_is_called_after_the_built_in_checks() -> None:
    custom = NonNegative()
    guard = ig.Guard([custom, ig.freshness("ts", error_after="1h")], name="custom", clock=CLOCK)
    ok = guard.check({"amount": 2, "ts": "2026-11-22T11:45:00Z"})
    assert ok.ok
    assert ok.record == {"amount": 2.0, "ts": datetime(2026, 11, 22, 11, 45, tzinfo=UTC)}
    assert custom.calls == [2]
    stale = guard.check({"amount": 2, "ts": "2026-11-22T09:00:00Z"})
    assert stale.reasons == ("freshness.stale",)
    assert custom.calls == [2, 2]  # the compiled path stopped before it; the reference ran it
    negative = guard.check({"amount": -1, "ts": "2026-11-22T11:45:00Z"})
    assert negative.reasons == ("amount.negative",)
    assert custom.calls == [2, 2, -1, -1]  # it rejected: checked by both paths


@dataclass(frozen=True)
class Overwrite(NonNegative):
    """A user validator that writes a column another validator normalizes (no ``writes``)."""

    column: str = "c"

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset()

    def plan(self, ctx: BatchContext) -> BatchPlan:
        return BatchPlan(outputs={self.column: pl.lit("written")})

    def check_record(self, record: Any, ctx: RecordContext) -> RecordOutcome:
        return RecordOutcome(updates={self.column: "written"})


def test_later_validators_normalized_values_win_as_on_the_reference() -> None:
    guard = ig.Guard([ig.terminology("c", COUNTRIES), Overwrite()], name="twice", clock=CLOCK)
    decide, calls = _spied(guard)
    verdict = decide({"c": "AT"})  # each validator reads the original value
    assert calls == []
    assert verdict == guard._check_reference({"c": "AT"}, NOW)
    assert verdict.record == {"c": "written"}
    assert guard.validate(pl.DataFrame({"c": ["AT"]})).accepted["c"].to_list() == ["written"]


def test_two_terminology_validators_on_one_column_are_refused() -> None:
    aliases = ig.Vocabulary("aliases", "1", {"AUT-X": ("AT",)})
    with pytest.raises(ig.ConfigurationError, match="two validators write column 'c'"):
        ig.Guard(
            [ig.terminology("c", COUNTRIES), ig.terminology("c", aliases, fuzzy=False)],
            name="twice",
        )


def test_the_clock_is_read_once_per_call_also_when_the_reference_decides() -> None:
    readings: list[datetime] = []

    def clock() -> datetime:
        readings.append(NOW + timedelta(seconds=len(readings)))
        return readings[-1]

    guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="clocked", clock=clock)
    assert guard.check({"ts": "2026-11-22T11:45:00Z"}).checked_at == readings[0]
    assert guard.check({"ts": "2026-11-22T09:00:00Z"}).checked_at == readings[1]
    assert len(readings) == 2


def test_a_naive_clock_reading_is_refused_on_every_path() -> None:
    guard = ig.Guard(
        [ig.freshness("ts", error_after="1h")], name="naive", clock=lambda: datetime(2026, 1, 1)
    )
    with pytest.raises(ig.ConfigurationError, match="timezone-aware"):
        guard.check({"ts": "2026-11-22T11:45:00Z"})


def test_an_unpickled_guard_compiles_its_path_again() -> None:
    guard = _full()
    clone = pickle.loads(pickle.dumps(guard))
    record = {**CLEAN, "ts": "2026-11-22T11:45:00Z"}
    assert clone.check(record) == guard.check(record)
    assert clone._record_source == guard._record_source


def test_the_generated_source_names_every_step() -> None:
    source = GUARDS["signed"]._record_source
    assert "def decide(record):" in source
    assert "_v0_check(record" in source  # signed provenance runs through check_record
    assert "_v1_shape(" in source  # freshness has a step of its own


# -- strict mode and tracebacks ----------------------------------------------------------------


@dataclass(frozen=True)
class BrokenStep(NonNegative):
    """A validator whose compiled step has a bug: it raises on a record it should pass."""

    def record_step(self, prefix: str) -> FastStep:
        return FastStep(lines=(f"{prefix}x = record[{self.column!r}] + 'oops'",))


def test_strict_mode_fails_a_step_that_breaks_on_a_clean_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    guard = ig.Guard([BrokenStep()], name="strict", clock=CLOCK)
    with pytest.raises(AssertionError, match="compiled record step raised TypeError") as info:
        guard.check({"amount": 3})
    assert isinstance(info.value.__cause__, TypeError)
    # a record the reference rejects: the step was right to give up, even in strict mode
    assert guard.check({"amount": -1}).reasons == ("amount.negative",)
    with pytest.raises(InputRejected):  # a missing key: rejected as a whole, as always
        guard.check({})


def test_without_strict_mode_the_reference_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT_ENV, "0")
    guard = ig.Guard([BrokenStep()], name="lenient", clock=CLOCK)
    assert guard.check({"amount": 3}) == guard._check_reference({"amount": 3}, CLOCK())


def test_a_traceback_through_the_record_path_shows_its_source_lines() -> None:
    @dataclass(frozen=True)
    class Dividing(NonNegative):
        def record_step(self, prefix: str) -> FastStep:
            return FastStep(lines=(f"{prefix}x = 1 / (record[{self.column!r}] - 3)",))

    guard = ig.Guard([Dividing()], name="trace", clock=CLOCK)
    with pytest.raises(ZeroDivisionError) as info:  # not a fallback error: it propagates
        guard.check({"amount": 3})
    text = "".join(traceback.format_exception(info.value))
    assert "<inputguard record path" in text
    assert "_v0_x = 1 / (record['amount'] - 3)" in text
