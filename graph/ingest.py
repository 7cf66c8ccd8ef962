"""Backend-neutral ingest: turn one extraction into stored records and resolve its entities against the store.

Both backends call :func:`prepare` then :func:`resolve` so that the same
reports give the same keys, names, aliases and facts whichever store holds
them.  The only thing a backend supplies is ``find_existing``: which stored
nodes of a type carry one of a set of normalised names.

A node's ``aliases`` in a :class:`PreparedDocument` are *this document's
contribution* (every surface form it used other than the node's name).  The
stores keep those contributions per document so that removing a document
recomputes the node's aliases exactly with :func:`merge_aliases`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from extract.model import ENTITY_TYPES, PREDICATES, Extraction

from .errors import InvalidExtraction
from .keys import entity_key, fact_id, normalize, numbers_conflict
from .model import DocumentRecord, Fact, Node, Span

#: ``find_existing(type, normalized_forms) -> [(key, name), ...]``: stored nodes of ``type`` whose
#: normalised name or alias is one of ``normalized_forms``.
FindExisting = Callable[[str, Sequence[str]], Iterable[tuple[str, str]]]


@dataclass(slots=True)
class PreparedDocument:
    """One report ready to store: its record, one node per distinct entity, its facts."""

    document: DocumentRecord
    nodes: list[Node]
    facts: list[Fact]
    #: extraction entity id -> node key (candidate key before :func:`resolve`, stored key after)
    entity_keys: dict[str, str] = field(default_factory=dict)


def document_id(extraction: Extraction) -> str:
    """The content hash: ``doc.sha256`` when the loader gave one, else a hash of the canonical extraction."""
    if extraction.doc.sha256:
        return extraction.doc.sha256[:16].lower()
    canonical = json.dumps(extraction.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def surface_forms(name: str, aliases: Iterable[str]) -> list[str]:
    """Name and aliases, one raw string per normalised form, in order of appearance (empty forms dropped)."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in (name, *aliases):
        norm = normalize(raw)
        if norm and norm not in seen:
            seen.add(norm)
            out.append(raw)
    return out


def normalized_forms(name: str, aliases: Iterable[str]) -> list[str]:
    """The sorted normalised forms a node is found by (what ``find_existing`` is asked about)."""
    return sorted({normalize(f) for f in (name, *aliases)} - {""})


def merge_aliases(name: str, contributions: Iterable[Iterable[str]]) -> list[str]:
    """A node's aliases from its documents' contributions: sorted, one per normalised form, never the name.

    Where two documents spell one form differently (full/half width) the
    smallest spelling wins, so the result does not depend on ingest order.
    """
    own = normalize(name)
    best: dict[str, str] = {}
    for contribution in contributions:
        for raw in contribution:
            norm = normalize(raw)
            if norm and norm != own and (norm not in best or raw < best[norm]):
                best[norm] = raw
    return sorted(best.values())


@dataclass(slots=True)
class _Group:
    """Entities of one document that are one node (same key, or alias sets that meet)."""

    key: str
    type: str
    forms: list[str]  # raw, first is the name
    spans: list[Span] = field(default_factory=list)


def _forms_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    b = list(b)
    return any(numbers_conflict(x, y) for x in a for y in b)


def prepare(extraction: Extraction) -> PreparedDocument:
    """Validate one extraction and build its candidate nodes and facts (keys not yet resolved).

    Raises :class:`InvalidExtraction` naming the document and the problem;
    only the fixed vocabulary of types and predicates passes, since backends
    turn them into labels.
    """
    doc = extraction.doc
    where = doc.path or doc.id or "extraction"
    doc_id = document_id(extraction)

    groups: list[_Group] = []
    by_key: dict[str, int] = {}
    by_form: dict[tuple[str, str], int] = {}
    entity_group: dict[str, int] = {}
    for e in extraction.entities:
        if e.type not in ENTITY_TYPES:
            raise InvalidExtraction(f"{where}: entity {e.id!r} has unknown type {e.type!r}")
        if not normalize(e.name):
            raise InvalidExtraction(f"{where}: entity {e.id!r} has an empty name")
        if e.id in entity_group:
            raise InvalidExtraction(f"{where}: entity id {e.id!r} is used twice")
        forms = surface_forms(e.name, e.aliases)
        key = entity_key(e.type, e.name)
        target = by_key.get(key)
        if target is None:
            met = sorted(
                {by_form[(e.type, normalize(f))] for f in forms if (e.type, normalize(f)) in by_form}
            )
            target = next((g for g in met if not _forms_conflict(groups[g].forms, forms)), None)
        if target is None:
            target = len(groups)
            groups.append(_Group(key=key, type=e.type, forms=[]))
            by_key[key] = target
        group = groups[target]
        known = {normalize(f) for f in group.forms}
        group.forms.extend(f for f in forms if normalize(f) not in known)
        group.spans.extend((int(a), int(b)) for a, b in e.mentions)
        for f in forms:
            by_form.setdefault((e.type, normalize(f)), target)
        entity_group[e.id] = target

    nodes = [
        Node(
            key=g.key,
            type=g.type,
            name=g.forms[0],
            aliases=g.forms[1:],
            mentions={doc_id: sorted(set(g.spans))},
        )
        for g in groups
    ]
    entity_keys = {eid: groups[gi].key for eid, gi in entity_group.items()}

    facts: list[Fact] = []
    seen: set[str] = set()
    for i, r in enumerate(extraction.relations):
        if r.predicate not in PREDICATES:
            raise InvalidExtraction(f"{where}: relation {i} has unknown predicate {r.predicate!r}")
        for end in (r.subject, r.object):
            if end not in entity_keys:
                raise InvalidExtraction(f"{where}: relation {i} refers to unknown entity {end!r}")
        s, o = entity_keys[r.subject], entity_keys[r.object]
        span = (int(r.span[0]), int(r.span[1]))
        fid = fact_id(doc_id, r.predicate, s, o, span)
        if fid in seen:
            continue
        seen.add(fid)
        a, p = r.amount, r.period
        facts.append(
            Fact(
                id=fid,
                predicate=r.predicate,
                subject=s,
                object=o,
                document=doc_id,
                evidence=r.evidence,
                span=span,
                amount_value=float(a.value) if a is not None and a.value is not None else None,
                amount_currency=a.currency if a is not None else None,
                amount_text=a.text if a is not None else None,
                amount_masked=bool(a.masked) if a is not None else False,
                amount_approx=bool(a.approx) if a is not None else False,
                period_start=p.start if p is not None else None,
                period_end=p.end if p is not None else None,
                period_text=p.text if p is not None else None,
                agency=r.agency or None,
                action=r.action or None,
            )
        )

    period = doc.period
    record = DocumentRecord(
        id=doc_id,
        path=doc.path,
        title=doc.title,
        issuer=doc.issuer,
        date=doc.date,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        period_text=period.text if period else None,
        entity_count=len(nodes),
        fact_count=len(facts),
    )
    return PreparedDocument(document=record, nodes=nodes, facts=facts, entity_keys=entity_keys)


def _choose(node: Node, found: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The stored node a candidate becomes: its own key if stored, else the best same-type node it meets."""
    prefix = node.type + ":"
    results = sorted({(k, n) for k, n in found if k.startswith(prefix)})
    for k, n in results:
        if k == node.key:
            return k, n
    forms = [node.name, *node.aliases]
    norms = {normalize(f) for f in forms}
    allowed = [(k, n) for k, n in results if not any(numbers_conflict(f, n) for f in forms)]
    if not allowed:
        return None
    # A stored node whose *name* the candidate uses beats one met only through aliases; then by key.
    allowed.sort(key=lambda kn: (normalize(kn[1]) not in norms, kn[0]))
    return allowed[0]


def resolve(prepared: PreparedDocument, find_existing: FindExisting) -> PreparedDocument:
    """Rewrite candidate keys to the stored nodes they are (same key, or alias sets meeting within one type).

    Never across types, never between names whose numbers conflict.  The
    result is deterministic for a given store state; the input is not changed.
    Nodes resolved onto one stored node are merged, and each node's
    ``aliases`` becomes this document's contribution relative to the stored
    node's name.
    """
    mapping: dict[str, str] = {}
    merged: dict[str, Node] = {}
    for node in prepared.nodes:
        forms = normalized_forms(node.name, node.aliases)
        chosen = _choose(node, find_existing(node.type, forms))
        key, name = chosen if chosen is not None else (node.key, node.name)
        mapping[node.key] = key
        target = merged.get(key)
        if target is None:
            target = merged[key] = Node(key=key, type=node.type, name=name, aliases=[], mentions={})
        own = {normalize(target.name)} | {normalize(a) for a in target.aliases}
        for raw in (node.name, *node.aliases):
            norm = normalize(raw)
            if norm and norm not in own:
                own.add(norm)
                target.aliases.append(raw)
        for doc, spans in node.mentions.items():
            target.mentions[doc] = sorted(set(target.mentions.get(doc, [])) | set(spans))

    facts = [
        f
        if f.subject == mapping[f.subject] and f.object == mapping[f.object]
        else replace(f, subject=mapping[f.subject], object=mapping[f.object])
        for f in prepared.facts
    ]
    nodes = list(merged.values())
    document = replace(prepared.document, entity_count=len(nodes))
    entity_keys = {eid: mapping[k] for eid, k in prepared.entity_keys.items()}
    return PreparedDocument(document=document, nodes=nodes, facts=facts, entity_keys=entity_keys)
