"""The contract every part of inputguard shares, and nothing else.

The validator protocol and its plan types, reason codes, results and verdicts, the clock,
durations, timestamps, freshness limits, the record-path step type and the polars look-up
helpers. Modules here import only the standard library, polars and `inputguard.exceptions`:
the families, operations and the guard build on them, never the other way round.
"""
