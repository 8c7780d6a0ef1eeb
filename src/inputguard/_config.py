"""`Guard.from_config`: a guard fully described by a TOML file.

Layout::

    [guard]
    name = "payments-scoring"

    [[validators]]            # in the order their reasons are listed
    type = "freshness"
    column = "event_ts"
    error_after = "15m"

Relative paths (vocabularies, registries) are resolved against the config file's folder.
Secrets are never written in the file: signing keys are named by reference in the registry.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inputguard._core.defaults import (
    AUDIT_EXAMPLES,
    FUZZY_CUTOFF,
    FUZZY_MARGIN,
    FUZZY_MIN_LENGTH,
    MAX_FUTURE_SKEW,
)
from inputguard._freshness.formats import DEFAULT_FORMATS
from inputguard._freshness.validator import freshness
from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from inputguard._core.validator import Validator

__all__ = ["BuildContext", "GuardConfig", "load_config"]


@dataclass
class BuildContext:
    """What validator configs may need while they are built: the file's folder, shared objects."""

    base: Path
    origin: str
    cache: dict[tuple[str, str], Any]

    def path(self, value: str) -> Path:
        """Resolve ``value`` against the config file's folder."""
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base / candidate

    def shared(self, kind: str, value: str, load: Callable[[Path], Any]) -> Any:
        """Load a file once per config (a registry used by two validators is one object)."""
        key = (kind, str(self.path(value).resolve()))
        if key not in self.cache:
            self.cache[key] = load(self.path(value))
        return self.cache[key]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuardSection(_Strict):
    """The ``[guard]`` table."""

    name: str = Field(min_length=1)
    registry: str | None = None
    """A source registry file shared by the provenance and freshness validators."""
    source_column: str | None = "source"
    audit_examples: int = Field(default=AUDIT_EXAMPLES, ge=0)
    result_columns: dict[str, str] | None = None
    """Other names for the result columns (``{owner = "fix_owner"}``); see `ResultColumns`."""
    redaction_key_env: str | None = None
    """Key audit examples' redaction (`keyed_redact`) with the secret in this variable."""
    redaction_key_file: str | None = None
    """Or with the secret in this file (relative to the guard file)."""


class FreshnessConfig(_Strict):
    """A ``type = "freshness"`` validator."""

    type: Literal["freshness"]
    column: str = Field(min_length=1)
    error_after: str
    warn_after: str | None = None
    max_future_skew: str = MAX_FUTURE_SKEW
    naive: str = "reject"
    formats: list[str] = Field(default_factory=lambda: list(DEFAULT_FORMATS))
    """Timestamp formats tried in order: named shapes or strftime patterns (docs/freshness.md)."""
    per_source: bool = False
    """Take per-source limits from the guard's registry (``[guard] registry = ...``)."""
    source: str = "source"

    def build(self, ctx: BuildContext, registry: Any) -> Validator:
        """Build the validator."""
        del ctx  # freshness reads no files
        limits = None
        if self.per_source:
            if registry is None:
                raise ConfigurationError(
                    "'per_source = true' needs a registry: set [guard] registry = \"sources.toml\""
                )
            limits = registry.freshness_limits()
        return freshness(
            self.column,
            error_after=self.error_after,
            warn_after=self.warn_after,
            max_future_skew=self.max_future_skew,
            naive=self.naive,
            per_source=limits,
            source=self.source,
            formats=self.formats,
        )


class ProvenanceConfig(_Strict):
    """A ``type = "provenance"`` validator."""

    type: Literal["provenance"]
    registry: str | None = None
    """The registry file; defaults to ``[guard] registry``."""
    source: str = "source"
    signature: str | None = None
    kid: str = "kid"
    issued_at: str = "issued_at"
    signed: list[str] = Field(default_factory=list)

    def build(self, ctx: BuildContext, registry: Any) -> Validator:
        """Build the validator."""
        from inputguard._provenance.registry import SourceRegistry  # noqa: PLC0415
        from inputguard._provenance.validator import provenance  # noqa: PLC0415

        if self.registry is not None:
            registry = ctx.shared("registry", self.registry, SourceRegistry.from_file)
        if registry is None:
            raise ConfigurationError(
                "a provenance validator needs a registry: set 'registry' here or in [guard]"
            )
        return provenance(
            registry,
            source=self.source,
            signature=self.signature,
            kid=self.kid,
            issued_at=self.issued_at,
            signed=self.signed,
        )


class TerminologyConfig(_Strict):
    """A ``type = "terminology"`` validator."""

    type: Literal["terminology"]
    column: str = Field(min_length=1)
    vocabulary: str
    """A vocabulary file (TOML, CSV or an extension file), or ``bundled:NAME``."""
    fuzzy: bool = True
    cutoff: float = FUZZY_CUTOFF
    margin: float = FUZZY_MARGIN
    min_length: int = FUZZY_MIN_LENGTH
    method_column: str | None = None
    score_column: str | None = None

    def build(self, ctx: BuildContext, registry: Any) -> Validator:
        """Build the validator."""
        from inputguard._terminology.validator import terminology  # noqa: PLC0415
        from inputguard._terminology.vocabulary import Vocabulary  # noqa: PLC0415

        if self.vocabulary.startswith("bundled:"):
            vocab = Vocabulary.from_file(self.vocabulary)  # shared per process already
        else:
            vocab = ctx.shared("vocabulary", self.vocabulary, Vocabulary.from_file)
        return terminology(
            self.column,
            vocab,
            fuzzy=self.fuzzy,
            cutoff=self.cutoff,
            margin=self.margin,
            min_length=self.min_length,
            method_column=self.method_column,
            score_column=self.score_column,
        )


class PiiConfig(_Strict):
    """A ``type = "pii"`` validator (keys by reference only: ``key_env`` or ``key_file``)."""

    type: Literal["pii"]
    column: str = Field(min_length=1)
    entities: list[str] | dict[str, str] | None = None
    action: str = "redact"
    allow: list[str] = Field(default_factory=list)
    allow_patterns: list[str] = Field(default_factory=list)
    region: str = "US"
    key_env: str | None = None
    key_file: str | None = None
    mask_keep: int = 4

    def build(self, ctx: BuildContext, registry: Any) -> Validator:
        """Build the validator (a relative ``key_file`` is read from the config folder)."""
        from inputguard._pii.validator import DEFAULT_ENTITIES, pii  # noqa: PLC0415

        return pii(
            self.column,
            entities=DEFAULT_ENTITIES if self.entities is None else self.entities,
            action=self.action,  # type: ignore[arg-type]  # checked by pii()
            allow=self.allow,
            allow_patterns=self.allow_patterns,
            region=self.region,
            key_env=self.key_env,
            key_file=None if self.key_file is None else str(ctx.path(self.key_file)),
            mask_keep=self.mask_keep,
        )


ValidatorConfig = Annotated[
    FreshnessConfig | ProvenanceConfig | TerminologyConfig | PiiConfig,
    Field(discriminator="type"),
]


class GuardConfig(_Strict):
    """A whole guard file."""

    guard: GuardSection
    validators: list[ValidatorConfig] = Field(default_factory=list)


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _tables() -> dict[str, type[BaseModel]]:
    """Each validator table's model by its ``type``, read from `ValidatorConfig` itself."""
    (union, *_) = get_args(ValidatorConfig)
    return {get_args(m.model_fields["type"].annotation)[0]: m for m in get_args(union)}


_TABLES = _tables()
# The user's own mistake first: a typo explains the "required" error it causes.
_ORDER = {"extra_forbidden": 0, "union_tag_invalid": 1, "union_tag_not_found": 1, "missing": 2}
_SHOWN = 60  # characters of a refused value quoted in a message


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table at ``loc`` (the path of a key in it) allows."""
    model: type[BaseModel] = GuardConfig
    for part in loc[:-1]:
        if isinstance(part, str) and part in _TABLES:
            model = _TABLES[part]
        elif part == "guard":
            model = GuardSection
    return list(model.model_fields)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _problem(error: Any) -> tuple[str, str]:
    """``(key path, what is wrong)`` of one pydantic error, in the library's words."""
    kind = error["type"]
    raw = tuple(error["loc"])
    loc = tuple(p for p in raw if not (isinstance(p, str) and p in _TYPE_TAGS))
    where = _where(loc)
    if kind == "extra_forbidden":
        key = str(raw[-1])
        allowed = _keys_at(raw)
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
        return where, f"unknown key {key!r} ({hint})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag")
        expected = ", ".join(map(repr, _TABLES))
        if kind == "union_tag_not_found" or tag is None:
            return where, f"a validator needs 'type', one of {expected}"
        return f"{where}.type", f"unknown validator type {tag!r} (expected one of {expected})"
    if kind == "missing":
        return where, "is required"
    return where, f"{error['msg']} (got {_shown(error.get('input'))})"


def _read(path: object) -> tuple[Path, str]:
    """The guard file's path and text, or a `ConfigurationError` naming what is wrong."""
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigurationError(
            f"the guard config must be a path, a str or os.PathLike (got {type(path).__name__})"
        )
    name = os.fspath(path)
    if not isinstance(name, str) or not name:
        raise ConfigurationError(
            f"the guard config must be a non-empty text path (got {_shown(name)})"
        )
    file = Path(name)
    try:
        return file, file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"guard config {name!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigurationError(f"guard config {name!r} is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"{name}: not UTF-8 text (byte {error.start}: {error.reason})"
        ) from None
    except OSError as error:
        raise ConfigurationError(
            f"guard config {name!r} cannot be read ({type(error).__name__}: {error.strerror})"
        ) from None
    except ValueError as error:  # an embedded NUL in the path
        raise ConfigurationError(
            f"guard config {_shown(name)}: not a valid path ({error})"
        ) from None


def load_config(path: str | os.PathLike[str]) -> tuple[GuardConfig, BuildContext]:
    """Read and check a guard file.

    Raises:
        ConfigurationError: The path is not a path; the file is missing, a directory, not
            UTF-8, not TOML, does not match the layout, or lists no validators. The message
            names the file, the key path and what was expected, the user's own mistake (an
            unknown key, with the closest known one) first.
    """
    file, text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}") from None
    try:
        config = GuardConfig.model_validate(data)
    except ValidationError as error:
        errors = sorted(error.errors(), key=lambda e: _ORDER.get(e["type"], 3))
        where, what = _problem(errors[0])
        more = len(errors) - 1
        raise ConfigurationError(
            f"{file}: {where}: {what}"
            + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
        ) from None
    if not config.validators:
        raise ConfigurationError(
            f"{file}: validators: a guard file must list at least one [[validators]] table "
            "(a guard without validators accepts everything)"
        )
    return config, BuildContext(base=file.parent, origin=str(file), cache={})


_TYPE_TAGS = frozenset({"freshness", "provenance", "terminology", "pii"})


def build_validators(config: GuardConfig, ctx: BuildContext) -> list[Validator]:
    """The validators a checked guard file describes, in order, sharing loaded files.

    Raises:
        ConfigurationError: A registry, vocabulary or key cannot be loaded, or a validator's
            settings are refused; the message names the file and the validator's index.
    """
    registry = None
    if config.guard.registry is not None:
        from inputguard._provenance.registry import SourceRegistry  # noqa: PLC0415

        registry = ctx.shared("registry", config.guard.registry, SourceRegistry.from_file)
    validators = []
    for index, item in enumerate(config.validators):
        try:
            validators.append(item.build(ctx, registry))
        except ConfigurationError as error:
            raise ConfigurationError(
                f"{ctx.origin}: validators[{index}] ({item.type}): {error}"
            ) from None
    return validators


def guard_options(config: GuardConfig, ctx: BuildContext) -> dict[str, Any]:
    """The `Guard` keyword arguments of the ``[guard]`` table, checked.

    Raises:
        ConfigurationError: The result column names or the redaction key are refused; the
            message names the file and the key.
    """
    from inputguard._core.result import ResultColumns  # noqa: PLC0415
    from inputguard._ops.redaction import keyed_redact, redact  # noqa: PLC0415

    section = config.guard
    options: dict[str, Any] = {
        "name": section.name,
        "source_column": section.source_column,
        "audit_examples": section.audit_examples,
        "redact": redact,
    }
    try:
        options["result_columns"] = ResultColumns.of(section.result_columns)
    except ConfigurationError as error:
        raise ConfigurationError(f"{ctx.origin}: guard.result_columns: {error}") from None
    env, file = section.redaction_key_env, section.redaction_key_file
    if env is not None and file is not None:
        raise ConfigurationError(
            f"{ctx.origin}: guard: give 'redaction_key_env' or 'redaction_key_file', not both"
        )
    if env is not None or file is not None:
        key = "redaction_key_env" if env is not None else "redaction_key_file"
        try:
            options["redact"] = keyed_redact(
                env=env, file=None if file is None else str(ctx.path(file))
            )
        except ConfigurationError as error:
            raise ConfigurationError(f"{ctx.origin}: guard.{key}: {error}") from None
    return options
