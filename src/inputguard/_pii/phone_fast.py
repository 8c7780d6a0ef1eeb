"""A vectorized shortcut for the phone decision, from ``phonenumbers``' own numbering plans.

The phone decision (`_find_phone` in `entities`) is ``phonenumbers``' strict-grouping matcher,
about 60 us per candidate in Python. Most phone numbers in text are written in one of a few
plain shapes: ``212-555-0123``, ``(212) 555-0123``, ``212.555.0123``, ``+1 212 555 0123``,
``+44 20 7946 0123``. For those, what the matcher checks can be written as polars
expressions over the numbering-plan metadata ``phonenumbers`` ships (Apache-2.0), read at
first use:

- the country calling code: the region's own (national shape) or the digits after ``+``;
- no national prefix or repeated country code to strip (those inputs are left to the matcher);
- validity: the national number has a possible length and matches the general pattern and
  one number-type pattern of the main region of its calling code (``is_valid_number``);
- grouping: the written digit groups are exactly the groups of the number's format (the
  format ``phonenumbers`` chooses by leading digits and pattern);
- for the national shape, the format does not require a national prefix.

`phone_hits` answers *yes* (the whole candidate but its boundary character is a phone number)
or *undecided*; it never answers *no*. An undecided candidate goes to the matcher. So the
shortcut can only save time, never change an answer, as long as every *yes* is also the
matcher's: tests/pii/test_fast.py checks that on every region's example numbers in every
shape and on generated candidates. `phone_span` is the same shortcut for one candidate in
plain Python (the record path, and the batch path's undecided candidates), held to
`phone_hits` on the same examples and to the matcher on generated candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from inputguard._pii.fast import spans_to_end
from inputguard._pii.optional import phonenumbers_module

__all__ = ["phone_hits", "phone_span"]

# Characters that may stand before a candidate for the shortcut to apply. The matcher refuses
# a number after a letter, ``%`` or a currency sign and reads brackets itself; these it treats
# as plain punctuation. Any other boundary is left to the matcher.
_BOUNDARIES = (" ", "\t", "\n", "\r", ",", ";", ":", '"', "'", "=")
_INTERNATIONAL = r"^\+[0-9]{1,3}(?:[ .-][0-9]+)+$"
_NATIONAL = r"^(?:\([0-9]+\) ?|[0-9]+[ .-])(?:[0-9]+[ .-])*[0-9]+$"
# A format pattern the shortcut can read: top-level groups of one digit atom each, every group
# but the last of a fixed length (so the split of a number into groups is unique).
_ATOM = r"\((?:\\d|\[[0-9-]+\])(?:\{[0-9]+\})?\)"
_LAST = r"\((?:\\d|\[[0-9-]+\])(?:\{[0-9]+(?:,[0-9]+)?\})?\)"
_SIMPLE_PATTERN = re.compile(f"(?:{_ATOM})*{_LAST}")
_GROUP = re.compile(r"\([^()]*\)")
_REFERENCE = re.compile(r"\\([1-9])|\$([1-9])")
_FIRST_GROUP_ONLY = re.compile(r"\(?\\1\)?")  # a formatting rule without a prefix
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the shortcut needs of the main region of one calling code."""

    code: str
    valid: pl.Expr  # on the column "nsn"
    no_prefix: pl.Expr  # on "nsn": no national prefix to strip when parsing
    choice: pl.Expr  # on "nsn": the index of the format chosen for grouping (-1: none)
    national_choice: pl.Expr | None  # on "nsn": that of the national format (None: the same)
    grouped: pl.Expr  # on "choice" and "joined" (the written groups, comma-separated)
    prefix_free: pl.Expr  # on "national_choice": the national format needs no national prefix


def _matches(desc: Any, nsn: pl.Expr) -> pl.Expr | None:
    """``_is_number_matching_desc``: a possible length (when listed) and the full pattern."""
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = [n for n in desc.possible_length if n > 0]
    if list(desc.possible_length) == [-1]:
        return None  # the type does not exist in this region
    full = nsn.str.contains(f"^(?:{desc.national_number_pattern})$")
    return nsn.str.len_chars().is_in(lengths) & full if lengths else full


def _joined_pattern(fmt: Any) -> str | None:
    """The format as a pattern over the written groups joined by commas (None: not readable)."""
    if not _SIMPLE_PATTERN.fullmatch(fmt.pattern):
        return None
    groups = _GROUP.findall(fmt.pattern)
    refs = [int(a or b) for a, b in _REFERENCE.findall(fmt.format)]
    if refs != list(range(1, len(groups) + 1)):
        return None
    between = _REFERENCE.split(fmt.format)
    # split() interleaves: text, ref, ref, text, ...; the texts between references decide
    # whether two groups stay apart (any character) or run together (nothing).
    texts = between[0::3]
    if any(re.search(r"[0-9A-Za-z]", t) for t in texts):
        return None  # literal digits or letters in the format
    pieces = [f"(?:{groups[0][1:-1]})"]
    for text, group in zip(texts[1:-1], groups[1:], strict=True):
        pieces.append(("," if text else "") + f"(?:{group[1:-1]})")
    return "^" + "".join(pieces) + "$"


# A format pattern of digit groups only, such as ``(\d{3})(\d{4,5})``: its full match on a
# string of digits is a length range, no regex needed.
_DIGITS_ONLY = re.compile(r"\(\\d(?:\{(\d+)(?:,(\d+))?\})?\)")


def _full_match(fmt: Any, nsn: pl.Expr) -> pl.Expr:
    """``fullmatch(fmt.pattern, nsn)`` for ``nsn`` made of digits."""
    groups = _DIGITS_ONLY.findall(fmt.pattern)
    if groups and not _DIGITS_ONLY.sub("", fmt.pattern):
        low = sum(int(a or 1) for a, _ in groups)
        high = sum(int(b or a or 1) for a, b in groups)
        return nsn.str.len_chars().is_between(low, high)
    return nsn.str.contains(f"^(?:{fmt.pattern})$")


def _choice(formats: Any, nsn: pl.Expr) -> pl.Expr:
    """``_choose_formatting_pattern_for_number``: the index of the first format that applies.

    -1 when none does. Materialize it as a column (it is read by several conditions).
    """
    chain: Any = None
    for i, fmt in enumerate(formats):
        cond = _full_match(fmt, nsn)
        if fmt.leading_digits_pattern:
            cond = nsn.str.contains(f"^(?:{fmt.leading_digits_pattern[-1]})") & cond
        chain = (pl.when(cond) if chain is None else chain.when(cond)).then(pl.lit(i))
    result: pl.Expr = pl.lit(-1) if chain is None else chain.otherwise(pl.lit(-1))
    return result


@cache
def _plan(code: str) -> _Plan | None:
    pn = phonenumbers_module()
    region = pn.region_code_for_country_code(int(code))
    meta = pn.PhoneMetadata.metadata_for_region(region, None)
    if meta is None:
        return None  # a non-geographic calling code (+800, +882, ...): the matcher decides
    nsn, joined = pl.col("nsn"), pl.col("joined")
    general = _matches(meta.general_desc, nsn)
    # one check per distinct type description (fixed-line and mobile numbers often share one)
    descs = {
        (d.national_number_pattern, tuple(d.possible_length)): d
        for name in _TYPES
        if (d := getattr(meta, name)) is not None
    }
    types = [m for d in descs.values() if (m := _matches(d, nsn)) is not None]
    if general is None or not types:
        return None
    valid = general & pl.any_horizontal(types)
    if meta.leading_digits:
        valid = nsn.str.contains(f"^(?:{meta.leading_digits})") & valid
    formats = meta.intl_number_format or meta.number_format
    # The written groups must be those of the chosen format: one pattern over "index|groups".
    alternatives = [
        f"{i}\\|{pattern[1:-1]}"
        for i, fmt in enumerate(formats)
        if (pattern := _joined_pattern(fmt)) is not None
    ]
    key = pl.col("choice").cast(pl.String) + pl.lit("|") + joined
    grouped = key.str.contains(f"^(?:{'|'.join(alternatives)})$") if alternatives else pl.lit(False)
    free = [
        i
        for i, fmt in enumerate(meta.number_format)
        if not (rule := fmt.national_prefix_formatting_rule or "")
        or bool(fmt.national_prefix_optional_when_formatting)
        or _FIRST_GROUP_ONLY.fullmatch(rule) is not None
    ]
    # No national format chosen: no prefix is required.
    prefix_free = pl.col("national_choice").is_in([-1, *free])
    same = list(formats) == list(meta.number_format)
    national_choice = None if same else _choice(meta.number_format, nsn)
    strip = meta.national_prefix_for_parsing
    no_prefix = ~nsn.str.contains(f"^(?:{strip})") if strip else pl.lit(value=True)
    return _Plan(
        code, valid, no_prefix, _choice(formats, nsn), national_choice, grouped, prefix_free
    )


@cache
def _codes() -> frozenset[str]:
    """Calling codes of geographic regions (the shortest prefix ``phonenumbers`` reads)."""
    pn = phonenumbers_module()
    return frozenset(
        str(c) for c, regions in pn.COUNTRY_CODE_TO_REGION_CODE.items() if "001" not in regions
    )


def phone_hits(candidates: pl.Series, region: str) -> pl.DataFrame:
    """Per candidate: the span of the phone number when it is the whole candidate, else null.

    ``candidates`` are distinct matches of the phone candidate pattern; the number, when the
    shortcut applies, runs from after the boundary character to the end. A null ``start``
    means *undecided* (the matcher decides); the answer is never *no*.
    """
    pn = phonenumbers_module()
    own = str(pn.country_code_for_region(region))
    c = pl.col("c")
    boundary = ~c.str.contains(r"^[0-9+(]")
    s = pl.when(boundary).then(c.str.slice(1)).otherwise(c)
    frame = (
        pl.DataFrame({"c": candidates}, schema={"c": pl.String})
        .with_row_index("i")
        .with_columns(start=boundary.cast(pl.Int32), s=s)
        .filter(
            pl.when(boundary).then(c.str.slice(0, 1).is_in(_BOUNDARIES)).otherwise(True),
            pl.when(pl.col("s").str.starts_with("+"))
            .then(pl.col("s").str.contains(_INTERNATIONAL))
            .otherwise(pl.col("s").str.contains(_NATIONAL)),
        )
        .with_columns(groups=pl.col("s").str.extract_all("[0-9]+"))
        .with_columns(
            national=~pl.col("s").str.starts_with("+"),
            code=pl.when(pl.col("s").str.starts_with("+"))
            .then(pl.col("groups").list.first())
            .otherwise(pl.lit(own)),
        )
        .with_columns(
            rest=pl.when(pl.col("national"))
            .then(pl.col("groups"))
            .otherwise(pl.col("groups").list.slice(1))
        )
        .with_columns(
            nsn=pl.col("rest").list.join(""),
            joined=pl.col("rest").list.join(","),
        )
        .filter(
            # `_find_phone`: 7 to 17 digits, the calling code included
            pl.col("groups").list.join("").str.len_chars().is_between(7, 17),
            pl.col("code").is_in(sorted(_codes())),
            # a national number starting with the calling code may be read as carrying it
            ~(pl.col("national") & pl.col("nsn").str.starts_with(own)),
        )
    )
    parts = []
    for code in frame["code"].unique().to_list():
        plan = _plan(code)
        if plan is None:
            continue
        sub = frame.filter(pl.col("code") == code).filter(plan.no_prefix, plan.valid)
        sub = sub.with_columns(choice=plan.choice)
        national = plan.national_choice if plan.national_choice is not None else pl.col("choice")
        sub = sub.with_columns(national_choice=national)
        sub = sub.filter(plan.grouped, ~pl.col("national") | plan.prefix_free)
        parts.append(sub.select("i", "start"))
    starts = pl.Series("start", [None] * len(candidates), dtype=pl.Int32)
    if parts:
        hits = pl.concat(parts)
        starts = starts.scatter(hits["i"], hits["start"])
    return spans_to_end(candidates, starts)


# -- the same shortcut for one candidate, in plain Python (the record path) -----------------


@dataclass(frozen=True, slots=True)
class _RecordPlan:
    """`_Plan`'s checks as compiled Python patterns, for one candidate at a time."""

    leading: re.Pattern[str] | None  # the region's leading digits
    general: tuple[frozenset[int], re.Pattern[str]]
    types: tuple[tuple[frozenset[int], re.Pattern[str]], ...]
    formats: tuple[tuple[re.Pattern[str] | None, tuple[int, int] | re.Pattern[str]], ...]
    national_formats: tuple[tuple[re.Pattern[str] | None, tuple[int, int] | re.Pattern[str]], ...]
    grouped: re.Pattern[str] | None  # over "index|groups"
    free: frozenset[int]  # national formats that need no national prefix, and -1 (none)
    strip: re.Pattern[str] | None  # the national prefix for parsing

    @staticmethod
    def _desc(lengths: frozenset[int], pattern: re.Pattern[str], nsn: str) -> bool:
        return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None

    def valid(self, nsn: str) -> bool:
        if self.leading is not None and not self.leading.match(nsn):
            return False
        if not self._desc(*self.general, nsn):
            return False
        return any(self._desc(lengths, pattern, nsn) for lengths, pattern in self.types)

    @staticmethod
    def choose(formats: Any, nsn: str) -> int:
        for i, (lead, full) in enumerate(formats):
            if lead is not None and not lead.match(nsn):
                continue
            if isinstance(full, tuple):
                if full[0] <= len(nsn) <= full[1]:
                    return i
            elif full.fullmatch(nsn):
                return i
        return -1


def _record_desc(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    """`_matches` for the record path: the possible lengths and the compiled pattern."""
    if desc is None or not desc.national_number_pattern:
        return None
    if list(desc.possible_length) == [-1]:
        return None
    lengths = frozenset(n for n in desc.possible_length if n > 0)
    return lengths, re.compile(desc.national_number_pattern)


def _record_formats(
    formats: Any,
) -> tuple[tuple[re.Pattern[str] | None, tuple[int, int] | re.Pattern[str]], ...]:
    out: list[tuple[re.Pattern[str] | None, tuple[int, int] | re.Pattern[str]]] = []
    for fmt in formats:
        lead = re.compile(fmt.leading_digits_pattern[-1]) if fmt.leading_digits_pattern else None
        groups = _DIGITS_ONLY.findall(fmt.pattern)
        full: tuple[int, int] | re.Pattern[str]
        if groups and not _DIGITS_ONLY.sub("", fmt.pattern):
            low = sum(int(a or 1) for a, _ in groups)
            high = sum(int(b or a or 1) for a, b in groups)
            full = (low, high)
        else:
            full = re.compile(fmt.pattern)
        out.append((lead, full))
    return tuple(out)


@cache
def _record_plan(code: str) -> _RecordPlan | None:
    """`_plan` in plain Python (the same metadata, the same checks)."""
    pn = phonenumbers_module()
    meta = pn.PhoneMetadata.metadata_for_region(pn.region_code_for_country_code(int(code)), None)
    if meta is None:
        return None
    general = _record_desc(meta.general_desc)
    descs = {
        (d.national_number_pattern, tuple(d.possible_length)): d
        for name in _TYPES
        if (d := getattr(meta, name)) is not None
    }
    types = tuple(t for d in descs.values() if (t := _record_desc(d)) is not None)
    if general is None or not types:
        return None
    formats = meta.intl_number_format or meta.number_format
    alternatives = [
        f"{i}\\|{pattern[1:-1]}"
        for i, fmt in enumerate(formats)
        if (pattern := _joined_pattern(fmt)) is not None
    ]
    free = frozenset(
        i
        for i, fmt in enumerate(meta.number_format)
        if not (rule := fmt.national_prefix_formatting_rule or "")
        or bool(fmt.national_prefix_optional_when_formatting)
        or _FIRST_GROUP_ONLY.fullmatch(rule) is not None
    )
    strip = meta.national_prefix_for_parsing
    return _RecordPlan(
        leading=re.compile(meta.leading_digits) if meta.leading_digits else None,
        general=general,
        types=types,
        formats=_record_formats(formats),
        national_formats=_record_formats(meta.number_format),
        grouped=re.compile(f"(?:{'|'.join(alternatives)})") if alternatives else None,
        free=free | {-1},
        strip=re.compile(strip) if strip else None,
    )


_DIGIT_RUNS = re.compile("[0-9]+")
_INTERNATIONAL_RE = re.compile(_INTERNATIONAL)
_NATIONAL_RE = re.compile(_NATIONAL)


def _shape(candidate: str, own: str) -> tuple[int, bool, str, list[str]] | None:
    """The boundary, national shape, calling code and national groups of a plain candidate."""
    boundary = candidate[:1] not in tuple("0123456789+(")
    s = candidate[1:] if boundary else candidate
    national = not s.startswith("+")
    if (boundary and candidate[:1] not in _BOUNDARIES) or not (
        _NATIONAL_RE if national else _INTERNATIONAL_RE
    ).fullmatch(s):
        return None
    groups = _DIGIT_RUNS.findall(s)
    code, rest = (own, groups) if national else (groups[0], groups[1:])
    if not 7 <= sum(len(g) for g in groups) <= 17:  # noqa: PLR2004 - as `_find_phone`
        return None
    if code not in _codes() or (national and "".join(rest).startswith(own)):
        return None
    return int(boundary), national, code, rest


def phone_span(candidate: str, region: str) -> tuple[int, int] | None:
    """`phone_hits` for one candidate: the phone number's span, or None (undecided).

    The same checks in plain Python, for the record path, where a polars query per text
    would cost more than ``phonenumbers``' matcher; held to `phone_hits` and to the matcher by
    tests/pii/test_fast.py.
    """
    pn = phonenumbers_module()
    shape = _shape(candidate, str(pn.country_code_for_region(region)))
    if shape is None:
        return None
    boundary, national, code, rest = shape
    nsn = "".join(rest)
    plan = _record_plan(code)
    if (
        plan is None
        or (plan.strip is not None and plan.strip.match(nsn))
        or not plan.valid(nsn)
        or plan.grouped is None
        or not plan.grouped.fullmatch(f"{plan.choose(plan.formats, nsn)}|{','.join(rest)}")
        or (national and plan.choose(plan.national_formats, nsn) not in plan.free)
    ):
        return None
    return boundary, len(candidate)
