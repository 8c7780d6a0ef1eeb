"""Properties of terminology matching over generated and bundled vocabularies."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import inputguard as ig
from inputguard import Vocabulary
from inputguard._terminology.folding import fold

from ..conftest import NOW

COUNTRIES = Vocabulary.bundled("countries")
CURRENCIES = Vocabulary.bundled("currencies")
BUNDLED = {"country": COUNTRIES, "currency": CURRENCIES}


def _keys(vocab: Vocabulary) -> list[str]:
    return [k for c, s in vocab.terms.items() for k in (c, *s)]


def _owners(vocab: Vocabulary) -> dict[str, str]:
    return {k: c for c, s in vocab.terms.items() for k in (c, *s)}


_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéø"), min_size=2, max_size=9)
_TERM = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)


@st.composite
def vocabularies(draw: st.DrawFn) -> Vocabulary:
    """Small vocabularies whose keys all fold differently (as a loadable file must)."""
    keys = draw(st.lists(_TERM, min_size=1, max_size=24, unique_by=fold))
    n = draw(st.integers(1, len(keys)))
    canonicals, synonyms = keys[:n], keys[n:]
    owner = draw(st.lists(st.integers(0, n - 1), min_size=len(synonyms), max_size=len(synonyms)))
    terms: dict[str, list[str]] = {c: [] for c in canonicals}
    for synonym, i in zip(synonyms, owner, strict=True):
        terms[canonicals[i]].append(synonym)
    return Vocabulary("generated", "1", {c: tuple(s) for c, s in terms.items()})


@given(vocabularies(), st.data())
def test_a_generated_vocabularys_terms_map_to_their_canonical(
    vocab: Vocabulary, data: st.DataObject
) -> None:
    keys = _keys(vocab)
    owners = _owners(vocab)
    assert [m.canonical for m in vocab.match(keys)] == [owners[k] for k in keys]
    key = data.draw(st.sampled_from(keys))
    spelled = data.draw(st.sampled_from([key.upper(), key.title(), f"  {key} ", key + "."]))
    assert vocab.match([spelled])[0].canonical == owners[key]


_ALPHA_KEYS = {
    name: [k for k in _keys(v) if k.replace(" ", "").isalpha()] for name, v in BUNDLED.items()
}


def _spellings(key: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [key, key.upper(), key.lower(), f" {key}\t", "  ".join(key.split()), f"{key}."]
    )


@given(st.sampled_from(sorted(BUNDLED)).flatmap(lambda n: st.tuples(st.just(n), st.data())))
def test_bundled_terms_map_to_themselves_however_spelled(pick: tuple[str, st.DataObject]) -> None:
    name, data = pick
    vocab = BUNDLED[name]
    key = data.draw(st.sampled_from(_ALPHA_KEYS[name]))
    spelled = data.draw(_spellings(key))
    match = vocab.match([spelled])[0]
    assert match.canonical == _owners(vocab)[key], (spelled, match)
    assert match.method != "fuzzy"


def _typos(key: str) -> st.SearchStrategy[str]:
    spots = st.integers(0, max(len(key) - 1, 0))
    return st.one_of(
        spots.map(lambda i: key[:i] + key[i + 1 :]),
        st.tuples(spots, st.sampled_from("aeiouxz")).map(
            lambda t: key[: t[0]] + t[1] + key[t[0] :]
        ),
        st.tuples(spots, st.sampled_from("aeiouxz")).map(
            lambda t: key[: t[0]] + t[1] + key[t[0] + 1 :]
        ),
    )


def _variants(name: str) -> st.SearchStrategy[str | None]:
    keys = st.sampled_from(_ALPHA_KEYS[name])
    return st.one_of(
        st.none(),
        keys.flatmap(_spellings),
        keys.flatmap(_typos),
        st.sampled_from(["€", "$", "US$", "C$", "£", "&", "the", "(the)", "㎏", "™", "---", ""]),
        st.text(max_size=10),
    )


@given(_variants("country") | _variants("currency"))
def test_normalization_is_idempotent(value: str | None) -> None:
    for vocab in BUNDLED.values():
        (first,) = vocab.match([value])
        if first.canonical is not None:
            (again,) = vocab.match([first.canonical])
            assert again.canonical == first.canonical
            assert again.method == "exact"


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(_variants("country"), _variants("currency")),
        min_size=1,
        max_size=12,
    )
)
def test_record_path_equals_batch_path_on_bundled_vocabularies(
    rows: list[tuple[str | None, str | None]],
) -> None:
    g = ig.Guard(
        [
            ig.terminology("country", COUNTRIES, method_column="c_how", score_column="c_score"),
            ig.terminology("currency", CURRENCIES, method_column="m_how", score_column="m_score"),
        ],
        name="t",
        clock=ig.FixedClock(NOW),
    )
    frame = pl.DataFrame(rows, schema={"country": pl.String, "currency": pl.String}, orient="row")
    result = g.validate(frame)
    assert result.accepted.height + result.quarantined.height == len(rows)
    accepted = {r["row_id"]: r for r in result.accepted.iter_rows(named=True)}
    quarantined = {r["row_id"]: r for r in result.quarantined.iter_rows(named=True)}
    for i, (country, currency) in enumerate(rows):
        verdict = g.check({"country": country, "currency": currency})
        if verdict.ok:
            row = accepted[i]
            assert {k: row[k] for k in verdict.record} == verdict.record
        else:
            assert quarantined[i]["reasons"] == list(verdict.reasons)
            assert (quarantined[i]["country"], quarantined[i]["currency"]) == (country, currency)
