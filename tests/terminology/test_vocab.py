from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig
from inputguard import ConfigurationError, Vocabulary

VOCAB = Path(__file__).resolve().parent.parent.parent / "vocab"
BUNDLED = sorted(VOCAB.glob("*.toml")) + sorted(VOCAB.glob("*.csv"))

TOML = """\
[vocabulary]
name = "fruit"
version = "3"
source = "hand"

[terms]
apple = ["Pomme", "Malus domestica"]
pear = []
"blood orange" = "Citrus sinensis"

[distinct]
pairs = [["apple", "pear"]]

[known_other]
terms = ["Tomato"]
"""

CSV = """\
# name: fruit
# version: 3
# source: hand
# distinct: apple|pear
# known_other: Tomato
canonical,synonyms
apple,Pomme|Malus domestica
pear,
blood orange,Citrus sinensis
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_exported() -> None:
    assert ig.Vocabulary is Vocabulary
    assert "Vocabulary" in ig.__all__


@pytest.mark.parametrize(("name", "text"), [("f.toml", TOML), ("f.csv", CSV)])
def test_both_formats_load_the_same_content(tmp_path: Path, name: str, text: str) -> None:
    vocab = Vocabulary.from_file(write(tmp_path, name, text))
    assert (vocab.name, vocab.version) == ("fruit", "3")
    assert vocab.terms == {
        "apple": ("Pomme", "Malus domestica"),
        "pear": (),
        "blood orange": ("Citrus sinensis",),
    }
    assert vocab.distinct == (("apple", "pear"),)
    assert vocab.known_other == ("Tomato",)
    assert vocab.metadata == {"source": "hand"}
    assert len(vocab.digest) == 64


def test_toml_and_csv_hash_alike(tmp_path: Path) -> None:
    a = Vocabulary.from_file(write(tmp_path, "f.toml", TOML))
    b = Vocabulary.from_file(write(tmp_path, "f.csv", CSV))
    assert a.digest == b.digest
    assert a == b
    assert hash(a) == hash(b)


def test_content_change_changes_the_hash() -> None:
    a = Vocabulary("v", "1", {"x": ("y",)})
    b = Vocabulary("v", "1", {"x": ("z",)})
    assert a.digest != b.digest
    assert a != b


def test_repr_and_label() -> None:
    vocab = Vocabulary("fruit", "3", {"apple": ()})
    assert repr(vocab) == f"<Vocabulary fruit v3: 1 terms, sha256:{vocab.digest[:12]}>"
    assert vocab.label == f"fruit v3 sha256:{vocab.digest[:8]}"


def test_pickles() -> None:
    vocab = Vocabulary("fruit", "3", {"apple": ("pomme",)}, known_other=("tomato",))
    again = pickle.loads(pickle.dumps(vocab))
    assert again == vocab
    assert [m.canonical for m in again.match(["Pomme"])] == ["apple"]


@pytest.mark.parametrize(
    ("toml_terms", "message"),
    [
        ('apple = ["x"]\npear = ["X"]', r"f\.toml:\d+: folded key 'x' is claimed by two"),
        ('apple = ["x"]\npear = ["x"]', r"f\.toml:\d+: 'x' is claimed by two canonicals"),
        ('apple = [" "]', r"f\.toml:7: empty term ' ' under canonical 'apple'"),
        ('apple = ["pear"]\npear = []', r"'pear' is claimed by two canonicals"),
        ('apple = []\n"Apple" = []', r"folded key 'apple' is claimed by two canonicals"),
        ("apple = 3", r"synonyms of 'apple' must be a list of strings"),
        ("apple = []\napple = []", r"invalid TOML"),
    ],
)
def test_inconsistent_toml_is_refused_with_file_and_line(
    tmp_path: Path, toml_terms: str, message: str
) -> None:
    text = f'[vocabulary]\nname = "f"\nversion = "1"\n\n\n[terms]\n{toml_terms}\n'
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary.from_file(write(tmp_path, "f.toml", text))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("apple,x\napple,y\n", r"f\.csv:5: duplicate canonical 'apple' \(first at .*f\.csv:4\)"),
        ("apple,x\npear,x\n", r"f\.csv:5: 'x' is claimed by two canonicals, 'apple'"),
        ("apple,\n,pear\n", r"f\.csv:5: empty term ''"),
    ],
)
def test_inconsistent_csv_is_refused_with_file_and_line(
    tmp_path: Path, body: str, message: str
) -> None:
    text = f"# name: f\n# version: 1\ncanonical,synonyms\n{body}"
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary.from_file(write(tmp_path, "f.csv", text))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"known_other": ("POMME",)}, r"known_other term 'POMME' is also the vocabulary term"),
        ({"distinct": (("apple", "kiwi"),)}, r"names 'kiwi', which is not a canonical"),
        ({"distinct": (("apple", "apple"),)}, r"distinct pair \('apple', 'apple'\)"),
        ({"distinct": (("apple",),)}, r"must be a pair"),
    ],
)
def test_inconsistent_refusals_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary("f", "1", {"apple": ("pomme",), "pear": ()}, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "version"), [("", "1"), ("f", ""), ("f", 1)])
def test_name_and_version_required(name: str, version: object) -> None:
    with pytest.raises(ConfigurationError, match="must be a non-empty string"):
        Vocabulary(name, version, {"a": ()})  # type: ignore[arg-type]


def test_no_terms_refused() -> None:
    with pytest.raises(ConfigurationError, match="has no terms"):
        Vocabulary("f", "1", {})


@pytest.mark.parametrize("name", ["missing.toml", "f.json"])
def test_bad_paths(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"cannot read|must end in \.toml or \.csv"):
        Vocabulary.from_file(path)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_vocabularies_load_and_record_their_source(path: Path) -> None:
    vocab = Vocabulary.from_file(path)
    assert len(vocab) > 100
    assert {"source", "license", "generated_by"} <= set(vocab.metadata)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_terms_map_to_themselves(path: Path) -> None:
    vocab = Vocabulary.from_file(path)
    keys = [(k, c) for c, syns in vocab.terms.items() for k in (c, *syns)]
    got = vocab.match([k for k, _ in keys])
    assert [m.canonical for m in got] == [c for _, c in keys]
    refused = vocab.match(list(vocab.known_other))
    assert {m.reason for m in refused} <= {ig.Reason.TERM_NOT_ALLOWED}


def test_countries_refuse_the_classic_near_misses() -> None:
    vocab = Vocabulary.from_file(VOCAB / "countries.toml")
    got = {
        m.value: (m.canonical, m.reason)
        for m in vocab.match(
            ["Austria", "Australia", "Austrlia", "Nigera", "Sudan", "South Sudan", "New Mexico"]
        )
    }
    assert got["Austria"] == ("AT", None)
    assert got["Australia"] == ("AU", None)
    assert got["Austrlia"] == (None, ig.Reason.TERM_AMBIGUOUS)
    assert got["Nigera"] == (None, ig.Reason.TERM_AMBIGUOUS)
    assert got["Sudan"] == ("SD", None)
    assert got["South Sudan"] == ("SS", None)
    assert got["New Mexico"] == (None, ig.Reason.TERM_NOT_ALLOWED)


@given(
    st.dictionaries(
        st.text(st.characters(categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=8),
        st.lists(st.text(st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    )
)
def test_any_consistent_vocabulary_maps_its_own_terms(terms: dict[str, list[str]]) -> None:
    try:
        vocab = Vocabulary("gen", "1", {c: tuple(s) for c, s in terms.items()})
    except ConfigurationError:
        return  # generated clashes are refused at load time, which is the other property
    for canonical, synonyms in vocab.terms.items():
        for key in (canonical, *synonyms):
            assert vocab.match([key])[0].canonical == canonical


# -- qualifiers ------------------------------------------------------------------------------

QUALIFIED_TOML = """\
[vocabulary]
name = "money"
version = "1"

[terms]
JPY = ["Yen"]
THB = ["Baht"]

[qualifiers]
JPY = ["Japan"]
THB = "Thailand"
"""

QUALIFIED_CSV = """\
# name: money
# version: 1
canonical,synonyms,qualifiers
JPY,Yen,Japan
THB,Baht,Thailand
"""


def test_qualifiers_load_alike_from_both_formats(tmp_path: Path) -> None:
    a = Vocabulary.from_file(write(tmp_path, "q.toml", QUALIFIED_TOML))
    b = Vocabulary.from_file(write(tmp_path, "q.csv", QUALIFIED_CSV))
    assert a.qualifiers == b.qualifiers == {"JPY": ("Japan",), "THB": ("Thailand",)}
    assert a.digest == b.digest
    assert [m.canonical for m in a.match(["Japanese Yen", "Thai baht"])] == ["JPY", "THB"]


def test_qualifiers_are_part_of_the_content() -> None:
    terms = {"JPY": ("Yen",)}
    plain = Vocabulary("v", "1", terms)
    assert Vocabulary("v", "1", terms, qualifiers={}).digest == plain.digest
    assert Vocabulary("v", "1", terms, qualifiers={"JPY": ()}).digest == plain.digest
    japan = Vocabulary("v", "1", terms, qualifiers={"JPY": ("Japan",)})
    nippon = Vocabulary("v", "1", terms, qualifiers={"JPY": ("Nippon",)})
    assert len({plain.digest, japan.digest, nippon.digest}) == 3


def test_qualifiers_survive_pickling() -> None:
    vocab = Vocabulary("v", "1", {"JPY": ("Yen",)}, qualifiers={"JPY": ("Japan",)})
    again = pickle.loads(pickle.dumps(vocab))
    assert again == vocab
    assert again.qualifiers == {"JPY": ("Japan",)}
    assert again.match(["Japanese Yen"])[0].method == "qualified"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('JPY = ["Japan"]\nEUR = ["Europe"]', r"q\.toml:10: qualifiers are listed for 'EUR'"),
        ('JPY = [""]', r"q\.toml:9: empty qualifier '' of canonical 'JPY'"),
        ('JPY = ["The"]', r"q\.toml:9: empty qualifier 'The'"),
        ("JPY = 3", r"q\.toml:8: qualifiers of 'JPY' must be a list of strings"),
        ("JPY = [3]", r"q\.toml:9: empty qualifier 3"),
    ],
)
def test_bad_toml_qualifiers_are_refused_with_file_and_line(
    tmp_path: Path, table: str, message: str
) -> None:
    text = '[vocabulary]\nname = "f"\nversion = "1"\n\n[terms]\nJPY = ["Yen"]\n\n'
    text += f"[qualifiers]\n{table}\n"
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary.from_file(write(tmp_path, "q.toml", text))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("canonical,synonyms,qualifiers\nJPY,Yen,Japan|\n", r"q\.csv:4: empty qualifier ''"),
        ("canonical,synonyms,issuers\nJPY,Yen,Japan\n", r"q\.csv:3: expected the header"),
    ],
)
def test_bad_csv_qualifiers_are_refused_with_file_and_line(
    tmp_path: Path, body: str, message: str
) -> None:
    text = f"# name: f\n# version: 1\n{body}"
    with pytest.raises(ConfigurationError, match=message):
        Vocabulary.from_file(write(tmp_path, "q.csv", text))


def test_qualifiers_of_an_unknown_canonical_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="'EUR', which is not a canonical term"):
        Vocabulary("v", "1", {"JPY": ("Yen",)}, qualifiers={"EUR": ("Europe",)})


def test_bundled_currencies_read_issuer_qualified_names() -> None:
    vocab = Vocabulary.from_file(VOCAB / "currencies.toml")
    values = ["Japanese Yen", "Hungarian Forint", "Sierra Leonean Leone", "Thai Baht"]
    assert [m.canonical for m in vocab.match(values)] == ["JPY", "HUF", "SLE", "THB"]
    refused = ["German Mark", "Euro cent", "Yen carry trade", "Confederate Dollar", "Korean Won"]
    assert [m.canonical for m in vocab.match(refused)] == [None] * len(refused)


@pytest.mark.parametrize("path", [None, b"vocab.toml", 3, "bad\0name.toml"])
def test_a_path_that_is_not_a_text_path_is_a_configuration_error(path: object) -> None:
    with pytest.raises(ig.ConfigurationError, match="vocabulary file"):
        ig.Vocabulary.from_file(path)  # type: ignore[arg-type]
