"""One Neo4j write transaction worked out in Python: the nodes it touches, what each becomes, what to write.

Why: sending one statement per entity or fact over Bolt caps ingest at a few
hundred facts a second.  Instead a transaction reads the state of every node
and name form its reports can touch (a few ``UNWIND`` reads), applies the
reports here one after the other — so report 2 resolves against report 1 as
if they were ingested separately — and then writes the net result with one
``UNWIND`` statement per kind of change.  Node identity, alias merging and
removal follow :mod:`graph.ingest` exactly as the embedded store does, so both
backends hold the same graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .ingest import PreparedDocument, merge_aliases
from .keys import normalize
from .model import Span

#: ``load_forms(forms) -> {form: [keys]}`` for the forms that have a NameForm node.
LoadForms = Callable[[Sequence[str]], Mapping[str, Sequence[str]]]
#: ``load_nodes(keys) -> [NodeState]`` for the keys that are stored.
LoadNodes = Callable[[Sequence[str]], Iterable["NodeState"]]
#: ``load_mentions(keys) -> {key: MentionsState}`` for the keys that have a ``:Mentions`` record.
LoadMentions = Callable[[Sequence[str]], Mapping[str, "MentionsState"]]


def typed_form(entity_type: str, form: str) -> str:
    """The NameForm id: forms only ever meet within one type."""
    return f"{entity_type}:{form}"


def node_forms(entity_type: str, name: str, aliases: Iterable[str]) -> set[str]:
    return {typed_form(entity_type, f) for f in {normalize(x) for x in (name, *aliases)} if f}


def dump_spans(spans: Sequence[Span]) -> str:
    """One document's spans as ``"a:b;c:d"``: a short string per list entry, cheap to parse back."""
    return ";".join(f"{a}:{b}" for a, b in spans)


def load_spans(text: str | None) -> list[Span]:
    if not text:
        return []
    out: list[Span] = []
    for pair in text.split(";"):
        a, _, b = pair.partition(":")
        out.append((int(a), int(b)))
    return out


def load_confs(docs: Sequence[str] | None, confs: Sequence[float] | None) -> dict[str, float]:
    """Each document's confidence in a node, from its ``:Mentions`` record.

    ``confs`` parallels the *last* documents: a record written before confidence was kept has none, and
    appends add documents and confidences together, so the documents it lacks come first and read 1.0.
    """
    if not docs:
        return {}
    values = [float(c) for c in confs or ()]
    padded = [1.0] * (len(docs) - len(values)) + values[-len(docs) :] if values else [1.0] * len(docs)
    return dict(zip(docs, padded, strict=True))


def load_mentions(docs: Sequence[str] | None, spans: Sequence[str] | None) -> dict[str, list[Span]]:
    """A node's mentions from its ``:Mentions`` record (parallel lists: document ids, encoded spans)."""
    if not docs:
        return {}
    return {d: load_spans(s) for d, s in zip(docs, spans or (), strict=False)}


@dataclass(slots=True)
class MentionsState:
    """Every document of one node with its spans and alias contribution (read only for removals)."""

    docs: list[str]
    spans: list[str]
    contrib: list[str]  # JSON list of aliases, one per document
    #: each document's confidence in the node (see :func:`load_confs`: may be shorter than ``docs``)
    confs: list[float] = field(default_factory=list)


@dataclass(slots=True)
class NodeState:
    """A node as one transaction sees it.

    The per-document data (spans, alias contributions) lives in a separate
    ``:Mentions`` record so that traversals read small ``:Entity`` records.
    Ingest only appends to it: adding a document needs the node's current
    aliases, not every document's contribution, because :func:`merge_aliases`
    is a per-form minimum (merging the stored result with the new
    contribution equals recomputing from all of them).  Only a removal reads
    the full record (``complete``).
    """

    key: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    #: document id -> spans, for the documents added in this transaction (every document when ``complete``)
    mentions: dict[str, list[Span]] = field(default_factory=dict)
    #: document id -> that document's alias contribution, like ``mentions``
    contrib: dict[str, list[str]] = field(default_factory=dict)
    #: the highest of its documents' confidences (what ``:Entity`` stores) ...
    confidence: float = 1.0
    #: ... and document id -> that document's confidence, like ``mentions``
    confs: dict[str, float] = field(default_factory=dict)
    #: ``mentions``/``contrib`` hold every document of the node, so its record is written whole
    complete: bool = False
    degree: int = 0
    #: in the database when the transaction started
    stored: bool = False
    #: its NameForm entries when the transaction started
    stored_forms: frozenset[str] = frozenset()
    alive: bool = True
    dirty: bool = False
    _forms: set[str] = field(default_factory=set, repr=False)
    _forms_for: tuple[str, tuple[str, ...]] | None = field(default=None, repr=False)

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> NodeState:
        aliases = list(rec.get("aliases") or [])
        return cls(
            key=rec["key"],
            type=rec["type"],
            name=rec["name"],
            aliases=aliases,
            # stored before confidence was kept: 1.0, the extractor's default (graph.model.Node)
            confidence=float(c) if (c := rec.get("confidence")) is not None else 1.0,
            degree=int(rec.get("degree") or 0),
            stored=True,
            stored_forms=frozenset(node_forms(rec["type"], rec["name"], aliases)),
        )

    def load_all(self, record: MentionsState | None) -> None:
        """Take in the full per-document record (before a removal); documents added here stay on top."""
        if self.complete:
            return
        added, added_contrib, added_confs = self.mentions, self.contrib, self.confs
        self.mentions, self.contrib, self.confs = {}, {}, {}
        if record is not None:
            for d, s, c in zip(record.docs, record.spans, record.contrib, strict=False):
                self.mentions[d] = load_spans(s)
                self.contrib[d] = list(json.loads(c)) if c else []
            self.confs = load_confs(record.docs, record.confs)
        self.mentions.update(added)
        self.contrib.update(added_contrib)
        self.confs.update(added_confs)
        self.complete = True

    def forms(self) -> set[str]:
        """Cached on the (name, aliases) it was computed from: resolve asks this very often."""
        if not self.alive:
            return set()
        stamp = (self.name, tuple(self.aliases))
        if self._forms_for != stamp:
            self._forms = node_forms(self.type, self.name, self.aliases)
            self._forms_for = stamp
        return self._forms

    def row(self) -> dict[str, Any]:
        """The ``:Entity`` properties: small on purpose, traversals load whole records."""
        norms = sorted({normalize(x) for x in (self.name, *self.aliases)} - {""})
        return {
            "key": self.key,
            "type": self.type,
            "name": self.name,
            "aliases": list(self.aliases),
            "norm_forms": norms,
            # newline never survives normalize(), so a query cannot match across two forms
            "search_text": "\n".join(norms),
            "degree": self.degree,
            "confidence": self.confidence,
        }

    def mentions_row(self) -> dict[str, Any]:
        """The ``:Mentions`` lists for the documents held here (all of them when ``complete``)."""
        docs = sorted(self.mentions)
        return {
            "key": self.key,
            "docs": docs,
            "spans": [dump_spans(self.mentions[d]) for d in docs],
            "contrib": [json.dumps(self.contrib.get(d, []), ensure_ascii=False) for d in docs],
            "confs": [self.confs.get(d, 1.0) for d in docs],
        }


@dataclass(slots=True)
class NodeWrites:
    create: dict[str, list[dict[str, Any]]]  # type -> rows
    update: list[dict[str, Any]]
    delete: list[str]
    #: ``:Mentions`` records written whole (new nodes, nodes that lost a document) ...
    mentions_set: list[dict[str, Any]] = field(default_factory=list)
    #: ... and appended to (stored nodes that only gained documents)
    mentions_append: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class FormWrites:
    set: list[dict[str, Any]]  # {"form", "keys"}
    delete: list[str]


class WriteBatch:
    """The graph as one transaction sees it: database state read on demand, changes kept here."""

    def __init__(self, load_forms: LoadForms, load_nodes: LoadNodes, load_mentions: LoadMentions) -> None:
        self._load_forms = load_forms
        self._load_nodes = load_nodes
        self._load_mentions = load_mentions
        #: form -> keys in the database (for every form read so far)
        self._db_forms: dict[str, set[str]] = {}
        self._nodes: dict[str, NodeState] = {}
        self._missing: set[str] = set()  # keys known not to be stored
        #: form -> keys that took it on in this transaction
        self._new_forms: dict[str, set[str]] = {}

    # -- reading the database ------------------------------------------------------

    def prefetch(self, forms: Iterable[str], keys: Iterable[str] = ()) -> None:
        """Read the given forms and keys (and the nodes the forms name) in two round trips."""
        self._ensure_forms(forms)
        self._ensure_nodes(keys)

    def _ensure_forms(self, forms: Iterable[str]) -> None:
        wanted = sorted({f for f in forms if f not in self._db_forms})
        if not wanted:
            return
        found = self._load_forms(wanted)
        for f in wanted:
            self._db_forms[f] = set(found.get(f, ()))
        self._ensure_nodes(k for f in wanted for k in self._db_forms[f])

    def _ensure_nodes(self, keys: Iterable[str]) -> None:
        wanted = sorted({k for k in keys if k not in self._nodes and k not in self._missing})
        if not wanted:
            return
        for state in self._load_nodes(wanted):
            self._nodes[state.key] = state
        self._missing.update(k for k in wanted if k not in self._nodes)

    def node(self, key: str) -> NodeState | None:
        self._ensure_nodes([key])
        state = self._nodes.get(key)
        return state if state is not None and state.alive else None

    # -- resolve's callback ------------------------------------------------------------

    def find_existing(self, entity_type: str, forms: Sequence[str]) -> list[tuple[str, str]]:
        typed = [typed_form(entity_type, f) for f in forms]
        self._ensure_forms(typed)
        found: set[str] = set()
        for tf in typed:
            for key in self._db_forms[tf] | self._new_forms.get(tf, set()):
                state = self._nodes.get(key)
                if state is not None and state.alive and tf in state.forms():
                    found.add(key)
        return [(k, self._nodes[k].name) for k in sorted(found)]

    def _index(self, state: NodeState) -> None:
        """Remember which forms a node carries now (a superset index: lookups re-check the node)."""
        for f in state.forms():
            self._new_forms.setdefault(f, set()).add(state.key)

    # -- changes -------------------------------------------------------------------------

    def remove_document(
        self, doc_id: str, node_keys: Iterable[str], fact_ends: Iterable[tuple[str, str]]
    ) -> int:
        """Take a document's mentions and alias contributions off its nodes; returns nodes left unsupported.

        ``fact_ends`` are (subject, object) of the facts already deleted, for the degrees.
        """
        keys = list(node_keys)
        self._ensure_nodes(keys)
        partial = [k for k in keys if (st := self._nodes.get(k)) is not None and st.alive and not st.complete]
        if partial:
            records = self._load_mentions(partial)
            for k in partial:
                self._nodes[k].load_all(records.get(k))
        for s, o in fact_ends:
            for k in (s, o):
                state = self._nodes.get(k)
                if state is not None:
                    state.degree -= 1
                    state.dirty = True
        removed = 0
        for key in keys:
            state = self._nodes.get(key)
            if state is None or not state.alive or doc_id not in state.mentions:
                continue
            state.dirty = True
            del state.mentions[doc_id]
            state.contrib.pop(doc_id, None)
            state.confs.pop(doc_id, None)
            if not state.mentions:
                state.alive = False
                removed += 1
            else:
                state.aliases = merge_aliases(state.name, state.contrib.values())
                state.confidence = max(state.confs.get(d, 1.0) for d in state.mentions)
        return removed

    def apply(self, doc: PreparedDocument) -> int:
        """Add one resolved document; returns how many nodes it created."""
        did = doc.document.id
        created = 0
        for n in doc.nodes:
            state = self.node(n.key)
            if state is None:
                old = self._nodes.get(n.key)
                state = NodeState(key=n.key, type=n.type, name=n.name, complete=True, confidence=n.confidence)
                if old is not None:  # removed earlier in this transaction, back again
                    state.stored, state.stored_forms = old.stored, old.stored_forms
                self._nodes[n.key] = state
                self._missing.discard(n.key)
                created += 1
            state.dirty = True
            state.mentions[did] = list(n.mentions.get(did, ()))
            state.contrib[did] = list(n.aliases)
            state.confs[did] = n.confidence
            if n.confidence > state.confidence:  # a maximum, like aliases: appending reads no other document
                state.confidence = n.confidence
            # = merge_aliases over every document's contribution (see NodeState)
            state.aliases = merge_aliases(state.name, (state.aliases, n.aliases))
            self._index(state)
        for f in doc.facts:
            for k in (f.subject, f.object):
                self._nodes[k].degree += 1
        return created

    # -- what to write ---------------------------------------------------------------------

    def node_writes(self) -> NodeWrites:
        writes = NodeWrites(create={}, update=[], delete=[])
        for key in sorted(self._nodes):
            state = self._nodes[key]
            if not state.dirty:
                continue
            if not state.alive:
                if state.stored:
                    writes.delete.append(key)
                continue
            if state.stored:
                writes.update.append(state.row())
            else:
                writes.create.setdefault(state.type, []).append(state.row())
            if state.complete:
                writes.mentions_set.append(state.mentions_row())
            elif state.mentions:
                writes.mentions_append.append(state.mentions_row())
        return writes

    def form_writes(self) -> FormWrites:
        """The final key list of every name form whose holders changed."""
        changes: dict[str, tuple[set[str], set[str]]] = {}  # form -> (keys gaining it, keys losing it)
        for state in self._nodes.values():
            if not state.dirty:
                continue
            now = state.forms()
            for f in now - state.stored_forms:
                changes.setdefault(f, (set(), set()))[0].add(state.key)
            for f in state.stored_forms - now:
                changes.setdefault(f, (set(), set()))[1].add(state.key)
        self._ensure_forms(changes)
        rows: list[dict[str, Any]] = []
        gone: list[str] = []
        for form in sorted(changes):
            gain, lose = changes[form]
            keys = sorted((self._db_forms[form] - lose) | gain)
            if keys:
                rows.append({"form": form, "keys": keys})
            elif self._db_forms[form]:
                gone.append(form)
        return FormWrites(set=rows, delete=gone)
