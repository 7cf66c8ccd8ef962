"""Typed records passed between the extraction stages.

Each stage is a plain function from one of these records to the next
(loaded text -> report metadata -> entities -> relations -> extraction), so a
stage can be tested on its own and the stores never see loose dicts.  The
JSON shape of :meth:`Extraction.to_json` is the contract in
``../shared/eval/SCHEMA.md``; nothing else in the project may rename it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["Agency", "Zone", "Project", "Company", "Policy", "Funding"]
Predicate = Literal["FUNDED_BY", "INVESTS_IN", "PARTICIPATES_IN", "LOCATED_IN", "ISSUED_BY"]

ENTITY_TYPES: tuple[EntityType, ...] = ("Agency", "Zone", "Project", "Company", "Policy", "Funding")
PREDICATES: tuple[Predicate, ...] = ("FUNDED_BY", "INVESTS_IN", "PARTICIPATES_IN", "LOCATED_IN", "ISSUED_BY")

#: Bilingual labels for what a person reads (page legend, API docs, tables).
TYPE_LABELS_ZH: dict[str, str] = {
    "Project": "项目",
    "Company": "企业",
    "Policy": "政策",
    "Funding": "资金",
    "Agency": "机构",
    "Zone": "区域",
}
PREDICATE_LABELS_ZH: dict[str, str] = {
    "FUNDED_BY": "资金来源",
    "INVESTS_IN": "投资",
    "PARTICIPATES_IN": "参与",
    "LOCATED_IN": "位于",
    "ISSUED_BY": "发布",
}

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Amount:
    """Money as written: ``value`` is whole units of ``currency``, ``None`` when masked."""

    text: str
    value: float | None
    currency: str = "CNY"
    masked: bool = False
    approx: bool = False
    #: one amount stated for several recipients together: a sum counts it once per ``group``
    shared: bool = False
    group: str | None = None

    def to_json(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 2.5亿元 is 250000000 yuan, written as a whole number
        out: dict[str, Any] = {"text": self.text, "value": value, "currency": self.currency}
        if self.masked:
            out["masked"] = True
        if self.approx:
            out["approx"] = True
        if self.shared:
            out["shared"] = True
            if self.group:
                out["group"] = self.group
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Amount:
        return cls(
            text=data["text"],
            value=data.get("value"),
            currency=data.get("currency", "CNY"),
            masked=bool(data.get("masked", data.get("value") is None)),
            approx=bool(data.get("approx", False)),
            shared=bool(data.get("shared", False)),
            group=data.get("group"),
        )


@dataclass(frozen=True, slots=True)
class Period:
    """A time range resolved to ISO dates (``YYYY-MM-DD``); ``text`` keeps the words used."""

    text: str
    start: str | None
    end: str | None
    #: the sentence names no time: this is the report's own period
    inherited: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end}
        if self.inherited:
            out["inherited"] = True
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Period:
        return cls(
            text=data.get("text", ""),
            start=data.get("start"),
            end=data.get("end"),
            inherited=bool(data.get("inherited", False)),
        )


@dataclass(slots=True)
class LoadedText:
    """A decoded report.  Offsets everywhere else point into ``text``.

    ``body`` lists the ranges that belong to the report itself; web-page
    junk (forum headers, share buttons, ICP lines, footers) lies outside
    them and is never mined for entities.
    """

    path: str
    text: str
    encoding: str
    body: list[Span] = field(default_factory=list)
    media_type: str = "text/plain"


@dataclass(slots=True)
class ReportMeta:
    """What the report says about itself; ``year`` anchors relative periods (今年, 上半年)."""

    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    period: Period | None = None
    year: int | None = None
    zone: str | None = None


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    #: how sure the extractor is (0–1); consumers may filter on it
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "mentions": [list(m) for m in self.mentions],
            "confidence": round(self.confidence, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entity:
        return cls(
            id=data["id"],
            name=data["name"],
            type=data["type"],
            aliases=list(data.get("aliases", [])),
            mentions=[(int(a), int(b)) for a, b in data.get("mentions", [])],
            confidence=float(data.get("confidence", 1.0)),
        )


@dataclass(slots=True)
class Relation:
    subject: str
    predicate: Predicate
    object: str
    evidence: str
    span: Span
    amount: Amount | None = None
    period: Period | None = None
    agency: str | None = None
    action: str | None = None
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"subject": self.subject, "predicate": self.predicate, "object": self.object}
        if self.amount is not None:
            out["amount"] = self.amount.to_json()
        if self.period is not None:
            out["period"] = self.period.to_json()
        if self.agency:
            out["agency"] = self.agency
        if self.action:
            out["action"] = self.action
        out["evidence"] = self.evidence
        out["span"] = list(self.span)
        out["confidence"] = round(self.confidence, 3)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Relation:
        return cls(
            subject=data["subject"],
            predicate=data["predicate"],
            object=data["object"],
            evidence=data.get("evidence", ""),
            span=(int(data["span"][0]), int(data["span"][1])) if data.get("span") else (0, 0),
            amount=Amount.from_json(data["amount"]) if data.get("amount") else None,
            period=Period.from_json(data["period"]) if data.get("period") else None,
            agency=data.get("agency"),
            action=data.get("action"),
            confidence=float(data.get("confidence", 1.0)),
        )


@dataclass(slots=True)
class DocInfo:
    """The ``doc`` header of an extraction.

    ``id`` is the file stem, because the scorer pairs documents by stem; the content hash that keys
    the stored Document lives in ``sha256``.
    """

    id: str
    path: str
    title: str | None = None
    date: str | None = None
    issuer: str | None = None
    period: Period | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "path": self.path, "title": self.title, "date": self.date}
        out["issuer"] = self.issuer
        out["period"] = self.period.to_json() if self.period else None
        if self.sha256:
            out["sha256"] = self.sha256
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocInfo:
        return cls(
            id=data["id"],
            path=data.get("path", ""),
            title=data.get("title"),
            date=data.get("date"),
            issuer=data.get("issuer"),
            period=Period.from_json(data["period"]) if data.get("period") else None,
            sha256=data.get("sha256"),
        )


@dataclass(slots=True)
class Extraction:
    """One document's extraction: the unit the stores ingest and ``kg extract --json`` prints."""

    doc: DocInfo
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc.to_json(),
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            doc=DocInfo.from_json(data["doc"]),
            entities=[Entity.from_json(e) for e in data.get("entities", [])],
            relations=[Relation.from_json(r) for r in data.get("relations", [])],
        )

    def filtered(self, min_confidence: float) -> Extraction:
        """The entities and relations the extractor is at least this sure of (and no fact left dangling)."""
        if min_confidence <= 0:
            return self
        ents = [e for e in self.entities if e.confidence >= min_confidence]
        kept = {e.id for e in ents}
        rels = [
            r
            for r in self.relations
            if r.confidence >= min_confidence and r.subject in kept and r.object in kept
        ]
        return Extraction(doc=self.doc, entities=ents, relations=rels)

    def entity(self, entity_id: str) -> Entity:
        for e in self.entities:
            if e.id == entity_id:
                return e
        raise KeyError(entity_id)
