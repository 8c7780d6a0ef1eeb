"""PII: find personal data and secrets in a text column; redact, mask, pseudonymize or refuse."""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from inputguard._core.reasons import Reason
from inputguard._core.validator import (
    BatchContext,
    BatchPlan,
    RecordContext,
    RecordOutcome,
    Rule,
)
from inputguard._pii.actions import ACTIONS, TRANSFORMS, Action, KeyRef, load_key
from inputguard._pii.entities import DETERMINISTIC, ENTITIES, MODEL_ENTITIES
from inputguard._pii.optional import require
from inputguard._pii.recognizer import PiiRecognizer
from inputguard._pii.scan import Scanner
from inputguard.exceptions import ConfigurationError, InputRejected

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["DEFAULT_ENTITIES", "Pii", "pii"]

DEFAULT_ENTITIES: Final = DETERMINISTIC
"""The default entities: every deterministic one but the national identifiers (`NATIONAL`).

National identifiers and model-based entities (which need a `PiiRecognizer`) are opt-in.
"""

_DEFAULT_ACTION: Final = "redact"
_DEFAULT_REGION: Final = "US"
_DEFAULT_KEEP: Final = 4
_TEXT = (pl.String, pl.Categorical, pl.Enum, pl.Null)
_EMPTY = RecordOutcome()


def code(entity: str, action: str) -> str:
    """The reason code of ``entity`` under ``action``: ``pii.email`` or ``pii.email.redacted``."""
    past = TRANSFORMS.get(action)
    return f"pii.{entity}" if past is None else f"pii.{entity}.{past}"


@dataclass(frozen=True, slots=True, repr=False)
class Pii:
    """A PII validator; build it with `pii`."""

    column: str
    actions: tuple[tuple[str, str], ...]
    allow: frozenset[str] = frozenset()
    allow_patterns: tuple[str, ...] = ()
    region: str = _DEFAULT_REGION
    key: KeyRef | None = None
    mask_keep: int = _DEFAULT_KEEP
    recognizers: tuple[PiiRecognizer, ...] = ()
    _scanner: Scanner = field(init=False, repr=False, compare=False, hash=False)
    _codes: tuple[tuple[str, str, bool], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    # The last text the record path scanned and its result: `Guard.check` asks twice for a
    # text with a finding (its compiled path, then every validator for the reasons and
    # warnings), and the scan is a function of the text alone.
    _last: tuple[str, tuple[str, tuple[str, ...]]] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        scanner = Scanner(
            actions=dict(self.actions),
            allow=self.allow,
            allow_patterns=tuple(re.compile(p) for p in self.allow_patterns),
            region=self.region,
            key=b"" if self.key is None else self.key.material,
            mask_keep=self.mask_keep,
            recognizers=self.recognizers,
        )
        object.__setattr__(self, "_scanner", scanner)
        actions = dict(self.actions)
        codes = tuple(
            (name, code(name, actions[name]), actions[name] != "reject") for name in scanner.order
        )
        object.__setattr__(self, "_codes", codes)

    def __reduce__(self) -> tuple[object, tuple[dict[str, Any]]]:
        # The key travels by reference and is read again where the validator is unpickled.
        return (_rebuild, (self._arguments(),))

    def _arguments(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "entities": dict(self.actions),
            "allow": sorted(self.allow),
            "allow_patterns": list(self.allow_patterns),
            "region": self.region,
            "key_env": None if self.key is None else self.key.env,
            "key_file": None if self.key is None else self.key.file,
            "mask_keep": self.mask_keep,
            "recognizers": list(self.recognizers),
        }

    def __repr__(self) -> str:
        parts = [repr(self.column)]
        names = tuple(name for name, _ in self.actions)
        kinds = {action for _, action in self.actions}
        if len(kinds) == 1:
            if names != DEFAULT_ENTITIES:
                parts.append(f"entities={names!r}")
            if kinds != {_DEFAULT_ACTION}:
                parts.append(f"action={kinds.pop()!r}")
        else:
            parts.append(f"entities={dict(self.actions)!r}")
        if self.allow:
            parts.append(f"allow=<{len(self.allow)} values>")  # values may be personal data
        if self.allow_patterns:
            parts.append(f"allow_patterns=<{len(self.allow_patterns)} patterns>")
        if self.region != _DEFAULT_REGION:
            parts.append(f"region={self.region!r}")
        if self.key is not None:
            parts.append(
                f"key_env={self.key.env!r}" if self.key.env else f"key_file={self.key.file!r}"
            )
        if self.mask_keep != _DEFAULT_KEEP:
            parts.append(f"mask_keep={self.mask_keep!r}")
        if self.recognizers:
            parts.append(f"recognizers=[{', '.join(type(r).__name__ for r in self.recognizers)}]")
        return f"pii({', '.join(parts)})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The scanned column."""
        return (self.column,)

    @property
    def reasons(self) -> frozenset[str]:
        """``pii.<entity>`` (reject, flag) and ``pii.<entity>.<redacted|masked|pseudonymized>``."""
        return frozenset(c for _, c, _ in self._codes)

    @property
    def transforms(self) -> bool:
        """Whether any entity's action rewrites the text (the column is then an output)."""
        return any(action in TRANSFORMS for _, action in self.actions)

    def scan(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The rewritten text and the entities found in it, as the record path decides.

        >>> pii("notes", entities=("email",)).scan("write to ada@example.org")
        ('write to <EMAIL>', ('email',))
        """
        return self._scanner.scan(text)

    # -- record path -----------------------------------------------------------------------

    def check_record(self, record: Mapping[str, Any], ctx: RecordContext) -> RecordOutcome:
        """Scan one record's value; see `pii` for the rules."""
        value = record[self.column]
        if value is None:
            return _EMPTY
        if isinstance(value, str):
            text = value
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            raise _wrong_type(self, type(value).__name__)
        last = self._last  # one read: another thread may replace it, never change it
        if last is not None and last[0] == text:
            rewritten, found = last[1]
        else:
            rewritten, found = self._scanner.scan(text)
            object.__setattr__(self, "_last", (text, (rewritten, found)))
        reasons: list[str] = []
        warnings: list[str] = []
        for name, reason, warning in self._codes:
            if name in found:
                (warnings if warning else reasons).append(reason)
        updates = {self.column: rewritten} if self.transforms else {}
        return RecordOutcome(reasons=tuple(reasons), warnings=tuple(warnings), updates=updates)

    # -- batch path ------------------------------------------------------------------------

    def plan(self, ctx: BatchContext) -> BatchPlan:
        """One elementwise scan per batch into a helper struct; a rule per entity reads it."""
        dtype = ctx.schema[self.column]
        if not (isinstance(dtype, _TEXT) or dtype.is_integer()):
            raise _wrong_type(self, str(dtype))
        tag = ctx.helper(f"pii{zlib.crc32(repr(self).encode()):08x}")
        struct = pl.Struct(
            {"text": pl.String(), **{name: pl.Boolean() for name, _, _ in self._codes}}
        )
        scanned = (
            pl.col(self.column)
            .cast(pl.String)
            .map_batches(self._scanner.scan_series, return_dtype=struct, is_elementwise=True)
        )
        found = pl.col(tag).struct
        rules = tuple(
            Rule(reason, found.field(name), warning=warning, field=self.column)
            for name, reason, warning in self._codes
        )
        outputs = {self.column: found.field("text")} if self.transforms else {}
        return BatchPlan(
            rules=rules,
            outputs=outputs,
            prepare=lambda lf: lf.with_columns(scanned.alias(tag)),
        )


def _wrong_type(validator: Pii, found: str) -> InputRejected:
    return InputRejected(
        f"column {validator.column!r} must hold text (or integers) for {validator!r} (got {found})",
        reasons=[Reason.SCHEMA_DTYPE],
        field=validator.column,
        validator=repr(validator),
    )


def _rebuild(arguments: dict[str, Any]) -> Pii:
    return pii(**arguments)


def _actions(
    entities: Sequence[str] | Mapping[str, str], action: str
) -> tuple[tuple[str, str], ...]:
    if isinstance(entities, str):
        raise ConfigurationError(
            f"'entities' must be a list of entity names or a mapping of entity to action "
            f"(got the string {entities!r}; write ({entities!r},))"
        )
    if action not in ACTIONS:
        raise ConfigurationError(f"'action' must be one of {list(ACTIONS)!r} (got {action!r})")
    pairs = (
        list(entities.items())
        if isinstance(entities, Mapping)
        else [(name, action) for name in entities]
    )
    known = (*ENTITIES, *MODEL_ENTITIES)
    seen: set[str] = set()
    for name, chosen in pairs:
        if name not in known:
            raise ConfigurationError(f"unknown PII entity {name!r} (known: {', '.join(known)})")
        if chosen not in ACTIONS:
            raise ConfigurationError(
                f"action for {name!r} must be one of {list(ACTIONS)!r} (got {chosen!r})"
            )
        if name in seen:
            raise ConfigurationError(f"entity {name!r} is listed twice")
        seen.add(name)
    if not pairs:
        raise ConfigurationError("'entities' must name at least one entity")
    order = {name: i for i, name in enumerate(known)}
    return tuple(sorted(pairs, key=lambda pair: order[pair[0]]))


def _strings(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise ConfigurationError(f"{name!r} must be a list of strings, not one string")
    out = list(values)
    for v in out:
        if not isinstance(v, str) or not v:
            raise ConfigurationError(f"{name!r} must hold non-empty strings (got {v!r})")
    return out


def pii(  # noqa: PLR0912 - one check per argument, each with its own message
    column: str,
    *,
    entities: Sequence[str] | Mapping[str, str] = DEFAULT_ENTITIES,
    action: Action = _DEFAULT_ACTION,
    allow: Iterable[str] = (),
    allow_patterns: Iterable[str] = (),
    region: str = _DEFAULT_REGION,
    key_env: str | None = None,
    key_file: str | None = None,
    mask_keep: int = _DEFAULT_KEEP,
    recognizers: Iterable[PiiRecognizer] = (),
) -> Pii:
    """Find personal data and secrets in ``column`` and act on each entity as configured.

    Deterministic entities, scanned in this order (each on the text the previous ones left):
    ``secret`` (API tokens with known prefixes, private-key blocks, JSON web tokens),
    ``url_credentials`` (the user info of a URL), ``email``, ``iban`` (registry length and
    mod-97), ``card`` (Luhn and issuer ranges), ``us_ssn``, ``ip`` (IPv4 and IPv6) and
    ``phone`` (valid numbers for ``region``, or with a country code; needs the ``pii`` extra).
    These are the default. National identifiers are opt-in (named in ``entities``; they need
    the ``pii`` extra) and scanned after them, each in its usual written shape and only with
    the right check digit or letter: ``es_dni`` (Spanish DNI ``12345678Z`` and NIE
    ``X1234567L``), ``it_fiscal_code`` (Italian codice fiscale, 16 characters),
    ``fr_nir`` (French NIR, 15 digits, compact or in its usual groups), ``br_cpf``
    (Brazilian CPF ``123.456.789-09``) and ``in_aadhaar`` (Indian Aadhaar ``2345 6789 0124``).
    ``person``, ``location`` and ``organization`` need a model-based `PiiRecognizer`.

    Actions: ``redact`` (a typed placeholder such as ``<EMAIL>``), ``mask`` (letters and digits
    become ``*`` but the last ``mask_keep``), ``pseudonymize`` (``<EMAIL:16 hex>``, a keyed
    HMAC-SHA256, stable across calls and processes with the same key), ``reject``
    (quarantine with ``pii.<entity>``) and ``flag`` (accepted with the warning
    ``pii.<entity>``). A rewritten row is accepted with the warning
    ``pii.<entity>.redacted`` / ``.masked`` / ``.pseudonymized``; accepted rows carry the
    rewritten text, quarantined rows the original.

    Args:
        column: The text column (or record key); integer columns are scanned as decimal text.
        entities: Entity names (each gets ``action``) or a mapping of entity name to action.
        action: The action of every entity given by name.
        allow: Values never reported, compared with the found text and its canonical form
            (a card's digits, a lower-cased e-mail address, an IBAN without spaces, a
            national identifier's letters and digits).
        allow_patterns: Regular expressions (Python syntax) whose full match on the found
            text means it is never reported.
        region: ISO 3166 region for phone numbers written without a country code.
        key_env: Environment variable holding the pseudonym key (16 bytes at least).
        key_file: File holding the pseudonym key, instead of ``key_env``.
        mask_keep: Letters and digits ``mask`` leaves visible at the end.
        recognizers: Model-based recognizers; each entity that needs one must be covered.

    Returns:
        An immutable `Pii` validator.

    Raises:
        ConfigurationError: An unknown entity or action, a missing optional dependency (with
            the install command), a model entity without a recognizer, ``pseudonymize``
            without a key (or a key given where none is used), an invalid allow pattern or
            region, or a negative ``mask_keep``.

    >>> pii("notes", entities=("email", "card"))
    pii('notes', entities=('email', 'card'))
    >>> pii("notes", entities={"email": "mask", "card": "reject"}).scan("4111 1111 1111 1111")
    ('4111 1111 1111 1111', ('card',))
    >>> pii("notes", entities=("email", "es_dni")).scan("DNI 12345678Z, not 12345678A")
    ('DNI <ES_DNI>, not 12345678A', ('es_dni',))
    >>> pii("notes", entities=("person",))
    Traceback (most recent call last):
    ...
    inputguard.exceptions.ConfigurationError: entity 'person' needs a model-based recognizer ...
    """
    if not isinstance(column, str) or not column:
        raise ConfigurationError(f"'column' must be a non-empty column name (got {column!r})")
    pairs = _actions(entities, action)
    models = tuple(recognizers)
    for recognizer in models:
        if not isinstance(recognizer, PiiRecognizer):
            raise ConfigurationError(
                f"recognizers must have 'entities' and 'find' (got {type(recognizer).__name__})"
            )
    covered = {name for r in models for name in r.entities}
    for name, _ in pairs:
        spec = ENTITIES.get(name)
        if spec is None and name not in covered:
            raise ConfigurationError(
                f"entity {name!r} needs a model-based recognizer (recognizers=[...]); none of "
                f"the given recognizers finds it, and no pattern can (see docs/pii.md)"
            )
        if spec is not None and spec.needs is not None:
            require(spec.needs, name)
    if not isinstance(region, str) or not re.fullmatch(r"[A-Z]{2}", region):
        raise ConfigurationError(f"'region' must be an ISO 3166 code such as 'US' (got {region!r})")
    if any(name == "phone" for name, _ in pairs):
        from inputguard._pii.optional import phonenumbers_module  # noqa: PLC0415

        if region not in phonenumbers_module().SUPPORTED_REGIONS:
            raise ConfigurationError(f"'region' {region!r} is not a region phonenumbers knows")
    if isinstance(mask_keep, bool) or not isinstance(mask_keep, int) or mask_keep < 0:
        raise ConfigurationError(f"'mask_keep' must be an integer >= 0 (got {mask_keep!r})")
    patterns = _strings(allow_patterns, "allow_patterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConfigurationError(f"allow pattern {pattern!r} is invalid: {error}") from None
    pseudonymizes = any(a == "pseudonymize" for _, a in pairs)
    if pseudonymizes:
        key = load_key(key_env, key_file)
    elif key_env is not None or key_file is not None:
        raise ConfigurationError("a pseudonym key is given but no entity uses 'pseudonymize'")
    else:
        key = None
    return Pii(
        column=column,
        actions=pairs,
        allow=frozenset(_strings(allow, "allow")),
        allow_patterns=tuple(patterns),
        region=region,
        key=key,
        mask_keep=mask_keep,
        recognizers=models,
    )
