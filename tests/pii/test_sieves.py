"""The batch path's sieves are necessary conditions: no candidate they drop holds its entity."""

from __future__ import annotations

import re

import pytest
from hypothesis import given

import inputguard as ig
from inputguard._pii.entities import ENTITIES, Entity

from .test_pii import FRAGMENTS, TEXTS

SIEVED = [e for e in ENTITIES.values() if e.sieve is not None]


def test_the_digit_entities_have_sieves() -> None:
    assert {e.name for e in SIEVED} == {"card", "us_ssn", "ip", "phone"}


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
