"""``python -m inputguard``: the same command line as the ``inputguard`` script."""

from inputguard._cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in tests
    main()
