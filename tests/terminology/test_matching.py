from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inputguard import ConfigurationError, Reason, Vocabulary
from inputguard._terminology.fuzzy import FuzzyIndex
from inputguard._terminology.matching import (
    FuzzySettings,
    Matcher,
    _fold_unicode,
    fingerprint,
    fold,
    is_mixed_script,
)

WORLD = Vocabulary(
    "world",
    "1",
    {
        "AT": ("Austria", "AUT"),
        "AU": ("Australia", "AUS"),
        "NE": ("Niger",),
        "NG": ("Nigeria",),
        "SD": ("Sudan",),
        "SS": ("South Sudan",),
        "KR": ("Korea, Republic of",),
        "KP": ("Korea, Democratic People's Republic of",),
        "US": ("United States",),
        "M2": ("Mauritania",),
    },
    distinct=(("AT", "AU"),),
    known_other=("Western Australia", "Upper Volta"),
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Côte d'Ivoire", "cote divoire"),
        ("CÔTE D\u2019IVOIRE", "cote divoire"),
        ("  Bosnia &  Herzegovina ", "bosnia and herzegovina"),
        ("\uff2a\uff41\uff50\uff41\uff4e", "japan"),  # fullwidth letters, NFKC
        ("Færøerne", "faeroerne"),
        ("Straße", "strasse"),
        ("---", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(st.characters(max_codepoint=127)) | st.text())
def test_fold_ascii_shortcut_matches_the_unicode_path(text: str) -> None:
    assert fold(text) == _fold_unicode(text)


@given(st.text())
def test_fingerprint_ignores_word_order(text: str) -> None:
    words = fold(text).split()
    assert fingerprint(" ".join(reversed(words))) == fingerprint(" ".join(words))


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("Austria", False),
        ("Österreich", False),
        ("Россия", False),
        ("\u0410ustria", True),  # Cyrillic A
        ("Aust\u03c1ia", True),  # Greek rho
        ("Japan 日本", False),
    ],
)
def test_mixed_script(text: str, mixed: bool) -> None:
    assert is_mixed_script(text) is mixed


@pytest.mark.parametrize(
    ("value", "canonical", "method", "reason"),
    [
        ("AT", "AT", "exact", None),
        ("Austria", "AT", "synonym", None),
        ("  AUSTRIA ", "AT", "folded", None),
        ("aut", "AT", "folded", None),
        ("Republic of Korea", "KR", "fingerprint", None),
        ("Untied States", "US", "fuzzy", None),
        ("Austrlia", None, "fuzzy", Reason.TERM_AMBIGUOUS),  # Austria or Australia?
        ("Nigera", None, "fuzzy", Reason.TERM_AMBIGUOUS),  # Niger or Nigeria?
        ("Sudanese Republic", None, "fuzzy", Reason.TERM_UNKNOWN),
        ("western australia", None, "known_other", Reason.TERM_NOT_ALLOWED),
        ("Upper Volta", None, "known_other", Reason.TERM_NOT_ALLOWED),
        ("\u0410ustria", None, "confusable", Reason.TERM_CONFUSABLE),
        ("Nigr", None, "none", Reason.TERM_UNKNOWN),  # too short for fuzzy
        ("Mauritania2", None, "none", Reason.TERM_UNKNOWN),  # a code-like token, no fuzzy
        ("...", None, "none", Reason.TERM_UNKNOWN),
        (None, None, "missing", Reason.TERM_MISSING),
        (42, None, "none", Reason.TERM_UNKNOWN),
    ],
)
def test_decisions(
    value: object, canonical: str | None, method: str, reason: Reason | None
) -> None:
    (match,) = WORLD.match([value])
    assert (match.canonical, match.method, match.reason) == (canonical, method, reason)
    assert match.ok is (reason is None)


def test_partial_substrings_never_match() -> None:
    # WRatio would score "Sudan" against "South Sudan" at 90; a whole-string score does not
    vocab = Vocabulary("v", "1", {"SS": ("South Sudan",), "ZA": ("South Africa",)})
    assert vocab.match(["Sudan", "South"])[0].canonical is None
    assert vocab.match(["Sudan", "South"])[1].canonical is None


def test_distinct_pair_requires_a_double_margin() -> None:
    plain = Vocabulary("v", "1", {"AT": ("Austria",), "AU": ("Australia",)})
    guarded = Vocabulary(
        "v", "1", {"AT": ("Austria",), "AU": ("Australia",)}, distinct=(("AT", "AU"),)
    )
    # "Australa" scores 88.9 against Australia and 75.0 against Austria: a lead of 13.9 is
    # enough over the margin (10) but not over the double margin a distinct partner needs
    assert plain.match(["Australa"], cutoff=85.0, margin=10.0)[0].canonical == "AU"
    decided = guarded.match(["Australa"], cutoff=85.0, margin=10.0)[0]
    assert (decided.canonical, decided.reason) == (None, Reason.TERM_AMBIGUOUS)


def test_fuzzy_off_is_a_pure_mapping() -> None:
    got = WORLD.match(["Untied States", "AUSTRIA", "Republic of Korea"], fuzzy=False)
    assert [m.canonical for m in got] == [None, "AT", "KR"]
    assert got[0].reason is Reason.TERM_UNKNOWN


def test_accepted_fuzzy_match_records_score_and_runner_up() -> None:
    (match,) = WORLD.match(["Untied States"])
    assert 85 <= match.score < 100
    assert match.runner_up is None  # no other key within reach
    (close,) = WORLD.match(["Nigerai"], margin=10.0)  # Nigeria 85.7, Niger 71.4
    assert (close.canonical, close.runner_up) == ("NG", "NE")


@given(st.sampled_from([k for c, s in WORLD.terms.items() for k in (c, *s)]))
def test_known_terms_are_never_fuzzy(key: str) -> None:
    (match,) = WORLD.match([key])
    assert match.method in {"exact", "synonym"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cutoff": 40.0}, "'cutoff' must be between 50 and 100"),
        ({"margin": -1.0}, "'margin' must be between 0 and 50"),
        ({"min_length": 2}, "'min_length' must be at least 3"),
        ({"min_length": 4.5}, "'min_length' must be an int"),
        ({"enabled": "yes"}, "'fuzzy' must be True or False"),
    ],
)
def test_settings_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FuzzySettings(**kwargs)  # type: ignore[arg-type]


def test_cache_returns_the_same_decisions() -> None:
    matcher = Matcher({"x": ("Xylophone",)})
    first = matcher.match(["Xylophon", "Xylophon", None])
    assert first[0] == first[1]
    assert first[0].canonical == "x"
    assert matcher.match_one("Xylophon") == first[0]


def test_matcher_pickles_without_its_cache() -> None:
    matcher = WORLD.matcher()
    matcher.match(["Untied States"])
    again = pickle.loads(pickle.dumps(matcher))
    assert again.settings == matcher.settings
    assert again.match(["Untied States"]) == matcher.match(["Untied States"])


@given(st.lists(st.one_of(st.none(), st.text(max_size=20), st.integers()), max_size=20))
def test_batch_and_single_decisions_agree(values: list[object]) -> None:
    batch = WORLD.match(values)
    fresh = Matcher(WORLD.terms, known_other=WORLD.known_other, distinct=WORLD.distinct)
    assert [fresh.match_one(v) for v in values] == batch


# -- the qualified step ----------------------------------------------------------------------

MONEY = Vocabulary(
    "money",
    "1",
    {
        "JPY": ("Yen",),
        "THB": ("Baht",),
        "MKD": ("Denar",),
        "SLE": ("Leone",),
        "KRW": ("Won",),
        "KPW": ("North Korean Won",),
        "BBD": ("Barbados Dollar",),
        "SRD": ("Surinam Dollar",),
        "MYR": ("Malaysian Ringgit",),
        "MWK": ("Malawi Kwacha",),
        "PLN": ("Zloty",),
        "PEN": ("Sol",),
        "EUR": ("Euro",),
    },
    known_other=("Deutsche Mark",),
    qualifiers={
        "JPY": ("Japan",),
        "THB": ("Thailand",),
        "MKD": ("North Macedonia",),
        "SLE": ("Sierra Leone",),
        "KRW": ("South Korea",),
        "KPW": ("North Korea",),
        "BBD": ("Barbados",),
        "SRD": ("Suriname",),
        "MYR": ("Malaysia",),
        "MWK": ("Malawi",),
        "PLN": ("Poland",),
        "PEN": ("Peru",),
    },
)
# every qualifier followed by every key of its canonical: "Japan Yen", "North Korea KPW", ...
_QUALIFIED = [
    f"{qualifier} {key}"
    for canonical, qualifiers in MONEY.qualifiers.items()
    for qualifier in qualifiers
    for key in (canonical, *MONEY.terms[canonical])
]


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("Japanese Yen", "JPY"),
        ("JAPANESE  yen", "JPY"),
        ("Thai Baht", "THB"),  # all four letters of "thai" are the start of "thailand"
        ("Macedonian Denar", "MKD"),  # the last word of "North Macedonia"
        ("Sierra Leonean Leone", "SLE"),
        ("Peruvian Sol", "PEN"),
        ("Barbadian Dollar", "BBD"),  # "Barbados Dollar" read as Barbados + "Dollar"
        ("Surinamese Dollar", "SRD"),  # "Surinam" is a form of "Suriname"
        ("Barbadian dollars", "BBD"),  # a plural head
        ("Malawian Kwacha", "MWK"),
        ("Japanese JPY", "JPY"),
    ],
)
def test_qualified_forms_map(value: str, canonical: str) -> None:
    (match,) = MONEY.match([value])
    assert (match.canonical, match.method, match.score, match.runner_up, match.reason) == (
        canonical,
        "qualified",
        100.0,
        None,
        None,
    )


@pytest.mark.parametrize(
    "value",
    [
        "Polish Zloty",  # "pol" shares three letters with "poland": too few
        "Korean Won",  # "korean" fits South Korea and North Korea alike
        "Malawian Ringgits",  # "malawian" names Malawi ("malawi"), not Malaysia ("mala")
        "Japanese Baht",  # the head's canonical is not the issuer
        "Japan",  # no head
        "Jap Yen",  # too short a form
        "Euro cent",
        "German Mark",
        "Deutsche Mark",
        "Confederate Dollar",
        "Yen carry trade",
        "Japanese Yen (1871-1945)",  # a different, withdrawn currency
        "Swiss centime",
    ],
)
def test_near_misses_are_not_qualified(value: str) -> None:
    (match,) = MONEY.match([value])
    assert match.canonical is None
    assert match.method != "qualified" or match.reason is Reason.TERM_AMBIGUOUS


def test_two_canonicals_qualifying_one_value_is_ambiguous() -> None:
    vocab = Vocabulary(
        "v",
        "1",
        {"GCN": ("Gold Coin",), "CNU": ("Coin",)},
        qualifiers={"GCN": ("Ghana",), "CNU": ("Ghana Gold",)},
    )
    # "Ghanaian | Gold Coin" and "Ghanaian Gold | Coin" both read
    (match,) = vocab.match(["Ghanaian Gold Coin"])
    assert (match.canonical, match.method, match.reason) == (
        None,
        "qualified",
        Reason.TERM_AMBIGUOUS,
    )
    assert match.runner_up in {"GCN", "CNU"}


def test_without_qualifiers_nothing_is_qualified() -> None:
    plain = Vocabulary("v", "1", dict(MONEY.terms), known_other=MONEY.known_other)
    got = plain.match(["Japanese Yen", "Thai Baht", "Barbadian Dollar"])
    assert [m.canonical for m in got] == [None, None, None]
    assert "qualified" not in {m.method for m in got}


@given(st.sampled_from(_QUALIFIED))
def test_a_qualifier_before_a_term_maps_to_its_canonical(value: str) -> None:
    (match,) = MONEY.match([value])
    owner = next(c for c, qs in MONEY.qualifiers.items() if value.startswith(qs))
    assert (match.canonical, match.reason) == (owner, None)


@given(st.sampled_from([*_QUALIFIED, "Japanese Yen", "Macedonian Denar", "Thai Baht"]))
def test_qualified_decisions_are_idempotent(value: str) -> None:
    (first,) = MONEY.match([value])
    assert first.canonical is not None
    (again,) = MONEY.match([first.canonical])
    assert (again.canonical, again.method) == (first.canonical, "exact")


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from([*_QUALIFIED, "Korean Won", "Polish Zloty", "Japanese Baht"]),
            st.text(max_size=20),
        ),
        max_size=20,
    )
)
def test_qualified_batch_and_single_decisions_agree(values: list[object]) -> None:
    batch = MONEY.match(values)
    fresh = Matcher(MONEY.terms, known_other=MONEY.known_other, qualifiers=MONEY.qualifiers)
    assert [fresh.match_one(v) for v in values] == batch


def test_matcher_with_qualifiers_pickles() -> None:
    matcher = MONEY.matcher()
    again = pickle.loads(pickle.dumps(matcher))
    values = ["Japanese Yen", "Korean Won", "Barbadian dollars"]
    assert again.match(values) == matcher.match(values)
    assert again.match(["Japanese Yen"])[0].method == "qualified"


_WORLD_KEYS = [k for c, s in WORLD.terms.items() for k in (c, *s)] + list(WORLD.known_other)


@st.composite
def _near_misses(draw: st.DrawFn) -> str:
    """A vocabulary key with a few random edits, or random text."""
    if draw(st.booleans()):
        return draw(st.text(st.characters(min_codepoint=97, max_codepoint=122), max_size=40))
    chars = list(fold(draw(st.sampled_from(_WORLD_KEYS))))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(chars)))
        letter = draw(st.characters(min_codepoint=97, max_codepoint=122))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        if edit == "insert" or not chars:
            chars.insert(at, letter)
        elif edit == "delete":
            del chars[min(at, len(chars) - 1)]
        else:
            chars[min(at, len(chars) - 1)] = letter
    return "".join(chars)


@pytest.mark.parametrize(
    "settings",
    [
        FuzzySettings(),
        FuzzySettings(cutoff=60.0, margin=20.0),
        FuzzySettings(cutoff=90.0, margin=0.0),
    ],
)
@given(queries=st.lists(_near_misses(), min_size=1, max_size=12))
def test_trigram_search_decides_as_scoring_every_key(
    settings: FuzzySettings, queries: list[str]
) -> None:
    keys: dict[str, list[str]] = {}
    for canonical, synonyms in WORLD.terms.items():
        keys[canonical] = [fold(k) for k in (canonical, *synonyms) if len(fold(k)) >= 5]
    distinct = {"AT": {"AU"}, "AU": {"AT"}}
    full = FuzzyIndex(keys, distinct=distinct, settings=settings, trigram_from=10**9)
    grams = FuzzyIndex(keys, distinct=distinct, settings=settings, trigram_from=1)
    queries = [fold(q) for q in queries if len(fold(q)) >= 5]
    # the trigram search looks only as far as a key can change the decision
    decided = [(m.value, m.canonical, m.reason) for m in grams.decide(queries)]
    assert decided == [(m.value, m.canonical, m.reason) for m in full.decide(queries)]
