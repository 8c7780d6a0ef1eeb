"""Failure classes of the tuning part of the evaluation, each as a rule over a class of inputs.

Silent wrong mappings first (a distinct partner within reach, a qualifier read as the end of
another country's name, a bare currency name shared by several currencies), then false accepts
(places named like a country) and recall (bare and plural currency names, currencies named by
the countries that use them). The examples are classes, not evaluation rows.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from inputguard import Reason, Vocabulary
from inputguard._terminology.folding import STOPWORDS, fold

COUNTRIES = Vocabulary.bundled("countries")
CURRENCIES = Vocabulary.bundled("currencies")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@st.composite
def one_edit(draw: st.DrawFn, text: str) -> str:
    """``text`` with one deletion, insertion, substitution or transposition."""
    kind = draw(st.sampled_from(("delete", "insert", "substitute", "transpose")))
    i = draw(st.integers(0, len(text) - (2 if kind == "transpose" else 1)))
    letter = draw(st.sampled_from(_LETTERS))
    if kind == "delete":
        return text[:i] + text[i + 1 :]
    if kind == "insert":
        return text[:i] + letter + text[i:]
    if kind == "substitute":
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


# -- silent wrong mappings ----------------------------------------------------------------------


def _distinct_names() -> list[tuple[str, str, str, str]]:
    """(canonical, its ISO name, partner, partner's ISO name) for the bundled distinct pairs."""
    name = {c: min((s for s in syns if len(s) > 3), key=len, default="") for c, syns in
            COUNTRIES.terms.items()}  # fmt: skip
    out = []
    for a, b in COUNTRIES.distinct:
        if name[a] and name[b]:
            out += [(a, name[a], b, name[b]), (b, name[b], a, name[a])]
    return sorted(out)


def test_a_typo_near_a_distinct_partner_is_refused() -> None:
    vocab = Vocabulary("v", "1", {"NE": ("Niger",), "NG": ("Nigeria",)}, distinct=(("NE", "NG"),))
    # one edit from Nigeria, two from Niger: either could be meant
    decided = vocab.match(["Nigeris", "Nigerai", "Nigerria"])
    assert [m.canonical for m in decided] == [None, None, "NG"]
    assert decided[0].reason is Reason.TERM_AMBIGUOUS


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_fuzzy_match_never_lands_within_reach_of_a_distinct_partner(data: st.DataObject) -> None:
    canonical, name, partner, other = data.draw(st.sampled_from(_distinct_names()))
    value = data.draw(one_edit(name))
    decided = COUNTRIES.match([value])[0]
    if decided.method == "fuzzy" and decided.canonical == canonical:
        d = OSA.distance(fold(value), fold(name))
        assert OSA.distance(fold(value), fold(other)) >= d + 2, (value, partner)


def test_a_whole_qualifier_outranks_the_end_of_another() -> None:
    vocab = Vocabulary(
        "money",
        "1",
        {"CDF": ("Congolese Franc",), "XAF": ("CFA Franc BEAC",)},
        qualifiers={
            "CDF": ("Democratic Republic of the Congo",),
            "XAF": ("Republic of the Congo", "Cameroon"),
        },
    )
    values = ["Republic of the Congo Franc", "Democratic Republic of the Congo Franc"]
    assert [m.canonical for m in vocab.match(values)] == ["XAF", "CDF"]


def test_the_end_of_a_qualifier_still_names_it_when_no_whole_name_competes() -> None:
    # "Macedonian" is a form of the end of "North Macedonia" and of no whole qualifier
    vocab = Vocabulary(
        "money",
        "1",
        {"MKD": ("Denar",), "ALL": ("Lek",)},
        qualifiers={"MKD": ("North Macedonia",), "ALL": ("Albania",)},
    )
    assert vocab.match(["Macedonian Denar"])[0].canonical == "MKD"


def _qualified_pairs() -> list[tuple[str, str, str]]:
    """(canonical, qualifier, head word) for every bundled currency with qualifiers."""
    out = []
    for canonical, names in CURRENCIES.qualifiers.items():
        heads = {
            fold(k).split()[-1]
            for k in CURRENCIES.terms[canonical]
            if len(fold(k).split()) > 1 and len(fold(k).split()[-1]) >= 4
        }
        out += [(canonical, n, h) for n in names for h in sorted(heads)]
    return sorted(out)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_qualified_pairs()))
def test_a_qualified_currency_always_lists_the_qualifier_written(
    case: tuple[str, str, str],
) -> None:
    _, qualifier, head = case
    decided = CURRENCIES.match([f"{qualifier} {head}"])[0]
    if decided.method == "qualified" and decided.ok:
        listed = {fold(q) for q in CURRENCIES.qualifiers.get(decided.canonical or "", ())}
        assert fold(qualifier) in listed, (qualifier, head, decided.canonical)


def _shared_words() -> list[str]:
    """Words of at least four letters found in the keys of two or more currencies."""
    owners: dict[str, set[str]] = {}
    for canonical, keys in CURRENCIES.terms.items():
        for key in keys:
            for word in fold(key).split():
                if len(word) >= 4 and word not in STOPWORDS:
                    owners.setdefault(word, set()).add(canonical)
    folded_keys = {fold(k) for c, s in CURRENCIES.terms.items() for k in (c, *s)}
    return sorted(w for w, o in owners.items() if len(o) > 1 and w not in folded_keys)


@given(st.sampled_from(_shared_words()), st.sampled_from(["", "s"]))
def test_a_currency_word_several_currencies_share_is_never_accepted_alone(
    word: str, plural: str
) -> None:
    decided = CURRENCIES.match([word + plural])[0]
    assert not decided.ok, (word + plural, decided)


@pytest.mark.parametrize("value", ["Dinar", "dinars", "Manat", "Dollar", "Franc", "Pesos"])
def test_shared_currency_names_are_ambiguous(value: str) -> None:
    assert CURRENCIES.match([value])[0].reason is Reason.TERM_AMBIGUOUS


# -- false accepts -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Cameron", "Tolland", "Russi", "Cologne", "Monte Negro"])
def test_places_named_like_a_country_are_refused(value: str) -> None:
    decided = COUNTRIES.match([value])[0]
    assert (decided.canonical, decided.reason) == (None, Reason.TERM_NOT_ALLOWED)


def test_every_bundled_known_other_term_is_refused() -> None:
    terms = [*COUNTRIES.known_other]
    assert all(not m.ok for m in COUNTRIES.match(terms))
    assert all(not m.ok for m in CURRENCIES.match([*CURRENCIES.known_other]))


# -- recall ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("Ariary", "MGA"),  # a bare name that only one currency has
        ("Ringgit", "MYR"),
        ("euros", "EUR"),  # the plural of a whole key
        ("Swiss francs", "CHF"),  # CHF's own name, not the WIR franc
        ("Uruguayan Peso", "UYU"),  # not the indexed unit
        ("United States Dollar", "USD"),  # not the next-day dollar
        ("Austria Euro", "EUR"),  # named by a country that uses it
        ("Ecuador Dollar", "USD"),
        ("Benin Franc", "XOF"),
        ("Niger Franc", "XOF"),  # the name itself, not a form of "Nigeria"
        ("Republic of the Congo Franc", "XAF"),
        ("Democratic Republic of the Congo Franc", "CDF"),
    ],
)
def test_bundled_currencies_read_bare_plural_and_user_named_forms(
    value: str, canonical: str
) -> None:
    assert CURRENCIES.match([value])[0].canonical == canonical


@pytest.mark.parametrize("value", ["Korean Won", "German Mark", "Italian Lira", "French Franc"])
def test_a_country_that_uses_no_such_currency_names_none(value: str) -> None:
    assert not CURRENCIES.match([value])[0].ok


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("Malian Franc", None),  # Mali's own franc until 1984, not the CFA franc it uses now
        ("Senegalese Franc", None),
        ("German Euro", None),
        ("Mali Franc", "XOF"),  # the user country's name with the unit still qualifies
        ("American Dollar", "USD"),  # the issuer's own demonym is kept
        ("Japanese Yen", "JPY"),
        ("Namibian Dollar", "NAD"),  # a country's own currency with that unit
    ],
)
def test_a_demonym_of_a_mere_user_names_no_currency(value: str, canonical: str | None) -> None:
    match = CURRENCIES.match([value])[0]
    assert match.canonical == canonical
    if canonical is None:
        assert match.reason == Reason.TERM_NOT_ALLOWED
