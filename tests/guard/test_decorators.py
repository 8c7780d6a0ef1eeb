"""`guarded` / `Guard.wrap` on sync functions: input kinds, policies, audit, configuration."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, assert_type

import polars as pl
import pyarrow as pa
import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from pydantic import BaseModel
from structlog.testing import capture_logs

import inputguard as ig
from inputguard import InputRejected, Result, Verdict

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import structlog.testing

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FRESH = "2026-11-22T12:30:00+01:00"  # 30 minutes old, not in UTC
FRESH_UTC = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
STALE = "2026-11-22T09:00:00Z"


def make_guard() -> ig.Guard:
    return ig.Guard([ig.freshness("ts", error_after="1h")], name="wrap", clock=ig.FixedClock(NOW))


GUARD = make_guard()


class Model(BaseModel):
    ts: datetime
    x: int


@dataclasses.dataclass(frozen=True)
class Data:
    ts: datetime | str
    x: int


def as_dict(ts: str, x: int) -> dict[str, Any]:
    return {"ts": ts, "x": x}


def as_model(ts: str, x: int) -> Model:
    return Model(ts=datetime.fromisoformat(ts), x=x)


def as_data(ts: str, x: int) -> Data:
    return Data(ts=ts, x=x)


RECORDS = pytest.mark.parametrize(
    "build", [as_dict, as_model, as_data], ids=["dict", "model", "dc"]
)


def field(record: Any, name: str) -> Any:
    return record[name] if isinstance(record, dict) else getattr(record, name)


def frame(ts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"ts": ts, "x": list(range(len(ts)))})


def to_kind(df: pl.DataFrame, kind: str) -> Any:
    return {"frame": df, "lazy": df.lazy(), "table": df.to_arrow(), "batch": df.to_arrow()}[kind]


def as_frame(data: Any) -> pl.DataFrame:
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        out = pl.from_arrow(data)
        assert isinstance(out, pl.DataFrame)
        return out
    assert isinstance(data, pl.DataFrame)
    return data


FRAME_KINDS = pytest.mark.parametrize("kind", ["frame", "lazy", "table"])
FRAME_TYPES = {"frame": pl.DataFrame, "lazy": pl.LazyFrame, "table": pa.Table}


# -- exports, signatures, typing -------------------------------------------------------------


def test_exported() -> None:
    for name in ("Outcome", "bypass", "guarded", "last_outcome"):
        assert name in ig.__all__


def test_signature_name_and_doc_are_kept() -> None:
    def predict(record: dict[str, Any], *, scale: float = 1.0) -> float:
        """Score one record."""
        return scale

    wrapped = GUARD.wrap(predict)
    assert inspect.signature(wrapped) == inspect.signature(predict)
    assert wrapped.__name__ == "predict"
    assert wrapped.__doc__ == "Score one record."
    assert wrapped.__wrapped__ is predict  # type: ignore[attr-defined]
    assert not inspect.iscoroutinefunction(wrapped)


def test_typing_is_preserved_for_mypy() -> None:
    # mypy checks this file: the decorated functions keep their parameter and return types.
    @GUARD.wrap
    def bare(record: dict[str, Any]) -> int:
        return 1

    @GUARD.wrap(arg="record", on_fail="warn")
    def factory(scale: float, record: dict[str, Any]) -> str:
        return str(scale)

    @ig.guarded(GUARD, arg=0)
    def function(record: dict[str, Any]) -> bytes:
        return b""

    assert_type(bare({"ts": FRESH}), int)
    assert_type(factory(2.0, record={"ts": FRESH}), str)
    assert_type(function({"ts": FRESH}), bytes)
    check: Callable[[dict[str, Any]], int] = bare
    assert check({"ts": FRESH}) == 1


def test_a_fallback_typed_for_its_own_input_type_checks() -> None:
    def for_records(record: dict[str, Any], verdict: Verdict) -> float:
        return 0.0

    def for_frames(frame: pl.DataFrame, result: Result) -> pl.DataFrame:
        return frame.clear()

    @GUARD.wrap(on_fail=for_records)
    def predict(record: dict[str, Any]) -> float:
        return 1.0

    @GUARD.wrap(on_fail=for_frames)
    def score(data: pl.DataFrame) -> pl.DataFrame:
        return data

    with capture_logs():
        assert predict({"ts": STALE}) == 0.0
        assert score(frame([STALE])).height == 0


# -- records -----------------------------------------------------------------------------------


@RECORDS
def test_passing_record_arrives_normalized_as_the_same_kind(build: Callable[..., Any]) -> None:
    received: list[Any] = []

    @GUARD.wrap
    def predict(record: Any) -> str:
        received.append(record)
        return "scored"

    original = build(FRESH, 7)
    with capture_logs():
        assert predict(original) == "scored"
    (got,) = received
    assert type(got) is type(original)
    assert field(got, "ts") == FRESH_UTC
    assert field(got, "ts").utcoffset() == timedelta(0)
    assert field(got, "x") == 7
    assert field(original, "ts") != FRESH_UTC or not isinstance(original, dict)  # not mutated


@RECORDS
def test_failing_record_raises_by_default(build: Callable[..., Any]) -> None:
    calls: list[Any] = []

    @GUARD.wrap
    def predict(record: Any) -> None:
        calls.append(record)

    with capture_logs(), pytest.raises(InputRejected) as info:
        predict(build(STALE, 1))
    assert calls == []
    assert info.value.reasons == ("freshness.stale",)
    assert info.value.field == "ts"
    assert isinstance(info.value.verdict, Verdict)
    assert "predict" in str(info.value)


@RECORDS
def test_fallback_gets_the_original_input_and_the_verdict(build: Callable[..., Any]) -> None:
    seen: list[tuple[Any, Any]] = []

    def degrade(value: Any, verdict: Verdict | Result) -> str:
        seen.append((value, verdict))
        return "default score"

    @GUARD.wrap(on_fail=degrade)
    def predict(record: Any) -> str:
        raise AssertionError("must not be called")

    original = build(STALE, 1)
    with capture_logs():
        assert predict(original) == "default score"
    ((value, verdict),) = seen
    assert value is original
    assert isinstance(verdict, Verdict)
    assert verdict.reasons == ("freshness.stale",)


@RECORDS
def test_warn_passes_the_original_input_and_logs_a_warning(build: Callable[..., Any]) -> None:
    @GUARD.wrap(on_fail="warn")
    def predict(record: Any) -> Any:
        return record

    original = build(STALE, 1)
    with capture_logs() as events:
        assert predict(original) is original
    (event,) = events
    assert event["log_level"] == "warning"
    assert event["policy"] == "warn"
    assert event["reasons"] == {"freshness.stale": 1}


@RECORDS
def test_quarantined_record_goes_to_the_sink_then_raises(build: Callable[..., Any]) -> None:
    sunk: list[Result] = []

    @GUARD.wrap(on_fail="quarantine", sink=sunk.append)
    def predict(record: Any) -> None:
        raise AssertionError("must not be called")

    with capture_logs() as events, pytest.raises(InputRejected):
        predict(build(STALE, 5))
    (result,) = sunk
    assert result.accepted.height == 0
    row = result.quarantined.row(0, named=True)
    assert row["x"] == 5
    assert row["reasons"] == ["freshness.stale"]
    assert [e["policy"] for e in events] == ["quarantine"]


def test_a_record_the_sink_cannot_take_still_fails_loudly() -> None:
    sunk: list[Result] = []

    @GUARD.wrap(on_fail="quarantine", sink=sunk.append)
    def predict(record: dict[str, Any]) -> None:
        raise AssertionError("must not be called")

    with capture_logs() as events, pytest.raises(InputRejected) as info:
        predict({"ts": STALE, "row_id": 3})  # collides with the sink's row id column
    assert info.value.reasons == ("schema.reserved_column",)
    assert sunk == []
    (event,) = events
    assert event["policy"] == "quarantine"
    assert "sink_error" in event


@RECORDS
@given(minutes=st.integers(min_value=-120, max_value=24 * 60), x=st.integers())
def test_wrapper_agrees_with_guard_check(build: Callable[..., Any], minutes: int, x: int) -> None:
    ts = (NOW - timedelta(minutes=minutes)).isoformat()

    @GUARD.wrap(on_fail=lambda value, verdict: verdict)
    def predict(record: Any) -> Any:
        return record

    with capture_logs():
        verdict = GUARD.check({"ts": ts, "x": x})
        got = predict(build(ts, x))
    if verdict.ok:
        assert field(got, "ts") == verdict.record["ts"]
        assert field(got, "x") == x
    else:
        assert isinstance(got, Verdict)
        assert got.reasons == verdict.reasons


def test_missing_key_is_a_rejection_of_the_whole_record() -> None:
    @GUARD.wrap(on_fail=lambda value, verdict: verdict)
    def predict(record: dict[str, Any]) -> Any:
        return record

    with capture_logs() as events:
        verdict = predict({"x": 1})
    assert isinstance(verdict, Verdict)
    assert verdict.reasons == ("schema.missing_column",)
    (event,) = events
    assert event["policy"] == "fallback"
    assert event["reasons"] == {"schema.missing_column": 1}


@pytest.mark.parametrize("value", [["ts"], "ts", 3, None])
def test_unsupported_input_is_rejected(value: Any) -> None:
    @GUARD.wrap
    def predict(record: Any) -> None:
        raise AssertionError("must not be called")

    with capture_logs() as events, pytest.raises(InputRejected) as info:
        predict(value)
    assert info.value.reasons == ("schema.unsupported_type",)
    assert [e["policy"] for e in events] == ["raise"]


# -- finding the argument ----------------------------------------------------------------------


class Model2:
    def __init__(self) -> None:
        self.calls = 0

    @GUARD.wrap
    def predict(self, record: dict[str, Any]) -> Any:
        self.calls += 1
        return record["ts"]

    @GUARD.wrap(arg="features")
    def score(self, weight: float, features: dict[str, Any]) -> Any:
        return weight, features["ts"]

    @staticmethod
    @GUARD.wrap
    def static(record: dict[str, Any]) -> Any:
        return record["ts"]

    @classmethod
    @GUARD.wrap
    def klass(cls, record: dict[str, Any]) -> Any:
        return cls.__name__, record["ts"]


class Stacked:
    @GUARD.wrap
    @staticmethod
    def static(record: dict[str, Any]) -> Any:
        return record["ts"]

    @GUARD.wrap
    @classmethod
    def klass(cls, record: dict[str, Any]) -> Any:
        return cls.__name__, record["ts"]


def test_wrap_above_staticmethod_and_classmethod() -> None:
    with capture_logs():
        assert Stacked.static({"ts": FRESH}) == FRESH_UTC
        assert Stacked().klass({"ts": FRESH}) == ("Stacked", FRESH_UTC)
        with pytest.raises(InputRejected):
            Stacked.klass({"ts": STALE})


def test_methods_skip_self_and_cls() -> None:
    model = Model2()
    with capture_logs():
        assert model.predict({"ts": FRESH}) == FRESH_UTC
        assert model.score(2.0, {"ts": FRESH}) == (2.0, FRESH_UTC)
        assert model.score(2.0, features={"ts": FRESH}) == (2.0, FRESH_UTC)
        assert Model2.static({"ts": FRESH}) == FRESH_UTC
        assert Model2.klass({"ts": FRESH}) == ("Model2", FRESH_UTC)
        with pytest.raises(InputRejected):
            model.predict({"ts": STALE})
    assert model.calls == 1


@pytest.mark.parametrize("arg", ["record", 1])
@pytest.mark.parametrize("by_keyword", [False, True])
def test_argument_by_name_or_position(arg: str | int, *, by_keyword: bool) -> None:
    @ig.guarded(GUARD, arg=arg)
    def predict(model: str, record: dict[str, Any], flag: bool = False) -> Any:
        return model, record["ts"], flag

    with capture_logs():
        if by_keyword:
            assert predict("m", record={"ts": FRESH}, flag=True) == ("m", FRESH_UTC, True)
        else:
            assert predict("m", {"ts": FRESH}) == ("m", FRESH_UTC, False)
        with pytest.raises(InputRejected):
            predict("m", {"ts": STALE})


def test_a_default_value_is_guarded_too() -> None:
    @GUARD.wrap(arg="record")
    def predict(model: str = "m", record: dict[str, Any] | None = None) -> Any:
        return model

    with capture_logs(), pytest.raises(InputRejected) as info:
        predict()
    assert info.value.reasons == ("schema.unsupported_type",)


def test_a_missing_argument_is_the_usual_type_error() -> None:
    @GUARD.wrap
    def predict(record: dict[str, Any]) -> Any:
        return record

    @GUARD.wrap(arg="record")
    def positional(model: str, record: dict[str, Any] | None = None, /) -> Any:
        return record

    with pytest.raises(TypeError):
        predict()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        positional()  # type: ignore[call-arg]


def _two(a: int, b: dict[str, Any], *rest: Any, **options: Any) -> None: ...


@pytest.mark.parametrize(
    ("arg", "match"),
    [
        ("c", "'arg' must name a parameter"),
        ("rest", "'arg' must name a parameter"),
        ("options", "'arg' must name a parameter"),
        (2, "'arg' must be the index of a positional parameter"),
        (-1, "'arg' must be the index of a positional parameter"),
        (True, "'arg' must be a parameter name or index"),
        (1.0, "'arg' must be a parameter name or index"),
    ],
)
def test_bad_arg_fails_when_decorating(arg: Any, match: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=match):
        ig.guarded(GUARD, arg=arg)(_two)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"on_fail": "drop"}, "'on_fail' must be"),
        ({"on_fail": 3}, "'on_fail' must be"),
        ({"on_fail": "quarantine"}, "needs a 'sink'"),
        ({"on_fail": "raise", "sink": print}, "'sink' is only used with"),
        ({"on_fail": "quarantine", "sink": 3}, "'sink' must be a callable"),
        ({"keep_meta_columns": "yes"}, "'keep_meta_columns' must be"),
    ],
)
def test_bad_options_fail_when_decorating(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=match):
        ig.guarded(GUARD, **options)


def test_not_a_function_or_not_a_guard() -> None:
    with pytest.raises(ig.ConfigurationError, match="decorates a function"):
        GUARD.wrap("record")  # type: ignore[call-overload]
    with pytest.raises(ig.ConfigurationError, match="must be a Guard"):
        ig.guarded("guard")(_two)  # type: ignore[arg-type]


# -- frames ------------------------------------------------------------------------------------


@FRAME_KINDS
def test_passing_frame_arrives_normalized_as_the_same_kind(kind: str) -> None:
    received: list[Any] = []

    @GUARD.wrap
    def score(data: Any) -> int:
        received.append(data)
        return 0

    with capture_logs():
        score(to_kind(frame([FRESH, FRESH]), kind))
    (got,) = received
    assert isinstance(got, FRAME_TYPES[kind])
    out = as_frame(got)
    assert out.columns == ["ts", "x"]
    assert out["ts"].to_list() == [FRESH_UTC, FRESH_UTC]


def test_record_batch_arrives_as_a_record_batch() -> None:
    received: list[Any] = []

    @GUARD.wrap(on_fail="quarantine", sink=lambda result: None)
    def score(data: Any) -> None:
        received.append(data)

    with capture_logs():
        score(frame([FRESH, STALE]).to_arrow().to_batches()[0])
        score(frame([STALE]).to_arrow().to_batches()[0])
    assert [type(b) for b in received] == [pa.RecordBatch, pa.RecordBatch]
    assert [b.num_rows for b in received] == [1, 0]


@FRAME_KINDS
def test_failing_frame_raises_with_capped_examples(kind: str) -> None:
    @GUARD.wrap
    def score(data: Any) -> None:
        raise AssertionError("must not be called")

    with capture_logs(), pytest.raises(InputRejected) as info:
        score(to_kind(frame([FRESH] + [STALE] * 8), kind))
    assert info.value.reasons == ("freshness.stale",)
    assert len(info.value.examples) == 5
    assert info.value.examples[0] == {
        "row_id": 1,
        "reasons": ["freshness.stale"],
        "reason_columns": ["ts"],
    }
    assert info.value.field == "ts"
    assert isinstance(info.value.verdict, Result)


@FRAME_KINDS
def test_quarantine_passes_accepted_rows_and_sinks_the_rest(kind: str) -> None:
    sunk: list[Result] = []
    received: list[Any] = []

    @GUARD.wrap(on_fail="quarantine", sink=sunk.append)
    def score(data: Any) -> str:
        received.append(data)
        return "ok"

    with capture_logs() as events:
        assert score(to_kind(frame([FRESH, STALE, FRESH]), kind)) == "ok"
    (got,) = received
    assert isinstance(got, FRAME_TYPES[kind])
    assert as_frame(got)["x"].to_list() == [0, 2]
    (result,) = sunk
    assert result.quarantined["x"].to_list() == [1]
    assert result.quarantined["ts"].to_list() == [STALE]  # original value
    assert [e["policy"] for e in events] == ["quarantine"]


def test_all_rows_quarantined_still_calls_with_an_empty_frame() -> None:
    received: list[pl.DataFrame] = []

    @GUARD.wrap(on_fail="quarantine", sink=lambda result: None)
    def score(data: pl.DataFrame) -> None:
        received.append(data)

    with capture_logs():
        score(frame([STALE, STALE]))
    assert received[0].height == 0
    assert received[0].columns == ["ts", "x"]


def test_quarantine_to_a_parquet_directory(tmp_path: Path) -> None:
    @GUARD.wrap(on_fail="quarantine", sink=tmp_path / "q")
    def score(data: pl.DataFrame) -> int:
        return data.height

    with capture_logs():
        assert score(frame([FRESH, STALE, STALE])) == 1
    kept = ig.read_quarantine(tmp_path / "q")
    assert sorted(kept["x"].to_list()) == [1, 2]


def test_a_failing_sink_fails_the_call_and_is_audited() -> None:
    def broken(result: Result) -> None:
        raise OSError("disk full")

    @GUARD.wrap(on_fail="quarantine", sink=broken)
    def score(data: pl.DataFrame) -> None:
        raise AssertionError("must not be called")

    with capture_logs() as events, pytest.raises(OSError, match="disk full"):
        score(frame([STALE]))
    (event,) = events
    assert event["policy"] == "quarantine"
    assert event["sink_error"] == "OSError"


def test_keep_meta_columns() -> None:
    received: list[pl.DataFrame] = []

    @GUARD.wrap(keep_meta_columns=True)
    def score(data: pl.DataFrame) -> None:
        received.append(data)

    with capture_logs():
        score(frame([FRESH]))
    assert received[0].columns == ["row_id", "ts", "x", "warnings"]


@FRAME_KINDS
def test_frame_fallback_and_warn(kind: str) -> None:
    data = to_kind(frame([FRESH, STALE]), kind)
    seen: list[tuple[Any, Any]] = []

    def degrade(value: Any, verdict: Verdict | Result) -> str:
        seen.append((value, verdict))
        return "fallback"

    @GUARD.wrap(on_fail=degrade)
    def score(data: Any) -> str:
        raise AssertionError("must not be called")

    @GUARD.wrap(on_fail="warn")
    def passthrough(data: Any) -> Any:
        return data

    with capture_logs() as events:
        assert score(data) == "fallback"
        assert passthrough(data) is data
    ((value, result),) = seen
    assert value is data
    assert isinstance(result, Result)
    assert result.counts() == {"freshness.stale": 1}
    assert [(e["policy"], e["log_level"]) for e in events] == [
        ("fallback", "info"),
        ("warn", "warning"),
    ]


@pytest.mark.parametrize("on_fail", ["raise", "quarantine", "fallback", "warn"])
def test_frame_rejected_as_a_whole(on_fail: str) -> None:
    sunk: list[Result] = []
    options: dict[str, Any] = {"on_fail": on_fail}
    if on_fail == "quarantine":
        options["sink"] = sunk.append
    if on_fail == "fallback":
        options["on_fail"] = lambda value, verdict: verdict
    data = pl.DataFrame({"timestamp": [FRESH, STALE], "x": [0, 1]})

    @ig.guarded(GUARD, **options)
    def score(data: pl.DataFrame) -> Any:
        return data

    with capture_logs() as events:
        if on_fail in ("raise", "quarantine"):
            with pytest.raises(InputRejected) as info:
                score(data)
            assert info.value.reasons == ("schema.missing_column",)
        elif on_fail == "fallback":
            verdict = score(data)
            assert isinstance(verdict, Verdict)
            assert verdict.reasons == ("schema.missing_column",)
        else:
            assert score(data) is data
    (event,) = events
    assert event["policy"] == on_fail
    assert event["rows_in"] == 2
    if on_fail == "quarantine":
        (result,) = sunk
        assert_frame_equal(result.quarantined.select("timestamp", "x"), data)
        assert result.counts() == {"schema.missing_column": 2}


@settings(max_examples=40)
@given(ages=st.lists(st.integers(min_value=-30, max_value=180), max_size=30))
def test_quarantine_conserves_rows(ages: list[int]) -> None:
    """Every row either reaches the function (normalized) or the sink (original), never both."""
    sunk: list[Result] = []
    received: list[pl.DataFrame] = []

    @GUARD.wrap(on_fail="quarantine", sink=sunk.append)
    def score(data: pl.DataFrame) -> None:
        received.append(data)

    stamps = [(NOW - timedelta(minutes=a)).isoformat() for a in ages]
    with capture_logs():
        score(frame(stamps))
    passed = received[0]["x"].to_list()
    kept = sunk[0].quarantined["x"].to_list() if sunk else []
    assert sorted(passed + kept) == list(range(len(ages)))
    assert passed == [i for i, a in enumerate(ages) if -1 <= a <= 60]  # 60s future skew


# -- audit and outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_fail", "ts", "policy"),
    [
        ("raise", FRESH, "none"),
        ("raise", STALE, "raise"),
        ("warn", STALE, "warn"),
        ("fallback", STALE, "fallback"),
        ("quarantine", STALE, "quarantine"),
    ],
)
@pytest.mark.parametrize("shape", ["record", "frame"])
def test_one_audit_event_per_call_names_the_policy(
    on_fail: str, ts: str, policy: str, shape: str
) -> None:
    options: dict[str, Any] = {"on_fail": on_fail}
    if on_fail == "fallback":
        options["on_fail"] = lambda value, verdict: None
    if on_fail == "quarantine":
        options["sink"] = lambda result: None

    @ig.guarded(GUARD, **options)
    def predict(data: Any) -> None:
        assert ig.last_outcome() is not None

    data: Any = {"ts": ts} if shape == "record" else frame([ts])
    with capture_logs() as events:
        try:
            predict(data)
        except InputRejected:
            assert policy in ("raise", "quarantine")
    (event,) = events
    assert event["event"] == ("inputguard.check" if shape == "record" else "inputguard.validate")
    assert event["policy"] == policy
    assert event["function"].endswith("predict")
    assert event["guard"] == "wrap"
    assert event["rows_in"] == event["accepted"] + event["quarantined"] == 1
    assert ts not in str(event)  # no raw values
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == policy
    assert outcome.function == event["function"]
    assert isinstance(outcome.verdict, Verdict if shape == "record" else Result)


def test_guard_methods_still_log_their_own_events() -> None:
    with capture_logs() as events:
        GUARD.check({"ts": FRESH})
        GUARD.validate(frame([FRESH]))
    assert [e["event"] for e in events] == ["inputguard.check", "inputguard.validate"]
    assert all("policy" not in e for e in events)


def test_a_disabled_level_builds_no_event(warnings_only: structlog.testing.LogCapture) -> None:
    @GUARD.wrap(on_fail="warn")
    def observe(record: dict[str, Any]) -> Any:
        return record

    @GUARD.wrap(on_fail=lambda value, verdict: None)
    def predict(record: dict[str, Any]) -> Any:
        return record

    observe({"ts": FRESH})
    predict({"ts": STALE})
    GUARD.check({"ts": STALE})
    assert warnings_only.entries == []
    observe({"ts": STALE})
    assert [(e["policy"], e["log_level"]) for e in warnings_only.entries] == [("warn", "warning")]
    outcome = ig.last_outcome()
    assert outcome is not None
    assert outcome.policy == "warn"


# -- the types it was given: Arrow widths, pandas frames ---------------------------------------


def test_an_arrow_table_comes_back_with_its_own_types() -> None:
    table = pa.table(
        {
            "ts": pa.array([FRESH, STALE], pa.string()),
            "tags": pa.array([["a"], ["b", "c"]], pa.list_(pa.string())),
            "blob": pa.array([b"x", b"y"], pa.binary()),
        }
    )
    seen: list[pa.Table] = []

    @GUARD.wrap(on_fail="quarantine", sink=lambda result: None)
    def predict(data: pa.Table) -> None:
        seen.append(data)

    predict(table)
    (got,) = seen
    assert got.schema.field("tags").type == pa.list_(pa.string())
    assert got.schema.field("blob").type == pa.binary()
    assert got.num_rows == 1
    # the normalized timestamp keeps its new type: widths are restored, not normalizations
    assert pa.types.is_timestamp(got.schema.field("ts").type)


def test_a_pandas_frame_is_guarded_and_comes_back_as_pandas() -> None:
    pd = pytest.importorskip("pandas")
    data = pd.DataFrame(
        {"ts": [FRESH, STALE, FRESH], "x": [1, 2, 3]}, index=pd.Index([10, 20, 30], name="id")
    )
    seen: list[Any] = []

    @GUARD.wrap(on_fail="quarantine", sink=lambda result: None)
    def predict(frame: Any) -> None:
        seen.append(frame)

    predict(data)
    (got,) = seen
    assert isinstance(got, pd.DataFrame)
    assert list(got.index) == [10, 30]  # the accepted rows keep their labels
    assert got.index.name == "id"
    assert list(got.columns) == ["ts", "x"]
    assert got["x"].dtype == data["x"].dtype
    with pytest.raises(InputRejected) as info:
        GUARD.wrap(lambda frame: None)(data)
    assert info.value.reasons == ("freshness.stale",)


# -- the caller's objects fail: the record is unreadable, never a foreign traceback -------------


class BrokenMapping(dict[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("backend gone")


class BrokenZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("no zone database")

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "broken"


@pytest.mark.parametrize(
    "record",
    [BrokenMapping(ts=FRESH, x=1), {"ts": datetime(2026, 11, 22, 11, 30, tzinfo=BrokenZone())}],
    ids=["mapping", "tzinfo"],
)
def test_a_record_whose_objects_raise_is_rejected_with_the_cause(record: Any) -> None:
    with pytest.raises(InputRejected) as info:
        GUARD.check(record)
    assert info.value.reasons == ("schema.unreadable",)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_a_bug_inside_the_library_is_not_disguised_as_bad_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guard = make_guard()
    (validator,) = guard.validators

    def broken(self: Any, record: Any, ctx: Any) -> Any:
        raise RuntimeError("a bug")

    broken.__code__ = broken.__code__.replace(co_filename=ig.__file__)  # "inside the package"
    monkeypatch.setattr(type(validator), "check_record", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        guard._check_reference({"ts": FRESH}, NOW)
