"""Operations around a guard: audit events, quarantine sinks, the audit file and drift watching.

These build on the contract (`inputguard._core`) only; the guard uses them.
"""
