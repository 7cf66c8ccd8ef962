"""The embedded store's in-memory indexes saved whole, so opening a large store does not replay every segment.

Opening a store used to mean decoding every segment and applying every
document again (resolving aliases, building the form index, the adjacency):
2.4–3.3 s at 200,000 relations, paid by ``kg serve`` and every read command.
The snapshot is :class:`~graph.memgraph.MemGraph` as data (orjson; never
pickle, since a store folder may come from anyone): one JSON header line
naming the columns, then one JSON line per column — node and fact fields,
fact ends as node numbers, mentions per (node, document), the edge pairs.
Loading it builds the dictionaries directly from whole columns with C-level
``map``/``zip`` calls, parsing one column at a time so that parsing never
holds the whole file's values at once; what is cheap to derive (degrees,
per-type sets, the predicate index) is derived on the way.  A field added to
:class:`~graph.model.Fact`, :class:`~graph.model.Node` or
:class:`~graph.model.DocumentRecord` becomes one more column with no change here.

A snapshot names the (segment, document) pairs it holds.  The store opens
from it and then follows the manifest as it always does: documents that are
no longer live are removed, documents it lacks are read from their segments.
So a snapshot that lags behind (its writer was killed before it could save a
newer one) is still correct, only slower to catch up; one that cannot be read
(another format, a column missing) is ignored and the segments are replayed,
as before snapshots existed.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from extract.model import ENTITY_TYPES, PREDICATES

from .errors import CorruptStore
from .facttable import FactTable
from .longlived import gc_paused
from .memgraph import _NO_ATTRIBUTES, MemGraph, WriteIndexes
from .model import DocumentRecord, Fact, Node, Span
from .persist import SEGMENTS, Manifest, write_atomic

FORMAT = "policy-kg-snapshot/2"
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
    ``map``/``zip``/``dict`` calls over whole columns instead of a Python loop per row,
    and the writer takes the columns out of the records the same way (one
    ``attrgetter`` per record, transposed by ``zip``).  Text columns with few
    distinct values (predicates, periods, agencies) are stored once per value
    and referred to by number: less to parse, and one string object per value.

    Everything is written in the order a replay of the manifest would create
    it (documents in manifest order, nodes by first mention, facts document by
    document, each node's mentions in document order), so that a store opened from the
    snapshot iterates exactly like one that replayed its segments, even after
    removals reordered this process's memory.
    """
    doc_ids = [doc for _, doc in manifest.live()]
    if len(doc_ids) != len(mem.docs) or set(doc_ids) != mem.docs.keys():
        raise ValueError("the graph in memory is not the manifest's state")
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    doc_nodes = [mem.doc_nodes[d] for d in doc_ids]
    keys = list(dict.fromkeys(itertools.chain.from_iterable(doc_nodes)))
    if len(keys) != len(mem.nodes):
        raise ValueError("the graph in memory has nodes no document mentions")
    node_index = {k: i for i, k in enumerate(keys)}
    nodes = list(map(mem.nodes.__getitem__, keys))
    fids = list(itertools.chain.from_iterable(map(mem.doc_facts.__getitem__, doc_ids)))
    facts = list(map(mem.facts.__getitem__, fids))
    docs = list(map(mem.docs.__getitem__, doc_ids))
    # Per node, the documents mentioning it (numbers, in manifest order) and the spans in each.
    # A node's mentions are in the order its documents were applied, which is the manifest's
    # (appends and removals keep it): checked per node, sorted only where it is not.
    mention_docs: list[list[int]] = []
    pair_spans: list[list[Span]] = []
    doc_number = doc_index.__getitem__
    for n in nodes:
        ds = list(map(doc_number, n.mentions))
        if ds == sorted(ds):
            mention_docs.append(ds)
            pair_spans.extend(n.mentions.values())
        else:
            ordered = sorted(zip(ds, n.mentions.values(), strict=True))
            mention_docs.append([d for d, _ in ordered])
            pair_spans.extend(spans for _, spans in ordered)

    def by_doc(per_doc: dict[str, Any]) -> list[tuple[str, Any]]:
        return sorted(per_doc.items(), key=lambda item: doc_index[item[0]])

    def ints(col: Iterable[str], index: dict[str, int]) -> list[int]:
        return list(map(index.__getitem__, col))

    def in_doc_order(per_doc: dict[str, Any]) -> dict[str, Any]:
        """``per_doc`` itself when its documents are in manifest order (as applied), else a sorted copy."""
        ds = list(map(doc_number, per_doc))
        return per_doc if ds == sorted(ds) else dict(by_doc(per_doc))

    conf_keys = list(mem.conf)
    conf_own = [in_doc_order(own) for own in mem.conf.values()]

    fact_cols = _columns(facts, _FACT_FIELDS)
    node_cols = _columns(nodes, _NODE_FIELDS)
    subjects = ints(fact_cols[_FACT_FIELDS.index("subject")], node_index)
    objects = ints(fact_cols[_FACT_FIELDS.index("object")], node_index)
    spans = fact_cols[_FACT_FIELDS.index("span")]
    # The (subject, object) pairs in order of their first fact, and each fact's pair: one edge key dict each.
    pairs: dict[tuple[int, int], int] = {}
    fact_pair = [pairs.setdefault(so, len(pairs)) for so in zip(subjects, objects, strict=True)]
    columns: dict[str, Any] = {
        **{f"docs.{name}": col for name, col in zip(_DOC_FIELDS, _columns(docs, _DOC_FIELDS), strict=True)},
        "docs.facts": list(map(len, map(mem.doc_facts.__getitem__, doc_ids))),
        "docs.nodes": [ints(ks, node_index) for ks in doc_nodes],
        # per (node, document) pair as listed in nodes.mention_docs: how many spans, then all spans flat
        "nodes.mention_docs": mention_docs,
        "nodes.span_counts": list(map(len, pair_spans)),
        "nodes.spans": list(itertools.chain.from_iterable(itertools.chain.from_iterable(pair_spans))),
        "nodes.key": keys,
        **{f"nodes.{name}": _packed(col) for name, col in zip(_NODE_FIELDS, node_cols, strict=True)},
        "forms": [[k[0], k[1], ints(found, node_index)] for k, found in mem.forms.items()],
        "node_forms": [[node_index[k], list(mem.node_forms[k])] for k in keys if k in mem.node_forms],
        "contrib": [
            [node_index[k], [[doc_index[d], aliases] for d, aliases in by_doc(own)]]
            for k, own in mem.contrib.items()
        ],
        # per-document confidences of the nodes several documents mention (MemGraph.conf)
        # as columns: the nodes, per node its documents (numbers, in manifest order), the values flat
        "conf.nodes": ints(conf_keys, node_index),
        "conf.docs": [list(map(doc_number, d)) for d in conf_own],
        "conf.values": list(itertools.chain.from_iterable(map(dict.values, conf_own))),
        "facts.id": fids,
        "facts.subject": subjects,
        "facts.object": objects,
        "facts.start": list(map(_FIRST, spans)),
        "facts.end": list(map(_SECOND, spans)),
        "facts.pair": fact_pair,
        "pairs.subject": list(map(_FIRST, pairs)),
        "pairs.object": list(map(_SECOND, pairs)),
        **{
            f"facts.{name}": _packed(col)
            for name, col in zip(_FACT_FIELDS, fact_cols, strict=True)
            if name not in _FACT_DERIVED
        },
    }
    header = {
        "format": FORMAT,
        "generation": manifest.generation,
        "live": [[s.file, s.docs, sizes[s.file]] for s in manifest.segments],
        "columns": list(columns),
    }
    # One JSON document per line (orjson escapes newlines in strings): the reader parses one
    # column at a time and drops it once used, so parsing never holds the whole file's values.
    return b"\n".join([orjson.dumps(header), *map(orjson.dumps, columns.values())])


#: The record fields, in the constructors' order.  A field added to a record is saved and read
#: back with no change here (a snapshot lacking one is not used: KeyError, segments replayed).
_FACT_FIELDS = tuple(f.name for f in fields(Fact))
_NODE_FIELDS = tuple(f.name for f in fields(Node) if f.name not in ("key", "mentions"))
_DOC_FIELDS = tuple(f.name for f in fields(DocumentRecord))
#: Fact fields the indexes need, read when the snapshot is opened (the others when a first fact is read).
_FACT_INDEXED = frozenset({"id", "predicate", "subject", "object", "document"})
#: Fact fields saved in another form: ids as they are, ends as node numbers, the span as two columns,
#: the document from the per-document counts.
_FACT_DERIVED = frozenset({"id", "subject", "object", "document", "span"})
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


def _columns(records: list[Any], names: tuple[str, ...]) -> list[list[Any]]:
    """The records' fields as columns, each taken in C (``map`` of an ``attrgetter``)."""
    return [list(map(operator.attrgetter(name), records)) for name in names]


def _packed(col: list[Any]) -> Any:
    """A text column with few distinct values as ``{"values": [...], "codes": [...]}``; others as they are."""
    if len(col) < 16:
        return col
    try:
        values = list(dict.fromkeys(col))
    except TypeError:  # lists (aliases): not a text column
        return col
    # Only text: 1, 1.0 and True are one dict key, so numbers and flags stay as they are.
    if len(values) * 4 > len(col) or not all(v is None or type(v) is str for v in values):
        return col
    index = {v: i for i, v in enumerate(values)}
    return {"values": values, "codes": list(map(index.__getitem__, col))}


def _unpacked(col: Any) -> list[Any]:
    if isinstance(col, dict):
        values: list[Any] = col["values"]
        return list(map(values.__getitem__, col["codes"]))
    if not isinstance(col, list):
        raise BadSnapshot("a snapshot column is neither a list nor packed values")
    return col


def write(folder: Path, mem: MemGraph, manifest: Manifest) -> None:
    """Replace the folder's snapshot atomically (a reader sees the old one or the new one)."""
    sizes = {s.file: (folder / SEGMENTS / s.file).stat().st_size for s in manifest.segments}
    with gc_paused():
        data = encode(mem, manifest, sizes)
    write_atomic(snapshot_path(folder), data)


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
        return decode(raw, str(snapshot_path(folder)))
    except (BadSnapshot, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


class _Columns:
    """The columns of a snapshot file, each parsed when first taken (and not kept by the reader)."""

    def __init__(self, raw: bytes) -> None:
        end = raw.find(b"\n")
        if end < 0:
            raise BadSnapshot("not a snapshot: one line")
        view = memoryview(raw)
        self.header: dict[str, Any] = orjson.loads(view[:end])
        if not isinstance(self.header, dict) or self.header.get("format") != FORMAT:
            raise BadSnapshot("unknown snapshot format")
        names = self.header["columns"]
        self._where: dict[str, tuple[int, int]] = {}
        start = end + 1
        for name in names:
            stop = raw.find(b"\n", start)
            stop = len(raw) if stop < 0 else stop
            self._where[str(name)] = (start, stop)
            start = stop + 1
        if start != len(raw) + 1 or len(self._where) != len(names):
            raise BadSnapshot("snapshot columns do not match its header")
        self._view = view

    def check(self, name: str) -> None:
        """Raise KeyError unless the file has the column ``name``."""
        if name not in self._where:
            raise KeyError(name)

    def take(self, name: str) -> Any:
        start, stop = self._where[name]
        return orjson.loads(self._view[start:stop])

    def column(self, name: str, n: int) -> list[Any]:
        """A column of ``n`` values (a packed one unpacked)."""
        col = _unpacked(self.take(name))
        if len(col) != n:
            raise BadSnapshot(f"snapshot column {name} has {len(col)} values, not {n}")
        return col


def decode(raw: bytes, where: str = SNAPSHOT) -> Snapshot:
    """Build the graph from a snapshot's bytes; raises BadSnapshot (or a ValueError kin) when malformed.

    ``where`` names the file in the error of a fact column found unreadable later, when first read.
    """
    cols = _Columns(raw)
    header = cols.header
    generation = header["generation"]
    live = [(str(file), str(doc)) for file, docs, _ in header["live"] for doc in docs]
    sizes = {str(file): int(size) for file, _, size in header["live"]}
    doc_ids: list[str] = cols.take("docs.id")
    keys: list[str] = cols.take("nodes.key")
    fids: list[str] = cols.take("facts.id")
    n_docs, n_nodes, n_facts = len(doc_ids), len(keys), len(fids)
    if not isinstance(generation, int) or doc_ids != [d for _, d in live] or not all(map(_is_str, keys)):
        raise BadSnapshot("snapshot documents do not match the pairs it names")
    types = cols.column("nodes.type", n_nodes)
    preds = cols.column("facts.predicate", n_facts)
    if not set(types) <= set(ENTITY_TYPES) or not set(preds) <= set(PREDICATES):
        raise BadSnapshot("unknown type or predicate in the snapshot")

    mem = MemGraph()
    key_of, doc_of = keys.__getitem__, doc_ids.__getitem__
    repeat, chain = itertools.repeat, itertools.chain.from_iterable

    # Documents, in the order they were applied.
    docs = list(map(DocumentRecord, doc_ids, *(cols.column(f"docs.{f}", n_docs) for f in _DOC_FIELDS[1:])))
    mem.docs = dict(zip(doc_ids, docs, strict=True))
    for d in docs:
        mem.path_docs.setdefault(d.path, []).append(d.id)
    doc_nodes = [list(map(key_of, idx)) for idx in cols.column("docs.nodes", n_docs)]
    mem.doc_nodes = dict(zip(doc_ids, doc_nodes, strict=True))

    # Mentions, node by node (each node's documents in application order), all in C: the flat
    # spans paired into tuples, cut per (node, document) pair, zipped with the documents per node.
    flat = iter(cols.take("nodes.spans"))
    spans = list(zip(flat, flat, strict=False))
    ends = list(itertools.accumulate(cols.take("nodes.span_counts")))
    mention_docs = cols.column("nodes.mention_docs", n_nodes)
    if len(ends) != sum(map(len, mention_docs)) or (ends[-1] if ends else 0) != len(spans):
        raise BadSnapshot("snapshot span counts do not add up")
    pair_spans = iter(list(map(spans.__getitem__, map(slice, chain(([0], ends[:-1])), ends))))
    del spans, ends
    per_node = map(itertools.islice, repeat(pair_spans), map(len, mention_docs))
    mentions = list(map(dict, map(zip, map(map, repeat(doc_of), mention_docs), per_node)))
    del mention_docs, pair_spans
    node_cols = {f: cols.column(f"nodes.{f}", n_nodes) for f in _NODE_FIELDS if f != "type"}
    node_cols.update(key=keys, type=types, mentions=mentions)
    nodes = list(map(Node, *(node_cols[f.name] for f in fields(Node))))
    del node_cols, mentions
    mem.nodes = dict(zip(keys, nodes, strict=True))
    mem.forms = {(t, f): set(map(key_of, idx)) for t, f, idx in cols.take("forms")}
    mem.node_forms = {key_of(i): set(fs) for i, fs in cols.take("node_forms")}
    mem.type_keys = {t: set(itertools.compress(keys, map(t.__eq__, types))) for t in ENTITY_TYPES}
    mem.type_counts = Counter({t: len(ks) for t, ks in mem.type_keys.items() if ks})

    # Facts in the order they were applied; the indexes over them derived here.
    subjects = list(map(key_of, cols.column("facts.subject", n_facts)))
    objects = list(map(key_of, cols.column("facts.object", n_facts)))
    per_doc = cols.column("docs.facts", n_docs)
    # The records are made when first read, and the columns no index needs (evidence, amounts,
    # periods …) parsed then too (graph.facttable): most reads need few facts, some none.
    rest = [f for f in _FACT_FIELDS if f not in _FACT_INDEXED]
    for name in [f"facts.{f}" for f in rest if f != "span"] + ["facts.start", "facts.end"]:
        cols.check(name)

    def read_rest() -> dict[str, Sequence[Any]]:
        try:
            got: dict[str, Sequence[Any]] = {
                f: cols.column(f"facts.{f}", n_facts) for f in rest if f != "span"
            }
            start, end = cols.column("facts.start", n_facts), cols.column("facts.end", n_facts)
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptStore(
                f"{where}: unreadable fact column ({exc}); "
                "delete this file and the store reopens from its segments"
            ) from None
        got["span"] = list(zip(start, end, strict=True))
        return got

    document = _doc_column(doc_ids, per_doc, n_facts)
    indexed = {"id": fids, "predicate": preds, "subject": subjects, "object": objects, "document": document}
    mem.facts = FactTable.from_columns(fids, indexed, read_rest)
    if len(mem.docs) != n_docs or len(mem.nodes) != n_nodes or len(mem.facts) != n_facts:
        raise BadSnapshot("an id is used twice in the snapshot")

    # What only writes (and facts listed by predicate) use, made when first needed (MemGraph.defer_writes).
    for name in ("contrib", "conf.docs", "conf.values", "conf.nodes"):
        cols.check(name)

    def fill_writes() -> WriteIndexes:
        try:
            contrib = {key_of(i): {doc_of(d): a for d, a in own} for i, own in cols.take("contrib")}
            conf_docs = cols.take("conf.docs")
            conf_values = cols.take("conf.values")
            if sum(map(len, conf_docs)) != len(conf_values):
                raise BadSnapshot("snapshot confidences do not add up")
            values = iter(list(map(float, conf_values)))
            conf_per_node = map(itertools.islice, repeat(values), map(len, conf_docs))
            own_conf = map(dict, map(zip, map(map, repeat(doc_of), conf_docs), conf_per_node))
            conf_keys = map(key_of, cols.column("conf.nodes", len(conf_docs)))
            conf = dict(zip(conf_keys, own_conf, strict=True))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise CorruptStore(
                f"{where}: unreadable alias or confidence columns ({exc}); "
                "delete this file and the store reopens from its segments"
            ) from None
        pred_facts: dict[str, dict[str, None]] = {
            p: dict.fromkeys(itertools.compress(fids, map(p.__eq__, preds))) for p in PREDICATES
        }
        return WriteIndexes(contrib=contrib, conf=conf, pred_facts=pred_facts)

    mem.defer_writes(fill_writes, dict(Counter(preds)))
    offsets = list(itertools.accumulate(per_doc, initial=0))
    mem.doc_facts = {d: fids[offsets[i] : offsets[i + 1]] for i, d in enumerate(doc_ids)}
    mem.deg = deg = dict.fromkeys(keys, 0)
    deg.update(Counter(itertools.chain(subjects, objects)))

    # The networkx graph, made when a traversal first needs it (MemGraph.defer_adjacency): its node
    # and adjacency dicts filled in place (the graph object owns them).  One key dict per (subject,
    # object) pair, shared by succ[s][o] and pred[o][s] as add_edge does, pairs in order of their
    # first fact; filled by C-level maps, not a Python loop per fact.
    for name in ("facts.pair", "pairs.subject", "pairs.object"):
        cols.check(name)

    def fill(g: Any) -> None:
        try:
            fact_pair = cols.column("facts.pair", n_facts)
            pair_s = list(map(key_of, cols.take("pairs.subject")))
            pair_o = list(map(key_of, cols.column("pairs.object", len(pair_s))))
            if (
                list(map(pair_s.__getitem__, fact_pair)) != subjects
                or list(map(pair_o.__getitem__, fact_pair)) != objects
            ):
                raise BadSnapshot("snapshot edge pairs do not match the facts")
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise CorruptStore(
                f"{where}: unreadable edge columns ({exc}); "
                "delete this file and the store reopens from its segments"
            ) from None
        succ, pred = g._succ, g._pred
        g._node.update({k: {} for k in keys})
        succ.update({k: {} for k in keys})
        pred.update({k: {} for k in keys})
        keydicts: list[dict[str, object]] = [{} for _ in pair_s]
        _drain(map(operator.setitem, map(keydicts.__getitem__, fact_pair), fids, repeat(_NO_ATTRIBUTES)))
        _drain(map(operator.setitem, map(succ.__getitem__, pair_s), pair_o, keydicts))
        _drain(map(operator.setitem, map(pred.__getitem__, pair_o), pair_s, keydicts))

    mem.defer_adjacency(fill)
    return Snapshot(mem=mem, live=live, sizes=sizes, generation=generation)


def _drain(calls: Iterator[object]) -> None:
    """Run a lazy ``map`` of calls for their effect, in C."""
    deque(calls, maxlen=0)


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
