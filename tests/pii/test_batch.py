"""The batch path's shortcuts change no answer.

The sieves are necessary conditions (no candidate they drop holds its entity), and the
decisions kept across batches give what deciding afresh gives.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig
from inputguard._pii import scan
from inputguard._pii.entities import ENTITIES, Entity

from .test_pii import FRAGMENTS, TEXTS, VALUES, mixed

SIEVED = [e for e in ENTITIES.values() if e.sieve is not None]


def test_the_digit_entities_have_sieves() -> None:
    assert {e.name for e in SIEVED} == {"iban", "card", "us_ssn", "ip", "phone"}


@pytest.mark.parametrize("entity", SIEVED, ids=lambda e: e.name)
@given(text=TEXTS)
def test_every_candidate_holding_the_entity_passes_the_sieve(entity: Entity, text: str) -> None:
    scanner = ig.pii("text")._scanner
    assert entity.sieve is not None
    sieve = re.compile(entity.sieve)
    for match in entity.compiled().finditer(text):
        hit, _ = scanner.decide(entity, match.group())
        if hit:
            assert sieve.search(match.group()), match.group()


@pytest.mark.parametrize("entity", SIEVED, ids=lambda e: e.name)
def test_the_sieves_keep_the_planted_values(entity: Entity) -> None:
    scanner = ig.pii("text")._scanner
    pattern = entity.compiled()
    found = [
        f for f in FRAGMENTS if any(scanner.decide(entity, m[0])[0] for m in pattern.finditer(f))
    ]
    assert found  # each sieved entity has a planted fragment, and the sieve lets it through
    assert entity.sieve is not None
    assert all(re.search(entity.sieve, f) for f in found)


@given(st.lists(st.lists(VALUES, min_size=1, max_size=6), min_size=1, max_size=4))
def test_decisions_kept_across_batches_match_fresh_ones(batches: list[list[str | None]]) -> None:
    kept = mixed()
    for values in batches:
        series = pl.Series("text", values, dtype=pl.String)
        fresh = mixed()._scanner.scan_series(series)
        assert kept._scanner.scan_series(series).to_list() == fresh.to_list()


def test_kept_decisions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "_MEMO_SIZE", 3)
    validator = mixed()
    series = pl.Series("text", [f"call 212-555-01{i:02d} or ada{i}@example.org" for i in range(9)])
    first = validator._scanner.scan_series(series)
    assert 0 < len(validator._scanner._memo) <= 3
    assert validator._scanner.scan_series(series).to_list() == first.to_list()
    assert "<PHONE>" not in str(first.to_list())  # mask, not redact
    assert all(row["phone"] and row["email"] for row in first.to_list())


@pytest.mark.parametrize("sentinels", [None, ("\ufdd0",)], ids=["delimited", "fallback"])
@given(
    texts=st.lists(
        TEXTS.flatmap(lambda t: st.sampled_from([t, f"{t} {t}"])),  # candidates twice too
        min_size=1,
        max_size=8,
    )
)
def test_rewrite_replaces_whole_candidates_like_re_sub(
    sentinels: tuple[str, ...] | None, texts: list[str]
) -> None:
    entity = ENTITIES["card"]
    compiled = entity.compiled()
    if sentinels is not None:  # every delimiter occurs in the batch: one text at a time
        texts = [*texts, "\ufdd0"]
    distinct = sorted({m[0] for t in texts for m in compiled.finditer(t)})
    rewrites = {c: f"<{i}>" for i, c in enumerate(distinct) if i % 2 == 0}  # every other one
    keys = pl.Series(list(rewrites), dtype=pl.String)
    values = pl.Series(list(rewrites.values()), dtype=pl.String)
    with pytest.MonkeyPatch.context() as patch:
        if sentinels is not None:
            patch.setattr(scan, "_SENTINELS", sentinels)
        series = pl.Series(texts, dtype=pl.String)
        found = series.str.extract_all(entity.pattern)
        got = scan._rewrite(series, found, entity.pattern, keys, values)
    expected = [compiled.sub(lambda m: rewrites.get(m[0], m[0]), t) for t in texts]
    assert got.to_list() == expected


@given(st.lists(VALUES, min_size=1, max_size=12))
def test_small_batches_decided_in_python_give_the_shortcuts_answers(
    values: list[str | None],
) -> None:
    series = pl.Series(values, dtype=pl.String)
    with pytest.MonkeyPatch.context() as patch:  # the default: few candidates, no shortcut
        patch.setattr(scan, "_FAST_FROM", 256)
        python = mixed()._scanner.scan_series(series)
    shortcuts = mixed()._scanner.scan_series(series)  # the fixture: shortcuts from 0 on
    assert python.to_list() == shortcuts.to_list()


def test_the_shortcut_starts_at_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    card = ENTITIES["card"]
    assert card.fast is not None
    original = card.fast

    def counting(candidates: pl.Series, region: str) -> pl.DataFrame:
        calls.append(len(candidates))
        return original(candidates, region)

    monkeypatch.setattr(scan, "_FAST_FROM", 3)
    monkeypatch.setitem(ENTITIES, "card", dataclasses.replace(card, fast=counting))
    scanner = ig.pii("text", entities=["card"])._scanner
    cards = ["4111 1111 1111 1111", "5555 5555 5555 4444", "3782 822463 10005"]
    scanner.scan_series(pl.Series(cards[:2]))
    assert calls == []  # two distinct candidates: the Python decision
    out = scanner.scan_series(pl.Series(cards))
    assert calls == [3]
    assert out.struct.field("text").to_list() == ["<CARD>"] * 3
