"""Provenance: is a record from a registered, active source, and did that source sign it?

What runs where on the batch path:

- **Vectorized (native polars):** the allowlist and status checks (``is_in`` on the source
  column, one per status that has sources), the owner column (one `lookup`), the
  shape checks of the signature fields, the issue instant (one fixed-format parse for text
  already in the canonical form, the general ISO-8601 parser for the rest), the key lookup by
  ``(source, kid)``, the canonical message of every row (the header looked up per key with
  `canonical_header`, the rest from `canonical_body_expr`), and the key validity windows.
- **One Python pass per batch:** the cryptographic check itself, HMAC-SHA256 or Ed25519, inside
  a single ``map_batches`` over the whole column. The rows that still need it are grouped by
  key in polars; each key's prepared check (`batch_verifier`: HMAC keyed states built once)
  then loops over plain lists of bytes. There is no per-row ``map_elements``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from inputguard._core.dtypes import US_UTC, is_text
from inputguard._core.lookup import lookup, position
from inputguard._core.reasons import Reason
from inputguard._core.steps import FALLBACK, FastStep
from inputguard._core.validator import BatchContext, BatchPlan, Coded, RecordContext, RecordOutcome
from inputguard._provenance.canonical import (
    Unsignable,
    canonical_body_expr,
    canonical_header,
    canonical_message,
    decode_signature,
    decode_signature_expr,
    issued_instant,
)
from inputguard._provenance.keys import Keyring, verify
from inputguard._provenance.registry import SourceRegistry
from inputguard._provenance.signatures import (
    SIG_CODE,
    SIG_OK,
    SIG_ORDER,
    SIG_VERIFY,
    SIGNATURE_REASONS,
    BatchVerifier,
    Prepare,
    instant_expr,
    is_canonical_issued,
    per_key,
)
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from polars.expr.whenthen import ChainedThen, Then

__all__ = ["Provenance", "provenance"]


_INACTIVE: Final = ((Reason.SOURCE_SUSPENDED, "suspended"), (Reason.SOURCE_RETIRED, "retired"))
_INACTIVE_BY_STATUS: Final = {status: reason for reason, status in _INACTIVE}
# The source's coded rule: 0 passes, k reports _SOURCE_ORDER[k - 1]; a null fails closed with
# the last, source.unknown.
_SOURCE_ORDER: Final = (
    Reason.SOURCE_MISSING,
    Reason.SOURCE_SUSPENDED,
    Reason.SOURCE_RETIRED,
    Reason.SOURCE_UNKNOWN,
)
_SOURCE_CODE: Final = {reason: pl.lit(i + 1, pl.UInt8) for i, reason in enumerate(_SOURCE_ORDER)}
_SOURCE_REASONS: Final = frozenset(_SOURCE_ORDER)


@dataclass(frozen=True, slots=True, repr=False)
class Provenance:
    """A provenance validator; build it with `provenance`."""

    registry: SourceRegistry
    source: str = "source"
    signature: str | None = None
    kid: str = "kid"
    issued_at: str = "issued_at"
    signed: tuple[str, ...] = ()
    keyring: Keyring | None = field(default=None, compare=False, hash=False)
    # The record path's outcomes before any signature check, built once: by source id, and
    # for a missing or unregistered source (outcomes are read-only by convention).
    _by_source: Mapping[str, RecordOutcome] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _missing: RecordOutcome = field(init=False, repr=False, compare=False, hash=False)
    _unknown: RecordOutcome = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_source: dict[str, RecordOutcome] = {}
        for entry in self.registry.sources:
            reason = _INACTIVE_BY_STATUS.get(entry.status)
            by_source[entry.id] = RecordOutcome(
                reasons=() if reason is None else (reason,),
                owner=entry.owner,
                fields=() if reason is None else (self.source,),
            )
        for alias, canonical in self.registry.aliases.items():
            known = by_source[canonical]
            # An alias passes as its source does, and the accepted record carries the id.
            by_source[alias] = RecordOutcome(
                reasons=known.reasons,
                owner=known.owner,
                fields=known.fields,
                updates={self.source: canonical},
            )
        default = self.registry.default_owner
        at = (self.source,)
        object.__setattr__(self, "_by_source", by_source)
        object.__setattr__(
            self,
            "_missing",
            RecordOutcome(reasons=(Reason.SOURCE_MISSING,), owner=default, fields=at),
        )
        object.__setattr__(
            self,
            "_unknown",
            RecordOutcome(reasons=(Reason.SOURCE_UNKNOWN,), owner=default, fields=at),
        )

    def __repr__(self) -> str:
        parts = [repr(self.registry)]
        if self.source != "source":
            parts.append(f"source={self.source!r}")
        if self.signature is not None:
            parts.append(f"signature={self.signature!r}")
            if self.kid != "kid":
                parts.append(f"kid={self.kid!r}")
            if self.issued_at != "issued_at":
                parts.append(f"issued_at={self.issued_at!r}")
            parts.append(f"signed={self.signed!r}")
        return f"provenance({', '.join(parts)})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The source column; with signatures, also the signature, kid, issue time and signed."""
        if self.signature is None:
            return (self.source,)
        return (self.source, self.signature, self.kid, self.issued_at, *self.signed)

    @property
    def spellings(self) -> dict[str, dict[str, str]]:
        """The registry's aliases, by the source column: each alias stands for its source id."""
        aliases = self.registry.aliases
        return {self.source: dict(aliases)} if aliases else {}

    @property
    def reasons(self) -> frozenset[str]:
        """The ``source.*`` codes, and the ``signature.*`` codes when signatures are checked."""
        if self.signature is None:
            return _SOURCE_REASONS
        return _SOURCE_REASONS | SIGNATURE_REASONS

    # -- record path -----------------------------------------------------------------------

    def check_record(self, record: Mapping[str, Any], ctx: RecordContext) -> RecordOutcome:
        """Check one record's source (and signature); see `provenance` for the rules."""
        value = record[self.source]
        if value is None:
            return self._missing
        known = self._by_source.get(value) if isinstance(value, str) else None
        if known is None:
            return self._unknown
        if known.reasons or self.signature is None:  # suspended or retired; or nothing to verify
            return known
        canonical = known.updates.get(self.source, value)  # an alias: the id it stands for
        reason = self._signature_reason(record, canonical, ctx.now)
        if reason is None:
            return RecordOutcome(owner=known.owner, updates=known.updates)
        return RecordOutcome(reasons=(reason,), owner=known.owner, fields=(self.signature,))

    def record_step(self, prefix: str) -> FastStep | None:
        """The compiled record path's step: the source is registered and active.

        With signatures there is no step of its own: the record path calls `check_record`.
        """
        if self.signature is not None:
            return None
        # Aliases are not in the set: they take `check_record`, which also renames them.
        active = frozenset(s.id for s in self.registry.sources if s.status == "active")
        return FastStep(
            lines=(f"if record[{self.source!r}] not in {prefix}active:", f"    {FALLBACK}"),
            constants={f"{prefix}active": active},
        )

    def _signature_reason(  # noqa: PLR0911 - one return per reason, in the documented order
        self, record: Mapping[str, Any], source: str, now: datetime
    ) -> Reason | None:
        assert self.signature is not None
        assert self.keyring is not None
        text = record[self.signature]
        if text is None or text == "":
            return Reason.SIGNATURE_MISSING
        kid = record[self.kid]
        instant = issued_instant(record[self.issued_at])
        raw = decode_signature(text)
        if not isinstance(kid, str) or instant is None or raw is None:
            return Reason.SIGNATURE_MALFORMED
        try:
            message = canonical_message(
                source=source,
                kid=kid,
                issued_at=instant,
                fields={name: record[name] for name in self.signed},
            )
        except Unsignable:
            return Reason.SIGNATURE_MALFORMED
        index = self.keyring.index(source, kid)
        if index is None:
            return Reason.SIGNATURE_UNKNOWN_KEY
        key = self.keyring.keys[index]
        if key.not_after is not None and (instant >= key.not_after or now >= key.not_after):
            return Reason.SIGNATURE_KEY_EXPIRED
        if key.not_before is not None and (instant < key.not_before or now < key.not_before):
            return Reason.SIGNATURE_KEY_NOT_YET_VALID
        return None if verify(key, message, raw) else Reason.SIGNATURE_INVALID

    # -- batch path ------------------------------------------------------------------------

    def plan(self, ctx: BatchContext) -> BatchPlan:
        """Build the source rules, the owner column and, with signatures, the signature rule."""
        registry = self.registry
        column = pl.col(self.source)
        text = is_text(ctx.schema[self.source])
        src = column.cast(pl.String) if text else pl.lit(None, pl.String)
        aliases = registry.aliases
        if text and aliases:  # every rule below reads the canonical id
            src = pl.coalesce(
                lookup(src, list(aliases), list(aliases.values()), dtype=pl.String()), src
            )
        if text:
            owner = lookup(
                src,
                list(registry.ids),
                [s.owner for s in registry.sources],
                dtype=pl.String(),
                default=registry.default_owner,
            )
        else:
            owner = pl.lit(registry.default_owner, pl.String)
        # One coded rule for the source (at most one reason per row): one hash lookup per
        # status that has sources; none for a non-text column, which never holds a registered id.
        code: Then | ChainedThen = pl.when(column.is_null()).then(
            _SOURCE_CODE[Reason.SOURCE_MISSING]
        )
        if text:
            code = code.when(~src.is_in(list(registry.ids))).then(
                _SOURCE_CODE[Reason.SOURCE_UNKNOWN]
            )
            for reason, status in _INACTIVE:
                ids = [s.id for s in registry.sources if s.status == status]
                if ids:
                    code = code.when(src.is_in(ids)).then(_SOURCE_CODE[reason])
            coded = code.otherwise(pl.lit(0, pl.UInt8))
        else:
            coded = code.otherwise(_SOURCE_CODE[Reason.SOURCE_UNKNOWN])
        rules: list[Coded] = [Coded(coded, _SOURCE_ORDER, field=self.source)]
        prepare = None
        if self.signature is not None and text:
            prepare = self._signature_stages(ctx, src)
            rules.append(Coded(pl.col(prepare.helper), SIG_ORDER, field=self.signature))
        outputs = {self.source: src} if text and aliases else {}
        return BatchPlan(rules=tuple(rules), outputs=outputs, prepare=prepare, row_owner=owner)

    def _token(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:12]

    def _signature_stages(self, ctx: BatchContext, src: pl.Expr) -> Prepare:
        """The signature check as staged ``with_columns``: every part is computed once."""
        assert self.signature is not None
        assert self.keyring is not None
        schema = ctx.schema
        helper = ctx.helper(f"provenance_{self._token()}")

        def tmp(name: str) -> str:
            return f"{helper}_{name}"

        sig_col = pl.col(self.signature)
        if is_text(schema[self.signature]):
            sig_text = sig_col.cast(pl.String)
            missing = sig_text.is_null() | (sig_text == "")
            raw = decode_signature_expr(sig_text)
        else:  # only a null is acceptable as "no signature"; anything else is malformed
            missing = sig_col.is_null()
            raw = pl.lit(None, pl.Binary)
        kid = (
            pl.col(self.kid).cast(pl.String)
            if is_text(schema[self.kid])
            else pl.lit(None, pl.String)
        )
        active_ids = [s.id for s in self.registry.sources if s.status == "active"]
        first = [
            src.is_in(active_ids).fill_null(value=False).alias(tmp("active")),
            missing.alias(tmp("missing")),
            raw.alias(tmp("raw")),
            kid.alias(tmp("kid")),
            is_canonical_issued(self.issued_at, schema[self.issued_at]).alias(tmp("canonical")),
        ]
        instant, instant_text = instant_expr(
            self.issued_at, schema[self.issued_at], pl.col(tmp("canonical"))
        )
        kid, raw = pl.col(tmp("kid")), pl.col(tmp("raw"))
        keys = self.keyring.keys
        pair = pl.concat_str(src.str.len_bytes().cast(pl.String), pl.lit(":"), src, kid)
        issued = [
            instant.alias(tmp("at")),
            instant_text.alias(tmp("at_text")),
            position(pair, [f"{len(k.source.encode())}:{k.source}{k.kid}" for k in keys]).alias(
                tmp("index")
            ),
        ]
        instant, index = pl.col(tmp("at")), pl.col(tmp("index"))
        body, unsignable = canonical_body_expr(
            issued_at=instant,
            fields=self.signed,
            schema=schema,
            issued_at_text=pl.col(tmp("at_text")),
        )
        # The index matched (source, kid) exactly, so the key's header is the row's header:
        # one lookup instead of formatting the source and key id on every row.
        header = pl.lit(
            pl.Series([canonical_header(k.source, k.kid) for k in keys], dtype=pl.String)
        ).gather(index)
        second = [
            (raw.is_null() | kid.is_null() | instant.is_null() | unsignable).alias(tmp("bad")),
            pl.concat_str(header, body).alias(tmp("message")),
        ]
        not_before = per_key(index, [k.not_before for k in keys])
        not_after = per_key(index, [k.not_after for k in keys])
        now = pl.lit(ctx.now, US_UTC)
        expired = not_after.is_not_null() & ((instant >= not_after) | (now >= not_after))
        early = not_before.is_not_null() & ((instant < not_before) | (now < not_before))
        code = (
            pl.when(~pl.col(tmp("active")))
            .then(pl.lit(SIG_OK))
            .when(pl.col(tmp("missing")))
            .then(pl.lit(SIG_CODE[Reason.SIGNATURE_MISSING]))
            .when(pl.col(tmp("bad")))
            .then(pl.lit(SIG_CODE[Reason.SIGNATURE_MALFORMED]))
            .when(index.is_null())
            .then(pl.lit(SIG_CODE[Reason.SIGNATURE_UNKNOWN_KEY]))
            .when(expired)
            .then(pl.lit(SIG_CODE[Reason.SIGNATURE_KEY_EXPIRED]))
            .when(early)
            .then(pl.lit(SIG_CODE[Reason.SIGNATURE_KEY_NOT_YET_VALID]))
            .otherwise(pl.lit(SIG_VERIFY))
            .cast(pl.UInt8)
        )
        return Prepare(
            helper=helper,
            stages=((*first,), (*issued,), (*second,), (code.alias(tmp("code")),)),
            temporaries=tuple(
                tmp(n)
                for n in (
                    "active",
                    "missing",
                    "raw",
                    "kid",
                    "canonical",
                    "at",
                    "at_text",
                    "bad",
                    "message",
                    "index",
                    "code",
                )
            ),
            verifier=BatchVerifier(keys),
        )


def _column_name(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name!r} must be a non-empty column name (got {value!r})")
    return value


def provenance(
    registry: SourceRegistry,
    *,
    source: str = "source",
    signature: str | None = None,
    kid: str = "kid",
    issued_at: str = "issued_at",
    signed: Iterable[str] = (),
) -> Provenance:
    """Check that each record comes from a registered, active source, optionally signed by it.

    Per row, at most one source reason: ``source.missing`` (null source), ``source.unknown``
    (not a registered id; a non-string is never one), ``source.suspended``, ``source.retired``.
    With ``signature`` set, rows of active sources also need a valid signature (canonical form
    v1, ``docs/provenance.md``), and get at most one of, in this order: ``signature.missing``
    (null or empty), ``signature.malformed`` (not canonical base64url of 32 or 64 bytes, a
    missing or non-string kid, a missing, naive or invalid issue time, or a signed value with no
    canonical form such as NaN), ``signature.unknown_key`` (the source has no key with that kid:
    key ids are per source), ``signature.key_expired`` / ``signature.key_not_yet_valid`` (the
    issue time or the clock reading lies outside the key's validity window), and
    ``signature.invalid`` (verification failed). Every quarantined row names an owner: its
    source's, or the registry's ``default_owner`` when the source is missing or unknown.

    Args:
        registry: The source registry.
        source: The column holding the source id.
        signature: The column holding the signature; None (default) checks sources only.
        kid: The column holding the key id.
        issued_at: The column holding the issue instant (an aware datetime or an ISO-8601
            string with an offset).
        signed: The payload columns the signature covers (required with ``signature``).

    Returns:
        An immutable `Provenance` validator. Pickling it carries key references, never key
        material; the material is read again where it is unpickled.

    Raises:
        ConfigurationError: Not a registry; an empty or repeated column name; ``signature``
            without ``signed`` (a signature over no payload proves nothing) or ``signed``
            without ``signature``; no keys registered for active sources; a key whose
            reference cannot be read or holds no valid key.

    >>> from inputguard import Source
    >>> registry = SourceRegistry(
    ...     [Source("orders-api", "team-orders", "active")], default_owner="data-platform"
    ... )
    >>> provenance(registry)
    provenance(<SourceRegistry 1 sources sha256:405641ca>)
    """
    if not isinstance(registry, SourceRegistry):
        raise ConfigurationError(
            f"'registry' must be a SourceRegistry (got {type(registry).__name__})"
        )
    source = _column_name(source, "source")
    names = tuple(dict.fromkeys(signed)) if not isinstance(signed, str) else (signed,)
    if signature is None:
        if names:
            raise ConfigurationError("'signed' needs 'signature', the column of signatures")
        return Provenance(registry, source=source)
    columns = {
        "source": source,
        "signature": _column_name(signature, "signature"),
        "kid": _column_name(kid, "kid"),
        "issued_at": _column_name(issued_at, "issued_at"),
    }
    if len(set(columns.values())) != len(columns):
        raise ConfigurationError(
            f"'source', 'signature', 'kid' and 'issued_at' must be four different columns "
            f"(got {columns!r})"
        )
    if not names:
        raise ConfigurationError(
            "'signed' must name the payload columns the signature covers: a signature over no "
            "payload proves nothing about the record"
        )
    for name in names:
        _column_name(name, "signed")
        if name in columns.values():
            raise ConfigurationError(
                f"'signed' must not list {name!r}: the source, key id and issue time are always "
                f"signed, and the signature cannot sign itself"
            )
    specs = [(s.id, k) for s in registry.sources if s.status == "active" for k in s.keys]
    if not specs:
        raise ConfigurationError(
            f"{registry!r} lists no signing keys for its active sources; signatures cannot verify"
        )
    keyring = Keyring(specs, where=registry.path or "registry")
    return Provenance(
        registry,
        source=source,
        signature=columns["signature"],
        kid=columns["kid"],
        issued_at=columns["issued_at"],
        signed=names,
        keyring=keyring,
    )
