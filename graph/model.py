"""The stored graph: nodes, facts (edges) and documents, as every backend returns them.

These records are the boundary between the stores and everything above them
(queries, API, viz, exports).  They are backend-neutral: an embedded store and
a Neo4j store return equal records for the same ingest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Span = tuple[int, int]
T = TypeVar("T")


@dataclass(slots=True)
class Node:
    """One entity across all reports.  ``key`` is stable: derived from type and normalised name."""

    key: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    #: document id -> character spans of the mentions in that document
    mentions: dict[str, list[Span]] = field(default_factory=dict)
    #: how sure the extractor is that this is an entity (0–1): the highest over its documents, because
    #: one report that names it surely (a legal-form suffix, a title, 以下简称) makes it real, and a
    #: vaguer mention elsewhere does not make it less so.  Records stored before confidence was kept
    #: read as 1.0, the extractor's own default for an extraction that states none.
    confidence: float = 1.0

    @property
    def documents(self) -> list[str]:
        return sorted(self.mentions)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "name": self.name,
            "aliases": list(self.aliases),
            "documents": self.documents,
            "confidence": round(self.confidence, 3),
        }


@dataclass(slots=True)
class Fact:
    """One extracted statement (an edge), with its evidence and typed qualifiers."""

    id: str
    predicate: str
    subject: str  # node key
    object: str  # node key
    document: str  # document id
    evidence: str
    span: Span
    amount_value: float | None = None
    amount_currency: str | None = None
    amount_text: str | None = None
    amount_masked: bool = False
    amount_approx: bool = False
    period_start: str | None = None
    period_end: str | None = None
    period_text: str | None = None
    agency: str | None = None
    action: str | None = None
    #: one amount stated for several recipients together; sums count it once per (document, group)
    amount_shared: bool = False
    amount_group: str | None = None
    #: how sure the extractor is of this statement (0–1); stored before it was kept: 1.0
    confidence: float = 1.0
    #: the sentence names no time: the period is the report's own (SCHEMA ``period.inherited``)
    period_inherited: bool = False

    @property
    def has_amount(self) -> bool:
        return self.amount_text is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "predicate": self.predicate,
            "subject": self.subject,
            "object": self.object,
            "document": self.document,
            "evidence": self.evidence,
            "span": list(self.span),
            "amount": (
                {
                    "value": self.amount_value,
                    "currency": self.amount_currency,
                    "text": self.amount_text,
                    "masked": self.amount_masked,
                    "approx": self.amount_approx,
                    "shared": self.amount_shared,
                    "group": self.amount_group,
                }
                if self.has_amount
                else None
            ),
            "period": (
                {
                    "text": self.period_text,
                    "start": self.period_start,
                    "end": self.period_end,
                    "inherited": self.period_inherited,
                }
                if self.period_start or self.period_end or self.period_text
                else None
            ),
            "agency": self.agency,
            "action": self.action,
            "confidence": round(self.confidence, 3),
        }


@dataclass(slots=True)
class DocumentRecord:
    """A stored report.  ``id`` hashes its decoded text: the same report in any encoding is one document."""

    id: str
    path: str
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    period_text: str | None = None
    entity_count: int = 0
    fact_count: int = 0

    @property
    def file(self) -> str:
        """The file name (no folders): what a person recognises, and no path of the machine that built it."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        """How tables and pages name the report: title and file name."""
        file = self.file
        if self.title and file:
            return f"{self.title} ({file})"
        return self.title or file or self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "path": self.path,
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date,
            "period": (
                {"text": self.period_text, "start": self.period_start, "end": self.period_end}
                if self.period_start or self.period_end
                else None
            ),
            "entities": self.entity_count,
            "facts": self.fact_count,
        }


@dataclass(slots=True)
class EntityHit:
    """A search result: the node and how connected it is (for ranking and display)."""

    node: Node
    degree: int
    score: float = 0.0


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(slots=True)
class Subgraph:
    """Nodes and edges around a centre; ``omitted`` counts nodes left out by the cap, per type."""

    nodes: list[Node]
    edges: list[Fact]
    center: str | None = None
    omitted: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class GraphPath:
    """One shortest connection: ``nodes[i]`` and ``nodes[i+1]`` are joined by ``edges[i]``."""

    nodes: list[Node]
    edges: list[Fact]


@dataclass(slots=True)
class IngestResult:
    document: str
    #: "added", "unchanged" (same text already stored) or "replaced" (same path, new text, replace asked)
    status: str
    replaced: str | None = None
    #: other stored documents read from the same path (a new text under a used name, kept beside them)
    same_path: list[str] = field(default_factory=list)
    nodes_added: int = 0
    facts_added: int = 0


@dataclass(slots=True)
class RemoveResult:
    document: str
    facts_removed: int = 0
    nodes_removed: int = 0


@dataclass(slots=True)
class Stats:
    entities: dict[str, int]
    relations: dict[str, int]
    documents: int

    def to_json(self) -> dict[str, Any]:
        return {"entities": self.entities, "relations": self.relations, "documents": self.documents}
