"""The embedded store's graph in memory: a networkx MultiDiGraph plus the indexes the API's reads need.

It knows nothing about files or locks: it applies and removes whole resolved
documents (:class:`graph.persist.DocRecords`) and answers queries.  Keeping
per-document alias contributions lets removal recompute a node's aliases
exactly, so the graph is a function of the documents applied, in order.
Returned ``Node`` records are copies; returned ``Fact`` records are the
stored ones and must be treated as read-only.
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

import networkx as nx

from extract.model import ENTITY_TYPES, PREDICATES

from .docref import pick_document
from .errors import DocumentNotFound, EntityNotFound
from .facttable import FactTable
from .ingest import merge_aliases
from .keys import normalize
from .longlived import long_lived
from .model import DocumentRecord, EntityHit, Fact, GraphPath, Node, Page, RemoveResult, Stats, Subgraph
from .persist import DocRecords
from .traverse import shortest_routes

_TYPE = operator.attrgetter("type")
#: The attribute dict of every edge in ``MemGraph.g``: nothing is ever stored on an edge.
_NO_ATTRIBUTES: dict[str, object] = {}
#: Nodes with at least this many neighbours keep their ranked adjacency until the next write.
_CACHE_RANKED = 64
#: Above this many frontier nodes, ranking the whole level is cheaper than merging their heads.
_MAX_HEADS = 64


def _add_edges(succ: dict[str, dict[str, dict[str, object]]], pred: dict[str, dict[str, dict[str, object]]],
               facts: Iterable[Fact]) -> None:  # fmt: skip
    """What MultiDiGraph.add_edge(u, v, key=fact id) does for existing nodes, at a fifth of the cost.

    One key dict shared by succ[u][v] and pred[v][u].  Edges carry no
    attributes (the facts live in ``MemGraph.facts``), so they all share one
    empty, never-written dict.
    """
    for f in facts:
        u, v = f.subject, f.object
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = {}
        keydict[f.id] = _NO_ATTRIBUTES


def _clear_nx_cache(g: nx.MultiDiGraph) -> None:
    """networkx >= 3.3 caches backend conversions per graph; our direct dict edits must drop them."""
    cache = getattr(g, "__networkx_cache__", None)
    if cache:
        cache.clear()


def copy_node(n: Node) -> Node:
    # Shallow: mention lists are replaced, never changed in place, so sharing them is safe.
    return Node(n.key, n.type, n.name, list(n.aliases), dict(n.mentions), n.confidence)


@dataclass(slots=True)
class WriteIndexes:
    """What only writes need, made together from a snapshot when first used (see MemGraph.defer_writes)."""

    contrib: dict[str, dict[str, list[str]]]
    conf: dict[str, dict[str, float]]
    pred_facts: dict[str, dict[str, None]]


class MemGraph:
    """Nodes, facts and documents with their indexes; every mutation keeps all indexes in step."""

    def __init__(self) -> None:
        #: the adjacency (a networkx MultiDiGraph, used as its dicts) behind the ``g`` property, made
        #: when a traversal or a removal first needs it (``defer_adjacency``): by ``_fill_g`` (a
        #: snapshot's edge columns), then the documents applied since, kept in ``_adj_backlog`` as
        #: (keys of the nodes each created, its facts)
        self._g: nx.MultiDiGraph | None = None
        self._fill_g: Callable[[nx.MultiDiGraph], None] | None = None
        self._adj_backlog: list[tuple[list[str], list[Fact]]] = []
        self.nodes: dict[str, Node] = {}
        #: the write-side indexes behind the ``contrib``, ``conf`` and ``pred_facts`` properties, made
        #: by ``_fill_writes`` when first used (``defer_writes``); until then ``_pred_counts`` answers stats
        self._contrib: dict[str, dict[str, list[str]]] | None = {}
        self._conf: dict[str, dict[str, float]] | None = {}
        self._pred_facts: dict[str, dict[str, None]] | None = {p: {} for p in PREDICATES}
        self._fill_writes: Callable[[], WriteIndexes] | None = None
        self._pred_counts: dict[str, int] = {}
        #: node key -> its normalised forms (name and aliases)
        self.node_forms: dict[str, set[str]] = {}
        #: (type, normalised form) -> node keys
        self.forms: dict[tuple[str, str], set[str]] = {}
        #: character -> node keys whose forms contain it (substring search candidates); built by the
        #: first search, so a process that only writes (kg build) never pays for it
        self.chars: dict[str, set[str]] | None = None
        #: fact id -> Fact (made from the snapshot's columns when first read, see graph.facttable)
        self.facts: FactTable = FactTable()
        self.docs: dict[str, DocumentRecord] = {}
        self.doc_facts: dict[str, list[str]] = {}
        self.doc_nodes: dict[str, list[str]] = {}
        #: path -> ids of the documents read from it (several: different texts under one name)
        self.path_docs: dict[str, list[str]] = {}
        self.type_counts: Counter[str] = Counter()
        #: type -> keys of its nodes (counting a large set of nodes per type in C, see neighbors)
        self.type_keys: dict[str, set[str]] = {t: set() for t in ENTITY_TYPES}
        #: node key -> number of facts at either end (a self-loop counts twice, as in networkx)
        self.deg: dict[str, int] = {}
        #: hub key -> its neighbours as (-degree, key), best first (see neighbors); any write clears it
        self._ranked: dict[str, list[tuple[int, str]]] = {}
        #: hub key -> distinct neighbours per type, and the neighbours (see neighbors); writes clear them
        self._adj_types: dict[str, dict[str, int]] = {}
        self._adj_sets: dict[str, frozenset[str]] = {}
        #: type (None: all) -> every node ranked for an empty search; any write clears it
        self._all_ranked: dict[str | None, list[tuple[int, int, str, str]]] = {}

    # -- the adjacency ------------------------------------------------------------

    @property
    def g(self) -> nx.MultiDiGraph:
        g = self._g
        return g if g is not None else self._make_adjacency()

    def defer_adjacency(self, fill: Callable[[nx.MultiDiGraph], None]) -> None:
        """Make the adjacency only when first used, by ``fill(empty_graph)`` and then what was applied since.

        Filling it is a sixth of opening a large store from its snapshot, and
        keeping it in step is a third of applying a document, while ``kg
        build``, ``kg stats``, searches, documents and funding lists never walk
        an edge.  ``fill`` may raise (a damaged snapshot): the reader that
        needed the adjacency gets the error, and the next one tries again.
        """
        self._g, self._fill_g, self._adj_backlog = None, fill, []

    def _make_adjacency(self) -> nx.MultiDiGraph:
        """The adjacency as incremental writes would have left it: the same nodes and key dicts, in order."""
        g = nx.MultiDiGraph()
        with long_lived():
            if self._fill_g is not None:
                self._fill_g(g)
            succ, pred, gnode = g._succ, g._pred, g._node
            for created, facts in self._adj_backlog:
                for key in created:
                    succ[key] = {}
                    pred[key] = {}
                    gnode[key] = {}
                _add_edges(succ, pred, facts)
        self._g, self._fill_g, self._adj_backlog = g, None, []
        return g

    # -- the write-side indexes ---------------------------------------------------

    @property
    def contrib(self) -> dict[str, dict[str, list[str]]]:
        """Node key -> document id -> that document's alias contribution (non-empty ones only)."""
        got = self._contrib
        return got if got is not None else self._make_writes().contrib

    @property
    def conf(self) -> dict[str, dict[str, float]]:
        """Node key -> document id -> that document's confidence in it, for nodes several documents mention.

        A node of one document has that document's confidence as its own; the
        node's confidence is the highest of them, recomputed from these when a document goes.
        """
        got = self._conf
        return got if got is not None else self._make_writes().conf

    @property
    def pred_facts(self) -> dict[str, dict[str, None]]:
        """Predicate -> its fact ids, in order (a dict used as an ordered set)."""
        got = self._pred_facts
        return got if got is not None else self._make_writes().pred_facts

    def defer_writes(self, fill: Callable[[], WriteIndexes], pred_counts: dict[str, int]) -> None:
        """Make ``contrib``, ``conf`` and ``pred_facts`` only when first used, by ``fill()``.

        Only writes, removals and facts listed by predicate use them, and
        building them is a quarter of opening a large store from its snapshot;
        ``pred_counts`` (facts per predicate) answers ``stats`` until then.
        ``fill`` may raise (a damaged snapshot): that caller gets the error,
        and the next one tries again.
        """
        self._contrib = self._conf = self._pred_facts = None
        self._fill_writes, self._pred_counts = fill, pred_counts

    def _make_writes(self) -> WriteIndexes:
        assert self._fill_writes is not None
        with long_lived():
            made = self._fill_writes()
        self._contrib, self._conf, self._pred_facts = made.contrib, made.conf, made.pred_facts
        self._fill_writes, self._pred_counts = None, {}
        return made

    # -- mutation ---------------------------------------------------------------

    def _index_forms(self, key: str, type: str, forms: set[str]) -> None:
        old = self.node_forms.get(key, set())
        for f in old - forms:
            keys = self.forms.get((type, f))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.forms[(type, f)]
        for f in forms - old:
            self.forms.setdefault((type, f), set()).add(key)
        chars = self.chars
        if chars is not None:
            old_chars = {c for f in old for c in f}
            new_chars = {c for f in forms for c in f}
            for c in old_chars - new_chars:
                keys = chars.get(c)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del chars[c]
            for c in new_chars - old_chars:
                chars.setdefault(c, set()).add(key)
        if forms:
            self.node_forms[key] = forms
        else:
            self.node_forms.pop(key, None)

    def apply(self, rec: DocRecords) -> int:
        """Add one resolved document; returns how many nodes it created.

        A node's aliases are merged incrementally: :func:`merge_aliases` keeps
        the smallest spelling per form, so merging the new contribution into
        the current aliases equals merging every contribution again.
        """
        doc = rec.document
        did = doc.id
        nodes, contrib, node_forms, deg = self.nodes, self.contrib, self.node_forms, self.deg
        conf = self.conf
        form_index, chars = self.forms, self.chars
        type_counts, type_keys = self.type_counts, self.type_keys
        g = self._g
        created_keys: list[str] = []
        for n in rec.nodes:
            key = n.key
            node = nodes.get(key)
            if node is None:
                node = Node(
                    key, n.type, n.name, merge_aliases(n.name, [n.aliases]) if n.aliases else [], {},
                    n.confidence,
                )  # fmt: skip
                nodes[key] = node
                if n.aliases:
                    contrib[key] = {did: n.aliases}
                created_keys.append(key)
                deg[key] = 0
                type_counts[n.type] += 1
                type_keys[n.type].add(key)
                forms = {key[len(n.type) + 1 :]}
                if n.aliases:
                    forms.update(normalize(a) for a in n.aliases)
                    forms.discard("")
                node_forms[key] = forms
                for form in forms:
                    form_index.setdefault((n.type, form), set()).add(key)
                if chars is not None:
                    for c in set("".join(forms)):
                        chars.setdefault(c, set()).add(key)
            elif n.aliases:
                contrib.setdefault(key, {})[did] = n.aliases
                # spellings it already has (the common case): merging changes neither aliases nor forms
                if not set(n.aliases).issubset(node.aliases):
                    node.aliases = merge_aliases(node.name, [node.aliases, n.aliases])
                    old = node_forms[key]
                    new = {normalize(a) for a in n.aliases}
                    new.discard("")
                    if not new <= old:
                        self._index_forms(key, node.type, old | new)
            if node.mentions:  # a stored node: the new document's confidence joins the others
                own = conf.get(key)
                if own is None:  # its one document so far holds the node's confidence
                    own = conf[key] = {next(iter(node.mentions)): node.confidence}
                own[did] = n.confidence
                if n.confidence > node.confidence:
                    node.confidence = n.confidence
            node.mentions[did] = n.mentions[did]
        facts, pred_facts = self.facts, self.pred_facts
        fids = [f.id for f in rec.facts]
        facts.update(zip(fids, rec.facts, strict=True))
        for f in rec.facts:
            pred_facts[f.predicate][f.id] = None
            deg[f.subject] += 1
            deg[f.object] += 1
        if g is None:
            self._adj_backlog.append((created_keys, rec.facts))
        else:
            succ, pred, gnode = g._succ, g._pred, g._node
            for key in created_keys:  # what MultiDiGraph.add_node does, without its per-call checks
                succ[key] = {}
                pred[key] = {}
                gnode[key] = {}
            _add_edges(succ, pred, rec.facts)
            _clear_nx_cache(g)
        self.docs[did] = doc
        self.doc_facts[did] = fids
        self.doc_nodes[did] = [n.key for n in rec.nodes]
        self.path_docs.setdefault(doc.path, []).append(did)
        self._ranked.clear()
        self._adj_types.clear()
        self._adj_sets.clear()
        self._all_ranked.clear()
        return len(created_keys)

    def remove(self, doc_id: str) -> RemoveResult:
        """Take one document out: its facts, its mentions and alias contributions, nodes left unsupported."""
        if doc_id not in self.docs:
            raise DocumentNotFound(doc_id)
        g = self.g  # made (if deferred) from the state before this removal
        doc = self.docs.pop(doc_id)
        same = self.path_docs.get(doc.path)
        if same is not None and doc_id in same:
            same.remove(doc_id)
            if not same:
                del self.path_docs[doc.path]
        fids = self.doc_facts.pop(doc_id, [])
        for fid in fids:
            f = self.facts.pop(fid)
            del self.pred_facts[f.predicate][fid]
            g.remove_edge(f.subject, f.object, key=fid)
            self.deg[f.subject] -= 1
            self.deg[f.object] -= 1
        removed_nodes = 0
        for key in self.doc_nodes.pop(doc_id, []):
            node = self.nodes.get(key)
            if node is None or doc_id not in node.mentions:
                continue
            del node.mentions[doc_id]
            own = self.conf.get(key)
            if own is not None:
                own.pop(doc_id, None)
                if node.mentions and own:
                    node.confidence = max(own.values())
                if len(own) <= 1:
                    del self.conf[key]
            contrib = self.contrib.get(key, {})
            had_aliases = contrib.pop(doc_id, None) is not None
            if not node.mentions:
                self._index_forms(key, node.type, set())
                del self.nodes[key]
                self.contrib.pop(key, None)
                g.remove_node(key)
                del self.deg[key]
                self.type_counts[node.type] -= 1
                self.type_keys[node.type].discard(key)
                removed_nodes += 1
            elif had_aliases:
                if not contrib:
                    self.contrib.pop(key, None)
                node.aliases = merge_aliases(node.name, contrib.values())
                forms = {normalize(node.name)} | {normalize(a) for a in node.aliases}
                self._index_forms(key, node.type, forms)
        _clear_nx_cache(g)
        self._ranked.clear()
        self._adj_types.clear()
        self._adj_sets.clear()
        self._all_ranked.clear()
        return RemoveResult(document=doc_id, facts_removed=len(fids), nodes_removed=removed_nodes)

    def records(self, doc_id: str) -> DocRecords:
        """A stored document as it was applied (to rewrite it into another segment)."""
        nodes, contrib, conf = self.nodes, self.contrib, self.conf
        out = []
        for key in self.doc_nodes[doc_id]:
            n = nodes[key]
            own = conf.get(key)
            out.append(
                Node(
                    key, n.type, n.name, contrib.get(key, {}).get(doc_id, []), {doc_id: n.mentions[doc_id]},
                    n.confidence if own is None else own.get(doc_id, n.confidence),
                )
            )  # fmt: skip
        return DocRecords(self.docs[doc_id], out, [self.facts[f] for f in self.doc_facts[doc_id]])

    # -- ingest support -----------------------------------------------------------

    def find_existing(self, type: str, forms: Sequence[str]) -> list[tuple[str, str]]:
        """``resolve``'s callback: stored nodes of ``type`` carrying one of ``forms``."""
        index, nodes = self.forms, self.nodes
        if len(forms) == 1:
            found = index.get((type, forms[0]))
            if not found:
                return []
            if len(found) == 1:
                (k,) = found
                return [(k, nodes[k].name)]
        else:
            found = set()
            for f in forms:
                found |= index.get((type, f), set())
        return [(k, nodes[k].name) for k in sorted(found)]

    # -- documents ----------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord:
        doc = self.docs.get(doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        return doc

    def find_document(self, ref: str) -> DocumentRecord:
        doc = self.docs.get(ref)
        return doc if doc is not None else pick_document(ref, self.docs.values())

    def documents(self, limit: int, offset: int) -> Page[DocumentRecord]:
        docs = list(self.docs.values())
        return Page(items=docs[offset : offset + limit], total=len(docs))

    def document_facts(self, doc_id: str) -> list[Fact]:
        if doc_id not in self.docs:
            raise DocumentNotFound(doc_id)
        return [self.facts[f] for f in self.doc_facts[doc_id]]

    # -- entities -----------------------------------------------------------------

    def _node(self, key: str) -> Node:
        node = self.nodes.get(key)
        if node is None:
            raise EntityNotFound(key)
        return node

    def entity(self, key: str) -> Node:
        return copy_node(self._node(key))

    def degree(self, key: str) -> int:
        self._node(key)
        return self.deg[key]

    def _rank(self, keys: Iterable[str]) -> list[str]:
        deg = self.deg
        return sorted(keys, key=lambda k: (-deg[k], k))

    def _char_index(self) -> dict[str, set[str]]:
        if self.chars is None:
            chars: dict[str, set[str]] = {}
            with long_lived():
                for key, forms in self.node_forms.items():
                    for c in set("".join(forms)):
                        chars.setdefault(c, set()).add(key)
            self.chars = chars
        return self.chars

    def lookup(self, name: str, type: str | None) -> list[Node]:
        norm = normalize(name)
        types = [type] if type else ENTITY_TYPES
        found: set[str] = set()
        for t in types:
            found |= self.forms.get((t, norm), set())
        return [copy_node(self.nodes[k]) for k in self._rank(found)]

    def search(
        self,
        q: str,
        type: str | None,
        limit: int,
        offset: int,
        min_confidence: float | None = None,
        keep: Collection[str] = (),
    ) -> Page[EntityHit]:
        """Exact name/alias first, then prefix, then substring; within a score by degree, name, key.

        Every match is scored (the total counts them), so the loop over the
        candidates is kept to string tests and one tuple each, ranked by
        tuple comparison in C.  ``min_confidence`` drops the nodes below it
        (but not the ``keep`` keys) before ranking.
        """
        norm = normalize(q)
        nodes, deg = self.nodes, self.deg
        if not norm:
            ranked = self._ranked_all(type)
            if min_confidence is not None:
                ranked = [r for r in ranked if nodes[r[3]].confidence >= min_confidence or r[3] in keep]
            page = ranked[offset : offset + limit]
            total = len(ranked)
        else:
            chars = self._char_index()
            sets = sorted((chars.get(c, set()) for c in set(norm)), key=len)
            candidates = sets[0].intersection(*sets[1:])
            if type is not None:
                candidates &= self.type_keys.get(type, set())
            if min_confidence is not None:
                candidates = {k for k in candidates if nodes[k].confidence >= min_confidence or k in keep}
            node_forms = self.node_forms
            scored: list[tuple[int, int, str, str]] = []
            add = scored.append
            for k in candidates:
                forms = node_forms[k]
                if norm in forms:
                    add((-3, -deg[k], nodes[k].name, k))
                    continue
                score = 0
                for f in forms:
                    if f.startswith(norm):
                        score = 2
                        break
                    if norm in f:
                        score = 1
                if score:
                    add((-score, -deg[k], nodes[k].name, k))
            n = offset + limit
            page = (heapq.nsmallest(n, scored) if n < len(scored) // 4 else sorted(scored)[:n])[offset:]
            total = len(scored)
        return Page(
            items=[EntityHit(node=copy_node(nodes[k]), degree=-d, score=float(-s)) for s, d, _, k in page],
            total=total,
        )

    def _ranked_all(self, type: str | None) -> list[tuple[int, int, str, str]]:
        """Every node (of ``type``) as an empty query ranks them; cached until the next write."""
        found = self._all_ranked.get(type)
        if found is None:
            nodes, deg = self.nodes, self.deg
            keys = self.nodes if type is None else self.type_keys.get(type, set())
            with long_lived():
                found = sorted((0, -deg[k], nodes[k].name, k) for k in keys)
            self._all_ranked[type] = found
        return found

    # -- facts and traversal ------------------------------------------------------

    def _edge_facts(self, key: str) -> list[str]:
        out: list[str] = []
        for edges in self.g._succ[key].values():
            out.extend(edges)
        for v, edges in self.g._pred[key].items():
            if v != key:  # a self-loop is already listed among the successors
                out.extend(edges)
        return out

    def facts_where(
        self, predicate: str | None, subject: str | None, object: str | None, document: str | None
    ) -> list[Fact]:
        if document is not None:
            ids: Iterable[str] = self.doc_facts.get(document, [])
        elif subject is not None:
            if subject not in self.nodes:
                return []
            ids = [fid for edges in self.g._succ[subject].values() for fid in edges]
        elif object is not None:
            if object not in self.nodes:
                return []
            ids = [fid for edges in self.g._pred[object].values() for fid in edges]
        elif predicate is not None:
            ids = self.pred_facts.get(predicate, {})
        else:
            ids = self.facts
        out = []
        for fid in ids:
            f = self.facts[fid]
            if (
                (predicate is None or f.predicate == predicate)
                and (subject is None or f.subject == subject)
                and (object is None or f.object == object)
                and (document is None or f.document == document)
            ):
                out.append(f)
        return out

    def entity_facts(self, key: str) -> list[Fact]:
        self._node(key)
        return [self.facts[fid] for fid in self._edge_facts(key)]

    def neighbors(
        self,
        key: str,
        depth: int,
        predicates: Iterable[str] | None,
        types: Iterable[str] | None,
        limit: int,
    ) -> Subgraph:
        """Breadth first; within a distance the best-connected nodes are kept first.

        A 2-hop neighbourhood through a hub (专项债, a zone) reaches thousands
        of nodes of which only ``limit`` are kept.  The kept ones come from
        the heads of the frontier's ranked adjacency (cached for hubs), and
        the last level, which nothing expands, is only counted: the largest
        adjacency by its cached type counts, the others by what they add.
        """
        self._node(key)
        preds = set(predicates) if predicates else None
        wanted_types = set(types) if types else None
        facts, nodes = self.facts, self.nodes
        limit = max(limit, 1)
        seen = {key}
        kept = [key]
        omitted: Counter[str] = Counter()
        frontier: Collection[str] = [key]
        for hop in range(1, max(depth, 0) + 1):
            room = limit - len(kept)
            if hop == depth and preds is None and wanted_types is None and len(frontier) <= _MAX_HEADS:
                reached = self._count_last_level(frontier, seen)
                chosen = self._heads(frontier, seen, room)
            else:
                level = self._next_level(frontier, seen, preds, wanted_types)
                seen |= level
                chosen = self._best(frontier, level, room) if room > 0 else []
                reached = self._count_types(level) if len(chosen) < len(level) else {}
            if not chosen and not reached:
                break
            kept.extend(chosen)
            if sum(reached.values()) > len(chosen):
                omitted.update(reached)
                for t, n in Counter(map(_TYPE, map(nodes.__getitem__, chosen))).items():
                    omitted[t] -= n
            frontier = level if hop < depth else ()
        kept_set = set(kept)
        succ = self.g._succ
        edges_out: list[Fact] = []
        fact_of = facts.__getitem__
        for u in kept:
            out = succ[u]
            targets = out.keys() if len(out) <= len(kept) else [v for v in kept if v in out]
            for v in targets:
                if v in kept_set:
                    if preds is None:
                        edges_out.extend(map(fact_of, out[v]))
                    else:
                        edges_out.extend(f for f in map(fact_of, out[v]) if f.predicate in preds)
        return Subgraph(
            nodes=[copy_node(nodes[k]) for k in kept],
            edges=edges_out,
            center=key,
            omitted={t: n for t, n in omitted.items() if n > 0},
        )

    def _heads(self, frontier: Collection[str], seen: set[str], room: int) -> list[str]:
        """The ``room`` best-ranked unseen neighbours of a small ``frontier``, in rank order.

        Each frontier node's neighbours are walked best first, and only while
        they could still displace one of the best found so far.
        """
        if room <= 0:
            return []
        best: list[tuple[int, str]] = []
        for u in frontier:
            bound = best[-1] if len(best) >= room else None
            taken: list[tuple[int, str]] = []
            for r in self._ranked_adjacency(u):
                if bound is not None and r >= bound:
                    break
                if r[1] not in seen:
                    taken.append(r)
                    if len(taken) >= room:
                        break
            if taken:
                best = sorted(set(best).union(taken))[:room] if best else taken
        return [k for _, k in best]

    def _count_last_level(self, frontier: Collection[str], seen: set[str]) -> dict[str, int]:
        """Per type, the unseen nodes next to ``frontier``, without building that set.

        Each frontier node's neighbours are counted by type (cached for hubs);
        set differences in C find the nodes next to two frontier nodes, so
        only those and the seen ones are looked up one by one.
        """
        nodes = self.nodes
        adjacency = sorted((self._adjacency(u) for u in frontier), key=len, reverse=True)
        if not adjacency:
            return {}
        counts: Counter[str] = Counter()
        for u in frontier:
            counts.update(self._adjacency_types(u))
        covered = adjacency[0]
        walked: set[str] = set()
        for adj in adjacency[1:]:
            fresh = adj - covered
            fresh -= walked
            if len(fresh) < len(adj):  # some of adj were counted already, with another frontier node
                for v in adj - fresh:
                    counts[nodes[v].type] -= 1
            walked |= fresh
        for v in seen:
            if v in covered or v in walked:
                counts[nodes[v].type] -= 1
        return {t: n for t, n in counts.items() if n > 0}

    def _adjacency(self, key: str) -> set[str] | frozenset[str]:
        """The distinct neighbours of ``key``; cached for hubs until the next write."""
        found = self._adj_sets.get(key)
        if found is not None:
            return found
        adj = self.g._succ[key].keys() | self.g._pred[key].keys()
        if len(adj) >= _CACHE_RANKED:
            self._adj_sets[key] = frozen = frozenset(adj)
            return frozen
        return adj

    def _adjacency_types(self, key: str) -> dict[str, int]:
        """How many distinct neighbours of ``key`` each type has; cached for hubs until the next write."""
        found = self._adj_types.get(key)
        if found is not None:
            return found
        adj = self._adjacency(key)
        counts = dict(Counter(map(_TYPE, map(self.nodes.__getitem__, adj))))
        if len(adj) >= _CACHE_RANKED:
            self._adj_types[key] = counts
        return counts

    def _count_types(self, keys: set[str]) -> dict[str, int]:
        """How many of ``keys`` each type has: set intersections in C, not one lookup per node."""
        counts: dict[str, int] = {}
        for t, members in self.type_keys.items():
            n = len(members.intersection(keys)) if members else 0
            if n:
                counts[t] = n
        return counts

    def _next_level(
        self, frontier: Iterable[str], seen: set[str], preds: set[str] | None, wanted_types: set[str] | None
    ) -> set[str]:
        """Nodes one hop from ``frontier`` not yet seen, through ``preds`` edges and of ``wanted_types``."""
        succ, pred = self.g._succ, self.g._pred
        level: set[str] = set()
        if preds is None:
            for u in frontier:
                level.update(succ[u])
                level.update(pred[u])
            level -= seen
        else:
            facts = self.facts
            for u in frontier:
                for adj in (succ[u], pred[u]):
                    for v, edges in adj.items():
                        if (
                            v not in seen
                            and v not in level
                            and any(facts[f].predicate in preds for f in edges)
                        ):
                            level.add(v)
        if wanted_types is not None:
            nodes = self.nodes
            level = {v for v in level if nodes[v].type in wanted_types}
        return level

    def _best(self, frontier: Collection[str], level: set[str], room: int) -> list[str]:
        """The ``room`` best-ranked nodes of ``level`` (degree, then key), in rank order.

        Each of the best is among the first ``room`` members of ``level`` in
        the ranked adjacency of a frontier node that reaches it, so when the
        frontier is small only those heads are ranked, not the whole level.
        """
        if room < len(level) // 4 and len(frontier) <= _MAX_HEADS:
            candidates: set[tuple[int, str]] = set()
            for u in frontier:
                taken = 0
                for r in self._ranked_adjacency(u):
                    if r[1] in level:
                        candidates.add(r)
                        taken += 1
                        if taken >= room:
                            break
            ranked = list(candidates)
        else:
            deg = self.deg
            ranked = [(-deg[k], k) for k in level]
        best = heapq.nsmallest(room, ranked) if room < len(ranked) // 4 else sorted(ranked)[:room]
        return [k for _, k in best]

    def _ranked_adjacency(self, key: str) -> list[tuple[int, str]]:
        """Neighbours of ``key`` as (-degree, key), best first; cached for hubs until the next write."""
        found = self._ranked.get(key)
        if found is not None:
            return found
        deg = self.deg
        ranked = sorted([(-deg[k], k) for k in self.g._succ[key].keys() | self.g._pred[key].keys()])
        if len(ranked) >= _CACHE_RANKED:
            self._ranked[key] = ranked
        return ranked

    def paths(self, source: str, target: str, max_hops: int, limit: int) -> list[GraphPath]:
        self._node(source)
        self._node(target)
        if source == target:
            return [GraphPath(nodes=[copy_node(self.nodes[source])], edges=[])]
        succ, pred = self.g._succ, self.g._pred

        def expand(frontier: list[str]) -> Iterator[tuple[str, str]]:
            for u in frontier:
                for adj in (succ[u], pred[u]):
                    for v in adj:
                        yield u, v

        routes = shortest_routes(source, target, max_hops, limit, expand)
        return [
            GraphPath(
                nodes=[copy_node(self.nodes[k]) for k in r],
                edges=[self._one_fact(a, b) for a, b in itertools.pairwise(r)],
            )
            for r in routes
        ]

    def _one_fact(self, a: str, b: str) -> Fact:
        ids = list(self.g._succ[a].get(b, {})) + list(self.g._succ[b].get(a, {}))
        return self.facts[min(ids)]

    # -- whole graph --------------------------------------------------------------

    def stats(self) -> Stats:
        return Stats(
            entities={t: self.type_counts.get(t, 0) for t in ENTITY_TYPES},
            relations=(
                {p: self._pred_counts.get(p, 0) for p in PREDICATES}
                if self._pred_facts is None
                else {p: len(self._pred_facts[p]) for p in PREDICATES}
            ),
            documents=len(self.docs),
        )

    def iter_nodes(self) -> Iterator[Node]:
        for k in sorted(self.nodes):
            yield copy_node(self.nodes[k])

    def iter_facts(self) -> Iterator[Fact]:
        for fid in sorted(self.facts):
            yield self.facts[fid]

    def iter_documents(self) -> Iterator[DocumentRecord]:
        yield from sorted(self.docs.values(), key=lambda d: d.id)
