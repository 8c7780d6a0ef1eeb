from __future__ import annotations

import hashlib
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

import inputguard as ig

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY = b"audit-test-key"
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
_records = st.dictionaries(st.text(max_size=10), _values, max_size=4)
_keys = st.sampled_from([None, KEY])


def _write(path: Path, records: list[dict[str, Any]], key: bytes | None = None) -> list[str]:
    audit = ig.AuditFile(path, key=key)
    return [audit.append({"event": "inputguard.validate", **r}) for r in records]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _rewrite(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def test_exported() -> None:
    assert ig.AuditFile is not None
    assert ig.AuditVerification is not None
    assert ig.verify_audit_file is not None


@pytest.mark.parametrize(
    ("audit", "text"),
    [
        (ig.AuditFile("audit.jsonl"), "AuditFile('audit.jsonl')"),
        (
            ig.AuditFile("a.jsonl", key=KEY, prefix=None, fsync=True),
            "AuditFile('a.jsonl', key=<hidden>, prefix=None, fsync=True)",
        ),
    ],
)
def test_repr_reads_like_the_call_and_never_shows_the_key(audit: ig.AuditFile, text: str) -> None:
    assert repr(audit) == text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": ""}, "'path' must be a non-empty path"),
        ({"path": "a", "key": b""}, "'key' must be non-empty bytes"),
        ({"path": "a", "key": "text"}, "'key' must be non-empty bytes"),
        ({"path": "a", "prefix": 3}, "'prefix' must be a string or None"),
    ],
)
def test_bad_configuration_fails_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ig.ConfigurationError, match=message):
        ig.AuditFile(**kwargs)


def test_line_format(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    heads = _write(path, [{"rows_in": 3, "at": datetime(2026, 1, 1, tzinfo=UTC)}, {"n": {1, 2}}])
    first, second = (json.loads(line) for line in _lines(path))
    assert first == {
        "alg": "sha256",
        "hash": heads[0],
        "prev": "0" * 64,
        "record": {"event": "inputguard.validate", "rows_in": 3, "at": "2026-01-01T00:00:00+00:00"},
        "seq": 1,
        "v": 1,
    }
    assert (second["prev"], second["seq"], second["record"]["n"]) == (heads[0], 2, [1, 2])
    # canonical JSON: keys sorted, no spaces
    assert _lines(path)[0].startswith('{"alg":"sha256","hash":"')


@given(records=st.lists(_records, max_size=12), key=_keys)
def test_an_untouched_file_verifies(records: list[dict[str, Any]], key: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        path.touch()
        heads = _write(path, records, key)
        found = ig.verify_audit_file(path, key=key, expected_head=heads[-1] if heads else None)
    assert found == ig.AuditVerification(
        ok=True, lines=len(records), head=heads[-1] if heads else None
    )


@given(records=st.lists(_records, min_size=1, max_size=10), key=_keys, data=st.data())
def test_an_edited_line_is_found(
    records: list[dict[str, Any]], key: bytes | None, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        _write(path, records, key)
        lines = _lines(path)
        index = data.draw(st.integers(0, len(lines) - 1))
        line = json.loads(lines[index])
        line["record"]["rows_in"] = data.draw(st.integers()) if "rows_in" in line["record"] else 0
        line["record"]["edited"] = True
        lines[index] = json.dumps(line) + "\n"
        _rewrite(path, lines)
        found = ig.verify_audit_file(path, key=key)
    assert (found.ok, found.first_bad_line, found.problem) == (False, index + 1, "hash_mismatch")


@given(records=st.lists(_records, min_size=2, max_size=10), key=_keys, data=st.data())
def test_a_removed_line_is_found(
    records: list[dict[str, Any]], key: bytes | None, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        _write(path, records, key)
        lines = _lines(path)
        index = data.draw(st.integers(0, len(lines) - 2))  # the last line: see the next test
        del lines[index]
        _rewrite(path, lines)
        found = ig.verify_audit_file(path, key=key)
    assert (found.ok, found.first_bad_line, found.problem) == (False, index + 1, "sequence")


def test_lines_cut_from_the_end_need_the_expected_head(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    heads = _write(path, [{"i": i} for i in range(4)])
    _rewrite(path, _lines(path)[:-1])
    assert ig.verify_audit_file(path).ok  # the file alone cannot tell
    found = ig.verify_audit_file(path, expected_head=heads[-1])
    assert (found.ok, found.problem, found.head, found.first_bad_line) == (
        False,
        "head_mismatch",
        heads[-2],
        None,
    )


@given(records=st.lists(_records, min_size=2, max_size=10), key=_keys, data=st.data())
def test_reordered_lines_are_found(
    records: list[dict[str, Any]], key: bytes | None, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        _write(path, records, key)
        lines = _lines(path)
        i = data.draw(st.integers(0, len(lines) - 2))
        j = data.draw(st.integers(i + 1, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        _rewrite(path, lines)
        found = ig.verify_audit_file(path, key=key)
    assert (found.ok, found.first_bad_line, found.problem) == (False, i + 1, "sequence")


@given(records=st.lists(_records, min_size=1, max_size=10), key=_keys, data=st.data())
def test_an_inserted_copy_of_a_line_is_found(
    records: list[dict[str, Any]], key: bytes | None, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        _write(path, records, key)
        lines = _lines(path)
        copied = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.integers(0, len(lines)))
        lines.insert(at, lines[copied])
        _rewrite(path, lines)
        found = ig.verify_audit_file(path, key=key)
    # a copy put right behind its original (at == copied + 1) duplicates a sequence number,
    # a copy put right before it (at == copied) makes the original the first misplaced line
    expected = at + 2 if at == copied else at + 1
    assert (found.ok, found.first_bad_line) == (False, expected)
    assert found.problem in {"sequence", "chain"}


def _forge(lines: list[str], at: int) -> str:
    """A well-formed line for position ``at`` (0-based), hashed without any key."""
    prev = json.loads(lines[at - 1])["hash"] if at else "0" * 64
    body = {"alg": "sha256", "prev": prev, "record": {"event": "forged"}, "seq": at + 1, "v": 1}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps({**body, "hash": digest}, sort_keys=True, separators=(",", ":")) + "\n"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, (3, "sequence")),  # a keyless chain can be forged; the next line gives it away
        (KEY, (2, "algorithm")),  # with a key, the forged line itself is caught
    ],
)
def test_a_forged_inserted_line(
    tmp_path: Path, key: bytes | None, expected: tuple[int, str]
) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, [{"i": i} for i in range(3)], key)
    lines = _lines(path)
    lines.insert(1, _forge(lines, 1))
    _rewrite(path, lines)
    found = ig.verify_audit_file(path, key=key)
    assert (found.first_bad_line, found.problem) == expected


def test_an_hmac_chain_needs_its_key(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, [{"i": 1}], KEY)
    assert ig.verify_audit_file(path).problem == "key_required"
    assert ig.verify_audit_file(path, key=b"another key").problem == "hash_mismatch"
    assert ig.verify_audit_file(path, key=KEY).ok


@pytest.mark.parametrize(
    ("damage", "line"),
    [
        (lambda lines: [*lines[:1], "not json\n", *lines[1:]], 2),
        (lambda lines: [*lines[:1], "\n", *lines[1:]], 2),
        (lambda lines: [*lines[:1], '{"seq": 2}\n', *lines[1:]], 2),
        (lambda lines: [*lines, '{"alg":"sha256"'], 3),  # a torn write
    ],
)
def test_malformed_lines_are_found(tmp_path: Path, damage: Any, line: int) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, [{"i": 1}, {"i": 2}])
    _rewrite(path, damage(_lines(path)))
    found = ig.verify_audit_file(path)
    assert (found.first_bad_line, found.problem) == (line, "malformed")


def test_a_file_with_a_torn_last_line_is_not_extended(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = ig.AuditFile(path)
    audit.append({"event": "inputguard.validate"})
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"alg":"sha')
    with pytest.raises(ig.ConfigurationError, match="not a chained record"):
        audit.append({"event": "inputguard.validate"})
    with pytest.raises(ig.ConfigurationError, match="not a chained record"):
        ig.AuditFile(path)


def test_a_reopened_file_continues_its_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, [{"i": 1}])
    head = _write(path, [{"i": 2}, {"i": 3}])[-1]
    assert ig.verify_audit_file(path, expected_head=head) == ig.AuditVerification(
        ok=True, lines=3, head=head
    )


def test_a_long_line_does_not_confuse_the_tail_reader(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, [{"blob": "x" * 50_000}, {"blob": "y" * 20_000}, {"i": 1}])
    assert ig.verify_audit_file(path).lines == 3


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    writers = [ig.AuditFile(path) for _ in range(4)]  # separate objects: the file lock decides

    def write(index: int) -> None:
        for i in range(25):
            writers[index].append({"event": "inputguard.check", "writer": index, "i": i})

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    found = ig.verify_audit_file(path)
    assert (found.ok, found.lines) == (True, 100)


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[Path]:
    """structlog configured the way docs/operations.md shows, reset afterwards."""
    path = tmp_path / "audit.jsonl"
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            ig.AuditFile(path),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    try:
        yield path
    finally:
        structlog.reset_defaults()


def test_as_a_processor_it_records_the_guards_events_and_nothing_else(
    configured: Path, now: datetime
) -> None:
    guard = ig.Guard([ig.freshness("ts", error_after="1h")], name="t", clock=ig.FixedClock(now))
    guard.validate(pl.DataFrame({"ts": [now.isoformat(), None]}))
    structlog.get_logger("app").info("app.started", port=8080)
    guard.check({"ts": None})

    lines = [json.loads(line) for line in _lines(configured)]
    assert [line["record"]["event"] for line in lines] == [
        "inputguard.validate",
        "inputguard.check",
    ]
    first = lines[0]["record"]
    assert (first["level"], first["guard"], first["reasons"]) == (
        "info",
        "t",
        {"freshness.missing": 1},
    )
    assert "timestamp" in first
    assert ig.verify_audit_file(configured).ok
