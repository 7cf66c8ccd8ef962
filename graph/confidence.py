"""What a ``min_confidence`` keeps: the one rule every query, command and the page apply.

The extractor scores every entity and relation (0–1) and the stores keep it
(an entity: the highest over its reports, see :class:`graph.model.Node`).  An
analyst who asks for at least 0.6 wants what the extractor is that sure of,
and what a person verified (``kg fix confirm``) whatever the extractor said:
a confirmed entity or fact counts as 1.0.  A fact is kept only when both its
ends are, as :meth:`extract.model.Extraction.filtered` does, so nothing shown
hangs from a hidden node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import NotFound
from .fixing import Confirmed, confirmed
from .model import Fact, Node
from .store import GraphStore


class BadConfidence(ValueError):
    """A minimum outside 0..1 (the API and the CLI bound it before it gets here)."""


def check_minimum(value: float | None) -> float | None:
    """``value`` when it is a usable minimum (None: no filter); raises :class:`BadConfidence` otherwise."""
    if value is None:
        return None
    if not 0.0 <= value <= 1.0 or value != value:  # NaN compares false both ways
        raise BadConfidence(f"min_confidence must be between 0 and 1, not {value!r}")
    return value


@dataclass(slots=True)
class Sureness:
    """A minimum confidence and what a person confirmed, for one query against one store."""

    store: GraphStore
    minimum: float
    done: Confirmed
    _paths: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, store: GraphStore, minimum: float | None) -> Sureness | None:
        """The filter for ``minimum``, or None when it keeps everything (none given, or 0)."""
        minimum = check_minimum(minimum)
        if not minimum:
            return None
        return cls(store, minimum, confirmed(store))

    @property
    def kept_keys(self) -> frozenset[str]:
        """Entities kept whatever their confidence: the confirmed ones."""
        return frozenset(self.done.entities)

    def token(self) -> tuple[object, ...]:
        """What the answer depends on besides the store's contents (a cache key part)."""
        return (self.minimum, frozenset(self.done.entities), tuple(self.done.facts))

    def node(self, node: Node) -> bool:
        return node.confidence >= self.minimum or self.done.entity(node.key)

    def fact(self, fact: Fact) -> bool:
        """The fact itself is sure enough (its ends are checked by :meth:`edge`)."""
        if fact.confidence >= self.minimum:
            return True
        if not self.done.facts:
            return False
        return self.done.fact(fact, self._path(fact.document))

    def edge(self, fact: Fact, subject: Node, object: Node) -> bool:
        """The fact and both its ends are sure enough."""
        return self.node(subject) and self.node(object) and self.fact(fact)

    def _path(self, doc_id: str) -> str:
        path = self._paths.get(doc_id)
        if path is None:
            try:
                path = self.store.document(doc_id).path
            except NotFound:
                path = ""
            self._paths[doc_id] = path
        return path


def effective(node_or_fact: Node | Fact, is_confirmed: bool) -> float:
    """The confidence a person sees and filters on: 1.0 once confirmed, else the extractor's."""
    return 1.0 if is_confirmed else node_or_fact.confidence


__all__ = ["BadConfidence", "Sureness", "check_minimum", "effective"]
