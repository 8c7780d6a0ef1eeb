from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inputguard import ConfigurationError, parse_duration
from inputguard._core.duration import format_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("250ms", timedelta(milliseconds=250)),
        ("1h30m", timedelta(minutes=90)),
        (" 1h 30m ", timedelta(minutes=90)),
        ("0s", timedelta(0)),
    ],
)
def test_parses_polars_style_strings(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_timedelta_passes_through() -> None:
    assert parse_duration(timedelta(seconds=5)) == timedelta(seconds=5)


@pytest.mark.parametrize("bad", ["", "15", "m", "1.5h", "-5m", "15 minutes", "1y", "h1"])
def test_rejects_malformed_strings_naming_the_option(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="'error_after'"):
        parse_duration(bad, name="error_after")


def test_rejects_negative_timedelta() -> None:
    with pytest.raises(ConfigurationError, match="must not be negative"):
        parse_duration(timedelta(seconds=-1))


@pytest.mark.parametrize("bad", [15, 1.5, None, b"15m"])
def test_rejects_other_types(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="timedelta or a duration string"):
        parse_duration(bad)  # type: ignore[arg-type]


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10_000)))
def test_format_then_parse_round_trips_to_the_millisecond(value: timedelta) -> None:
    truncated = timedelta(milliseconds=value // timedelta(milliseconds=1))
    assert parse_duration(format_duration(value)) == truncated


@pytest.mark.parametrize(
    "huge", ["9999999999d", "9" * 5000 + "s", "1" * 19 + "ms", "99999999w" * 20]
)
def test_refuses_durations_too_large_for_timedelta(huge: str) -> None:
    with pytest.raises(ConfigurationError, match="'error_after' is too large"):
        parse_duration(huge, name="error_after")


@pytest.mark.parametrize("text", ["\uff11\uff15m", "\u0665m", "1\uff15s", "\U0001d7d7h"])
def test_refuses_digits_other_than_ascii(text: str) -> None:
    with pytest.raises(ConfigurationError, match="'error_after' must be a timedelta"):
        parse_duration(text, name="error_after")


@given(st.text(alphabet=st.sampled_from("0123456789msdhw \uff11\uff15\u0665 "), max_size=40))
def test_any_text_is_a_duration_or_a_configuration_error(text: str) -> None:
    try:
        value = parse_duration(text)
    except ConfigurationError:
        return
    assert value >= timedelta(0)
