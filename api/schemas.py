"""Response schemas of the HTTP API, kept apart from the stored records so either can change alone.

Each schema has a ``build`` classmethod from the library dataclass it shows;
descriptions are bilingual because the people reading ``/docs`` read Chinese.
The schemas of the busiest answers (search, neighbours, funding) also have an
``encode`` function giving the JSON-ready value directly: a large answer is
hundreds of records, and building a model per record cost more than the query.
Their ``build`` validates what ``encode`` gives, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.model import (
    DocumentRecord,
    EntityHit,
    Fact,
    GraphPath,
    IngestResult,
    Node,
    RemoveResult,
    Stats,
    Subgraph,
)
from graph.queries import (
    DocumentDetail,
    EntityDetail,
    FundingItem,
    FundingReport,
    FundingTotal,
    PolicyLink,
    RelationView,
)

T = TypeVar("T")
Json = dict[str, Any]

_TYPE_ZH = TYPE_LABELS_ZH
_PREDICATE_ZH = PREDICATE_LABELS_ZH
TYPES_DOC = ", ".join(f"{zh} {en}" for en, zh in TYPE_LABELS_ZH.items())
PREDICATES_DOC = ", ".join(f"{en} {zh}" for en, zh in PREDICATE_LABELS_ZH.items())


class ListOf(BaseModel, Generic[T]):
    """Every list answer: one page of ``items`` and the ``total`` number of matches."""

    items: list[T]
    total: int = Field(description="匹配总数 Number of matches before limit/offset")


class AmountOut(BaseModel):
    value: float | None = Field(description="金额（元）Whole units of the currency; null when masked (*亿元)")
    text: str | None = Field(description="原文 Amount as written, e.g. 2.5亿元")
    currency: str | None = Field(description="币种 Currency, e.g. CNY")
    masked: bool = Field(description="是否打码 True when the published number is masked")
    approx: bool = Field(False, description="约数 True for 约/近/超/余 amounts")
    shared: bool = Field(False, description="共享 One amount stated for several recipients together")
    group: str | None = Field(None, description="共享组 Id common to the facts sharing one amount")


class PeriodOut(BaseModel):
    text: str | None = Field(description="原文 Period as written, e.g. 2023年上半年")
    start: str | None = Field(description="开始日期 ISO start date")
    end: str | None = Field(description="结束日期 ISO end date")
    inherited: bool = Field(
        False, description="沿用报告期 The sentence names no time: this is the report's own period"
    )


CONFIDENCE_DOC = (
    "置信度 Confidence How sure the extractor is, 0-1 (an entity: its surest report); "
    "min_confidence filters on it, counting what a person confirmed as 1.0"
)


class EntityRef(BaseModel):
    """An entity named in another answer."""

    key: str = Field(description="实体键 Stable entity key")
    name: str = Field(description="名称 Canonical name")
    type: str = Field(description=f"类型 Type: {TYPES_DOC}")
    type_zh: str = Field(description="类型（中文）Type label in Chinese")
    confidence: float = Field(1.0, ge=0, le=1, description=CONFIDENCE_DOC)

    @classmethod
    def build(cls, node: Node) -> EntityRef:
        return cls.model_construct(
            key=node.key,
            name=node.name,
            type=node.type,
            type_zh=TYPE_LABELS_ZH.get(node.type, node.type),
            confidence=_sure(node.confidence),
        )

    @staticmethod
    def encode(node: Node) -> Json:
        type_zh = _TYPE_ZH.get(node.type, node.type)
        return {
            "key": node.key,
            "name": node.name,
            "type": node.type,
            "type_zh": type_zh,
            "confidence": _sure(node.confidence),
        }


def _sure(value: float) -> float:
    """Three decimals, as the extraction JSON writes it (SCHEMA.md)."""
    return round(float(value), 3)


def _counted(node: Node) -> Json:
    """An entity with its aliases and the number (not the list) of reports that mention it."""
    return {**EntityRef.encode(node), "aliases": node.aliases, "documents": len(node.mentions)}


class EntityOut(EntityRef):
    """实体 An entity in search results."""

    aliases: list[str] = Field(description="别名 Other surface forms merged into this entity")
    documents: int = Field(description="来源报告数 Number of reports that mention it")
    degree: int = Field(description="关系数 Number of facts touching it")

    @classmethod
    def from_hit(cls, hit: EntityHit) -> EntityOut:
        return cls.model_validate(cls.encode_hit(hit))

    @staticmethod
    def encode_hit(hit: EntityHit) -> Json:
        return {**_counted(hit.node), "degree": hit.degree}


def _amount(fact: Fact) -> AmountOut | None:
    if not fact.has_amount:
        return None
    return AmountOut.model_construct(
        value=None if fact.amount_value is None else float(fact.amount_value),
        text=fact.amount_text,
        currency=fact.amount_currency,
        masked=fact.amount_masked,
        approx=fact.amount_approx,
        shared=fact.amount_shared,
        group=fact.amount_group,
    )


def _period(fact: Fact) -> PeriodOut | None:
    if not (fact.period_start or fact.period_end or fact.period_text):
        return None
    return PeriodOut.model_construct(
        text=fact.period_text, start=fact.period_start, end=fact.period_end, inherited=fact.period_inherited
    )


def _amount_json(fact: Fact) -> Json | None:
    if fact.amount_text is None:
        return None
    value = fact.amount_value
    return {
        "value": None if value is None else float(value),
        "text": fact.amount_text,
        "currency": fact.amount_currency,
        "masked": fact.amount_masked,
        "approx": fact.amount_approx,
        "shared": fact.amount_shared,
        "group": fact.amount_group,
    }


def _period_json(fact: Fact) -> Json | None:
    if not (fact.period_start or fact.period_end or fact.period_text):
        return None
    return {
        "text": fact.period_text,
        "start": fact.period_start,
        "end": fact.period_end,
        "inherited": fact.period_inherited,
    }


class EdgeOut(BaseModel):
    """事实 One extracted fact (edge) with its evidence sentence and source report."""

    id: str
    predicate: str = Field(description=f"关系 Predicate: {PREDICATES_DOC}")
    predicate_zh: str = Field(description="关系（中文）Predicate label in Chinese")
    source: str = Field(description="主体键 Subject entity key")
    target: str = Field(description="客体键 Object entity key")
    amount: AmountOut | None = Field(description="金额 Amount, when the fact has one")
    period: PeriodOut | None = Field(description="时间 Period, when the fact has one")
    agency: str | None = Field(description="机构 Agency that applied for, granted or reported it")
    action: str | None = Field(description="行为 Action such as 入选, 申报, 获评")
    evidence: str = Field(description="证据 The sentence the fact was read from")
    document: str = Field(description="来源报告 Id of the source report")
    confidence: float = Field(1.0, ge=0, le=1, description=CONFIDENCE_DOC)

    @classmethod
    def build(cls, fact: Fact) -> EdgeOut:
        return cls.model_construct(
            id=fact.id,
            predicate=fact.predicate,
            predicate_zh=PREDICATE_LABELS_ZH.get(fact.predicate, fact.predicate),
            source=fact.subject,
            target=fact.object,
            amount=_amount(fact),
            period=_period(fact),
            agency=fact.agency,
            action=fact.action,
            evidence=fact.evidence,
            document=fact.document,
            confidence=_sure(fact.confidence),
        )

    @staticmethod
    def encode(fact: Fact) -> Json:
        return {
            "id": fact.id,
            "predicate": fact.predicate,
            "predicate_zh": _PREDICATE_ZH.get(fact.predicate, fact.predicate),
            "source": fact.subject,
            "target": fact.object,
            "amount": _amount_json(fact),
            "period": _period_json(fact),
            "agency": fact.agency,
            "action": fact.action,
            "evidence": fact.evidence,
            "document": fact.document,
            "confidence": _sure(fact.confidence),
        }


class SubgraphNodeOut(EntityRef):
    """A node of a subgraph; a hub is mentioned by hundreds of reports, so they are counted, not listed."""

    aliases: list[str] = Field(description="别名 Other surface forms merged into this entity")
    documents: int = Field(
        description="来源报告数 Number of reports that mention it (listed by /api/entities/{key})"
    )

    @staticmethod
    def encode(node: Node) -> Json:
        return _counted(node)


class NodeOut(EntityRef):
    aliases: list[str]
    documents: list[str] = Field(description="来源报告 Ids of reports that mention it")

    @classmethod
    def from_node(cls, node: Node) -> NodeOut:
        return cls.model_construct(
            key=node.key,
            name=node.name,
            type=node.type,
            type_zh=TYPE_LABELS_ZH.get(node.type, node.type),
            confidence=_sure(node.confidence),
            aliases=list(node.aliases),
            documents=node.documents,
        )


class MentionsOut(BaseModel):
    document: str = Field(description="报告 Report id")
    count: int = Field(description="提及次数 Number of mentions")
    spans: list[tuple[int, int]] = Field(description="位置 Character offsets in the report text")


class RelationOut(BaseModel):
    direction: str = Field(description="方向 'out' when this entity is the subject, 'in' when the object")
    other: EntityRef = Field(description="另一端 The entity at the other end")
    fact: EdgeOut

    @classmethod
    def build(cls, view: RelationView) -> RelationOut:
        return cls.model_construct(
            direction=view.direction, other=EntityRef.build(view.other), fact=EdgeOut.build(view.fact)
        )


class EntityDetailOut(NodeOut):
    """实体详情 One entity with aliases, mentions per report and relations grouped by predicate."""

    degree: int
    mentions: list[MentionsOut]
    relations: dict[str, list[RelationOut]] = Field(
        description=f"按关系分组 Relations by predicate ({PREDICATES_DOC})"
    )
    confirmed: bool = Field(False, description="已确认 Verified by a person (kg fix confirm)")

    @classmethod
    def from_detail(cls, detail: EntityDetail, confirmed: bool = False) -> EntityDetailOut:
        node = detail.node
        return cls.model_construct(
            key=node.key,
            name=node.name,
            type=node.type,
            type_zh=TYPE_LABELS_ZH.get(node.type, node.type),
            confidence=_sure(node.confidence),
            aliases=list(node.aliases),
            documents=node.documents,
            degree=detail.degree,
            mentions=[
                MentionsOut.model_construct(document=m.document, count=len(m.spans), spans=m.spans)
                for m in detail.mentions
            ],
            relations={p: [RelationOut.build(v) for v in views] for p, views in detail.relations.items()},
            confirmed=confirmed,
        )


class SubgraphOut(BaseModel):
    """子图 Nodes and edges around an entity, nearest first."""

    center: str | None
    nodes: list[SubgraphNodeOut]
    edges: list[EdgeOut]
    omitted: dict[str, int] = Field(description="省略 Nodes left out by the limit, per type")

    @classmethod
    def build(cls, sub: Subgraph) -> SubgraphOut:
        return cls.model_validate(cls.encode(sub))

    @staticmethod
    def encode(sub: Subgraph) -> Json:
        node, edge = SubgraphNodeOut.encode, EdgeOut.encode
        return {
            "center": sub.center,
            "nodes": [node(n) for n in sub.nodes],
            "edges": [edge(e) for e in sub.edges],
            "omitted": sub.omitted,
        }


class PathOut(BaseModel):
    """路径 One shortest connection: nodes[i] and nodes[i+1] are joined by edges[i]."""

    hops: int
    nodes: list[EntityRef]
    edges: list[EdgeOut]

    @classmethod
    def build(cls, path: GraphPath) -> PathOut:
        return cls.model_construct(
            hops=len(path.edges),
            nodes=[EntityRef.build(n) for n in path.nodes],
            edges=[EdgeOut.build(e) for e in path.edges],
        )


class FundingItemOut(BaseModel):
    """资金 One FUNDED_BY fact: who got which money, how much, when, from whom, and where it is written."""

    fact_id: str
    recipient: EntityRef = Field(description="获得方 Project, company or zone that got the money")
    instrument: EntityRef = Field(description="资金类型 Funding instrument, e.g. 专项债")
    amount: AmountOut | None
    period: PeriodOut | None
    agency: str | None = Field(description="机构 Agency involved")
    evidence: str = Field(description="证据 Evidence sentence")
    document: str = Field(description="来源报告 Source report id")
    restates: str | None = Field(
        description="重复 Id of an earlier fact stating the same funding (not counted again in totals)"
    )
    shared_by: int = Field(
        1, description="共享 Recipients sharing this row's amount (1: its own); totals count it once"
    )
    confidence: float = Field(1.0, ge=0, le=1, description=CONFIDENCE_DOC)

    @staticmethod
    def encode(item: FundingItem) -> Json:
        f = item.fact
        return {
            "fact_id": f.id,
            "recipient": EntityRef.encode(item.recipient),
            "instrument": EntityRef.encode(item.instrument),
            "amount": _amount_json(f),
            "period": _period_json(f),
            "agency": f.agency,
            "evidence": f.evidence,
            "document": f.document,
            "restates": item.restates,
            "shared_by": item.shared_by,
            "confidence": _sure(f.confidence),
        }


class FundingTotalOut(BaseModel):
    """合计 Per instrument and currency: known amounts summed, facts and masked amounts counted."""

    instrument: EntityRef
    currency: str | None
    amount: float = Field(description="已知金额合计 Sum of known amounts")
    facts: int = Field(description="事实数 Recipient rows counted (restatements once)")
    amounts: int = Field(description="金额数 Distinct amounts summed (a shared amount once)")
    masked: int = Field(description="打码金额数 Masked amounts (a shared one once)")

    @staticmethod
    def encode(t: FundingTotal) -> Json:
        return {
            "instrument": EntityRef.encode(t.instrument),
            "currency": t.currency,
            "amount": float(t.amount),
            "facts": t.facts,
            "amounts": t.amounts,
            "masked": t.masked,
        }


class FundingOut(BaseModel):
    items: list[FundingItemOut]
    total: int = Field(description="匹配总数 Matching facts before limit/offset")
    totals: list[FundingTotalOut]

    @classmethod
    def build(cls, report: FundingReport) -> FundingOut:
        return cls.model_validate(cls.encode(report))

    @staticmethod
    def encode(report: FundingReport) -> Json:
        return {
            "items": [FundingItemOut.encode(i) for i in report.items],
            "total": report.total,
            "totals": [FundingTotalOut.encode(t) for t in report.totals],
        }


class PolicyLinkOut(BaseModel):
    """企业—政策 A company (or project) linked to a policy, list or title."""

    company: EntityRef = Field(description="企业 Company or project")
    policy: EntityRef = Field(description="政策 Policy, list or title")
    action: str | None = Field(description="行为 入选, 申报, 获评, 兑现 …")
    period: PeriodOut | None
    evidence: str
    document: str
    confidence: float = Field(1.0, ge=0, le=1, description=CONFIDENCE_DOC)

    @classmethod
    def build(cls, link: PolicyLink) -> PolicyLinkOut:
        return cls.model_construct(
            company=EntityRef.build(link.company),
            policy=EntityRef.build(link.policy),
            action=link.fact.action,
            period=_period(link.fact),
            evidence=link.fact.evidence,
            document=link.fact.document,
            confidence=_sure(link.fact.confidence),
        )


class DocumentOut(BaseModel):
    """报告 A stored report."""

    id: str = Field(description="编号 Hash of the report's text; its file name or stem also names it")
    file: str = Field(description="文件名 File name the report was read from (no folders)")
    title: str | None
    issuer: str | None
    date: str | None
    period: PeriodOut | None
    entities: int
    facts: int

    @classmethod
    def build(cls, d: DocumentRecord) -> DocumentOut:
        period = (
            PeriodOut.model_construct(text=d.period_text, start=d.period_start, end=d.period_end)
            if d.period_start or d.period_end or d.period_text
            else None
        )
        return cls.model_construct(
            id=d.id,
            file=d.file,
            title=d.title,
            issuer=d.issuer,
            date=d.date,
            period=period,
            entities=d.entity_count,
            facts=d.fact_count,
        )


class DocumentDetailOut(DocumentOut):
    edges: list[EdgeOut] = Field(description="事实 Facts read from this report")

    @classmethod
    def from_detail(cls, detail: DocumentDetail) -> DocumentDetailOut:
        base = DocumentOut.build(detail.document)
        return cls.model_construct(**dict(base), edges=[EdgeOut.build(f) for f in detail.facts])


class IngestOut(BaseModel):
    """上传结果 What an upload added: 'added', 'unchanged' (same text stored) or 'replaced' (replace=true)."""

    document: str
    status: str
    replaced: str | None
    same_name: list[str] = Field(
        default_factory=list,
        description="同名报告 Other stored reports under this file name, kept (ask replace=true to replace)",
    )
    nodes_added: int
    facts_added: int

    @classmethod
    def build(cls, r: IngestResult) -> IngestOut:
        return cls.model_construct(
            document=r.document,
            status=r.status,
            replaced=r.replaced,
            same_name=list(r.same_path),
            nodes_added=r.nodes_added,
            facts_added=r.facts_added,
        )


class RemoveOut(BaseModel):
    document: str
    facts_removed: int
    nodes_removed: int

    @classmethod
    def build(cls, r: RemoveResult) -> RemoveOut:
        return cls.model_construct(
            document=r.document, facts_removed=r.facts_removed, nodes_removed=r.nodes_removed
        )


class StatsOut(BaseModel):
    """统计 Counts of entities per type, relations per predicate and documents."""

    entities: dict[str, int] = Field(description=f"实体数 Entities per type ({TYPES_DOC})")
    relations: dict[str, int] = Field(description=f"关系数 Relations per predicate ({PREDICATES_DOC})")
    documents: int = Field(description="报告数 Stored reports")

    @classmethod
    def build(cls, s: Stats) -> StatsOut:
        return cls.model_construct(
            entities=dict(s.entities), relations=dict(s.relations), documents=s.documents
        )


class HealthOut(BaseModel):
    status: str = Field(description="ok, or unavailable while the store cannot be reached")
    store: str
    reachable: bool = Field(True, description="是否可达 Whether the store answered (or its last answer)")
    detail: str | None = Field(None, description="Why the store is unreachable, when it is")


class ErrorOut(BaseModel):
    detail: str = Field(description="错误 What went wrong, in one line")


class ValidationIssueOut(BaseModel):
    loc: list[str | int] = Field(description='Where: the parameter or body field, e.g. ["query", "limit"]')
    msg: str
    type: str
    input: str | None = Field(None, description="The value given, cut to 80 characters")


class ValidationErrorOut(BaseModel):
    """The 422 answer: one line for people, the list for programs; echoed input is cut short."""

    detail: str = Field(description="错误 Each bad parameter and why, in one line")
    errors: list[ValidationIssueOut]
