from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import inputguard as ig
from inputguard import ConfigurationError, Reason, Vocabulary

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # @given tests cannot take the fixture
VOCAB = Path(__file__).resolve().parent.parent.parent / "vocab"
FRUIT = Vocabulary(
    "fruit",
    "2",
    {
        "apple": ("pomme", "Malus domestica"),
        "pear": ("poire",),
        "orange": ("naranja",),
        "orangery": (),
        "blueberry": ("bilberry",),
    },
    distinct=(("orange", "orangery"),),
    known_other=("tomato",),
)


def guard(now: datetime, *validators: ig.Validator) -> ig.Guard:
    return ig.Guard(
        validators or [ig.terminology("fruit", FRUIT)], name="t", clock=ig.FixedClock(now)
    )


def test_exported() -> None:
    assert ig.terminology is not None
    assert {"Terminology", "terminology", "Vocabulary"} <= set(ig.__all__)


def test_repr_reads_like_the_call() -> None:
    label = FRUIT.label
    assert repr(ig.terminology("fruit", FRUIT)) == f"terminology('fruit', vocab=<{label}>)"
    assert (
        repr(ig.terminology("fruit", FRUIT, fuzzy=False, method_column="how"))
        == f"terminology('fruit', vocab=<{label}>, fuzzy=False, method_column='how')"
    )
    assert repr(ig.terminology("fruit", FRUIT, cutoff=90, margin=8)) == (
        f"terminology('fruit', vocab=<{label}>, cutoff=90.0, margin=8.0)"
    )


def test_loads_a_vocabulary_by_path() -> None:
    validator = ig.terminology("country", VOCAB / "countries.toml")
    assert validator.vocab.name == "countries"


def test_is_a_frozen_picklable_value() -> None:
    validator = ig.terminology("fruit", FRUIT, score_column="s")
    assert isinstance(validator, ig.Validator)
    assert pickle.loads(pickle.dumps(validator)) == validator
    with pytest.raises(AttributeError):
        validator.column = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"column": ""}, "'column' must be a non-empty column name"),
        ({"vocab": {"apple": []}}, "'vocab' must be a Vocabulary"),
        ({"cutoff": 20}, "'cutoff' must be between 50 and 100"),
        ({"cutoff": "high"}, "'cutoff' must be a number"),
        ({"margin": True}, "'margin' must be a number"),
        ({"min_length": 1}, "'min_length' must be at least 3"),
        ({"method_column": "fruit"}, "must differ from 'fruit'"),
        ({"score_column": "reasons"}, "reserved"),
        ({"score_column": "__ig_x"}, "not starting with '__ig_'"),
        ({"method_column": "m", "score_column": "m"}, "must differ"),
    ],
)
def test_config_checked_at_construction(kwargs: dict[str, Any], message: str) -> None:
    args = {"column": "fruit", "vocab": FRUIT, **kwargs}
    with pytest.raises(ConfigurationError, match=message):
        ig.terminology(args.pop("column"), args.pop("vocab"), **args)


def test_batch_accepts_normalized_and_quarantines_originals(now: datetime) -> None:
    frame = pl.DataFrame(
        {
            "fruit": [
                "apple",
                "POMME",
                "Poire",
                "Blueberyy",
                "tomato",
                "\u041erange",
                None,
                "kiwi",
            ],
            "n": list(range(8)),
        }
    )
    result = guard(now, ig.terminology("fruit", FRUIT, method_column="how")).validate(frame)
    assert_frame_equal(
        result.accepted.select("row_id", "fruit", "how"),
        pl.DataFrame(
            {
                "row_id": [0, 1, 2, 3],
                "fruit": ["apple", "apple", "pear", "blueberry"],
                "how": ["exact", "folded", "folded", "fuzzy"],
            },
            schema_overrides={"row_id": pl.UInt32},
        ),
    )
    assert_frame_equal(
        result.quarantined.select(
            "row_id", "fruit", pl.col("reasons").cast(pl.List(pl.String)), "reason_columns"
        ),
        pl.DataFrame(
            {
                "row_id": [4, 5, 6, 7],
                "fruit": ["tomato", "\u041erange", None, "kiwi"],
                "reasons": [
                    [Reason.TERM_NOT_ALLOWED],
                    [Reason.TERM_CONFUSABLE],
                    [Reason.TERM_MISSING],
                    [Reason.TERM_UNKNOWN],
                ],
                "reason_columns": [["fruit"]] * 4,
            },
            schema_overrides={"row_id": pl.UInt32, "reasons": pl.List(pl.String)},
        ),
    )


@pytest.mark.parametrize(
    ("series", "reasons"),
    [
        (
            pl.Series("fruit", [1, None], dtype=pl.Int64),
            [[Reason.TERM_UNKNOWN], [Reason.TERM_MISSING]],
        ),
        (pl.Series("fruit", [None, None], dtype=pl.Null), [[Reason.TERM_MISSING]] * 2),
        (pl.Series("fruit", [True, False]), [[Reason.TERM_UNKNOWN]] * 2),
    ],
)
def test_non_text_columns_do_not_crash(
    now: datetime, series: pl.Series, reasons: list[list[str]]
) -> None:
    result = guard(now).validate(series.to_frame())
    assert result.accepted.height == 0
    assert result.quarantined["reasons"].to_list() == reasons
    for value, expected in zip(series.to_list(), reasons, strict=True):
        assert list(guard(now).check({"fruit": value}).reasons) == expected


@pytest.mark.parametrize("dtype", [pl.Categorical(), pl.Enum(["apple", "Poire", "kiwi"])])
def test_categorical_columns(now: datetime, dtype: pl.DataType) -> None:
    frame = pl.DataFrame({"fruit": pl.Series(["apple", "Poire", "kiwi"], dtype=dtype)})
    result = guard(now).validate(frame)
    assert result.accepted["fruit"].to_list() == ["apple", "pear"]
    assert result.quarantined["reasons"].to_list() == [[Reason.TERM_UNKNOWN]]


def test_output_columns_on_both_paths(now: datetime) -> None:
    g = guard(now, ig.terminology("fruit", FRUIT, method_column="how", score_column="score"))
    batch = g.validate(pl.DataFrame({"fruit": ["Blueberyy"]})).accepted
    record = g.check({"fruit": "Blueberyy"}).record
    assert batch.select("fruit", "how", "score").row(0, named=True) == record


def test_fuzzy_off(now: datetime) -> None:
    g = guard(now, ig.terminology("fruit", FRUIT, fuzzy=False))
    result = g.validate(pl.DataFrame({"fruit": ["Blueberyy", "POMME"]}))
    assert result.accepted["fruit"].to_list() == ["apple"]
    assert result.quarantined["reasons"].to_list() == [[Reason.TERM_UNKNOWN]]


def test_decisions_are_cached_across_calls(now: datetime) -> None:
    validator = ig.terminology("fruit", FRUIT, cutoff=86)
    validator.matcher._cache.clear()
    guard(now, validator).validate(pl.DataFrame({"fruit": ["Blueberyy", "apple"]}))
    assert "Blueberyy" in validator.matcher._cache
    assert guard(now, validator).check({"fruit": "Blueberyy"}).record == {"fruit": "blueberry"}


def test_two_columns_one_pass(now: datetime) -> None:
    countries = Vocabulary.from_file(VOCAB / "countries.toml")
    currencies = Vocabulary.from_file(VOCAB / "currencies.toml")
    g = guard(now, ig.terminology("country", countries), ig.terminology("currency", currencies))
    result = g.validate(
        pl.DataFrame(
            {"country": ["Austria", "Austrlia", "DEU"], "currency": ["euro", "EUR", "XXX"]}
        )
    )
    assert result.accepted.select("country", "currency").rows() == [("AT", "EUR")]
    assert result.quarantined["reasons"].to_list() == [
        [Reason.TERM_AMBIGUOUS],
        [Reason.TERM_NOT_ALLOWED],
    ]


_FRUIT_WORDS = [k for c, s in FRUIT.terms.items() for k in (c, *s)] + ["tomato", "kiwi"]
_VALUES = st.one_of(
    st.none(),
    st.sampled_from(_FRUIT_WORDS),
    st.sampled_from(_FRUIT_WORDS).map(str.upper),
    st.sampled_from(_FRUIT_WORDS).flatmap(
        lambda w: st.integers(0, len(w) - 1).map(lambda i: w[:i] + w[i + 1 :])
    ),
    st.text(max_size=12),
)


@given(st.lists(_VALUES, min_size=1, max_size=15))
def test_record_path_equals_batch_path(values: list[str | None]) -> None:
    g = guard(NOW, ig.terminology("fruit", FRUIT, method_column="how", score_column="score"))
    result = g.validate(pl.DataFrame({"fruit": values}, schema={"fruit": pl.String}))
    accepted = {r["row_id"]: r for r in result.accepted.iter_rows(named=True)}
    quarantined = {r["row_id"]: r for r in result.quarantined.iter_rows(named=True)}
    for i, value in enumerate(values):
        verdict = g.check({"fruit": value})
        if verdict.ok:
            row = accepted[i]
            assert {k: row[k] for k in ("fruit", "how", "score")} == verdict.record
        else:
            assert quarantined[i]["reasons"] == list(verdict.reasons)
            assert quarantined[i]["fruit"] == value


@given(st.sampled_from(sorted(FRUIT.terms)))
def test_normalizing_a_canonical_returns_it(canonical: str) -> None:
    validator = ig.terminology("fruit", FRUIT)
    (once,) = validator.match([canonical])
    assert once.canonical == canonical
    (twice,) = validator.match([once.canonical])
    assert twice.canonical == canonical
