"""Build the wheel, install it into a fresh virtual environment outside the checkout, use it.

Run by ``make wheel-check`` (part of ``make test``). Checks that the installed package, not the
source tree, has a working ``inputguard`` command (``--help``, ``validate`` of a sample file
with exit code 1 for its stale rows) and its bundled vocabularies.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GUARD = """
[guard]
name = "wheel-check"

[[validators]]
type = "freshness"
column = "ts"
error_after = "1h"
"""

SAMPLE = "ts,amount\n2026-11-22T11:30:00Z,1\n2026-11-22T08:00:00Z,2\n"

BUNDLED = """
import inputguard as ig
# Vocabulary.bundled is added with the bundled vocabularies (src/inputguard/_terminology/
# vocabularies/); until a build has it, only the import is checked.
if hasattr(ig.Vocabulary, "bundled"):
    v = ig.Vocabulary.bundled("countries")
    assert v.match(["Germany"])[0].canonical == "DE", v
    print("bundled:", v)
else:
    print("Vocabulary.bundled is not in this build: bundled vocabularies not checked")
"""


def _run(*args: str | Path, cwd: Path, expect: int = 0) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != expect:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"wheel check: {args[0]} exited {done.returncode}, expected {expect}")
    return done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="inputguard-wheel-") as tmp:
        work = Path(tmp)
        dist = work / "dist"
        _run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            dist,
            ROOT,
            cwd=work,
        )
        (wheel,) = dist.glob("inputguard_inference-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        bundled = [n for n in names if n.startswith("inputguard/_terminology/vocabularies/")]
        print(f"{wheel.name}: {len(names)} files, {len(bundled)} bundled vocabulary files")
        venv = work / "venv"
        _run(sys.executable, "-m", "venv", venv, cwd=work)
        _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=work)
        command = venv / "bin" / "inputguard"
        assert "validate" in _run(command, "--help", cwd=work)
        (work / "guard.toml").write_text(GUARD, encoding="utf-8")
        (work / "sample.csv").write_text(SAMPLE, encoding="utf-8")
        _run(
            command,
            "validate",
            "sample.csv",
            "-c",
            "guard.toml",
            "-o",
            "out",
            "--now",
            "2026-11-22T12:00:00Z",
            cwd=work,
            expect=1,
        )
        assert (work / "out" / "summary.json").is_file()
        print(_run(venv / "bin" / "python", "-c", BUNDLED, cwd=work).strip())
        print("wheel check: ok")


if __name__ == "__main__":
    main()
