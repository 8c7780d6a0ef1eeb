"""Text folding: the comparison keys a term and an input value are reduced to.

Three keys, from strictest to loosest:

* the **exact form** (`exact_form`): Unicode NFC, runs of whitespace collapsed to one space and
  runs of hyphens to one hyphen, trimmed, and lower-cased unless the vocabulary is case
  sensitive. Every term has one; a term made of symbols (``€``, ``C$``, ``R$``) has *only*
  this one, so that it matches exactly and nothing else folds onto it;
* the **folded key** (`fold`): compatibility forms of *letters and digits* (NFKC: fullwidth
  letters, the ligature ``fi``), case folded, diacritics removed, apostrophes dropped,
  dotted abbreviations joined (``U.S.A.`` -> ``usa``), ``&`` between two words read as
  ``and``, every other run of punctuation, symbols or whitespace collapsed to one space.
  Compatibility folding never turns a symbol into letters: ``㎏``, ``™``, ``№`` and ``Ⅵ``
  fold to nothing, not to ``kg``, ``tm``, ``no`` and ``vi``;
* the **fingerprint** (`fingerprint`): the folded words without stop words ("the", "of",
  "and", and the word "and" of other Latin-script languages: `AND_WORDS`), sorted, each
  kept as often as it occurs (``Korea North Korea`` is not ``North Korea``).

This module knows nothing about vocabularies; `inputguard._terminology.matcher` builds its
indexes from these keys.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "AND_WORDS",
    "STOPWORDS",
    "compact",
    "content_words",
    "exact_form",
    "fingerprint",
    "fold",
    "has_symbol",
    "is_mixed_script",
    "letters_kept",
]

AND_WORDS = frozenset(
    {"y", "e", "i", "a", "og", "och", "ja", "und", "en", "et", "es", "ir", "un", "in", "si"}
    | {"ve", "dan", "va", "agus"}
)
"""The word "and", folded, in Latin-script languages whose country names people write
(es y, pt/it e, ca/hr/pl i, cs/sk a, da/nb og, sv och, fi/et ja, de und, nl en, fr et, hu és,
lt ir, lv un, sl in, ro și, tr ve, id/ms dan, vi và, ga agus): "Trinidad og Tobago" is
"Trinidad and Tobago". Never an article: "El Salvador" is not "Salvador"."""
STOPWORDS = frozenset({"the", "of", "and"}) | AND_WORDS
"""Words that never make a match on their own (and are ignored by fingerprints): "the",
"of", and "and" in English and in the languages of `AND_WORDS`."""

# Letters with no Unicode decomposition that still have an obvious base letter.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
_ONE_LETTER = {k: v for k, v in _LETTERS.items() if len(v) == 1}  # ø -> o, not æ -> ae
_APOSTROPHES = re.compile(r"['\u2019\u02bc`\u00b4]")
_AMPERSAND = re.compile(r"(?<=[^\W_])[^\S\n]*&[^\S\n]*(?=[^\W_])")
_DOTTED = re.compile(r"(?<![^\W_])[^\W\d_](?:\.[^\W\d_])+\.?(?![^\W_])")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
_HYPHENS = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2212]+")
# Scripts whose letters are easily confused with each other (Latin, Cyrillic and Greek 'a').
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
# Characters whose compatibility form is a letter or digit but which are not letters or
# decimal digits themselves: symbols (S*), letter-like numbers (Nl: Roman numerals) and other
# numbers (No: superscripts, fractions, circled digits). They fold to a separator.
_NOT_WORD_CATEGORIES = frozenset({"Nl", "No"})


def fold(text: str, *, case_sensitive: bool = False) -> str:
    """Fold a term to its comparison key (see the module docstring).

    Args:
        text: The text.
        case_sensitive: Keep letter case (for vocabularies where case carries meaning).

    >>> fold("  Côte d'Ivoire ")
    'cote divoire'
    >>> fold("Bosnia & Herzegovina")
    'bosnia and herzegovina'
    >>> fold("U.S.A."), fold("\u338f"), fold("the & of")
    ('usa', '', 'the and of')
    """
    if text.isascii():
        # NFKC, NFKD and the letter table leave ASCII alone, and casefold is lower
        return _punctuation(text if case_sensitive else text.lower())
    return _fold_unicode(text, case_sensitive=case_sensitive)


def _fold_unicode(text: str, *, case_sensitive: bool = False) -> str:
    """`fold` for any text; `fold` takes a shortcut for ASCII text that gives the same key."""
    text = "".join(" " if _is_symbol(c) else c for c in unicodedata.normalize("NFC", text))
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        text = text.casefold()
    text = text.translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _punctuation(text)


def _is_symbol(char: str) -> bool:
    """True for a character that is not a letter or digit but would fold into one."""
    if char.isascii() or unicodedata.normalize("NFKC", char) == char:
        return False
    category = unicodedata.category(char)
    return category[0] == "S" or category in _NOT_WORD_CATEGORIES


def _punctuation(text: str) -> str:
    text = _APOSTROPHES.sub("", text)
    text = _AMPERSAND.sub(" and ", text)
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    return _NON_WORD.sub(" ", text).strip()


def exact_form(text: str, *, case_sensitive: bool = False) -> str:
    """The strictest key: NFC, whitespace and hyphen runs collapsed, trimmed, lower-cased.

    >>> exact_form("  C$ "), exact_form("Guinea--Bissau"), exact_form("mS", case_sensitive=True)
    ('c$', 'guinea-bissau', 'mS')
    """
    text = unicodedata.normalize("NFC", text)
    text = _HYPHENS.sub("-", _SPACES.sub(" ", text)).strip()
    return text if case_sensitive else text.lower()


def has_symbol(text: str) -> bool:
    """True when ``text`` holds a symbol character (``€``, ``$``, ``°``): it keys by exact form.

    >>> has_symbol("C$"), has_symbol("Côte d'Ivoire")
    (True, False)
    """
    return any(unicodedata.category(c)[0] == "S" and c not in "`\u00b4^" for c in text)


def compact(folded: str) -> str:
    """A folded key without its spaces (the letters a typo budget is measured on)."""
    return folded.replace(" ", "")


def letters_kept(text: str, folded: str) -> bool:
    """True when folding created no letters: the folded key has the text's own letters.

    ``ß`` folds to ``ss``; ``&`` between words to ``and``: a short key (a code) is matched
    only by a value whose letters are its own, so ``ß`` is never the code ``SS``. A letter
    keeps its identity without its accents or stroke (``aé`` has the letters of ``ae``,
    ``ø`` is ``o``); a letter folded into two (``ß``, ``æ``) does not.

    >>> letters_kept("U.S.A.", "usa"), letters_kept("\u00df", "ss"), letters_kept("a\u00e9", "ae")
    (True, False, True)
    """
    if not text.isascii():
        text = unicodedata.normalize("NFD", text.lower()).translate(_ONE_LETTER)
        text = "".join(c for c in text if not unicodedata.combining(c))
    own = "".join(c for c in text if c.isalnum()).lower()
    return own == compact(folded)


def content_words(folded: str) -> tuple[str, ...]:
    """The words of a folded key that are not stop words (`STOPWORDS`)."""
    return tuple(w for w in folded.split() if w not in STOPWORDS)


def fingerprint(folded: str) -> str:
    """The order-free key of a folded term: its words, sorted, without stop words.

    A repeated word stays repeated, so two names run together are not one of them. A value
    made of stop words only has the empty fingerprint, which never matches.

    >>> fingerprint("korea republic of"), fingerprint("korea north korea")
    ('korea republic', 'korea korea north')
    """
    return " ".join(sorted(content_words(folded)))


def is_mixed_script(text: str) -> bool:
    r"""True when ``text`` mixes letters of Latin, Cyrillic or Greek (a homoglyph risk).

    >>> is_mixed_script("Austria")
    False
    >>> is_mixed_script("\u0410ustria")  # Cyrillic capital A
    True
    """
    if text.isascii():
        return False  # one script only; skips a Unicode name lookup per character
    seen: set[str] = set()
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
            if script in _CONFUSABLE_SCRIPTS:
                seen.add(script)
                if len(seen) > 1:
                    return True
    return False
