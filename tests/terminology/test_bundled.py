"""Bundled vocabularies, extensions, strict files and the word-aware matching rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import ConfigurationError, Reason, Vocabulary
from inputguard._terminology.folding import STOPWORDS, fold
from inputguard._terminology.matcher import CACHE_LIMIT, Matcher
from inputguard._terminology.validator import check_columns

ROOT = Path(__file__).resolve().parent.parent.parent
COUNTRIES = Vocabulary.bundled("countries")
CURRENCIES = Vocabulary.bundled("currencies")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Holland", "NL"),
        ("Russia", "RU"),
        ("Turkey", "TR"),
        ("U.S.A.", "US"),
        ("Deutschland", "DE"),
        ("Ivory Coast", "CI"),
        ("Congo   Brazzaville", "CG"),
        ("Qruba", "AW"),  # one edit in five letters, nothing else near
        ("Untied States", "US"),
    ],
)
def test_everyday_country_names(value: str, canonical: str) -> None:
    assert COUNTRIES.match([value])[0].canonical == canonical


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Korea", Reason.TERM_AMBIGUOUS),
        ("German", Reason.TERM_NOT_ALLOWED),  # a demonym / language, not a country
        ("Albanian", Reason.TERM_NOT_ALLOWED),
        ("Granada", Reason.TERM_NOT_ALLOWED),  # a city, one letter from Grenada
        ("Almería", Reason.TERM_NOT_ALLOWED),
        ("Brundi", Reason.TERM_AMBIGUOUS),  # Burundi or Brunei?
        ("Sudan South Sudan", Reason.TERM_UNKNOWN),
        ("Korea North Korea", Reason.TERM_UNKNOWN),
    ],
)
def test_country_refusals(value: str, reason: Reason) -> None:
    match = COUNTRIES.match([value])[0]
    assert (match.canonical, match.reason) == (None, reason)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("€", "EUR"),
        ("$", "USD"),
        ("£", "GBP"),
        ("₹", "INR"),
        ("CA$", "CAD"),
        ("South Korean Won", "KRW"),
        ("Albanian Lek", "ALL"),
        ("Afghan Afghani", "AFN"),
        ("United Arab Emirates Dirham", "AED"),
        ("British Pound", "GBP"),
    ],
)
def test_currency_symbols_and_qualified_names(value: str, canonical: str) -> None:
    assert CURRENCIES.match([value])[0].canonical == canonical


@pytest.mark.parametrize(
    "value", ["c", "the", "of", "(the)", "&", "the & of", "㎏", "™", "№", "Ⅵ", "ß", "---"]
)
def test_symbols_stop_words_and_folded_letters_never_match(value: str) -> None:
    for vocab in (COUNTRIES, CURRENCIES):
        assert vocab.match([value])[0].canonical is None


# Stop words as words: each is its own token ("a" and "e" run together are "ae", a word).
_JUNK = st.lists(
    st.sampled_from(sorted(STOPWORDS))
    | st.sampled_from(list("&()-.,;:!?/€$£¥₹%#*+'\"㎏™№Ⅵ①½²"))
    | st.sampled_from(["", "\t", " "]),
    min_size=1,
    max_size=6,
).map(" ".join)


@given(_JUNK)
def test_values_of_stop_words_symbols_or_punctuation_only_map_only_as_keys(value: str) -> None:
    for vocab in (COUNTRIES, CURRENCIES):
        match = vocab.match([value])[0]
        if match.canonical is not None:
            # only as one of its own keys (the code AND said in letters)
            assert match.method in ("exact", "synonym", "folded")
            keys = {fold(k) for k in (match.canonical, *vocab.terms[match.canonical])}
            assert fold(value) in keys


@pytest.mark.parametrize("name", ig.Vocabulary.bundled.__globals__["BUNDLED"])
def test_bundled_vocabularies_map_their_own_terms_and_record_sources(name: str) -> None:
    vocab = Vocabulary.bundled(name)
    keys = [k for c, s in vocab.terms.items() for k in (c, *s)]
    owners = {k: c for c, s in vocab.terms.items() for k in (c, *s)}
    assert [m.canonical for m in vocab.match(keys)] == [owners[k] for k in keys]
    assert {"source", "license"} <= set(vocab.metadata)
    assert Vocabulary.from_file(f"bundled:{name}") is vocab


def test_unknown_bundled_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no bundled vocabulary 'planets'"):
        Vocabulary.bundled("planets")


def test_generated_files_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_vocab.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


def test_extension_in_code_changes_version_and_digest() -> None:
    more = COUNTRIES.extend(version="ops-1", synonyms={"DE": ["Germania"]}, known_other=["Prussia"])
    assert more.version == f"{COUNTRIES.version}+ops-1"
    assert more.digest != COUNTRIES.digest
    assert more.metadata["extends"] == COUNTRIES.label
    got = more.match(["Germania", "Prussia"])
    assert [m.canonical for m in got] == ["DE", None]
    assert got[1].reason is Reason.TERM_NOT_ALLOWED
    with pytest.raises(ConfigurationError, match="'XX', which is not a canonical"):
        COUNTRIES.extend(version="2", synonyms={"XX": ["Nowhere"]})
    with pytest.raises(ConfigurationError, match="claimed by two canonicals"):
        COUNTRIES.extend(version="2", synonyms={"DE": ["Austria"]})


def test_extension_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "fruit.toml",
        '[vocabulary]\nname = "fruit"\nversion = "1"\n\n[terms]\napple = []\npear = []\n',
    )
    ext = write(
        tmp_path,
        "ops.toml",
        'extends = "fruit.toml"\nversion = "7"\n\n[synonyms]\npear = ["Poire"]\n\n'
        '[known_other]\nterms = ["Quince"]\n\n[ambiguous]\n"Pomme" = ["apple", "pear"]\n',
    )
    vocab = Vocabulary.from_file(ext)
    assert vocab.version == "1+7"
    got = vocab.match(["poire", "quince", "pomme"])
    assert [m.reason for m in got] == [None, Reason.TERM_NOT_ALLOWED, Reason.TERM_AMBIGUOUS]
    bundled = write(
        tmp_path,
        "c.toml",
        'extends = "bundled:countries"\nversion = "1"\n[synonyms]\nDE = ["Alemania del Norte"]\n',
    )
    assert Vocabulary.from_file(bundled).match(["Alemania del Norte"])[0].canonical == "DE"
    bad = write(tmp_path, "bad.toml", 'extends = "fruit.toml"\nversion = "1"\n[terms]\n')
    with pytest.raises(ConfigurationError, match=r"bad\.toml:3: unknown table or key 'terms'"):
        Vocabulary.from_file(bad)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "f.csv",
            "# name: f\n# version: 1\ncanonical,synonyms\napple,\n# kiwi\n",
            r"f\.csv:5: comment line after the header",
        ),
        (
            "f.csv",
            "# name: f\n# version: 1\ncanonical,synonyms\npear ,\n",
            r"f\.csv:4: term 'pear ' has leading or trailing whitespace",
        ),
        (
            "f.csv",
            "# name: f\n# version: 1\ncanonical,synonyms\npear,Poire,x,y\n",
            r"f\.csv:4: 4 fields, the header has 2",
        ),
        (
            "f.csv",
            "# name: f\n# version: 1\n# version: 2\ncanonical,synonyms\npear,\n",
            r"f\.csv:3: metadata 'version' given twice",
        ),
        (
            "f.toml",
            '[vocabulary]\nname = "f"\nversion = "1"\n[terms]\npear = []\n[extra]\n',
            r"f\.toml:6: unknown table or key 'extra'",
        ),
        (
            "f.toml",
            '[vocabulary]\nname = "f"\nversion = "1"\n[terms]\npear = []\n'
            '[known_other]\nterm = ["x"]\n',
            r"f\.toml:7: unknown key 'term' in \[known_other\]",
        ),
        (
            "f.toml",
            '[vocabulary]\nname = "f"\nversion = "1"\n[terms]\n" pear" = []\n',
            r"f\.toml:5: term ' pear' has leading or trailing whitespace",
        ),
    ],
)
def test_strict_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary.from_file(write(tmp_path, name, text))


def test_symbol_terms_load_and_match_exactly() -> None:
    money = Vocabulary("money", "1", {"CAD": ("C$",), "USD": ("$",)})
    got = money.match(["C$", " c$ ", "c", "$", "C"])
    assert [m.canonical for m in got] == ["CAD", "CAD", None, "USD", None]


def test_case_sensitive_vocabulary() -> None:
    units = Vocabulary(
        "units", "1", {"ms": ("millisecond",), "mS": ("millisiemens",)}, case_sensitive=True
    )
    assert [m.canonical for m in units.match(["ms", "mS", "MS"])] == ["ms", "mS", None]
    with pytest.raises(ConfigurationError, match="claimed by two canonicals"):
        Vocabulary("units", "1", {"ms": (), "mS": ()})


def test_two_terminology_validators_on_one_column_are_refused() -> None:
    one = ig.terminology("country", COUNTRIES)
    check_columns([one, ig.terminology("currency", CURRENCIES)])
    with pytest.raises(ConfigurationError, match="two terminology validators on column"):
        check_columns([one, ig.terminology("country", COUNTRIES, fuzzy=False)])


def test_cache_evicts_gradually_and_keeps_own_terms() -> None:
    matcher = Matcher({"apple": ("pomme",), "pear": ()})
    matcher.match([f"x{i}" for i in range(CACHE_LIMIT + 10)])
    cache = matcher.decisions
    assert CACHE_LIMIT * 7 // 8 <= len(cache) <= CACHE_LIMIT
    assert f"x{CACHE_LIMIT + 9}" in cache  # the newest stay
    assert "x0" not in cache  # the oldest went
    assert {"apple", "pomme", "pear"} <= set(cache)


def test_config_bundled_vocabulary(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "guard.toml",
        '[guard]\nname = "g"\n\n[[validators]]\ntype = "terminology"\ncolumn = "country"\n'
        'vocabulary = "bundled:countries"\n',
    )
    guard = ig.Guard.from_config(config)
    assert guard.check({"country": "Holland"}).ok
