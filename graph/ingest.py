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
from hashlib import blake2b as _blake2b

from extract.model import ENTITY_TYPES, PREDICATES, Extraction

from .errors import InvalidExtraction
from .keys import RELATIVE_HEADS, is_relative_reference, normalize, numbers_conflict
from .model import DocumentRecord, Fact, Node, Span
from .shared import mark_shared

#: ``find_existing(type, normalized_forms) -> [(key, name), ...]``: stored nodes of ``type`` whose
#: normalised name or alias is one of ``normalized_forms``.
_TYPES = frozenset(ENTITY_TYPES)
_PREDICATES = frozenset(PREDICATES)

FindExisting = Callable[[str, Sequence[str]], Iterable[tuple[str, str]]]

#: confidence -> rounded to the 3 decimals the extraction JSON has; ``round`` costs as much as the rest
#: of a relation's checks, and a model gives few distinct values.  Cleared whole when full.
_ROUNDED: dict[float, float] = {}
_ROUNDED_MAX = 1 << 14


def _round3(confidence: float) -> float:
    if len(_ROUNDED) >= _ROUNDED_MAX:
        _ROUNDED.clear()
    out = _ROUNDED[confidence] = round(confidence, 3)
    return out


@dataclass(slots=True)
class PreparedDocument:
    """One report ready to store: its record, one node per distinct entity, its facts."""

    document: DocumentRecord
    nodes: list[Node]
    facts: list[Fact]
    #: extraction entity id -> node key (candidate key before :func:`resolve`, stored key after)
    entity_keys: dict[str, str] = field(default_factory=dict)
    #: candidate key -> its sorted normalised forms when it has several (saves normalising again)
    norms: dict[str, list[str]] = field(default_factory=dict)


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


def _raw_forms(node: Node) -> list[str]:
    return [node.name, *node.aliases]


def _forms_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    b = list(b)
    return any(numbers_conflict(x, y) for x in a for y in b)


def prepare(extraction: Extraction, doc_id: str | None = None) -> PreparedDocument:
    """Validate one extraction and build its candidate nodes and facts (keys not yet resolved).

    Raises :class:`InvalidExtraction` naming the document and the problem;
    only the fixed vocabulary of types and predicates passes, since backends
    turn them into labels.  ``doc_id`` saves hashing again when the caller
    already computed :func:`document_id`.
    """
    doc = extraction.doc
    where = doc.path or doc.id or "extraction"
    doc_id = doc_id or document_id(extraction)

    # One node per group of this document's entities that are one thing (same key, or a shared
    # form without conflicting numbers).  This loop runs once per entity of every report
    # ingested: a node is made when its group starts and changed in place when another entity
    # joins it, and the normalised forms are kept as a set only for the groups with several.
    norm = normalize
    types = _TYPES
    rounded = _ROUNDED.get
    nodes: list[Node] = []
    #: group -> its normalised forms, for the groups that have (or had to check) more than one
    g_norms: dict[int, set[str]] = {}
    #: groups joined by another entity: their spans are sorted and deduplicated at the end
    joined: set[int] = set()
    by_key: dict[str, int] = {}
    by_form: dict[tuple[str, str], int] = {}
    entity_keys: dict[str, str] = {}
    for e in extraction.entities:
        t = e.type
        if t not in types:
            raise InvalidExtraction(f"{where}: entity {e.id!r} has unknown type {t!r}")
        eid = e.id
        if eid in entity_keys:
            raise InvalidExtraction(f"{where}: entity id {eid!r} is used twice")
        name = e.name
        name_norm = norm(name)
        if not name_norm:
            raise InvalidExtraction(f"{where}: entity {eid!r} has an empty name")
        pairs: list[tuple[str, str]] | None = None  # (raw, normalised), one per form, name first
        if e.aliases:
            pairs = [(name, name_norm)]
            seen_norms = {name_norm}
            for raw in e.aliases:
                n = norm(raw)
                if n and n not in seen_norms:
                    seen_norms.add(n)
                    pairs.append((raw, n))
            if len(pairs) == 1:
                pairs = None
        key = f"{t}:{name_norm}"  # = entity_key(t, e.name)
        target = by_key.get(key)
        if target is None and by_form:
            if pairs is None:
                one = by_form.get((t, name_norm))
                if one is not None and not _forms_conflict(_raw_forms(nodes[one]), [name]):
                    target = one
            else:
                met = sorted({by_form[(t, n)] for _, n in pairs if (t, n) in by_form})
                if met:
                    raws = [r for r, _ in pairs]
                    target = next((g for g in met if not _forms_conflict(_raw_forms(nodes[g]), raws)), None)
        conf = rounded(e.confidence)
        if conf is None:
            conf = _round3(e.confidence)
        spans = e.mentions
        if spans and type(spans[0]) is not tuple:
            spans = [(a, b) for a, b in spans]
        # the highest confidence of the entities of a group, to the 3 decimals the extraction JSON
        # has (SCHEMA.md), so that loading `kg extract --json` stores what `kg build` stores
        if target is None:
            target = len(nodes)
            by_key[key] = target
            own = sorted(set(spans)) if len(spans) > 1 else list(spans)
            if pairs is None:
                nodes.append(Node(key, t, name, [], {doc_id: own}, conf))
                by_form.setdefault((t, name_norm), target)
            else:
                aliases = [r for r, _ in pairs[1:]]
                nodes.append(Node(key, t, name, aliases, {doc_id: own}, conf))
                g_norms[target] = {n for _, n in pairs}
                for _, n in pairs:
                    by_form.setdefault((t, n), target)
        else:
            node = nodes[target]
            norms_set = g_norms.get(target)
            if norms_set is None:
                norms_set = g_norms[target] = {node.key[len(t) + 1 :]}
            for raw, n in pairs or ((name, name_norm),):
                if n not in norms_set:
                    norms_set.add(n)
                    node.aliases.append(raw)
                by_form.setdefault((t, n), target)
            node.mentions[doc_id].extend(spans)
            joined.add(target)
            if conf > node.confidence:
                node.confidence = conf
        entity_keys[eid] = nodes[target].key

    for g in joined:
        own = nodes[g].mentions[doc_id]
        if len(own) > 1:
            nodes[g].mentions[doc_id] = sorted(set(own))
    # Only nodes with several forms: a single form is the key's own suffix (see resolve).
    norms = {nodes[g].key: sorted(ns) for g, ns in sorted(g_norms.items()) if len(ns) > 1}

    facts: list[Fact] = []
    seen: set[str] = set()
    share_check = False
    amount_sentences: set[tuple[str, str, Span, str]] = set()
    key_of, add_fact, blake = entity_keys.get, facts.append, _blake2b
    for i, r in enumerate(extraction.relations):
        pred = r.predicate
        if pred not in _PREDICATES:
            raise InvalidExtraction(f"{where}: relation {i} has unknown predicate {pred!r}")
        s = key_of(r.subject)
        o = key_of(r.object)
        if s is None or o is None:
            missing = r.subject if s is None else r.object
            raise InvalidExtraction(f"{where}: relation {i} refers to unknown entity {missing!r}")
        span = r.span
        if type(span) is not tuple:
            span = (span[0], span[1])
        # = fact_id(doc_id, pred, s, o, span), inlined: once per relation of every report
        raw_id = f"{doc_id}\x1f{pred}\x1f{s}\x1f{o}\x1f{span[0]}:{span[1]}"
        fid = blake(raw_id.encode(), digest_size=8).hexdigest()
        if fid in seen:
            continue
        seen.add(fid)
        conf = rounded(r.confidence)
        if conf is None:
            conf = _round3(r.confidence)
        a, p = r.amount, r.period
        if a is None:
            value, currency, text, masked, approx = None, None, None, False, False
            shared, group = False, None
        else:
            value = float(a.value) if a.value is not None else None
            currency, text, masked, approx = a.currency, a.text, bool(a.masked), bool(a.approx)
            shared, group = bool(a.shared), (a.group or None) if a.shared else None
            # one amount text in one sentence for one instrument twice: maybe shared (see mark_shared)
            if shared:
                share_check = True
            else:
                akey = (pred, o, span, text)
                if akey in amount_sentences:
                    share_check = True
                else:
                    amount_sentences.add(akey)
        # positional: this runs once per relation and keyword passing is measurably slower
        if p is None:
            add_fact(
                Fact(fid, pred, s, o, doc_id, r.evidence, span, value, currency, text, masked, approx,
                     None, None, None, r.agency or None, r.action or None, shared, group,
                     conf, False)
            )  # fmt: skip
        else:
            add_fact(
                Fact(fid, pred, s, o, doc_id, r.evidence, span, value, currency, text, masked, approx,
                     p.start, p.end, p.text, r.agency or None, r.action or None, shared, group,
                     conf, p.inherited)
            )  # fmt: skip
    if share_check:
        facts = mark_shared(facts)

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
    return PreparedDocument(document=record, nodes=nodes, facts=facts, entity_keys=entity_keys, norms=norms)


def _choose(node: Node, found: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The stored node a candidate becomes: its own key if stored, else the best same-type node it meets."""
    if len(found) == 1 and found[0][0] == node.key:  # the common case: the same key is stored
        return found[0]
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
    borrowed: set[str] = set()  # nodes of the input used as they are; copied before any change
    norms = prepared.norms
    moved = False  # some candidate became another stored key
    for node in prepared.nodes:
        nkey = node.key
        # 我区 / 本局 name a different body in every report: never a reason to merge across reports.
        forms = norms.get(nkey)
        if forms is not None:
            forms = [f for f in forms if not is_relative_reference(f)]
        elif node.aliases:
            forms = [f for f in normalized_forms(node.name, node.aliases) if not is_relative_reference(f)]
        else:  # the common case: one form, the key's own suffix (its first character rules out most)
            form = nkey[len(node.type) + 1 :]
            forms = [] if form[:1] in RELATIVE_HEADS and is_relative_reference(form) else [form]
        found = find_existing(node.type, forms) if forms else []
        if type(found) is not list:
            found = list(found)
        if not found:
            key, name = nkey, node.name
        elif len(found) == 1 and found[0][0] == nkey:  # stored under the same key (inlined: hot)
            key, name = found[0]
        else:
            chosen = _choose(node, found)
            key, name = chosen if chosen is not None else (nkey, node.name)
            moved = moved or key != nkey
        mapping[node.key] = key
        target = merged.get(key)
        if target is None:
            if key == node.key and name == node.name:
                merged[key] = node  # the common case: new, or the same spelling as stored
                borrowed.add(key)
                continue
            target = merged[key] = Node(
                key=key, type=node.type, name=name, aliases=[], mentions={}, confidence=node.confidence
            )
        elif key in borrowed:
            target = merged[key] = Node(
                target.key, target.type, target.name, list(target.aliases), dict(target.mentions),
                target.confidence,
            )  # fmt: skip
            borrowed.discard(key)
        if node.confidence > target.confidence:
            target.confidence = node.confidence
        own = {normalize(target.name)} | {normalize(a) for a in target.aliases}
        for raw in (node.name, *node.aliases):
            norm = normalize(raw)
            if norm and norm not in own:
                own.add(norm)
                target.aliases.append(raw)
        for doc, spans in node.mentions.items():
            target.mentions[doc] = sorted(set(target.mentions.get(doc, [])) | set(spans))

    if not moved:
        facts = list(prepared.facts)
    else:
        facts = [
            f
            if f.subject == mapping[f.subject] and f.object == mapping[f.object]
            else replace(f, subject=mapping[f.subject], object=mapping[f.object])
            for f in prepared.facts
        ]
    nodes = list(merged.values())
    document = prepared.document
    if document.entity_count != len(nodes):  # candidates merged onto one stored node
        document = replace(document, entity_count=len(nodes))
    if not moved:
        entity_keys, norms = dict(prepared.entity_keys), dict(prepared.norms)
    else:
        entity_keys = {eid: mapping[k] for eid, k in prepared.entity_keys.items()}
        norms = {mapping[k]: v for k, v in prepared.norms.items() if mapping[k] == k}
    return PreparedDocument(document=document, nodes=nodes, facts=facts, entity_keys=entity_keys, norms=norms)
