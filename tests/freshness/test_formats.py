"""Declared timestamp formats: each format's two implementations, ambiguity, epoch ranges."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import polars as pl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import ConfigurationError, Reason
from inputguard._freshness.formats import TimeFormat, parse_formats

from ..conftest import NOW

SPECS = [
    "iso8601",
    "rfc2822",
    "epoch_s",
    "epoch_ms",
    "epoch_us",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%Y%m%d%H%M%S",
    "%a %d %b %Y %T%.f %z",
    "%B %d, %y %H:%M:%S%.3f %:z",
]
INSTANTS = st.datetimes(
    min_value=datetime(1975, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
EDITS = st.sampled_from("0123456789 :+-./,TZzAPMaDecJnuFbWdTGU")


def rendered(fmt: TimeFormat) -> st.SearchStrategy[str]:
    """Texts of ``fmt``: renderings of instants at any offset (naive ones for naive patterns)."""

    @st.composite
    def texts(draw: st.DrawFn) -> str:
        local = draw(INSTANTS).astimezone(draw(OFFSETS))
        if not getattr(fmt, "aware", True):
            local = local.replace(tzinfo=None)
        return fmt.render(local, fraction=draw(st.booleans()))

    return texts()


@st.composite
def edited(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """A text with one character replaced, inserted or deleted: the near misses."""
    text = draw(texts)
    i = draw(st.integers(0, len(text)))
    op = draw(st.sampled_from(["replace", "insert", "delete"]))
    c = draw(EDITS)
    if op == "insert":
        return text[:i] + c + text[i:]
    if op == "delete" or i == len(text):
        return text[:i] + text[i + 1 :]
    return text[:i] + c + text[i + 1 :]


def batch_reading(fmt: TimeFormat, text: str) -> tuple[Any, Any]:
    aware, naive = fmt.text_exprs(pl.col("t"))
    exprs = {"a": aware if aware is not None else pl.lit(None), "n": naive}
    exprs["n"] = naive if naive is not None else pl.lit(None)
    row = pl.DataFrame({"t": [text]}, schema={"t": pl.String}).select(**exprs).row(0)
    return row[0], row[1]


@pytest.mark.parametrize("spec", SPECS)
@given(data=st.data())
def test_each_format_reads_alike_on_both_paths(spec: str, data: st.DataObject) -> None:
    (fmt,) = parse_formats([spec])
    texts = rendered(fmt)
    text = data.draw(st.one_of(texts, edited(texts), st.text(max_size=30)))
    expected = fmt.read(text)
    aware, naive = batch_reading(fmt, text)
    if expected is None:
        assert naive is None
        assert aware is None or not datetime(1, 1, 1, tzinfo=UTC) <= aware
    elif expected.tzinfo is None:
        assert (aware, naive) == (None, expected)
    else:
        assert (aware, naive) == (expected.astimezone(UTC), None)


@pytest.mark.parametrize("spec", SPECS)
@given(instant=INSTANTS, zone=OFFSETS)
def test_each_format_reads_its_own_renderings(spec: str, instant: datetime, zone: timezone) -> None:
    (fmt,) = parse_formats([spec])
    local = instant.astimezone(zone)
    if not getattr(fmt, "aware", True):
        local = local.replace(tzinfo=None)
    assume("%y" not in spec or 1970 <= local.year < 2070)
    reading = fmt.read(fmt.render(local))
    assert reading is not None
    if spec in ("%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p"):
        assert reading == local.replace(second=0, microsecond=0)
    elif spec in ("rfc2822", "%Y%m%d%H%M%S"):
        assert reading == local.replace(microsecond=0)
    elif spec == "%B %d, %y %H:%M:%S%.3f %:z":
        assert reading == local.replace(microsecond=local.microsecond // 1000 * 1000)
    else:
        assert reading == local


# -- whole validators: verdicts and values agree on both paths -------------------------------

DAY_MONTH = ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "iso8601", "rfc2822", "epoch_s", "epoch_ms"]


@st.composite
def mixed_values(draw: st.DrawFn) -> Any:  # noqa: PLR0911 - one return per shape
    """Values of every declared shape around NOW, ambiguous day/month texts included."""
    instant = NOW + timedelta(seconds=draw(st.integers(-7200, 600)))
    kind = draw(st.sampled_from(["dm", "md", "iso", "rfc", "s", "ms", "num", "bad"]))
    local = instant.astimezone(draw(OFFSETS))
    if kind in ("dm", "md"):
        day = draw(st.integers(1, 12))
        wall = local.replace(tzinfo=None, day=day) if draw(st.booleans()) else local
        return wall.strftime("%d/%m/%Y %H:%M" if kind == "dm" else "%m/%d/%Y %H:%M")
    if kind == "iso":
        return local.isoformat()
    if kind == "rfc":
        return local.strftime("%a, %d %b %Y %H:%M:%S %z")
    seconds = instant.timestamp()
    if kind == "s":
        return str(int(seconds))
    if kind == "ms":
        return str(int(seconds * 1000))
    if kind == "num":
        return draw(st.sampled_from([seconds, int(seconds), seconds * 1000, -1, True, 1e30]))
    return draw(st.text(max_size=20))


@pytest.mark.parametrize("naive", ["reject", "assume_utc", "Europe/Paris"])
@given(values=st.lists(mixed_values(), min_size=1, max_size=8))
def test_record_path_equals_batch_path_over_every_format(naive: str, values: list[Any]) -> None:
    validator = ig.freshness(
        "ts", error_after="1h", warn_after="20m", naive=naive, formats=DAY_MONTH
    )
    guard = ig.Guard([validator], name="t", clock=ig.FixedClock(NOW))
    texts = [v for v in values if isinstance(v, str)]
    for frame_values in (texts, [v for v in values if not isinstance(v, (str, bool))]):
        if not frame_values:
            continue
        frame = pl.DataFrame({"ts": frame_values}, strict=False)
        if frame.schema["ts"] == pl.Object:
            continue
        result = guard.validate(frame)
        batch = {r["row_id"]: (tuple(r["reasons"]), None) for r in result.quarantined.to_dicts()}
        batch |= {r["row_id"]: ((), r["ts"]) for r in result.accepted.to_dicts()}
        for i, value in enumerate(frame["ts"].to_list()):
            verdict = guard.check({"ts": value})
            if verdict.ok:
                assert batch[i] == ((), verdict.record["ts"])
            else:
                assert batch[i][0] == verdict.reasons


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("01/02/2026 10:00", Reason.FRESHNESS_AMBIGUOUS),  # 1 February or 2 January
        ("2026-01-02T10:00:00Z", Reason.FRESHNESS_INVALID),  # no declared format reads it
        ("01/01/2026 10:00", Reason.FRESHNESS_STALE),  # both read the same instant
        ("13/01/2026 10:00", Reason.FRESHNESS_STALE),  # only day/month reads it
    ],
)
def test_two_formats_that_disagree_are_ambiguous_on_both_paths(value: str, reason: str) -> None:
    v = ig.freshness(
        "ts", error_after="1h", naive="assume_utc", formats=["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]
    )
    guard = ig.Guard([v], name="t", clock=ig.FixedClock(NOW))
    assert guard.check({"ts": value}).reasons == (reason,)
    result = guard.validate(pl.DataFrame({"ts": [value]}))
    assert result.quarantined["reasons"].to_list() == [[reason]]
    assert Reason.FRESHNESS_AMBIGUOUS in v.reasons
    assert Reason.FRESHNESS_AMBIGUOUS not in ig.freshness("ts", error_after="1h").reasons


def test_ambiguity_is_reported_before_naive() -> None:
    v = ig.freshness("ts", error_after="1h", formats=["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"])
    guard = ig.Guard([v], name="t", clock=ig.FixedClock(NOW))
    assert guard.check({"ts": "01/02/2026 10:00"}).reasons == (Reason.FRESHNESS_AMBIGUOUS,)
    assert guard.check({"ts": "22/11/2026 11:50"}).reasons == (Reason.FRESHNESS_NAIVE,)


# -- epoch numbers --------------------------------------------------------------------------

SECONDS = int(NOW.timestamp()) - 60


@pytest.mark.parametrize(
    ("formats", "value", "reason"),
    [
        (["epoch_s"], SECONDS, None),
        (["epoch_s"], float(SECONDS) + 0.5, None),
        (["epoch_s"], str(SECONDS), None),
        (["epoch_s"], f"{SECONDS}.250", None),
        (["epoch_s"], SECONDS * 1000, Reason.FRESHNESS_INVALID),  # ms where s are declared
        (["epoch_ms"], SECONDS, Reason.FRESHNESS_INVALID),  # s where ms are declared
        (["epoch_ms"], SECONDS * 1000, None),
        (["epoch_us"], SECONDS * 1_000_000, None),
        (["epoch_us"], SECONDS * 1000, Reason.FRESHNESS_INVALID),
        (["epoch_s", "epoch_ms"], SECONDS * 1000, None),  # disjoint ranges: never ambiguous
        (["epoch_s"], -5, Reason.FRESHNESS_INVALID),
        (["epoch_s"], f"+{SECONDS}", Reason.FRESHNESS_INVALID),
        (["epoch_s"], f" {SECONDS}", Reason.FRESHNESS_INVALID),
        (["epoch_s"], "1.7e9", Reason.FRESHNESS_INVALID),
        (["epoch_s"], float("nan"), Reason.FRESHNESS_INVALID),
        (["epoch_s"], float("inf"), Reason.FRESHNESS_INVALID),
        (["epoch_s"], True, Reason.FRESHNESS_INVALID),
        (["iso8601"], SECONDS, Reason.FRESHNESS_INVALID),  # numbers need an epoch format
    ],
)
def test_epoch_values_and_their_magnitude(
    formats: list[str], value: object, reason: str | None
) -> None:
    v = ig.freshness("ts", error_after="1h", formats=formats)
    guard = ig.Guard([v], name="t", clock=ig.FixedClock(NOW))
    verdict = guard.check({"ts": value})
    assert verdict.reasons == (() if reason is None else (reason,))
    result = guard.validate(pl.DataFrame({"ts": [value]}))
    assert result.counts() == ({} if reason is None else {reason: 1})
    if reason is None:
        assert result.accepted["ts"].to_list() == [verdict.record["ts"]]


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "message"),
    [
        ([], "at least one"),
        ("iso8601", "must be a list"),
        (["iso8601", "iso8601"], "twice"),
        (["rfc3339"], "strftime pattern"),
        (["%d/%m/%Y %H:%M %Q"], "%Q, which is not supported"),
        (["%d/%m/%Y"], "an hour"),
        (["%H:%M"], "a year"),
        (["%d/%m/%Y %I:%M"], "%I together with %p"),
        (["%Y %Y-%m-%d %H:%M"], "twice"),
    ],
)
def test_bad_formats_fail_at_construction(formats: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ig.freshness("ts", error_after="1h", formats=formats)


def test_repr_names_declared_formats_and_validators_pickle() -> None:
    v = ig.freshness("ts", error_after="1h", formats=["%d/%m/%Y %H:%M", "iso8601"])
    assert repr(v) == "freshness('ts', error_after='1h', formats=['%d/%m/%Y %H:%M', 'iso8601'])"
    assert pickle.loads(pickle.dumps(v)) == v
    assert hash(pickle.loads(pickle.dumps(v))) == hash(v)
    assert v.format_names == ("%d/%m/%Y %H:%M", "iso8601")


def test_formats_in_guard_toml(tmp_path: Any) -> None:
    config = tmp_path / "guard.toml"
    config.write_text(
        '[guard]\nname = "g"\n\n[[validators]]\ntype = "freshness"\ncolumn = "ts"\n'
        'error_after = "1h"\nformats = ["rfc2822", "epoch_ms"]\n'
    )
    guard = ig.Guard.from_config(config, clock=ig.FixedClock(NOW))
    assert guard.check({"ts": "Sun, 22 Nov 2026 11:50:00 GMT"}).ok
    assert guard.check({"ts": int(NOW.timestamp() * 1000)}).ok
    assert guard.check({"ts": "2026-11-22T11:50:00Z"}).reasons == (Reason.FRESHNESS_INVALID,)
    config.write_text(config.read_text().replace('"epoch_ms"', '"epoch_minutes"'))
    with pytest.raises(ConfigurationError, match="epoch_minutes"):
        ig.Guard.from_config(config)


# -- per-source limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_limits", "age_minutes", "reasons", "warnings"),
    [
        # only error_after: the validator's warn_after (15m) still applies
        (("2h", None), 20, (), ("freshness.aging",)),
        (("2h", None), 10, (), ()),
        # an inherited warning at or beyond the source's own error_after is not inherited
        (("10m", None), 12, ("freshness.stale",), ()),
        (("10m", None), 5, (), ()),
        # the source's own warn_after wins; equal to error_after switches warnings off
        (("2h", "1h"), 20, (), ()),
        (("2h", "2h"), 90, (), ()),
    ],
)
def test_per_source_limits_inherit_the_validators_warn_after(
    source_limits: tuple[str, str | None],
    age_minutes: int,
    reasons: tuple[str, ...],
    warnings: tuple[str, ...],
) -> None:
    limits = ig.FreshnessLimits.parse(*source_limits)
    v = ig.freshness("ts", error_after="30m", warn_after="15m", per_source={"pos": limits})
    guard = ig.Guard([v], name="t", clock=ig.FixedClock(NOW))
    record = {"ts": NOW - timedelta(minutes=age_minutes), "source": "pos"}
    verdict = guard.check(record)
    assert (verdict.reasons, verdict.warnings) == (reasons, warnings)
    result = guard.validate(pl.DataFrame([record]))
    frame = result.quarantined if reasons else result.accepted
    assert frame["warnings"].to_list() == [list(warnings)]


# -- strategies: generated values of every declared format ----------------------------------

DECLARED = ig.Guard(
    [
        ig.freshness(
            "ts",
            error_after="1h",
            warn_after="20m",
            formats=["%d/%m/%Y %H:%M:%S", "rfc2822", "epoch_ms", "%Y-%m-%d %H:%M %z"],
        )
    ],
    name="declared",
    clock=ig.FixedClock(NOW),
)


@given(data=st.data())
def test_generated_valid_records_pass_in_declared_formats(data: st.DataObject) -> None:
    from inputguard import strategies as igst  # noqa: PLC0415 - the optional extra

    record = data.draw(igst.records(DECLARED))
    assert DECLARED.check(record).ok


# freshness.ambiguous is not generated (see docs/freshness.md).
@pytest.mark.parametrize(
    "reason", sorted(DECLARED.reasons - {"freshness.aging", "freshness.ambiguous"})
)
@given(data=st.data())
def test_generated_invalid_records_fail_for_the_stated_reason(
    reason: str, data: st.DataObject
) -> None:
    from inputguard import strategies as igst  # noqa: PLC0415 - the optional extra

    record, reasons = data.draw(igst.records(DECLARED, valid=False, reasons=[reason]))
    assert DECLARED.check(record).reasons == reasons == (reason,)


@given(data=st.data())
def test_generated_frames_split_as_stated_in_declared_formats(data: st.DataObject) -> None:
    from inputguard import strategies as igst  # noqa: PLC0415 - the optional extra

    generated = data.draw(igst.frames(DECLARED, min_rows=1, max_rows=6))
    result = DECLARED.validate(generated.frame)
    expected = [list(r) for r in generated.reasons if r]
    assert result.quarantined["reasons"].to_list() == expected
