"""Rule masks: every rule of a plan as a few bits of ``UInt64`` words per row.

A `Rule` (a flag) takes one bit; a `Coded` group (mutually exclusive reasons) takes the bits of
its largest code. A row is accepted when its rejection words are zero. A quarantined row's
reasons (and the column each is about) come from a table indexed by the mask: for masks of up
to 14 bits the table holds every possible mask, is built once per layout and gathered inside
the lazy plan; wider masks get a table of the masks that occur, after the collect. Either way
the cost follows the number of failure combinations, never rows x rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from inputguard._core.lookup import position
from inputguard._core.validator import Coded, Rule

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


__all__ = ["Mask"]

_WORD = 64  # bits of one mask word (UInt64)
# A mask of at most this many bits gets its reasons from a table of every possible mask, built
# once per layout and gathered by the mask in the lazy plan itself (no step after the collect).
_STATIC_BITS = 14
_COLUMNS_DTYPE = pl.List(pl.String)
_U64 = pl.UInt64


@dataclass(frozen=True, slots=True)
class _Group:
    """One rule or coded group, placed at ``shift`` bits in mask word ``word``."""

    reasons: tuple[str, ...]
    field: str | None
    code: pl.Expr  # non-null UInt64: 0 passes, k reports reasons[k - 1]
    word: int
    shift: int
    width: int


def _code(rule: Rule | Coded) -> tuple[pl.Expr, tuple[str, ...], bool, str | None]:
    if isinstance(rule, Rule):
        fired = rule.fires.fill_null(value=not rule.warning)  # the null semantics, for flags
        return fired.cast(_U64), (str(rule.reason),), rule.warning, rule.field
    last = len(rule.reasons)  # a null code fails closed with the group's last reason
    return (
        rule.code.cast(_U64).fill_null(last),
        tuple(map(str, rule.reasons)),
        rule.warning,
        rule.field,
    )


@dataclass(frozen=True, slots=True)
class Mask:
    """Where each group's code lives in the mask words, and how to read a mask back."""

    groups: tuple[_Group, ...]
    words: tuple[str, ...]  # helper column names, one per word

    @classmethod
    def pack(cls, rules: Iterable[Rule | Coded], *, warning: bool, name: str) -> Mask:
        groups: list[_Group] = []
        word, shift = 0, 0
        for rule in rules:
            code, reasons, is_warning, column = _code(rule)
            if is_warning != warning:
                continue
            width = max(1, len(reasons).bit_length())
            if shift + width > _WORD:
                word, shift = word + 1, 0
            groups.append(_Group(reasons, column, code, word, shift, width))
            shift += width
        count = word + 1 if groups else 0
        return cls(tuple(groups), tuple(f"{name}{i}" for i in range(count)))

    def exprs(self) -> list[pl.Expr]:
        """One UInt64 expression per word: the sum of its groups' shifted codes."""
        out = []
        for index, name in enumerate(self.words):
            terms = [
                g.code if g.shift == 0 else g.code * pl.lit(1 << g.shift, _U64)
                for g in self.groups
                if g.word == index
            ]
            out.append((terms[0] if len(terms) == 1 else pl.sum_horizontal(terms)).alias(name))
        return out

    def clean(self) -> pl.Expr:
        """True on rows where every word is zero."""
        if not self.words:
            return pl.lit(value=True)
        return pl.all_horizontal([pl.col(w) == 0 for w in self.words])

    def decode(self, words: Sequence[int]) -> list[tuple[str, str | None]]:
        """The (reason, column) pairs a mask stands for, in rule order, without repeats."""
        found: dict[tuple[str, str | None], None] = {}
        for g in self.groups:
            code = (words[g.word] >> g.shift) & ((1 << g.width) - 1)
            if code:
                reason = g.reasons[min(code, len(g.reasons)) - 1]
                found[(reason, g.field)] = None
        return list(found)

    @property
    def static(self) -> bool:
        """Whether the reasons come from a table of every possible mask, inside the plan."""
        if not self.words:
            return True
        return len(self.words) == 1 and sum(g.width for g in self.groups) <= _STATIC_BITS

    def _layout(self) -> tuple[tuple[tuple[str, ...], str | None, int, int], ...]:
        return tuple((g.reasons, g.field, g.shift, g.width) for g in self.groups)

    def lists(self, dtype: pl.List, *, columns: bool) -> list[pl.Expr]:
        """The reasons list (and the columns list) as expressions, for a `static` mask."""
        empty: list[object] = []
        if not self.words:
            out = [pl.lit(empty, dtype=dtype)]
            return [*out, pl.lit(empty, dtype=_COLUMNS_DTYPE)] if columns else out
        reasons, names = _every_mask(self._layout(), dtype)
        word = pl.col(self.words[0])
        out = [pl.lit(reasons).gather(word)]
        return [*out, pl.lit(names).gather(word)] if columns else out

    def attach(
        self, frame: pl.DataFrame, reasons: str, columns: str | None, dtype: pl.List
    ) -> pl.DataFrame:
        """Replace the word columns of ``frame`` by a reasons list (and a columns list).

        For a mask that is not `static`: the lists are decoded once per distinct mask of the
        frame, then gathered by each row's position among the distinct masks.
        """
        if self.static:
            return frame
        if frame.height == 0:
            extra = [pl.Series(reasons, [], dtype=dtype)]
            if columns is not None:
                extra.append(pl.Series(columns, [], dtype=_COLUMNS_DTYPE))
            return frame.drop(self.words).with_columns(extra)
        distinct = frame.select(self.words).unique(maintain_order=True)
        decoded = [self.decode(row) for row in distinct.iter_rows()]
        key = pl.concat_str([pl.col(w).cast(pl.String) for w in self.words], separator=":")
        keys = distinct.select(key).to_series().to_list()
        at = position(key, keys)
        table = [pl.Series([[r for r, _ in pairs] for pairs in decoded], dtype=dtype)]
        if columns is not None:
            names_ = [[c for _, c in pairs] for pairs in decoded]
            table.append(pl.Series(names_, dtype=_COLUMNS_DTYPE))
        names = [reasons] if columns is None else [reasons, columns]
        return frame.with_columns(
            pl.lit(series).gather(at).alias(name) for series, name in zip(table, names, strict=True)
        ).drop(self.words)


@functools.lru_cache(maxsize=64)
def _every_mask(
    layout: tuple[tuple[tuple[str, ...], str | None, int, int], ...], dtype: pl.List
) -> tuple[pl.Series, pl.Series]:
    """The reasons and columns lists of every mask of a layout, indexed by the mask."""
    mask = Mask(
        tuple(_Group(r, f, pl.lit(0), 0, shift, width) for r, f, shift, width in layout), ("w",)
    )
    bits = sum(width for *_, width in layout)
    decoded = [mask.decode((value,)) for value in range(1 << bits)]
    return (
        pl.Series([[r for r, _ in pairs] for pairs in decoded], dtype=dtype),
        pl.Series([[c for _, c in pairs] for pairs in decoded], dtype=_COLUMNS_DTYPE),
    )


# -- the plan ------------------------------------------------------------------------------
