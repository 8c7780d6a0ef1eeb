"""The scan: the same decisions on both paths.

`Scanner.scan` is the record path (Python ``re`` over one text). `Scanner.scan_series` is the
batch path, called by the validator's elementwise ``map_batches``: per entity, a vectorized
``str.contains`` picks the rows with a candidate, ``str.extract_all`` lists their candidates,
`Scanner.decide` runs once per *distinct* candidate, and the texts are rewritten by a
vectorized replacement of the delimited candidates. No Python loop over rows, except for a
model-based `PiiRecognizer`, which sees each distinct text once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from inputguard._pii.actions import TRANSFORMS, mask, pseudonym
from inputguard._pii.entities import ENTITIES, Entity
from inputguard._pii.recognizer import PiiRecognizer, PiiSpan
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Scanner"]

# Delimiters for the batch rewrite: Unicode noncharacters, never assigned to text; the scan
# picks one the batch does not contain.
_SENTINELS = tuple(chr(c) for c in range(0xFDD0, 0xFDF0))

# Decisions the batch path keeps across batches, per validator: a stream that repeats values
# (a support line's number, a service's address) decides each once. Emptied when full, so its
# memory stays bounded; a decision depends only on the candidate and the validator's settings.
_MEMO_SIZE = 65_536

# Below this many distinct candidates, an entity's shortcut (`Entity.fast`) is not used: its
# polars expressions cost 1-15 ms to plan and run whatever their input (the phone shortcut's
# numbering-plan patterns most), more than the Python decisions of a few hundred candidates
# (0.5-63 us each). Both give the same answers (tests/pii/test_fast.py).
_FAST_FROM = 256

# The longest text the record path matches with Python's ``re`` (see `_matches`).
_RE_LONGEST = 1024


@dataclass(frozen=True, slots=True)
class Scanner:
    """The decisions of one PII validator, shared by both paths.

    Attributes:
        actions: Action by entity name, in scan order (deterministic entities first).
        allow: Values never reported (compared with the found text and its canonical form).
        allow_patterns: Patterns whose full match on the found text means it is never reported.
        region: Default region for phone numbers without a country code.
        key: The pseudonym key material (empty when no entity pseudonymizes).
        mask_keep: Letters and digits ``mask`` keeps at the end.
        recognizers: Model-based recognizers, for the entities they declare.
    """

    actions: Mapping[str, str]
    allow: frozenset[str] = frozenset()
    allow_patterns: tuple[re.Pattern[str], ...] = ()
    region: str = "US"
    key: bytes = field(default=b"", repr=False)
    mask_keep: int = 4
    recognizers: tuple[PiiRecognizer, ...] = ()
    _memo: dict[tuple[str, str], tuple[bool, str | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def steps(self) -> tuple[Entity, ...]:
        """The deterministic entities to scan, in order."""
        return tuple(ENTITIES[name] for name in ENTITIES if name in self.actions)

    @property
    def model_entities(self) -> tuple[str, ...]:
        """The configured entities that come from recognizers."""
        return tuple(name for name in self.actions if name not in ENTITIES)

    @property
    def order(self) -> tuple[str, ...]:
        """Every configured entity, in the order their flags are reported."""
        return tuple(e.name for e in self.steps) + self.model_entities

    # -- decisions (both paths) -------------------------------------------------------------

    def _allowed(self, text: str, canonical: str) -> bool:
        if text in self.allow or canonical in self.allow:
            return True
        return any(p.fullmatch(text) for p in self.allow_patterns)

    def _replacement(self, entity: str, text: str, canonical: str, placeholder: str) -> str:
        action = self.actions[entity]
        if action == "redact":
            return placeholder
        if action == "mask":
            return mask(text, self.mask_keep)
        return pseudonym(self.key, entity, canonical)

    def decide(self, entity: Entity, candidate: str) -> tuple[bool, str | None]:
        """Whether ``candidate`` holds ``entity``, and its rewritten text (None: unchanged)."""
        return self._finish(entity, candidate, entity.find(candidate, self.region))

    def _finish(
        self, entity: Entity, candidate: str, spans: Sequence[tuple[int, int]]
    ) -> tuple[bool, str | None]:
        """The decision on ``candidate`` given the entity's spans in it: allow-lists, rewrite."""
        kept: list[tuple[int, int, str, str]] = []
        # The canonical form (a phone number parsed again, an IP address re-rendered) costs as
        # much as the decision; only allow-listed values and pseudonyms need it.
        canonical_needed = bool(self.allow) or self.actions[entity.name] == "pseudonymize"
        for start, end in spans:
            text = candidate[start:end]
            canonical = entity.canonical(text, self.region) if canonical_needed else text
            if not self._allowed(text, canonical):
                kept.append((start, end, text, canonical))
        if not kept:
            return False, None
        if self.actions[entity.name] not in TRANSFORMS:
            return True, None
        out, last = [], 0
        for start, end, text, canonical in kept:
            out += [candidate[last:start], self._replacement(entity.name, text, canonical, "")]
            if self.actions[entity.name] == "redact":
                out[-1] = entity.placeholder
            last = end
        out.append(candidate[last:])
        return True, "".join(out)

    def _apply_spans(self, text: str, spans: Sequence[PiiSpan]) -> tuple[str, set[str]]:
        """Rewrite ``text`` at a recognizer's spans; the configured entities it found."""
        found: set[str] = set()
        out, last = [], 0
        for span in sorted(spans, key=lambda s: (s.start, -s.end)):
            entity = span.entity
            if entity not in self.actions or span.start < last:
                continue  # not asked for, or overlapping an earlier span
            value = text[span.start : span.end]
            if self._allowed(value, value):
                continue
            found.add(entity)
            if self.actions[entity] in TRANSFORMS:
                placeholder = f"<{entity.upper()}>"
                out += [text[last : span.start], self._replacement(entity, value, value, "")]
                if self.actions[entity] == "redact":
                    out[-1] = placeholder
                last = span.end
        out.append(text[last:])
        return "".join(out), found

    def _recognize(self, texts: list[str]) -> list[Sequence[PiiSpan]]:
        results: list[list[PiiSpan]] = [[] for _ in texts]
        for recognizer in self.recognizers if texts else ():
            try:
                found = list(recognizer.find(texts))
            except Exception as error:  # a model's failure is not a data problem
                raise ConfigurationError(
                    f"recognizer {type(recognizer).__name__} failed ({type(error).__name__})"
                ) from error
            if len(found) != len(texts):
                raise ConfigurationError(
                    f"recognizer {type(recognizer).__name__} returned {len(found)} results "
                    f"for {len(texts)} texts"
                )
            for i, spans in enumerate(found):
                for span in spans:
                    s = PiiSpan(*span)
                    if not (isinstance(s.start, int) and 0 <= s.start < s.end <= len(texts[i])):
                        raise ConfigurationError(
                            f"recognizer {type(recognizer).__name__} returned a span outside "
                            f"its text ({s.start}, {s.end})"
                        )
                    results[i].append(s)
        return list(results)

    # -- record path ------------------------------------------------------------------------

    def scan(self, text: str) -> tuple[str, tuple[str, ...]]:
        """Rewrite one text; the entities found in it, in report order."""
        found: set[str] = set()
        for entity in self.steps:
            if entity.gate is not None and entity.gate not in text:
                continue
            pieces: list[str] = []
            last, changed = 0, False
            for start, end, candidate in _matches(entity.pattern, text):
                hit, replacement = self.decide(entity, candidate)
                if hit:
                    found.add(entity.name)
                if replacement is not None:
                    pieces += [text[last:start], replacement]
                    last, changed = end, True
            if changed:
                pieces.append(text[last:])
                text = "".join(pieces)
        if self.model_entities:
            text, more = self._apply_spans(text, self._recognize([text])[0])
            found |= more
        return text, tuple(name for name in self.order if name in found)

    # -- batch path -------------------------------------------------------------------------

    def scan_series(self, texts: pl.Series) -> pl.Series:
        """The batch path over a ``String`` series: a struct of the text and one flag per entity.

        Field ``text`` holds the rewritten text (null for null), then one Boolean field per
        entity in `order` (never null).
        """
        text = texts.cast(pl.String)
        n = len(text)
        flags: dict[str, pl.Series] = {}
        for entity in self.steps:
            flag = pl.repeat(value=False, n=n, dtype=pl.Boolean, eager=True)
            if entity.sieve is None:  # one pass: the rows with a candidate and their candidates
                every = text.str.extract_all(entity.pattern)
                rows = (every.list.len() > 0).fill_null(value=False).arg_true()
                sub, candidates = text.gather(rows), every.gather(rows)
            else:  # the sieve's rows (few), then their candidates
                rows = text.str.contains(entity.sieve).fill_null(value=False).arg_true()
                sub = text.gather(rows)
                candidates = sub.str.extract_all(entity.pattern)
            if len(rows):
                distinct = candidates.explode().drop_nulls().unique()
                if entity.sieve is not None:  # the others cannot hold the entity
                    distinct = distinct.filter(distinct.str.contains(entity.sieve))
                hits, keys, values = self._decide_all(entity, distinct)
                if len(hits):
                    marks = candidates.list.eval(pl.element().is_in(hits.implode()))
                    hit_rows = marks.list.any().fill_null(value=False)
                    flag = flag.scatter(rows, hit_rows)
                    # Only a hit has a rewrite: rewrite the rows with one, not every candidate row.
                    # With a rewriting action every hit has one (`_finish`), so the rewritten
                    # candidates are the hits and `marks` says where they are.
                    if len(keys):
                        at = hit_rows.arg_true()
                        found, kept = candidates.gather(at), marks.gather(at)
                        rewritten = _rewrite(
                            sub.gather(at), found, entity.pattern, keys, values, kept
                        )
                        text = text.scatter(rows.gather(at), rewritten)
            flags[entity.name] = flag
        if self.model_entities:
            text, model_flags = self._scan_models(text)
            flags.update(model_flags)
        fields = [text.alias("text"), *(flags[name].alias(name) for name in self.order)]
        return pl.struct(fields, eager=True)

    def _decide_all(
        self, entity: Entity, distinct: pl.Series
    ) -> tuple[pl.Series, pl.Series, pl.Series]:
        """Decide the distinct candidates of a batch: the hits, and the rewrite of each.

        Returns the candidates holding the entity, and the candidates with a rewrite next to
        their rewritten text. The entity's shortcut (`Entity.fast`) decides what it can in
        polars (from `_FAST_FROM` distinct candidates on); with ``redact``, ``reject`` or
        ``flag`` and no allow-list its yes needs nothing more (``redact`` puts the placeholder
        over the span). The rest goes through `decide` and the bounded memo. Only the batch
        path uses the memo: the record path decides afresh, so that the property test
        comparing the two paths compares two computations.
        """
        name, action = entity.name, self.actions[entity.name]
        plain = (
            not self.allow and not self.allow_patterns and action not in ("mask", "pseudonymize")
        )
        empty = pl.Series([], dtype=pl.String)
        fast_hits, fast_keys, fast_values = empty, empty, empty
        rest: list[tuple[str, int | None, int | None]]
        if entity.fast is not None and len(distinct) >= max(_FAST_FROM, 1):
            spans = pl.concat(
                [distinct.alias("c").to_frame(), entity.fast(distinct, self.region)],
                how="horizontal",
            )
            if plain:
                yes = spans.filter(pl.col("start") >= 0)
                fast_hits = yes["c"]
                if action == "redact":
                    c = pl.col("c")
                    rewritten = (
                        c.str.slice(0, pl.col("start"))
                        + pl.lit(entity.placeholder)
                        + c.str.slice(pl.col("end"))
                    )
                    fast_keys, fast_values = fast_hits, yes.select(rewritten).to_series()
                spans = spans.filter(pl.col("start").is_null())
            rest = list(spans.iter_rows())
        else:
            rest = [(c, None, None) for c in distinct.to_list()]
        memo = self._memo
        hits: list[str] = []
        rewrites: dict[str, str] = {}
        for candidate, start, end in rest:
            decision = memo.get((name, candidate))
            if decision is None:
                if start is None:  # undecided: the entity's own decision
                    decision = self.decide(entity, candidate)
                elif start < 0:  # the shortcut's no
                    decision = (False, None)
                else:  # the shortcut's span, through the allow-lists and the action
                    assert end is not None
                    decision = self._finish(entity, candidate, [(start, end)])
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                memo[name, candidate] = decision
            hit, rewrite = decision
            if hit:
                hits.append(candidate)
            if rewrite is not None:
                rewrites[candidate] = rewrite
        return (
            pl.concat([fast_hits, pl.Series(hits, dtype=pl.String)]),
            pl.concat([fast_keys, pl.Series(list(rewrites), dtype=pl.String)]),
            pl.concat([fast_values, pl.Series(list(rewrites.values()), dtype=pl.String)]),
        )

    def _scan_models(self, text: pl.Series) -> tuple[pl.Series, dict[str, pl.Series]]:
        distinct = text.drop_nulls().unique(maintain_order=True).to_list()
        results = {
            t: self._apply_spans(t, spans)
            for t, spans in zip(distinct, self._recognize(distinct), strict=True)
        }
        keys = pl.Series(list(results), dtype=pl.String)
        position = text.cast(pl.Enum(keys.to_list()), strict=False).to_physical()
        rewritten = pl.Series([results[t][0] for t in results], dtype=pl.String)
        out = rewritten.gather(position) if len(keys) else text
        flags = {}
        for name in self.model_entities:
            hits = pl.Series([name in results[t][1] for t in results], dtype=pl.Boolean)
            flag = hits.gather(position) if len(keys) else pl.Series([None] * len(text))
            flags[name] = flag.fill_null(value=False).cast(pl.Boolean)
        return out, flags


def _matches(pattern: str, text: str) -> list[tuple[int, int, str]]:
    """The matches of a candidate pattern in ``text``: start, end and text.

    Python's ``re`` for texts up to `_RE_LONGEST` characters. Its backtracking makes some
    patterns quadratic on hostile input (``"a" * n + "@"`` for the e-mail pattern, a URL
    scheme before a long run of letters): 50,000 characters took seconds. Longer texts are
    matched by polars' engine, which runs in linear time, as on the batch path. It gives the
    matched texts; each is the first occurrence of its text at or after the end of the
    previous match, since the pattern (without look-around) would have matched an earlier
    occurrence first.
    """
    if len(text) <= _RE_LONGEST:
        return [(m.start(), m.end(), m.group()) for m in re.finditer(pattern, text)]
    found = pl.Series([text], dtype=pl.String).str.extract_all(pattern).item()
    out, last = [], 0
    for candidate in found.to_list() if found is not None else ():
        start = text.find(candidate, last)
        last = start + len(candidate)
        out.append((start, last, candidate))
    return out


def _replaced(pattern: str, text: str | None, rewrites: dict[str, str]) -> str | None:
    """``text`` with each match of ``pattern`` that has a rewrite replaced by it."""
    if text is None:
        return None
    out, last = [], 0
    for start, end, candidate in _matches(pattern, text):
        out += [text[last:start], rewrites.get(candidate, candidate)]
        last = end
    out.append(text[last:])
    return "".join(out)


def _rewrite(  # noqa: PLR0917 - the rows, their candidates and the rewrites, as computed
    sub: pl.Series,
    found: pl.Series,
    pattern: str,
    keys: pl.Series,
    values: pl.Series,
    kept: pl.Series | None = None,
) -> pl.Series:
    """Replace each candidate of ``sub`` that has a rewrite, and only whole candidates.

    ``found`` lists each row's candidates (``str.extract_all``) and ``kept``, when given, marks
    those that have a rewrite (those among ``keys``). A row with one candidate that has a
    rewrite, whose text occurs once in the row, is split at it and joined around its rewrite:
    no further regex pass (a pattern without look-around matches the text of a match where the
    match is, so a text occurring once is the match; the row's other candidates keep their
    text). The other rows are rewritten by `_rewrite_delimited`.
    """
    if kept is None:
        kept = found.list.eval(pl.element().is_in(keys.implode()))
    c, parts = pl.col("c"), pl.col("parts")
    frame = pl.DataFrame({"t": sub, "found": found, "kept": kept}).select(
        "t",
        c=pl.col("found").list.get(pl.col("kept").list.arg_max(), null_on_oob=True),
        n=pl.col("kept").list.sum(),
    )
    frame = frame.with_columns(parts=pl.when(pl.col("n") == 1).then(pl.col("t").str.split(c)))
    once = parts.list.len() == 2  # noqa: PLR2004 - text before and after the one occurrence
    frame = frame.with_columns(
        out=pl.when(once).then(parts.list.get(0) + c.replace(keys, values) + parts.list.get(1)),
        once=once.fill_null(value=False),
    )
    out = frame["out"]
    rest = (~frame["once"]).arg_true()
    if len(rest):
        out = out.scatter(rest, _rewrite_delimited(sub.gather(rest), pattern, keys, values))
    return out


def _rewrite_delimited(
    sub: pl.Series, pattern: str, keys: pl.Series, values: pl.Series
) -> pl.Series:
    """Replace each candidate of ``sub`` that has a rewrite, and only whole candidates.

    Every candidate is first wrapped in a delimiter the texts do not contain; splitting at the
    delimiters puts the candidates at the odd positions of each row's parts, which are mapped
    to their rewrites (a hash look-up) and joined again. A single ``replace_many`` over the
    delimited candidates gives the same text but builds an automaton of every candidate, which
    cost more than the scan itself at thousands of distinct hits.
    """
    sentinel = next((s for s in _SENTINELS if not sub.str.contains(s, literal=True).any()), None)
    if sentinel is None:  # every noncharacter occurs in this batch: one text at a time
        rewrites = dict(zip(keys.to_list(), values.to_list(), strict=True))
        return pl.Series([_replaced(pattern, t, rewrites) for t in sub.to_list()], dtype=pl.String)
    parts = sub.str.replace_all(pattern, f"{sentinel}${{0}}{sentinel}").str.split(sentinel)
    lengths = parts.list.len()
    # Most rows hold one candidate: text, candidate, text.
    p = pl.col("part")
    single = pl.DataFrame({"part": parts}).select(
        pl.when(lengths == 3)  # noqa: PLR2004
        .then(p.list.get(0) + p.list.get(1).replace(keys, values) + p.list.get(2))
        .alias("part")
    )["part"]
    several = (lengths != 3).arg_true()  # noqa: PLR2004
    if not len(several):
        return single
    parts, lengths = parts.gather(several), lengths.gather(several)
    frame = pl.DataFrame({"part": parts, "first": lengths.cum_sum() - lengths})
    frame = frame.with_row_index("row").explode("part")
    candidate = (pl.int_range(pl.len(), dtype=pl.UInt32) - pl.col("first")) % 2 == 1
    frame = frame.with_columns(part=pl.when(candidate).then(p.replace(keys, values)).otherwise(p))
    joined = frame.group_by("row", maintain_order=True).agg(p.str.join(""))
    return single.scatter(several, joined.get_column("part"))
