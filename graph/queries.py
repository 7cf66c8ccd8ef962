"""The analysts' questions as library functions over any :class:`GraphStore`.

The API and the ``kg`` commands are thin layers over these: each function
takes a store and typed arguments and returns dataclasses, so both front
ends answer the same question the same way and the backends only have to
implement the small ``GraphStore`` contract.
"""

from __future__ import annotations

import contextlib
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Building moved to its own module; re-exported here for callers of the old place.
from .build import BuildFailure, BuildProgress, BuildSummary, build  # noqa: F401
from .confidence import Sureness
from .errors import EntityNotFound, NotFound
from .longlived import long_lived
from .model import (
    DocumentRecord,
    EntityHit,
    Fact,
    GraphPath,
    IngestResult,
    Node,
    Page,
    RemoveResult,
    Span,
    Subgraph,
)
from .shared import AmountKey, amount_key
from .store import GraphStore
from .subgraph import cap_reachable

# -- name matching ------------------------------------------------------------

_DROP = str.maketrans("", "", " \t\u3000\"'“”‘’「」『』《》〈〉")


def fold(text: str) -> str:
    """Width-fold, case-fold and drop quotes/spaces so 专精特新“小巨人” finds 专精特新"小巨人"."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_DROP)


def _node_matches(node: Node, needle: str) -> bool:
    """True when ``needle`` (already folded) is the key or a substring of the name or an alias."""
    if not needle:
        return True
    if fold(node.key) == needle:
        return True
    return any(needle in fold(n) for n in (node.name, *node.aliases))


class _NodeCache:
    """Per-call memo of ``store.entity`` so a query touching a node many times asks the store once."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.nodes: dict[str, Node] = {}

    def get(self, key: str) -> Node:
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = self._store.entity(key)
        return node


# -- resolving what a person typed ---------------------------------------------


@dataclass(slots=True)
class Resolution:
    """The entity a name or key stands for; ``alternatives`` are other entities with the same name."""

    node: Node
    alternatives: list[Node] = field(default_factory=list)


def resolve_entity(store: GraphStore, name_or_key: str, type: str | None = None) -> Resolution:
    """Turn a command-line argument into one entity: key, else exact name/alias, else a unique search hit.

    Several entities may share a name (宁波高新区 the Zone and the Agency of the
    same name); the best-connected one wins and the others are returned so the
    caller can mention them instead of silently guessing.
    """
    text = name_or_key.strip()
    if not text:
        raise EntityNotFound(name_or_key)
    try:
        node = store.entity(text)
    except NotFound:
        pass
    else:
        if type is None or node.type == type:
            return Resolution(node)
    candidates = store.lookup(text, type)
    if not candidates:
        hits = store.search_entities(text, type, limit=2).items
        if len(hits) == 1:
            return Resolution(hits[0].node)
        if not hits:
            raise EntityNotFound(text)
        # several substring hits: only accept the best when it is clearly the one (its name is the query)
        candidates = [h.node for h in hits if fold(h.node.name) == fold(text)]
        if not candidates:
            raise AmbiguousName(text, [h.node for h in store.search_entities(text, type, limit=5).items])
    ranked = sorted(candidates, key=lambda n: (-store.degree(n.key), n.key))
    return Resolution(ranked[0], ranked[1:])


# -- reads filtered on confidence ------------------------------------------------


def search(
    store: GraphStore,
    q: str = "",
    type: str | None = None,
    limit: int = 20,
    offset: int = 0,
    min_confidence: float | None = None,
) -> Page[EntityHit]:
    """Entity search; ``min_confidence`` keeps entities that sure or confirmed (before paging)."""
    sure = Sureness.of(store, min_confidence)
    if sure is None:
        return store.search_entities(q, type, limit=limit, offset=offset)
    return store.search_entities(
        q, type, limit=limit, offset=offset, min_confidence=sure.minimum, keep=sure.kept_keys
    )


#: How many nodes a confidence-filtered neighbourhood is chosen from (the traversal's own cap).
FILTER_FETCH = 5000


def neighbors(
    store: GraphStore,
    key: str,
    depth: int = 1,
    predicates: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    limit: int = 300,
    min_confidence: float | None = None,
) -> Subgraph:
    """The subgraph around ``key`` in the graph of what is at least ``min_confidence`` sure.

    The centre always stays (it was asked for by name).  With a minimum, the
    traversal fetches up to :data:`FILTER_FETCH` nodes, drops the unsure nodes and
    facts, and keeps what is still reachable over sure facts, nearest first, up to
    ``limit``: a node reached only through an unsure fact is not a neighbour of a
    sure graph, and unsure nodes do not use up the cap.
    """
    sure = Sureness.of(store, min_confidence)
    if sure is None:
        return store.neighbors(key, depth=depth, predicates=predicates, types=types, limit=limit)
    wide = max(limit, FILTER_FETCH)
    sub = store.neighbors(key, depth=depth, predicates=predicates, types=types, limit=wide)
    nodes = [n for n in sub.nodes if n.key == sub.center or sure.node(n)]
    kept = {n.key for n in nodes}
    edges = [e for e in sub.edges if e.subject in kept and e.object in kept and sure.fact(e)]
    return cap_reachable(nodes, edges, sub.center or key, depth, limit, sub.omitted)


def paths(
    store: GraphStore,
    source: str,
    target: str,
    max_hops: int = 4,
    limit: int = 10,
    min_confidence: float | None = None,
) -> list[GraphPath]:
    """Shortest connections; with ``min_confidence``, only those whose every step is that sure.

    The two ends were named by the caller and are never the reason a path goes.
    """
    found = store.paths(source, target, max_hops=max_hops, limit=limit)
    sure = Sureness.of(store, min_confidence)
    if sure is None:
        return found
    return [
        p for p in found if all(sure.node(n) for n in p.nodes[1:-1]) and all(sure.fact(e) for e in p.edges)
    ]


class AmbiguousName(NotFound):
    """A name that matches several entities only as a substring; the message lists some of them."""

    def __init__(self, name: str, candidates: list[Node]) -> None:
        listed = ", ".join(f"{n.name} ({n.key})" for n in candidates)
        super().__init__(f"{name!r} is not an entity name; did you mean one of: {listed}")
        self.name = name
        self.candidates = candidates


# -- funding -------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class FundingFilter:
    """Which FUNDED_BY facts to report.  Text filters match a key exactly or a name/alias as a substring."""

    instrument: str | None = None
    recipient: str | None = None
    agency: str | None = None
    zone: str | None = None
    #: ISO dates; a fact is kept when its period overlaps [start, end]
    start: str | None = None
    end: str | None = None
    min_amount: float | None = None
    #: leave out facts below this confidence, or with an end below it (confirmed ones stay)
    min_confidence: float | None = None


@dataclass(slots=True)
class FundingItem:
    """One FUNDED_BY fact with both ends resolved.

    ``restates`` is the id of an earlier fact (in another report, usually)
    stating the same funding; such rows are listed but not added to totals again.
    """

    fact: Fact
    recipient: Node
    instrument: Node
    restates: str | None = None
    #: how many recipients share this row's amount (1: its own); a sum counts a shared amount once
    shared_by: int = 1

    @property
    def shared(self) -> bool:
        return self.shared_by > 1


@dataclass(slots=True)
class FundingTotal:
    """Sum of known amounts per instrument and currency; masked amounts are counted, not guessed."""

    instrument: Node
    currency: str | None
    amount: float
    #: recipient rows counted (restatements left out)
    facts: int
    masked: int
    #: distinct amounts summed: a shared amount is one however many rows carry it
    amounts: int = 0


@dataclass(slots=True)
class FundingReport:
    items: list[FundingItem]
    totals: list[FundingTotal]
    #: matching rows before ``limit``/``offset``
    total: int
    #: the instruments an ``instrument`` filter matched (several when it is a substring of their names)
    instruments: list[Node] = field(default_factory=list)


def _period_overlaps(fact: Fact, start: str | None, end: str | None) -> bool:
    """Open-ended periods overlap everything on their open side; a fact with no period matches no range."""
    if start is None and end is None:
        return True
    if fact.period_start is None and fact.period_end is None:
        return False
    f_start = fact.period_start or "0000-00-00"
    f_end = fact.period_end or "9999-99-99"
    return (end is None or f_start <= end) and (start is None or f_end >= start)


def _dedupe_key(fact: Fact) -> tuple[object, ...]:
    amount: object = fact.amount_value if fact.amount_value is not None else ("text", fact.amount_text)
    return (fact.subject, fact.object, amount, fact.amount_currency, fact.period_start, fact.period_end)


def _zone_members(store: GraphStore, zone_needle: str) -> set[str]:
    """Keys of the matching zones and of everything located in them, directly or through sub-zones."""
    zones = {
        hit.node.key
        for hit in store.search_entities(zone_needle, "Zone", limit=1000).items
        if _node_matches(hit.node, fold(zone_needle))
    }
    with contextlib.suppress(NotFound):
        zones.add(store.entity(zone_needle).key)
    members = set(zones)
    frontier = list(zones)
    while frontier:
        nxt: list[str] = []
        for key in frontier:
            for fact in store.facts(predicate="LOCATED_IN", object=key):
                if fact.subject not in members:
                    members.add(fact.subject)
                    nxt.append(fact.subject)
        frontier = nxt
    return members


@dataclass(slots=True)
class _FundingBase:
    """Every FUNDED_BY fact with both ends resolved, oldest first, and each node's folded names."""

    rows: list[FundingItem]
    by_instrument: dict[str, list[FundingItem]]
    #: node key -> (folded key, folded name and aliases)
    forms: dict[str, tuple[str, tuple[str, ...]]]
    #: fact id -> the key of the amount it states (equal keys: one amount shared by several rows)
    amount_keys: dict[str, AmountKey]
    #: amount key -> how many distinct recipients state it
    sharers: dict[AmountKey, int]


@dataclass(slots=True)
class _FundingAnswer:
    """One filter's full answer (every matching row, display order), before paging."""

    items: list[FundingItem]
    totals: list[FundingTotal]
    instruments: list[Node] = field(default_factory=list)


def _oldest_first(row: FundingItem) -> tuple[str, str, str]:
    return (row.fact.period_start or "9999", row.fact.document, row.fact.id)


def _funding_base(store: GraphStore) -> _FundingBase:
    nodes = _NodeCache(store)
    rows = [
        FundingItem(f, nodes.get(f.subject), nodes.get(f.object)) for f in store.facts(predicate="FUNDED_BY")
    ]
    rows.sort(key=_oldest_first)
    by_instrument: dict[str, list[FundingItem]] = {}
    for row in rows:
        by_instrument.setdefault(row.instrument.key, []).append(row)
    forms = {k: (fold(k), tuple(fold(x) for x in (n.name, *n.aliases))) for k, n in nodes.nodes.items()}
    amount_keys = {row.fact.id: amount_key(row.fact) for row in rows}
    recipients: dict[AmountKey, set[str]] = {}
    for row in rows:
        recipients.setdefault(amount_keys[row.fact.id], set()).add(row.fact.subject)
    sharers = {k: len(v) for k, v in recipients.items() if len(v) > 1}
    return _FundingBase(rows, by_instrument, forms, amount_keys, sharers)


def _forms_match(forms: tuple[str, tuple[str, ...]], needle: str) -> bool:
    return not needle or forms[0] == needle or any(needle in f for f in forms[1])


def _funding_answer(
    store: GraphStore, base: _FundingBase, flt: FundingFilter, sure: Sureness | None = None
) -> _FundingAnswer:
    members = _zone_members(store, flt.zone) if flt.zone else None
    instrument = fold(flt.instrument) if flt.instrument else ""
    recipient = fold(flt.recipient) if flt.recipient else ""
    agency = fold(flt.agency) if flt.agency else ""

    source = base.rows
    matched: list[Node] = []
    if instrument:
        keys = [k for k in base.by_instrument if _forms_match(base.forms[k], instrument)]
        matched = sorted((base.by_instrument[k][0].instrument for k in keys), key=lambda n: (n.name, n.key))
        wanted = set(keys)
        source = (
            base.by_instrument[keys[0]]
            if len(keys) == 1
            else [r for r in base.rows if r.instrument.key in wanted]
        )
    rows: list[FundingItem] = []
    for row in source:  # oldest first, so the first report to state a funding is the one counted
        fact = row.fact
        if members is not None and fact.subject not in members:
            continue
        if flt.min_amount is not None and (fact.amount_value is None or fact.amount_value < flt.min_amount):
            continue
        if agency and (fact.agency is None or agency not in fold(fact.agency)):
            continue
        if not _period_overlaps(fact, flt.start, flt.end):
            continue
        if recipient and not _forms_match(base.forms[fact.subject], recipient):
            continue
        if sure is not None and not sure.edge(fact, row.recipient, row.instrument):
            continue
        shared_by = base.sharers.get(base.amount_keys[fact.id], 1)
        rows.append(FundingItem(fact, row.recipient, row.instrument, shared_by=shared_by))

    seen: dict[tuple[object, ...], str] = {}
    counted: set[AmountKey] = set()  # amounts already summed: a shared one is added once
    totals: dict[tuple[str, str | None], FundingTotal] = {}
    for row in rows:
        key = _dedupe_key(row.fact)
        if key in seen:
            row.restates = seen[key]
            continue
        seen[key] = row.fact.id
        currency = row.fact.amount_currency if row.fact.has_amount else None
        total = totals.get((row.instrument.key, currency))
        if total is None:
            total = totals[(row.instrument.key, currency)] = FundingTotal(row.instrument, currency, 0.0, 0, 0)
        total.facts += 1
        akey = base.amount_keys[row.fact.id]
        if akey in counted:
            continue
        counted.add(akey)
        total.amounts += 1
        if row.fact.amount_value is not None:
            total.amount += row.fact.amount_value
        elif row.fact.amount_masked:
            total.masked += 1
    ordered_totals = sorted(totals.values(), key=lambda t: (-t.amount, t.instrument.name, t.currency or ""))
    # the rows an analyst wants first: the largest known amounts
    rows.sort(
        key=lambda r: (r.fact.amount_value is None, -(r.fact.amount_value or 0), r.recipient.name, r.fact.id)
    )
    return _FundingAnswer(rows, ordered_totals, matched)


class _FundingCache:
    """Funding answers of one store, valid for one store generation.

    Funding reads every FUNDED_BY fact, which is too slow to redo per request
    on a large graph; stores that count their writes (``generation``, as the
    embedded store does) let us keep the resolved facts and recent answers
    until the next write.  Stores without it are asked afresh every time.
    """

    MAX_ANSWERS = 256

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.computing = threading.Lock()
        self.generation: int | None = None
        self.base: _FundingBase | None = None
        #: keyed by the filter and what a confidence filter depends on beside the store (confirmations)
        self.answers: OrderedDict[tuple[FundingFilter, object], _FundingAnswer] = OrderedDict()

    def _cached(
        self, generation: int, flt: tuple[FundingFilter, object]
    ) -> tuple[_FundingAnswer | None, _FundingBase | None]:
        with self.lock:
            if self.generation != generation:
                self.generation, self.base = generation, None
                self.answers.clear()
            found = self.answers.get(flt)
            if found is not None:
                self.answers.move_to_end(flt)
            return found, self.base

    def answer(
        self, store: GraphStore, generation: int, flt: FundingFilter, sure: Sureness | None = None
    ) -> _FundingAnswer:
        key = (flt, sure.token() if sure is not None else None)
        found, _ = self._cached(generation, key)
        if found is not None:
            return found
        # One computation at a time: twenty requests arriving together on a cold cache must not
        # each read every fact; the first computes, the others find its answer.
        with self.computing:
            found, base = self._cached(generation, key)
            if found is not None:
                return found
            with long_lived():  # kept until the next write: out of the collector's walks
                if base is None:
                    base = _funding_base(store)
                answer = _funding_answer(store, base, flt, sure)
            with self.lock:
                if self.generation == generation:
                    self.base = base
                    self.answers[key] = answer
                    while len(self.answers) > self.MAX_ANSWERS:
                        self.answers.popitem(last=False)
            return answer


_funding_caches: weakref.WeakKeyDictionary[GraphStore, _FundingCache] = weakref.WeakKeyDictionary()
_funding_caches_lock = threading.Lock()


def funding(
    store: GraphStore, flt: FundingFilter | None = None, limit: int = 100, offset: int = 0
) -> FundingReport:
    """Every FUNDED_BY fact that passes the filter, and totals over all of them (not just the page).

    Restatements (same recipient, instrument, amount and period, typically
    the same project reported in two half-year summaries) are counted once,
    and so is an amount several recipients share (:func:`graph.shared.amount_key`).
    """
    flt = flt or FundingFilter()
    sure = Sureness.of(store, flt.min_confidence)
    generation = getattr(store, "generation", None)
    if isinstance(generation, int):
        with _funding_caches_lock:
            cache = _funding_caches.get(store)
            if cache is None:
                cache = _funding_caches[store] = _FundingCache()
        answer = cache.answer(store, generation, flt, sure)
    else:
        answer = _funding_answer(store, _funding_base(store), flt, sure)
    return FundingReport(
        items=answer.items[offset : offset + limit],
        totals=answer.totals,
        total=len(answer.items),
        instruments=list(answer.instruments),
    )


# -- company / policy links ----------------------------------------------------

LINK_SUBJECT_TYPES = ("Company", "Project")


@dataclass(slots=True)
class PolicyLink:
    """A company (or project) taking part in a policy: 入选 a list, 申报 a programme, 获评 a title."""

    company: Node
    policy: Node
    fact: Fact


class WrongType(NotFound):
    """An existing key used where another entity type is expected (a policy key at /companies/…)."""

    def __init__(self, node: Node, expected: Iterable[str]) -> None:
        wanted = " or ".join(expected)
        super().__init__(f"{node.key!r} is a {node.type}, not a {wanted}")
        self.node = node


def _links(store: GraphStore, facts: list[Fact]) -> list[PolicyLink]:
    nodes = _NodeCache(store)
    links = [
        PolicyLink(nodes.get(f.subject), nodes.get(f.object), f)
        for f in facts
        if nodes.get(f.object).type == "Policy"
    ]
    links.sort(
        key=lambda link: (link.fact.period_start or "", link.policy.name, link.company.name), reverse=True
    )
    return links


def company_policies(store: GraphStore, key: str, min_confidence: float | None = None) -> list[PolicyLink]:
    """The policies, lists and titles a company (or project) is linked to, newest first.

    ``min_confidence`` leaves out links (and policies) the extractor is less sure of; the company asked
    about is never the reason a link goes.
    """
    node = store.entity(key)
    if node.type not in LINK_SUBJECT_TYPES:
        raise WrongType(node, LINK_SUBJECT_TYPES)
    links = _links(store, store.facts(predicate="PARTICIPATES_IN", subject=node.key))
    return _sure_links(store, links, min_confidence, asked=node.key)


def policy_companies(store: GraphStore, key: str, min_confidence: float | None = None) -> list[PolicyLink]:
    """The companies and projects linked to a policy, newest first (``min_confidence`` as for companies)."""
    node = store.entity(key)
    if node.type != "Policy":
        raise WrongType(node, ["Policy"])
    links = _links(store, store.facts(predicate="PARTICIPATES_IN", object=node.key))
    return _sure_links(store, links, min_confidence, asked=node.key)


def _sure_links(
    store: GraphStore, links: list[PolicyLink], min_confidence: float | None, asked: str
) -> list[PolicyLink]:
    sure = Sureness.of(store, min_confidence)
    if sure is None:
        return links
    return [
        link
        for link in links
        if sure.fact(link.fact)
        and (link.company.key == asked or sure.node(link.company))
        and (link.policy.key == asked or sure.node(link.policy))
    ]


# -- one entity in full --------------------------------------------------------


@dataclass(slots=True)
class DocumentMentions:
    document: str
    spans: list[Span]


@dataclass(slots=True)
class RelationView:
    """A fact seen from one of its ends: ``other`` is the entity at the far end."""

    fact: Fact
    direction: Literal["out", "in"]
    other: Node


@dataclass(slots=True)
class EntityDetail:
    node: Node
    degree: int
    mentions: list[DocumentMentions]
    #: predicate -> facts touching the node, in a stable order
    relations: dict[str, list[RelationView]]


def entity_detail(store: GraphStore, key: str, min_confidence: float | None = None) -> EntityDetail:
    """An entity with its mentions per document and its relations grouped by predicate.

    ``min_confidence`` leaves out the relations below it or whose other end is; the entity itself is
    shown whatever its confidence (it was asked for).
    """
    node = store.entity(key)
    nodes = _NodeCache(store)
    sure = Sureness.of(store, min_confidence)
    grouped: dict[str, list[RelationView]] = {}
    for fact in store.entity_facts(node.key):
        if fact.subject == node.key:
            view = RelationView(fact, "out", nodes.get(fact.object))
        else:
            view = RelationView(fact, "in", nodes.get(fact.subject))
        if sure is not None and not (
            sure.fact(fact) and (view.other.key == node.key or sure.node(view.other))
        ):
            continue
        grouped.setdefault(fact.predicate, []).append(view)
    for views in grouped.values():
        views.sort(key=lambda v: (v.direction, v.other.name, v.fact.document, v.fact.id))
    mentions = [DocumentMentions(doc, list(spans)) for doc, spans in sorted(node.mentions.items())]
    return EntityDetail(node, store.degree(node.key), mentions, dict(sorted(grouped.items())))


@dataclass(slots=True)
class DocumentDetail:
    document: DocumentRecord
    facts: list[Fact]


def document_detail(store: GraphStore, ref: str, min_confidence: float | None = None) -> DocumentDetail:
    """A report named by its id, path, file name or stem, with every fact read from it.

    ``min_confidence`` leaves out the facts below it and those with an end below it.
    """
    record = store.find_document(ref)
    facts = store.document_facts(record.id)
    sure = Sureness.of(store, min_confidence)
    if sure is not None:
        nodes = _NodeCache(store)
        facts = [f for f in facts if sure.edge(f, nodes.get(f.subject), nodes.get(f.object))]
    return DocumentDetail(record, facts)


# -- building, removing, uploading ---------------------------------------------


def remove(store: GraphStore, doc_or_path: str) -> RemoveResult:
    """Remove a document named by id, path, file name or stem (several matches raise, nothing removed)."""
    record = store.find_document(doc_or_path)
    return store.remove_document(record.id)


def upload(store: GraphStore, filename: str, data: bytes, *, replace: bool = False) -> IngestResult:
    """Extract an uploaded report and store it in one step.

    A different text under a name already uploaded is a new document unless ``replace``.
    """
    from extract.pipeline import extract_bytes

    name = Path(filename).name or "upload.txt"
    # extraction refuses empty, binary and undecodable bytes (LoadError) before anything is stored
    return store.ingest(extract_bytes(data, name), replace=replace)
