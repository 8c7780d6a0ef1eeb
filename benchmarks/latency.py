"""Single-record latency: a guarded function vs hand-written checks vs ``pydantic.validate_call``.

Every variant checks the same record the same way: the source is a registered active source,
``event_ts`` is an aware timestamp at most 15 minutes old and at most 60 s in the future, and
``country`` / ``currency`` are terms of the ISO vocabularies (exact hits, replaced by their
canonical). Each call is timed on its own (``perf_counter_ns``); the variants run in
interleaved blocks in one process, so machine noise hits them alike. p50 and p99 per call.

Logging: the library logs one audit event per call and never configures structlog. ``off``
configures a logger that drops info events (cached, as production setups do); ``json`` renders
every event as JSON to ``os.devnull``, which is the cost of actually logging. ``both`` runs
``off`` here and ``json`` in a fresh interpreter (structlog caches its logger on first use).

``--rejected`` also times a stale record: the compiled path hands it to the reference, and
the wrapped function takes a fallback (pydantic's ValidationError is caught).

Run: ``python -m benchmarks.latency`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import AwareDatetime, BaseModel, ValidationError, field_validator, validate_call

import inputguard as ig

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CLOCK = ig.FixedClock(NOW)
ERROR_AFTER = timedelta(minutes=15)
SKEW = timedelta(seconds=60)
VOCAB = Path(__file__).resolve().parent.parent / "vocab"
SOURCES = {"orders-api": "team-orders", "crm": "team-crm"}  # active sources and their owners
RECORD: dict[str, Any] = {
    "source": "orders-api",
    "event_ts": "2026-11-22T12:55:00+01:00",
    "country": "FR",
    "currency": "EUR",
    "amount": 12.5,
}
STALE: dict[str, Any] = {**RECORD, "event_ts": "2026-11-22T11:00:00+00:00"}
CHECKS = [  # (record, accepted?) that every variant must agree on before anything is timed
    (RECORD, True),
    ({**RECORD, "country": "France", "currency": "Euro"}, True),
    ({**RECORD, "source": "scraper-7"}, False),
    ({**RECORD, "event_ts": "2026-11-22T11:00:00+00:00"}, False),
    ({**RECORD, "event_ts": "2026-11-22T12:05:00+00:00"}, False),
    ({**RECORD, "event_ts": "2026-11-22T11:55:00"}, False),
    ({**RECORD, "event_ts": None}, False),
    ({**RECORD, "country": "Atlantis"}, False),
    ({**RECORD, "currency": None}, False),
]


def _terms(name: str) -> dict[str, str]:
    vocab = ig.Vocabulary.from_file(VOCAB / name)
    return {t: canonical for canonical, syns in vocab.terms.items() for t in (canonical, *syns)}


COUNTRIES = _terms("countries.toml")
CURRENCIES = _terms("currencies.toml")


# -- the variants --------------------------------------------------------------------------------


def build_guard(*, full: bool = True) -> ig.Guard:
    """The guard the issue names (``full``), or freshness alone."""
    fresh = ig.freshness("event_ts", error_after=ERROR_AFTER, max_future_skew=SKEW)
    if not full:
        return ig.Guard([fresh], name="latency", clock=CLOCK)
    registry = ig.SourceRegistry(
        [ig.Source(s, owner, "active") for s, owner in SOURCES.items()],
        default_owner="data-platform",
    )
    return ig.Guard(
        [
            ig.provenance(registry),
            fresh,
            ig.terminology("country", VOCAB / "countries.toml", fuzzy=False),
            ig.terminology("currency", VOCAB / "currencies.toml", fuzzy=False),
        ],
        name="latency",
        clock=CLOCK,
    )


def hand_written(record: Mapping[str, Any]) -> tuple[bool, Mapping[str, Any], list[str]]:
    """What a careful engineer writes by hand: the same checks, fail-closed, no library."""
    reasons: list[str] = []
    source = record.get("source")
    if source is None:
        reasons.append("source.missing")
    elif source not in SOURCES:
        reasons.append("source.unknown")
    instant = _fresh(record.get("event_ts"), CLOCK())
    if isinstance(instant, str):
        reasons.append(instant)
    country = COUNTRIES.get(record.get("country"))  # type: ignore[arg-type]
    if country is None:
        reasons.append("term.unknown")
    currency = CURRENCIES.get(record.get("currency"))  # type: ignore[arg-type]
    if currency is None:
        reasons.append("term.unknown")
    if reasons:
        return False, record, reasons
    return True, {**record, "event_ts": instant, "country": country, "currency": currency}, []


def _fresh(value: object, now: datetime) -> datetime | str:
    """The UTC instant of an acceptable timestamp, or the reason it is not one."""
    if value is None:
        return "freshness.missing"
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "freshness.invalid"
    if parsed.utcoffset() is None:
        return "freshness.naive"
    instant = parsed.astimezone(UTC)
    if instant > now + SKEW:
        return "freshness.future"
    if instant < now - ERROR_AFTER:
        return "freshness.stale"
    return instant


class Features(BaseModel):
    """The same checks as a pydantic model."""

    source: str
    event_ts: AwareDatetime
    country: str
    currency: str
    amount: float

    @field_validator("source")
    @classmethod
    def _registered(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError("source.unknown")
        return value

    @field_validator("event_ts")
    @classmethod
    def _fresh(cls, value: datetime) -> datetime:
        now = CLOCK()
        instant = value.astimezone(UTC)
        if instant > now + SKEW:
            raise ValueError("freshness.future")
        if instant < now - ERROR_AFTER:
            raise ValueError("freshness.stale")
        return instant

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        canonical = COUNTRIES.get(value)
        if canonical is None:
            raise ValueError("term.unknown")
        return canonical

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        canonical = CURRENCIES.get(value)
        if canonical is None:
            raise ValueError("term.unknown")
        return canonical


@validate_call
def pydantic_predict(record: Features) -> Features:
    """A model function behind ``pydantic.validate_call``."""
    return record


def _agree(guard: ig.Guard, wrapped: Callable[[dict[str, Any]], Any]) -> None:
    for record, accepted in CHECKS:
        verdict = guard.check(record)
        ok, normalized, _ = hand_written(record)
        assert verdict.ok is ok is accepted, (record, verdict, ok)
        try:
            model = pydantic_predict(record)  # type: ignore[arg-type]
        except ValidationError:
            assert not accepted, record
        else:
            assert accepted, record
            assert model.model_dump() == normalized == verdict.record
            assert wrapped(dict(record)) == normalized


# -- timing --------------------------------------------------------------------------------------


def _time_block(fn: Callable[[Any], Any], arg: Any, calls: int, out: list[int]) -> None:
    clock = time.perf_counter_ns
    for _ in range(calls):
        started = clock()
        fn(arg)
        out.append(clock() - started)


def _percentile(samples: list[int], q: float) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


def _pydantic_or_none(record: dict[str, Any]) -> Features | None:
    """``pydantic_predict``, with its ValidationError caught (the caller's usual handling)."""
    try:
        return pydantic_predict(record)  # type: ignore[arg-type]
    except ValidationError:
        return None


def run(
    *, calls: int, rounds: int, full: bool, label: str, rejected: bool = False
) -> dict[str, tuple[float, float]]:
    """Time every variant; print and return p50/p99 in microseconds by variant.

    ``rejected`` times a stale record instead (the guard's fallback path), with a fallback
    policy on the wrapped function and pydantic's ValidationError caught.
    """
    guard = build_guard(full=full)

    @guard.wrap(on_fail=lambda record, verdict: None) if rejected else guard.wrap
    def predict(record: dict[str, Any]) -> dict[str, Any]:
        return record

    record = STALE if rejected else RECORD
    if full:
        if not rejected:
            _agree(guard, predict)
        variants: dict[str, Callable[[Any], Any]] = {
            "hand-written plain Python": hand_written,
            "guard.check": guard.check,
            "@guard.wrap function": predict,
            "pydantic.validate_call": _pydantic_or_none if rejected else pydantic_predict,
        }
    else:
        variants = {"guard.check": guard.check, "@guard.wrap function": predict}
    samples: dict[str, list[int]] = {name: [] for name in variants}
    for fn in variants.values():  # warm-up
        _time_block(fn, record, min(calls, 500), [])
    for _ in range(rounds):
        for name, fn in variants.items():
            gc.collect()
            _time_block(fn, record, calls, samples[name])
    figures = {
        name: (statistics.median(s) / 1000, _percentile(s, 0.99) / 1000)
        for name, s in samples.items()
    }
    base = figures.get("hand-written plain Python")
    ref = figures.get("pydantic.validate_call")
    print(f"\n{label}: {rounds} rounds x {calls} calls per variant, per-call times")
    print(f"{'variant':<28}{'p50 us':>9}{'p99 us':>9}{'p50 / hand':>12}{'p50 / pydantic':>16}")
    for name, (p50, p99) in figures.items():
        vs_base = f"{p50 / base[0]:.2f}x" if base else "-"
        vs_ref = f"{p50 / ref[0]:.2f}x" if ref else "-"
        print(f"{name:<28}{p50:>9.2f}{p99:>9.2f}{vs_base:>12}{vs_ref:>16}")
    return figures


def configure_logging(mode: str) -> None:
    """Configure structlog for the benchmark (the library itself never does)."""
    if mode == "off":
        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
            cache_logger_on_first_use=True,
        )
    else:
        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso"),
                structlog.processors.JSONRenderer(),
            ],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
            logger_factory=structlog.PrintLoggerFactory(
                open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
            ),
            cache_logger_on_first_use=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--logging", choices=["off", "json", "both"], default="both")
    parser.add_argument("--freshness-only", action="store_true", help="also time freshness alone")
    parser.add_argument("--rejected", action="store_true", help="also time a rejected record")
    args = parser.parse_args(argv)
    mode = "off" if args.logging == "both" else args.logging
    configure_logging(mode)
    run(calls=args.calls, rounds=args.rounds, full=True, label=f"full guard, logging {mode}")
    if args.rejected:
        run(
            calls=args.calls,
            rounds=args.rounds,
            full=True,
            rejected=True,
            label=f"full guard, a stale record, logging {mode}",
        )
    if args.freshness_only:
        run(calls=args.calls, rounds=args.rounds, full=False, label=f"freshness, logging {mode}")
    if args.logging == "both":
        command = [sys.executable, "-m", "benchmarks.latency", "--logging", "json"]
        command += ["--calls", str(args.calls), "--rounds", str(args.rounds)]
        command += ["--rejected"] if args.rejected else []
        root = Path(__file__).resolve().parent.parent
        subprocess.run(command, check=True, cwd=root)  # noqa: S603 - this interpreter and module


if __name__ == "__main__":
    main()
