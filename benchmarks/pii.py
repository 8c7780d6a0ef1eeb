"""PII guard vs a hand-written polars regex pass with the same candidate patterns.

The baseline replaces every candidate of every pattern with its placeholder and flags rows,
with no checksum, no allow-list and no split: the least a careful engineer writes by hand.
The subject is a guard with ``ig.pii`` (redact) that also checks every candidate and splits
accepted from quarantined rows. Presidio (pattern recognizers only, no NLP model) is timed
on a sample when it is installed, as information.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import structlog

import inputguard as ig
from benchmarks._data import NOW
from benchmarks._harness import interleaved, report
from inputguard._pii.entities import ENTITIES

if TYPE_CHECKING:
    from collections.abc import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
pii_eval: Any = importlib.import_module("pii_eval")  # the evaluation's generators make the texts

FILLER = (
    "The order shipped late and the customer asked for a refund.",
    "Ticket closed after the second reply; nothing else to add here.",
    "Model v2.14.1 scored 0.83 on 2026-01-15 for region EU-West.",
)


def texts(rows: int, pii_share: float, seed: int = 7) -> pl.DataFrame:
    rng = random.Random(seed)
    makers = list(pii_eval.GENERATORS.values())
    out = []
    for _ in range(rows):
        line = rng.choice(FILLER)
        if rng.random() < pii_share:
            line = f"{line} Contact: {rng.choice(makers)(rng)}"
        out.append(line)
    return pl.DataFrame({"text": out})


def hand_written(frame: pl.DataFrame) -> pl.DataFrame:
    text = pl.col("text")
    for entity in ENTITIES.values():
        text = text.str.replace_all(entity.pattern, entity.placeholder)
    flags = [pl.col("text").str.contains(e.pattern).alias(e.name) for e in ENTITIES.values()]
    return frame.lazy().with_row_index("row_id").select("row_id", text, *flags).collect()


def new_guard() -> ig.Guard:
    return ig.Guard([ig.pii("text")], name="pii", clock=ig.FixedClock(NOW))


def presidio_texts_per_s(sample: list[str]) -> float | None:
    try:
        analyzer: Any = importlib.import_module("presidio_analyzer")
    except ImportError:
        return None
    try:  # pattern recognizers only: no NLP model to download
        registry = analyzer.RecognizerRegistry()
        registry.load_predefined_recognizers()
        engine = analyzer.AnalyzerEngine(registry=registry, supported_languages=["en"])
    except Exception as error:
        print(f"presidio not usable offline: {type(error).__name__}")
        return None
    started = time.perf_counter()
    for t in sample:
        engine.analyze(text=t, language="en")
    return len(sample) / (time.perf_counter() - started)


def cpu_timed(fn: Callable[[], Any], seconds: list[float]) -> Callable[[], Any]:
    """``fn``, recording the process CPU time of each call (all threads) into ``seconds``."""

    def run() -> Any:
        started = time.process_time()
        out = fn()
        seconds.append(time.process_time() - started)
        return out

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    warm = new_guard()
    for share in (0.1, 0.5):
        frame = texts(args.rows, share)
        result = warm.validate(frame)
        assert result.accepted.height + result.quarantined.height == frame.height

        # The headline: a new guard each run, so no decision is kept from an earlier run (a
        # batch of values never seen before). "warm" reuses one guard: every candidate was
        # decided in an earlier run (a stream that repeats all its values), as information.
        def subject(f: pl.DataFrame = frame) -> ig.Result:
            return new_guard().validate(f)

        def kept(f: pl.DataFrame = frame) -> ig.Result:
            return warm.validate(f)

        def baseline(f: pl.DataFrame = frame) -> pl.DataFrame:
            return hand_written(f)

        cpu: dict[str, list[float]] = {"guard": [], "hand": []}
        print(f"load average {os.getloadavg()[0]:.1f} (2 cores: above 1 the ratios are noisy)")
        timings = interleaved(
            {
                "guard": cpu_timed(subject, cpu["guard"]),
                "warm": kept,
                "hand": cpu_timed(baseline, cpu["hand"]),
            },
            repeat=args.repeat,
        )
        report(f"pii redact, {share:.0%} rows with PII", frame.height, timings["guard"],
               timings["hand"])  # fmt: skip
        report("  same, decisions kept (warm)", frame.height, timings["warm"],
               timings["hand"])  # fmt: skip
        # CPU time of all threads: the hand-written pass runs its expressions in parallel, the
        # guard's scan mostly on one thread; this ratio compares the work, not the wait.
        ratio = statistics.median(cpu["guard"]) / statistics.median(cpu["hand"])
        print(f"  same, CPU time (all threads, incl. warm-up)  ratio {ratio:5.2f}x")
    sample = texts(2_000, 0.5)["text"].to_list()
    rate = presidio_texts_per_s(sample)
    print(
        "presidio (patterns only): " + ("not installed" if rate is None else f"{rate:,.0f} texts/s")
    )


if __name__ == "__main__":
    main()
