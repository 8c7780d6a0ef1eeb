"""Hypothesis strategies derived from a guard, for property tests in downstream projects.

State "my model never sees a stale, unsigned or unknown-term record" as a property::

    from hypothesis import given
    from inputguard import strategies as igst

    @given(igst.records(guard, valid=False))
    def test_rejected_records_never_reach_the_model(case):
        record, reasons = case
        assert guard.check(record).reasons == reasons

Values are generated relative to one reading of the guard's clock, keeping a margin from every
threshold. For exact verdicts the guard should use a fixed clock (`inputguard.FixedClock`, or
the ``frozen_clock`` fixture of the pytest plugin), or pass the instant it will use as ``now=``.
Needs the ``testing`` extra: ``pip install 'inputguard-inference[testing]'``.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401 - imported for the clear error below
except ModuleNotFoundError as error:  # pragma: no cover - exercised in a subprocess test
    raise ModuleNotFoundError(
        "inputguard.strategies needs Hypothesis; install it with "
        "pip install 'inputguard-inference[testing]'",
        name=error.name,
    ) from error

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, overload

from hypothesis import strategies as st

from inputguard._core.defaults import FUZZY_CUTOFF, FUZZY_MARGIN, FUZZY_MIN_LENGTH, MAX_FUTURE_SKEW
from inputguard._core.duration import Duration, parse_duration
from inputguard.exceptions import ConfigurationError
from inputguard.strategies._compose import (
    Breakage,
    GeneratedFrame,
    InvalidRecord,
    SigningKeys,
    build_frame,
    check_extra,
    check_reasons,
    draw_record,
    draw_rows,
    expected,
    invalid_count,
    plan_for,
    reading,
)
from inputguard.strategies._terms import draw_term, pools_for
from inputguard.strategies._time import (
    KINDS,
    Kind,
    Limits,
    clock_reading,
    draw_instant,
    render_aware,
    render_naive,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from hypothesis.strategies import SearchStrategy

    from inputguard._core.clock import Clock
    from inputguard._guard.guard import Guard
    from inputguard._terminology.vocabulary import Vocabulary
from inputguard._terminology.matching import FuzzySettings

__all__ = [
    "GeneratedFrame",
    "InvalidRecord",
    "SigningKeys",
    "frames",
    "records",
    "terms",
    "timestamps",
]


@overload
def records(
    guard: Guard,
    *,
    valid: Literal[True] = True,
    reasons: None = None,
    now: datetime | None = None,
    extra: Mapping[str, SearchStrategy[Any]] | None = None,
    signing_keys: SigningKeys | None = None,
) -> SearchStrategy[dict[str, Any]]: ...


@overload
def records(
    guard: Guard,
    *,
    valid: Literal[False],
    reasons: Collection[str] | None = None,
    now: datetime | None = None,
    extra: Mapping[str, SearchStrategy[Any]] | None = None,
    signing_keys: SigningKeys | None = None,
) -> SearchStrategy[InvalidRecord]: ...


def records(
    guard: Guard,
    *,
    valid: bool = True,
    reasons: Collection[str] | None = None,
    now: datetime | None = None,
    extra: Mapping[str, SearchStrategy[Any]] | None = None,
    signing_keys: SigningKeys | None = None,
) -> SearchStrategy[dict[str, Any]] | SearchStrategy[InvalidRecord]:
    """Records for ``guard``: ones it accepts, or ones it rejects with known reasons.

    A valid record passes every validator (it may carry warnings such as ``freshness.aging``).
    An invalid record fails one or more validators, each for one reason, while the columns of
    the other validators hold valid values; `Guard.check` reports exactly
    ``InvalidRecord.reasons``. Examples shrink towards a single failing validator, its first
    reason, and round timestamps close to the clock reading.

    Args:
        guard: The guard whose validators the records are for.
        valid: True for accepted records (``dict``), False for `InvalidRecord` pairs.
        reasons: With ``valid=False``: rejection codes to draw from (default: every code the
            guard can report); each record fails for one or more of them and no other.
        now: The instant to generate for; by default the guard's clock is read once per example.
            Give the guard a fixed clock (or pass the instant it uses) for exact verdicts.
            Which key-window reasons (``signature.key_expired``,
            ``signature.key_not_yet_valid``) can be generated is decided for this instant, or
            for the guard's clock read once when the strategy is built.
        extra: Strategies for fields no validator checks (model features, signed payload
            fields), by name. They are drawn first, so signatures cover their values; a signed
            field must hold signable values (text, numbers, booleans, None).
        signing_keys: Producer-side keys by ``(source id, key id)`` for provenance validators
            that check signatures. HMAC secrets are taken from the guard's own keys; Ed25519
            needs the private keys here.

    Returns:
        A strategy of ``dict`` records, or of `InvalidRecord` when ``valid`` is False.

    Raises:
        ConfigurationError: A validator type has no generator or accepts no generatable
            record, ``reasons`` names a code the guard cannot report alone (or is given with
            ``valid=True``), or an ``extra`` name clashes with a checked column. Drawing
            raises it when a clock that moved since the strategy was built leaves no key that
            can produce a requested key-window reason.
    """
    fields = check_extra(extra)
    plan = plan_for(guard, now=now, provided=tuple(fields), signing_keys=signing_keys)
    if valid:
        if reasons is not None:
            raise ConfigurationError("'reasons' only applies to valid=False")

        @st.composite
        def accepted(draw: st.DrawFn) -> dict[str, Any]:
            return draw_record(draw, plan, reading(guard, now), {}, fields, frame=False)

        return accepted()

    breakage = Breakage(plan, check_reasons(plan, reasons))

    @st.composite
    def rejected(draw: st.DrawFn) -> InvalidRecord:
        broken = breakage(draw)
        record = draw_record(draw, plan, reading(guard, now), broken, fields, frame=False)
        return InvalidRecord(record, expected(plan, broken))

    return rejected()


def frames(
    guard: Guard,
    *,
    min_rows: int = 0,
    max_rows: int = 20,
    invalid_fraction: float | None = None,
    reasons: Collection[str] | None = None,
    now: datetime | None = None,
    extra: Mapping[str, SearchStrategy[Any]] | None = None,
    signing_keys: SigningKeys | None = None,
) -> SearchStrategy[GeneratedFrame]:
    """Polars frames for ``guard`` with a known split into accepted and quarantined rows.

    Timestamp and other checked columns are text columns (``pl.String``), so valid, naive and
    malformed values share one column. The clock is read once per frame, as `Guard.validate`
    does.

    Args:
        guard: The guard whose validators the rows are for.
        min_rows: Fewest rows.
        max_rows: Most rows.
        invalid_fraction: Share of rows the guard must quarantine, rounded half up to a row
            count (``0.0``: every row valid). None lets Hypothesis choose row by row; examples
            then shrink towards all-valid frames.
        reasons: Rejection codes invalid rows draw from (default: every code the guard can
            report alone).
        now: The instant to generate for; by default the guard's clock, read once per frame.
        extra: Strategies for unchecked fields, by name (their dtypes are inferred).
        signing_keys: As for `records`.

    Returns:
        A strategy of `GeneratedFrame`: the frame, and per row the reasons it must be
        quarantined for (empty for accepted rows).

    Raises:
        ConfigurationError: Bad row bounds or fraction, invalid rows asked of a guard that
            cannot reject any, or any error `records` raises.
    """
    fields = check_extra(extra)
    plan = plan_for(guard, now=now, provided=tuple(fields), signing_keys=signing_keys)
    if not (isinstance(min_rows, int) and isinstance(max_rows, int) and 0 <= min_rows <= max_rows):
        raise ConfigurationError(
            f"need 0 <= min_rows <= max_rows (got min_rows={min_rows!r}, max_rows={max_rows!r})"
        )
    if invalid_fraction is not None and not 0.0 <= invalid_fraction <= 1.0:
        raise ConfigurationError(
            f"'invalid_fraction' must be between 0 and 1, or None (got {invalid_fraction!r})"
        )
    if invalid_fraction == 0.0:
        if reasons is not None:
            raise ConfigurationError("'reasons' needs invalid rows (invalid_fraction above 0)")
        allowed, can_break = None, False
    elif invalid_fraction is None and reasons is None and not plan.breakable(None):
        allowed, can_break = None, False  # nothing can fail: every row is valid
    else:
        allowed, can_break = check_reasons(plan, reasons), True
    breakage = Breakage(plan, allowed) if can_break else None
    rows_strategy = st.integers(min_rows, max_rows)

    @st.composite
    def generated(draw: st.DrawFn) -> GeneratedFrame:
        at = reading(guard, now)
        rows = draw(rows_strategy)
        if breakage is None:
            bad: set[int] = set()
        elif invalid_fraction is None:
            bad = {i for i in range(rows) if draw(st.booleans())}
        else:
            k = invalid_count(rows, invalid_fraction)
            positions = st.integers(0, rows - 1) if rows else st.nothing()  # an empty frame
            bad = set(draw(st.lists(positions, min_size=k, max_size=k, unique=True)))
        breaks = [breakage(draw) if breakage is not None and i in bad else {} for i in range(rows)]
        values = draw_rows(draw, plan, at, breaks, fields)
        split = tuple(expected(plan, broken) for broken in breaks)
        return GeneratedFrame(build_frame(plan, values, fields), split, at)

    return generated()


@overload
def timestamps(
    now: datetime | Clock,
    *,
    kind: Kind = "fresh",
    error_after: Duration = "1h",
    warn_after: Duration | None = None,
    max_future_skew: Duration = MAX_FUTURE_SKEW,
    text: Literal[True],
) -> SearchStrategy[str]: ...


@overload
def timestamps(
    now: datetime | Clock,
    *,
    kind: Kind = "fresh",
    error_after: Duration = "1h",
    warn_after: Duration | None = None,
    max_future_skew: Duration = MAX_FUTURE_SKEW,
    text: Literal[False],
) -> SearchStrategy[datetime]: ...


@overload
def timestamps(
    now: datetime | Clock,
    *,
    kind: Kind = "fresh",
    error_after: Duration = "1h",
    warn_after: Duration | None = None,
    max_future_skew: Duration = MAX_FUTURE_SKEW,
    text: bool | None = None,
) -> SearchStrategy[datetime | str]: ...


def timestamps(
    now: datetime | Clock,
    *,
    kind: Kind = "fresh",
    error_after: Duration = "1h",
    warn_after: Duration | None = None,
    max_future_skew: Duration = MAX_FUTURE_SKEW,
    text: bool | None = None,
) -> SearchStrategy[datetime] | SearchStrategy[str] | SearchStrategy[datetime | str]:
    """Timestamps that a `freshness` check with these limits judges as ``kind``.

    Kinds: ``"fresh"`` (accepted, no warning), ``"aging"`` (accepted with ``freshness.aging``;
    needs ``warn_after`` below ``error_after``), ``"stale"``, ``"future"`` (beyond
    ``max_future_skew``) and ``"naive"`` (no offset: rejected unless the validator's ``naive``
    policy says how to read it). Values keep at least a second (or a quarter of a narrow
    window) away from each threshold.

    Args:
        now: The clock reading, as an aware datetime or a clock read once per example.
        kind: Which verdict the timestamps must get.
        error_after: The validator's ``error_after``.
        warn_after: The validator's ``warn_after``.
        max_future_skew: The validator's ``max_future_skew``.
        text: True for ISO-8601 text in the grammar both check paths accept (varied offsets,
            separators, fractions and spacing), False for ``datetime`` objects, None for both.

    Returns:
        A strategy of aware datetimes / texts with an offset (naive ones for ``"naive"``).

    Raises:
        ConfigurationError: An unknown kind, bad durations, or a kind the limits leave no room
            for (``"aging"`` without ``warn_after``).
    """
    if kind not in KINDS:
        raise ConfigurationError(f"'kind' must be one of {KINDS!r} (got {kind!r})")
    if not (isinstance(now, datetime) or callable(now)):
        raise ConfigurationError(f"'now' must be an aware datetime or a clock (got {now!r})")
    if isinstance(now, datetime):
        clock_reading(now)  # refuse naive datetimes eagerly
    limits = Limits(
        parse_duration(error_after, name="error_after"),
        None if warn_after is None else parse_duration(warn_after, name="warn_after"),
        parse_duration(max_future_skew, name="max_future_skew"),
    )
    if limits.warn_after is not None and limits.warn_after > limits.error_after:
        raise ConfigurationError("'warn_after' must not exceed 'error_after'")
    if not limits.feasible(kind):
        raise ConfigurationError(f"no {kind!r} timestamps exist for {_describe(limits)}")

    @st.composite
    def values(draw: st.DrawFn) -> Any:
        instant = draw_instant(draw, clock_reading(now), kind, limits)
        if kind == "naive":
            return render_naive(draw, instant.replace(tzinfo=None), text=text)
        return render_aware(draw, instant, text=text)

    return values()


def _describe(limits: Limits) -> str:
    def fmt(d: timedelta | None) -> str:
        return "None" if d is None else str(d)

    return (
        f"error_after={fmt(limits.error_after)}, warn_after={fmt(limits.warn_after)}, "
        f"max_future_skew={fmt(limits.max_future_skew)}"
    )


def terms(
    vocab: Vocabulary,
    *,
    known: bool = True,
    fuzzy: bool = True,
    cutoff: float = FUZZY_CUTOFF,
    margin: float = FUZZY_MARGIN,
    min_length: int = FUZZY_MIN_LENGTH,
) -> SearchStrategy[str]:
    """Terms a vocabulary accepts, or near-misses it must refuse.

    Known terms are canonical terms, synonyms and realistic variants of them (case, spacing,
    stripped accents, one-letter typos) that the vocabulary maps to a canonical term. Unknown
    ones are refused terms of the domain (``known_other``), mixed-script homoglyphs of real
    terms, strings far from every term and, where the vocabulary has them, ambiguous blends of
    names kept ``distinct``. Every value is confirmed against the vocabulary's matcher for the
    given fuzzy settings (those of `inputguard.terminology`).

    Args:
        vocab: The vocabulary.
        known: True for accepted terms, False for refused near-misses.
        fuzzy: As for `terminology`.
        cutoff: As for `terminology`.
        margin: As for `terminology`.
        min_length: As for `terminology`.

    Returns:
        A strategy of strings.

    Raises:
        ConfigurationError: ``vocab`` is not a `Vocabulary`, or bad fuzzy settings.
    """
    pools = pools_for(
        vocab, FuzzySettings(enabled=fuzzy, cutoff=cutoff, margin=margin, min_length=min_length)
    )
    refusals = pools.reasons()

    @st.composite
    def values(draw: st.DrawFn) -> str:
        if known:
            term: str = draw_term(draw, pools, None, text=True)
            return term
        reason = draw(st.sampled_from(refusals))
        refused: str = draw_term(draw, pools, reason, text=True)
        return refused

    return values()
