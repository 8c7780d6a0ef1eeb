"""PII guard vs a hand-written polars regex pass with the same candidate patterns.

The baseline replaces every candidate of every pattern with its placeholder and flags rows,
with no checksum, no allow-list and no split: the least a careful engineer writes by hand.
The subject is a guard with ``ig.pii`` (redact) that also checks every candidate and splits
accepted from quarantined rows. Presidio (pattern recognizers only, no NLP model) is timed
on a sample when it is installed, as information.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import random
import socket
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import structlog

import inputguard as ig
from benchmarks._data import NOW
from benchmarks._harness import interleaved, report
from inputguard._pii.entities import DETERMINISTIC, ENTITIES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

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
    # the guard's entities: the default ones (the opt-in national identifiers are not scanned)
    defaults = [ENTITIES[name] for name in DETERMINISTIC]
    for entity in defaults:
        text = text.str.replace_all(entity.pattern, entity.placeholder)
    flags = [pl.col("text").str.contains(e.pattern).alias(e.name) for e in defaults]
    return frame.lazy().with_row_index("row_id").select("row_id", text, *flags).collect()


def new_guard() -> ig.Guard:
    return ig.Guard([ig.pii("text")], name="pii", clock=ig.FixedClock(NOW))


class _NetworkUsedError(OSError):
    """Raised by the socket functions while the network is blocked."""


@contextlib.contextmanager
def no_network() -> Iterator[list[str]]:
    """Make every socket connection and name lookup raise; yields the refused attempts."""
    attempts: list[str] = []
    targets = [
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name in targets]

    def refuse(name: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            address = args[1] if name.startswith("connect") else args[0]  # connect has self
            attempts.append(f"{name}({address!r})")
            raise _NetworkUsedError(f"network blocked: {name}")

        return blocked

    for owner, name, _ in saved:
        setattr(owner, name, refuse(name))
    try:
        yield attempts
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def presidio_engine() -> Any:
    """Presidio's predefined recognizers without NER, on a tokenizer-only spaCy pipeline.

    ``spacy.blank("en")`` is spaCy's English tokenizer with no trained component, so nothing is
    loaded or downloaded; it gives no lemmas, so context words in the text raise no scores.
    The NER recognizer (which would read entities from the pipeline) is left out.
    """
    analyzer: Any = importlib.import_module("presidio_analyzer")
    nlp_engines: Any = importlib.import_module("presidio_analyzer.nlp_engine")
    spacy: Any = importlib.import_module("spacy")

    def load(self: Any) -> None:
        self.nlp = {"en": spacy.blank("en")}

    tokenizer_only = type("TokenizerOnlyNlpEngine", (nlp_engines.SpacyNlpEngine,), {"load": load})
    nlp_engine = tokenizer_only(models=[{"lang_code": "en", "model_name": "blank:en"}])
    nlp_engine.load()
    registry = analyzer.RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    ner: Any = importlib.import_module("presidio_analyzer.predefined_recognizers").SpacyRecognizer
    registry.recognizers = [r for r in registry.recognizers if not isinstance(r, ner)]
    return analyzer.AnalyzerEngine(
        registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]
    )


def found_rows(sample: list[str], results: list[list[Any]]) -> None:
    """Print the rows with a hit per entity, Presidio's against the guard's, as information."""
    presidio: Counter[str] = Counter()
    confident: Counter[str] = Counter()
    for hits in results:
        presidio.update({h.entity_type for h in hits})
        confident.update({h.entity_type for h in hits if h.score >= 0.5})
    guard = new_guard().validate(pl.DataFrame({"text": sample})).warning_counts()
    ours = {code.split(".")[1]: n for code, n in guard.items() if code.startswith("pii.")}
    print(f"  rows with a hit among {len(sample):,} (half carry one planted value):")
    print("    presidio: " + ", ".join(
        f"{e} {n} ({confident[e]} at score >= 0.5)" for e, n in presidio.most_common()
    ))  # fmt: skip
    print("    inputguard: " + ", ".join(f"{e} {n}" for e, n in sorted(ours.items())))


def presidio_texts_per_s(sample: list[str]) -> float | None:
    try:
        importlib.import_module("presidio_analyzer")
    except ImportError:
        return None
    # The e-mail recognizer's tldextract tries to fetch the public suffix list, then uses the
    # copy it ships; its logged traceback is kept quiet, the refused attempts are printed.
    tld_log = logging.getLogger("tldextract")
    tld_level = tld_log.level
    tld_log.setLevel(logging.ERROR)
    try:
        with no_network() as attempts:  # built and run with every connection refused
            try:
                engine = presidio_engine()
                engine.analyze(text="Contact: ada@example.org", language="en")  # first-call setup
                started = time.perf_counter()
                results = [engine.analyze(text=t, language="en") for t in sample]
                rate = len(sample) / (time.perf_counter() - started)
            except Exception as error:
                print(f"presidio not usable offline: {type(error).__name__}: {error}")
                return None
    finally:
        tld_log.setLevel(tld_level)
    print(f"  presidio: network attempts refused: {', '.join(attempts) or 'none'}")
    found_rows(sample, results)
    return rate


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
