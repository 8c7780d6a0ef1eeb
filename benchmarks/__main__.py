"""Run benchmarks: ``python -m benchmarks [name ...] [--option ...]``.

Without names, every suite runs. Options (from the first argument starting with ``-``) go to
each named suite, e.g. ``python -m benchmarks pii --rows 20000 --repeat 3``.
"""

from __future__ import annotations

import importlib
import sys

SUITES = ["engine", "freshness", "provenance", "terminology", "term_quality", "latency", "pii"]


def main() -> None:
    args = sys.argv[1:]
    first = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    chosen, options = args[:first] or SUITES, args[first:]
    if options and not args[:first]:
        sys.exit("options need the benchmark they are for: python -m benchmarks pii --rows 1000")
    for name in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"benchmarks.{name}":
                raise
            print(f"# {name}: not present, skipped")
            continue
        print(f"# {name}")
        module.main(options)


if __name__ == "__main__":
    main()
