"""The plug-in point for model-based entities (person names, locations): `PiiRecognizer`.

No pattern finds a person's name. A user who has a model installed from a package (a spaCy
pipeline, Presidio's analyzer with such a pipeline) wraps it in an object with this shape; the
library never downloads one. See docs/pii.md for an adapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["PiiRecognizer", "PiiSpan"]


class PiiSpan(NamedTuple):
    """One entity a recognizer found: ``text[start:end]`` is a ``entity``."""

    start: int
    end: int
    entity: str


@runtime_checkable
class PiiRecognizer(Protocol):
    """A model-based recognizer.

    It must be deterministic (the batch and record paths call it on the same texts and must
    agree), must not use the network, and should be picklable to travel to Spark workers.
    """

    @property
    def entities(self) -> tuple[str, ...]:
        """The entity names it can find (e.g. ``("person", "location")``)."""
        ...

    def find(self, texts: Sequence[str]) -> Sequence[Sequence[PiiSpan]]:
        """The spans found in each text, one sequence per text, in order."""
        ...
