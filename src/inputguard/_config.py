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

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

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
    import os
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


def load_config(path: str | os.PathLike[str]) -> tuple[GuardConfig, BuildContext]:
    """Read and check a guard file.

    Raises:
        ConfigurationError: The file is missing, is not TOML, or does not match the layout;
            the message names the file, the key path and what was expected.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"guard config {str(file)!r} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{file}: not valid TOML: {error}") from None
    try:
        config = GuardConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p in _TYPE_TAGS))
        raise ConfigurationError(
            f"{file}: {_where(loc)}: {first['msg']} (got {first.get('input')!r})"
            + (f" [+{error.error_count() - 1} more]" if error.error_count() > 1 else "")
        ) from None
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
