"""The source registry: every source a guard trusts, who owns it, and how it signs.

The file format is described in ``docs/provenance.md``. Secrets are never in the file: a key
names an environment variable or a file that holds the material, and the material is only read
when a `provenance` validator that checks signatures is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, get_args

from inputguard._core.duration import format_duration
from inputguard._core.limits import FreshnessLimits
from inputguard._core.timestamps import parse_timestamp
from inputguard.exceptions import ConfigurationError

__all__ = ["SigningKey", "Source", "SourceRegistry"]

Status = Literal["active", "suspended", "retired"]
Algorithm = Literal["hmac-sha256", "ed25519"]
_STATUSES: Final = get_args(Status)
_ALGORITHMS: Final = get_args(Algorithm)
REGISTRY_VERSION: Final = 1
# Owners are the exception path: a placeholder is no owner at all.
_PLACEHOLDER_OWNERS: Final = frozenset(
    {"tbd", "todo", "unknown", "none", "n/a", "na", "nobody", "-", "?", "null", "owner"}
)
_KEY_FIELDS: Final = frozenset({"kid", "alg", "env", "file", "not_before", "not_after"})
_SOURCE_FIELDS: Final = frozenset(
    {"owner", "status", "error_after", "warn_after", "keys", "aliases"}
)
_TOP_FIELDS: Final = frozenset({"version", "default_owner", "sources"})
_REFERENCE_HINT: Final = (
    'secrets are never written in the registry: reference them with env = "VAR" or file = "path"'
)


def _check_owner(owner: object, name: str) -> str:
    if not isinstance(owner, str) or not owner.strip():
        raise ConfigurationError(
            f"{name!r} must name a person or team who owns the fix (got {owner!r})"
        )
    if owner.strip().casefold() in _PLACEHOLDER_OWNERS:
        raise ConfigurationError(
            f"{name!r} must name a person or team who owns the fix, not a placeholder "
            f"(got {owner!r})"
        )
    return owner.strip()


def _instant(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is None:
            raise ConfigurationError(f"{name!r} must be an RFC 3339 timestamp (got {value!r})")
        value = parsed
    if not isinstance(value, datetime):
        raise ConfigurationError(
            f"{name!r} must be a timestamp with an offset, e.g. 2026-07-01T00:00:00Z "
            f"(got {type(value).__name__})"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigurationError(
            f"{name!r} must have a UTC offset, e.g. 2026-07-01T00:00:00Z (got naive {value})"
        )
    return value


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A verification key of one source, by reference: never the material itself.

    Attributes:
        kid: The key id, unique within its source (key ids are per source: the same kid under
            another source is another key).
        alg: ``"hmac-sha256"`` or ``"ed25519"``; fixed by the registry, never by the record.
        env: The environment variable holding the material, or
        file: the file holding it (exactly one of ``env`` and ``file``).
        not_before: The key is not valid before this instant (aware), if set.
        not_after: The key is not valid from this instant on (aware), if set.

    Raises:
        ConfigurationError: A missing or invalid field.

    >>> SigningKey("2026-q3", "hmac-sha256", env="ORDERS_HMAC")  # doctest: +ELLIPSIS
    SigningKey(kid='2026-q3', alg='hmac-sha256', env='ORDERS_HMAC', file=None, ...)
    """

    kid: str
    alg: Algorithm
    env: str | None = None
    file: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kid, str) or not self.kid:
            raise ConfigurationError(f"'kid' must be a non-empty string (got {self.kid!r})")
        if self.alg not in _ALGORITHMS:
            raise ConfigurationError(
                f"'alg' must be one of {', '.join(map(repr, _ALGORITHMS))} (got {self.alg!r})"
            )
        if (self.env is None) == (self.file is None):
            raise ConfigurationError(
                f"key {self.kid!r} needs exactly one of 'env' and 'file' ({_REFERENCE_HINT})"
            )
        for name, ref in (("env", self.env), ("file", self.file)):
            if ref is not None and (not isinstance(ref, str) or not ref.strip()):
                raise ConfigurationError(f"{name!r} must be a non-empty string")
        object.__setattr__(self, "not_before", _instant(self.not_before, "not_before"))
        object.__setattr__(self, "not_after", _instant(self.not_after, "not_after"))
        if (
            self.not_before is not None
            and self.not_after is not None
            and self.not_after <= self.not_before
        ):
            raise ConfigurationError(
                f"key {self.kid!r}: 'not_after' ({self.not_after.isoformat()}) must be later "
                f"than 'not_before' ({self.not_before.isoformat()})"
            )


@dataclass(frozen=True, slots=True)
class Source:
    """One registered source.

    Attributes:
        id: The source id records carry.
        owner: The person or team who owns fixes for this source's records.
        status: ``"active"`` (records accepted), ``"suspended"`` (temporarily refused) or
            ``"retired"`` (refused for good).
        freshness: Freshness limits for this source's rows, overriding the validator's defaults.
        keys: The source's verification keys; several may be valid at once (rotation).
        aliases: Other spellings records may carry for this source (``"Checkout-Web"`` for
            ``"checkout_web"``), each exact: nothing is folded implicitly. Accepted rows carry
            the canonical ``id``; signatures are over the canonical ``id``.

    Raises:
        ConfigurationError: A missing or invalid field, a key id listed twice, or an alias
            that is empty, repeated or the id itself.
    """

    id: str
    owner: str
    status: Status
    freshness: FreshnessLimits | None = None
    keys: tuple[SigningKey, ...] = ()
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ConfigurationError(f"a source id must be a non-empty string (got {self.id!r})")
        object.__setattr__(self, "owner", _check_owner(self.owner, "owner"))
        if self.status not in _STATUSES:
            raise ConfigurationError(
                f"'status' must be one of {', '.join(map(repr, _STATUSES))} (got {self.status!r})"
            )
        if self.freshness is not None and not isinstance(self.freshness, FreshnessLimits):
            raise ConfigurationError("'freshness' must be a FreshnessLimits")
        keys = tuple(self.keys)
        seen: set[str] = set()
        for key in keys:
            if not isinstance(key, SigningKey):
                raise ConfigurationError(f"'keys' must hold SigningKey values (got {key!r})")
            if key.kid in seen:
                raise ConfigurationError(f"key id {key.kid!r} is listed twice")
            seen.add(key.kid)
        object.__setattr__(self, "keys", keys)
        if isinstance(self.aliases, str) or not isinstance(self.aliases, (list, tuple)):
            raise ConfigurationError(f"'aliases' must be a list of strings (got {self.aliases!r})")
        aliases = tuple(self.aliases)
        for alias in aliases:
            if not isinstance(alias, str) or not alias:
                raise ConfigurationError(f"an alias must be a non-empty string (got {alias!r})")
        if self.id in aliases or len(set(aliases)) != len(aliases):
            raise ConfigurationError(
                f"'aliases' of {self.id!r} must be distinct and differ from the id "
                f"(got {aliases!r})"
            )
        object.__setattr__(self, "aliases", aliases)


@dataclass(frozen=True, slots=True, repr=False)
class SourceRegistry:
    """Every source a guard trusts; build it in code or with `SourceRegistry.from_file`.

    Args:
        sources: The sources (ids must be unique).
        default_owner: The owner named on records whose source is missing or unknown.
        path: The file the registry was read from, if any (for reprs and messages).

    Raises:
        ConfigurationError: A duplicate source id, or a missing or placeholder default owner.

    >>> registry = SourceRegistry(
    ...     [Source("orders-api", "team-orders", "active"), Source("legacy", "ana", "retired")],
    ...     default_owner="data-platform",
    ... )
    >>> registry  # doctest: +ELLIPSIS
    <SourceRegistry 2 sources sha256:...>
    >>> registry.owner_of("legacy"), registry.owner_of("scraper-7")
    ('ana', 'data-platform')
    """

    sources: tuple[Source, ...]
    default_owner: str
    path: str | None = None
    _by_id: Mapping[str, Source] = field(init=False, compare=False, hash=False)
    _canonical: Mapping[str, str] = field(init=False, compare=False, hash=False)

    def __init__(
        self, sources: Iterable[Source], *, default_owner: str, path: str | None = None
    ) -> None:
        checked = tuple(sources)
        by_id: dict[str, Source] = {}
        for source in checked:
            if not isinstance(source, Source):
                raise ConfigurationError(f"'sources' must hold Source values (got {source!r})")
            if source.id in by_id:
                raise ConfigurationError(f"source id {source.id!r} is registered twice")
            by_id[source.id] = source
        object.__setattr__(self, "sources", checked)
        object.__setattr__(self, "default_owner", _check_owner(default_owner, "default_owner"))
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_canonical", _alias_map(checked))

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.sources, self.default_owner, self.path)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        sources, default_owner, path = state
        object.__setattr__(self, "sources", sources)
        object.__setattr__(self, "default_owner", default_owner)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_by_id", {s.id: s for s in sources})
        object.__setattr__(self, "_canonical", _alias_map(sources))

    def __repr__(self) -> str:
        # Content, not location: the repr feeds the guard fingerprint, which must change when
        # the registry's content does and stay put when the same file is read from elsewhere.
        where = f"{Path(self.path).name} " if self.path is not None else ""
        return f"<SourceRegistry {where}{len(self.sources)} sources sha256:{self.digest[:8]}>"

    def __contains__(self, source_id: object) -> bool:
        return isinstance(source_id, str) and (
            source_id in self._by_id or source_id in self._canonical
        )

    def __getitem__(self, source_id: str) -> Source:
        return self._by_id[self._canonical.get(source_id, source_id)]

    def __len__(self) -> int:
        return len(self.sources)

    @property
    def ids(self) -> tuple[str, ...]:
        """The registered source ids, in file order."""
        return tuple(self._by_id)

    @property
    def aliases(self) -> Mapping[str, str]:
        """Every alias and the canonical id it stands for (empty when none are listed)."""
        return self._canonical

    def canonical(self, source_id: object) -> str | None:
        """The registered id ``source_id`` names (itself, or through an alias), or None.

        >>> registry = SourceRegistry(
        ...     [Source("checkout_web", "team-web", "active", aliases=("Checkout-Web",))],
        ...     default_owner="ops",
        ... )
        >>> registry.canonical("Checkout-Web"), registry.canonical("checkout-web")
        ('checkout_web', None)
        """
        if not isinstance(source_id, str):
            return None
        if source_id in self._by_id:
            return source_id
        return self._canonical.get(source_id)

    def owner_of(self, source_id: object) -> str:
        """The owner of ``source_id`` (an id or an alias), or the default owner when unknown."""
        if isinstance(source_id, str):
            source = self._by_id.get(self._canonical.get(source_id, source_id))
            if source is not None:
                return source.owner
        return self.default_owner

    def freshness_limits(self) -> dict[str, FreshnessLimits]:
        """Per-source freshness limits, for ``freshness(..., per_source=...)``.

        >>> limits = FreshnessLimits.parse("15m")
        >>> registry = SourceRegistry(
        ...     [Source("pos", "team-pos", "active", freshness=limits)], default_owner="ops"
        ... )
        >>> registry.freshness_limits()["pos"] == limits
        True
        """
        limits = {s.id: s.freshness for s in self.sources if s.freshness is not None}
        # an alias has its source's limits: the rows it names are that source's rows
        return limits | {a: limits[i] for a, i in self._canonical.items() if i in limits}

    @property
    def digest(self) -> str:
        """A short hash of the registry's content (not of key material), for audit records."""
        payload = [
            self.default_owner,
            [
                [
                    s.id,
                    s.owner,
                    s.status,
                    None
                    if s.freshness is None
                    else [
                        format_duration(s.freshness.error_after),
                        None
                        if s.freshness.warn_after is None
                        else format_duration(s.freshness.warn_after),
                    ],
                    [
                        [
                            k.kid,
                            k.alg,
                            k.env,
                            k.file,
                            None if k.not_before is None else k.not_before.isoformat(),
                            None if k.not_after is None else k.not_after.isoformat(),
                        ]
                        for k in s.keys
                    ],
                    *([list(s.aliases)] if s.aliases else []),
                ]
                for s in self.sources
            ],
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]

    @classmethod
    def from_file(cls, path: str | Path) -> SourceRegistry:
        """Read a registry from a TOML file (format: ``docs/provenance.md``).

        Key file paths are relative to the registry file's directory. Errors name the file and
        the key (``sources.toml: sources.orders-api.keys[0].alg: ...``).

        Args:
            path: The TOML file.

        Returns:
            The registry.

        Raises:
            ConfigurationError: The file is missing or not TOML, or a field is missing, unknown
                or invalid (an inline secret is an unknown field).
        """
        if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
            raise ConfigurationError(
                f"a registry file must be a text path, a str or os.PathLike "
                f"(got {type(path).__name__})"
            )
        where = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigurationError(
                f"{where}: not UTF-8 text (byte {exc.start}: {exc.reason})"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{where}: not valid TOML ({exc})") from None
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            raise ConfigurationError(
                f"{where}: cannot read the registry ({type(exc).__name__})"
            ) from None
        return _parse(data, where=where, base=Path(path).parent)


def _alias_map(sources: Iterable[Source]) -> dict[str, str]:
    """Alias -> canonical id; an alias that is an id or another source's alias is refused."""
    sources = tuple(sources)
    ids = {s.id for s in sources}
    out: dict[str, str] = {}
    for source in sources:
        for alias in source.aliases:
            if alias in ids:
                raise ConfigurationError(
                    f"alias {alias!r} of {source.id!r} is itself a registered source id"
                )
            if alias in out:
                raise ConfigurationError(
                    f"alias {alias!r} is listed for both {out[alias]!r} and {source.id!r}"
                )
            out[alias] = source.id
    return out


def _fail(where: str, key: str, exc: ConfigurationError | str) -> ConfigurationError:
    return ConfigurationError(f"{where}: {key}: {exc}")


def _unknown(table: Mapping[str, Any], allowed: frozenset[str], where: str, key: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        hint = f"; {_REFERENCE_HINT}" if key.endswith("]") else ""  # a key table
        raise _fail(
            where,
            f"{key}.{extra[0]}" if key else extra[0],
            f"unknown field (allowed: {', '.join(sorted(allowed))}){hint}",
        )


def _parse(data: Mapping[str, Any], *, where: str, base: Path) -> SourceRegistry:
    _unknown(data, _TOP_FIELDS, where, "")
    version = data.get("version", REGISTRY_VERSION)
    if type(version) is not int or version != REGISTRY_VERSION:  # True == 1.0 == 1 in Python
        raise _fail(where, "version", f"must be {REGISTRY_VERSION} (got {version!r})")
    if "default_owner" not in data:
        raise _fail(
            where, "default_owner", "is required: records of unknown sources need an owner too"
        )
    try:
        default_owner = _check_owner(data["default_owner"], "default_owner")
    except ConfigurationError as exc:
        raise _fail(where, "default_owner", exc) from None
    tables = data.get("sources", {})
    if not isinstance(tables, Mapping) or not tables:
        raise _fail(where, "sources", "must hold at least one [sources.<id>] table")
    sources = [
        _parse_source(source_id, table, where=where, base=base)
        for source_id, table in tables.items()
    ]
    try:
        return SourceRegistry(sources, default_owner=default_owner, path=where)
    except ConfigurationError as exc:  # an alias that clashes across sources
        raise _fail(where, "sources", exc) from None


def _parse_source(source_id: str, table: object, *, where: str, base: Path) -> Source:
    key = f"sources.{source_id}"
    if not isinstance(table, Mapping):
        raise _fail(where, key, "must be a table")
    _unknown(table, _SOURCE_FIELDS, where, key)
    for required in ("owner", "status"):
        if required not in table:
            raise _fail(where, f"{key}.{required}", "is required")
    limits = None
    if "warn_after" in table and "error_after" not in table:
        raise _fail(where, f"{key}.warn_after", "needs 'error_after' as well")
    if "error_after" in table:
        try:
            limits = FreshnessLimits.parse(table["error_after"], table.get("warn_after"))
        except ConfigurationError as exc:
            raise _fail(where, key, exc) from None
    raw_keys = table.get("keys", [])
    if not isinstance(raw_keys, list):
        raise _fail(where, f"{key}.keys", "must be an array of tables ([[sources.<id>.keys]])")
    keys = tuple(
        _parse_key(raw, where=where, key=f"{key}.keys[{i}]", base=base)
        for i, raw in enumerate(raw_keys)
    )
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list):
        raise _fail(where, f"{key}.aliases", f"must be an array of strings (got {aliases!r})")
    try:
        return Source(source_id, table["owner"], table["status"], limits, keys, tuple(aliases))
    except ConfigurationError as exc:
        raise _fail(where, key, exc) from None


def _parse_key(raw: object, *, where: str, key: str, base: Path) -> SigningKey:
    if not isinstance(raw, Mapping):
        raise _fail(where, key, "must be a table")
    _unknown(raw, _KEY_FIELDS, where, key)
    for required in ("kid", "alg"):
        if required not in raw:
            raise _fail(where, f"{key}.{required}", "is required")
    file = raw.get("file")
    if isinstance(file, str) and file.strip() and not Path(file).is_absolute():
        file = str(base / file)
    try:
        return SigningKey(
            raw["kid"],
            raw["alg"],
            env=raw.get("env"),
            file=file,
            not_before=raw.get("not_before"),
            not_after=raw.get("not_after"),
        )
    except ConfigurationError as exc:
        raise _fail(where, key, exc) from None
