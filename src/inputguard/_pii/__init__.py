"""PII: deterministic offline recognizers, per-entity actions, and a plug-in point for models."""
