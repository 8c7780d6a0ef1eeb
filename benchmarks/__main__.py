"""Run every benchmark: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import importlib
import sys

SUITES = ["engine", "freshness", "provenance", "terminology", "term_quality", "latency", "pii"]


def main() -> None:
    chosen = sys.argv[1:] or SUITES
    for name in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"benchmarks.{name}":
                raise
            print(f"# {name}: not present, skipped")
            continue
        print(f"# {name}")
        module.main([])


if __name__ == "__main__":
    main()
