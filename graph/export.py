"""Exports of a store: RDF (Turtle, JSON-LD, N-Triples), GraphML and GEXF for Gephi, CSV for neo4j-admin.

Every export reads one consistent state of the store (the embedded store's
``consistent()`` view when it has one) and writes its files atomically, so an
interrupted export never leaves half a file where a previous export was.

CSV layout (``neo4j-admin database import full``)::

    nodes_<Type>.csv   key:ID,name,aliases:string[],documents:string[],confidence:double,:LABEL
                       (labels "Entity;<Type>")
    rels_<PRED>.csv    :START_ID,:END_ID,:TYPE,fact_id,document,evidence,span_start:int,span_end:int,
                       amount_value:double,amount_currency,amount_text,amount_masked:boolean,
                       amount_approx:boolean,period_start:date,period_end:date,period_text,agency,action,
                       amount_shared:boolean,amount_group,period_inherited:boolean,confidence:double
    documents.csv      id:ID(Document),path,title,issuer,date:date,period_start:date,period_end:date,
                       period_text,entities:int,facts:int,:LABEL
    IMPORT.txt         the neo4j-admin command line for these files

Arrays use neo4j-admin's default delimiter ``;``; a ``;`` inside an alias is
written as the full-width ``；`` so it cannot split the array.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from extract.model import ENTITY_TYPES, PREDICATES

from .errors import StoreError
from .model import DocumentRecord, Fact, Node
from .persist import write_atomic
from .store import GraphStore

FORMATS = ("ttl", "jsonld", "nt", "graphml", "gexf", "csv")
_RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


class ExportError(StoreError, ValueError):
    """The export cannot be written as asked (unknown format, output in the way)."""


@dataclass(slots=True)
class Snapshot:
    """The whole graph read in one consistent state."""

    nodes: list[Node]
    facts: list[Fact]
    documents: list[DocumentRecord]


@dataclass(slots=True)
class ExportResult:
    format: str
    #: files written (one, or the CSV folder's files)
    files: list[Path]
    nodes: int
    facts: int
    documents: int


def snapshot(store: GraphStore) -> Snapshot:
    pin = getattr(store, "consistent", None)
    with pin() if callable(pin) else contextlib.nullcontext():
        return Snapshot(list(store.iter_nodes()), list(store.iter_facts()), list(store.iter_documents()))


def export_graph(store: GraphStore, fmt: str, out: str | Path) -> ExportResult:
    """Write the store as ``fmt`` to ``out`` (a file; a folder for ``csv``)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    out = Path(out)
    snap = snapshot(store)
    if fmt == "csv":
        files = write_csv(snap, out)
    else:
        if out.is_dir():
            raise ExportError(f"{out}: is a folder; give a file name for the {fmt} export")
        write_atomic(out, render(snap, fmt))
        files = [out]
    return ExportResult(fmt, files, len(snap.nodes), len(snap.facts), len(snap.documents))


def render(snap: Snapshot, fmt: str) -> bytes:
    """One file's bytes for the single-file formats."""
    if fmt in _RDF_FORMATS:
        from .rdf import to_rdf

        graph = to_rdf(snap.nodes, snap.facts, snap.documents)
        if fmt == "jsonld":
            from .vocab import KG

            data = graph.serialize(format="json-ld", context={"kg": str(KG)}, indent=1, ensure_ascii=False)
        else:
            data = graph.serialize(format=_RDF_FORMATS[fmt])
        return data.encode("utf-8")
    if fmt in ("graphml", "gexf"):
        g = to_networkx(snap)
        buf = io.BytesIO()
        if fmt == "graphml":
            nx.write_graphml(g, buf, encoding="utf-8")
        else:
            nx.write_gexf(g, buf, encoding="utf-8")
        return buf.getvalue()
    raise ExportError(f"{fmt} is not a single-file format")


# -- GraphML / GEXF --------------------------------------------------------------------------


def _attrs(pairs: Iterator[tuple[str, Any]]) -> dict[str, Any]:
    """Only present values: GraphML/GEXF have no null, and Gephi reads a missing attribute as empty."""
    return {k: v for k, v in pairs if v is not None}


def to_networkx(snap: Snapshot) -> nx.MultiDiGraph:
    """A graph whose attributes are strings, numbers and booleans only (what GraphML and GEXF hold)."""
    from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH

    g = nx.MultiDiGraph()
    for n in snap.nodes:
        g.add_node(
            n.key,
            label=n.name,
            type=n.type,
            type_zh=TYPE_LABELS_ZH.get(n.type, n.type),
            name=n.name,
            aliases="|".join(n.aliases),
            documents="|".join(n.documents),
            confidence=n.confidence,
        )
    for f in snap.facts:
        if f.subject not in g or f.object not in g:
            continue  # not in this snapshot (a Bolt store written to while we read)
        g.add_edge(
            f.subject,
            f.object,
            key=f.id,
            **_attrs(
                iter(
                    [
                        ("label", f.predicate),
                        ("predicate", f.predicate),
                        ("predicate_zh", PREDICATE_LABELS_ZH.get(f.predicate, f.predicate)),
                        ("fact_id", f.id),
                        ("document", f.document),
                        ("evidence", f.evidence),
                        ("span_start", f.span[0]),
                        ("span_end", f.span[1]),
                        ("amount_value", f.amount_value),
                        ("amount_currency", f.amount_currency),
                        ("amount_text", f.amount_text),
                        ("amount_masked", f.amount_masked if f.has_amount else None),
                        ("amount_approx", f.amount_approx if f.has_amount else None),
                        ("period_start", f.period_start),
                        ("period_end", f.period_end),
                        ("period_text", f.period_text),
                        ("agency", f.agency),
                        ("action", f.action),
                        ("amount_shared", f.amount_shared if f.has_amount else None),
                        ("amount_group", f.amount_group),
                        ("period_inherited", f.period_inherited if f.period_text or f.period_start else None),
                        ("confidence", f.confidence),
                    ]
                )
            ),
        )
    return g


# -- CSV for neo4j-admin ---------------------------------------------------------------------------

NODE_HEADER = ["key:ID", "name", "aliases:string[]", "documents:string[]", "confidence:double", ":LABEL"]
REL_HEADER = [
    ":START_ID", ":END_ID", ":TYPE", "fact_id", "document", "evidence", "span_start:int", "span_end:int",
    "amount_value:double", "amount_currency", "amount_text", "amount_masked:boolean", "amount_approx:boolean",
    "period_start:date", "period_end:date", "period_text", "agency", "action", "amount_shared:boolean",
    "amount_group", "period_inherited:boolean", "confidence:double",
]  # fmt: skip
DOC_HEADER = [
    "id:ID(Document)", "path", "title", "issuer", "date:date", "period_start:date", "period_end:date",
    "period_text", "entities:int", "facts:int", ":LABEL",
]  # fmt: skip


def _array(values: list[str]) -> str:
    return ";".join(v.replace(";", "；") for v in values)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def write_csv(snap: Snapshot, folder: Path) -> list[Path]:
    """The neo4j-admin import files in ``folder`` (created if missing; only our files are replaced)."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder}: not a folder (csv exports write one file per type and predicate)")
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for t in ENTITY_TYPES:
        rows: list[list[object]] = [
            [n.key, n.name, _array(n.aliases), _array(n.documents), n.confidence, f"Entity;{t}"]
            for n in snap.nodes
            if n.type == t
        ]
        path = folder / f"nodes_{t}.csv"
        write_atomic(path, _csv_bytes(NODE_HEADER, rows))
        files.append(path)
    keys = {n.key for n in snap.nodes}
    for p in PREDICATES:
        rows = [
            [f.subject, f.object, p, f.id, f.document, f.evidence, f.span[0], f.span[1], f.amount_value,
             f.amount_currency, f.amount_text, f.amount_masked if f.has_amount else None,
             f.amount_approx if f.has_amount else None, f.period_start, f.period_end, f.period_text, f.agency,
             f.action, f.amount_shared if f.has_amount else None, f.amount_group,
             f.period_inherited if f.period_text or f.period_start else None, f.confidence]
            for f in snap.facts
            if f.predicate == p and f.subject in keys and f.object in keys
        ]  # fmt: skip
        path = folder / f"rels_{p}.csv"
        write_atomic(path, _csv_bytes(REL_HEADER, rows))
        files.append(path)
    docs: list[list[object]] = [
        [d.id, d.path, d.title, d.issuer, d.date, d.period_start, d.period_end, d.period_text, d.entity_count,
         d.fact_count, "Document"]
        for d in snap.documents
    ]  # fmt: skip
    path = folder / "documents.csv"
    write_atomic(path, _csv_bytes(DOC_HEADER, docs))
    files.append(path)
    command = (
        "neo4j-admin database import full neo4j --overwrite-destination "
        + " ".join(
            f"--nodes={f.name}" for f in files if f.name.startswith("nodes_") or f.name == "documents.csv"
        )
        + " "
        + " ".join(f"--relationships={f.name}" for f in files if f.name.startswith("rels_"))
        + "\n"
    )
    path = folder / "IMPORT.txt"
    write_atomic(path, ("# run in this folder (Neo4j 5, database stopped)\n" + command).encode("utf-8"))
    files.append(path)
    return files
