"""The provenance family: registered sources and, when configured, signatures.

Valid records come from active sources; with signatures they are signed on the producer side
with `inputguard.sign`, by a key whose validity window holds both the issue time and the clock
reading. HMAC secrets are the guard's own verification material; Ed25519 needs the private
keys, given as ``signing_keys``.

Records for ``signature.key_expired`` and ``signature.key_not_yet_valid`` carry a key whose
window excludes the issue time or the clock reading, each at least `MARGIN` from the window's
edges. They are signed with that key when the strategies hold its producer-side material, and
otherwise carry a well-formed signature of the key's size: the window is checked before the
signature is verified.
"""

from __future__ import annotations

import base64
import string
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import polars as pl
from hypothesis import strategies as st

from inputguard._core.reasons import Reason
from inputguard._provenance.canonical import format_issued_at
from inputguard._provenance.signing import sign
from inputguard.exceptions import ConfigurationError
from inputguard.strategies._time import _HIGH, _LOW, MARGIN

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from inputguard._provenance.keys import LoadedKey
    from inputguard._provenance.validator import Provenance
    from inputguard.strategies._family import Values

__all__ = ["ProvenanceFamily"]

_BOOLS: Final = st.booleans()
_PAYLOAD: Final = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=8)
_AGE: Final = st.integers(0, 3600).map(lambda s: timedelta(seconds=s))
_BEYOND: Final = st.integers(0, 86_400 * 30).map(lambda s: timedelta(seconds=s))
_NOT_SIGNATURES: Final = st.sampled_from(
    ["not-a-signature", "AAAA", "====", "c2lnbmF0dXJl", "x" * 43 + "!", "A" * 44]
)
_UNKNOWN_KIDS: Final = st.sampled_from(["unknown-kid", "k0", "2020-q1", "retired-key"])
_SOURCE_REASONS: Final = (
    Reason.SOURCE_MISSING,
    Reason.SOURCE_UNKNOWN,
    Reason.SOURCE_SUSPENDED,
    Reason.SOURCE_RETIRED,
)
_WINDOW_REASONS: Final = (Reason.SIGNATURE_KEY_EXPIRED, Reason.SIGNATURE_KEY_NOT_YET_VALID)
_MALFORMED_PARTS: Final = st.sampled_from(["signature", "kid", "issued_at"])
_BAD_ISSUED: Final = st.sampled_from(
    [None, "2026-11-22T12:00:00", "yesterday", "2026-02-30T12:00:00Z", ""]
)


def _random_signature(size: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=size, max_size=size).map(
        lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")
    )


_RANDOM_SIGNATURES: Final = {32: _random_signature(32), 64: _random_signature(64)}


Placement = Literal["now", "before", "inside", "after"]
"""Where a window reason's issue time lies: at the clock reading, or relative to the window."""


class WindowCase(NamedTuple):
    """One way to make a key's validity window reject a record.

    Attributes:
        key: The key's position in the validator's keyring.
        placement: ``"now"``: issued just before the clock reading (the key is not valid yet);
            ``"before"``: issued before ``not_before``; ``"inside"``: issued inside the window,
            which closed before the clock reading; ``"after"``: issued after ``not_after``.
    """

    key: int
    placement: Placement


def window_cases(keys: tuple[LoadedKey, ...], now: datetime, reason: str) -> list[WindowCase]:
    """The ways the keys' windows make the guard report exactly ``reason`` at ``now``.

    The guard reports ``signature.key_expired`` when the issue time or the clock reading is at
    or after ``not_after``, and otherwise ``signature.key_not_yet_valid`` when either is before
    ``not_before``. Every case keeps both instants at least `MARGIN` from the window's edges
    and the issue time within the years 1000-9000.

    Args:
        keys: The keyring's keys (of active sources only).
        now: The clock reading the guard will use.
        reason: ``signature.key_expired`` or ``signature.key_not_yet_valid``.

    Returns:
        The cases, by key order; empty when no key can trigger ``reason`` at ``now``.
    """
    out: list[WindowCase] = []
    for i, key in enumerate(keys):
        start, end = key.not_before, key.not_after
        if reason == Reason.SIGNATURE_KEY_EXPIRED:
            if end is None:
                continue
            if now >= end + MARGIN and end - MARGIN >= _LOW:
                out.append(WindowCase(i, "inside"))
            if end + MARGIN <= _HIGH:
                out.append(WindowCase(i, "after"))
        elif start is not None and (end is None or now <= end - MARGIN):
            # Not expired: the clock reading is clear of the end, and so is every issue time
            # drawn below (each lies before the clock reading or before the start).
            if now <= start - MARGIN:
                out.append(WindowCase(i, "now"))
            if start - MARGIN >= _LOW:
                out.append(WindowCase(i, "before"))
    return out


def _unknown_ids(known: frozenset[str]) -> list[str]:
    """Realistic ids the registry does not list: near-misses of registered ids first."""
    out: list[str] = []
    for sid in sorted(known):
        out.extend([sid.upper(), f" {sid}", sid.replace("-", "_"), f"{sid}-v2", sid[:-1]])
    out.extend(["scraper-7", "manual-upload", "test", "unknown", ""])
    return list(dict.fromkeys(c for c in out if c not in known))


class ProvenanceFamily:
    """Values for a `provenance` validator's source column and signature columns."""

    def __init__(
        self,
        validator: Provenance,
        signing_keys: Mapping[tuple[str, str], bytes | Ed25519PrivateKey],
        *,
        now: datetime,
    ) -> None:
        self._v = validator
        registry = validator.registry
        by_status: dict[str, list[str]] = {"active": [], "suspended": [], "retired": []}
        spellings: dict[str, list[str]] = {"active": [], "suspended": [], "retired": []}
        for s in registry.sources:
            by_status[s.status].append(s.id)
            spellings[s.status].extend((s.id, *s.aliases))  # an alias counts as its source
        self._suspended = st.sampled_from(spellings["suspended"] or ["-"])
        self._retired = st.sampled_from(spellings["retired"] or ["-"])
        self._has = {k: bool(v) for k, v in by_status.items()}
        self._unknown = st.sampled_from(
            _unknown_ids(frozenset(registry.ids) | frozenset(registry.aliases))
        )
        self._signer: dict[int, bytes | Ed25519PrivateKey] = {}
        keys: tuple[LoadedKey, ...] = validator.keyring.keys if validator.keyring else ()
        self._keys = keys
        for i, key in enumerate(keys):
            given = signing_keys.get((key.source, key.kid))
            if given is not None:
                self._signer[i] = given
            elif key.alg == "hmac-sha256" and isinstance(key.material, bytes):
                self._signer[i] = key.material
        active = by_status["active"]
        if validator.signature is None:
            self._valid_sources: list[str] = spellings["active"]
        else:  # signatures bind the canonical id: signed records carry it
            self._valid_sources = sorted({keys[i].source for i in self._signer} & set(active))
        if not self._valid_sources:
            need = (
                "no active source"
                if validator.signature is None or not active
                else "no active source with a key it can sign with (pass the Ed25519 private "
                "keys as signing_keys={(source, kid): key})"
            )
            raise ConfigurationError(
                f"inputguard.strategies cannot generate records {validator!r} accepts: {need}"
            )
        self._sources = st.sampled_from(self._valid_sources)
        self._active = st.sampled_from(active or ["-"])
        self._windows = tuple(r for r in _WINDOW_REASONS if window_cases(keys, now, r))

    @property
    def validator(self) -> Provenance:
        """The validator."""
        return self._v

    @property
    def owns(self) -> tuple[str, ...]:
        """The source column, and with signatures the signature, key id and issue time."""
        v = self._v
        if v.signature is None:
            return (v.source,)
        return (v.source, v.signature, v.kid, v.issued_at)

    @property
    def reads(self) -> tuple[str, ...]:
        """The signed payload columns."""
        return self._v.signed

    @property
    def text_only(self) -> tuple[str, ...]:
        """Signed columns must hold signable values; text is always signable."""
        return self._v.signed

    @property
    def rejections(self) -> tuple[str, ...]:
        """Source reasons, and signature reasons that the registry's keys make possible.

        The window reasons are listed when some key of an active source can trigger them at
        the clock reading the family was built for.
        """
        out = [Reason.SOURCE_MISSING, Reason.SOURCE_UNKNOWN]
        if self._has["suspended"]:
            out.append(Reason.SOURCE_SUSPENDED)
        if self._has["retired"]:
            out.append(Reason.SOURCE_RETIRED)
        if self._v.signature is not None:
            out.extend(
                [Reason.SIGNATURE_MISSING, Reason.SIGNATURE_MALFORMED, Reason.SIGNATURE_UNKNOWN_KEY]
            )
            out.extend(self._windows)
            out.append(Reason.SIGNATURE_INVALID)
        return tuple(str(r) for r in out)

    def dtypes(self, *, generated: tuple[str, ...]) -> Mapping[str, pl.DataType]:
        """Every generated column is text."""
        return dict.fromkeys(generated, pl.String())

    # -- drawing ---------------------------------------------------------------------------

    def _payload(self, draw: st.DrawFn, record: Mapping[str, Any]) -> Values:
        return {name: draw(_PAYLOAD) for name in self._v.signed if name not in record}

    def _usable(self, now: datetime, source: str) -> list[int]:
        """Keys of ``source`` the strategies can sign with and that are valid at ``now``."""
        out = []
        for i in self._signer:
            key = self._keys[i]
            if key.source != source:
                continue
            if key.not_before is not None and now < key.not_before + MARGIN:
                continue
            if key.not_after is not None and now >= key.not_after - MARGIN:
                continue
            out.append(i)
        return out

    def _issued(self, draw: st.DrawFn, now: datetime, index: int) -> datetime:
        key = self._keys[index]
        issued = now - draw(_AGE)
        if key.not_before is not None and issued < key.not_before + MARGIN:
            issued = key.not_before + MARGIN
        return issued

    def _signed(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], source: str
    ) -> Values | None:
        """A correctly signed record of ``source`` (None if no key is usable at ``now``)."""
        usable = self._usable(now, source)
        if not usable:
            return None
        index = draw(st.sampled_from(usable))
        return self._sign_with(draw, record, index, self._issued(draw, now, index))

    def _window_record(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], reason: str
    ) -> Values:
        """A record signed by a key whose validity window makes the guard report ``reason``."""
        cases = window_cases(self._keys, now, reason)
        if not cases:
            raise ConfigurationError(
                f"no signing key of an active source in {self._v.registry!r} can make a record "
                f"fail with {reason!r} at {now.isoformat()}"
            )
        index, placement = draw(st.sampled_from(cases))
        key = self._keys[index]
        if placement == "now":
            issued = now - draw(_AGE)
        elif placement == "before":
            assert key.not_before is not None
            issued = key.not_before - MARGIN - draw(_BEYOND)
        elif placement == "inside":
            assert key.not_after is not None
            issued = key.not_after - MARGIN - draw(_BEYOND)
            if key.not_before is not None:  # signed while the key was valid, when there is room
                issued = max(issued, min(key.not_before + MARGIN, key.not_after - MARGIN))
        else:
            assert key.not_after is not None
            issued = key.not_after + MARGIN + draw(_BEYOND)
        return self._sign_with(draw, record, index, min(max(issued, _LOW), _HIGH))

    def _sign_with(
        self, draw: st.DrawFn, record: Mapping[str, Any], index: int, issued: datetime
    ) -> Values:
        """Values of key ``index``'s source, signed with it at ``issued``.

        Without the key's producer-side material the signature is random but well formed.
        """
        v = self._v
        key = self._keys[index]
        column = v.signature or "signature"
        values: Values = {v.source: key.source, **self._payload(draw, record)}
        signer = self._signer.get(index)
        if signer is None:
            values[column] = draw(_RANDOM_SIGNATURES[64 if key.alg == "ed25519" else 32])
            values[v.kid] = key.kid
            values[v.issued_at] = format_issued_at(issued)
            return values
        signed = sign(
            {**record, **values},
            key=signer,
            key_id=key.kid,
            signed=v.signed,
            issued=issued,
            source=v.source,
            signature=column,
            kid=v.kid,
            issued_at=v.issued_at,
        )
        return {k: signed[k] for k in (*values, column, v.kid, v.issued_at)}

    def _unsigned(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], source: object
    ) -> Values:
        """Source value plus plausible signature columns (not checked for this source)."""
        v = self._v
        values: Values = {v.source: source, **self._payload(draw, record)}
        if v.signature is not None:
            values[v.signature] = draw(_RANDOM_SIGNATURES[32])
            values[v.kid] = draw(_UNKNOWN_KIDS)
            values[v.issued_at] = format_issued_at(now - draw(_AGE))
        return values

    def valid(
        self, draw: st.DrawFn, now: datetime, record: Mapping[str, Any], *, frame: bool
    ) -> Values:
        """An active source, correctly signed when signatures are checked."""
        source = draw(self._sources)
        if self._v.signature is None:
            return {self._v.source: source, **self._payload(draw, record)}
        values = self._signed(draw, now, record, source)
        if values is None:
            raise ConfigurationError(
                f"no signing key of source {source!r} is valid at {now.isoformat()}"
            )
        return values

    def invalid(
        self,
        draw: st.DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """Values the validator rejects with exactly ``reason``."""
        if reason in _SOURCE_REASONS:
            return self._unsigned(draw, now, record, self._bad_source(draw, reason, frame=frame))
        if reason in _WINDOW_REASONS:
            return self._window_record(draw, now, record, reason)
        return self._bad_signature(draw, now, record, reason, frame=frame)

    def _bad_source(self, draw: st.DrawFn, reason: str, *, frame: bool) -> object:
        """A source value the validator rejects with ``reason`` (a ``source.*`` code)."""
        if reason == Reason.SOURCE_MISSING:
            return None
        if reason == Reason.SOURCE_UNKNOWN:
            return 7 if not frame and draw(_BOOLS) else draw(self._unknown)
        return draw(self._suspended if reason == Reason.SOURCE_SUSPENDED else self._retired)

    def _bad_signature(
        self,
        draw: st.DrawFn,
        now: datetime,
        record: Mapping[str, Any],
        reason: str,
        *,
        frame: bool,
    ) -> Values:
        """A valid record with its signature columns damaged so they fail for ``reason``."""
        v = self._v
        assert v.signature is not None
        values = self.valid(draw, now, record, frame=frame)
        if reason == Reason.SIGNATURE_MISSING:
            values[v.signature] = draw(st.sampled_from([None, ""]))
        elif reason == Reason.SIGNATURE_MALFORMED:
            part = draw(_MALFORMED_PARTS)
            if part == "signature":
                values[v.signature] = draw(_NOT_SIGNATURES)
            elif part == "kid":
                values[v.kid] = None
            else:
                values[v.issued_at] = draw(_BAD_ISSUED)
        elif reason == Reason.SIGNATURE_UNKNOWN_KEY:
            source = values[v.source]
            kids = {k.kid for k in self._keys if k.source == source}
            other = [k.kid for k in self._keys if k.kid not in kids]  # another source's key id
            kid = draw(st.sampled_from([*other, "unknown-kid", "k0"]))
            values[v.kid] = kid if kid not in kids else f"{kid}-x"
        else:  # signature.invalid: a well-formed signature that does not verify
            size = 64 if self._keys[self._keys_of(values)].alg == "ed25519" else 32
            values[v.signature] = draw(_RANDOM_SIGNATURES[size])
        return values

    def _keys_of(self, values: Mapping[str, Any]) -> int:
        index = self._v.keyring.index(values[self._v.source], values[self._v.kid])  # type: ignore[union-attr]
        assert index is not None
        return index
