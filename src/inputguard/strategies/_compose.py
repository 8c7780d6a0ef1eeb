"""Compose the families of a guard's validators into record and frame strategies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

import polars as pl
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from inputguard._core.clock import read_clock
from inputguard._freshness.validator import Freshness
from inputguard._guard.guard import Guard
from inputguard._pii.validator import Pii
from inputguard._provenance.validator import Provenance
from inputguard._terminology.validator import Terminology
from inputguard.exceptions import ConfigurationError
from inputguard.strategies._pii import PiiFamily
from inputguard.strategies._sources import ProvenanceFamily
from inputguard.strategies._terms import TerminologyFamily
from inputguard.strategies._time import FreshnessFamily, clock_reading

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inputguard.strategies._family import Family, Values

__all__ = ["GeneratedFrame", "InvalidRecord", "Plan", "family_for", "plan_for"]


SigningKeys: TypeAlias = "Mapping[tuple[str, str], bytes | Ed25519PrivateKey]"
"""Producer-side keys by ``(source id, key id)``: HMAC secrets or Ed25519 private keys."""


def family_for(
    validator: object, *, now: datetime, signing_keys: SigningKeys | None = None
) -> Family:
    """Return the family that generates values for ``validator``.

    Args:
        validator: The validator.
        now: The clock reading that decides which time-dependent reasons can be generated
            (those that depend on the signing keys' validity windows).
        signing_keys: Producer-side keys for signature checks.

    Returns:
        The family.

    Raises:
        ConfigurationError: No family exists for the validator's type, or it cannot generate
            records the validator accepts.
    """
    if isinstance(validator, Freshness):
        return FreshnessFamily(validator)
    if isinstance(validator, Provenance):
        return ProvenanceFamily(validator, signing_keys or {}, now=now)
    if isinstance(validator, Terminology):
        return TerminologyFamily(validator)
    if isinstance(validator, Pii):
        return PiiFamily(validator)
    raise ConfigurationError(
        f"inputguard.strategies cannot generate values for a validator of type "
        f"{type(validator).__name__} ({validator!r}); supported: validators built by "
        f"freshness(), provenance(), terminology() and pii()"
    )


class InvalidRecord(NamedTuple):
    """A record the guard must reject, with the exact reasons `Guard.check` reports.

    Attributes:
        record: The record.
        reasons: The rejection reasons, in the order the guard lists them.
    """

    record: dict[str, Any]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GeneratedFrame:
    """A frame whose split is known before the guard sees it.

    Attributes:
        frame: The data, one column per generated field.
        reasons: Per row, the reasons the guard must report (empty: the row is accepted).
        now: The clock reading the values were generated for.
    """

    frame: pl.DataFrame
    reasons: tuple[tuple[str, ...], ...]
    now: datetime

    @property
    def accepted_rows(self) -> tuple[int, ...]:
        """Row ids (positions) the guard must accept."""
        return tuple(i for i, r in enumerate(self.reasons) if not r)

    @property
    def quarantined_rows(self) -> tuple[int, ...]:
        """Row ids (positions) the guard must quarantine."""
        return tuple(i for i, r in enumerate(self.reasons) if r)

    def counts(self) -> dict[str, int]:
        """Expected quarantine counts by reason, as `Result.counts` reports them (rows)."""
        tally: dict[str, int] = {}
        for row in self.reasons:
            for reason in set(row):
                tally[reason] = tally.get(reason, 0) + 1
        return dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))

    def __repr__(self) -> str:
        return (
            f"GeneratedFrame(rows={self.frame.height}, "
            f"quarantined={len(self.quarantined_rows)}, counts={self.counts()!r},\n"
            f"{self.frame.with_row_index('row_id')!r})"
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """A guard's families: in guard order (for reasons) and in drawing order (for dependencies)."""

    guard: Guard
    families: tuple[Family, ...]
    draw_order: tuple[int, ...]
    generated: tuple[tuple[str, ...], ...]  # per family: the columns it generates
    text_only: frozenset[int]  # families whose values must be text (their columns are signed)
    provided: tuple[str, ...]  # columns the caller's ``extra`` strategies generate

    def breakable(self, allowed: Collection[str] | None) -> list[tuple[int, tuple[str, ...]]]:
        """Families that can fail alone, with the reasons (within ``allowed``) they can fail for."""
        out = []
        for i, family in enumerate(self.families):
            codes = tuple(r for r in family.rejections if allowed is None or r in allowed)
            if codes:
                out.append((i, codes))
        return out

    def dtypes(self) -> dict[str, pl.DataType]:
        """Frame dtypes for every generated column."""
        out: dict[str, pl.DataType] = {}
        for family, columns in zip(self.families, self.generated, strict=True):
            out.update(family.dtypes(generated=columns))
        return out


def plan_for(
    guard: Guard,
    *,
    now: datetime | None = None,
    provided: tuple[str, ...] = (),
    signing_keys: SigningKeys | None = None,
) -> Plan:
    """Build the families for ``guard`` and the order to draw them in.

    The reasons that depend on the clock (see `family_for`) are decided for ``now`` or, when it
    is None, for the guard's clock read once here.

    Raises:
        ConfigurationError: ``guard`` is not a `Guard`, a validator has no family, two
            validators generate the same column, or their column dependencies form a cycle.
    """
    if not isinstance(guard, Guard):
        raise ConfigurationError(f"expected an inputguard Guard (got {type(guard).__name__})")
    at = reading(guard, now)
    families = tuple(family_for(v, now=at, signing_keys=signing_keys) for v in guard.validators)
    owner: dict[str, int] = {}
    for i, family in enumerate(families):
        for column in family.owns:
            if column in owner:
                raise ConfigurationError(
                    f"inputguard.strategies cannot generate column {column!r}: both "
                    f"{families[owner[column]].validator!r} and {family.validator!r} check it"
                )
            owner[column] = i
    order: list[int] = []
    pending = list(range(len(families)))
    while pending:
        ready = [
            i for i in pending if all(owner.get(c, i) in (*order, i) for c in families[i].reads)
        ]
        if not ready:
            names = ", ".join(repr(families[i].validator) for i in pending)
            raise ConfigurationError(f"validators depend on each other's columns: {names}")
        order.append(ready[0])
        pending.remove(ready[0])
    # a column some families read but none checks: the caller's extra, or the first reader
    clash = sorted(set(provided) & set(owner))
    if clash:
        raise ConfigurationError(
            f"'extra' column {clash[0]!r} is checked by "
            f"{families[owner[clash[0]]].validator!r}; pick another name"
        )
    produced: set[str] = set(owner) | set(provided)
    generated: dict[int, tuple[str, ...]] = {}
    for i in order:
        extra = tuple(c for c in families[i].reads if c not in produced)
        generated[i] = (*families[i].owns, *extra)
        produced.update(extra)
    signed = {c for f in families for c in f.text_only}
    text_only = frozenset(i for i, f in enumerate(families) if signed & set(generated[i]))
    return Plan(
        guard,
        families,
        tuple(order),
        tuple(generated[i] for i in range(len(families))),
        text_only,
        provided,
    )


def check_reasons(plan: Plan, reasons: Collection[str] | None) -> frozenset[str] | None:
    """Validate a ``reasons=`` argument against what the guard's families can trigger."""
    if reasons is None:
        if not plan.breakable(None):
            raise ConfigurationError(
                f"{plan.guard!r} has no validator that can reject a record, so no invalid "
                f"records exist"
            )
        return None
    if isinstance(reasons, str):
        reasons = [reasons]
    wanted = frozenset(str(r) for r in reasons)
    possible = {r for f in plan.families for r in f.rejections}
    unknown = sorted(wanted - possible)
    if unknown or not wanted:
        raise ConfigurationError(
            f"'reasons' must be rejection reasons this guard can report alone "
            f"(one of {sorted(possible)!r}; got {sorted(wanted)!r})"
        )
    return wanted


def reading(guard: Guard, now: datetime | None) -> datetime:
    """The clock reading to generate for: ``now`` if given, else the guard's clock, read now."""
    return read_clock(guard.clock) if now is None else clock_reading(now)


def draw_record(
    draw: st.DrawFn,
    plan: Plan,
    now: datetime,
    broken: Mapping[int, str],
    extra: Mapping[str, SearchStrategy[Any]],
    *,
    frame: bool,
    given: Mapping[str, Any] | None = None,
) -> Values:
    """Draw one record: the caller's extra fields first, then every family in drawing order.

    Families in ``broken`` fail with the given reason; the others pass. ``given`` holds extra
    values already drawn (as a frame column holds them), which are used instead of drawing.
    """
    record: Values = (
        {name: draw(strategy) for name, strategy in extra.items()} if given is None else {**given}
    )
    for i in plan.draw_order:
        family = plan.families[i]
        text = frame or i in plan.text_only
        if i in broken:
            record.update(family.invalid(draw, now, record, broken[i], frame=text))
        else:
            record.update(family.valid(draw, now, record, frame=text))
    return record


def draw_rows(
    draw: st.DrawFn,
    plan: Plan,
    now: datetime,
    breaks: Sequence[Mapping[int, str]],
    extra: Mapping[str, SearchStrategy[Any]],
) -> list[Values]:
    """Draw a frame's rows, one per entry of ``breaks`` (which families fail in that row).

    The extra columns are drawn first, column by column, and read back as the frame column
    holds them (``[1, 2.5]`` is a Float64 column holding ``1.0``): a family that signs an
    extra field signs the value the frame will carry, not the value the strategy drew.
    """
    held = {
        name: pl.Series(name, [draw(strategy) for _ in breaks], strict=False).to_list()
        for name, strategy in extra.items()
    }
    return [
        draw_record(
            draw,
            plan,
            now,
            broken,
            extra,
            frame=True,
            given={name: column[row] for name, column in held.items()},
        )
        for row, broken in enumerate(breaks)
    ]


_BOOLS = st.booleans()


class Breakage:
    """Draws which families of a plan fail, and why: at least one, for reasons in ``allowed``.

    Examples shrink towards the first family failing alone, for its first reason.
    """

    __slots__ = ("_candidates", "_first", "_reasons")

    def __init__(self, plan: Plan, allowed: frozenset[str] | None) -> None:
        candidates = plan.breakable(allowed)
        self._candidates = [i for i, _ in candidates]
        self._first = st.sampled_from(range(len(candidates)))
        self._reasons = [st.sampled_from(codes) for _, codes in candidates]

    def __call__(self, draw: st.DrawFn) -> dict[int, str]:
        """Draw one breakage: family index to reason."""
        first = draw(self._first)
        broken: dict[int, str] = {}
        for n, i in enumerate(self._candidates):
            if n == first or draw(_BOOLS):
                broken[i] = draw(self._reasons[n])
        return broken


def expected(plan: Plan, broken: Mapping[int, str]) -> tuple[str, ...]:
    """The reasons `Guard.check` lists for a record broken as ``broken`` says."""
    return tuple(broken[i] for i in range(len(plan.families)) if i in broken)


def invalid_count(rows: int, fraction: float) -> int:
    """Rows to break for ``fraction``, rounding halves up."""
    return math.floor(rows * fraction + 0.5)


def check_extra(
    extra: Mapping[str, SearchStrategy[Any]] | None,
) -> dict[str, SearchStrategy[Any]]:
    """Validate an ``extra=`` argument: strategies by field name."""
    if extra is None:
        return {}
    for name, strategy in extra.items():
        if not isinstance(name, str) or not isinstance(strategy, SearchStrategy):
            raise ConfigurationError(
                f"'extra' maps field names to Hypothesis strategies (got {strategy!r} for {name!r})"
            )
    return dict(extra)


def build_frame(
    plan: Plan, rows: Sequence[Values], extra: Mapping[str, SearchStrategy[Any]]
) -> pl.DataFrame:
    """Rows as a frame with the families' dtypes (extra columns' dtypes are inferred)."""
    dtypes = plan.dtypes()
    data = {name: [row[name] for row in rows] for name in (*extra, *dtypes)}
    schema_overrides = {name: dtypes[name] for name in dtypes}
    return pl.DataFrame(data, schema_overrides=schema_overrides, strict=False)
