r"""A tamper-evident audit file: hash-chained JSON lines, and a verifier.

Each line is one JSON object in canonical form (keys sorted, no spaces, ASCII with
``\\uXXXX`` escapes, so no character of a value can split a line)::

    {"alg":"sha256","hash":"<hex>","prev":"<hex>","record":{...},"seq":1,"v":1}

``record`` is the logged event; ``seq`` is the line number (from 1); ``prev`` is the previous
line's ``hash`` (64 zeros on line 1); ``hash`` is SHA-256 (or HMAC-SHA256 when a key is given)
over the canonical JSON of every other field. Editing a line breaks its hash; removing,
reordering or inserting lines breaks ``seq`` and ``prev``. Without a key anyone can rebuild a
whole chain, so keep a key (HMAC) or record the head hash somewhere else to detect that, and
to detect lines cut from the end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from inputguard.exceptions import ConfigurationError

if TYPE_CHECKING:
    from structlog.typing import EventDict, WrappedLogger

__all__ = ["AuditFile", "AuditVerification", "verify_audit_file"]

FORMAT_VERSION = 1
GENESIS = "0" * 64
_FIELDS = frozenset({"alg", "hash", "prev", "record", "seq", "v"})
_TAIL_CHUNK = 8192

Problem = Literal[
    "malformed", "algorithm", "key_required", "hash_mismatch", "sequence", "chain", "head_mismatch"
]


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a value that reads back as itself (so hashes can be recomputed)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return items if isinstance(value, (list, tuple)) else sorted(items, key=repr)
    return value.isoformat() if isinstance(value, (datetime, date)) else str(value)


def _canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode()


def _digest(body: Mapping[str, Any], key: bytes | None) -> str:
    data = _canonical(body)
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _algorithm(key: bytes | None) -> str:
    return "sha256" if key is None else "hmac-sha256"


if sys.platform != "win32":
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

else:  # pragma: no cover - no cross-process lock on Windows; one writer process per file there

    def _lock(handle: IO[bytes]) -> None:
        del handle

    def _unlock(handle: IO[bytes]) -> None:
        del handle


def _last_line(handle: IO[bytes]) -> bytes | None:
    """The file's last line (without its newline), or None for an empty file."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return None
    data = b""
    position = end
    while position > 0:
        step = min(_TAIL_CHUNK, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
        if data.count(b"\n") >= 2 or (position == 0):  # noqa: PLR2004 - the line and the one before
            break
    if not data.endswith(b"\n"):
        return data  # a torn last write; the caller reports it
    return data[:-1].rsplit(b"\n", 1)[-1]


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(line.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(obj, dict) or set(obj) != _FIELDS:
        return None
    if not (
        isinstance(obj["seq"], int)
        and not isinstance(obj["seq"], bool)
        and isinstance(obj["hash"], str)
        and isinstance(obj["prev"], str)
        and isinstance(obj["alg"], str)
        and isinstance(obj["record"], dict)
        and obj["v"] == FORMAT_VERSION
    ):
        return None
    return obj


class AuditFile:
    """Append events to a hash-chained JSON-lines file; also a structlog processor.

    As a processor (an ``AuditFile`` is callable like one), it appends every event whose name
    starts with ``prefix`` and passes the event on unchanged, so it sits anywhere in the
    user's own chain; place it after the processors that add what the file should hold
    (level, timestamp) and before the renderer. inputguard never configures structlog itself::

        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                inputguard.AuditFile("/var/log/inputguard/audit.jsonl"),
                structlog.processors.JSONRenderer(),
            ]
        )

    Appends are serialized by a lock within the process and an exclusive ``flock`` across
    processes (POSIX), and each append re-reads the file's last line, so several processes
    and several `AuditFile` objects may share one file. A file whose last line is not a
    chained record (a torn write, an edit) is refused rather than extended.

    Args:
        path: The file; created on the first append, continued if it exists.
        key: An HMAC key: lines are then chained with HMAC-SHA256, and only a holder of the key
            can rebuild the chain. Load it from a secret store or an environment variable,
            never from source code.
        prefix: Only events whose name starts with this are appended; None appends all.
        fsync: Flush each line to the disk before returning (slower, survives power loss).

    Raises:
        ConfigurationError: An empty path or key, or an existing file whose last line is not
            a chained record.

    >>> AuditFile("audit.jsonl")
    AuditFile('audit.jsonl')
    """

    __slots__ = ("_fsync", "_key", "_lock", "_path", "_prefix")

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: bytes | None = None,
        prefix: str | None = "inputguard.",
        fsync: bool = False,
    ) -> None:
        if not str(path).strip():
            raise ConfigurationError(f"'path' must be a non-empty path (got {path!r})")
        if key is not None and (not isinstance(key, bytes) or not key):
            raise ConfigurationError("'key' must be non-empty bytes (got a value of another kind)")
        if prefix is not None and not isinstance(prefix, str):
            raise ConfigurationError(f"'prefix' must be a string or None (got {prefix!r})")
        self._path = Path(path)
        self._key = key
        self._prefix = prefix
        self._fsync = fsync
        self._lock = threading.Lock()
        if self._path.is_file():
            with self._path.open("rb") as handle:
                self._tail(handle)

    def __repr__(self) -> str:
        parts = [repr(str(self._path))]
        if self._key is not None:
            parts.append("key=<hidden>")
        if self._prefix != "inputguard.":
            parts.append(f"prefix={self._prefix!r}")
        if self._fsync:
            parts.append("fsync=True")
        return f"AuditFile({', '.join(parts)})"

    @property
    def path(self) -> Path:
        """The audit file."""
        return self._path

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        """Append the event if its name matches ``prefix``; return it unchanged (processor)."""
        name = event_dict.get("event")
        if self._prefix is None or (isinstance(name, str) and name.startswith(self._prefix)):
            self.append(event_dict)
        return event_dict

    def append(self, record: Mapping[str, Any]) -> str:
        """Append one record as the next line of the chain.

        Values that JSON cannot hold are written as strings (datetimes in ISO form).

        Args:
            record: The event, e.g. a structlog event dict.

        Returns:
            The new line's hash, the chain's new head.

        Raises:
            ConfigurationError: The file's last line is not a chained record.
        """
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a+b") as handle:
                _lock(handle)
                try:
                    seq, prev = self._tail(handle)
                    body = {
                        "alg": _algorithm(self._key),
                        "prev": prev,
                        "record": _plain(record),
                        "seq": seq + 1,
                        "v": FORMAT_VERSION,
                    }
                    digest = _digest(body, self._key)
                    handle.write(_canonical({**body, "hash": digest}) + b"\n")
                    handle.flush()
                    if self._fsync:
                        os.fsync(handle.fileno())
                finally:
                    _unlock(handle)
        return digest

    def _tail(self, handle: IO[bytes]) -> tuple[int, str]:
        """The last line's sequence number and hash (0 and the genesis hash when empty)."""
        line = _last_line(handle)
        if line is None:
            return 0, GENESIS
        parsed = _parse(line)
        if parsed is None:
            raise ConfigurationError(
                f"audit file {str(self._path)!r} ends with a line that is not a chained record "
                "(a torn write or an edit); check it with verify_audit_file() and start a new file"
            )
        return int(parsed["seq"]), str(parsed["hash"])


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """What `verify_audit_file` found.

    Attributes:
        ok: True when every line checks out (and the head matches, when one was expected).
        lines: Lines in the file.
        first_bad_line: Number (from 1) of the first line that does not check out, if any.
        problem: What is wrong with it: ``malformed`` (not a chained record, or no final
            newline), ``algorithm`` (not the algorithm the key implies), ``key_required`` (HMAC
            lines, no key given), ``hash_mismatch`` (the line was edited), ``sequence`` (lines
            removed, reordered or inserted before it), ``chain`` (its ``prev`` is not the
            previous line's hash), or ``head_mismatch`` (every line checks out but the last
            hash is not the expected head: lines were cut from the end or the file replaced).
        detail: A sentence for people.
        head: The hash of the last line that checked out (None if none did).
    """

    ok: bool
    lines: int
    first_bad_line: int | None = None
    problem: Problem | None = None
    detail: str | None = None
    head: str | None = None


def verify_audit_file(
    path: str | os.PathLike[str],
    *,
    key: bytes | None = None,
    expected_head: str | None = None,
) -> AuditVerification:
    """Check every line of an `AuditFile` and report the first one that does not check out.

    Args:
        path: The audit file.
        key: The HMAC key the file was written with, if any.
        expected_head: The last hash as recorded elsewhere (e.g. returned by
            `AuditFile.append`); detects lines cut from the end.

    Returns:
        An `AuditVerification`.

    Raises:
        FileNotFoundError: There is no such file.
    """
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    torn = lines.pop() != b""  # a complete file ends with a newline
    total = len(lines) + int(torn)
    prev, head = GENESIS, None

    def bad(number: int, problem: Problem, detail: str) -> AuditVerification:
        return AuditVerification(False, total, number, problem, detail, head)

    for number, line in enumerate(lines, start=1):
        checked = _check_line(number, line, key, prev)
        if isinstance(checked, tuple):
            return bad(number, *checked)
        prev = head = checked
    if torn:
        return bad(total, "malformed", f"line {total} has no final newline (a torn write)")
    if expected_head is not None and head != expected_head:
        return AuditVerification(
            ok=False,
            lines=total,
            problem="head_mismatch",
            detail=f"the file ends with hash {head!r}, not the expected {expected_head!r}: "
            "lines were removed from the end, or the file was replaced",
            head=head,
        )
    return AuditVerification(ok=True, lines=total, head=head)


def _check_line(
    number: int, line: bytes, key: bytes | None, prev: str
) -> tuple[Problem, str] | str:
    """Line ``number``'s hash when it checks out, else what is wrong with it."""
    parsed = _parse(line)
    if parsed is None:
        return "malformed", f"line {number} is not a chained audit record"
    want = _algorithm(key)
    if parsed["alg"] != want:
        if key is None and parsed["alg"] == "hmac-sha256":
            problem: tuple[Problem, str] = (
                "key_required",
                f"line {number} is HMAC-chained; pass key=",
            )
        else:
            problem = ("algorithm", f"line {number} uses {parsed['alg']!r}, not {want!r}")
        return problem
    body = {k: v for k, v in parsed.items() if k != "hash"}
    if not hmac.compare_digest(_digest(body, key).encode(), parsed["hash"].encode()):
        return "hash_mismatch", f"line {number} was changed after it was written"
    if parsed["seq"] != number:
        return "sequence", (
            f"line {number} carries sequence number {parsed['seq']}: lines were removed, "
            "reordered or inserted before it"
        )
    if parsed["prev"] != prev:
        return "chain", f"line {number} does not follow the previous line"
    return str(parsed["hash"])
