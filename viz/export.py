"""Build the page for a store and write it to one HTML file, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import DocumentNotFound
from graph.model import DocumentRecord, Subgraph
from graph.store import GraphStore

from .focus import DEFAULT_DEPTH, DEFAULT_LIMIT, Focus, select_subgraph
from .page import Mode, render_network


@dataclass(slots=True)
class PageSummary:
    """What was written, for the CLI to report."""

    path: Path
    nodes: int
    edges: int
    center: str | None = None
    omitted: dict[str, int] = field(default_factory=dict)


def source_documents(store: GraphStore, subgraph: Subgraph) -> dict[str, DocumentRecord]:
    """The reports the edges cite and the nodes are mentioned in, so the page names them by title.

    Few ids are asked one by one; many (the whole-graph page) in one pass over the documents.
    """
    wanted = {f.document for f in subgraph.edges} | {d for n in subgraph.nodes for d in n.mentions}
    if len(wanted) > 50:
        return {d.id: d for d in store.iter_documents() if d.id in wanted}
    out: dict[str, DocumentRecord] = {}
    for doc_id in wanted:
        try:
            out[doc_id] = store.document(doc_id)
        except DocumentNotFound:
            continue  # the page then shows the bare id, which is still true
    return out


def confirmed_in(store: GraphStore, subgraph: Subgraph) -> tuple[frozenset[str], frozenset[str]]:
    """Keys of the nodes and ids of the edges of ``subgraph`` that a person confirmed (drawn apart)."""
    from graph.fixing import confirmed

    done = confirmed(store)
    if not done.entities and not done.facts:
        return frozenset(), frozenset()
    nodes = frozenset(n.key for n in subgraph.nodes if done.entity(n.key))
    paths: dict[str, str] = {}
    facts: set[str] = set()
    for f in subgraph.edges if done.facts else ():
        if f.document not in paths:
            try:
                paths[f.document] = store.document(f.document).path
            except DocumentNotFound:
                paths[f.document] = ""
        if done.fact(f, paths[f.document]):
            facts.add(f.id)
    return nodes, frozenset(facts)


def build_page(
    store: GraphStore, focus: Focus, *, mode: Mode = "file", writes: bool = False, **render_args: str
) -> tuple[str, Subgraph]:
    subgraph = select_subgraph(store, focus)
    html = render_network(
        subgraph,
        source_documents(store, subgraph),
        focus=focus,
        mode=mode,
        writes=writes,
        confirmed=confirmed_in(store, subgraph),
        **render_args,
    )
    return html, subgraph


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_network(
    store: GraphStore,
    out_path: str | os.PathLike[str],
    center: str | None = None,
    depth: int = DEFAULT_DEPTH,
    limit: int = DEFAULT_LIMIT,
    *,
    types: Iterable[str] = (),
    predicates: Iterable[str] = (),
    start: str | None = None,
    end: str | None = None,
    min_confidence: float = 0.0,
) -> PageSummary:
    """Write the standalone page (works offline, from disk) around ``center``, else of the whole graph."""
    focus = Focus(
        center=center,
        depth=depth,
        limit=limit,
        types=list(types),
        predicates=list(predicates),
        start=start,
        end=end,
        min_confidence=min_confidence,
    )
    html, subgraph = build_page(store, focus, mode="file")
    path = Path(out_path)
    write_atomic(path, html)
    return PageSummary(
        path=path,
        nodes=len(subgraph.nodes),
        edges=len(subgraph.edges),
        center=subgraph.center,
        omitted=dict(subgraph.omitted),
    )
