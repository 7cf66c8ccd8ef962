"""The embedded store's in-memory indexes saved whole, so opening a large store does not replay every segment.

Opening a store used to mean decoding every segment and applying every
document again (resolving aliases, building the form index, the adjacency):
2.4–3.3 s at 200,000 relations, paid by ``kg serve`` and every read command.
The snapshot is :class:`~graph.memgraph.MemGraph` as data, in one JSON file
(orjson; never pickle, since a store folder may come from anyone): nodes with
their forms, mentions and alias contributions, facts with their ends as node
numbers, documents with their node lists.  Loading it builds the dictionaries
directly; what is cheap to derive (adjacency, degrees, per-type sets, the
predicate index) is derived on the way.

A snapshot names the (segment, document) pairs it holds.  The store opens
from it and then follows the manifest as it always does: documents that are
no longer live are removed, documents it lacks are read from their segments.
So a snapshot that lags behind (its writer was killed before it could save a
newer one) is still correct, only slower to catch up; one that cannot be read
is ignored and the segments are replayed, as before snapshots existed.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from extract.model import ENTITY_TYPES, PREDICATES

from .memgraph import _NO_ATTRIBUTES, MemGraph
from .model import DocumentRecord, Fact, Node
from .persist import SEGMENTS, Manifest, write_atomic

FORMAT = "policy-kg-snapshot/1"
SNAPSHOT = "snapshot.json"


@dataclass(slots=True)
class Snapshot:
    """A graph as loaded, the (segment file, document id) pairs it was saved with, and those segments' sizes.

    A segment whose size differs now (damaged, truncated, gone) disowns its
    documents: the store reads them from the segment again, and so reports the damage.
    """

    mem: MemGraph
    live: list[tuple[str, str]]
    sizes: dict[str, int]
    generation: int


def snapshot_path(folder: Path) -> Path:
    return folder / SNAPSHOT


# -- writing --------------------------------------------------------------------------------------------


def encode(mem: MemGraph, manifest: Manifest, sizes: dict[str, int]) -> bytes:
    """The graph in ``mem``, which must be the state of ``manifest``, as the snapshot file's bytes.

    Columns rather than rows: the reader then builds most indexes with C-level
    ``map``/``zip``/``dict`` calls over whole columns instead of a Python loop per row.

    Everything is written in the order a replay of the manifest would create
    it (documents in manifest order, nodes by first mention, facts document by
    document), so that a store opened from the snapshot iterates exactly like
    one that replayed its segments, even after removals reordered this process's memory.
    """
    doc_ids = [doc for _, doc in manifest.live()]
    if len(doc_ids) != len(mem.docs) or set(doc_ids) != mem.docs.keys():
        raise ValueError("the graph in memory is not the manifest's state")
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    keys = list(dict.fromkeys(itertools.chain.from_iterable(mem.doc_nodes[d] for d in doc_ids)))
    if len(keys) != len(mem.nodes):
        raise ValueError("the graph in memory has nodes no document mentions")
    node_index = {k: i for i, k in enumerate(keys)}
    nodes = [mem.nodes[k] for k in keys]
    fids = [fid for d in doc_ids for fid in mem.doc_facts[d]]
    facts = [mem.facts[fid] for fid in fids]
    docs = [mem.docs[d] for d in doc_ids]

    def by_doc(per_doc: dict[str, Any]) -> list[tuple[str, Any]]:
        return sorted(per_doc.items(), key=lambda item: doc_index[item[0]])

    body = {
        "format": FORMAT,
        "generation": manifest.generation,
        "live": [[s.file, s.docs, sizes[s.file]] for s in manifest.segments],
        "docs": {
            **{name: [getattr(d, name) for d in docs] for name in _DOC_FIELDS},
            "facts": [len(mem.doc_facts[d]) for d in doc_ids],
            "nodes": [[node_index[k] for k in mem.doc_nodes[d]] for d in doc_ids],
        },
        "nodes": {
            "key": keys,
            "type": [n.type for n in nodes],
            "name": [n.name for n in nodes],
            "aliases": [n.aliases for n in nodes],
            # per node: the documents (numbers) mentioning it, and the spans in each
            "mention_docs": [[doc_index[d] for d, _ in by_doc(n.mentions)] for n in nodes],
            "mention_spans": [[spans for _, spans in by_doc(n.mentions)] for n in nodes],
            "confidence": [n.confidence for n in nodes],
        },
        "forms": [[k[0], k[1], [node_index[x] for x in found]] for k, found in mem.forms.items()],
        "node_forms": [[node_index[k], sorted(mem.node_forms[k])] for k in keys if k in mem.node_forms],
        "contrib": [
            [node_index[k], [[doc_index[d], aliases] for d, aliases in by_doc(own)]]
            for k, own in mem.contrib.items()
        ],
        # per-document confidences of the nodes several documents mention (MemGraph.conf)
        "conf": [[node_index[k], [[doc_index[d], c] for d, c in by_doc(own)]] for k, own in mem.conf.items()],
        "facts": {
            "id": fids,
            "predicate": [f.predicate for f in facts],
            "subject": [node_index[f.subject] for f in facts],
            "object": [node_index[f.object] for f in facts],
            "evidence": [f.evidence for f in facts],
            "start": [f.span[0] for f in facts],
            "end": [f.span[1] for f in facts],
            **{name: [getattr(f, name) for f in facts] for name in _FACT_QUALIFIERS},
        },
    }
    return orjson.dumps(body)


#: Fact fields after the span, in the constructor's order (a snapshot lacking one is not used).
_FACT_QUALIFIERS = tuple(f.name for f in fields(Fact))[7:]
_DOC_FIELDS = tuple(f.name for f in fields(DocumentRecord))


def write(folder: Path, mem: MemGraph, manifest: Manifest) -> None:
    """Replace the folder's snapshot atomically (a reader sees the old one or the new one)."""
    sizes = {s.file: (folder / SEGMENTS / s.file).stat().st_size for s in manifest.segments}
    write_atomic(snapshot_path(folder), encode(mem, manifest, sizes))


# -- reading --------------------------------------------------------------------------------------------


class BadSnapshot(ValueError):
    """The snapshot file is not one this code wrote; the store replays its segments instead."""


def segment_sizes(folder: Path, files: Iterable[str]) -> dict[str, int]:
    """The current size of each segment that still exists."""
    out = {}
    for file in files:
        try:
            out[file] = (folder / SEGMENTS / file).stat().st_size
        except OSError:
            continue
    return out


def read(folder: Path) -> Snapshot | None:
    """The saved graph, or None when there is none or it cannot be used (the caller replays segments)."""
    try:
        raw = snapshot_path(folder).read_bytes()
    except OSError:
        return None
    try:
        return decode(raw)
    except (BadSnapshot, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def decode(raw: bytes) -> Snapshot:
    """Build the graph from a snapshot's bytes; raises BadSnapshot (or a ValueError kin) when malformed."""
    body: dict[str, Any] = orjson.loads(raw)
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise BadSnapshot("unknown snapshot format")
    generation = body["generation"]
    live = [(str(file), str(doc)) for file, docs, _ in body["live"] for doc in docs]
    sizes = {str(file): int(size) for file, _, size in body["live"]}
    dcol, ncol, fcol = body["docs"], body["nodes"], body["facts"]
    doc_ids: list[str] = dcol["id"]
    keys: list[str] = ncol["key"]
    fids: list[str] = fcol["id"]
    n_docs, n_nodes, n_facts = len(doc_ids), len(keys), len(fids)
    if not isinstance(generation, int) or doc_ids != [d for _, d in live] or not all(map(_is_str, keys)):
        raise BadSnapshot("snapshot documents do not match the pairs it names")
    for col, n in ((dcol, n_docs), (ncol, n_nodes), (fcol, n_facts)):
        if any(len(v) != n for v in col.values()):
            raise BadSnapshot("snapshot columns of different lengths")
    if not set(ncol["type"]) <= set(ENTITY_TYPES) or not set(fcol["predicate"]) <= set(PREDICATES):
        raise BadSnapshot("unknown type or predicate in the snapshot")

    mem = MemGraph()
    key_of, doc_of = keys.__getitem__, doc_ids.__getitem__

    # Documents, in the order they were applied.
    docs = list(map(DocumentRecord, *(dcol[f] for f in _DOC_FIELDS)))
    mem.docs = dict(zip(doc_ids, docs, strict=True))
    for d in docs:
        mem.path_docs.setdefault(d.path, []).append(d.id)
    mem.doc_nodes = {d: list(map(key_of, idx)) for d, idx in zip(doc_ids, dcol["nodes"], strict=True)}

    # Nodes with their mentions per document; forms and alias contributions as saved.
    # One dict per node, its span lists turned into lists of tuples by C-level maps (no Python per span).
    tuples = itertools.repeat(tuple)
    mentions = [
        dict(zip(map(doc_of, ds), map(list, map(map, tuples, per_doc)), strict=True))
        for ds, per_doc in zip(ncol["mention_docs"], ncol["mention_spans"], strict=True)
    ]
    # a snapshot saved before confidence was kept lacks the column: KeyError, so the segments are replayed
    nodes = list(map(Node, keys, ncol["type"], ncol["name"], ncol["aliases"], mentions, ncol["confidence"]))
    mem.nodes = dict(zip(keys, nodes, strict=True))
    mem.forms = {(t, f): set(map(key_of, idx)) for t, f, idx in body["forms"]}
    mem.node_forms = {key_of(i): set(fs) for i, fs in body["node_forms"]}
    mem.contrib = {key_of(i): {doc_of(d): a for d, a in own} for i, own in body["contrib"]}
    mem.conf = {key_of(i): {doc_of(d): float(c) for d, c in own} for i, own in body["conf"]}
    types = ncol["type"]
    mem.type_keys = {t: set(itertools.compress(keys, map(t.__eq__, types))) for t in ENTITY_TYPES}
    mem.type_counts = Counter({t: len(ks) for t, ks in mem.type_keys.items() if ks})

    # Facts in the order they were applied; the indexes over them derived here.
    subjects = list(map(key_of, fcol["subject"]))
    objects = list(map(key_of, fcol["object"]))
    documents = _doc_column(doc_ids, dcol["facts"], n_facts)
    spans = zip(fcol["start"], fcol["end"], strict=True)
    qualifiers = [fcol[q] for q in _FACT_QUALIFIERS]
    facts = list(
        map(Fact, fids, fcol["predicate"], subjects, objects, documents, fcol["evidence"], spans, *qualifiers)
    )
    mem.facts = dict(zip(fids, facts, strict=True))
    if len(mem.docs) != n_docs or len(mem.nodes) != n_nodes or len(mem.facts) != n_facts:
        raise BadSnapshot("an id is used twice in the snapshot")
    preds = fcol["predicate"]
    mem.pred_facts = {p: dict.fromkeys(itertools.compress(fids, map(p.__eq__, preds))) for p in PREDICATES}
    offsets = list(itertools.accumulate(dcol["facts"], initial=0))
    mem.doc_facts = {d: fids[offsets[i] : offsets[i + 1]] for i, d in enumerate(doc_ids)}
    deg = dict.fromkeys(keys, 0)
    deg.update(Counter(itertools.chain(subjects, objects)))
    mem.deg = deg

    # The networkx graph: its node and adjacency dicts filled in place (the graph object owns them).
    g = mem.g
    succ, pred = g._succ, g._pred
    g._node.update({k: {} for k in keys})
    succ.update({k: {} for k in keys})
    pred.update({k: {} for k in keys})
    no_attributes = _NO_ATTRIBUTES
    for fid, s, o in zip(fids, subjects, objects, strict=True):
        row = succ[s]
        keydict = row.get(o)
        if keydict is None:
            keydict = row[o] = pred[o][s] = {}
        keydict[fid] = no_attributes
    return Snapshot(mem=mem, live=live, sizes=sizes, generation=generation)


def _is_str(v: object) -> bool:
    return isinstance(v, str)


def _doc_column(doc_ids: list[str], counts: list[int], n_facts: int) -> list[str]:
    """Each fact's document id, from the number of facts per document (they are contiguous)."""
    out = list(
        itertools.chain.from_iterable(itertools.repeat(d, n) for d, n in zip(doc_ids, counts, strict=True))
    )
    if len(out) != n_facts:
        raise BadSnapshot("snapshot fact counts do not add up")
    return out


__all__ = ["SNAPSHOT", "BadSnapshot", "Snapshot", "decode", "encode", "read", "write"]
